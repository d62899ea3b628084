// Statically trusted keys: `--trust URL=JWKS_FILE` entries. The operator vouches for the keys of
// one agent, so lookups for that agent need no fetch (air-gapped deployments, pinned partners,
// tests). Keys stay bound to their URL: identity is the (URL, thumbprint) pair (§5.4), a key
// trusted for agent A never verifies a request naming agent B.
//
// Matching a KeyQuery's agent against an entry: the entry URL is resolved exactly like a
// Signature-Agent member (profile::resolve_agent, RFC 3986 normalization), and the query
// matches when its agent_url equals the entry's agent_url or its directory_url equals the
// entry's directory_url. So `--trust https://agent.example=…` serves both
// `sig1="https://agent.example"` and `sig1="https://agent.example/"`, and an entry naming the
// well-known URL itself serves a member naming that URL.
//
// A matched entry is authoritative: a keyid it lacks is key_not_found, never a fetch (the
// operator pinned this agent's keys; fetching anyway would defeat the pin), unless
// fall_through_on_missing_key is set. Queries that match
// no entry go to the fallback source (normally the DirectoryKeySource), or are key_not_found
// when there is none.
//
// Defaults (documented for docs/CONFIG.md):
//   match_without_agent  false  true: a query without Signature-Agent is served from any
//                               trusted key with that thumbprint (identity = the thumbprint
//                               only, DIGEST §4.5); off, such queries are key_not_found.
//   fall_through_on_missing_key false
//   parse limits         the directory parser's (64 KiB body, 64 keys, depth 32): the file
//                        is operator-supplied, but the same bounds cost nothing.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fetch/clock.h"
#include "fetch/metrics.h"
#include "keys/key_source.h"
#include "wba/directory/directory.h"

namespace wbad {

// One `--trust` argument, split: URL and the path of a JWK Set file.
struct TrustSpec {
  std::string url;
  std::string jwks_path;
};

// Splits "URL=FILE" at the last '=' (URLs may carry '=' in a query; a path with '=' is rarer).
// Errors: invalid_argument when either side is empty.
wba::Result<TrustSpec> parse_trust_spec(std::string_view spec);

struct TrustedDirectory {
  std::string url;                 // as configured
  std::string agent_url;           // normalized, as resolve_agent computes it
  std::string directory_url;       // normalized well-known (bare origin) or the URL itself
  wba::directory::Directory keys;  // url() = directory_url
};

// From a URL and the text of a JWK Set (also a Signature-Agent-style http URL is accepted:
// trust is the operator's decision). Refused entries of the set are logged by the caller from
// keys.refused(); a set with no usable key at all is invalid_argument. Errors: invalid_argument
// (unusable URL, no usable key), and those of wba::directory::parse_directory.
wba::Result<TrustedDirectory> make_trusted_directory(
    std::string_view url, std::string_view jwks_text,
    const wba::directory::ParseOptions& options = {});
// Reads spec.jwks_path (io_error when unreadable) and calls make_trusted_directory.
wba::Result<TrustedDirectory> load_trusted_directory(
    const TrustSpec& spec, const wba::directory::ParseOptions& options = {});

struct StaticKeySourceOptions {
  bool match_without_agent = false;
  // true: a matched entry lacking the keyid passes the query on to the fallback (the fetched
  // directory may know a key published after the file was written) instead of answering
  // key_not_found. Off by default: a pin that can be bypassed by fetching is no pin.
  bool fall_through_on_missing_key = false;
};

class StaticKeySource : public KeySource {
 public:
  StaticKeySource(std::vector<TrustedDirectory> trusted, std::shared_ptr<KeySource> fallback,
                  StaticKeySourceOptions options = {}, fetch::Clock clock = fetch::Clock::real(),
                  std::shared_ptr<fetch::FetchMetrics> metrics = nullptr);

  // Parses and loads every `--trust` argument; the first failure names its argument.
  static wba::Result<std::shared_ptr<StaticKeySource>> from_specs(
      const std::vector<std::string>& specs, std::shared_ptr<KeySource> fallback,
      StaticKeySourceOptions options = {}, fetch::Clock clock = fetch::Clock::real(),
      std::shared_ptr<fetch::FetchMetrics> metrics = nullptr);

  // Completes inline for trusted agents; otherwise as the fallback does.
  void find_key(const wba::profile::KeyQuery& query, KeyCallback done) override;

  const std::vector<TrustedDirectory>& trusted() const noexcept { return trusted_; }

 private:
  std::vector<TrustedDirectory> trusted_;
  std::shared_ptr<KeySource> fallback_;
  StaticKeySourceOptions options_;
  fetch::Clock clock_;
  std::shared_ptr<fetch::FetchMetrics> metrics_;
};

}  // namespace wbad
