// HTTP caching arithmetic: Cache-Control parsing, HTTP dates, freshness with bounds, RFC 5861
// extensions and Retry-After.
#include "fetch/http_cache.h"

#include <gtest/gtest.h>

namespace wbad::fetch {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

wba::http::Fields fields(std::vector<std::pair<std::string, std::string>> lines) {
  wba::http::Fields f;
  for (auto& [n, v] : lines) f.add(n, v);
  return f;
}

// 2026-11-23T12:00:00Z
const system_clock::time_point kNow{seconds(1795435200)};

TEST(CacheControl, Directives) {
  auto cc = parse_cache_control(
      fields({{"Cache-Control", "public, Max-Age=600, stale-while-revalidate=30"},
              {"cache-control", "stale-if-error=\"86400\", no-transform"}}));
  EXPECT_EQ(cc.max_age, seconds(600));
  EXPECT_EQ(cc.stale_while_revalidate, seconds(30));
  EXPECT_EQ(cc.stale_if_error, seconds(86400));
  EXPECT_FALSE(cc.s_maxage);
  EXPECT_FALSE(cc.no_store);
  EXPECT_FALSE(cc.no_cache);
}

TEST(CacheControl, EdgeCases) {
  // Duplicates keep the smallest value; a bad max-age means stale; bad stale-* are ignored.
  auto dup = parse_cache_control(fields({{"Cache-Control", "max-age=600, max-age=60"}}));
  EXPECT_EQ(dup.max_age, seconds(60));
  auto bad = parse_cache_control(fields({{"Cache-Control", "max-age=abc, stale-if-error=x"}}));
  EXPECT_EQ(bad.max_age, seconds(0));
  EXPECT_FALSE(bad.stale_if_error);
  auto big = parse_cache_control(fields({{"Cache-Control", "max-age=99999999999999999999"}}));
  EXPECT_EQ(big.max_age, seconds(std::int64_t{1} << 31));
  auto flags = parse_cache_control(fields({{"Cache-Control", "no-store,no-cache"}}));
  EXPECT_TRUE(flags.no_store);
  EXPECT_TRUE(flags.no_cache);
  // no-cache with field names only restricts those fields.
  auto named = parse_cache_control(fields({{"Cache-Control", "no-cache=\"set-cookie\""}}));
  EXPECT_FALSE(named.no_cache);
  auto quoted = parse_cache_control(
      fields({{"Cache-Control", "private=\"a, b\", s-maxage=10 , max-age = 20"}}));
  EXPECT_EQ(quoted.s_maxage, seconds(10));
  EXPECT_EQ(quoted.max_age, seconds(20));
  EXPECT_FALSE(parse_cache_control(fields({})).max_age);
  auto empty = parse_cache_control(fields({{"Cache-Control", ", ,"}}));
  EXPECT_FALSE(empty.max_age);
}

TEST(HttpDate, ThreeForms) {
  const system_clock::time_point expected{seconds(784111777)};  // 1994-11-06T08:49:37Z
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), expected);
  EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), expected);
  EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994"), expected);
  EXPECT_EQ(parse_http_date("Mon, 23 Nov 2026 12:00:00 GMT"), kNow);
  EXPECT_EQ(parse_http_date("Thu, 29 Feb 2024 00:00:00 GMT"),
            system_clock::time_point(seconds(1709164800)));
  for (const char* bad :
       {"", "0", "-1", "Sun, 06 Nov 1994 08:49:37 PST", "Sun, 6 Nov 1994 08:49:37 GMT",
        "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT", "yesterday"}) {
    EXPECT_FALSE(parse_http_date(bad)) << bad;
  }
}

TEST(Freshness, MaxAgeWithinBounds) {
  FreshnessPolicy p;  // min 60, max 86400, default 3600
  EXPECT_EQ(compute_freshness(fields({{"Cache-Control", "max-age=600"}}), kNow, p).fresh_for,
            seconds(600));
  EXPECT_EQ(compute_freshness(fields({{"Cache-Control", "max-age=5"}}), kNow, p).fresh_for,
            seconds(60));
  EXPECT_EQ(compute_freshness(fields({{"Cache-Control", "max-age=31536000"}}), kNow, p).fresh_for,
            seconds(86400));
  EXPECT_EQ(compute_freshness(fields({}), kNow, p).fresh_for, seconds(3600));
  EXPECT_EQ(compute_freshness(fields({{"Cache-Control", "no-store"}}), kNow, p).fresh_for,
            seconds(60));
  EXPECT_EQ(
      compute_freshness(fields({{"Cache-Control", "no-cache, max-age=600"}}), kNow, p).fresh_for,
      seconds(60));
  // s-maxage wins for a shared cache.
  EXPECT_EQ(compute_freshness(fields({{"Cache-Control", "max-age=100, s-maxage=900"}}), kNow, p)
                .fresh_for,
            seconds(900));
}

TEST(Freshness, AgeDateAndExpires) {
  FreshnessPolicy p;
  // Age is subtracted.
  EXPECT_EQ(compute_freshness(fields({{"Cache-Control", "max-age=600"}, {"Age", "100"}}), kNow, p)
                .fresh_for,
            seconds(500));
  // Apparent age from Date (the response sat 200 s in some cache without an Age field).
  EXPECT_EQ(compute_freshness(fields({{"Cache-Control", "max-age=600"},
                                      {"Date", "Mon, 23 Nov 2026 11:56:40 GMT"}}),
                              kNow, p)
                .fresh_for,
            seconds(400));
  // Expires − Date.
  EXPECT_EQ(compute_freshness(fields({{"Date", "Mon, 23 Nov 2026 12:00:00 GMT"},
                                      {"Expires", "Mon, 23 Nov 2026 12:30:00 GMT"}}),
                              kNow, p)
                .fresh_for,
            seconds(1800));
  // An invalid Expires means already expired → the floor.
  EXPECT_EQ(compute_freshness(fields({{"Expires", "0"}}), kNow, p).fresh_for, seconds(60));
  // max-age beats Expires.
  EXPECT_EQ(compute_freshness(fields({{"Cache-Control", "max-age=120"},
                                      {"Expires", "Mon, 23 Nov 2026 13:00:00 GMT"}}),
                              kNow, p)
                .fresh_for,
            seconds(120));
}

TEST(Freshness, StaleExtensions) {
  FreshnessPolicy p;  // SWR cap 3600, SIE default 86400, SIE cap 604800
  auto f = compute_freshness(
      fields({{"Cache-Control", "max-age=60, stale-while-revalidate=120, stale-if-error=600"}}),
      kNow, p);
  EXPECT_EQ(f.stale_while_revalidate, seconds(120));
  EXPECT_EQ(f.stale_if_error, seconds(600));
  auto dflt = compute_freshness(fields({{"Cache-Control", "max-age=60"}}), kNow, p);
  EXPECT_EQ(dflt.stale_while_revalidate, seconds(0));
  EXPECT_EQ(dflt.stale_if_error, seconds(86400));
  auto capped = compute_freshness(
      fields({{"Cache-Control", "stale-while-revalidate=999999, stale-if-error=99999999"}}), kNow,
      p);
  EXPECT_EQ(capped.stale_while_revalidate, seconds(3600));
  EXPECT_EQ(capped.stale_if_error, seconds(604800));
}

TEST(RetryAfter, SecondsAndDate) {
  EXPECT_EQ(parse_retry_after(fields({{"Retry-After", "120"}}), kNow), seconds(120));
  EXPECT_EQ(parse_retry_after(fields({{"Retry-After", "Mon, 23 Nov 2026 12:05:00 GMT"}}), kNow),
            seconds(300));
  EXPECT_EQ(parse_retry_after(fields({{"Retry-After", "Mon, 23 Nov 2026 11:00:00 GMT"}}), kNow),
            seconds(0));
  EXPECT_FALSE(parse_retry_after(fields({{"Retry-After", "soon"}}), kNow));
  EXPECT_FALSE(parse_retry_after(fields({}), kNow));
}

}  // namespace
}  // namespace wbad::fetch
