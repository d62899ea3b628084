// End to end: an authorization server issues a JWT access token, the agent presents it with its
// Web Bot Auth signature (and a DPoP proof by the same key), and the resource server runs the
// whole chain — credential, signature, proof, token validation, binding — as the daemon does.
#include <gtest/gtest.h>

#include "wba/encoding/base64.h"
#include "wba/http/http1_text.h"
#include "wba/jose/jws.h"
#include "wba/jose/thumbprint.h"
#include "wba/token/access_token.h"
#include "wba/token/agent.h"
#include "wba/token/binding.h"
#include "wba/token/dpop.h"

namespace wba::token {
namespace {

using nlohmann::json;

constexpr std::int64_t kNow = 1795435200;
const std::string kIss = "https://as.example.com";
const std::string kResource = "https://api.shop.example";
const std::string kAgentUrl = "https://agent-a.example";

struct AgentFlow : ::testing::Test {
  SigningKey as_key = SigningKey::generate(Algorithm::ed25519).value();
  SigningKey agent_key = SigningKey::generate(Algorithm::ed25519).value();
  http::Request req = std::get<http::Request>(
      http::parse_http1("GET /orders/123?page=2 HTTP/1.1\nHost: api.shop.example\n\n").value());

  profile::AgentSignOptions sign_options() const {
    profile::AgentSignOptions o;
    o.signature_agent = kAgentUrl;
    o.created = kNow;
    return o;
  }

  // POS-1 with the agent named by its directory origin and bound to its key.
  json claims() const {
    return {{"iss", kIss},
            {"sub", "u_248289761001"},
            {"aud", kResource},
            {"exp", kNow + 300},
            {"iat", kNow - 300},
            {"jti", "at-5f1c2e9a"},
            {"client_id", "https://app.example.com/client"},
            {"scope", "orders:read cart:write"},
            {"act", {{"sub", kAgentUrl}, {"iss", kIss}}},
            {"cnf", {{"jkt", agent_key.thumbprint()}}}};
  }
  std::string issue(const json& payload) const {
    return jose::sign_compact_jws({{"typ", "at+jwt"}, {"kid", "as-1"}}, payload.dump(), as_key)
        .value();
  }

  // The resource server's side of the request.
  Result<Delegation> serve(const http::Request& r, const BindingPolicy& binding = {}) const {
    WBA_TRY(auto presented, find_presented_token(r.headers));
    if (!presented) return Error(Reason::token_required);
    profile::ProfilePolicy pp;
    pp.now = kNow + 1;
    WBA_TRY(profile::AgentVerdict verdict,
            profile::ProfileVerifier(pp).verify(
                http::Message(r), profile::trusted_keys_lookup({agent_key.verifying_key()})));
    VerifiedAgent agent;
    agent.label = verdict.signature.label();
    agent.key_thumbprint = verdict.key_thumbprint;
    agent.signature_agent = verdict.agent->agent_url;
    agent.agent_type = "directory";
    agent.origin = verdict.agent->origin;
    agent.params = verdict.signature.params();

    Presentation p;
    p.token = *presented;
    if (presented->scheme == Scheme::dpop) {
      const auto proofs = r.headers.values("dpop");
      if (proofs.size() != 1) return Error(Reason::invalid_request, "one DPoP field");
      WBA_TRY(p.dpop,
              verify_dpop_proof(proofs[0], r.method, r.target.uri(), presented->token, kNow + 1));
    }

    IssuerPolicy issuer;
    issuer.issuer = kIss;
    issuer.audiences = {kResource};
    json jwk = as_key.to_public_jwk();
    jwk["kid"] = "as-1";
    WBA_TRY(auto keys, IssuerKeySet::parse(json{{"keys", {jwk}}}.dump()));
    WBA_TRY(auto candidate, parse_access_token(presented->token));
    WBA_TRY(auto token, validate_access_token(presented->token, candidate, issuer, keys, kNow + 1));
    return bind_token(token, p, {agent}, binding, kNow + 1);
  }
};

std::string covered(const sig::LabelledSignature& s) {
  std::string out;
  for (const auto& c : s.params.components()) out += (out.empty() ? "" : " ") + c.serialize();
  return out;
}

TEST_F(AgentFlow, BearerPresentationIsIdentityBound) {
  json c = claims();
  c.erase("cnf");
  const std::string at = issue(c);
  auto s = present_token(req, agent_key, sign_options(), at, Scheme::bearer);
  ASSERT_TRUE(s.ok()) << s.error().message();
  ASSERT_EQ(req.headers.values("authorization").size(), 1u);
  EXPECT_EQ(req.headers.values("authorization")[0], "Bearer " + at);
  EXPECT_FALSE(req.headers.contains("dpop"));
  EXPECT_EQ(covered(*s),
            R"("@authority" "signature-agent";key="sig1" "@method" "@path" "authorization")");
  auto d = serve(req);
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_EQ(d->binding.kind, "identity");
  EXPECT_EQ(d->binding.presenter_proof, "wba_signature");
  EXPECT_EQ(d->actor->sub, kAgentUrl);
  EXPECT_EQ(d->principal_sub, "u_248289761001");
  EXPECT_EQ(d->delegation, "explicit_act");
  EXPECT_EQ(d->token_sha256, token_hash(at));
  EXPECT_EQ(d->valid_until, kNow + profile::kDefaultLifetime);
}

TEST_F(AgentFlow, DpopPresentationIsKeyAndIdentityBound) {
  const std::string at = issue(claims());
  auto s = present_token(req, agent_key, sign_options(), at, Scheme::dpop);
  ASSERT_TRUE(s.ok()) << s.error().message();
  ASSERT_EQ(req.headers.values("authorization").size(), 1u);
  EXPECT_EQ(req.headers.values("authorization")[0], "DPoP " + at);
  EXPECT_EQ(covered(*s), R"("@authority" "signature-agent";key="sig1" "@method" "@path" )"
                         R"("authorization" "dpop")");
  // One key: the proof's jwk thumbprint is the signature's keyid and the token's cnf.jkt.
  ASSERT_EQ(req.headers.values("dpop").size(), 1u);
  auto proof = jose::parse_compact_jws(req.headers.values("dpop")[0]);
  ASSERT_TRUE(proof.ok()) << proof.error().message();
  EXPECT_EQ(proof->header["typ"], "dpop+jwt");
  EXPECT_EQ(jwk_thumbprint(proof->header["jwk"]).value(), agent_key.thumbprint());
  EXPECT_EQ(s->params.keyid(), agent_key.thumbprint());
  json payload = json::parse(proof->payload);
  EXPECT_EQ(payload["htm"], "GET");
  EXPECT_EQ(payload["htu"], "https://api.shop.example/orders/123");
  EXPECT_EQ(payload["iat"], kNow);
  EXPECT_EQ(payload["ath"], token_hash(at));

  auto d = serve(req);
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_EQ(d->binding.kind, "key+identity");
  EXPECT_EQ(d->binding.presenter_proof, "dpop");
  EXPECT_EQ(d->binding.pop_key_thumbprint, agent_key.thumbprint());
  EXPECT_TRUE(d->binding.wba_covers_authorization);
  EXPECT_EQ(d->valid_until, kNow + 300);
}

TEST_F(AgentFlow, DpopNonceAndJtiAreCarried) {
  const std::string at = issue(claims());
  TokenPresentationOptions o;
  o.scheme = Scheme::dpop;
  o.dpop_nonce = "server-nonce-1";
  o.dpop_jti = "proof-1";
  ASSERT_TRUE(present_token(req, agent_key, sign_options(), at, o).ok());
  auto proof = jose::parse_compact_jws(req.headers.values("dpop").at(0)).value();
  json payload = json::parse(proof.payload);
  EXPECT_EQ(payload["nonce"], "server-nonce-1");
  EXPECT_EQ(payload["jti"], "proof-1");
}

TEST_F(AgentFlow, TokenOfAnotherKeyIsRefused) {
  json c = claims();
  c["cnf"]["jkt"] = SigningKey::generate(Algorithm::ed25519).value().thumbprint();
  const std::string at = issue(c);
  ASSERT_TRUE(present_token(req, agent_key, sign_options(), at, Scheme::dpop).ok());
  EXPECT_EQ(serve(req).reason(), Reason::invalid_dpop_proof);
}

TEST_F(AgentFlow, PopTokenAsBearerIsRefusedByDefault) {
  const std::string at = issue(claims());
  ASSERT_TRUE(present_token(req, agent_key, sign_options(), at, Scheme::bearer).ok());
  EXPECT_EQ(serve(req).reason(), Reason::pop_scheme_mismatch);
  BindingPolicy opt_in;
  opt_in.wba_signature_as_pop = true;
  auto d = serve(req, opt_in);
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_EQ(d->binding.kind, "key+identity");
}

TEST_F(AgentFlow, SwappedTokenBreaksTheSignature) {
  json c = claims();
  c.erase("cnf");
  ASSERT_TRUE(present_token(req, agent_key, sign_options(), issue(c), Scheme::bearer).ok());
  c["sub"] = "someone-else";
  req.headers.set("Authorization", "Bearer " + issue(c));
  EXPECT_EQ(serve(req).reason(), Reason::bad_signature);
}

TEST_F(AgentFlow, CallerExtrasAreKeptWithoutDuplicates) {
  req.headers.add("Content-Type", "application/json");
  profile::AgentSignOptions o = sign_options();
  o.extra_components = {sig::ComponentId::make("@method").value(),
                        sig::ComponentId::make("content-type").value(),
                        sig::ComponentId::make("authorization").value()};
  auto s = present_token(req, agent_key, o, "tok", Scheme::bearer);
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(covered(*s), R"("@authority" "signature-agent";key="sig1" "@method" "@path" )"
                         R"("authorization" "content-type")");
}

TEST_F(AgentFlow, RefusalsLeaveTheRequestUnchanged) {
  const http::Fields before = req.headers;
  EXPECT_EQ(present_token(req, agent_key, sign_options(), "not token68", Scheme::bearer).reason(),
            Reason::invalid_argument);
  EXPECT_EQ(present_token(req, agent_key, sign_options(), "", Scheme::bearer).reason(),
            Reason::invalid_argument);
  EXPECT_EQ(present_token(req, agent_key, sign_options(), std::string(20000, 'a'), Scheme::bearer)
                .reason(),
            Reason::invalid_argument);
  EXPECT_EQ(present_token(req, agent_key, sign_options(), "tok", Scheme::httpsig).reason(),
            Reason::unsupported_token_scheme);
  auto hmac = SigningKey::from_hmac_secret(std::string(32, 'k')).value();
  EXPECT_EQ(present_token(req, hmac, sign_options(), "tok", Scheme::bearer).reason(),
            Reason::unsupported_algorithm);
  EXPECT_EQ(present_token(req, hmac, sign_options(), "tok", Scheme::dpop).reason(),
            Reason::unsupported_algorithm);
  profile::AgentSignOptions bad = sign_options();
  bad.signature_agent = "ftp://agent.example";
  EXPECT_FALSE(present_token(req, agent_key, bad, "tok", Scheme::dpop).ok());
  EXPECT_EQ(req.headers.lines(), before.lines());

  req.headers.add("Authorization", "Basic dXNlcjpwYXNz");
  EXPECT_EQ(present_token(req, agent_key, sign_options(), "tok", Scheme::bearer).reason(),
            Reason::invalid_argument);
  req.headers.erase("authorization");
  req.headers.add("DPoP", "stale-proof");
  EXPECT_EQ(present_token(req, agent_key, sign_options(), "tok", Scheme::dpop).reason(),
            Reason::invalid_argument);
}

// §10.2 cases that token validation (Steps 8–9) rejects before any binding.
TEST_F(AgentFlow, MalformedDelegationClaimsAreRefusedBeforeBinding) {
  struct Case {
    const char* name;
    json act;
    Reason reason;
  };
  json deep = {{"sub", "https://x4.example"}};
  for (const char* s : {"https://x3.example", "https://x2.example", "https://x1.example"}) {
    deep = {{"sub", s}, {"act", deep}};
  }
  deep = {{"sub", kAgentUrl}, {"act", deep}};  // five levels
  for (const auto& c : std::vector<Case>{
           {"NEG-6", deep, Reason::act_chain_too_deep},
           {"NEG-7", kAgentUrl, Reason::invalid_act},
           {"NEG-8", {{"iss", kIss}}, Reason::invalid_act},
       }) {
    json claims_ = claims();
    claims_["act"] = c.act;
    http::Request r = req;
    ASSERT_TRUE(present_token(r, agent_key, sign_options(), issue(claims_), Scheme::dpop).ok());
    EXPECT_EQ(serve(r).reason(), c.reason) << c.name;
  }
  // NEG-19: two confirmation methods.
  json claims_ = claims();
  claims_["cnf"]["jwk"] = agent_key.to_public_jwk();
  ASSERT_TRUE(present_token(req, agent_key, sign_options(), issue(claims_), Scheme::dpop).ok());
  EXPECT_EQ(serve(req).reason(), Reason::invalid_cnf);
}

}  // namespace
}  // namespace wba::token
