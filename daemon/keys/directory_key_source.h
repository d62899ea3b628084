// The daemon's key-directory cache: resolves a KeyQuery's agent to its directory (or, for a
// `type=cimd` member, its Signature Agent Card and the keys the card names), fetches it through
// an HttpTransport, checks it (status, media type, JWK Set, the directory's own signatures) and
// caches it by URL with HTTP caching semantics.
//
// Semantics (draft-ietf-webbotauth-httpsig-protocol §5.5, §6.7, §6.10, App. C; DIGEST §4.8;
// ecosystem.md §3):
//   - Lookup is by (directory URL, thumbprint), never by keyid alone (§5.4): the cache is keyed
//     by the resolved directory URL and a key is found by its RFC 7638 thumbprint.
//   - Freshness from the response (fetch/http_cache.h): max-age/s-maxage/Expires within
//     [min_ttl, max_ttl]; stale-while-revalidate (serve the stale key, one background refresh);
//     stale-if-error (serve the stale key when a refresh fails); ETag/Last-Modified revalidation
//     with If-None-Match/If-Modified-Since, a 304 renewing freshness.
//   - Single-flight: one fetch per directory at a time; every lookup arriving meanwhile waits
//     for that fetch (N concurrent lookups of an unknown directory → exactly one fetch).
//   - A failed fetch never evicts the cached directory (§6.10: "not evidence"); it is cached as
//     a failure (negative caching, exponential backoff, Retry-After honoured, never beyond
//     5 minutes) and stale keys keep being served within stale-if-error.
//   - A successful fetch replaces the cached directory even when it lacks keys that were there
//     (§6.10: that is how removal takes effect).
//   - A keyid absent from a fresh directory forces a refresh at most once per
//     unknown_keyid_refresh_interval (measured from the directory's last fetch of any kind);
//     otherwise the answer is key_not_found from the cache.
//   - Only a 200 counts; redirects are not followed (the transport never follows them).
//   - At most max_concurrent_fetches fetches run at once; beyond that a lookup that needs a
//     fetch fails fast with directory_unavailable (served stale when stale-if-error allows) and
//     nothing is negative-cached, so one slow or dead directory never blocks others.
//   - At most max_entries directories are cached; the least recently used idle one goes first.
//
// Signature Agent Cards (Signature-Agent `;type=cimd`, protocol -00 §5.5; registry-04 §3.1,
// §4.1, §5.2; CIMD §4). The member value is the card's client_id URL:
//   - The card is fetched like a directory (GET, 200 only, no redirects, the same outbound
//     policy, size caps, single-flight, HTTP caching, negative caching, backoff, max_entries)
//     as an entry of its own kind, keyed by the card URL, and parsed by parse_agent_card
//     against the URL fetched: client_id must equal it, a card with both jwks and jwks_uri is
//     refused. An invalid card is never cached as a card (CIMD §4.4), only as a failure; like a
//     failed directory fetch it does not evict a valid card held before (stale-if-error).
//   - Inline `jwks`: the keys are the card's; a keyid absent from a fresh card refreshes the
//     card at most once per unknown_keyid_refresh_interval.
//   - `jwks_uri`: that URL is a directory entry of its own (its own HTTP caching, single-flight,
//     unknown-keyid refresh, the same outbound policy check as the card URL), fetched after the
//     card; N concurrent lookups of a new card cost one card fetch and one jwks_uri fetch. Only
//     keys with a valid directory response signature (App. B.1: tag
//     http-message-signatures-directory, covering "@authority";req and content-digest) answer a
//     card lookup (registry-04 §5.2 "ignore keys that do not carry a corresponding valid
//     signature"); an unproven key answers directory_signature_invalid. A signature that is
//     present but bad refuses the whole key set, as for every directory. The same jwks_uri
//     entry serves plain directory lookups (a type=jwks_uri member) without that requirement.
//   - A card with neither jwks nor jwks_uri is a valid card without keys: key_not_found.
//   - Identity: the key is found by (card URL, thumbprint); the agent URL is the card URL (the
//     KeyQuery's AgentLocation). Errors met through jwks_uri name the card in their detail.
//   - Cards share the fetch_* and cache_* counters with directories; one card lookup through
//     jwks_uri counts one cache event for the card and one for its key set.
//   - checks.limits bound the card too (body bytes, JSON depth; max_keys for an inline jwks).
//     A card is fetched with `Accept: application/json`. Signatures on the card response
//     itself (registry-04 §3.1.3, a SHOULD for inline jwks) are not checked: the card was
//     fetched over TLS from its own client_id URL.
//   - Whether type=cimd members reach this source at all is the profile's decision
//     (AgentUrlPolicy::accept_cimd_type, off by default): this class serves whatever
//     AgentLocation it is given.
//
// Error reasons (KeySource contract): key_not_found, directory_unavailable (transport, status,
// timeout, refused URL/address, overload), directory_invalid (media type, malformed, too large
// — the library's limit_exceeded is reported as directory_invalid with the limit in the
// detail; an agent card refused by parse_agent_card, "agent card URL refused
// (invalid_agent_card): why"), directory_signature_invalid (including a key of a card's
// jwks_uri without a valid proof). Card problems are discovery failures (outcome unverified),
// which is why they are not reported as invalid_agent_card (outcome invalid).
//
// Threading: find_key may be called from any thread. State is guarded by one mutex held only
// for map bookkeeping (never across a transport call, a signature verification or a callback),
// because completions arrive inline from fakes and on transport strands from the real client;
// a strand would force every caller to hop executors for an O(1) critical section.
//
// Defaults (documented for docs/CONFIG.md):
//   cache.freshness                     see fetch/http_cache.h (min 60 s, max 24 h, default
//                                       1 h, SWR cap 1 h, SIE default 24 h, SIE cap 7 d)
//   cache.negative_ttl                  30 s    first failure; doubles per consecutive failure
//   cache.max_negative_ttl             300 s    ceiling (also for Retry-After); values above
//                                               300 s are clamped (draft: ≤ 5 minutes)
//   cache.unknown_keyid_refresh_interval 60 s
//   cache.max_entries                  1024     directories and cards (Envoy resolver: 1024)
//   cache.max_concurrent_fetches         32     (Envoy resolver: 32 outbound)
//   checks.limits.max_body_bytes      65536     (keep equal to the transport's max_body_bytes)
//   checks.limits.max_keys               32     entries of "keys" (ecosystem.md §3.2: ≤ 32)
//   checks.limits.max_json_depth         32
//   checks.media_type               well_known  check Content-Type only at the well-known path
//   checks.require_signatures          false    true: unsigned directories are refused
//   checks.require_all_keys_proven     false
//   checks.require_kid_thumbprint      false
//   checks.max_clock_skew               60 s    for directory proofs' `created`
//   max_data_url_bytes                65536     inline data: directories (when resolve_agent
//                                               allowed them), never fetched
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "fetch/clock.h"
#include "fetch/http_cache.h"
#include "fetch/metrics.h"
#include "fetch/outbound_policy.h"
#include "fetch/transport.h"
#include "keys/key_source.h"
#include "wba/directory/directory.h"

namespace wbad {

struct DirectoryCacheConfig {
  fetch::FreshnessPolicy freshness;
  std::chrono::seconds negative_ttl{30};
  std::chrono::seconds max_negative_ttl{300};
  std::chrono::seconds unknown_keyid_refresh_interval{60};
  std::size_t max_entries = 1024;
  std::size_t max_concurrent_fetches = 32;
};

enum class MediaTypeCheck {
  well_known,  // at /.well-known/http-message-signatures-directory only (§5.5.1 MUST); other
               // URLs (jwks_uri, a JWKS URL) have no mandated media type
  always,
  never,
};

struct DirectoryCheckConfig {
  wba::directory::Limits limits{64 * 1024, 32, 32};
  MediaTypeCheck media_type = MediaTypeCheck::well_known;
  bool require_signatures = false;
  bool require_all_keys_proven = false;
  bool require_kid_thumbprint = false;
  std::int64_t max_clock_skew = 60;
  std::size_t max_data_url_bytes = 64 * 1024;
};

struct DirectoryKeySourceConfig {
  DirectoryCacheConfig cache;
  DirectoryCheckConfig checks;
};

class DirectoryKeySource : public KeySource {
 public:
  // `policy` is checked before every fetch (the real transport checks it again, with DNS);
  // `metrics` may be shared with other sources, a fresh one is made when null.
  DirectoryKeySource(std::shared_ptr<fetch::HttpTransport> transport,
                     std::shared_ptr<const fetch::OutboundPolicy> policy,
                     DirectoryKeySourceConfig config = {},
                     fetch::Clock clock = fetch::Clock::real(),
                     std::shared_ptr<fetch::FetchMetrics> metrics = nullptr);
  ~DirectoryKeySource() override;

  void find_key(const wba::profile::KeyQuery& query, KeyCallback done) override;

  const fetch::FetchMetrics& metrics() const noexcept;
  std::shared_ptr<fetch::FetchMetrics> shared_metrics() const noexcept;
  // Directories and agent cards currently cached (with content or with a cached failure).
  std::size_t size() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;  // shared with in-flight fetch completions
};

// Decodes a data: URL carrying a JWK Set (directory-00 inline directories; RFC 2397): base64
// or percent-encoded, media type empty, a directory type, application/json or
// application/jwk-set+json. Errors: directory_invalid (not a data: URL, other media type, bad
// encoding), limit_exceeded (decoded size above max_bytes).
wba::Result<std::string> decode_data_url(std::string_view url, std::size_t max_bytes);

}  // namespace wbad
