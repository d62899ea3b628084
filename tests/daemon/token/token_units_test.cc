// The token stage's parts without a network: route prefixes and path normalisation, the
// validation cache, metadata URLs and checks, form encoding and credentials, and the document
// cache's single-flight / negative caching / unknown-kid rate limit on a manual clock.
#include <gtest/gtest.h>

#include "daemon/fetch/fetch_test_util.h"
#include "token/document_cache.h"
#include "token/introspection_client.h"
#include "token/issuer_metadata.h"
#include "token/route_policy.h"
#include "token/token_cache.h"
#include "wba/token/token_exchange.h"

namespace wbad {
namespace {

using std::chrono::seconds;
using testing::ManualClock;
using wba::Reason;

TEST(RoutePolicy, NormalizesPathsBeforeMatching) {
  EXPECT_EQ(normalize_route_path("/orders/1"), "/orders/1");
  EXPECT_EQ(normalize_route_path("/%6Frders/1"), "/orders/1");
  EXPECT_EQ(normalize_route_path("/%6frders/1"), "/orders/1");
  EXPECT_EQ(normalize_route_path("//orders//1"), "/orders/1");
  EXPECT_EQ(normalize_route_path("/a/../orders/./1"), "/orders/1");
  EXPECT_EQ(normalize_route_path("/../../orders/"), "/orders/");
  EXPECT_EQ(normalize_route_path("/orders/x/.."), "/orders/");
  EXPECT_EQ(normalize_route_path("/"), "/");
  EXPECT_EQ(normalize_route_path(""), "/");
  EXPECT_EQ(normalize_route_path("/a%2Fb"), "/a%2Fb");  // reserved characters stay encoded
}

TEST(RoutePolicy, LongestPrefixWinsAndFallsBackToGlobals) {
  Config c;
  c.token_policy = TokenPolicy::optional;
  c.required_scopes = {"base"};
  RouteConfig orders;
  orders.prefix = "/orders/";
  orders.token = TokenPolicy::required;
  RouteConfig special;
  special.prefix = "/orders/special/";
  special.token = TokenPolicy::off;
  special.required_scopes = std::vector<std::string>{};
  special.require_delegation = true;
  c.routes = {orders, special};
  RoutePolicies routes(c);
  EXPECT_EQ(routes.for_path("/orders/1").token, TokenPolicy::required);
  EXPECT_EQ(routes.for_path("/orders/1").required_scopes, std::vector<std::string>{"base"});
  EXPECT_EQ(routes.for_path("/orders/special/x").token, TokenPolicy::off);
  EXPECT_TRUE(routes.for_path("/orders/special/x").require_delegation);
  EXPECT_TRUE(routes.for_path("/orders/special/x").required_scopes.empty());
  EXPECT_EQ(routes.for_path("/other").token, TokenPolicy::optional);
  EXPECT_EQ(routes.for_path("/other").prefix, "");
  EXPECT_EQ(routes.for_path("/orders").token, TokenPolicy::optional);  // no trailing slash
}

TEST(TokenCache, ExpiresAndEvictsLeastRecentlyUsed) {
  TokenCache cache(2);
  auto entry = [](std::int64_t expires) {
    CachedValidation e;
    e.issuer = "https://as.example";
    e.error = wba::Error(Reason::token_inactive);
    e.expires_at = expires;
    return e;
  };
  cache.insert("a", entry(100));
  cache.insert("b", entry(100));
  EXPECT_TRUE(cache.find("a", 50));  // a is now the most recent
  cache.insert("c", entry(100));     // evicts b
  EXPECT_TRUE(cache.find("a", 50));
  EXPECT_FALSE(cache.find("b", 50));
  EXPECT_TRUE(cache.find("c", 50));
  EXPECT_FALSE(cache.find("a", 100));  // expired at 100
  EXPECT_EQ(cache.size(), 1u);
  cache.erase("c");
  EXPECT_EQ(cache.size(), 0u);
}

TEST(IssuerMetadata, WellKnownUrls) {
  EXPECT_EQ(oauth_metadata_url("https://as.example"),
            "https://as.example/.well-known/oauth-authorization-server");
  EXPECT_EQ(oauth_metadata_url("https://as.example/"),
            "https://as.example/.well-known/oauth-authorization-server");
  EXPECT_EQ(oauth_metadata_url("https://as.example:8443/tenant/1"),
            "https://as.example:8443/.well-known/oauth-authorization-server/tenant/1");
  EXPECT_EQ(oidc_metadata_url("https://as.example"),
            "https://as.example/.well-known/openid-configuration");
  EXPECT_EQ(oidc_metadata_url("https://as.example/tenant/"),
            "https://as.example/tenant/.well-known/openid-configuration");
}

TEST(IssuerMetadata, IssuerMustMatchExactly) {
  const std::string iss = "https://as.example";
  auto ok = parse_issuer_metadata(
      R"({"issuer":"https://as.example","jwks_uri":"https://as.example/jwks",
          "introspection_endpoint":"https://as.example/introspect"})",
      iss, "u");
  ASSERT_TRUE(ok.ok()) << ok.error().message();
  EXPECT_EQ(ok->jwks_uri, "https://as.example/jwks");
  EXPECT_EQ(ok->introspection_endpoint, "https://as.example/introspect");
  for (const char* bad :
       {R"({"issuer":"https://as.example/","jwks_uri":"https://as.example/jwks"})",
        R"({"issuer":"https://AS.example","jwks_uri":"https://as.example/jwks"})",
        R"({"jwks_uri":"https://as.example/jwks"})", R"({"issuer":"https://as.example"})",
        R"({"issuer":"https://as.example","jwks_uri":""})",
        R"({"issuer":"https://as.example","issuer":"https://as.example","jwks_uri":"x"})", R"([1])",
        "not json"}) {
    auto r = parse_issuer_metadata(bad, iss, "u");
    EXPECT_EQ(r.reason(), Reason::issuer_metadata_unavailable) << bad;
  }
}

TEST(Introspection, FormEncodingAndCredentials) {
  EXPECT_EQ(wba::token::form_urlencode("a b+c/d~é"), "a+b%2Bc%2Fd%7E%C3%A9");
  EXPECT_EQ(wba::token::form_urlencode("AZaz09-._*"), "AZaz09-._*");
  auto c = parse_client_credentials("\n  rs-client:s3cr:et \r\n");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->first, "rs-client");
  EXPECT_EQ(c->second, "s3cr:et");
  EXPECT_FALSE(parse_client_credentials("no-colon").ok());
  EXPECT_FALSE(parse_client_credentials(":secret").ok());
  EXPECT_FALSE(parse_client_credentials("").ok());
}

// -- DocumentCache --------------------------------------------------------------------------------

struct Doc {
  std::string text;
};

class DocumentCacheTest : public ::testing::Test {
 protected:
  using Cache = DocumentCache<Doc>;

  std::shared_ptr<Cache> make(DocumentCacheConfig config = {}) {
    return Cache::make(
        [this](const std::string& key, const DocumentValidators& held, Cache::LoadDone done) {
          ++loads_;
          held_validators_.push_back(held);
          if (not_modified_) {
            LoadedDocument<Doc> d;
            d.not_modified = true;
            d.freshness.fresh_for = seconds(300);
            return done(std::move(d));
          }
          if (hold_) {
            held_.push_back(std::move(done));
            return;
          }
          done(result(key));
        },
        config, clock_.clock(), metrics_);
  }

  LoadedDocument<Doc> result(const std::string& key) {
    LoadedDocument<Doc> d;
    if (fail_) {
      d.value = wba::Error(Reason::issuer_metadata_unavailable, "down");
      return d;
    }
    d.value = std::make_shared<const Doc>(Doc{key + ":" + content_});
    d.freshness.fresh_for = seconds(300);
    d.freshness.stale_if_error = seconds(3600);
    d.fingerprint = content_;
    d.validators = DocumentValidators{"https://as.example/" + key, "\"" + content_ + "\"", ""};
    return d;
  }

  wba::Result<Cache::Snapshot> get(Cache& cache, const std::string& key,
                                   Cache::WantsRefresh wants = nullptr) {
    std::optional<wba::Result<Cache::Snapshot>> out;
    cache.get(key, wants, [&out](wba::Result<Cache::Snapshot> r) { out = std::move(r); });
    EXPECT_TRUE(out.has_value());
    return out ? *out : wba::Error(Reason::invalid_argument, "no answer");
  }

  ManualClock clock_;
  std::shared_ptr<TokenMetrics> metrics_ = std::make_shared<TokenMetrics>();
  int loads_ = 0;
  bool fail_ = false;
  bool hold_ = false;
  std::string content_ = "v1";
  std::vector<Cache::LoadDone> held_;
  bool not_modified_ = false;
  std::vector<DocumentValidators> held_validators_;  // what each load was given
};

TEST_F(DocumentCacheTest, SingleFlight) {
  auto cache = make();
  hold_ = true;
  int answered = 0;
  for (int i = 0; i < 10; ++i) {
    cache->get("k", nullptr, [&answered](wba::Result<Cache::Snapshot> r) {
      EXPECT_TRUE(r.ok());
      ++answered;
    });
  }
  EXPECT_EQ(loads_, 1);
  EXPECT_EQ(answered, 0);
  hold_ = false;
  held_.front()(result("k"));
  EXPECT_EQ(answered, 10);
  EXPECT_EQ(metrics_->document_coalesced, 9u);
}

TEST_F(DocumentCacheTest, FreshStaleAndGenerations) {
  auto cache = make();
  auto first = get(*cache, "k");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(loads_, 1);
  EXPECT_TRUE(get(*cache, "k").ok());
  EXPECT_EQ(loads_, 1);
  clock_.advance(seconds(301));  // stale: refetched, same content → same generation
  auto second = get(*cache, "k");
  EXPECT_EQ(loads_, 2);
  EXPECT_EQ(second->generation, first->generation);
  clock_.advance(seconds(301));
  content_ = "v2";
  auto third = get(*cache, "k");
  EXPECT_NE(third->generation, first->generation);
  EXPECT_EQ(third->value->text, "k:v2");
  EXPECT_EQ(cache->peek("k")->generation, third->generation);
  EXPECT_FALSE(cache->peek("other"));
}

TEST_F(DocumentCacheTest, FailuresAreNegativeCachedAndStaleServedOnError) {
  auto cache = make();
  fail_ = true;
  EXPECT_EQ(get(*cache, "k").reason(), Reason::issuer_metadata_unavailable);
  EXPECT_EQ(get(*cache, "k").reason(), Reason::issuer_metadata_unavailable);
  EXPECT_EQ(loads_, 1);  // negative-cached
  EXPECT_EQ(metrics_->document_negative_hit, 1u);
  clock_.advance(seconds(31));
  EXPECT_FALSE(get(*cache, "k").ok());
  EXPECT_EQ(loads_, 2);
  clock_.advance(seconds(31));  // backoff doubled to 60 s: still negative
  EXPECT_FALSE(get(*cache, "k").ok());
  EXPECT_EQ(loads_, 2);
  clock_.advance(seconds(30));
  fail_ = false;
  EXPECT_TRUE(get(*cache, "k").ok());
  EXPECT_EQ(loads_, 3);
  // Now stale and the origin fails: the stale document answers (stale-if-error).
  clock_.advance(seconds(301));
  fail_ = true;
  auto r = get(*cache, "k");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->value->text, "k:v1");
  EXPECT_EQ(loads_, 4);
}

TEST_F(DocumentCacheTest, ForcedRefreshAtMostOncePerInterval) {
  auto cache = make();
  auto lacks = [](const Doc& d) { return d.text.find("new-kid") == std::string::npos; };
  EXPECT_TRUE(get(*cache, "k").ok());
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(get(*cache, "k", lacks).ok());
  EXPECT_EQ(loads_, 1);  // within 60 s of the load: rate-limited
  clock_.advance(seconds(60));
  content_ = "new-kid";
  auto r = get(*cache, "k", lacks);
  EXPECT_EQ(loads_, 2);
  EXPECT_EQ(r->value->text, "k:new-kid");
  content_ = "v3";
  clock_.advance(seconds(30));
  EXPECT_TRUE(get(*cache, "k", [](const Doc&) { return true; }).ok());
  EXPECT_EQ(loads_, 2);
  EXPECT_EQ(metrics_->unknown_kid_refresh, 1u);
  EXPECT_EQ(metrics_->unknown_kid_rate_limited, 6u);
}

TEST_F(DocumentCacheTest, RevalidatesWithTheHeldValidators) {
  auto cache = make();
  auto first = get(*cache, "k");
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(held_validators_.size(), 1u);
  EXPECT_TRUE(held_validators_[0].etag.empty());  // nothing held: unconditional
  clock_.advance(seconds(301));
  not_modified_ = true;  // the origin answers 304
  auto second = get(*cache, "k");
  ASSERT_TRUE(second.ok()) << second.error().message();
  ASSERT_EQ(held_validators_.size(), 2u);
  EXPECT_EQ(held_validators_[1].url, "https://as.example/k");
  EXPECT_EQ(held_validators_[1].etag, "\"v1\"");
  EXPECT_EQ(second->value, first->value);  // the same document, the same generation
  EXPECT_EQ(second->generation, first->generation);
  EXPECT_EQ(metrics_->document_not_modified, 1u);
  // The 304 renewed freshness: no load for another 300 s.
  clock_.advance(seconds(299));
  EXPECT_TRUE(get(*cache, "k").ok());
  EXPECT_EQ(loads_, 2);
  // Validators survive a revalidation: the next one sends the same ETag.
  clock_.advance(seconds(2));
  EXPECT_TRUE(get(*cache, "k").ok());
  ASSERT_EQ(held_validators_.size(), 3u);
  EXPECT_EQ(held_validators_[2].etag, "\"v1\"");
  // A 304 with nothing held (a new key) is a failure, never an empty document.
  auto other = get(*cache, "other");
  EXPECT_EQ(other.reason(), Reason::issuer_metadata_unavailable);
  EXPECT_TRUE(held_validators_.back().etag.empty());
}

TEST_F(DocumentCacheTest, NeverServesOlderThanMaxAge) {
  DocumentCacheConfig config;
  config.max_age = seconds(600);
  auto cache = make(config);
  EXPECT_TRUE(get(*cache, "k").ok());
  fail_ = true;
  clock_.advance(seconds(400));  // stale, within SIE: served
  EXPECT_TRUE(get(*cache, "k").ok());
  clock_.advance(seconds(300));  // 700 s after the load: beyond max_age
  EXPECT_FALSE(get(*cache, "k").ok());
}

}  // namespace
}  // namespace wbad
