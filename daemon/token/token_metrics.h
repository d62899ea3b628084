// Plain counters of the token stage, for the daemon's metrics endpoint: outcomes, the validation
// cache, issuer metadata/JWKS fetches and introspection. Declared once in an X-macro like
// fetch/metrics.h so the endpoint can enumerate them; names are closed sets, never issuers,
// subjects or key ids. Relaxed atomics: independent counters read only for exposition.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "fetch/metrics.h"    // fetch::bump
#include "metrics/metrics.h"  // append_metric

namespace wbad {

// X(name, help). Every TokenService::check increments exactly one outcome_* counter.
#define WBAD_TOKEN_COUNTERS(X)                                                                  \
  X(outcome_no_token, "no token presented (or the route ignores tokens)")                       \
  X(outcome_bound, "token validated and bound to the signing agent")                            \
  X(outcome_rejected, "token refused (reason in the verdict)")                                  \
  X(outcome_unverified, "token not checkable: issuer metadata/JWKS or introspection down")      \
  X(untrusted_issuer, "token from an issuer that is not configured (nothing fetched)")          \
  X(dpop_replayed, "DPoP proof jti seen before")                                                \
  X(validation_cache_hit, "token validation answered from the cache (binding re-evaluated)")    \
  X(validation_cache_miss, "token validated from the issuer's keys")                            \
  X(metadata_fetch_ok, "authorization-server metadata fetched and accepted")                    \
  X(metadata_fetch_failed, "metadata fetch failed: network, status, issuer mismatch, invalid")  \
  X(jwks_fetch_ok, "issuer JWKS fetched and accepted")                                          \
  X(jwks_fetch_failed, "issuer JWKS fetch failed: network, status, invalid")                    \
  X(jwks_changed, "a JWKS refetch returned different keys (cached validations dropped)")        \
  X(document_coalesced, "a lookup joined a metadata/JWKS fetch already in flight")              \
  X(document_stale_if_error, "stale metadata/JWKS served after a failed refresh")               \
  X(document_negative_hit, "answered from a cached metadata/JWKS failure without fetching")     \
  X(document_not_modified, "metadata/JWKS revalidated: 304 Not Modified renewed the copy held") \
  X(unknown_kid_refresh, "JWKS refetch forced by a kid absent from the cached set")             \
  X(unknown_kid_rate_limited, "unknown kid answered from the cache: refetch rate-limited")      \
  X(introspection_ok, "introspection answered (active or not)")                                 \
  X(introspection_failed, "introspection failed: network, status, overload")                    \
  X(introspection_coalesced, "an introspection joined the same token's POST already in flight") \
  X(introspection_cache_hit, "introspection result answered from the cache")

struct TokenMetrics {
#define WBAD_DECLARE_TOKEN_COUNTER(name, help) std::atomic<std::uint64_t> name{0};
  WBAD_TOKEN_COUNTERS(WBAD_DECLARE_TOKEN_COUNTER)
#undef WBAD_DECLARE_TOKEN_COUNTER
  // Gauge: entries in the validation cache.
  std::atomic<std::uint64_t> validation_cache_entries{0};

  // Calls f(name, help, value) for every counter, in declaration order.
  template <class F>
  void for_each_counter(F&& f) const {
#define WBAD_VISIT_TOKEN_COUNTER(name, help) \
  f(std::string_view(#name), std::string_view(help), name.load(std::memory_order_relaxed));
    WBAD_TOKEN_COUNTERS(WBAD_VISIT_TOKEN_COUNTER)
#undef WBAD_VISIT_TOKEN_COUNTER
  }
};

// Appends the counters to a Prometheus text page (wbad_token_*_total, wbad_token_cache_entries).
inline void render_token_metrics(const TokenMetrics& metrics, std::string& out) {
  metrics.for_each_counter([&out](std::string_view name, std::string_view help, std::uint64_t v) {
    append_metric(out, "wbad_token_" + std::string(name) + "_total", "counter", help, v);
  });
  append_metric(out, "wbad_token_cache_entries", "gauge", "Validated tokens cached.",
                metrics.validation_cache_entries.load());
}

}  // namespace wbad
