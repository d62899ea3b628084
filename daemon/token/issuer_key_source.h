// Where the token stage finds a trusted issuer's signing keys (delegation.md §4 Step 6, §8):
//   - static: a JWKS file given with --issuer ISS=JWKS_FILE (or `jwks_file`), loaded once;
//   - discovery: the issuer's RFC 8414 metadata (path-inserted
//     /.well-known/oauth-authorization-server) and/or OpenID Connect Discovery
//     (/.well-known/openid-configuration), whose `issuer` must equal the configured issuer
//     exactly, then its `jwks_uri` — both fetched through the daemon's HttpTransport (the same
//     outbound policy as key directories: https, no redirects followed, size and time caps,
//     private addresses refused) and cached by DocumentCache (metadata fresh for [10 min, 24 h],
//     JWKS for [5 min, 24 h], stale-if-error up to 24 h, failures negative-cached ≤ 5 min,
//     single-flight).
// A kid the cached JWKS lacks forces at most one refetch per issuer per 60 s; the answer is then
// whatever set the issuer publishes (the caller's select() says unknown_kid). Only configured
// issuers exist here: nothing is ever fetched for any other `iss`.
//
// Errors: issuer_metadata_unavailable (metadata or JWKS cannot be fetched or is invalid, and
// nothing usable is cached), untrusted_issuer (not configured: a caller bug, since the token
// service checks first).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "config/config.h"
#include "fetch/clock.h"
#include "fetch/http_cache.h"
#include "fetch/transport.h"
#include "token/document_cache.h"
#include "token/issuer_metadata.h"
#include "token/token_metrics.h"
#include "wba/token/access_token.h"

namespace wbad {

struct IssuerKeySourceConfig {
  // delegation.md §8: metadata [10 min, 24 h], JWKS [5 min, 24 h], default 1 h, stale-if-error
  // up to 24 h.
  fetch::FreshnessPolicy metadata_freshness{
      std::chrono::seconds(600),  std::chrono::seconds(86400), std::chrono::seconds(3600),
      std::chrono::seconds(3600), std::chrono::seconds(86400), std::chrono::seconds(86400)};
  fetch::FreshnessPolicy jwks_freshness{std::chrono::seconds(300),   std::chrono::seconds(86400),
                                        std::chrono::seconds(3600),  std::chrono::seconds(3600),
                                        std::chrono::seconds(86400), std::chrono::seconds(86400)};
  DocumentCacheConfig cache;  // negative TTL 30 s doubling to 5 min; unknown-kid refetch ≤ 1/60 s
  std::size_t max_jwks_bytes = 64 * 1024;
  std::size_t max_jwks_keys = 64;
};

// One issuer's keys as of a lookup. `generation` changes whenever the issuer's JWKS changes
// (static issuers: a fixed number), so a validation made with older keys can be recognised.
struct IssuerKeys {
  std::shared_ptr<const wba::token::IssuerKeySet> keys;
  std::uint64_t generation = 0;
};

class IssuerKeySource {
 public:
  using Callback = std::function<void(wba::Result<IssuerKeys>)>;

  IssuerKeySource(std::shared_ptr<fetch::HttpTransport> transport, IssuerKeySourceConfig config,
                  fetch::Clock clock, std::shared_ptr<TokenMetrics> metrics);

  // Configuration (before the first lookup; not thread-safe with lookups).
  // Errors: invalid_key / malformed_json… from IssuerKeySet::parse, detail naming the issuer.
  wba::Status add_static(const std::string& issuer, std::string_view jwks_json);
  void add_discovered(const std::string& issuer, IssuerDiscovery mode);

  bool knows(const std::string& issuer) const noexcept;

  // The keys for `issuer`, refetching a fresh JWKS at most once a minute when it lacks `kid`.
  // `done` is called exactly once, inline or from a transport thread.
  void keys_for(const std::string& issuer, const std::optional<std::string>& kid, Callback done);

  // The generation of the keys currently held for `issuer` without fetching; nullopt when
  // nothing is held.
  std::optional<std::uint64_t> generation(const std::string& issuer) const;

  struct Jwks;    // an IssuerKeySet as cached
  struct Shared;  // what loads need after the source is gone: transport, config, clock, metrics

 private:
  struct Issuer {
    IssuerDiscovery discovery = IssuerDiscovery::none;
    IssuerKeys static_keys;
  };

  std::shared_ptr<Shared> shared_;
  std::map<std::string, Issuer, std::less<>> issuers_;  // fixed after configuration
  std::shared_ptr<DocumentCache<IssuerMetadata>> metadata_;
  std::shared_ptr<DocumentCache<Jwks>> jwks_;
  std::uint64_t next_static_generation_ = std::uint64_t{1} << 62;
};

}  // namespace wbad
