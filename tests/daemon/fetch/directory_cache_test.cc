// DirectoryKeySource semantics against a scripted transport and a manual clock: freshness
// bounds, stale-while-revalidate, stale-if-error, ETag/Last-Modified revalidation, negative
// caching, single-flight, the unknown-keyid refresh limit, failure keeps / success replaces,
// and the reasons a bad directory yields. No sleeping: time only moves when a test says so.
#include "keys/directory_key_source.h"

#include <thread>

#include <gtest/gtest.h>

#include "fetch_test_util.h"
#include "wba/encoding/base64.h"

namespace wbad {
namespace {

using fetch::FetchError;
using std::chrono::seconds;
using testing::Answers;
using testing::directory_result;
using testing::error_result;
using testing::FakeTransport;
using testing::ManualClock;
using testing::new_key;
using testing::query_for;
using testing::status_result;
using wba::Reason;

const std::string kAgent = "https://agent.example";
const std::string kDirectory =
    "https://agent.example/.well-known/http-message-signatures-directory";

class DirectoryCache : public ::testing::Test {
 protected:
  void SetUp() override {
    key_a_ = new_key();
    key_b_ = new_key();
    transport_ = std::make_shared<FakeTransport>();
  }

  std::shared_ptr<const fetch::OutboundPolicy> policy(fetch::OutboundConfig c = {}) {
    return std::make_shared<const fetch::OutboundPolicy>(fetch::OutboundPolicy::make(c).value());
  }

  std::unique_ptr<DirectoryKeySource> make_source(DirectoryKeySourceConfig config = {},
                                                  fetch::OutboundConfig outbound = {}) {
    return std::make_unique<DirectoryKeySource>(transport_, policy(outbound), config,
                                                clock_.clock());
  }

  // One lookup answered inline (the fake answers inline unless holding).
  wba::Result<wba::VerifyingKey> lookup(DirectoryKeySource& src, const wba::SigningKey& key,
                                        const std::string& agent = kAgent) {
    Answers answers;
    src.find_key(query_for(agent, key.thumbprint()), answers.callback());
    EXPECT_EQ(answers.size(), 1u) << "lookup did not complete inline";
    if (answers.size() != 1) return wba::Error(Reason::invalid_argument, "no answer");
    return answers.at(0);
  }

  void expect_key(const wba::Result<wba::VerifyingKey>& r, const wba::SigningKey& key) {
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_EQ(r->thumbprint(), key.thumbprint());
  }

  void serve(std::vector<wba::SigningKey> keys,
             std::vector<std::pair<std::string, std::string>> fields = {}) {
    transport_->respond_with(
        [keys, fields](const fetch::FetchRequest&) { return directory_result(keys, fields); });
  }

  void serve_result(fetch::FetchResult r) {
    transport_->respond_with([r](const fetch::FetchRequest&) { return r; });
  }

  ManualClock clock_;
  std::shared_ptr<FakeTransport> transport_;
  wba::SigningKey key_a_ = new_key();
  wba::SigningKey key_b_ = new_key();
};

// -- basics ---------------------------------------------------------------------------------------

TEST_F(DirectoryCache, MissFetchesOnceThenServesFresh) {
  auto src = make_source();
  serve({key_a_, key_b_}, {{"Cache-Control", "max-age=600"}});
  expect_key(lookup(*src, key_a_), key_a_);
  EXPECT_EQ(transport_->count(), 1u);
  EXPECT_EQ(transport_->last_request().url, kDirectory);
  expect_key(lookup(*src, key_b_), key_b_);
  expect_key(lookup(*src, key_a_), key_a_);
  EXPECT_EQ(transport_->count(), 1u);
  EXPECT_EQ(src->metrics().cache_miss, 1u);
  EXPECT_EQ(src->metrics().cache_fresh_hit, 2u);
  EXPECT_EQ(src->metrics().fetch_ok, 1u);
  EXPECT_EQ(src->metrics().cache_entries, 1u);
  EXPECT_EQ(src->size(), 1u);
}

TEST_F(DirectoryCache, KeyIsBoundToItsDirectory) {
  // A key learnt from agent A never answers for agent B (§5.4: (URL, key) pairs).
  auto src = make_source();
  transport_->respond_with([&](const fetch::FetchRequest& req) {
    if (req.url.find("agent.example") != std::string::npos) return directory_result({key_a_});
    return directory_result({key_b_});
  });
  expect_key(lookup(*src, key_a_), key_a_);
  auto other = lookup(*src, key_a_, "https://other.example");
  EXPECT_EQ(other.reason(), Reason::key_not_found);
  EXPECT_EQ(transport_->count(), 2u);
}

TEST_F(DirectoryCache, NoAgentIsKeyNotFound) {
  auto src = make_source();
  Answers answers;
  src->find_key(wba::profile::KeyQuery{"sig1", key_a_.thumbprint(), std::nullopt},
                answers.callback());
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers.at(0).reason(), Reason::key_not_found);
  EXPECT_EQ(transport_->count(), 0u);
}

// -- freshness bounds
// ------------------------------------------------------------------------------

TEST_F(DirectoryCache, MaxAgeHonoured) {
  auto src = make_source();
  serve({key_a_}, {{"Cache-Control", "max-age=600"}});
  expect_key(lookup(*src, key_a_), key_a_);
  clock_.advance(seconds(599));
  expect_key(lookup(*src, key_a_), key_a_);
  EXPECT_EQ(transport_->count(), 1u);
  clock_.advance(seconds(2));
  expect_key(lookup(*src, key_a_), key_a_);
  EXPECT_EQ(transport_->count(), 2u);
}

TEST_F(DirectoryCache, MaxAgeBelowMinimumIsRaised) {
  auto src = make_source();  // min_ttl 60 s
  serve({key_a_}, {{"Cache-Control", "max-age=1"}});
  expect_key(lookup(*src, key_a_), key_a_);
  clock_.advance(seconds(59));
  expect_key(lookup(*src, key_a_), key_a_);
  EXPECT_EQ(transport_->count(), 1u);
  clock_.advance(seconds(2));
  expect_key(lookup(*src, key_a_), key_a_);
  EXPECT_EQ(transport_->count(), 2u);
}

TEST_F(DirectoryCache, NoStoreStillCachedForTheMinimum) {
  // Never a fetch per request, whatever the directory says (§6.7).
  DirectoryKeySourceConfig config;
  config.cache.freshness.min_ttl = seconds(30);
  auto src = make_source(config);
  serve({key_a_}, {{"Cache-Control", "no-store"}});
  for (int i = 0; i < 10; ++i) expect_key(lookup(*src, key_a_), key_a_);
  EXPECT_EQ(transport_->count(), 1u);
  clock_.advance(seconds(31));
  expect_key(lookup(*src, key_a_), key_a_);
  EXPECT_EQ(transport_->count(), 2u);
}

TEST_F(DirectoryCache, MaxAgeAboveMaximumIsLowered) {
  DirectoryKeySourceConfig config;
  config.cache.freshness.max_ttl = seconds(3600);
  auto src = make_source(config);
  serve({key_a_}, {{"Cache-Control", "max-age=31536000"}});
  expect_key(lookup(*src, key_a_), key_a_);
  clock_.advance(seconds(3599));
  expect_key(lookup(*src, key_a_), key_a_);
  EXPECT_EQ(transport_->count(), 1u);
  clock_.advance(seconds(2));
  expect_key(lookup(*src, key_a_), key_a_);
  EXPECT_EQ(transport_->count(), 2u);
}

TEST_F(DirectoryCache, DefaultTtlWithoutCacheHeaders) {
  auto src = make_source();  // default_ttl 3600 s
  serve({key_a_});
  expect_key(lookup(*src, key_a_), key_a_);
  clock_.advance(seconds(3599));
  expect_key(lookup(*src, key_a_), key_a_);
  EXPECT_EQ(transport_->count(), 1u);
  clock_.advance(seconds(2));
  expect_key(lookup(*src, key_a_), key_a_);
  EXPECT_EQ(transport_->count(), 2u);
}

// -- RFC 5861
// ----------------------------------------------------------------------------------------

TEST_F(DirectoryCache, StaleWhileRevalidateServesStaleAndRefreshesOnce) {
  auto src = make_source();
  serve({key_a_}, {{"Cache-Control", "max-age=60, stale-while-revalidate=600"}});
  expect_key(lookup(*src, key_a_), key_a_);
  clock_.advance(seconds(120));  // stale, inside SWR
  transport_->hold();
  for (int i = 0; i < 5; ++i) expect_key(lookup(*src, key_a_), key_a_);  // answered at once
  EXPECT_EQ(transport_->count(), 2u);  // one background refresh, not five
  EXPECT_EQ(transport_->held(), 1u);
  EXPECT_EQ(src->metrics().cache_stale_hit, 5u);
  EXPECT_EQ(src->metrics().cache_refresh, 1u);
  transport_->complete_held(directory_result({key_a_}, {{"Cache-Control", "max-age=600"}}));
  expect_key(lookup(*src, key_a_), key_a_);
  EXPECT_EQ(src->metrics().cache_fresh_hit, 1u);
  EXPECT_EQ(transport_->count(), 2u);
}

TEST_F(DirectoryCache, BeyondStaleWhileRevalidateTheLookupWaits) {
  auto src = make_source();
  serve({key_a_}, {{"Cache-Control", "max-age=60, stale-while-revalidate=60"}});
  expect_key(lookup(*src, key_a_), key_a_);
  clock_.advance(seconds(200));
  transport_->hold();
  Answers answers;
  src->find_key(query_for(kAgent, key_a_.thumbprint()), answers.callback());
  EXPECT_EQ(answers.size(), 0u);
  transport_->complete_held(directory_result({key_a_}));
  ASSERT_EQ(answers.size(), 1u);
  expect_key(answers.at(0), key_a_);
}

TEST_F(DirectoryCache, StaleIfErrorServesCachedKeysThroughAnOutage) {
  auto src = make_source();
  serve({key_a_}, {{"Cache-Control", "max-age=60, stale-if-error=600"}});
  expect_key(lookup(*src, key_a_), key_a_);
  clock_.advance(seconds(120));
  serve_result(status_result(500));
  expect_key(lookup(*src, key_a_), key_a_);  // refresh failed, stale key served
  EXPECT_EQ(transport_->count(), 2u);
  EXPECT_EQ(src->metrics().cache_stale_if_error, 1u);
  EXPECT_EQ(src->metrics().fetch_http_status, 1u);
  // Within the negative TTL: no new fetch, still served.
  clock_.advance(seconds(10));
  expect_key(lookup(*src, key_a_), key_a_);
  EXPECT_EQ(transport_->count(), 2u);
  // Beyond max-age + stale-if-error (60 + 600): the outage now shows.
  clock_.advance(seconds(600));
  auto r = lookup(*src, key_a_);
  EXPECT_EQ(r.reason(), Reason::directory_unavailable);
  EXPECT_EQ(transport_->count(), 3u);
}

TEST_F(DirectoryCache, DefaultStaleIfErrorIsADay) {
  auto src = make_source();
  serve({key_a_}, {{"Cache-Control", "max-age=60"}});
  expect_key(lookup(*src, key_a_), key_a_);
  serve_result(error_result(FetchError::connect_failed));
  clock_.advance(seconds(20 * 3600));
  expect_key(lookup(*src, key_a_), key_a_);
  clock_.advance(seconds(5 * 3600));
  EXPECT_EQ(lookup(*src, key_a_).reason(), Reason::directory_unavailable);
}

// -- revalidation
// ------------------------------------------------------------------------------------

TEST_F(DirectoryCache, EtagRevalidationWith304) {
  auto src = make_source();
  serve({key_a_}, {{"Cache-Control", "max-age=60"}, {"ETag", "\"v1\""}});
  expect_key(lookup(*src, key_a_), key_a_);
  clock_.advance(seconds(61));
  fetch::FetchRequest seen;
  transport_->respond_with([&](const fetch::FetchRequest& req) {
    seen = req;
    return status_result(304, {{"Cache-Control", "max-age=600"}, {"ETag", "\"v1\""}});
  });
  expect_key(lookup(*src, key_a_), key_a_);
  auto inm = seen.headers.values("if-none-match");
  ASSERT_EQ(inm.size(), 1u);
  EXPECT_EQ(inm[0], "\"v1\"");
  EXPECT_EQ(src->metrics().fetch_not_modified, 1u);
  // The 304's max-age renewed freshness: no fetch for another 600 s.
  clock_.advance(seconds(599));
  expect_key(lookup(*src, key_a_), key_a_);
  EXPECT_EQ(transport_->count(), 2u);
  clock_.advance(seconds(2));
  expect_key(lookup(*src, key_a_), key_a_);
  EXPECT_EQ(transport_->count(), 3u);
}

TEST_F(DirectoryCache, NotModifiedWithoutCacheControlKeepsTheOriginalLifetime) {
  auto src = make_source();
  serve({key_a_},
        {{"Cache-Control", "max-age=300"}, {"Last-Modified", "Mon, 23 Nov 2026 10:00:00 GMT"}});
  expect_key(lookup(*src, key_a_), key_a_);
  clock_.advance(seconds(301));
  fetch::FetchRequest seen;
  transport_->respond_with([&](const fetch::FetchRequest& req) {
    seen = req;
    return status_result(304);
  });
  expect_key(lookup(*src, key_a_), key_a_);
  auto ims = seen.headers.values("if-modified-since");
  ASSERT_EQ(ims.size(), 1u);
  EXPECT_EQ(ims[0], "Mon, 23 Nov 2026 10:00:00 GMT");
  EXPECT_TRUE(seen.headers.values("if-none-match").empty());
  clock_.advance(seconds(299));
  expect_key(lookup(*src, key_a_), key_a_);
  EXPECT_EQ(transport_->count(), 2u);
}

TEST_F(DirectoryCache, NotModifiedWithNothingCachedIsAFailure) {
  auto src = make_source();
  serve_result(status_result(304));
  EXPECT_EQ(lookup(*src, key_a_).reason(), Reason::directory_unavailable);
}

// -- failure keeps, success replaces
// ------------------------------------------------------------------

TEST_F(DirectoryCache, FailedFetchDoesNotEvictTheEntry) {
  auto src = make_source();
  serve({key_a_}, {{"Cache-Control", "max-age=60, stale-if-error=60"}, {"ETag", "\"v1\""}});
  expect_key(lookup(*src, key_a_), key_a_);
  // Long outage: beyond stale-if-error the key is no longer served…
  clock_.advance(seconds(1000));
  serve_result(error_result(FetchError::timeout));
  EXPECT_EQ(lookup(*src, key_a_).reason(), Reason::directory_unavailable);
  EXPECT_EQ(src->size(), 1u);
  // …but the directory was kept: once the server is back, a 304 revalidates it.
  clock_.advance(seconds(301));
  fetch::FetchRequest seen;
  transport_->respond_with([&](const fetch::FetchRequest& req) {
    seen = req;
    return status_result(304, {{"Cache-Control", "max-age=60"}});
  });
  expect_key(lookup(*src, key_a_), key_a_);
  EXPECT_EQ(seen.headers.values("if-none-match").size(), 1u);
}

TEST_F(DirectoryCache, InvalidRefreshDoesNotReplaceTheEntry) {
  // A malformed or wrongly signed refresh is a failure, not evidence: the old keys stay.
  auto src = make_source();
  serve({key_a_}, {{"Cache-Control", "max-age=60"}});
  expect_key(lookup(*src, key_a_), key_a_);
  clock_.advance(seconds(61));
  fetch::FetchResult junk = directory_result({key_a_});
  junk.body = "{not json";
  serve_result(junk);
  expect_key(lookup(*src, key_a_), key_a_);
  EXPECT_EQ(src->metrics().fetch_invalid, 1u);
  EXPECT_EQ(src->metrics().cache_stale_if_error, 1u);
}

TEST_F(DirectoryCache, SuccessWithoutTheKeyReplacesTheEntry) {
  // §6.10: a fetched directory that lacks a key is evidence (how removal works).
  auto src = make_source();
  serve({key_a_, key_b_}, {{"Cache-Control", "max-age=60, stale-if-error=86400"}});
  expect_key(lookup(*src, key_b_), key_b_);
  clock_.advance(seconds(61));
  serve({key_a_}, {{"Cache-Control", "max-age=60"}});
  auto removed = lookup(*src, key_b_);
  EXPECT_EQ(removed.reason(), Reason::key_not_found);
  expect_key(lookup(*src, key_a_), key_a_);
  EXPECT_EQ(transport_->count(), 2u);
}

// -- negative caching
// ------------------------------------------------------------------------------

TEST_F(DirectoryCache, FailuresAreNegativelyCachedWithBackoff) {
  auto src = make_source();  // negative_ttl 30 s, doubling, max 300 s
  serve_result(status_result(500));
  EXPECT_EQ(lookup(*src, key_a_).reason(), Reason::directory_unavailable);
  EXPECT_EQ(transport_->count(), 1u);
  clock_.advance(seconds(29));
  EXPECT_EQ(lookup(*src, key_a_).reason(), Reason::directory_unavailable);
  EXPECT_EQ(transport_->count(), 1u);
  EXPECT_EQ(src->metrics().cache_negative_hit, 1u);
  clock_.advance(seconds(2));
  EXPECT_EQ(lookup(*src, key_a_).reason(), Reason::directory_unavailable);
  EXPECT_EQ(transport_->count(), 2u);
  // Second consecutive failure: 60 s.
  clock_.advance(seconds(59));
  EXPECT_EQ(lookup(*src, key_a_).reason(), Reason::directory_unavailable);
  EXPECT_EQ(transport_->count(), 2u);
  clock_.advance(seconds(2));
  EXPECT_EQ(lookup(*src, key_a_).reason(), Reason::directory_unavailable);
  EXPECT_EQ(transport_->count(), 3u);
  // A success resets everything.
  clock_.advance(seconds(121));
  serve({key_a_});
  expect_key(lookup(*src, key_a_), key_a_);
  EXPECT_EQ(transport_->count(), 4u);
}

TEST_F(DirectoryCache, NegativeCachingNeverExceedsFiveMinutes) {
  DirectoryKeySourceConfig config;
  config.cache.negative_ttl = seconds(3600);      // asks for an hour…
  config.cache.max_negative_ttl = seconds(7200);  // …clamped to the draft's 5 minutes
  auto src = make_source(config);
  serve_result(status_result(503, {{"Retry-After", "100000"}}));
  EXPECT_EQ(lookup(*src, key_a_).reason(), Reason::directory_unavailable);
  EXPECT_EQ(transport_->count(), 1u);
  clock_.advance(seconds(299));
  EXPECT_EQ(lookup(*src, key_a_).reason(), Reason::directory_unavailable);
  EXPECT_EQ(transport_->count(), 1u);
  clock_.advance(seconds(2));
  EXPECT_EQ(lookup(*src, key_a_).reason(), Reason::directory_unavailable);
  EXPECT_EQ(transport_->count(), 2u);
}

TEST_F(DirectoryCache, RetryAfterExtendsTheNegativeTtl) {
  auto src = make_source();
  serve_result(status_result(429, {{"Retry-After", "120"}}));
  EXPECT_EQ(lookup(*src, key_a_).reason(), Reason::directory_unavailable);
  clock_.advance(seconds(119));
  EXPECT_EQ(lookup(*src, key_a_).reason(), Reason::directory_unavailable);
  EXPECT_EQ(transport_->count(), 1u);
  clock_.advance(seconds(2));
  EXPECT_EQ(lookup(*src, key_a_).reason(), Reason::directory_unavailable);
  EXPECT_EQ(transport_->count(), 2u);
}

// -- single-flight
// ---------------------------------------------------------------------------------

TEST_F(DirectoryCache, SingleFlightManyLookupsOneFetch) {
  auto src = make_source();
  transport_->hold();
  Answers answers;
  constexpr int kLookups = 50;
  for (int i = 0; i < kLookups; ++i) {
    src->find_key(query_for(kAgent, (i % 2 ? key_a_ : key_b_).thumbprint()), answers.callback());
  }
  EXPECT_EQ(transport_->count(), 1u);
  EXPECT_EQ(answers.size(), 0u);
  EXPECT_EQ(src->metrics().cache_miss, 1u);
  EXPECT_EQ(src->metrics().cache_coalesced, kLookups - 1u);
  transport_->complete_held(directory_result({key_a_, key_b_}));
  ASSERT_EQ(answers.size(), static_cast<std::size_t>(kLookups));
  for (int i = 0; i < kLookups; ++i) EXPECT_TRUE(answers.at(i).ok()) << i;
  EXPECT_EQ(transport_->count(), 1u);
}

TEST_F(DirectoryCache, SingleFlightAcrossThreads) {
  auto src = make_source();
  transport_->hold();
  Answers answers;
  constexpr int kThreads = 8, kPerThread = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        src->find_key(query_for(kAgent, key_a_.thumbprint()), answers.callback());
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(transport_->count(), 1u);
  transport_->complete_held(directory_result({key_a_}));
  ASSERT_TRUE(answers.wait_for(kThreads * kPerThread));
  for (std::size_t i = 0; i < kThreads * kPerThread; ++i) EXPECT_TRUE(answers.at(i).ok());
}

TEST_F(DirectoryCache, SingleFlightFailureReachesEveryWaiter) {
  auto src = make_source();
  transport_->hold();
  Answers answers;
  for (int i = 0; i < 10; ++i) {
    src->find_key(query_for(kAgent, key_a_.thumbprint()), answers.callback());
  }
  transport_->complete_held(error_result(FetchError::timeout, "timed out"));
  ASSERT_EQ(answers.size(), 10u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(answers.at(i).reason(), Reason::directory_unavailable);
  EXPECT_EQ(src->metrics().fetch_timeout, 1u);
}

TEST_F(DirectoryCache, OneSlowDirectoryDoesNotBlockAnother) {
  auto src = make_source();
  transport_->hold();
  Answers slow;
  src->find_key(query_for("https://slow.example", key_a_.thumbprint()), slow.callback());
  serve({key_b_});
  expect_key(lookup(*src, key_b_), key_b_);
  EXPECT_EQ(slow.size(), 0u);
  transport_->complete_held(error_result(FetchError::timeout));
  ASSERT_EQ(slow.size(), 1u);
  EXPECT_EQ(slow.at(0).reason(), Reason::directory_unavailable);
}

// -- unknown keyid
// ---------------------------------------------------------------------------------

TEST_F(DirectoryCache, UnknownKeyidRefreshIsRateLimited) {
  auto src = make_source();  // unknown_keyid_refresh_interval 60 s
  serve({key_a_}, {{"Cache-Control", "max-age=3600"}});
  expect_key(lookup(*src, key_a_), key_a_);
  clock_.advance(seconds(10));
  EXPECT_EQ(lookup(*src, key_b_).reason(), Reason::key_not_found);  // just fetched: no refresh
  EXPECT_EQ(transport_->count(), 1u);
  EXPECT_EQ(src->metrics().cache_not_found, 1u);
  clock_.advance(seconds(51));
  serve({key_a_, key_b_}, {{"Cache-Control", "max-age=3600"}});  // key_b_ published
  expect_key(lookup(*src, key_b_), key_b_);
  EXPECT_EQ(transport_->count(), 2u);
  EXPECT_EQ(src->metrics().cache_unknown_keyid_refresh, 1u);
  // A flood of random keyids costs at most one fetch per interval.
  for (int i = 0; i < 20; ++i) {
    clock_.advance(seconds(1));
    EXPECT_EQ(lookup(*src, new_key()).reason(), Reason::key_not_found);
  }
  EXPECT_EQ(transport_->count(), 2u);
  clock_.advance(seconds(41));
  EXPECT_EQ(lookup(*src, new_key()).reason(), Reason::key_not_found);
  EXPECT_EQ(transport_->count(), 3u);
}

// -- what a bad directory yields
// ---------------------------------------------------------------------

TEST_F(DirectoryCache, ReasonsForBadDirectories) {
  struct Case {
    const char* name;
    fetch::FetchResult result;
    Reason reason;
  };
  auto wrong_type = directory_result({key_a_});
  wrong_type.headers.set("Content-Type", "text/html");
  auto no_type = directory_result({key_a_});
  no_type.headers.erase("Content-Type");
  auto bad_json = directory_result({key_a_});
  bad_json.body = "{\"keys\": [";
  auto not_jwks = directory_result({key_a_});
  not_jwks.body = "[1,2,3]";
  std::vector<wba::SigningKey> many;
  for (int i = 0; i < 33; ++i) many.push_back(new_key());
  auto too_many = directory_result(many);
  auto huge = directory_result({key_a_});
  huge.body = "{\"keys\":[],\"pad\":\"" + std::string(70000, 'x') + "\"}";
  std::vector<Case> cases = {
      {"500", status_result(500), Reason::directory_unavailable},
      {"404", status_result(404), Reason::directory_unavailable},
      {"302", status_result(302, {{"Location", "https://10.0.0.1/"}}),
       Reason::directory_unavailable},
      {"timeout", error_result(FetchError::timeout), Reason::directory_unavailable},
      {"refused", error_result(FetchError::refused), Reason::directory_unavailable},
      {"tls", error_result(FetchError::tls_failed), Reason::directory_unavailable},
      {"too_large", error_result(FetchError::too_large), Reason::directory_invalid},
      {"protocol", error_result(FetchError::protocol_error), Reason::directory_invalid},
      {"wrong media type", wrong_type, Reason::directory_invalid},
      {"no media type", no_type, Reason::directory_invalid},
      {"bad json", bad_json, Reason::directory_invalid},
      {"not a JWK Set", not_jwks, Reason::directory_invalid},
      {"33 keys", too_many, Reason::directory_invalid},
      {"70 kB body", huge, Reason::directory_invalid},
  };
  for (auto& c : cases) {
    SCOPED_TRACE(c.name);
    transport_ = std::make_shared<FakeTransport>();
    auto src = make_source();
    serve_result(c.result);
    auto r = lookup(*src, key_a_);
    EXPECT_EQ(r.reason(), c.reason) << (r.ok() ? "" : r.error().message());
  }
}

TEST_F(DirectoryCache, RedirectIsNotFollowed) {
  auto src = make_source();
  serve_result(status_result(302, {{"Location", "https://169.254.169.254/latest"}}));
  auto r = lookup(*src, key_a_);
  ASSERT_EQ(r.reason(), Reason::directory_unavailable);
  EXPECT_NE(r.error().detail.find("not followed"), std::string::npos) << r.error().detail;
  EXPECT_EQ(transport_->count(), 1u);
}

TEST_F(DirectoryCache, MediaTypeOnlyCheckedAtTheWellKnownPath) {
  auto src = make_source();
  auto plain_json = directory_result({key_a_});
  plain_json.headers.set("Content-Type", "application/json");
  serve_result(plain_json);
  // A JWKS URL (not the well-known path) has no mandated media type…
  expect_key(lookup(*src, key_a_, "https://agent.example/keys.json"), key_a_);
  // …the well-known URI does (§5.5.1).
  EXPECT_EQ(lookup(*src, key_a_).reason(), Reason::directory_invalid);
  // The legacy spelling is accepted.
  auto legacy = directory_result({key_a_});
  legacy.headers.set("Content-Type", "application/http-message-signatures-directory");
  serve_result(legacy);
  expect_key(lookup(*src, key_a_, "https://legacy.example"), key_a_);
}

TEST_F(DirectoryCache, SignedDirectories) {
  DirectoryKeySourceConfig config;
  config.checks.require_signatures = true;
  auto src = make_source(config);
  const std::int64_t now = clock_.unix_now();
  serve_result(testing::signed_directory_result({key_a_, key_b_}, "agent.example", now, 600));
  expect_key(lookup(*src, key_a_), key_a_);
  EXPECT_EQ(src->metrics().fetch_ok, 1u);

  // Signed for another authority (re-served elsewhere): refused.
  serve_result(testing::signed_directory_result({key_a_}, "other.example", now, 600));
  EXPECT_EQ(lookup(*src, key_a_, "https://third.example").reason(),
            Reason::directory_signature_invalid);
  // Body altered after signing: Content-Digest no longer matches.
  auto altered = testing::signed_directory_result({key_a_}, "fourth.example", now, 600);
  altered.body.insert(altered.body.size() - 1, " ");
  serve_result(altered);
  EXPECT_EQ(lookup(*src, key_a_, "https://fourth.example").reason(),
            Reason::directory_signature_invalid);
  // Unsigned, but signatures are required.
  serve({key_a_});
  EXPECT_EQ(lookup(*src, key_a_, "https://fifth.example").reason(),
            Reason::directory_signature_invalid);
  EXPECT_EQ(src->metrics().fetch_signature_invalid, 3u);
}

TEST_F(DirectoryCache, ProofsCheckedEvenWhenNotRequired) {
  auto src = make_source();  // require_signatures off: a present but bad proof still fails
  auto altered =
      testing::signed_directory_result({key_a_}, "agent.example", clock_.unix_now(), 600);
  altered.body.insert(altered.body.size() - 1, " ");
  serve_result(altered);
  EXPECT_EQ(lookup(*src, key_a_).reason(), Reason::directory_signature_invalid);
}

// -- policy and resources
// ----------------------------------------------------------------------------

TEST_F(DirectoryCache, PolicyRefusalsNeverReachTheTransport) {
  fetch::OutboundConfig outbound;
  outbound.denied_directories = {"https://denied.example"};
  auto src = make_source({}, outbound);
  serve({key_a_});
  EXPECT_EQ(lookup(*src, key_a_, "https://denied.example").reason(), Reason::directory_unavailable);
  EXPECT_EQ(lookup(*src, key_a_, "https://127.0.0.1").reason(), Reason::directory_unavailable);
  EXPECT_EQ(lookup(*src, key_a_, "https://agent.example:8443").reason(),
            Reason::directory_unavailable);
  Answers answers;
  src->find_key(query_for("http://agent.example", key_a_.thumbprint(), true), answers.callback());
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers.at(0).reason(), Reason::directory_unavailable);
  EXPECT_EQ(transport_->count(), 0u);
  EXPECT_EQ(src->metrics().fetch_refused, 4u);
  EXPECT_EQ(src->size(), 0u);
}

TEST_F(DirectoryCache, ConcurrentFetchCapFailsFastWithoutNegativeCaching) {
  DirectoryKeySourceConfig config;
  config.cache.max_concurrent_fetches = 1;
  auto src = make_source(config);
  transport_->hold();
  Answers first;
  src->find_key(query_for("https://one.example", key_a_.thumbprint()), first.callback());
  Answers second;
  src->find_key(query_for("https://two.example", key_a_.thumbprint()), second.callback());
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second.at(0).reason(), Reason::directory_unavailable);
  EXPECT_EQ(src->metrics().fetch_overloaded, 1u);
  transport_->complete_held(directory_result({key_a_}));
  ASSERT_EQ(first.size(), 1u);
  // Overload was not the directory's fault: no negative entry, the next lookup fetches.
  serve({key_a_});
  expect_key(lookup(*src, key_a_, "https://two.example"), key_a_);
  EXPECT_EQ(transport_->count(), 2u);
}

TEST_F(DirectoryCache, MaxEntriesEvictsTheLeastRecentlyUsed) {
  DirectoryKeySourceConfig config;
  config.cache.max_entries = 3;
  auto src = make_source(config);
  serve({key_a_});
  for (const char* host : {"https://a.example", "https://b.example", "https://c.example"}) {
    expect_key(lookup(*src, key_a_, host), key_a_);
    clock_.advance(seconds(1));
  }
  expect_key(lookup(*src, key_a_, "https://a.example"), key_a_);  // a is now the most recent
  clock_.advance(seconds(1));
  expect_key(lookup(*src, key_a_, "https://d.example"), key_a_);  // evicts b
  EXPECT_EQ(src->size(), 3u);
  EXPECT_EQ(src->metrics().cache_evicted, 1u);
  EXPECT_EQ(transport_->count(), 4u);
  expect_key(lookup(*src, key_a_, "https://a.example"), key_a_);
  EXPECT_EQ(transport_->count(), 4u);
  expect_key(lookup(*src, key_a_, "https://b.example"), key_a_);
  EXPECT_EQ(transport_->count(), 5u);
}

TEST_F(DirectoryCache, KeyValidityWindowApplies) {
  // A directory key with `exp` in the past is not served.
  auto src = make_source();
  auto jwk = key_a_.to_public_jwk();
  jwk["exp"] = clock_.unix_now() - 10;
  fetch::FetchResult r = directory_result({key_b_});
  r.body = nlohmann::json{{"keys", nlohmann::json::array({jwk})}}.dump();
  serve_result(r);
  auto expired = lookup(*src, key_a_);
  ASSERT_EQ(expired.reason(), Reason::key_not_found);
  EXPECT_NE(expired.error().detail.find("nbf/exp"), std::string::npos);
}

TEST_F(DirectoryCache, DataUrlsAreDecodedNeverFetched) {
  auto src = make_source();
  std::string jwks = wba::directory::directory_body({key_a_.verifying_key()}).value();
  std::string url =
      "data:application/http-message-signatures-directory+json;base64," + wba::base64_encode(jwks);
  Answers answers;
  src->find_key(query_for(url, key_a_.thumbprint()), answers.callback());
  ASSERT_EQ(answers.size(), 1u);
  expect_key(answers.at(0), key_a_);
  src->find_key(query_for(url, key_b_.thumbprint()), answers.callback());
  EXPECT_EQ(answers.at(1).reason(), Reason::key_not_found);
  EXPECT_EQ(transport_->count(), 0u);
}

TEST(DataUrl, Decoding) {
  EXPECT_EQ(decode_data_url("data:,%7B%22keys%22%3A%5B%5D%7D", 100).value(), "{\"keys\":[]}");
  EXPECT_EQ(decode_data_url("data:application/json;base64,eyJrZXlzIjpbXX0=", 100).value(),
            "{\"keys\":[]}");
  EXPECT_EQ(decode_data_url("data:text/html,<p>", 100).reason(), Reason::directory_invalid);
  EXPECT_EQ(decode_data_url("data:;base64,!!!", 100).reason(), Reason::directory_invalid);
  EXPECT_EQ(decode_data_url("data:,%4", 100).reason(), Reason::directory_invalid);
  EXPECT_EQ(decode_data_url("https://x/", 100).reason(), Reason::directory_invalid);
  EXPECT_EQ(decode_data_url("data:," + std::string(200, 'a'), 100).reason(),
            Reason::limit_exceeded);
}

TEST_F(DirectoryCache, FetchOutlivingTheSourceIsHarmless) {
  Answers answers;
  {
    auto src = make_source();
    transport_->hold();
    src->find_key(query_for(kAgent, key_a_.thumbprint()), answers.callback());
  }
  transport_->complete_held(directory_result({key_a_}));
  ASSERT_EQ(answers.size(), 1u);
  expect_key(answers.at(0), key_a_);
}

TEST(FetchMetrics, EnumeratesEveryCounter) {
  fetch::FetchMetrics m;
  fetch::bump(m.fetch_ok);
  fetch::bump(m.cache_miss);
  std::size_t n = 0, sum = 0;
  m.for_each_counter([&](std::string_view name, std::string_view help, std::uint64_t v) {
    EXPECT_FALSE(name.empty());
    EXPECT_FALSE(help.empty());
    ++n;
    sum += v;
  });
  EXPECT_GE(n, 20u);
  EXPECT_EQ(sum, 2u);
}

}  // namespace
}  // namespace wbad
