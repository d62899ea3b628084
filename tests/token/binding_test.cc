// The binding rule (delegation.md §3.2, §4 Steps 2 and 10–13) against the §10 claim sets and
// the §9 attacks, with tokens and verified agents built directly: the rule is pure.
#include <gtest/gtest.h>

#include "wba/jose/thumbprint.h"
#include "wba/token/binding.h"

namespace wba::token {
namespace {

using nlohmann::json;

// delegation.md §10 shared fixtures.
constexpr std::int64_t kNow = 1795435200;
constexpr std::int64_t kIat = 1795434900;
constexpr std::int64_t kExp = 1795435500;
const std::string kIss = "https://as.example.com";
const std::string kUser = "u_248289761001";
const std::string kApp = "https://app.example.com/client";
const std::string kKA = "poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U";
const std::string kKB = "gQRiECPaVcGJtBRZd_3CUyTtMGsTrDO21t9GQxwnfFU";
const std::string kKOther = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k";  // a separate PoP key
const std::string kOriginA = "https://agent-a.example";
const std::string kUA = kOriginA + "/.well-known/http-message-signatures-directory";
const std::string kCA = "https://agent-a.example/agent";
const std::string kOriginB = "https://agent-b.example";
const std::string kUB = kOriginB + "/.well-known/http-message-signatures-directory";
const std::string kCB = "https://agent-b.example/agent";
const std::string kOrchestrator = "https://orchestrator.example/agent";

// The signature parameters of a Web Bot Auth signature, as Signature-Input carries them.
std::string covering(const std::string& components, std::int64_t created = kNow - 5,
                     std::int64_t lifetime = 60, const std::string& keyid = kKA) {
  return "(" + components + ");created=" + std::to_string(created) +
         ";expires=" + std::to_string(created + lifetime) + ";keyid=\"" + keyid +
         "\";tag=\"web-bot-auth\"";
}
const std::string kFull =
    R"("@method" "@authority" "@path" "authorization" "signature-agent";key="sig1")";
const std::string kFullDpop =
    R"("@method" "@authority" "@path" "authorization" "dpop" "signature-agent";key="sig1")";
const std::string kNoAuthorization = R"("@authority" "signature-agent";key="sig1")";

VerifiedAgent agent(const std::string& k, const std::string& u, const std::string& origin,
                    const std::optional<std::string>& card, const std::string& params_text) {
  VerifiedAgent a;
  a.label = "sig1";
  a.key_thumbprint = k;
  a.signature_agent = u;
  a.agent_type = "directory";
  a.origin = origin;
  a.card_client_id = card;
  a.card_client_id_trust = card ? "same_origin" : "";
  auto p = sig::SignatureParams::parse(params_text);
  EXPECT_TRUE(p.ok()) << params_text << ": " << p.error().message();
  if (p) a.params = std::move(p).value();
  return a;
}
VerifiedAgent agent_a(const std::string& params_text = covering(kFull)) {
  return agent(kKA, kUA, kOriginA, kCA, params_text);
}
VerifiedAgent agent_b(const std::string& params_text = covering(kFull, kNow - 5, 60, kKB)) {
  return agent(kKB, kUB, kOriginB, kCB, params_text);
}
// Discovery failed or the key was trusted statically: no URL attribution (§4 Step 0).
VerifiedAgent unattributed_a(const std::string& params_text = covering(kFull)) {
  VerifiedAgent a = agent_a(params_text);
  a.signature_agent.reset();
  a.agent_type.clear();
  a.origin.reset();
  // Even if a card were known, it was not reached from a Signature-Agent.
  return a;
}

Actor actor(const std::string& sub, std::optional<std::string> iss = std::nullopt,
            std::optional<std::string> profile = std::nullopt) {
  return Actor{sub, std::move(iss), std::move(profile), std::nullopt};
}
Confirmation jkt(const std::string& t) {
  Confirmation c;
  c.method = Confirmation::Method::jkt;
  c.key_thumbprint = t;
  return c;
}

AccessToken base_token() {
  AccessToken t;
  t.sha256 = "Qn3sM6bB0vT7yX1c2d3e4f5g6h7i8j9k0l1m2n3o4p5";
  t.issuer = kIss;
  t.subject = kUser;
  t.audience = {"https://api.shop.example"};
  t.issued_at = kIat;
  t.expires_at = kExp;
  t.alg = "Ed25519";
  t.typ = "at+jwt";
  t.kid = "as-2026-11";
  return t;
}
// POS-1: explicit delegation to agent A, bound to K_A.
AccessToken pos1() {
  AccessToken t = base_token();
  t.sub_profile = "user";
  t.jti = "at-5f1c2e9a";
  t.client_id = kCA;
  t.scopes = {"orders:read", "cart:write"};
  t.actor_chain = {actor(kCA, kIss, "ai_agent")};
  t.cnf = jkt(kKA);
  return t;
}
// POS-3: a bearer token naming A by its origin, no cnf.
AccessToken pos3() {
  AccessToken t = base_token();
  t.jti = "at-b3b3";
  t.client_id = kApp;
  t.scopes = {"orders:read"};
  t.actor_chain = {actor(kOriginA)};
  return t;
}
// NEG-3: a user's own token: no act, no cnf, the user's web app as client.
AccessToken user_token() {
  AccessToken t = base_token();
  t.jti = "at-u1";
  t.client_id = kApp;
  t.scopes = {"orders:read"};
  return t;
}

Presentation dpop(const std::string& proof_key, const std::string& token = "at") {
  Presentation p;
  p.token = PresentedToken{Scheme::dpop, token};
  p.dpop = VerifiedDpopProof{proof_key, "proof-jti", kNow};
  return p;
}
Presentation bearer(const std::string& token = "at") {
  Presentation p;
  p.token = PresentedToken{Scheme::bearer, token};
  return p;
}

Result<Delegation> bind(const AccessToken& t, const Presentation& p,
                        const std::vector<VerifiedAgent>& agents,
                        const BindingPolicy& policy = {}) {
  return bind_token(t, p, agents, policy, kNow);
}

bool has_warning(const Delegation& d, const std::string& w) {
  return std::find(d.warnings.begin(), d.warnings.end(), w) != d.warnings.end();
}

// ---------------------------------------------------------------------------------------------
// §10.1 positive cases.

TEST(Binding, Pos1ExplicitDelegationKeyAndIdentity) {
  auto r = bind(pos1(), dpop(kKA), {agent_a()});
  ASSERT_TRUE(r.ok()) << r.error().message();
  const Delegation& d = *r;
  EXPECT_EQ(d.binding.kind, "key+identity");
  EXPECT_EQ(d.binding.as_link, "cnf.jkt");
  EXPECT_EQ(d.binding.presenter_proof, "dpop");
  EXPECT_TRUE(d.binding.key_bound);
  EXPECT_TRUE(d.binding.identity_bound);
  EXPECT_EQ(d.binding.pop_key_thumbprint, kKA);
  EXPECT_TRUE(d.binding.wba_covers_authorization);
  EXPECT_EQ(d.binding.binding_signature_created, kNow - 5);
  EXPECT_EQ(d.principal_iss, kIss);
  EXPECT_EQ(d.principal_sub, kUser);
  EXPECT_EQ(d.principal_sub_profile, "user");
  EXPECT_FALSE(d.principal_is_agent);
  ASSERT_TRUE(d.actor.has_value());
  EXPECT_EQ(d.actor->sub, kCA);
  EXPECT_EQ(d.actor->iss, kIss);
  EXPECT_EQ(d.actor->sub_profile, "ai_agent");
  EXPECT_TRUE(d.actor->authoritative);
  EXPECT_EQ(d.actor_matched_as, "card_client_id");
  EXPECT_EQ(d.delegation, "explicit_act");
  EXPECT_EQ(d.scopes, (std::vector<std::string>{"orders:read", "cart:write"}));
  // The DPoP proof, not the signature, carries the binding: the token's exp bounds it.
  EXPECT_EQ(d.valid_until, kExp);
  EXPECT_TRUE(d.warnings.empty());
  EXPECT_EQ(d.token_id, "at-5f1c2e9a");
  EXPECT_EQ(d.token_expires, kExp);
  EXPECT_EQ(d.issuer, kIss);
  EXPECT_EQ(d.audit,
            "agent https://agent-a.example/agent [key poqkLGiy\xE2\x80\xA6] acting for "
            "u_248289761001@https://as.example.com via client https://agent-a.example/agent; "
            "scopes orders:read cart:write");
}

TEST(Binding, Pos1NeedsNoSignatureOverTheTokenWhenKeyBound) {
  // P1 with the same key: the DPoP proof is the presenter proof (Step 2: S only for identity).
  auto r = bind(pos1(), dpop(kKA), {agent_a(covering(kNoAuthorization))});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->binding.kind, "key+identity");
  EXPECT_FALSE(r->binding.wba_covers_authorization);
  EXPECT_FALSE(r->binding.binding_signature_created.has_value());
}

TEST(Binding, Pos1Json) {
  auto r = bind(pos1(), dpop(kKA), {agent_a()});
  ASSERT_TRUE(r.ok());
  json j = to_json(*r);
  EXPECT_EQ(j["principal"],
            json({{"iss", kIss}, {"sub", kUser}, {"sub_profile", "user"}, {"is_agent", false}}));
  EXPECT_EQ(j["actor"], json({{"sub", kCA},
                              {"iss", kIss},
                              {"sub_profile", "ai_agent"},
                              {"matched_as", "card_client_id"}}));
  EXPECT_EQ(
      j["actor_chain"],
      json::array(
          {{{"sub", kCA}, {"iss", kIss}, {"sub_profile", "ai_agent"}, {"authoritative", true}}}));
  EXPECT_EQ(j["delegation"], "explicit_act");
  EXPECT_EQ(j["binding"], json({{"kind", "key+identity"},
                                {"as_link", "cnf.jkt"},
                                {"presenter_proof", "dpop"},
                                {"key_bound", true},
                                {"identity_bound", true},
                                {"pop_key_thumbprint", kKA},
                                {"wba_covers_authorization", true},
                                {"binding_signature_created", kNow - 5}}));
  EXPECT_EQ(j["scopes"], json({"orders:read", "cart:write"}));
  EXPECT_EQ(j["token"], json({{"issuer", kIss},
                              {"jti", "at-5f1c2e9a"},
                              {"sha256", "Qn3sM6bB0vT7yX1c2d3e4f5g6h7i8j9k0l1m2n3o4p5"},
                              {"expires_at", kExp},
                              {"client_id", kCA}}));
  EXPECT_EQ(j["valid_until"], kExp);
  EXPECT_EQ(j["warnings"], json::array());
  EXPECT_TRUE(j["audit"].is_string());
}

TEST(Binding, Pos2ChainOnlyTheOutermostActorCounts) {
  AccessToken t = base_token();
  t.jti = "at-77aa01";
  t.client_id = "https://orchestrator.example/client";
  t.scopes = {"orders:read"};
  t.actor_chain = {actor(kCA, kIss, "ai_agent"), actor(kOrchestrator, kIss, "ai_agent")};
  t.cnf = jkt(kKA);
  auto r = bind(t, dpop(kKA), {agent_a()});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->binding.kind, "key+identity");
  ASSERT_TRUE(r->actor.has_value());
  EXPECT_EQ(r->actor->sub, kCA);
  ASSERT_EQ(r->actor_chain.size(), 2u);
  EXPECT_EQ(r->actor_chain[0].sub, kCA);
  EXPECT_TRUE(r->actor_chain[0].authoritative);
  EXPECT_EQ(r->actor_chain[1].sub, kOrchestrator);
  EXPECT_FALSE(r->actor_chain[1].authoritative);
  // §9 item 44: client_id is the orchestrator app, reported but never the actor.
  EXPECT_EQ(r->client_id, "https://orchestrator.example/client");
  EXPECT_EQ(r->delegation, "explicit_act");
}

TEST(Binding, Pos3BearerIdentityBound) {
  auto r = bind(pos3(), bearer(), {agent_a()});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->binding.kind, "identity");
  EXPECT_EQ(r->binding.as_link, "act.sub");
  EXPECT_EQ(r->binding.presenter_proof, "wba_signature");
  EXPECT_FALSE(r->binding.key_bound);
  EXPECT_TRUE(r->binding.identity_bound);
  EXPECT_FALSE(r->binding.pop_key_thumbprint.has_value());
  EXPECT_EQ(r->actor_matched_as, "origin");
  EXPECT_EQ(r->delegation, "explicit_act");
  EXPECT_TRUE(r->warnings.empty());
  // The signature is the proof: the verdict lasts no longer than it (WBA §5.6).
  EXPECT_EQ(r->valid_until, kNow - 5 + 60);

  BindingPolicy strict;
  strict.require_sender_constrained = true;
  EXPECT_EQ(bind(pos3(), bearer(), {agent_a()}, strict).reason(),
            Reason::token_not_sender_constrained);
}

TEST(Binding, Pos3TargetUriInsteadOfAuthorityAndPath) {
  auto r = bind(pos3(), bearer(),
                {agent_a(covering(R"("@method" "@target-uri" "authorization" )"
                                  R"("signature-agent";key="sig1")"))});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->binding.kind, "identity");
}

TEST(Binding, Pos4ImplicitClientDelegation) {
  AccessToken t = base_token();
  t.jti = "at-c4c4";
  t.client_id = kCA;
  t.scopes = {"orders:read"};
  t.cnf = jkt(kKA);
  auto r = bind(t, dpop(kKA), {agent_a()});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->binding.kind, "key+identity");
  EXPECT_EQ(r->delegation, "implicit_client");
  ASSERT_TRUE(r->actor.has_value());
  EXPECT_EQ(r->actor->sub, kCA);
  EXPECT_EQ(r->actor_matched_as, "card_client_id");
  EXPECT_TRUE(r->actor_chain.empty());
  EXPECT_FALSE(r->principal_is_agent);

  // The same as a bearer token: identity through client_id, proven by the signature.
  t.cnf = Confirmation{};
  r = bind(t, bearer(), {agent_a()});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->binding.kind, "identity");
  EXPECT_EQ(r->binding.as_link, "client_id");
  EXPECT_EQ(r->delegation, "implicit_client");
}

TEST(Binding, Pos5AgentActingForItself) {
  AccessToken t = base_token();
  t.subject = kCA;
  t.jti = "at-d5d5";
  t.client_id = kCA;
  t.scopes = {"catalog:read"};
  t.cnf = jkt(kKA);
  auto r = bind(t, dpop(kKA), {agent_a()});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->delegation, "none");
  EXPECT_TRUE(r->principal_is_agent);
  EXPECT_FALSE(r->actor.has_value());
  EXPECT_EQ(to_json(*r)["actor"], nullptr);
  EXPECT_NE(r->audit.find("acting as itself"), std::string::npos) << r->audit;

  BindingPolicy route;
  route.require_delegation = true;
  EXPECT_EQ(bind(t, dpop(kKA), {agent_a()}, route).reason(), Reason::delegation_required);
}

TEST(Binding, Pos6ActorNamedByKeyUrnWithoutAttribution) {
  AccessToken t = base_token();
  t.jti = "at-e6e6";
  t.client_id = kApp;
  t.actor_chain = {actor(jwk_thumbprint_uri(kKA))};
  t.cnf = jkt(kKA);
  auto r = bind(t, dpop(kKA), {unattributed_a()});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->binding.kind, "key+identity");
  EXPECT_EQ(r->actor_matched_as, "key_urn");
  EXPECT_NE(r->audit.find("urn:ietf:params:oauth:jwk-thumbprint:sha-256:" + kKA), std::string::npos)
      << r->audit;
}

TEST(Binding, Pos8IntrospectedTokenLikePos1) {
  AccessToken t = pos1();
  t.format = AccessToken::Format::introspection;
  t.jti.clear();
  t.token_type = "DPoP";
  t.actor_chain = {actor(kCA, kIss)};
  auto r = bind(t, dpop(kKA), {agent_a()});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->binding.kind, "key+identity");
  EXPECT_EQ(r->delegation, "explicit_act");
  // §9 item 46: token_type DPoP presented as Bearer is a downgrade.
  EXPECT_EQ(bind(t, bearer(), {agent_a()}).reason(), Reason::pop_scheme_mismatch);
  t.cnf = Confirmation{};
  EXPECT_EQ(bind(t, bearer(), {agent_a()}).reason(), Reason::pop_scheme_mismatch);
}

TEST(Binding, ChainMayBeIncomplete) {
  AccessToken t = pos1();
  t.chain_complete = false;
  auto r = bind(t, dpop(kKA), {agent_a()});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(has_warning(*r, "chain_may_be_incomplete"));
}

// ---------------------------------------------------------------------------------------------
// §10.2 negative cases and §9 attacks.

TEST(Binding, Neg1PopTokenTransplantedToAgentB) {
  // P1: B's proof key is not the token's cnf.
  EXPECT_EQ(bind(pos1(), dpop(kKB), {agent_b()}).reason(), Reason::invalid_dpop_proof);
  // P3 under the opt-in: B's signature is no proof of K_A.
  BindingPolicy opt_in;
  opt_in.wba_signature_as_pop = true;
  EXPECT_EQ(bind(pos1(), bearer(), {agent_b()}, opt_in).reason(), Reason::cnf_key_mismatch);
  // B replaying A's proof alongside its own signature: the name is A's, not B's.
  EXPECT_EQ(bind(pos1(), dpop(kKA), {agent_b(covering(kFullDpop, kNow - 5, 60, kKB))}).reason(),
            Reason::cnf_key_mismatch);
}

TEST(Binding, Neg2BearerTokenTransplantedToAgentB) {
  EXPECT_EQ(bind(pos3(), bearer(), {agent_b()}).reason(), Reason::agent_binding_mismatch);
}

TEST(Binding, Neg3UserTokenUsedByAnAgent) {
  EXPECT_EQ(bind(user_token(), bearer(), {agent_a()}).reason(), Reason::agent_binding_mismatch);
}

TEST(Binding, Neg4SignatureDoesNotCoverAuthorization) {
  auto r = bind(pos3(), bearer(), {agent_a(covering(kNoAuthorization))});
  EXPECT_EQ(r.reason(), Reason::authorization_not_signed);
  EXPECT_EQ(accept_signature_for_binding(),
            R"(sig1=("@method" "@authority" "@path" "authorization" "signature-agent";key="sig1");)"
            R"(tag="web-bot-auth")");
  EXPECT_EQ(accept_signature_for_binding("sig2", true),
            R"(sig2=("@method" "@authority" "@path" "authorization" "dpop" )"
            R"("signature-agent";key="sig2");tag="web-bot-auth")");
}

TEST(Binding, CoveringSignatureNeedsEveryComponent) {
  struct Case {
    const char* components;
    const char* why;
  };
  for (const auto& c : std::vector<Case>{
           {R"("@authority" "@path" "authorization" "signature-agent";key="sig1")", "no @method"},
           {R"("@method" "@authority" "authorization" "signature-agent";key="sig1")", "no @path"},
           {R"("@method" "@path" "authorization" "signature-agent";key="sig1")", "no @authority"},
           {R"("@method" "@authority" "@path" "authorization")", "no signature-agent"},
           {R"("@method" "@authority" "@path" "authorization" "signature-agent";key="sig2")",
            "another member"},
           {R"("@method" "@authority" "@path" "authorization";tr "signature-agent";key="sig1")",
            "a trailer"},
       }) {
    EXPECT_EQ(bind(pos3(), bearer(), {agent_a(covering(c.components))}).reason(),
              Reason::authorization_not_signed)
        << c.why;
  }
  // The legacy String form covers the single member without `;key`.
  auto r = bind(pos3(), bearer(),
                {agent_a(covering(R"("@method" "@authority" "@path" "authorization" )"
                                  R"("signature-agent")"))});
  EXPECT_TRUE(r.ok()) << r.error().message();
  // Without URL attribution there is no Signature-Agent member to cover.
  AccessToken t = pos3();
  t.actor_chain = {actor(jwk_thumbprint_uri(kKA))};
  r = bind(t, bearer(),
           {unattributed_a(covering(R"("@method" "@authority" "@path" "authorization")"))});
  EXPECT_TRUE(r.ok()) << r.error().message();
}

TEST(Binding, BodyDigestWhenTheRouteAsksForIt) {
  BindingPolicy route;
  route.require_body_digest = true;
  EXPECT_EQ(bind(pos3(), bearer(), {agent_a()}, route).reason(), Reason::authorization_not_signed);
  auto r = bind(pos3(), bearer(),
                {agent_a(covering(R"("@method" "@authority" "@path" "authorization" )"
                                  R"("content-digest" "signature-agent";key="sig1")"))},
                route);
  EXPECT_TRUE(r.ok()) << r.error().message();
}

TEST(Binding, Neg5StaleOrExpiredSignature) {
  // §9 item 6: a signature over the token, captured and replayed ten minutes later.
  EXPECT_EQ(bind(pos3(), bearer(), {agent_a(covering(kFull, kNow - 600, 3600))}).reason(),
            Reason::stale_binding_signature);
  EXPECT_EQ(bind(pos3(), bearer(), {agent_a(covering(kFull, kNow - 61, 3600))}).reason(),
            Reason::stale_binding_signature);
  EXPECT_TRUE(bind(pos3(), bearer(), {agent_a(covering(kFull, kNow - 60, 3600))}).ok());
  // Expired, though young enough.
  EXPECT_EQ(bind(pos3(), bearer(), {agent_a(covering(kFull, kNow - 10, 10))}).reason(),
            Reason::stale_binding_signature);
  // From the future beyond the skew.
  EXPECT_EQ(bind(pos3(), bearer(), {agent_a(covering(kFull, kNow + 61, 60))}).reason(),
            Reason::stale_binding_signature);
  EXPECT_TRUE(bind(pos3(), bearer(), {agent_a(covering(kFull, kNow + 30, 60))}).ok());
  // No created at all: freshness cannot be shown.
  EXPECT_EQ(bind(pos3(), bearer(),
                 {agent_a("(" + kFull + ");keyid=\"" + kKA + "\";tag=\"web-bot-auth\"")})
                .reason(),
            Reason::stale_binding_signature);
  BindingPolicy lax;
  lax.binding_max_age = 900;
  EXPECT_TRUE(bind(pos3(), bearer(), {agent_a(covering(kFull, kNow - 600, 3600))}, lax).ok());
}

TEST(Binding, Neg16MayActTokenUsedByTheWouldBeActor) {
  AccessToken t = base_token();
  t.jti = "at-m1";
  t.client_id = kApp;
  t.may_act = actor(kCA);
  EXPECT_EQ(bind(t, bearer(), {agent_a()}).reason(), Reason::delegation_not_exchanged);
  BindingPolicy lenient;
  lenient.accept_may_act_as_actor = true;
  auto r = bind(t, bearer(), {agent_a()}, lenient);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->binding.as_link, "may_act.sub");
  EXPECT_EQ(r->delegation, "explicit_act");
  EXPECT_EQ(r->actor->sub, kCA);
  EXPECT_TRUE(has_warning(*r, "may_act_present"));
  // may_act naming someone else: the token simply does not name A.
  t.may_act = actor(kCB);
  EXPECT_EQ(bind(t, bearer(), {agent_a()}).reason(), Reason::agent_binding_mismatch);
}

TEST(Binding, Neg17OnlyAnInnerActorMatches) {
  AccessToken t = pos3();
  t.actor_chain = {actor(kCB), actor(kCA)};
  EXPECT_EQ(bind(t, bearer(), {agent_a()}).reason(), Reason::agent_binding_mismatch);
}

TEST(Binding, Neg18OpaqueActorIdsOnlyThroughAnAliasOfTheirNamespace) {
  BindingPolicy policy;
  policy.aliases = {ActorAlias{kIss, "agent-42", kUA}};
  AccessToken t = pos3();
  t.actor_chain = {actor("agent-42", "https://evil.example")};
  EXPECT_EQ(bind(t, bearer(), {agent_a()}, policy).reason(), Reason::agent_binding_mismatch);
  // The alias's own namespace, named explicitly or as the token's issuer.
  t.actor_chain = {actor("agent-42", kIss)};
  auto r = bind(t, bearer(), {agent_a()}, policy);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->actor_matched_as, "alias");
  t.actor_chain = {actor("agent-42")};
  EXPECT_TRUE(bind(t, bearer(), {agent_a()}, policy).ok());
  // No alias at all.
  EXPECT_EQ(bind(t, bearer(), {agent_a()}).reason(), Reason::agent_binding_mismatch);
  // An alias for another agent's identifier.
  policy.aliases = {ActorAlias{kIss, "agent-42", kUB}};
  EXPECT_EQ(bind(t, bearer(), {agent_a()}, policy).reason(), Reason::agent_binding_mismatch);
  // An alias maps to U, which an unattributed agent does not have (§9 item 17).
  policy.aliases = {ActorAlias{kIss, "agent-42", kUA}};
  EXPECT_EQ(bind(t, bearer(), {unattributed_a(covering(kFull))}, policy).reason(),
            Reason::agent_binding_mismatch);
  // client_id aliases (no act) live in the issuer's namespace.
  AccessToken c = user_token();
  c.client_id = "client-7";
  policy.aliases = {ActorAlias{kIss, "client-7", kUA}};
  r = bind(c, bearer(), {agent_a()}, policy);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->delegation, "implicit_client");
  EXPECT_EQ(r->actor_matched_as, "alias");
  policy.aliases = {ActorAlias{"https://other-as.example", "client-7", kUA}};
  EXPECT_EQ(bind(c, bearer(), {agent_a()}, policy).reason(), Reason::agent_binding_mismatch);
}

TEST(Binding, Neg20PopTokenPresentedAsBearer) {
  EXPECT_EQ(bind(pos1(), bearer(), {agent_a()}).reason(), Reason::pop_scheme_mismatch);
  BindingPolicy opt_in;
  opt_in.wba_signature_as_pop = true;
  auto r = bind(pos1(), bearer(), {agent_a()}, opt_in);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->binding.kind, "key+identity");
  EXPECT_EQ(r->binding.presenter_proof, "wba_signature");
  EXPECT_EQ(r->binding.pop_key_thumbprint, kKA);
  EXPECT_EQ(r->valid_until, kNow - 5 + 60);
  // The opt-in still needs the signature over the token.
  EXPECT_EQ(bind(pos1(), bearer(), {agent_a(covering(kNoAuthorization))}, opt_in).reason(),
            Reason::authorization_not_signed);
}

TEST(Binding, Item14DpopBoundTokenAsBearerIsKeyBoundUnderTheOptIn) {
  AccessToken t = user_token();
  t.cnf = jkt(kKA);
  EXPECT_EQ(bind(t, bearer(), {agent_a()}).reason(), Reason::pop_scheme_mismatch);
  BindingPolicy opt_in;
  opt_in.wba_signature_as_pop = true;
  auto r = bind(t, bearer(), {agent_a()}, opt_in);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->binding.kind, "key");
  EXPECT_EQ(r->binding.as_link, "cnf.jkt");
  EXPECT_TRUE(has_warning(*r, "actor_name_not_matched"));
  opt_in.require_identity_match = true;
  EXPECT_EQ(bind(t, bearer(), {agent_a()}, opt_in).reason(), Reason::agent_binding_mismatch);
}

TEST(Binding, Neg24ActorEqualToSubjectIsNoDelegation) {
  AccessToken t = user_token();
  t.actor_chain = {actor(kUser, kIss)};
  EXPECT_EQ(bind(t, bearer(), {agent_a()}).reason(), Reason::agent_binding_mismatch);
}

TEST(Binding, Neg26CertificateBoundToken) {
  AccessToken t = pos1();
  t.cnf = Confirmation{};
  t.cnf.method = Confirmation::Method::x5t_s256;
  t.cnf.x5t_s256 = "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2";
  EXPECT_EQ(bind(t, bearer(), {agent_a()}).reason(), Reason::binding_unverifiable);
  EXPECT_EQ(bind(t, dpop(kKA), {agent_a(covering(kFullDpop))}).reason(),
            Reason::binding_unverifiable);
  Presentation other = bearer();
  other.client_certificate_x5t = "AAAK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2";
  EXPECT_EQ(bind(t, other, {agent_a()}).reason(), Reason::binding_unverifiable);
  // The forwarded certificate matches: RFC 8705 tokens travel as Bearer; the certificate is a
  // key other than K, so the name and the signature carry the binding.
  Presentation mtls = bearer();
  mtls.client_certificate_x5t = t.cnf.x5t_s256;
  auto r = bind(t, mtls, {agent_a()});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->binding.kind, "identity");
  EXPECT_TRUE(has_warning(*r, "pop_key_differs"));
  AccessToken not_named = t;
  not_named.actor_chain = {actor(kCB)};
  EXPECT_EQ(bind(not_named, mtls, {agent_a()}).reason(), Reason::cnf_key_mismatch);
  BindingPolicy same_key_only;
  same_key_only.allow_separate_pop_key = false;
  EXPECT_EQ(bind(t, mtls, {agent_a()}, same_key_only).reason(), Reason::cnf_key_mismatch);
}

TEST(Binding, Item4AgentBPresentsAgentAsClientToken) {
  AccessToken t = user_token();
  t.client_id = kCA;
  EXPECT_EQ(bind(t, bearer(), {agent_b()}).reason(), Reason::agent_binding_mismatch);
}

TEST(Binding, Item7IntermediariesNeverBecomeTheActor) {
  // The browser's signature covers the token, the agent's does not: the token is not bound
  // to the agent, and the browser cannot take its place.
  const VerifiedAgent browser = agent_b(covering(kFull, kNow - 5, 60, kKB));
  const VerifiedAgent agent_without = agent_a(covering(kNoAuthorization));
  EXPECT_EQ(bind(pos3(), bearer(), {agent_without, browser}).reason(),
            Reason::agent_binding_mismatch);
  AccessToken names_browser = pos3();
  names_browser.actor_chain = {actor(kOriginB)};
  EXPECT_EQ(bind(names_browser, bearer(), {agent_without, browser}).reason(),
            Reason::agent_binding_mismatch);
  // Both cover it: the agent matches, the browser is an intermediary.
  auto r = bind(pos3(), bearer(), {agent_a(), browser});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->actor->sub, kOriginA);
  EXPECT_EQ(bind(names_browser, bearer(), {agent_a(), browser}).reason(),
            Reason::agent_binding_mismatch);
  // Neither covers it.
  EXPECT_EQ(bind(pos3(), bearer(), {agent_without, agent_b(covering(kNoAuthorization))}).reason(),
            Reason::authorization_not_signed);
  // No verified signature at all.
  EXPECT_EQ(bind(pos3(), bearer(), {}).reason(), Reason::authorization_not_signed);
}

TEST(Binding, Item9GlobalNamesMatchWhateverTheNamespace) {
  AccessToken t = pos3();
  t.actor_chain = {actor(kCA, "https://evil.example")};
  auto r = bind(t, bearer(), {agent_a()});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->actor_matched_as, "card_client_id");
  t.actor_chain = {actor(kUA, "https://evil.example")};
  r = bind(t, bearer(), {agent_a()});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->actor_matched_as, "signature_agent");
}

TEST(Binding, UrlsCompareAfterNormalization) {
  for (const char* same :
       {"https://agent-a.example", "https://agent-a.example/", "HTTPS://Agent-A.Example:443/",
        "https://agent-a.example:443",
        "https://agent-a.example/.well-known/http-message-signatures-directory",
        "https://agent-a.example/.well-known/./http-message-signatures-directory",
        "https://agent-a.example/%2Ewell-known/http-message-signatures-directory"}) {
    AccessToken t = pos3();
    t.actor_chain = {actor(same)};
    EXPECT_TRUE(bind(t, bearer(), {agent_a()}).ok()) << same;
  }
  for (const char* other : {"https://agent-a.example:8443", "http://agent-a.example",
                            "https://agent-a.example.evil.example", "https://agent-a.example/x",
                            "https://agent-a.example/?q", "https://agent-a.example/#f",
                            "https://user@agent-a.example", "agent-a.example"}) {
    AccessToken t = pos3();
    t.actor_chain = {actor(other)};
    EXPECT_EQ(bind(t, bearer(), {agent_a()}).reason(), Reason::agent_binding_mismatch) << other;
  }
  // C and the K-URN compare byte for byte.
  AccessToken t = pos3();
  t.actor_chain = {actor("https://agent-a.example/Agent")};
  EXPECT_EQ(bind(t, bearer(), {agent_a()}).reason(), Reason::agent_binding_mismatch);
  t.actor_chain = {actor("URN:ietf:params:oauth:jwk-thumbprint:sha-256:" + kKA)};
  EXPECT_EQ(bind(t, bearer(), {agent_a()}).reason(), Reason::agent_binding_mismatch);
}

TEST(Binding, OriginOnlyForDirectoryAgents) {
  VerifiedAgent a = agent_a();
  a.agent_type = "jwks_uri";
  a.signature_agent = "https://agent-a.example/keys.json";
  EXPECT_EQ(bind(pos3(), bearer(), {a}).reason(), Reason::agent_binding_mismatch);
}

TEST(Binding, ActClientIdMustBeTheCard) {
  AccessToken t = pos3();
  Actor a = actor(kOriginA);
  a.client_id = kCB;
  t.actor_chain = {a};
  EXPECT_EQ(bind(t, bearer(), {agent_a()}).reason(), Reason::agent_binding_mismatch);
  t.actor_chain[0].client_id = kCA;
  EXPECT_TRUE(bind(t, bearer(), {agent_a()}).ok());
}

TEST(Binding, Item10And11UntrustedCardsGiveNoClientId) {
  // The card claimed A's directory from another origin, or failed its checks: the daemon
  // passes no C, and a token issued to that client does not name A.
  VerifiedAgent a = agent_a();
  a.card_client_id.reset();
  a.card_client_id_trust.clear();
  AccessToken t = user_token();
  t.client_id = "https://evil.example/card";
  EXPECT_EQ(bind(t, bearer(), {a}).reason(), Reason::agent_binding_mismatch);
  t.client_id = kCA;
  EXPECT_EQ(bind(t, bearer(), {a}).reason(), Reason::agent_binding_mismatch);
}

TEST(Binding, Item12KeyRotation) {
  // Token bound to K1 (kKOther); the agent now signs with K_A.
  AccessToken t = pos1();
  t.cnf = jkt(kKOther);
  BindingPolicy opt_in;
  opt_in.wba_signature_as_pop = true;
  EXPECT_EQ(bind(t, bearer(), {agent_a()}, opt_in).reason(), Reason::cnf_key_mismatch);
  // DPoP by the new key is no proof for K1.
  EXPECT_EQ(bind(t, dpop(kKA), {agent_a()}).reason(), Reason::invalid_dpop_proof);
  // DPoP by K1 with the name matching: accepted, flagged.
  auto r = bind(t, dpop(kKOther), {agent_a(covering(kFullDpop))});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->binding.kind, "identity");
  EXPECT_TRUE(has_warning(*r, "pop_key_differs"));
  // DPoP by K1 with another name: a PoP token of someone else.
  AccessToken other = t;
  other.actor_chain = {actor(kCB)};
  EXPECT_EQ(bind(other, dpop(kKOther), {agent_a(covering(kFullDpop))}).reason(),
            Reason::cnf_key_mismatch);
  // A token with only a name keeps working across rotation.
  EXPECT_TRUE(bind(pos3(), bearer(), {agent_a()}).ok());
}

TEST(Binding, Item13SeparateDpopKey) {
  AccessToken t = pos1();
  t.cnf = jkt(kKOther);
  auto r = bind(t, dpop(kKOther), {agent_a(covering(kFullDpop))});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->binding.kind, "identity");
  EXPECT_EQ(r->binding.presenter_proof, "wba_signature");
  EXPECT_EQ(r->binding.as_link, "act.sub");
  EXPECT_EQ(r->binding.pop_key_thumbprint, kKOther);
  EXPECT_FALSE(r->binding.key_bound);
  EXPECT_TRUE(has_warning(*r, "pop_key_differs"));
  EXPECT_EQ(r->valid_until, kNow - 5 + 60);
  // The signature must tie the separate proof to the agent: cover `dpop`.
  EXPECT_EQ(bind(t, dpop(kKOther), {agent_a(covering(kFull))}).reason(),
            Reason::authorization_not_signed);
  EXPECT_EQ(bind(t, dpop(kKOther), {agent_a(covering(kNoAuthorization))}).reason(),
            Reason::authorization_not_signed);
  BindingPolicy same_key_only;
  same_key_only.allow_separate_pop_key = false;
  EXPECT_EQ(bind(t, dpop(kKOther), {agent_a(covering(kFullDpop))}, same_key_only).reason(),
            Reason::cnf_key_mismatch);
}

TEST(Binding, DpopSchemeNeedsAProof) {
  Presentation p = dpop(kKA);
  p.dpop.reset();
  EXPECT_EQ(bind(pos1(), p, {agent_a()}).reason(), Reason::invalid_request);
}

TEST(Binding, DpopProofWithoutCnfCreatesNoKeyBinding) {
  // Actor profile: a DPoP proof for a token without cnf.jkt binds nothing by itself.
  auto r = bind(pos3(), dpop(kKA), {agent_a()});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->binding.kind, "identity");
  EXPECT_FALSE(r->binding.key_bound);
  EXPECT_EQ(bind(pos3(), dpop(kKA), {agent_a(covering(kNoAuthorization))}).reason(),
            Reason::authorization_not_signed);
}

TEST(Binding, Item15HttpSigIsNotImplemented) {
  Presentation p = bearer();
  p.token.scheme = Scheme::httpsig;
  EXPECT_EQ(bind(pos1(), p, {agent_a()}).reason(), Reason::unsupported_token_scheme);
}

TEST(Binding, Item17NoAttributionOnlyKeyUrnOrCnfBind) {
  // A token naming U cannot bind without URL attribution.
  AccessToken t = pos3();
  t.actor_chain = {actor(kUA)};
  EXPECT_EQ(bind(t, bearer(), {unattributed_a()}).reason(), Reason::agent_binding_mismatch);
  // Nor can C, even if a card was somehow passed along.
  t.actor_chain = {actor(kCA)};
  VerifiedAgent with_card = unattributed_a();
  EXPECT_TRUE(with_card.card_client_id.has_value());
  EXPECT_EQ(bind(t, bearer(), {with_card}).reason(), Reason::agent_binding_mismatch);
  // cnf = K: key-bound, the name unmatched.
  auto r = bind(pos1(), dpop(kKA), {unattributed_a()});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->binding.kind, "key");
  EXPECT_TRUE(has_warning(*r, "actor_name_not_matched"));
  // The K-URN as actor name: identity-bound, even as a bearer token.
  t.actor_chain = {actor(jwk_thumbprint_uri(kKA))};
  r = bind(t, bearer(), {unattributed_a()});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->binding.kind, "identity");
  EXPECT_EQ(r->actor_matched_as, "key_urn");
  EXPECT_EQ(agent_identifiers(unattributed_a()), std::vector<std::string>{jwk_thumbprint_uri(kKA)});
}

TEST(Binding, AgentIdentifiers) {
  EXPECT_EQ(agent_identifiers(agent_a()),
            (std::vector<std::string>{kUA, kOriginA, jwk_thumbprint_uri(kKA), kCA}));
  VerifiedAgent a = agent_a();
  a.signature_agent = "HTTPS://Agent-A.example:443/";
  a.agent_type = "cimd";
  a.origin.reset();
  a.card_client_id = "https://agent-a.example";
  EXPECT_EQ(agent_identifiers(a), (std::vector<std::string>{kOriginA, jwk_thumbprint_uri(kKA),
                                                            "https://agent-a.example"}));
}

// ---------------------------------------------------------------------------------------------
// §9 items 40–44: delegation semantics.

TEST(Binding, Item40ActorSameAsSubjectIsNoDelegation) {
  AccessToken t = pos1();
  t.subject = kCA;
  t.actor_chain = {actor(kCA, kIss)};
  auto r = bind(t, dpop(kKA), {agent_a()});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->delegation, "none");
  EXPECT_TRUE(r->principal_is_agent);
  EXPECT_FALSE(r->actor.has_value());
  EXPECT_EQ(r->audit.find("acting for"), std::string::npos) << r->audit;
  // The same name in another namespace is another entity.
  t.actor_chain = {actor(kCA, "https://other-as.example")};
  t.subject = kUser;
  r = bind(t, dpop(kKA), {agent_a()});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->delegation, "explicit_act");
}

TEST(Binding, Item41ActorRepeatsInChain) {
  AccessToken t = pos1();
  t.actor_chain = {actor(kCA, kIss), actor(kOrchestrator, kIss), actor(kCA, kIss)};
  auto r = bind(t, dpop(kKA), {agent_a()});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_TRUE(has_warning(*r, "actor_repeats_in_chain"));
  EXPECT_EQ(std::count(r->warnings.begin(), r->warnings.end(), "actor_repeats_in_chain"), 1);
  EXPECT_FALSE(has_warning(*bind(pos1(), dpop(kKA), {agent_a()}), "actor_repeats_in_chain"));
}

TEST(Binding, Item42MayActWithActIsReportedNotUsed) {
  AccessToken t = pos1();
  t.may_act = actor(kCB);
  auto r = bind(t, dpop(kKA), {agent_a()});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->actor->sub, kCA);
  EXPECT_TRUE(has_warning(*r, "may_act_present"));
  // may_act naming A cannot make B's act token A's.
  t.actor_chain = {actor(kCB)};
  t.may_act = actor(kCA);
  t.cnf = Confirmation{};
  EXPECT_EQ(bind(t, bearer(), {agent_a()}).reason(), Reason::agent_binding_mismatch);
}

TEST(Binding, Item43SubEqualToClientIdIsNotEnoughForIsAgent) {
  // A client that picked a client_id equal to a user's sub (RFC 9068 §5).
  AccessToken t = pos1();
  t.client_id = kUser;
  auto r = bind(t, dpop(kKA), {agent_a()});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_FALSE(r->principal_is_agent);
  EXPECT_EQ(r->delegation, "explicit_act");
}

// ---------------------------------------------------------------------------------------------
// Policy after binding.

TEST(Binding, RequiredScopes) {
  BindingPolicy route;
  route.required_scopes = {"orders:read"};
  EXPECT_TRUE(bind(pos1(), dpop(kKA), {agent_a()}, route).ok());
  route.required_scopes = {"orders:read", "orders:write"};
  EXPECT_EQ(bind(pos1(), dpop(kKA), {agent_a()}, route).reason(), Reason::insufficient_scope);
}

TEST(Binding, RequireDelegation) {
  BindingPolicy route;
  route.require_delegation = true;
  EXPECT_TRUE(bind(pos1(), dpop(kKA), {agent_a()}, route).ok());
  AccessToken t = user_token();
  t.cnf = jkt(kKA);
  EXPECT_EQ(bind(t, dpop(kKA), {agent_a()}, route).reason(), Reason::delegation_required);
}

TEST(Binding, AllowedActorsRestrictWhoMayActForPrincipals) {
  BindingPolicy route;
  route.allowed_actors = {kUB};  // only agent B may act for users here
  EXPECT_EQ(bind(pos1(), dpop(kKA), {agent_a()}, route).reason(), Reason::actor_unauthorized);
  // Any of A's identifiers (its origin, its key URN) or the actor's sub lets it through.
  for (const std::string& id : {kOriginA, jwk_thumbprint_uri(kKA), kCA}) {
    route.allowed_actors = {id};
    EXPECT_TRUE(bind(pos1(), dpop(kKA), {agent_a()}, route).ok()) << id;
  }
  // An agent acting for itself is not restricted by an actor policy.
  AccessToken self = base_token();
  self.subject = kCA;
  self.client_id = kCA;
  self.cnf = jkt(kKA);
  route.allowed_actors = {kUB};
  auto r = bind(self, dpop(kKA), {agent_a()}, route);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->delegation, "none");
}

TEST(Binding, RevokedTokenIdsAreRefusedEvenWhenEverythingElseBinds) {
  BindingPolicy policy;
  ASSERT_TRUE(bind(pos1(), dpop(kKA), {agent_a()}, policy).ok());
  policy.revoked_token_ids.insert(pos1().jti);
  EXPECT_EQ(bind(pos1(), dpop(kKA), {agent_a()}, policy).reason(), Reason::token_revoked);
  AccessToken other = pos1();
  other.jti = "at-other";
  EXPECT_TRUE(bind(other, dpop(kKA), {agent_a()}, policy).ok());
}

TEST(Binding, AuditReplacesControlCharacters) {
  AccessToken t = pos1();
  t.subject = "u\n1";
  auto r = bind(t, dpop(kKA), {agent_a()});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->audit.find('\n'), std::string::npos);
  EXPECT_NE(r->audit.find("u?1@"), std::string::npos) << r->audit;
}

TEST(Binding, ErrorMapping) {
  struct Row {
    Reason reason;
    int status;
    std::string_view error;
  };
  for (const auto& row : std::vector<Row>{
           {Reason::token_required, 401, ""},
           {Reason::invalid_request, 400, "invalid_request"},
           {Reason::unsupported_token_scheme, 401, "invalid_request"},
           {Reason::authorization_not_signed, 401, "invalid_token"},
           {Reason::stale_binding_signature, 401, "invalid_token"},
           {Reason::signature_replayed, 401, "invalid_token"},
           {Reason::invalid_dpop_proof, 401, "invalid_dpop_proof"},
           {Reason::malformed_jwt, 401, "invalid_token"},
           {Reason::issuer_metadata_unavailable, 503, ""},
           {Reason::introspection_unavailable, 503, ""},
           {Reason::token_expired, 401, "invalid_token"},
           {Reason::pop_scheme_mismatch, 401, "invalid_token"},
           {Reason::binding_unverifiable, 401, "invalid_token"},
           {Reason::cnf_key_mismatch, 401, "invalid_token"},
           {Reason::agent_binding_mismatch, 401, "invalid_token"},
           {Reason::delegation_not_exchanged, 403, "insufficient_scope"},
           {Reason::delegation_required, 403, "insufficient_scope"},
           {Reason::actor_unauthorized, 403, "actor_unauthorized"},
           {Reason::insufficient_scope, 403, "insufficient_scope"},
           {Reason::bad_signature, 401, "invalid_token"},
       }) {
    const TokenErrorMapping m = token_error_mapping(row.reason);
    EXPECT_EQ(m.status, row.status) << row.reason;
    EXPECT_EQ(m.error, row.error) << row.reason;
  }
}

}  // namespace
}  // namespace wba::token
