// HTTP caching arithmetic for key directories: RFC 9111 freshness (Cache-Control max-age /
// s-maxage, Expires − Date, Age), RFC 5861 stale-while-revalidate / stale-if-error, and
// Retry-After (RFC 9110 §10.2.3). Pure functions of the response headers and a clock, so the
// cache logic can be tested without a network (DIGEST §4.8; ecosystem.md §3.2 "Cache").
//
// Defaults of FreshnessPolicy (documented for docs/CONFIG.md):
//   min_ttl                    60 s   floor on the freshness lifetime: no-store, no-cache,
//                                     max-age=0 or an expired response still cache this long,
//                                     so a hostile directory cannot make us fetch per request
//                                     (§6.7 "don't fetch per request")
//   max_ttl                 86400 s   ceiling (24 h): key removal takes effect at the next
//                                     refresh (§5.5.2), so it must come at least daily
//   default_ttl              3600 s   when the response says nothing about freshness
//   max_stale_while_revalidate 3600 s cap on a response's stale-while-revalidate (absent → 0)
//   default_stale_if_error  86400 s   when the response has no stale-if-error: a failed refresh
//                                     is not evidence and must not revoke keys (§6.10), so keys
//                                     keep working through a day-long outage by default
//   max_stale_if_error     604800 s   cap on a response's stale-if-error (7 days)
// `must-revalidate` is deliberately not honoured: §6.10 keeps cached keys through an outage.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "wba/http/fields.h"

namespace wbad::fetch {

using Seconds = std::chrono::seconds;

struct CacheDirectives {
  std::optional<Seconds> max_age;
  std::optional<Seconds> s_maxage;
  std::optional<Seconds> stale_while_revalidate;
  std::optional<Seconds> stale_if_error;
  bool no_store = false;
  bool no_cache = false;
};

// Every Cache-Control line, directives case-insensitive, arguments as tokens or quoted strings.
// A repeated directive keeps its smallest value (RFC 9111 §4.2.1: conflicting duplicates make
// the response stale; the smallest value is the conservative reading). A max-age/s-maxage
// whose argument is not delta-seconds counts as 0 (stale); a bad stale-* argument is ignored.
// Values above 2^31 s are clamped there (RFC 9111 §1.2.2).
CacheDirectives parse_cache_control(const wba::http::Fields& headers);

// An HTTP-date (RFC 9110 §5.6.7): IMF-fixdate, and the obsolete RFC 850 and asctime forms
// recipients must accept. nullopt when it is none of them.
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text);

struct FreshnessPolicy {
  Seconds min_ttl{60};
  Seconds max_ttl{86400};
  Seconds default_ttl{3600};
  Seconds max_stale_while_revalidate{3600};
  Seconds default_stale_if_error{86400};
  Seconds max_stale_if_error{604800};
};

struct Freshness {
  Seconds fresh_for{0};               // from the response time, clamped to [min_ttl, max_ttl]
  Seconds stale_while_revalidate{0};  // after fresh_for
  Seconds stale_if_error{0};          // after fresh_for
};

// Freshness of a response received at `response_time` (our wall clock): lifetime from
// s-maxage (we are a shared cache: one directory serves every request), else max-age, else
// Expires − Date (Date absent: our receipt time; an unparsable Expires is already expired,
// RFC 9111 §5.3), else default_ttl; no-store/no-cache make it 0. Minus the current age
// (max(Age, response_time − Date), RFC 9111 §4.2.3), then clamped.
Freshness compute_freshness(const wba::http::Fields& headers,
                            std::chrono::system_clock::time_point response_time,
                            const FreshnessPolicy& policy);

// Retry-After as a delay from `now` (delta-seconds or HTTP-date); nullopt when absent/invalid.
std::optional<Seconds> parse_retry_after(const wba::http::Fields& headers,
                                         std::chrono::system_clock::time_point now);

}  // namespace wbad::fetch
