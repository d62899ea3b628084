// TokenService end to end against the test authorization server on 127.0.0.1 over HTTPS (a CA
// generated at run time): static and discovered issuers, untrusted issuers (nothing fetched),
// faults (down, 500, slow, issuer mismatch, redirect), unknown kids and kid floods, key
// rotation, the validation cache (and its invalidation), introspection, DPoP replay, route
// policy, and an RFC 8693 token exchange whose token then binds. Cache times run on a manual
// clock; token times are the fixed `now` the checks are given.
#include "token/token_service.h"

#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "as_transport.h"
#include "daemon/fetch/fetch_test_util.h"
#include "daemon/fetch/test_pki.h"
#include "test_auth_server.h"
#include "wba/encoding/base64.h"
#include "wba/http/target.h"
#include "wba/token/agent.h"
#include "wba/token/token_exchange.h"

namespace wbad {
namespace {

namespace asio = boost::asio;
using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::AsEndpoint;
using testing::AsFault;
using testing::AsKey;
using testing::ManualClock;
using testing::TestAuthServer;
using testing::TestAuthServerOptions;
using testing::TestPki;
using wba::Reason;
using wba::token::Scheme;
using State = TokenOutcome::State;

const std::string kResource = "https://api.shop.example";
const std::string kAgentA = "https://agent-a.example";
const std::string kAgentB = "https://agent-b.example";
const std::string kUser = "u_248289761001";

struct Presented {
  wba::http::Message request;
  std::vector<wba::token::VerifiedAgent> agents;
};

class TokenServiceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki_ = new TestPki(testing::make_test_pki({"as.test"}, {"127.0.0.1"}));
  }
  static void TearDownTestSuite() {
    delete pki_;
    pki_ = nullptr;
  }

  void SetUp() override {
    start_as({});
    client_thread_ = std::thread([this] { ioc_.run(); });
  }

  void TearDown() override {
    service_.reset();
    work_.reset();
    ioc_.stop();
    client_thread_.join();
    as_.reset();
    for (const auto& f : files_) std::filesystem::remove(f);
  }

  void start_as(TestAuthServerOptions options) {
    options.slow_delay = milliseconds(3000);
    as_ = std::make_unique<TestAuthServer>(*pki_, options);
    as_->set_now(now_);
  }

  std::string temp_file(const std::string& name, const std::string& text) {
    auto path = std::filesystem::temp_directory_path() /
                ("wbad-token-" + std::to_string(::getpid()) + "-" + name);
    std::ofstream(path) << text;
    files_.push_back(path);
    return path.string();
  }

  Config base_config() const {
    Config c;
    c.audiences = {kResource};
    c.allow_private_fetch = true;  // the AS is on 127.0.0.1
    c.directory_ports = {as_->port()};
    return c;
  }

  Config discovery_config(IssuerDiscovery mode = IssuerDiscovery::automatic) const {
    Config c = base_config();
    IssuerConfig i;
    i.issuer = as_->issuer();
    i.discovery = mode;
    c.issuers.push_back(i);
    return c;
  }

  Config static_config() {
    Config c = base_config();
    IssuerConfig i;
    i.issuer = as_->issuer();
    i.jwks_file = temp_file("as.jwks.json", as_->public_jwks());
    c.issuers.push_back(i);
    return c;
  }

  Config introspection_config(const std::string& secret = "rs-secret") {
    Config c = base_config();
    IssuerConfig i;
    i.issuer = as_->issuer();
    i.introspection_endpoint = as_->introspection_endpoint();
    c.issuers.push_back(i);
    c.introspection_credentials_file = temp_file("creds", "rs-client:" + secret + "\n");
    return c;
  }

  TokenService& make(const Config& config) {
    TokenServiceOverrides o;
    fetch::TransportConfig t;
    t.use_system_ca = false;
    t.ca_pem = pki_->ca_cert_pem;
    t.connect_timeout = milliseconds(1000);
    t.read_timeout = milliseconds(400);
    t.total_timeout = milliseconds(1500);
    o.transport_config = t;
    o.clock = clock_.clock();
    auto made = make_token_service(config, ioc_, metrics_, replay_, o);
    EXPECT_TRUE(made.ok()) << made.error().message();
    service_ = std::move(made).value();
    return *service_;
  }

  // A request to kResource + path carrying `token` as `scheme`, signed by `key` as agent
  // `agent` (covering authorization, and dpop for DPoP), and the agent as the Web Bot Auth stage
  // would report it.
  Presented present(const std::string& token, Scheme scheme, const wba::SigningKey& key,
                    const std::string& agent = kAgentA, const std::string& path = "/orders/123",
                    std::optional<std::int64_t> created = std::nullopt) {
    wba::http::Request r;
    r.method = "GET";
    r.target = wba::http::target_from_uri(kResource + path).value();
    r.headers.add("Host", r.target.authority);
    wba::profile::AgentSignOptions so;
    so.signature_agent = agent;
    so.created = created.value_or(now_);
    auto sig = wba::token::present_token(r, key, so, token, scheme);
    EXPECT_TRUE(sig.ok()) << sig.error().message();
    wba::token::VerifiedAgent a;
    a.label = sig->label;
    a.key_thumbprint = key.thumbprint();
    a.signature_agent = agent + "/.well-known/http-message-signatures-directory";
    a.agent_type = "directory";
    a.origin = agent;
    a.params = sig->params;
    return Presented{wba::http::Message(std::move(r)), {a}};
  }

  Presented plain(const std::string& path, const std::string& authorization = "") {
    wba::http::Request r;
    r.method = "GET";
    r.target = wba::http::target_from_uri(kResource + path).value();
    if (!authorization.empty()) r.headers.add("Authorization", authorization);
    return Presented{wba::http::Message(std::move(r)), {}};
  }

  TokenOutcome check(const Presented& p, std::optional<std::int64_t> at = std::nullopt) {
    std::promise<TokenOutcome> promise;
    auto future = promise.get_future();
    service_->check(p.request, p.agents, at.value_or(now_),
                    [&promise](TokenOutcome o) { promise.set_value(std::move(o)); });
    EXPECT_EQ(future.wait_for(seconds(10)), std::future_status::ready);
    return future.get();
  }

  // POS-1 of delegation.md §10: user principal, agent A as actor, bound to A's key.
  json delegated_claims(const std::string& agent = kAgentA,
                        const std::optional<std::string>& jkt = std::nullopt) {
    json c = as_->base_claims(kUser, agent);
    c["scope"] = "orders:read cart:write";
    c["act"] = {{"sub", agent}, {"iss", as_->issuer()}};
    if (jkt) c["cnf"] = {{"jkt", *jkt}};
    return c;
  }

  std::string dpop_token(AsKey key = AsKey::ed25519) {
    return as_->mint(delegated_claims(kAgentA, agent_a_.thumbprint()), key);
  }

  // RFC 8693 at the AS's /token endpoint through the daemon's own transport (a POST over HTTPS
  // with the test CA), waited for.
  fetch::FetchResult post_to_token_endpoint(const wba::token::TokenExchangeRequest& req) {
    auto transport = testing::as_transport(ioc_.get_executor(), *pki_, *as_);
    const fetch::FetchRequest post =
        testing::token_exchange_post(*as_, wba::token::token_exchange_body(req).value());
    std::promise<fetch::FetchResult> promise;
    auto future = promise.get_future();
    transport->fetch(post, [&promise](fetch::FetchResult r) { promise.set_value(std::move(r)); });
    if (future.wait_for(seconds(10)) != std::future_status::ready) {
      ADD_FAILURE() << "the token endpoint did not answer within 10 s";
      fetch::FetchResult timeout;
      timeout.error = fetch::FetchError::timeout;
      return timeout;
    }
    return future.get();
  }

  void all_metadata(AsFault fault) {
    as_->set_fault(AsEndpoint::metadata, fault);
    as_->set_fault(AsEndpoint::oidc_metadata, fault);
  }

  static TestPki* pki_;
  asio::io_context ioc_;
  asio::executor_work_guard<asio::io_context::executor_type> work_{ioc_.get_executor()};
  std::thread client_thread_;
  std::unique_ptr<TestAuthServer> as_;
  ManualClock clock_;
  const std::int64_t now_ = clock_.unix_now();
  std::shared_ptr<TokenMetrics> metrics_ = std::make_shared<TokenMetrics>();
  std::shared_ptr<ReplayStore> replay_ = std::make_shared<MemoryReplayStore>(10000);
  std::shared_ptr<TokenService> service_;
  wba::SigningKey agent_a_ = testing::new_key();
  wba::SigningKey agent_b_ = testing::new_key();
  std::vector<std::filesystem::path> files_;
};

TestPki* TokenServiceTest::pki_ = nullptr;

// Evaluates `outcome` once.
#define EXPECT_OUTCOME(outcome, st, r)                                                          \
  do {                                                                                          \
    const TokenOutcome o_ = (outcome);                                                          \
    EXPECT_EQ(o_.state, (st)) << to_string(o_.state) << ": " << o_.reason << ": " << o_.detail; \
    EXPECT_EQ(o_.reason, (r)) << o_.detail;                                                     \
  } while (0)

// -- static and discovered issuers ----------------------------------------------------------------

TEST_F(TokenServiceTest, StaticIssuerBindsADpopTokenWithoutAnyFetch) {
  make(static_config());
  auto o = check(present(dpop_token(), Scheme::dpop, agent_a_));
  EXPECT_OUTCOME(o, State::bound, Reason::ok);
  ASSERT_TRUE(o.delegation);
  EXPECT_EQ(o.delegation->principal_sub, kUser);
  EXPECT_EQ(o.delegation->delegation, "explicit_act");
  ASSERT_TRUE(o.delegation->actor);
  EXPECT_EQ(o.delegation->actor->sub, kAgentA);
  EXPECT_EQ(o.delegation->binding.kind, "key+identity");
  EXPECT_EQ(o.scheme, Scheme::dpop);
  EXPECT_EQ(as_->request_count(), 0u);
}

TEST_F(TokenServiceTest, Es256AndPs256TokensValidate) {
  make(static_config());
  for (AsKey k : {AsKey::es256, AsKey::ps256}) {
    auto o = check(present(dpop_token(k), Scheme::dpop, agent_a_));
    EXPECT_OUTCOME(o, State::bound, Reason::ok);
  }
}

TEST_F(TokenServiceTest, StaticIssuerUnknownKidFetchesNothing) {
  make(static_config());
  auto token = as_->mint(delegated_claims(kAgentA, agent_a_.thumbprint()), AsKey::ed25519,
                         {{"kid", "rotated-away"}});
  EXPECT_OUTCOME(check(present(token, Scheme::dpop, agent_a_)), State::rejected,
                 Reason::unknown_kid);
  EXPECT_EQ(as_->request_count(), 0u);
}

TEST_F(TokenServiceTest, DiscoveryFetchesMetadataAndJwksOnce) {
  make(discovery_config());
  EXPECT_OUTCOME(check(present(dpop_token(), Scheme::dpop, agent_a_)), State::bound, Reason::ok);
  EXPECT_EQ(as_->request_count(AsEndpoint::metadata), 1u);
  EXPECT_EQ(as_->request_count(AsEndpoint::jwks), 1u);
  // Another token of the same issuer: keys from the cache.
  EXPECT_OUTCOME(check(present(dpop_token(AsKey::es256), Scheme::dpop, agent_a_)), State::bound,
                 Reason::ok);
  EXPECT_EQ(as_->request_count(), 2u);
  auto seen = as_->requests();
  EXPECT_EQ(seen.at(0).target, "/.well-known/oauth-authorization-server");
  EXPECT_EQ(seen.at(0).method, "GET");
  EXPECT_EQ(seen.at(1).target, "/jwks");
  EXPECT_EQ(metrics_->metadata_fetch_ok, 1u);
  EXPECT_EQ(metrics_->jwks_fetch_ok, 1u);
}

TEST_F(TokenServiceTest, DiscoveryInsertsTheIssuerPathAndFallsBackToOidc) {
  TestAuthServerOptions options;
  options.issuer_path = "/tenant";
  options.serve_oauth_metadata = false;
  start_as(options);
  make(discovery_config(IssuerDiscovery::automatic));
  EXPECT_OUTCOME(check(present(dpop_token(), Scheme::dpop, agent_a_)), State::bound, Reason::ok);
  auto seen = as_->requests();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].target, "/.well-known/oauth-authorization-server/tenant");  // 404
  EXPECT_EQ(seen[1].target, "/tenant/.well-known/openid-configuration");
  EXPECT_EQ(seen[2].target, "/jwks");
}

TEST_F(TokenServiceTest, OidcOnlyDiscovery) {
  make(discovery_config(IssuerDiscovery::oidc));
  EXPECT_OUTCOME(check(present(dpop_token(), Scheme::dpop, agent_a_)), State::bound, Reason::ok);
  EXPECT_EQ(as_->request_count(AsEndpoint::metadata), 0u);
  EXPECT_EQ(as_->request_count(AsEndpoint::oidc_metadata), 1u);
}

TEST_F(TokenServiceTest, UntrustedIssuerFetchesNothing) {
  make(discovery_config());
  json claims = delegated_claims(kAgentA, agent_a_.thumbprint());
  claims["iss"] = "https://as.evil.example";
  auto o = check(present(as_->mint(claims), Scheme::dpop, agent_a_));
  EXPECT_OUTCOME(o, State::rejected, Reason::untrusted_issuer);
  // A near miss (trailing slash) is just as untrusted.
  claims["iss"] = as_->issuer() + "/";
  EXPECT_OUTCOME(check(present(as_->mint(claims), Scheme::dpop, agent_a_)), State::rejected,
                 Reason::untrusted_issuer);
  EXPECT_EQ(as_->request_count(), 0u);
  EXPECT_EQ(metrics_->untrusted_issuer, 2u);
}

// -- faults ---------------------------------------------------------------------------------------

TEST_F(TokenServiceTest, IssuerDownIsUnverifiedQuicklyAndNegativeCached) {
  all_metadata(AsFault::down);
  make(discovery_config(IssuerDiscovery::oauth));
  auto start = std::chrono::steady_clock::now();
  auto o = check(present(dpop_token(), Scheme::dpop, agent_a_));
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(2000));
  EXPECT_OUTCOME(o, State::unverified, Reason::issuer_metadata_unavailable);
  EXPECT_EQ(as_->request_count(), 1u);
  // Negative-cached: the next token does not knock again.
  o = check(present(dpop_token(), Scheme::dpop, agent_a_));
  EXPECT_OUTCOME(o, State::unverified, Reason::issuer_metadata_unavailable);
  EXPECT_EQ(as_->request_count(), 1u);
  // Back up, and the negative entry expired: it works.
  as_->clear_faults();
  clock_.advance(seconds(31));
  EXPECT_OUTCOME(check(present(dpop_token(), Scheme::dpop, agent_a_)), State::bound, Reason::ok);
}

TEST_F(TokenServiceTest, IssuerErrorStatusIsUnverified) {
  all_metadata(AsFault::status_500);
  make(discovery_config());
  EXPECT_OUTCOME(check(present(dpop_token(), Scheme::dpop, agent_a_)), State::unverified,
                 Reason::issuer_metadata_unavailable);
  EXPECT_EQ(as_->request_count(AsEndpoint::jwks), 0u);
}

TEST_F(TokenServiceTest, JwksErrorStatusIsUnverified) {
  as_->set_fault(AsEndpoint::jwks, AsFault::status_500);
  make(discovery_config());
  EXPECT_OUTCOME(check(present(dpop_token(), Scheme::dpop, agent_a_)), State::unverified,
                 Reason::issuer_metadata_unavailable);
}

TEST_F(TokenServiceTest, SlowIssuerTimesOut) {
  all_metadata(AsFault::slow);
  make(discovery_config(IssuerDiscovery::oauth));
  auto start = std::chrono::steady_clock::now();
  auto o = check(present(dpop_token(), Scheme::dpop, agent_a_));
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_OUTCOME(o, State::unverified, Reason::issuer_metadata_unavailable);
  EXPECT_LT(elapsed, milliseconds(2500));  // bounded by the transport's timeouts, not 3 s
}

TEST_F(TokenServiceTest, MetadataIssuerMismatchIsRefused) {
  all_metadata(AsFault::issuer_mismatch);
  make(discovery_config());
  auto o = check(present(dpop_token(), Scheme::dpop, agent_a_));
  EXPECT_OUTCOME(o, State::unverified, Reason::issuer_metadata_unavailable);
  EXPECT_NE(o.detail.find("RFC 8414"), std::string::npos) << o.detail;
  EXPECT_EQ(as_->request_count(AsEndpoint::jwks), 0u);
}

TEST_F(TokenServiceTest, MetadataRedirectIsNotFollowed) {
  all_metadata(AsFault::redirect);
  make(discovery_config(IssuerDiscovery::oauth));
  auto o = check(present(dpop_token(), Scheme::dpop, agent_a_));
  EXPECT_OUTCOME(o, State::unverified, Reason::issuer_metadata_unavailable);
  EXPECT_NE(o.detail.find("302"), std::string::npos) << o.detail;
  EXPECT_EQ(as_->request_count(), 1u);
}

TEST_F(TokenServiceTest, StaleKeysServeWhenTheIssuerGoesDown) {
  as_->set_cache_control("max-age=600");
  make(discovery_config());
  EXPECT_OUTCOME(check(present(dpop_token(), Scheme::dpop, agent_a_)), State::bound, Reason::ok);
  all_metadata(AsFault::status_500);
  as_->set_fault(AsEndpoint::jwks, AsFault::status_500);
  clock_.advance(seconds(3601));  // metadata and JWKS stale, within stale-if-error
  EXPECT_OUTCOME(check(present(dpop_token(), Scheme::dpop, agent_a_)), State::bound, Reason::ok);
  EXPECT_GE(metrics_->document_stale_if_error, 1u);
}

TEST_F(TokenServiceTest, StaleKeysAreRevalidatedWithTheirETag) {
  as_->set_cache_control("max-age=600");
  make(discovery_config());
  EXPECT_OUTCOME(check(present(dpop_token(), Scheme::dpop, agent_a_)), State::bound, Reason::ok);
  ASSERT_EQ(as_->request_count(AsEndpoint::jwks), 1u);
  clock_.advance(seconds(601));  // metadata and JWKS stale
  EXPECT_OUTCOME(check(present(dpop_token(), Scheme::dpop, agent_a_)), State::bound, Reason::ok);
  ASSERT_EQ(as_->request_count(AsEndpoint::jwks), 2u);
  std::vector<std::string> conditions;
  for (const auto& r : as_->requests()) {
    if (r.endpoint == AsEndpoint::jwks) conditions.push_back(r.header("if-none-match"));
  }
  ASSERT_EQ(conditions.size(), 2u);
  EXPECT_TRUE(conditions[0].empty());  // nothing held: unconditional
  EXPECT_FALSE(conditions[1].empty());
  EXPECT_EQ(metrics_->document_not_modified, 1u);  // the AS answered 304
  EXPECT_EQ(metrics_->jwks_changed, 0u);
  // The 304 renewed freshness: no JWKS request within the next max-age.
  clock_.advance(seconds(599));
  EXPECT_OUTCOME(check(present(dpop_token(), Scheme::dpop, agent_a_)), State::bound, Reason::ok);
  EXPECT_EQ(as_->request_count(AsEndpoint::jwks), 2u);
}

// -- unknown kids, rotation, the validation cache -------------------------------------------------

TEST_F(TokenServiceTest, UnknownKidRefetchesOnceThenUnknownKidAndAFloodIsRateLimited) {
  make(discovery_config());
  EXPECT_OUTCOME(check(present(dpop_token(), Scheme::dpop, agent_a_)), State::bound, Reason::ok);
  ASSERT_EQ(as_->request_count(AsEndpoint::jwks), 1u);
  auto with_kid = [&](const std::string& kid) {
    return as_->mint(delegated_claims(kAgentA, agent_a_.thumbprint()), AsKey::ed25519,
                     {{"kid", kid}});
  };
  // Within a minute of the fetch: a flood of unknown kids costs nothing.
  for (int i = 0; i < 20; ++i) {
    EXPECT_OUTCOME(check(present(with_kid("flood-" + std::to_string(i)), Scheme::dpop, agent_a_)),
                   State::rejected, Reason::unknown_kid);
  }
  EXPECT_EQ(as_->request_count(AsEndpoint::jwks), 1u);
  // A minute later: exactly one refetch, then unknown_kid, for the whole flood.
  clock_.advance(seconds(61));
  EXPECT_OUTCOME(check(present(with_kid("rotated-away"), Scheme::dpop, agent_a_)), State::rejected,
                 Reason::unknown_kid);
  EXPECT_EQ(as_->request_count(AsEndpoint::jwks), 2u);
  for (int i = 0; i < 20; ++i) {
    EXPECT_OUTCOME(check(present(with_kid("again-" + std::to_string(i)), Scheme::dpop, agent_a_)),
                   State::rejected, Reason::unknown_kid);
  }
  EXPECT_EQ(as_->request_count(AsEndpoint::jwks), 2u);
  EXPECT_EQ(as_->request_count(AsEndpoint::metadata), 1u);
  EXPECT_EQ(metrics_->unknown_kid_refresh, 1u);
  EXPECT_GE(metrics_->unknown_kid_rate_limited, 40u);
}

TEST_F(TokenServiceTest, ConcurrentUnknownKidsShareOneRefetch) {
  make(discovery_config());
  EXPECT_OUTCOME(check(present(dpop_token(), Scheme::dpop, agent_a_)), State::bound, Reason::ok);
  clock_.advance(seconds(61));
  std::vector<Presented> flood;
  for (int i = 0; i < 30; ++i) {
    flood.push_back(present(as_->mint(delegated_claims(kAgentA, agent_a_.thumbprint()),
                                      AsKey::ed25519, {{"kid", "k" + std::to_string(i)}}),
                            Scheme::dpop, agent_a_));
  }
  std::vector<std::future<TokenOutcome>> results;
  std::vector<std::shared_ptr<std::promise<TokenOutcome>>> promises;
  for (const auto& p : flood) {
    auto promise = std::make_shared<std::promise<TokenOutcome>>();
    results.push_back(promise->get_future());
    service_->check(p.request, p.agents, now_,
                    [promise](TokenOutcome o) { promise->set_value(std::move(o)); });
    promises.push_back(promise);
  }
  for (auto& f : results) {
    ASSERT_EQ(f.wait_for(seconds(10)), std::future_status::ready);
    EXPECT_EQ(f.get().reason, Reason::unknown_kid);
  }
  EXPECT_EQ(as_->request_count(AsEndpoint::jwks), 2u);
}

TEST_F(TokenServiceTest, RotatedKeysArePickedUpByTheOneRefetchAndInvalidateTheCache) {
  make(discovery_config());
  const std::string old_token = dpop_token();
  EXPECT_OUTCOME(check(present(old_token, Scheme::dpop, agent_a_)), State::bound, Reason::ok);
  EXPECT_OUTCOME(check(present(old_token, Scheme::dpop, agent_a_)), State::bound, Reason::ok);
  EXPECT_EQ(metrics_->validation_cache_hit, 1u);

  as_->rotate_keys();
  clock_.advance(seconds(61));
  const std::string new_token = dpop_token();  // signed under the new kid
  EXPECT_OUTCOME(check(present(new_token, Scheme::dpop, agent_a_)), State::bound, Reason::ok);
  EXPECT_EQ(as_->request_count(AsEndpoint::jwks), 2u);
  EXPECT_EQ(metrics_->jwks_changed, 1u);

  // The old token's cached validation was made with keys the issuer no longer publishes.
  EXPECT_OUTCOME(check(present(old_token, Scheme::dpop, agent_a_)), State::rejected,
                 Reason::unknown_kid);
  EXPECT_EQ(metrics_->validation_cache_hit, 1u);
  EXPECT_EQ(as_->request_count(AsEndpoint::jwks), 2u);  // rate-limited: no third fetch
}

TEST_F(TokenServiceTest, CacheHitStillRebindsForEveryPresenter) {
  make(discovery_config());
  // A bearer token naming agent A (no cnf): identity-bound through A's signature.
  json claims = delegated_claims(kAgentA);
  const std::string token = as_->mint(claims);
  auto o = check(present(token, Scheme::bearer, agent_a_));
  EXPECT_OUTCOME(o, State::bound, Reason::ok);
  EXPECT_EQ(o.delegation->binding.kind, "identity");
  const auto fetched = as_->request_count();
  // The same token from agent B: validation from the cache, binding refused.
  o = check(present(token, Scheme::bearer, agent_b_, kAgentB));
  EXPECT_OUTCOME(o, State::rejected, Reason::agent_binding_mismatch);
  EXPECT_EQ(metrics_->validation_cache_hit, 1u);
  EXPECT_EQ(metrics_->validation_cache_miss, 1u);
  EXPECT_EQ(as_->request_count(), fetched);
  // And a cnf-bound token presented by B with B's DPoP proof.
  const std::string bound = dpop_token();
  EXPECT_OUTCOME(check(present(bound, Scheme::dpop, agent_a_)), State::bound, Reason::ok);
  o = check(present(bound, Scheme::dpop, agent_b_, kAgentB));
  EXPECT_EQ(o.state, State::rejected);
  EXPECT_TRUE(o.reason == Reason::invalid_dpop_proof || o.reason == Reason::cnf_key_mismatch)
      << o.reason;
}

TEST_F(TokenServiceTest, CachedTokenTimeIsRecheckedOnEveryHit) {
  make(static_config());
  json claims = delegated_claims(kAgentA);  // bearer, identity-bound
  claims["exp"] = now_ + 30;
  const std::string token = as_->mint(claims);
  EXPECT_OUTCOME(check(present(token, Scheme::bearer, agent_a_)), State::bound, Reason::ok);
  // 85 s later (a fresh signature): still valid within the 60 s skew, from the cache.
  EXPECT_OUTCOME(
      check(present(token, Scheme::bearer, agent_a_, kAgentA, "/orders/1", now_ + 85), now_ + 85),
      State::bound, Reason::ok);
  // 91 s later: exp + skew has passed.
  EXPECT_OUTCOME(
      check(present(token, Scheme::bearer, agent_a_, kAgentA, "/orders/1", now_ + 91), now_ + 91),
      State::rejected, Reason::token_expired);
  EXPECT_EQ(metrics_->validation_cache_hit, 1u);
}

TEST_F(TokenServiceTest, ActorAliasesTakeTheSignatureAgentAsSent) {
  Config c = static_config();
  // A bare origin, as agent A sends it in Signature-Agent; and a directory URL for client ids.
  c.actor_aliases = {
      {as_->issuer(), "agent-42", kAgentA},
      {as_->issuer(), "client-7", kAgentA + "/.well-known/http-message-signatures-directory"}};
  make(c);
  json claims = delegated_claims(kAgentA);
  claims["act"] = {{"sub", "agent-42"}, {"iss", as_->issuer()}};
  auto o = check(present(as_->mint(claims), Scheme::bearer, agent_a_));
  EXPECT_OUTCOME(o, State::bound, Reason::ok);
  EXPECT_EQ(o.delegation->actor_matched_as, "alias");
  EXPECT_OUTCOME(check(present(as_->mint(claims), Scheme::bearer, agent_b_, kAgentB)),
                 State::rejected, Reason::agent_binding_mismatch);
  claims["act"] = {{"sub", "agent-42"}, {"iss", "https://evil.example"}};
  EXPECT_OUTCOME(check(present(as_->mint(claims), Scheme::bearer, agent_a_)), State::rejected,
                 Reason::agent_binding_mismatch);
  EXPECT_OUTCOME(check(present(as_->mint_user_token(kUser, "orders:read", "client-7"),
                               Scheme::bearer, agent_a_)),
                 State::bound, Reason::ok);
}

// -- DPoP -----------------------------------------------------------------------------------------

TEST_F(TokenServiceTest, DpopJtiReplayIsRefused) {
  make(static_config());
  auto p = present(dpop_token(), Scheme::dpop, agent_a_);
  EXPECT_OUTCOME(check(p), State::bound, Reason::ok);
  EXPECT_OUTCOME(check(p), State::rejected, Reason::signature_replayed);
  EXPECT_EQ(metrics_->dpop_replayed, 1u);
}

TEST_F(TokenServiceTest, DpopSchemeWithoutProofIsInvalidRequest) {
  make(static_config());
  auto p = present(dpop_token(), Scheme::dpop, agent_a_);
  std::get<wba::http::Request>(p.request).headers.erase("DPoP");
  EXPECT_OUTCOME(check(p), State::rejected, Reason::invalid_request);
}

// -- introspection --------------------------------------------------------------------------------

TEST_F(TokenServiceTest, IntrospectionActiveBindsAndIsCached) {
  make(introspection_config());
  json response{{"active", true},
                {"iss", as_->issuer()},
                {"sub", kUser},
                {"aud", kResource},
                {"client_id", kAgentA},
                {"scope", "orders:read"},
                {"token_type", "DPoP"},
                {"exp", now_ + 300},
                {"iat", now_ - 10},
                {"act", {{"sub", kAgentA}, {"iss", as_->issuer()}}},
                {"cnf", {{"jkt", agent_a_.thumbprint()}}}};
  const std::string token = as_->issue_opaque(response);
  auto o = check(present(token, Scheme::dpop, agent_a_));
  EXPECT_OUTCOME(o, State::bound, Reason::ok);
  EXPECT_EQ(o.delegation->principal_sub, kUser);
  ASSERT_EQ(as_->request_count(AsEndpoint::introspection), 1u);
  auto seen = as_->requests().at(0);
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.header("Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(seen.body, "token=" + token + "&token_type_hint=access_token");
  EXPECT_EQ(seen.header("Authorization"), "Basic " + wba::base64_encode("rs-client:rs-secret"));
  // Cached (≤ 60 s): a second presentation does not introspect again.
  EXPECT_OUTCOME(check(present(token, Scheme::dpop, agent_a_)), State::bound, Reason::ok);
  EXPECT_EQ(as_->request_count(AsEndpoint::introspection), 1u);
  EXPECT_EQ(metrics_->introspection_cache_hit, 1u);
}

TEST_F(TokenServiceTest, ConcurrentIntrospectionsOfOneTokenShareOnePost) {
  make(introspection_config());
  json response{{"active", true},       {"iss", as_->issuer()},
                {"sub", kUser},         {"aud", kResource},
                {"client_id", kAgentA}, {"scope", "orders:read"},
                {"exp", now_ + 300},    {"act", {{"sub", kAgentA}, {"iss", as_->issuer()}}}};
  const std::string token = as_->issue_opaque(response);
  constexpr int kCallers = 12;
  std::vector<std::future<TokenOutcome>> results;
  std::vector<Presented> presented;
  for (int i = 0; i < kCallers; ++i) presented.push_back(present(token, Scheme::bearer, agent_a_));
  for (const auto& p : presented) {
    auto promise = std::make_shared<std::promise<TokenOutcome>>();
    results.push_back(promise->get_future());
    service_->check(p.request, p.agents, now_,
                    [promise](TokenOutcome o) { promise->set_value(std::move(o)); });
  }
  for (auto& f : results) {
    ASSERT_EQ(f.wait_for(seconds(10)), std::future_status::ready);
    EXPECT_OUTCOME(f.get(), State::bound, Reason::ok);
  }
  // One POST: the others joined it while in flight (or, issued after it finished, hit the
  // cache it filled).
  EXPECT_EQ(as_->request_count(AsEndpoint::introspection), 1u);
  EXPECT_GE(metrics_->introspection_coalesced, 1u);
  EXPECT_EQ(metrics_->introspection_coalesced + metrics_->introspection_cache_hit,
            static_cast<std::uint64_t>(kCallers - 1));
}

TEST_F(TokenServiceTest, IntrospectionInactiveIsRefusedAndBrieflyCached) {
  make(introspection_config());
  const std::string token = "never_issued_by_this_as";
  EXPECT_OUTCOME(check(present(token, Scheme::bearer, agent_a_)), State::rejected,
                 Reason::token_inactive);
  EXPECT_OUTCOME(check(present(token, Scheme::bearer, agent_a_)), State::rejected,
                 Reason::token_inactive);
  EXPECT_EQ(as_->request_count(AsEndpoint::introspection), 1u);
  auto later = present(token, Scheme::bearer, agent_a_);
  EXPECT_EQ(check(later, now_ + 31).reason, Reason::token_inactive);
  EXPECT_EQ(as_->request_count(AsEndpoint::introspection), 2u);
}

TEST_F(TokenServiceTest, IntrospectionFailureIsUnverified) {
  as_->set_fault(AsEndpoint::introspection, AsFault::status_500);
  make(introspection_config());
  EXPECT_OUTCOME(check(present("opaque-token-1", Scheme::bearer, agent_a_)), State::unverified,
                 Reason::introspection_unavailable);
  // Not cached: the next attempt asks again.
  EXPECT_OUTCOME(check(present("opaque-token-1", Scheme::bearer, agent_a_)), State::unverified,
                 Reason::introspection_unavailable);
  EXPECT_EQ(as_->request_count(AsEndpoint::introspection), 2u);
}

TEST_F(TokenServiceTest, IntrospectionWithWrongCredentialsIsUnverified) {
  make(introspection_config("wrong-secret"));
  auto o = check(present("opaque-token-2", Scheme::bearer, agent_a_));
  EXPECT_OUTCOME(o, State::unverified, Reason::introspection_unavailable);
  EXPECT_NE(o.detail.find("401"), std::string::npos) << o.detail;
}

TEST_F(TokenServiceTest, IntrospectedDpopTokenPresentedAsBearerIsAMismatch) {
  make(introspection_config());
  json response{{"active", true},    {"iss", as_->issuer()},     {"sub", kUser},
                {"aud", kResource},  {"client_id", kAgentA},     {"token_type", "DPoP"},
                {"exp", now_ + 300}, {"act", {{"sub", kAgentA}}}};
  EXPECT_OUTCOME(check(present(as_->issue_opaque(response), Scheme::bearer, agent_a_)),
                 State::rejected, Reason::pop_scheme_mismatch);
}

TEST_F(TokenServiceTest, NonJwtsAreIntrospectedButJwesAreNot) {
  make(introspection_config());
  // Two segments: not a JWT, so opaque.
  EXPECT_OUTCOME(check(present("opaque.part", Scheme::bearer, agent_a_)), State::rejected,
                 Reason::token_inactive);
  EXPECT_EQ(as_->request_count(AsEndpoint::introspection), 1u);
  // Five segments: a JWE, which this daemon does not decrypt (and does not send anywhere).
  EXPECT_OUTCOME(check(present("eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d", Scheme::bearer, agent_a_)),
                 State::rejected, Reason::unsupported_token_format);
  EXPECT_EQ(as_->request_count(AsEndpoint::introspection), 1u);
}

TEST_F(TokenServiceTest, OpaqueTokenWithoutIntrospectionIsUnsupported) {
  make(static_config());
  EXPECT_OUTCOME(check(present("opaque-token-3", Scheme::bearer, agent_a_)), State::rejected,
                 Reason::unsupported_token_format);
  EXPECT_EQ(as_->request_count(), 0u);
}

// -- route policy ---------------------------------------------------------------------------------

TEST_F(TokenServiceTest, RoutePolicyRequiredOptionalOff) {
  Config c = static_config();
  RouteConfig orders;
  orders.prefix = "/orders/";
  orders.token = TokenPolicy::required;
  orders.required_scopes = std::vector<std::string>{"orders:read"};
  RouteConfig pub;
  pub.prefix = "/public/";
  pub.token = TokenPolicy::off;
  RouteConfig admin;
  admin.prefix = "/admin/";
  admin.required_scopes = std::vector<std::string>{"admin"};
  c.routes = {orders, pub, admin};
  make(c);
  EXPECT_OUTCOME(check(plain("/orders/1")), State::rejected, Reason::token_required);
  EXPECT_OUTCOME(check(plain("/%6Frders/1")), State::rejected, Reason::token_required);
  EXPECT_OUTCOME(check(plain("/x/../orders/1")), State::rejected, Reason::token_required);
  EXPECT_OUTCOME(check(plain("/articles/1")), State::no_token, Reason::ok);
  // off: even a malformed Authorization is not looked at.
  EXPECT_OUTCOME(check(plain("/public/x", "Magic nonsense")), State::no_token, Reason::ok);
  EXPECT_OUTCOME(check(plain("/articles/1", "Magic nonsense")), State::rejected,
                 Reason::unsupported_token_scheme);
  EXPECT_OUTCOME(check(present(dpop_token(), Scheme::dpop, agent_a_, kAgentA, "/orders/9")),
                 State::bound, Reason::ok);
  EXPECT_OUTCOME(check(present(dpop_token(), Scheme::dpop, agent_a_, kAgentA, "/admin/9")),
                 State::rejected, Reason::insufficient_scope);
}

TEST_F(TokenServiceTest, GlobalRequiredPolicy) {
  Config c = static_config();
  c.token_policy = TokenPolicy::required;
  make(c);
  EXPECT_OUTCOME(check(plain("/anything")), State::rejected, Reason::token_required);
}

// -- token exchange -------------------------------------------------------------------------------

TEST_F(TokenServiceTest, TokenExchangeRoundTripProducesATokenThatBinds) {
  as_->register_agent(kAgentA, agent_a_.verifying_key());
  make(discovery_config());

  // The agent exchanges the user's token (subject) and its own actor token at the AS, over the
  // daemon's transport (a POST).
  wba::token::TokenExchangeRequest req;
  req.subject_token = as_->mint_user_token(kUser, "orders:read cart:write");
  req.actor_token = as_->make_actor_token(agent_a_, kAgentA);
  req.actor_token_type = std::string(wba::token::kJwtTokenType);
  req.resources = {kResource};
  req.scopes = {"orders:read"};
  auto answer = post_to_token_endpoint(req);
  ASSERT_EQ(answer.error, fetch::FetchError::none) << answer.detail;
  ASSERT_EQ(answer.status, 200) << answer.body;
  auto exchanged = wba::token::parse_token_exchange_response(answer.body);
  ASSERT_TRUE(exchanged.ok()) << exchanged.error().message();
  EXPECT_EQ(exchanged->token_type, "DPoP");

  // Presented by the agent with a DPoP proof made with its Web Bot Auth key (= cnf.jkt).
  auto o = check(present(exchanged->access_token, Scheme::dpop, agent_a_));
  EXPECT_OUTCOME(o, State::bound, Reason::ok);
  ASSERT_TRUE(o.delegation);
  EXPECT_EQ(o.delegation->principal_sub, kUser);
  EXPECT_EQ(o.delegation->delegation, "explicit_act");
  EXPECT_EQ(o.delegation->binding.kind, "key+identity");
  EXPECT_EQ(o.delegation->scopes, std::vector<std::string>{"orders:read"});
  // Another agent cannot use it.
  auto other = check(present(exchanged->access_token, Scheme::dpop, agent_b_, kAgentB));
  EXPECT_EQ(other.state, State::rejected);
  // The user's own token is not the agent's to use.
  EXPECT_EQ(check(present(req.subject_token, Scheme::bearer, agent_a_)).reason,
            Reason::agent_binding_mismatch);
}

TEST_F(TokenServiceTest, TokenExchangeRefusesAnUnknownAgent) {
  // Not registered: the AS refuses the actor token (the test server's own check).
  wba::token::TokenExchangeRequest req;
  req.subject_token = as_->mint_user_token();
  req.actor_token = as_->make_actor_token(agent_b_, kAgentB);
  req.actor_token_type = std::string(wba::token::kJwtTokenType);
  auto answer = post_to_token_endpoint(req);
  EXPECT_EQ(answer.status, 400);
  auto parsed = wba::token::parse_token_exchange_response(answer.body);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().detail.find("invalid_grant"), std::string::npos);
}

}  // namespace
}  // namespace wbad
