// Delegation binding end to end through the real wbad process (docs/DELEGATION.md; research
// delegation.md §9 "edge cases and attacks", §10 claim sets): one test authorization server on
// 127.0.0.1 over HTTPS (a CA generated at run time, given to wbad with --directory-ca-file),
// agents A and B with fresh Ed25519 keys trusted with --trust, requests signed with the library
// (wba::token::present_token, or profile::sign_request with a chosen coverage) and sent to the
// JSON API (/v1/verify) and the proxy front ends (forward-auth mostly; nginx and Envoy once). The
// in-process token-stage tests are in token/token_service_test.cc; these check what a deployment
// sees: options, wire format, codes.
//
// Clocks: wbad and the authorization server both use the real clock (no --allow-now-override);
// tokens are minted with iat = now and exp = now + 300.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <optional>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "daemon_process.h"
#include "fetch/beast_transport.h"
#include "fetch/outbound_policy.h"
#include "fetch/test_pki.h"
#include "token/as_transport.h"
#include "token/test_auth_server.h"
#include "wba/crypto/key.h"
#include "wba/encoding/base64.h"
#include "wba/http/target.h"
#include "wba/profile/web_bot_auth.h"
#include "wba/sig/component.h"
#include "wba/token/agent.h"
#include "wba/token/token_exchange.h"

namespace wbad::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using wba::token::Scheme;
using Headers = std::vector<std::pair<std::string, std::string>>;

const std::string kResource = "https://api.shop.example";
const std::string kAgentA = "https://agent-a.example";
const std::string kAgentB = "https://agent-b.example";
const std::string kUser = "u_248289761001";
const std::string kUserApp = "https://app.example.com/client";
const std::string kPath = "/orders/123";

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string b64url(std::string_view s) { return wba::base64url_encode(s); }

// A string member, "" when absent or not a string (the verdict's actor is null without one).
std::string str(const json& v, const std::string& name) {
  auto it = v.find(name);
  return it != v.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// How wbad learns the authorization server's keys.
enum class Keys { discovery, static_file, none };

class DelegationE2E : public ::testing::Test {
 protected:
  static inline TestPki* pki_ = nullptr;
  static inline TestAuthServer* as_ = nullptr;
  static inline std::optional<wba::SigningKey> key_a_;
  static inline std::optional<wba::SigningKey> key_b_;
  static inline fs::path dir_;

  static void SetUpTestSuite() {
    pki_ = new TestPki(make_test_pki({"localhost"}, {"127.0.0.1"}));
    as_ = new TestAuthServer(*pki_);
    key_a_ = wba::SigningKey::generate(wba::Algorithm::ed25519).value();
    key_b_ = wba::SigningKey::generate(wba::Algorithm::ed25519).value();
    as_->register_agent(kAgentA, key_a_->verifying_key());
    as_->register_agent(kAgentB, key_b_->verifying_key());
    dir_ = fs::temp_directory_path() / ("wbad-delegation-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "ca.pem") << pki_->ca_cert_pem;
    std::ofstream(dir_ / "agent-a.jwks.json")
        << json{{"keys", json::array({key_a_->to_public_jwk()})}}.dump();
    std::ofstream(dir_ / "agent-b.jwks.json")
        << json{{"keys", json::array({key_b_->to_public_jwk()})}}.dump();
    std::ofstream(dir_ / "as.jwks.json") << as_->public_jwks();
    std::ofstream(dir_ / "introspection.secret") << "rs-client:rs-secret\n";
  }

  static void TearDownTestSuite() {
    delete as_;
    as_ = nullptr;
    delete pki_;
    pki_ = nullptr;
    key_a_.reset();
    key_b_.reset();
    fs::remove_all(dir_);
  }

  void TearDown() override { as_->clear_faults(); }

  static std::string file(const std::string& name) { return (dir_ / name).string(); }

  // wbad with agents A and B trusted, this resource's audience, the test CA, the AS's port
  // allowed and private addresses allowed (the AS is on 127.0.0.1); the AS as issuer with its
  // keys found per `keys`, and its introspection endpoint.
  std::unique_ptr<DaemonProcess> start(Keys keys, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"--threads", "2", "--shutdown-grace", "1"};
    args.insert(args.end(), {"--directory-ca-file", file("ca.pem"), "--allow-private-fetch",
                             "--allow-directory-port", std::to_string(as_->port())});
    args.insert(args.end(), {"--audience", kResource});
    args.insert(args.end(), {"--trust", kAgentA + "=" + file("agent-a.jwks.json")});
    args.insert(args.end(), {"--trust", kAgentB + "=" + file("agent-b.jwks.json")});
    if (keys != Keys::none) {
      if (keys == Keys::discovery) {
        args.insert(args.end(), {"--issuer-discovery", as_->issuer()});
      } else {
        args.insert(args.end(), {"--issuer", as_->issuer() + "=" + file("as.jwks.json")});
      }
      args.insert(args.end(),
                  {"--introspection", as_->issuer() + "=" + as_->introspection_endpoint(),
                   "--introspection-credentials", file("introspection.secret")});
    }
    args.insert(args.end(), extra.begin(), extra.end());
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    auto d = std::make_unique<DaemonProcess>(
        args, dir_ / ("wbad-" + name + "-" + std::to_string(++runs_) + ".log"));
    EXPECT_TRUE(d->listening()) << "exit " << d->early_exit_code() << ": " << d->log_text();
    return d;
  }

  // -- requests ------------------------------------------------------------------------------

  static wba::http::Request request_to(const std::string& path) {
    wba::http::Request r;
    r.method = "GET";
    r.target = wba::http::target_from_uri(kResource + path).value();
    r.headers.add("Host", r.target.authority);
    return r;
  }

  struct Present {
    std::string path = kPath;
    std::optional<std::int64_t> created;  // default: now
    std::int64_t lifetime = 60;
    std::optional<std::string> dpop_jti;
  };

  // The agent's side (delegation.md §3.3): Authorization (and a DPoP proof by the same key),
  // signed covering @method, @path, authorization (and dpop).
  static wba::http::Request present(const std::string& token, Scheme scheme,
                                    const wba::SigningKey& key, const std::string& agent,
                                    const Present& p) {
    auto r = request_to(p.path);
    wba::profile::AgentSignOptions so;
    so.signature_agent = agent;
    so.created = p.created;
    so.lifetime = p.lifetime;
    wba::token::TokenPresentationOptions po;
    po.scheme = scheme;
    po.dpop_jti = p.dpop_jti;
    auto sig = wba::token::present_token(r, key, so, token, po);
    EXPECT_TRUE(sig.ok()) << sig.error().message();
    return r;
  }
  static wba::http::Request present(const std::string& token, Scheme scheme,
                                    const wba::SigningKey& key, const std::string& agent) {
    return present(token, scheme, key, agent, Present{});
  }
  static wba::http::Request by_a(const std::string& token, Scheme scheme = Scheme::bearer) {
    return present(token, scheme, *key_a_, kAgentA);
  }
  static wba::http::Request by_b(const std::string& token, Scheme scheme = Scheme::bearer) {
    return present(token, scheme, *key_b_, kAgentB);
  }

  // A Web Bot Auth signature over "@authority" "signature-agent" plus `components` (e.g.
  // "\"@method\" \"@path\""), with `authorization` added unsigned-or-not as the caller chose.
  static wba::http::Request sign_with(const std::string& authorization, const wba::SigningKey& key,
                                      const std::string& agent, const std::string& components,
                                      const std::string& path = kPath) {
    auto r = request_to(path);
    if (!authorization.empty()) r.headers.add("Authorization", authorization);
    wba::profile::AgentSignOptions so;
    so.signature_agent = agent;
    if (!components.empty()) {
      so.extra_components = wba::sig::parse_component_list(components).value();
    }
    auto sig = wba::profile::sign_request(r, key, so);
    EXPECT_TRUE(sig.ok()) << sig.error().message();
    return r;
  }

  static json body_of(const wba::http::Request& r, const Headers& more = {}) {
    json headers = json::array();
    for (const auto& [n, v] : r.headers.lines()) headers.push_back(json::array({n, v}));
    for (const auto& [n, v] : more) headers.push_back(json::array({n, v}));
    return json{{"method", r.method}, {"url", r.target.uri()}, {"headers", headers}};
  }

  // POST /v1/verify: the verdict.
  static json verify(const DaemonProcess& d, const wba::http::Request& r,
                     const Headers& more = {}) {
    auto res = d.request(bhttp::verb::post, "/v1/verify", {{"Content-Type", "application/json"}},
                         body_of(r, more).dump());
    EXPECT_EQ(res.result_int(), 200) << res.body();
    auto j = json::parse(res.body(), nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << res.body();
    return j.is_discarded() ? json::object() : j;
  }

  // The request as Traefik's ForwardAuth / Caddy's forward_auth send it to /v1/auth/forward.
  static Headers forward_headers(const wba::http::Request& r, const Headers& more = {}) {
    Headers h{{"Host", "wbad.internal"},
              {"X-Forwarded-Method", r.method},
              {"X-Forwarded-Proto", "https"},
              {"X-Forwarded-Host", r.target.authority},
              {"X-Forwarded-Uri", r.target.path + (r.target.query ? "?" + *r.target.query : "")}};
    for (const auto& [n, v] : r.headers.lines()) {
      if (!wba::http::iequals(n, "host")) h.emplace_back(n, v);
    }
    h.insert(h.end(), more.begin(), more.end());
    return h;
  }

  // nginx auth_request: the original request in X-Original-*.
  static Headers nginx_headers(const wba::http::Request& r) {
    Headers h{{"Host", r.target.authority},
              {"X-Original-Method", r.method},
              {"X-Original-URI", r.target.path + (r.target.query ? "?" + *r.target.query : "")}};
    for (const auto& [n, v] : r.headers.lines()) {
      if (!wba::http::iequals(n, "host")) h.emplace_back(n, v);
    }
    return h;
  }

  // Envoy ext_authz (HTTP service): the path after /v1/auth/envoy, the client's headers as is.
  static Headers envoy_headers(const wba::http::Request& r) {
    Headers h;
    for (const auto& [n, v] : r.headers.lines()) h.emplace_back(n, v);
    return h;
  }

  // -- tokens --------------------------------------------------------------------------------

  // POS-1 of research §10: user principal, `agent` as actor, bound to `jkt` when given.
  static json delegated(const std::string& agent, const std::optional<std::string>& jkt) {
    json c = as_->base_claims(kUser, agent);
    c["scope"] = "orders:read cart:write";
    c["act"] = {{"sub", agent}, {"iss", as_->issuer()}};
    if (jkt) c["cnf"] = {{"jkt", *jkt}};
    return c;
  }
  // POS-1 for agent A: cnf.jkt = K_A, act.sub = A.
  static std::string pop_token_a() { return as_->mint(delegated(kAgentA, key_a_->thumbprint())); }
  // POS-3: a bearer token (no cnf) whose act.sub names `agent`; client_id is the user's app.
  static json bearer_claims(const std::string& agent) {
    json c = as_->base_claims(kUser, kUserApp);
    c["scope"] = "orders:read";
    c["act"] = {{"sub", agent}};
    return c;
  }
  static std::string bearer_token(const std::string& agent) {
    return as_->mint(bearer_claims(agent));
  }

  // RFC 8693 at the AS's /token endpoint over HTTPS (the test CA): the user's token as subject,
  // the agent's own JWT as actor token, this resource as `resource`.
  static wba::Result<wba::token::TokenExchangeResponse> exchange(const wba::SigningKey& key,
                                                                 const std::string& agent,
                                                                 std::vector<std::string> scopes) {
    wba::token::TokenExchangeRequest req;
    req.subject_token = as_->mint_user_token(kUser, "orders:read cart:write");
    req.actor_token = as_->make_actor_token(key, agent);
    req.actor_token_type = std::string(wba::token::kJwtTokenType);
    req.resources = {kResource};
    req.scopes = std::move(scopes);
    auto body = wba::token::token_exchange_body(req);
    if (!body) return body.error();

    boost::asio::io_context ioc;
    auto work = boost::asio::make_work_guard(ioc);
    std::thread runner([&ioc] { ioc.run(); });
    auto transport = as_transport(ioc.get_executor(), *pki_, *as_);
    const fetch::FetchRequest post = token_exchange_post(*as_, *body);
    std::promise<fetch::FetchResult> promise;
    auto future = promise.get_future();
    transport->fetch(post, [&promise](fetch::FetchResult r) { promise.set_value(std::move(r)); });
    const bool ready = future.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
    fetch::FetchResult answer;
    if (ready) answer = future.get();
    transport.reset();
    work.reset();
    ioc.stop();
    runner.join();
    if (!ready) return wba::Error(wba::Reason::io_error, "token endpoint: no answer in 10 s");
    if (answer.error != fetch::FetchError::none) {
      return wba::Error(wba::Reason::io_error, "token endpoint: " + answer.detail);
    }
    return wba::token::parse_token_exchange_response(answer.body);
  }

  // -- verdict checks ----------------------------------------------------------------------------

  // The token was refused with `reason`: the verdict is not valid, carries the token's code as its
  // reason, and token {state, reason, status} (delegation.md §5); no delegation is reported.
  static void expect_refused(const json& v, const std::string& reason, int status = 401,
                             const std::string& state = "rejected") {
    EXPECT_EQ(v.value("valid", true), false) << v.dump();
    EXPECT_EQ(str(v, "reason"), reason) << v.dump();
    EXPECT_EQ(str(v, "outcome"), state == "unverified" ? "unverified" : "invalid") << v.dump();
    ASSERT_TRUE(v.contains("token") && v["token"].is_object()) << v.dump();
    EXPECT_EQ(str(v["token"], "state"), state) << v.dump();
    EXPECT_EQ(str(v["token"], "reason"), reason) << v.dump();
    EXPECT_EQ(v["token"].value("status", 0), status) << v.dump();
    EXPECT_FALSE(v.contains("principal")) << v.dump();
    EXPECT_FALSE(v.contains("delegation")) << v.dump();
  }

  // The token bound: principal, actor and binding kind as given, the flat members and the
  // delegation object present.
  static void expect_bound(const json& v, const std::string& principal, const std::string& actor,
                           const std::string& binding) {
    EXPECT_EQ(v.value("valid", false), true) << v.dump();
    EXPECT_EQ(str(v, "reason"), "ok") << v.dump();
    ASSERT_TRUE(v.contains("token") && v["token"].is_object()) << v.dump();
    EXPECT_EQ(str(v["token"], "state"), "bound") << v.dump();
    EXPECT_FALSE(v["token"].contains("reason")) << v.dump();
    EXPECT_EQ(str(v, "principal"), principal) << v.dump();
    EXPECT_EQ(str(v, "actor"), actor) << v.dump();
    EXPECT_EQ(str(v, "binding"), binding) << v.dump();
    EXPECT_EQ(str(v, "issuer"), as_->issuer()) << v.dump();
    EXPECT_TRUE(v.contains("actor_chain") && v["actor_chain"].is_array()) << v.dump();
    EXPECT_TRUE(v.contains("token_id") && v.contains("token_expires") && v.contains("client_id") &&
                v.contains("scope"))
        << v.dump();
    ASSERT_TRUE(v.contains("delegation") && v["delegation"].is_object()) << v.dump();
    EXPECT_TRUE(v["delegation"].contains("principal")) << v.dump();
    EXPECT_TRUE(v["delegation"].contains("binding")) << v.dump();
  }

  // §9 #2, #3, #4 and #8 (and the positive control POS-3) on a running daemon.
  static void transplant_cases(const DaemonProcess& d) {
    // #2 a bearer token (no cnf) naming A in act.sub, presented by B with a covering signature.
    const std::string bearer_a = bearer_token(kAgentA);
    {
      json v = verify(d, by_b(bearer_a));
      SCOPED_TRACE("#2 bearer transplant");
      expect_refused(v, "agent_binding_mismatch");
      EXPECT_EQ(str(v["token"], "scheme"), "Bearer");
    }
    // …while A itself binds it by identity (POS-3).
    {
      json v = verify(d, by_a(bearer_a));
      SCOPED_TRACE("POS-3");
      expect_bound(v, kUser, kAgentA, "identity");
      EXPECT_EQ(str(v, "client_id"), kUserApp);
      EXPECT_EQ(v["delegation"]["binding"]["presenter_proof"], "wba_signature") << v.dump();
    }
    // #3 the user's own token (no act, client_id = the user's web app) used by agent A.
    {
      SCOPED_TRACE("#3 user token used by an agent");
      expect_refused(verify(d, by_a(as_->mint_user_token(kUser, "orders:read"))),
                     "agent_binding_mismatch");
    }
    // #4 agent B presents agent A's client token (client_id = A, no act, no cnf)…
    const std::string client_token_a = as_->mint_user_token(kUser, "orders:read", kAgentA);
    {
      SCOPED_TRACE("#4 B presents A's client token");
      expect_refused(verify(d, by_b(client_token_a)), "agent_binding_mismatch");
    }
    // A itself fares no better without configuration: a type=directory agent's client_id is
    // only known through an --actor-alias (DELEGATION.md "Departures": same-origin cards are not
    // discovered); ActorAliasesMatchOnlyInTheirNamespace covers the configured case.
    {
      SCOPED_TRACE("A's client token, no alias");
      expect_refused(verify(d, by_a(client_token_a)), "agent_binding_mismatch");
    }
    // #8 only an inner actor matches: act.sub = B, act.act.sub = A, presented by A.
    {
      json c = as_->base_claims(kUser, kUserApp);
      c["act"] = {{"sub", kAgentB}, {"act", {{"sub", kAgentA}}}};
      SCOPED_TRACE("#8 inner actor");
      expect_refused(verify(d, by_a(as_->mint(c))), "agent_binding_mismatch");
    }
  }

  int runs_ = 0;
};

#define EXPECT_REFUSED(v, ...)      \
  do {                              \
    SCOPED_TRACE(#v);               \
    expect_refused(v, __VA_ARGS__); \
  } while (0)
#define EXPECT_BOUND(v, ...)      \
  do {                            \
    SCOPED_TRACE(#v);             \
    expect_bound(v, __VA_ARGS__); \
  } while (0)

// -- token exchange and the transplant attacks (§9 #1–#4), with discovered and static keys -------

// The round trip of delegation.md §3.3 through the real AS: agent A exchanges the user's token at
// /token (RFC 8693) and gets an at+jwt with act.sub = A and cnf.jkt = K_A, which it presents with
// DPoP by K_A; then every transplant of §9 #1–#4 and #8 is refused with its exact code.

TEST_F(DelegationE2E, DiscoveredIssuerExchangeRoundTripAndTransplants) {
  auto d = start(Keys::discovery);
  const auto metadata_before = as_->request_count(AsEndpoint::metadata);
  const auto jwks_before = as_->request_count(AsEndpoint::jwks);
  auto exchanged = exchange(*key_a_, kAgentA, {"orders:read"});
  ASSERT_TRUE(exchanged.ok()) << exchanged.error().message();
  EXPECT_EQ(exchanged->token_type, "DPoP");

  json v = verify(*d, by_a(exchanged->access_token, Scheme::dpop));
  EXPECT_BOUND(v, kUser, kAgentA, "key+identity");
  EXPECT_EQ(v["actor_chain"], json::array({kAgentA})) << v.dump();
  EXPECT_EQ(str(v, "client_id"), kAgentA);
  EXPECT_EQ(str(v, "scope"), "orders:read");
  EXPECT_EQ(str(v["token"], "scheme"), "DPoP");
  EXPECT_EQ(str(v, "agent"), kAgentA);
  EXPECT_EQ(str(v, "key_thumbprint"), key_a_->thumbprint());
  EXPECT_EQ(v["delegation"]["delegation"], "explicit_act") << v.dump();
  EXPECT_EQ(v["delegation"]["principal"]["sub"], kUser) << v.dump();
  EXPECT_EQ(v["delegation"]["binding"]["presenter_proof"], "dpop") << v.dump();
  EXPECT_EQ(v["delegation"]["binding"]["pop_key_thumbprint"], key_a_->thumbprint()) << v.dump();
  EXPECT_GT(v.value("token_expires", std::int64_t{0}), unix_now()) << v.dump();
  // Discovery: RFC 8414 metadata then the JWKS, once each.
  EXPECT_EQ(as_->request_count(AsEndpoint::metadata), metadata_before + 1);
  EXPECT_EQ(as_->request_count(AsEndpoint::jwks), jwks_before + 1);

  // #1 the PoP token transplanted to agent B, with a DPoP proof by K_B: cnf.jkt ≠ the proof key.
  EXPECT_REFUSED(verify(*d, by_b(exchanged->access_token, Scheme::dpop)), "invalid_dpop_proof");
  // #1 as Bearer with B's Web Bot Auth signature covering it: a cnf-bound token as Bearer.
  EXPECT_REFUSED(verify(*d, by_b(exchanged->access_token)), "pop_scheme_mismatch");
  transplant_cases(*d);
  // Validation is cached but binding is not: A still binds after all of the above.
  EXPECT_BOUND(verify(*d, by_a(exchanged->access_token, Scheme::dpop)), kUser, kAgentA,
               "key+identity");
  EXPECT_EQ(as_->request_count(AsEndpoint::jwks), jwks_before + 1);
}

TEST_F(DelegationE2E, StaticIssuerKeysBindAndRefuseTransplantsWithoutFetching) {
  auto d = start(Keys::static_file);
  auto exchanged = exchange(*key_a_, kAgentA, {"orders:read", "cart:write"});
  ASSERT_TRUE(exchanged.ok()) << exchanged.error().message();
  const auto before = as_->request_count();
  json v = verify(*d, by_a(exchanged->access_token, Scheme::dpop));
  EXPECT_BOUND(v, kUser, kAgentA, "key+identity");
  EXPECT_EQ(str(v, "scope"), "orders:read cart:write");
  EXPECT_REFUSED(verify(*d, by_b(exchanged->access_token, Scheme::dpop)), "invalid_dpop_proof");
  EXPECT_REFUSED(verify(*d, by_b(exchanged->access_token)), "pop_scheme_mismatch");
  transplant_cases(*d);
  EXPECT_EQ(as_->request_count(), before) << "static keys: nothing is fetched from the AS";
}

TEST_F(DelegationE2E, WbaSignatureAsPopAcceptsBearerOnlyForTheBoundKey) {
  // #14 by default a DPoP-bound token sent as Bearer is refused (RFC 9449 §7.2)…
  {
    auto d = start(Keys::discovery);
    EXPECT_REFUSED(verify(*d, by_a(pop_token_a())), "pop_scheme_mismatch");
  }
  // …and with --wba-signature-as-pop ISS A's covering signature is the proof of possession.
  auto d = start(Keys::discovery, {"--wba-signature-as-pop", as_->issuer()});
  json v = verify(*d, by_a(pop_token_a()));
  EXPECT_BOUND(v, kUser, kAgentA, "key+identity");
  EXPECT_EQ(str(v["token"], "scheme"), "Bearer");
  EXPECT_EQ(v["delegation"]["binding"]["presenter_proof"], "wba_signature") << v.dump();
  // #1 under that setting: B's signature by K_B is not the token's key → cnf_key_mismatch.
  EXPECT_REFUSED(verify(*d, by_b(pop_token_a())), "cnf_key_mismatch");
  // A signature that does not cover authorization is still no proof.
  EXPECT_REFUSED(
      verify(*d, sign_with("Bearer " + pop_token_a(), *key_a_, kAgentA, "\"@method\" \"@path\"")),
      "authorization_not_signed");
}

// -- actor names: global URLs and operator aliases (§9 #9, NEG-18) --------------------------

TEST_F(DelegationE2E, GlobalActorUrlsMatchWhateverTheNamespace) {
  auto d = start(Keys::discovery);
  // #9 act.sub = A's URL under act.iss = evil: a URL is a global name, accepted.
  json c = bearer_claims(kAgentA);
  c["act"] = {{"sub", kAgentA}, {"iss", "https://evil.example"}};
  json v = verify(*d, by_a(as_->mint(c)));
  EXPECT_BOUND(v, kUser, kAgentA, "identity");
  // The opaque id agent-42 with no alias configured names nobody.
  c["act"] = {{"sub", "agent-42"}, {"iss", as_->issuer()}};
  EXPECT_REFUSED(verify(*d, by_a(as_->mint(c))), "agent_binding_mismatch");
  // The key URN (RFC 9278) names A's key whatever the URL attribution (POS-6, without cnf).
  c["act"] = {{"sub", "urn:ietf:params:oauth:jwk-thumbprint:sha-256:" + key_a_->thumbprint()}};
  v = verify(*d, by_a(as_->mint(c)));
  EXPECT_BOUND(v, kUser, "urn:ietf:params:oauth:jwk-thumbprint:sha-256:" + key_a_->thumbprint(),
               "identity");
  EXPECT_REFUSED(verify(*d, by_b(as_->mint(c))), "agent_binding_mismatch");
}

// `--actor-alias "NS SUB=URL"`: the opaque actor id (or client_id) SUB in namespace NS names the
// agent at URL — only there, only for that agent (§3.1 rule 5, §9 #9, NEG-18). Here URL is A's
// directory URL (U, the well-known URL its bare-origin Signature-Agent member resolves to).
TEST_F(DelegationE2E, ActorAliasesMatchOnlyInTheirNamespace) {
  const std::string u = kAgentA + "/.well-known/http-message-signatures-directory";
  auto d = start(Keys::discovery, {"--actor-alias", as_->issuer() + " agent-42=" + u,
                                   "--actor-alias", as_->issuer() + " " + kAgentA + "=" + u});
  json c = bearer_claims(kAgentA);
  // The alias in its namespace: act.iss = the AS, or no act.iss (the token's iss).
  c["act"] = {{"sub", "agent-42"}, {"iss", as_->issuer()}};
  json v = verify(*d, by_a(as_->mint(c)));
  EXPECT_BOUND(v, kUser, "agent-42", "identity");
  if (v.contains("delegation")) {
    EXPECT_EQ(v["delegation"]["actor"]["matched_as"], "alias") << v.dump();
  }
  c["act"] = {{"sub", "agent-42"}};
  EXPECT_BOUND(verify(*d, by_a(as_->mint(c))), kUser, "agent-42", "identity");
  // Not for another agent…
  c["act"] = {{"sub", "agent-42"}, {"iss", as_->issuer()}};
  EXPECT_REFUSED(verify(*d, by_b(as_->mint(c))), "agent_binding_mismatch");
  // …and not in another namespace (NEG-18: the alias exists only for the AS's namespace).
  c["act"] = {{"sub", "agent-42"}, {"iss", "https://evil.example"}};
  EXPECT_REFUSED(verify(*d, by_a(as_->mint(c))), "agent_binding_mismatch");
  // An alias for a client_id: A's client token (no act) is implicit client delegation (§9 #4's
  // positive counterpart), still refused for B.
  v = verify(*d, by_a(as_->mint_user_token(kUser, "orders:read", kAgentA)));
  EXPECT_BOUND(v, kUser, kAgentA, "identity");
  if (v.contains("delegation")) {
    EXPECT_EQ(v["delegation"]["delegation"], "implicit_client") << v.dump();
  }
  EXPECT_REFUSED(verify(*d, by_b(as_->mint_user_token(kUser, "orders:read", kAgentA))),
                 "agent_binding_mismatch");
}

// Aliases may name the agent by its Signature-Agent identifier exactly as it sends it (a bare
// origin), not only by the resolved directory URL (docs/CONFIG.md "Actor aliases").
TEST_F(DelegationE2E, ActorAliasNamesTheSignatureAgentIdentifierAsSent) {
  auto d = start(Keys::discovery, {"--actor-alias", as_->issuer() + " agent-42=" + kAgentA,
                                   "--actor-alias", as_->issuer() + " " + kAgentA + "=" + kAgentA});
  json c = bearer_claims(kAgentA);
  c["act"] = {{"sub", "agent-42"}, {"iss", as_->issuer()}};
  EXPECT_BOUND(verify(*d, by_a(as_->mint(c))), kUser, "agent-42", "identity");
  EXPECT_BOUND(verify(*d, by_a(as_->mint_user_token(kUser, "orders:read", kAgentA))), kUser,
               kAgentA, "identity");
}

// -- the presenter proof (§9 #5, #6, DPoP replay) ----------------------------------------------

TEST_F(DelegationE2E, SignatureNotCoveringAuthorizationIsNotSigned) {
  auto d = start(Keys::discovery);
  // #5 A's signature covers only @authority and signature-agent (a stolen request whose token
  // was swapped), then @method and @path but still not authorization.
  for (const std::string components : {"", "\"@method\" \"@path\""}) {
    json v = verify(*d, sign_with("Bearer " + bearer_token(kAgentA), *key_a_, kAgentA, components));
    EXPECT_REFUSED(v, "authorization_not_signed", 401);
    EXPECT_EQ(str(v, "agent"), kAgentA) << "the signature itself verified: " << v.dump();
  }
  // The forward-auth front end answers 401 with the Bearer challenge and Accept-Signature
  // asking for the coverage binding needs.
  auto r = sign_with("Bearer " + bearer_token(kAgentA), *key_a_, kAgentA, "\"@method\" \"@path\"");
  auto res = d->request(bhttp::verb::get, "/v1/auth/forward", forward_headers(r));
  EXPECT_EQ(res.result_int(), 401);
  EXPECT_EQ(res["X-Agent-Reason"], "authorization_not_signed");
  EXPECT_EQ(res["WWW-Authenticate"], "Bearer error=\"invalid_token\"");
  const std::string accept(res["Accept-Signature"]);
  EXPECT_NE(accept.find("\"authorization\""), std::string::npos) << accept;
  EXPECT_NE(accept.find("\"@method\""), std::string::npos) << accept;
  EXPECT_NE(accept.find("tag=\"web-bot-auth\""), std::string::npos) << accept;
  EXPECT_EQ(res["X-Agent-Principal"], "");
}

TEST_F(DelegationE2E, StaleCoveringSignatureThenItsReplay) {
  auto d = start(Keys::discovery);
  // #6 the signature covers authorization but was created 10 minutes ago (a 1-hour lifetime,
  // within Web Bot Auth's 24 h): the Web Bot Auth stage accepts it, the binding does not.
  Present p;
  p.created = unix_now() - 600;
  p.lifetime = 3600;
  auto r = present(bearer_token(kAgentA), Scheme::bearer, *key_a_, kAgentA, p);
  json v = verify(*d, r);
  EXPECT_REFUSED(v, "stale_binding_signature", 401);
  // The same request again: its Web Bot Auth nonce was recorded, so the replay is caught first.
  v = verify(*d, r);
  EXPECT_EQ(v.value("valid", true), false) << v.dump();
  EXPECT_EQ(str(v, "reason"), "replayed") << v.dump();
  EXPECT_EQ(str(v, "outcome"), "invalid") << v.dump();
}

TEST_F(DelegationE2E, DpopProofReplayedUnderAFreshSignature) {
  auto d = start(Keys::discovery);
  const std::string token = pop_token_a();
  Present p;
  p.dpop_jti = "proof-" + b64url(key_a_->thumbprint().substr(0, 8));
  EXPECT_BOUND(verify(*d, present(token, Scheme::dpop, *key_a_, kAgentA, p)), kUser, kAgentA,
               "key+identity");
  // A new request (fresh Web Bot Auth nonce and signature) reusing the proof's jti.
  json v = verify(*d, present(token, Scheme::dpop, *key_a_, kAgentA, p));
  EXPECT_REFUSED(v, "signature_replayed", 401);
  EXPECT_EQ(str(v["token"], "scheme"), "DPoP");
}

// -- JOSE attacks (§9 #18, #19, #21, #23, #25, #28) -------------------------------------------

TEST_F(DelegationE2E, AlgNoneAndHs256AreNotAllowed) {
  auto d = start(Keys::discovery);
  const std::string payload = delegated(kAgentA, std::nullopt).dump();
  // #18 alg none (and case variants), empty signature.
  for (const std::string alg : {"none", "None", "NONE"}) {
    json header{{"alg", alg}, {"typ", "at+jwt"}, {"kid", as_->kid(AsKey::ed25519)}};
    std::string token = b64url(header.dump()) + "." + b64url(payload) + ".";
    SCOPED_TRACE(alg);
    EXPECT_REFUSED(verify(*d, by_a(token)), "alg_not_allowed");
  }
  // #19 HS256 keyed with the AS's public Ed25519 key bytes (algorithm confusion).
  json jwks = json::parse(as_->public_jwks());
  std::string x;
  for (const auto& k : jwks["keys"]) {
    if (k.value("kid", "") == as_->kid(AsKey::ed25519)) x = k.value("x", "");
  }
  ASSERT_FALSE(x.empty()) << jwks.dump();
  auto secret = wba::base64url_decode(x);
  ASSERT_TRUE(secret.ok());
  auto hmac = wba::SigningKey::from_hmac_secret(*secret);
  ASSERT_TRUE(hmac.ok()) << hmac.error().message();
  json header{{"alg", "HS256"}, {"typ", "at+jwt"}, {"kid", as_->kid(AsKey::ed25519)}};
  const std::string input = b64url(header.dump()) + "." + b64url(payload);
  auto mac = hmac->sign(input);
  ASSERT_TRUE(mac.ok()) << mac.error().message();
  EXPECT_REFUSED(verify(*d, by_a(input + "." + b64url(*mac))), "alg_not_allowed");
  // The same claims properly signed bind (the refusals were about the algorithm).
  EXPECT_BOUND(verify(*d, by_a(as_->mint(delegated(kAgentA, std::nullopt)))), kUser, kAgentA,
               "identity");
}

TEST_F(DelegationE2E, UntrustedIssuerFetchesNothing) {
  auto d = start(Keys::discovery);
  const auto before = as_->request_count();
  // #21 (and #35's near-misses): iss not configured byte for byte, signed by the AS's own key.
  for (const std::string& iss :
       {std::string("https://as.evil.example"), as_->issuer() + "/", as_->issuer() + "/tenant"}) {
    json c = delegated(kAgentA, key_a_->thumbprint());
    c["iss"] = iss;
    SCOPED_TRACE(iss);
    EXPECT_REFUSED(verify(*d, by_a(as_->mint(c), Scheme::dpop)), "untrusted_issuer");
  }
  EXPECT_EQ(as_->request_count(), before) << "an untrusted issuer must cause no fetch at all";
}

TEST_F(DelegationE2E, UnknownKidAfterOneJwksFetchAndNoMoreForAFlood) {
  // A fresh daemon: nothing cached. #23 the first token names a kid the JWKS lacks: metadata and
  // JWKS are fetched once, then unknown_kid; more unknown kids within the minute fetch nothing
  // (at most one JWKS load per issuer per 60 s, delegation.md §4 step 7).
  auto d = start(Keys::discovery);
  const auto metadata_before = as_->request_count(AsEndpoint::metadata);
  const auto jwks_before = as_->request_count(AsEndpoint::jwks);
  json v = verify(*d, by_a(as_->mint(delegated(kAgentA, std::nullopt), AsKey::ed25519,
                                     {{"kid", "rotated-away"}})));
  EXPECT_REFUSED(v, "unknown_kid");
  EXPECT_EQ(as_->request_count(AsEndpoint::metadata), metadata_before + 1);
  EXPECT_EQ(as_->request_count(AsEndpoint::jwks), jwks_before + 1);
  for (int i = 0; i < 5; ++i) {
    EXPECT_REFUSED(verify(*d, by_a(as_->mint(delegated(kAgentA, std::nullopt), AsKey::ed25519,
                                             {{"kid", "flood-" + std::to_string(i)}}))),
                   "unknown_kid");
  }
  EXPECT_EQ(as_->request_count(AsEndpoint::jwks), jwks_before + 1) << "a kid flood refetched";
  // The known kids still validate from the cached JWKS, ES256 and PS256 included.
  for (AsKey k : {AsKey::ed25519, AsKey::es256, AsKey::ps256}) {
    EXPECT_BOUND(verify(*d, by_a(as_->mint(delegated(kAgentA, std::nullopt), k))), kUser, kAgentA,
                 "identity");
  }
  EXPECT_EQ(as_->request_count(AsEndpoint::jwks), jwks_before + 1);
}

TEST_F(DelegationE2E, MalformedAndEncryptedTokens) {
  auto d = start(Keys::discovery);
  // #25 duplicate members: `sub` twice in the payload (validly signed by the AS)…
  std::string payload = delegated(kAgentA, std::nullopt).dump();
  payload.insert(1, "\"sub\":\"someone-else\",");
  EXPECT_REFUSED(
      verify(*d, by_a(as_->mint_raw(json{{"typ", "at+jwt"}, {"kid", as_->kid(AsKey::ed25519)}},
                                    payload))),
      "malformed_jwt");
  // …and `alg` twice in the header (the classic {"alg":"EdDSA","alg":"none"}).
  const std::string raw_header = "{\"alg\":\"EdDSA\",\"typ\":\"at+jwt\",\"kid\":\"" +
                                 as_->kid(AsKey::ed25519) + "\",\"alg\":\"none\"}";
  EXPECT_REFUSED(
      verify(*d, by_a(b64url(raw_header) + "." + b64url(delegated(kAgentA, std::nullopt).dump()) +
                      "." + b64url(std::string(64, '\x01')))),
      "malformed_jwt");
  // #28 a JWE (five segments).
  const std::string jwe = b64url(R"({"alg":"RSA-OAEP-256","enc":"A256GCM","typ":"at+jwt"})") + "." +
                          b64url("encrypted-key") + "." + b64url("iv-iv-iv-iv") + "." +
                          b64url("ciphertext") + "." + b64url("tag-tag-tag-tag");
  EXPECT_REFUSED(verify(*d, by_a(jwe)), "unsupported_token_format");
}

// -- claims and delegation structure (§9 #31, #36, #38) ----------------------------------------

TEST_F(DelegationE2E, ExpiredTokenWithinAndBeyondTheSkew) {
  auto d = start(Keys::discovery);
  const std::int64_t now = unix_now();
  // #31 exp = now − 120 (beyond the 60 s skew).
  json c = delegated(kAgentA, std::nullopt);
  c["iat"] = now - 400;
  c["exp"] = now - 120;
  EXPECT_REFUSED(verify(*d, by_a(as_->mint(c))), "token_expired");
  // exp = now − 20: inside the skew, accepted.
  c = delegated(kAgentA, std::nullopt);
  c["iat"] = now - 300;
  c["exp"] = now - 20;
  EXPECT_BOUND(verify(*d, by_a(as_->mint(c))), kUser, kAgentA, "identity");
}

TEST_F(DelegationE2E, ActStructure) {
  auto d = start(Keys::discovery);
  // #36/#37 act that is not an object with a string sub.
  for (const json& act :
       {json("https://agent-a.example"), json::array({kAgentA}), json(42), json(nullptr),
        json::object(), json{{"iss", "https://as.example"}}, json{{"sub", 7}}}) {
    json c = delegated(kAgentA, std::nullopt);
    c["act"] = act;
    SCOPED_TRACE(act.dump());
    EXPECT_REFUSED(verify(*d, by_a(as_->mint(c))), "invalid_act");
  }
  // #38 five nested actors with the default limit of 4 → act_chain_too_deep…
  json deep = {{"sub", "https://x4.example"}};
  for (const char* sub : {"https://x3.example", "https://x2.example", "https://x1.example"}) {
    deep = {{"sub", sub}, {"act", deep}};
  }
  json c = delegated(kAgentA, std::nullopt);
  c["act"] = {{"sub", kAgentA}, {"act", deep}};
  EXPECT_REFUSED(verify(*d, by_a(as_->mint(c))), "act_chain_too_deep");
  // …and exactly four accepted, A the authoritative actor, the chain outermost first.
  c["act"] = {{"sub", kAgentA}, {"act", deep["act"]}};
  json v = verify(*d, by_a(as_->mint(c)));
  EXPECT_BOUND(v, kUser, kAgentA, "identity");
  EXPECT_EQ(v["actor_chain"], json::array({kAgentA, "https://x2.example", "https://x3.example",
                                           "https://x4.example"}))
      << v.dump();
}

// -- opaque tokens (§9 #46) --------------------------------------------------------------------

TEST_F(DelegationE2E, OpaqueTokensThroughIntrospection) {
  auto d = start(Keys::discovery);
  const std::int64_t now = unix_now();
  json active{{"active", true},
              {"iss", as_->issuer()},
              {"sub", kUser},
              {"aud", kResource},
              {"client_id", kAgentA},
              {"scope", "orders:read cart:write"},
              {"token_type", "DPoP"},
              {"exp", now + 300},
              {"iat", now},
              {"jti", "intro-1"},
              {"act", {{"sub", kAgentA}, {"iss", as_->issuer()}}},
              {"cnf", {{"jkt", key_a_->thumbprint()}}}};
  const std::string opaque = as_->issue_opaque(active);
  const auto intro_before = as_->request_count(AsEndpoint::introspection);
  json v = verify(*d, by_a(opaque, Scheme::dpop));
  EXPECT_BOUND(v, kUser, kAgentA, "key+identity");
  EXPECT_EQ(as_->request_count(AsEndpoint::introspection), intro_before + 1);
  // The AS saw client_secret_basic credentials and the token.
  const auto seen = as_->requests();
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back().endpoint, AsEndpoint::introspection);
  EXPECT_EQ(seen.back().header("Authorization").rfind("Basic ", 0), 0u);
  // Transplanted to B: the AS says DPoP-bound to K_A.
  EXPECT_REFUSED(verify(*d, by_b(opaque, Scheme::dpop)), "invalid_dpop_proof");
  EXPECT_REFUSED(verify(*d, by_a(opaque)), "pop_scheme_mismatch");

  // active: false → token_inactive.
  EXPECT_REFUSED(verify(*d, by_a(as_->issue_opaque({{"active", false}}), Scheme::dpop)),
                 "token_inactive");
  EXPECT_REFUSED(verify(*d, by_a("opaque_never_issued", Scheme::dpop)), "token_inactive");

  // The endpoint answers 500: unverified, 503 — not a 401 for the agent.
  as_->set_fault(AsEndpoint::introspection, AsFault::status_500);
  const std::string fresh = as_->issue_opaque(active);
  v = verify(*d, by_a(fresh, Scheme::dpop));
  EXPECT_REFUSED(v, "introspection_unavailable", 503, "unverified");
  auto res =
      d->request(bhttp::verb::get, "/v1/auth/forward", forward_headers(by_a(fresh, Scheme::dpop)));
  EXPECT_EQ(res.result_int(), 503);
  EXPECT_EQ(res["X-Agent-Reason"], "introspection_unavailable");
  EXPECT_EQ(res["X-Agent-Outcome"], "unverified");
  // nginx cannot pass a 503 through auth_request: 401, the reason in the header.
  res = d->request(bhttp::verb::get, "/v1/auth/nginx", nginx_headers(by_a(fresh, Scheme::dpop)));
  EXPECT_EQ(res.result_int(), 401);
  EXPECT_EQ(res["X-Agent-Reason"], "introspection_unavailable");
}

// -- issuer unreachable ------------------------------------------------------------------------

TEST_F(DelegationE2E, IssuerDownIsUnverifiedQuickly) {
  // The AS closes every discovery connection without answering; a fresh daemon has nothing
  // cached.
  as_->set_fault(AsEndpoint::metadata, AsFault::down);
  as_->set_fault(AsEndpoint::oidc_metadata, AsFault::down);
  as_->set_fault(AsEndpoint::jwks, AsFault::down);
  auto d = start(Keys::discovery);
  const auto metadata_before = as_->request_count(AsEndpoint::metadata);
  auto t0 = std::chrono::steady_clock::now();
  json v = verify(*d, by_a(pop_token_a(), Scheme::dpop));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
  EXPECT_REFUSED(v, "issuer_metadata_unavailable", 503, "unverified");
  EXPECT_GT(as_->request_count(AsEndpoint::metadata), metadata_before) << "the fault was not hit";
  auto res = d->request(bhttp::verb::get, "/v1/auth/forward",
                        forward_headers(by_a(pop_token_a(), Scheme::dpop)));
  EXPECT_EQ(res.result_int(), 503);
  EXPECT_EQ(res["X-Agent-Reason"], "issuer_metadata_unavailable");
}

TEST_F(DelegationE2E, IssuerOnAPortNobodyListensOnIsUnverifiedQuickly) {
  // A port that was free a moment ago, with nothing listening on it now.
  std::uint16_t port = 0;
  {
    net::io_context ioc;
    net::ip::tcp::acceptor a(ioc, {net::ip::make_address("127.0.0.1"), 0});
    port = a.local_endpoint().port();
  }
  const std::string issuer = "https://127.0.0.1:" + std::to_string(port);
  auto d = start(Keys::none,
                 {"--issuer-discovery", issuer, "--allow-directory-port", std::to_string(port)});
  json c = delegated(kAgentA, key_a_->thumbprint());
  c["iss"] = issuer;
  auto t0 = std::chrono::steady_clock::now();
  json v = verify(*d, by_a(as_->mint(c), Scheme::dpop));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
  EXPECT_REFUSED(v, "issuer_metadata_unavailable", 503, "unverified");
}

// -- policy: token required, route scopes ------------------------------------------------------

// The rest of the §9 list that a token can carry, each through the real wbad (JSON API), from
// a bearer token naming A (POS-3) presented by A with a covering signature.
TEST_F(DelegationE2E, RemainingAttackListThroughWbad) {
  auto d = start(Keys::discovery);
  const std::string kid = as_->kid(AsKey::ed25519);
  auto b64 = [](const std::string& s) { return wba::base64url_encode(s); };
  // A compact JWS whose signature is never reached: the header or payload is refused first.
  auto unsigned_jws = [&](const json& header, const json& claims) {
    return b64(header.dump()) + "." + b64(claims.dump()) + "." + b64(std::string(64, 'x'));
  };
  struct Case {
    std::string name;
    std::string token;
    std::string reason;  // "" = bound
  };
  std::vector<Case> cases;
  auto with = [&](const std::function<void(json&)>& edit) {
    json c = bearer_claims(kAgentA);
    edit(c);
    return as_->mint(c);
  };
  auto with_header = [&](const json& header) {
    return as_->mint(bearer_claims(kAgentA), AsKey::ed25519, header);
  };
  cases.push_back(
      {"#20 ES256 header, Ed25519 key",
       unsigned_jws({{"alg", "ES256"}, {"typ", "at+jwt"}, {"kid", kid}}, bearer_claims(kAgentA)),
       "alg_not_allowed"});
  cases.push_back({"#22 embedded jwk header",
                   with_header({{"jwk", {{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", "AAAA"}}}}),
                   "malformed_jwt"});
  cases.push_back(
      {"#22 jku header", with_header({{"jku", "https://evil.example/jwks"}}), "malformed_jwt"});
  cases.push_back(
      {"#24 10 KB kid", with_header({{"kid", std::string(10000, 'k')}}), "malformed_jwt"});
  cases.push_back(
      {"#24 injection-looking kid", with_header({{"kid", "../../etc/passwd"}}), "unknown_kid"});
  cases.push_back({"#26 typ at+JWT", with_header({{"typ", "at+JWT"}}), ""});
  cases.push_back({"#26 typ application/at+jwt", with_header({{"typ", "application/at+jwt"}}), ""});
  cases.push_back({"#26 typ JWT", with_header({{"typ", "JWT"}}), "invalid_typ"});
  cases.push_back({"#26 typ dpop+jwt", with_header({{"typ", "dpop+jwt"}}), "invalid_typ"});
  cases.push_back({"#27 crit", with_header({{"crit", {"exp"}}}), "malformed_jwt"});
  {
    std::string t = bearer_token(kAgentA);
    // token68 (RFC 9110 §11.2) allows '=' only at the end: inside, the header is malformed.
    cases.push_back({"#29 padding inside (not token68)",
                     t.substr(0, t.find('.')) + "=" + t.substr(t.find('.')), "invalid_request"});
    cases.push_back({"#29 trailing padding", t + "=", "malformed_jwt"});
    cases.push_back({"#29 standard-alphabet character", "+" + t.substr(1), "malformed_jwt"});
  }
  cases.push_back({"#30 100 KB token",
                   with([](json& c) { c["pad"] = std::string(100 * 1024, 'p'); }),
                   "invalid_request"});
  cases.push_back({"#32 exp as a string",
                   with([](json& c) { c["exp"] = std::to_string(c["exp"].get<std::int64_t>()); }),
                   "invalid_claim"});
  cases.push_back(
      {"#32 exp as a float", with([](json& c) { c["exp"] = c["exp"].get<double>() + 0.5; }), ""});
  cases.push_back({"#32 exp 1e300", with([](json& c) { c["exp"] = 1e300; }), "invalid_claim"});
  cases.push_back({"#33 aud missing", with([](json& c) { c.erase("aud"); }), "invalid_audience"});
  cases.push_back({"#33 aud array with ours", with([](json& c) {
                     c["aud"] = {"https://other.example", kResource};
                   }),
                   ""});
  cases.push_back(
      {"#39 expired act.exp is ignored", with([](json& c) { c["act"]["exp"] = 1; }), ""});
  cases.push_back({"#40 actor = subject", with([](json& c) {
                     c["act"] = {{"sub", kUser}, {"iss", as_->issuer()}};
                   }),
                   "agent_binding_mismatch"});
  cases.push_back(
      {"#41 A -> B -> A", with([](json& c) {
         c["act"] = {{"sub", kAgentA}, {"act", {{"sub", kAgentB}, {"act", {{"sub", kAgentA}}}}}};
       }),
       ""});
  cases.push_back({"#42 may_act without act", with([](json& c) {
                     c.erase("act");
                     c["may_act"] = {{"sub", kAgentA}};
                   }),
                   "delegation_not_exchanged"});
  cases.push_back({"#44 client_id = orchestrator, act = A",
                   with([](json& c) { c["client_id"] = "https://orchestrator.example/client"; }),
                   ""});
  cases.push_back({"#45 scope as an array", with([](json& c) { c["scope"] = {"orders:read"}; }),
                   "invalid_claim"});
  cases.push_back({"#45 scope with a forbidden character",
                   with([](json& c) { c["scope"] = "orders:read \"x\""; }), "invalid_claim"});
  cases.push_back({"#16 cnf x5t#S256, no certificate", with([](json& c) {
                     c["cnf"] = {{"x5t#S256", "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg0"}};
                   }),
                   "binding_unverifiable"});
  cases.push_back({"NEG-19 cnf with two methods", with([](json& c) {
                     c["cnf"] = {{"jkt", "poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U"},
                                 {"jwk",
                                  {{"kty", "OKP"},
                                   {"crv", "Ed25519"},
                                   {"x", "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs"}}}};
                   }),
                   "invalid_cnf"});
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    // present_token itself refuses to send a malformed or oversized token: sign those raw.
    const bool raw = c.name.rfind("#29", 0) == 0 || c.name.rfind("#30", 0) == 0;
    json v = verify(*d, raw ? sign_with("Bearer " + c.token, *key_a_, kAgentA,
                                        "\"@method\" \"@path\" \"authorization\"")
                            : by_a(c.token));
    if (c.reason.empty()) {
      EXPECT_BOUND(v, kUser, kAgentA, "identity");
    } else {
      const int status = c.reason == "invalid_request"            ? 400
                         : c.reason == "delegation_not_exchanged" ? 403
                                                                  : 401;
      EXPECT_REFUSED(v, c.reason, status);
    }
  }
  auto token_of = [&](std::string_view prefix) {
    for (const auto& c : cases) {
      if (c.name.rfind(prefix, 0) == 0) return c.token;
    }
    ADD_FAILURE() << "no case " << prefix;
    return std::string();
  };
  // #41 is accepted with its warning, #44 reports the orchestrator as client, A as actor.
  json v41 = verify(*d, by_a(token_of("#41")));
  EXPECT_NE(v41["delegation"]["warnings"].dump().find("actor_repeats_in_chain"), std::string::npos)
      << v41.dump();
  json v44 = verify(*d, by_a(token_of("#44")));
  EXPECT_EQ(str(v44, "client_id"), "https://orchestrator.example/client") << v44.dump();
  EXPECT_EQ(str(v44, "actor"), kAgentA) << v44.dump();
}

TEST_F(DelegationE2E, TokenPolicyRequired) {
  auto d = start(Keys::discovery, {"--token-policy", "required"});
  // A valid Web Bot Auth signature and no token.
  json v = verify(*d, sign_with("", *key_a_, kAgentA, "\"@method\" \"@path\""));
  EXPECT_REFUSED(v, "token_required", 401);
  EXPECT_EQ(str(v, "agent"), kAgentA) << v.dump();
  auto res = d->request(bhttp::verb::get, "/v1/auth/forward",
                        forward_headers(sign_with("", *key_a_, kAgentA, "\"@method\" \"@path\"")));
  EXPECT_EQ(res.result_int(), 401);
  EXPECT_EQ(res["X-Agent-Reason"], "token_required");
  // With a bound token the route is satisfied.
  EXPECT_BOUND(verify(*d, by_a(pop_token_a(), Scheme::dpop)), kUser, kAgentA, "key+identity");
}

TEST_F(DelegationE2E, RevokedTokenIdsAndAllowedActors) {
  json claims = delegated(kAgentA, key_a_->thumbprint());
  claims["jti"] = "at-revoked-1";
  const std::string revoked = as_->mint(claims);
  { std::ofstream(dir_ / "revoked.txt") << "# revocation feed\n\nat-revoked-1\n"; }
  auto d = start(Keys::discovery, {"--revoked-token-ids", (dir_ / "revoked.txt").string(),
                                   "--allowed-actor", kAgentB});
  EXPECT_REFUSED(verify(*d, by_a(revoked, Scheme::dpop)), "token_revoked", 401);
  // Not revoked, but only agent B may act for principals: A is refused with 403.
  json v = verify(*d, by_a(pop_token_a(), Scheme::dpop));
  EXPECT_REFUSED(v, "actor_unauthorized", 403);
  // The verdict counters name the token reasons.
  auto m = d->request(bhttp::verb::get, "/metrics").body();
  EXPECT_NE(m.find("reason=\"actor_unauthorized\"} 1"), std::string::npos) << m;
  EXPECT_NE(m.find("reason=\"token_revoked\"} 1"), std::string::npos) << m;
  EXPECT_NE(m.find("wbad_directory_"), std::string::npos) << m;
  EXPECT_NE(m.find("wbad_token_outcome_rejected_total 2"), std::string::npos) << m;
}

TEST_F(DelegationE2E, OptionalPolicyWithoutATokenIsNoToken) {
  auto d = start(Keys::discovery);
  json v = verify(*d, sign_with("", *key_a_, kAgentA, "\"@method\" \"@path\""));
  EXPECT_EQ(v.value("valid", false), true) << v.dump();
  EXPECT_EQ(str(v["token"], "state"), "no_token") << v.dump();
  EXPECT_FALSE(v.contains("principal")) << v.dump();
}

TEST_F(DelegationE2E, RouteScopesFromTheConfigFile) {
  const fs::path config = dir_ / "routes.json";
  std::ofstream(config) << json{{"routes",
                                 json::array({{{"prefix", "/admin/"},
                                               {"token", "required"},
                                               {"required_scopes", {"admin:write"}}},
                                              {{"prefix", "/public/"}, {"token", "off"}}})}}
                               .dump();
  auto d = start(Keys::discovery, {"--config", config.string()});
  Present admin;
  admin.path = "/admin/users";
  json v = verify(*d, present(pop_token_a(), Scheme::dpop, *key_a_, kAgentA, admin));
  EXPECT_REFUSED(v, "insufficient_scope", 403);
  auto res =
      d->request(bhttp::verb::get, "/v1/auth/forward",
                 forward_headers(present(pop_token_a(), Scheme::dpop, *key_a_, kAgentA, admin)));
  EXPECT_EQ(res.result_int(), 403);
  EXPECT_EQ(res["X-Agent-Reason"], "insufficient_scope");
  // /admin/ requires a token at all.
  EXPECT_REFUSED(
      verify(*d, sign_with("", *key_a_, kAgentA, "\"@method\" \"@path\"", "/admin/users")),
      "token_required", 401);
  // A token with the scope passes there.
  json c = delegated(kAgentA, key_a_->thumbprint());
  c["scope"] = "orders:read admin:write";
  EXPECT_BOUND(verify(*d, present(as_->mint(c), Scheme::dpop, *key_a_, kAgentA, admin)), kUser,
               kAgentA, "key+identity");
  // Other paths keep the global optional policy and no scope requirement.
  EXPECT_BOUND(verify(*d, by_a(pop_token_a(), Scheme::dpop)), kUser, kAgentA, "key+identity");
  // /public/: tokens are not looked at, even a transplanted one.
  Present pub;
  pub.path = "/public/catalog";
  v = verify(*d, present(bearer_token(kAgentA), Scheme::bearer, *key_b_, kAgentB, pub));
  EXPECT_EQ(v.value("valid", false), true) << v.dump();
  EXPECT_EQ(str(v["token"], "state"), "no_token") << v.dump();
}

// -- the proxy front end and header spoofing ---------------------------------------------------

TEST_F(DelegationE2E, ForwardAuthHeadersAndChallenges) {
  auto d = start(Keys::discovery);
  const Headers spoofed{{"X-Agent-Principal", "attacker"},
                        {"X-Agent-Actor", "https://evil.example"},
                        {"X-Agent-Binding", "key+identity"}};
  // A bound request: 200 with the delegation; the client's own X-Agent-* values are dropped.
  const std::string token = pop_token_a();
  auto res = d->request(bhttp::verb::get, "/v1/auth/forward",
                        forward_headers(by_a(token, Scheme::dpop), spoofed));
  EXPECT_EQ(res.result_int(), 200) << res["X-Agent-Reason"];
  EXPECT_EQ(res["X-Agent-Verified"], "true");
  EXPECT_EQ(res["X-Agent-Principal"], kUser);
  EXPECT_EQ(res["X-Agent-Actor"], kAgentA);
  EXPECT_EQ(res["X-Agent-Actor-Chain"], kAgentA);
  EXPECT_EQ(res["X-Agent-Client-Id"], kAgentA);
  EXPECT_EQ(res["X-Agent-Scope"], "orders:read cart:write");
  EXPECT_EQ(res["X-Agent-Issuer"], as_->issuer());
  EXPECT_EQ(res["X-Agent-Binding"], "key+identity");
  EXPECT_EQ(res["X-Agent-Delegation"], "explicit_act");
  EXPECT_FALSE(std::string(res["X-Agent-Token-Id"]).empty());
  EXPECT_FALSE(std::string(res["X-Agent-Token-Expires"]).empty());
  EXPECT_EQ(std::distance(res.equal_range("X-Agent-Principal").first,
                          res.equal_range("X-Agent-Principal").second),
            1);
  EXPECT_EQ(res.count("WWW-Authenticate"), 0u);

  // The Envoy front end says the same.
  res = d->request(bhttp::verb::get, "/v1/auth/envoy" + kPath,
                   envoy_headers(by_a(token, Scheme::dpop)));
  EXPECT_EQ(res.result_int(), 200) << res["X-Agent-Reason"];
  EXPECT_EQ(res["X-Agent-Principal"], kUser);

  // A transplant (#2, Bearer): 401 with the Bearer challenge, the identity headers empty.
  res = d->request(bhttp::verb::get, "/v1/auth/forward",
                   forward_headers(by_b(bearer_token(kAgentA)), spoofed));
  EXPECT_EQ(res.result_int(), 401);
  EXPECT_EQ(res["X-Agent-Reason"], "agent_binding_mismatch");
  EXPECT_EQ(res["WWW-Authenticate"], "Bearer error=\"invalid_token\"");
  EXPECT_EQ(res["X-Agent-Principal"], "");
  EXPECT_EQ(res["X-Agent-Actor"], "");
  EXPECT_EQ(res["X-Agent-Binding"], "");
  // A transplant (#1, DPoP): the DPoP challenge.
  res = d->request(bhttp::verb::get, "/v1/auth/forward",
                   forward_headers(by_b(token, Scheme::dpop), spoofed));
  EXPECT_EQ(res.result_int(), 401);
  EXPECT_EQ(res["X-Agent-Reason"], "invalid_dpop_proof");
  EXPECT_EQ(res["WWW-Authenticate"], "DPoP error=\"invalid_dpop_proof\"");
  EXPECT_EQ(res["X-Agent-Principal"], "");

  // No token, spoofed headers: verified agent, no principal.
  res = d->request(
      bhttp::verb::get, "/v1/auth/forward",
      forward_headers(sign_with("", *key_a_, kAgentA, "\"@method\" \"@path\""), spoofed));
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res["X-Agent-Principal"], "");
  EXPECT_EQ(res["X-Agent-Actor"], "");
  // Unsigned, spoofed headers: 401, nothing echoed.
  res =
      d->request(bhttp::verb::get, "/v1/auth/forward", forward_headers(request_to(kPath), spoofed));
  EXPECT_EQ(res.result_int(), 401);
  EXPECT_EQ(res["X-Agent-Principal"], "");
}

TEST_F(DelegationE2E, JsonApiNeverTakesThePrincipalFromTheRequest) {
  auto d = start(Keys::discovery);
  const Headers spoofed{{"X-Agent-Principal", "attacker"},
                        {"X-Agent-Actor", "https://evil.example"}};
  json v = verify(*d, by_a(pop_token_a(), Scheme::dpop), spoofed);
  EXPECT_BOUND(v, kUser, kAgentA, "key+identity");
  v = verify(*d, sign_with("", *key_a_, kAgentA, "\"@method\" \"@path\""), spoofed);
  EXPECT_EQ(v.value("valid", false), true) << v.dump();
  EXPECT_FALSE(v.contains("principal")) << v.dump();
  EXPECT_FALSE(v.contains("actor")) << v.dump();
}

}  // namespace
}  // namespace wbad::testing
