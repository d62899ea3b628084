// Plain counters of the key-directory fetcher and cache, for the daemon's metrics endpoint.
// Declared once in an X-macro (aesthetics.md item 19, Envoy ALL_*_STATS style) so the endpoint
// can enumerate them; names are closed sets, never hostnames or key ids (ecosystem.md §2.2: no
// high-cardinality labels). Relaxed atomics: each counter is independent and only ever read for
// exposition, so no ordering between them is needed.
#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>

namespace wbad::fetch {

// X(name, help). Fetch outcomes: every fetch attempt that completes increments exactly one
// fetch_* counter (fetch_overloaded: one that was never started). Cache events: a lookup
// answered from the cache counts as cache_fresh_hit, cache_stale_hit, cache_stale_if_error,
// cache_negative_hit or cache_not_found; one that waits for a fetch as cache_miss (it started
// the fetch) or cache_coalesced (it joined one), plus cache_stale_if_error when that fetch
// failed and a stale key answered it. cache_refresh, cache_unknown_keyid_refresh and
// cache_evicted count events, not lookups.
#define WBAD_FETCH_COUNTERS(X)                                                                \
  X(fetch_ok, "directory fetched: 200, valid, signatures (if any) verified")                  \
  X(fetch_not_modified, "revalidation answered 304 Not Modified")                             \
  X(fetch_refused, "refused by the outbound policy: scheme, port, allow/deny list, address")  \
  X(fetch_network_error, "DNS resolution, TCP connect or I/O failed")                         \
  X(fetch_tls_error, "TLS handshake or certificate verification failed")                      \
  X(fetch_timeout, "connect, read or total timeout expired")                                  \
  X(fetch_http_status, "status other than 200 (including every redirect: never followed)")    \
  X(fetch_too_large, "response headers or body over the configured limits")                   \
  X(fetch_invalid, "malformed HTTP, wrong media type, not a JWK Set, too many keys")          \
  X(fetch_signature_invalid, "the directory's signatures fail, or are missing when required") \
  X(fetch_overloaded, "not attempted: the concurrent-fetch cap was reached")                  \
  X(cache_fresh_hit, "key served from a fresh cached directory")                              \
  X(cache_stale_hit, "key served from a stale directory within stale-while-revalidate")       \
  X(cache_stale_if_error, "key served from a stale directory after a failed refresh (SIE)")   \
  X(cache_miss, "no cached directory: the lookup waited for a fetch")                         \
  X(cache_coalesced, "the lookup joined a fetch already in flight (single-flight)")           \
  X(cache_negative_hit, "answered from a cached failure without fetching")                    \
  X(cache_not_found, "key absent from a fresh cached directory, refresh rate-limited")        \
  X(cache_refresh, "revalidation of a stale directory started")                               \
  X(cache_unknown_keyid_refresh, "refresh forced by a keyid absent from a fresh directory")   \
  X(cache_evicted, "entry dropped to keep the cache within max_entries")                      \
  X(static_hit, "key served from statically trusted keys (--trust)")                          \
  X(static_not_found, "trusted directory matched but holds no such key")

struct FetchMetrics {
#define WBAD_DECLARE_COUNTER(name, help) std::atomic<std::uint64_t> name{0};
  WBAD_FETCH_COUNTERS(WBAD_DECLARE_COUNTER)
#undef WBAD_DECLARE_COUNTER
  // Gauge: directories currently cached (with keys or with a cached failure).
  std::atomic<std::uint64_t> cache_entries{0};

  // Calls f(name, help, value) for every counter, in declaration order.
  template <class F>
  void for_each_counter(F&& f) const {
#define WBAD_VISIT_COUNTER(name, help) \
  f(std::string_view(#name), std::string_view(help), name.load(std::memory_order_relaxed));
    WBAD_FETCH_COUNTERS(WBAD_VISIT_COUNTER)
#undef WBAD_VISIT_COUNTER
  }
};

inline void bump(std::atomic<std::uint64_t>& counter) noexcept {
  counter.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace wbad::fetch
