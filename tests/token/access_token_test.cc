// RFC 9068 access tokens and RFC 7662 introspection responses (token/access_token.h): the
// delegation.md §10 claim sets (POS-1..8, the validation-level NEG cases) and the JOSE, claim,
// delegation and confirmation cases of §9 items 18–39, 45 and 47, each with its reason code.
#include "wba/token/access_token.h"

#include <gtest/gtest.h>

#include <string>

#include "token/validation_test_util.h"
#include "wba/encoding/base64.h"

namespace wba::token {
namespace {

using nlohmann::json;
using namespace test;  // NOLINT: the fixtures of delegation.md §10

const SigningKey& as_key() {
  static const SigningKey key = fresh(Algorithm::ed25519);
  return key;
}

json patched(json base, const json& patch) {
  base.merge_patch(patch);
  return base;
}

// The payload text of POS-1 with one member replaced by raw JSON text.
std::string raw_pos1_with(const std::string& name, const std::string& raw_value) {
  json p = pos1();
  p[name] = "@@";
  std::string text = p.dump();
  text.replace(text.find("\"@@\""), 4, raw_value);
  return text;
}

class JwtAccessToken : public ::testing::Test {
 protected:
  IssuerKeySet keys = key_set(jwks_of({as_key()}));
  IssuerPolicy policy = default_policy();

  std::string mint_token(const json& payload, const json& header = at_header()) const {
    return mint(header, payload, as_key());
  }
  // A token whose payload is exactly `payload_text`, signed by the AS key.
  std::string mint_raw(const std::string& payload_text, const json& header = at_header()) const {
    return jose::sign_compact_jws(header, payload_text, as_key()).value();
  }
  Result<AccessToken> check(std::string_view token, std::int64_t now = kNow) const {
    return parse_and_validate(token, policy, keys, now);
  }
  Result<AccessToken> claims(const json& payload, std::int64_t now = kNow) const {
    return check(mint_token(payload), now);
  }
  Reason reason_of(const json& payload) const { return claims(payload).reason(); }
};

// ---------------------------------------------------------------------------------------------
// Positive cases (§10.1).

TEST_F(JwtAccessToken, Pos1ExplicitDelegationKeyBound) {
  const std::string token = mint_token(pos1());
  auto t = check(token);
  ASSERT_TRUE(t.ok()) << t.error().message();
  EXPECT_EQ(t->format, AccessToken::Format::jwt);
  EXPECT_EQ(t->sha256, token_hash(token));
  EXPECT_EQ(t->issuer, kIssuer);
  EXPECT_EQ(t->subject, kUser);
  EXPECT_EQ(t->sub_profile, "user");
  EXPECT_EQ(t->client_id, kAgentA);
  EXPECT_EQ(t->jti, "at-5f1c2e9a");
  EXPECT_EQ(t->audience, std::vector<std::string>{kResource});
  EXPECT_EQ(t->issued_at, kIat);
  EXPECT_EQ(t->expires_at, kExp);
  EXPECT_EQ(t->not_before, kIat);
  EXPECT_EQ(t->scopes, (std::vector<std::string>{"orders:read", "cart:write"}));
  ASSERT_EQ(t->actor_chain.size(), 1u);
  EXPECT_EQ(t->actor_chain[0].sub, kAgentA);
  EXPECT_EQ(t->actor_chain[0].iss, kIssuer);
  EXPECT_EQ(t->actor_chain[0].sub_profile, "ai_agent");
  EXPECT_FALSE(t->actor_chain[0].client_id);
  EXPECT_FALSE(t->may_act);
  EXPECT_EQ(t->cnf.method, Confirmation::Method::jkt);
  EXPECT_EQ(t->cnf.key_thumbprint, kAgentAThumbprint);
  EXPECT_TRUE(t->cnf.jwk.is_null());
  EXPECT_EQ(t->alg, "Ed25519");
  EXPECT_EQ(t->kid, kAsKid);
  EXPECT_EQ(t->typ, "at+jwt");
  EXPECT_TRUE(t->chain_complete);
  EXPECT_FALSE(t->token_type);
  EXPECT_TRUE(t->authorization_details.is_null());
  EXPECT_EQ(t->clock_skew, kDefaultClockSkew);
}

TEST_F(JwtAccessToken, Pos1WithTheRfc8037Key) {
  const SigningKey rfc = rfc8037_key();
  ASSERT_EQ(rfc.thumbprint(), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
  const IssuerKeySet rfc_keys = key_set(jwks_of({rfc}));
  const std::string token = mint(at_header(), pos1(), rfc);
  // The header is exactly the §10 one.
  EXPECT_TRUE(token.starts_with(b64(R"({"alg":"Ed25519","kid":"as-2026-11","typ":"at+jwt"})")));
  auto t = parse_and_validate(token, policy, rfc_keys);
  ASSERT_TRUE(t.ok()) << t.error().message();
  EXPECT_EQ(t->cnf.key_thumbprint, kAgentAThumbprint);
  // Signed by the fixture's other AS key: the JWKS does not hold it.
  EXPECT_EQ(parse_and_validate(mint_token(pos1()), policy, rfc_keys).reason(),
            Reason::invalid_signature);
}

TEST_F(JwtAccessToken, EveryAlgorithmOfTheDefaultAllowlist) {
  for (Algorithm a :
       {Algorithm::ed25519, Algorithm::ecdsa_p256_sha256, Algorithm::ecdsa_p384_sha384,
        Algorithm::rsa_v1_5_sha256, Algorithm::rsa_pss_sha256}) {
    SCOPED_TRACE(to_string(a));
    const SigningKey key = fresh(a);
    const std::string alg(jose::to_string(jose::jws_algorithm_of(key).value()));
    const std::string token = mint(at_header(alg), pos1(), key);
    auto t = parse_and_validate(token, policy, key_set(jwks_of({key})));
    ASSERT_TRUE(t.ok()) << t.error().message();
    EXPECT_EQ(t->alg, alg);
    // The issuer's own allowlist can narrow the default.
    IssuerPolicy narrow = policy;
    narrow.allowed_algs = {a == Algorithm::ed25519 ? jose::JwsAlgorithm::es256
                                                   : jose::JwsAlgorithm::ed25519};
    EXPECT_EQ(parse_and_validate(token, narrow, key_set(jwks_of({key}))).reason(),
              Reason::alg_not_allowed);
  }
}

TEST_F(JwtAccessToken, Pos2TwoHopChain) {
  auto t = claims(json::parse(R"({
    "iss": "https://as.example.com", "sub": "u_248289761001",
    "aud": ["https://api.shop.example", "https://api.other.example"],
    "exp": 1795435500, "iat": 1795434900, "jti": "at-77aa01",
    "client_id": "https://orchestrator.example/client", "scope": "orders:read",
    "act": {"sub": "https://agent-a.example/agent", "iss": "https://as.example.com",
            "sub_profile": "ai_agent",
            "act": {"sub": "https://orchestrator.example/agent", "iss": "https://as.example.com",
                    "sub_profile": "ai_agent"}},
    "cnf": {"jkt": "poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U"}})"));
  ASSERT_TRUE(t.ok()) << t.error().message();
  EXPECT_EQ(t->audience.size(), 2u);
  EXPECT_EQ(t->client_id, "https://orchestrator.example/client");
  ASSERT_EQ(t->actor_chain.size(), 2u);
  EXPECT_EQ(t->actor_chain[0].sub, kAgentA);  // outermost first
  EXPECT_EQ(t->actor_chain[1].sub, "https://orchestrator.example/agent");
  EXPECT_FALSE(t->not_before);
  EXPECT_FALSE(t->sub_profile);
}

TEST_F(JwtAccessToken, Pos3BearerNoCnf) {
  auto t = claims(json::parse(R"({
    "iss": "https://as.example.com", "sub": "u_248289761001", "aud": "https://api.shop.example",
    "exp": 1795435500, "iat": 1795434900, "jti": "at-b3b3",
    "client_id": "https://app.example.com/client", "scope": "orders:read",
    "act": {"sub": "https://agent-a.example"}})"));
  ASSERT_TRUE(t.ok()) << t.error().message();
  EXPECT_EQ(t->cnf.method, Confirmation::Method::none);
  EXPECT_TRUE(t->cnf.key_thumbprint.empty());
  ASSERT_EQ(t->actor_chain.size(), 1u);
  EXPECT_EQ(t->actor_chain[0].sub, "https://agent-a.example");
  EXPECT_FALSE(t->actor_chain[0].iss);
}

TEST_F(JwtAccessToken, Pos4And5NoAct) {
  const json pos4 = json::parse(R"({
    "iss": "https://as.example.com", "sub": "u_248289761001", "aud": "https://api.shop.example",
    "exp": 1795435500, "iat": 1795434900, "jti": "at-c4c4",
    "client_id": "https://agent-a.example/agent", "scope": "orders:read",
    "cnf": {"jkt": "poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U"}})");
  auto t4 = claims(pos4);
  ASSERT_TRUE(t4.ok()) << t4.error().message();
  EXPECT_TRUE(t4->actor_chain.empty());
  EXPECT_EQ(t4->client_id, kAgentA);
  auto t5 =
      claims(patched(pos4, {{"sub", kAgentA}, {"jti", "at-d5d5"}, {"scope", "catalog:read"}}));
  ASSERT_TRUE(t5.ok()) << t5.error().message();
  EXPECT_EQ(t5->subject, t5->client_id);
  EXPECT_EQ(t5->scopes, std::vector<std::string>{"catalog:read"});
}

TEST_F(JwtAccessToken, Pos6ActorByKeyUrn) {
  auto t = claims(json::parse(R"({
    "iss": "https://as.example.com", "sub": "u_248289761001", "aud": "https://api.shop.example",
    "exp": 1795435500, "iat": 1795434900, "jti": "at-e6e6",
    "client_id": "https://app.example.com/client",
    "act": {"sub": "urn:ietf:params:oauth:jwk-thumbprint:sha-256:poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U"},
    "cnf": {"jkt": "poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U"}})"));
  ASSERT_TRUE(t.ok()) << t.error().message();
  EXPECT_EQ(t->actor_chain.at(0).sub,
            "urn:ietf:params:oauth:jwk-thumbprint:sha-256:" + kAgentAThumbprint);
  EXPECT_TRUE(t->scopes.empty());
}

TEST_F(JwtAccessToken, Pos7CnfJwk) {
  auto t = claims(json::parse(R"({
    "iss": "https://as.example.com", "sub": "u_248289761001", "aud": "https://api.shop.example",
    "exp": 1795435500, "iat": 1795434900, "jti": "at-f7f7",
    "client_id": "https://agent-a.example/agent",
    "act": {"sub": "https://agent-a.example/agent", "iss": "https://as.example.com"},
    "cnf": {"jwk": {"kty": "OKP", "crv": "Ed25519", "alg": "Ed25519",
                    "x": "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs"}}})"));
  ASSERT_TRUE(t.ok()) << t.error().message();
  EXPECT_EQ(t->cnf.method, Confirmation::Method::jwk);
  EXPECT_EQ(t->cnf.key_thumbprint, kAgentAThumbprint);
  EXPECT_EQ(t->cnf.jwk.at("x"), kAgentAKeyX);
}

// ---------------------------------------------------------------------------------------------
// Header and JOSE attacks (§9 items 18–30).

TEST_F(JwtAccessToken, AlgNoneInEverySpelling) {
  // NEG-9 and §9 item 18: empty signature.
  const std::string payload = pos1().dump();
  for (const char* alg : {"none", "None", "NONE", "nOnE"}) {
    const std::string header = json{{"alg", alg}, {"typ", "at+jwt"}}.dump();
    EXPECT_EQ(check(compact(header, payload, "")).reason(), Reason::alg_not_allowed) << alg;
  }
  // No alg at all: not a JWS header (RFC 7515 §4.1.1).
  EXPECT_EQ(check(compact(R"({"typ":"at+jwt"})", payload, "")).reason(), Reason::malformed_jwt);
  EXPECT_EQ(check(compact(R"({"alg":null,"typ":"at+jwt"})", payload, "")).reason(),
            Reason::malformed_jwt);
}

TEST_F(JwtAccessToken, Hs256WithThePublicKeyAsSecret) {
  // NEG-10 / §9 item 19: the classic confusion attack, HMAC keyed with the AS's public key
  // bytes (raw x, and the JWK text), which is a valid HMAC the attacker can compute.
  const json header = {{"alg", "HS256"}, {"typ", "at+jwt"}, {"kid", kAsKid}};
  const std::string x =
      base64url_decode(as_key().to_public_jwk().at("x").get<std::string>()).value();
  for (const std::string& secret : {x, as_key().to_public_jwk().dump()}) {
    const SigningKey hmac = SigningKey::from_hmac_secret(secret).value();
    const std::string input = b64(header.dump()) + "." + b64(pos1().dump());
    const std::string token = input + "." + b64(hmac.sign(input).value());
    EXPECT_EQ(check(token).reason(), Reason::alg_not_allowed);
  }
  // HS256 with a kid that names an RSA key.
  const SigningKey rsa = fresh(Algorithm::rsa_v1_5_sha256, "rsa-1");
  const IssuerKeySet rsa_keys = key_set(jwks_of({rsa}));
  const json rsa_header = {{"alg", "HS256"}, {"typ", "at+jwt"}, {"kid", "rsa-1"}};
  const SigningKey hmac = SigningKey::from_hmac_secret(rsa.to_public_jwk().dump()).value();
  const std::string input = b64(rsa_header.dump()) + "." + b64(pos1().dump());
  EXPECT_EQ(
      parse_and_validate(input + "." + b64(hmac.sign(input).value()), policy, rsa_keys).reason(),
      Reason::alg_not_allowed);
}

TEST_F(JwtAccessToken, AlgKeyMismatch) {
  // §9 item 20 at token level: ES256 header, the kid names the Ed25519 key.
  const std::string input = b64(at_header("ES256").dump()) + "." + b64(pos1().dump());
  const std::string token = input + "." + b64(std::string(64, '\x01'));
  EXPECT_EQ(check(token).reason(), Reason::alg_not_allowed);
}

TEST_F(JwtAccessToken, EcdsaSignatureForms) {
  // §9 item 21 at token level.
  const SigningKey ec = fresh(Algorithm::ecdsa_p256_sha256);
  const IssuerKeySet ec_keys = key_set(jwks_of({ec}));
  const std::string good = mint(at_header("ES256"), pos1(), ec);
  ASSERT_TRUE(parse_and_validate(good, policy, ec_keys).ok());
  const std::string input = good.substr(0, good.rfind('.'));
  EXPECT_EQ(parse_and_validate(input + "." + b64(std::string(64, '\0')), policy, ec_keys).reason(),
            Reason::invalid_signature);
  std::string sig = base64url_decode(good.substr(good.rfind('.') + 1)).value();
  // 72 bytes of DER-looking data: the wrong length for ES256.
  const std::string der = std::string{'\x30', '\x46', '\x02', '\x21', '\0'} + sig.substr(0, 32) +
                          std::string{'\x02', '\x21', '\0'} + sig.substr(32);
  ASSERT_EQ(der.size(), 72u);
  EXPECT_EQ(parse_and_validate(input + "." + b64(der), policy, ec_keys).reason(),
            Reason::invalid_signature);
}

TEST_F(JwtAccessToken, EmbeddedKeysAreRefusedAndNeverUsed) {
  // §9 item 22: the attacker signs with its own key and embeds it.
  const SigningKey attacker = fresh(Algorithm::ed25519);
  for (const char* member : {"jwk", "jku", "x5u", "x5c"}) {
    json header = at_header();
    if (std::string(member) == "jwk") {
      header["jwk"] = attacker.to_public_jwk();
    } else if (std::string(member) == "x5c") {
      header["x5c"] = {"MIIB"};
    } else {
      header[member] = "https://evil.example/keys";
    }
    const std::string token = mint(header, pos1(), attacker);
    EXPECT_EQ(check(token).reason(), Reason::malformed_jwt) << member;
    // Without strict_headers they are ignored: the JWKS key is used, so the signature fails.
    IssuerPolicy lax = policy;
    lax.strict_headers = false;
    EXPECT_EQ(parse_and_validate(token, lax, keys).reason(), Reason::invalid_signature) << member;
  }
  // An honest token with an extra x5u is accepted when strict_headers is off.
  json header = at_header();
  header["x5u"] = "https://as.example.com/cert";
  IssuerPolicy lax = policy;
  lax.strict_headers = false;
  EXPECT_TRUE(parse_and_validate(mint_token(pos1(), header), lax, keys).ok());
}

TEST_F(JwtAccessToken, KidIsAnOpaqueBoundedString) {
  // NEG-11 and §9 items 23–24.
  for (const char* kid : {"rotated-away", "../../etc/passwd", "' OR 1=1 --", "as-2026-11 "}) {
    json header = at_header();
    header["kid"] = kid;
    EXPECT_EQ(check(mint_token(pos1(), header)).reason(), Reason::unknown_kid) << kid;
  }
  json header = at_header();
  header["kid"] = std::string(256, 'k');
  EXPECT_EQ(check(mint_token(pos1(), header)).reason(), Reason::unknown_kid);
  for (const json& bad : {json(std::string(257, 'k')), json(std::string(10 * 1024, 'k')), json(""),
                          json(42), json::array({kAsKid})}) {
    header["kid"] = bad;
    EXPECT_EQ(check(mint_token(pos1(), header)).reason(), Reason::malformed_jwt) << bad.dump();
  }
  // One key in the JWKS: no kid is needed.
  header.erase("kid");
  EXPECT_TRUE(check(mint_token(pos1(), header)).ok());
  // Two keys: it is.
  const IssuerKeySet two = key_set(jwks_of({as_key(), fresh(Algorithm::ed25519, "other")}));
  EXPECT_EQ(parse_and_validate(mint_token(pos1(), header), policy, two).reason(),
            Reason::unknown_kid);
  EXPECT_TRUE(parse_and_validate(mint_token(pos1()), policy, two).ok());
}

TEST_F(JwtAccessToken, DuplicateMembers) {
  // §9 item 25 and NEG-22.
  const std::string payload = pos1().dump();
  EXPECT_EQ(
      check(compact(R"({"alg":"Ed25519","typ":"at+jwt","alg":"none"})", payload, "x")).reason(),
      Reason::malformed_jwt);
  std::string two_subs = payload;
  two_subs.insert(1, R"("sub":"https://agent-a.example/agent",)");
  EXPECT_EQ(check(mint_raw(two_subs)).reason(), Reason::malformed_jwt);
  std::string two_acts = payload;
  two_acts.insert(1, R"("act":{"sub":"x"},)");
  EXPECT_EQ(check(mint_raw(two_acts)).reason(), Reason::malformed_jwt);
}

TEST_F(JwtAccessToken, TypVariants) {
  // §9 item 26 and NEG-15.
  for (const char* typ :
       {"at+jwt", "at+JWT", "AT+JWT", "application/at+jwt", "Application/AT+jwt"}) {
    json header = at_header();
    header["typ"] = typ;
    auto t = check(mint_token(pos1(), header));
    ASSERT_TRUE(t.ok()) << typ << ": " << t.error().message();
    EXPECT_EQ(t->typ, typ);
  }
  IssuerPolicy lenient = policy;
  lenient.lenient_typ = true;
  for (const json& typ : {json("JWT"), json("jwt"), json("application/jwt"), json(nullptr)}) {
    json header = at_header();
    if (typ.is_null()) {
      header.erase("typ");
    } else {
      header["typ"] = typ;
    }
    const std::string token = mint_token(pos1(), header);
    EXPECT_EQ(check(token).reason(), Reason::invalid_typ) << typ;
    EXPECT_TRUE(parse_and_validate(token, lenient, keys).ok()) << typ;
  }
  // Other JWT kinds: refused whatever the issuer's typ policy, before any key is looked at.
  for (const char* typ : {"dpop+jwt", "application/dpop+jwt", "DPoP+JWT", "token-introspection+jwt",
                          "wit+jwt", "aa-agent+jwt", "aa-auth+jwt"}) {
    json header = at_header();
    header["typ"] = typ;
    header["kid"] = "no-such-key";
    const std::string token = mint_token(pos1(), header);
    EXPECT_EQ(parse_access_token(token).reason(), Reason::invalid_typ) << typ;
    EXPECT_EQ(parse_and_validate(token, lenient, keys).reason(), Reason::invalid_typ) << typ;
  }
  // Anything else, and non-strings.
  for (const json& typ : {json("at+jwt2"), json("secevent+jwt"), json("at+jwt;v=1"),
                          json("application/at"), json(1), json::array({"at+jwt"})}) {
    json header = at_header();
    header["typ"] = typ;
    EXPECT_EQ(parse_and_validate(mint_token(pos1(), header), lenient, keys).reason(),
              Reason::invalid_typ)
        << typ;
  }
  // An ID token (§9 item 26): typ JWT, aud = a client, nonce.
  json id_token = patched(pos1(), {{"aud", "https://app.example.com/client"}, {"nonce", "n"}});
  json id_header = at_header();
  id_header["typ"] = "JWT";
  EXPECT_EQ(check(mint_token(id_token, id_header)).reason(), Reason::invalid_typ);
  EXPECT_EQ(parse_and_validate(mint_token(id_token, id_header), lenient, keys).reason(),
            Reason::invalid_audience);
}

TEST_F(JwtAccessToken, CritIsRefused) {
  // §9 item 27.
  for (const json& crit : {json::array({"exp"}), json::array({"b64"}), json::array(), json("x")}) {
    json header = at_header();
    header["crit"] = crit;
    EXPECT_EQ(check(mint_token(pos1(), header)).reason(), Reason::malformed_jwt) << crit;
  }
}

TEST_F(JwtAccessToken, TokenFormats) {
  // §9 item 28: a JWE, and opaque tokens, go elsewhere.
  EXPECT_EQ(check("eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d").reason(), Reason::unsupported_token_format);
  for (const char* opaque : {"2YotnFZFEjr1zCsicMWpAA", "a.b", "a.b.c.d", "a.b.c.d.e.f", ""}) {
    EXPECT_EQ(parse_access_token(opaque).reason(), Reason::unsupported_token_format) << opaque;
  }
  // Three segments are a JWT: bad ones are malformed, not opaque.
  EXPECT_EQ(check("a.b.c").reason(), Reason::malformed_jwt);
  EXPECT_EQ(check("..").reason(), Reason::malformed_jwt);
}

TEST_F(JwtAccessToken, NonCanonicalBase64url) {
  // §9 item 29.
  const std::string good = mint_token(pos1());
  ASSERT_TRUE(check(good).ok());
  const auto d1 = good.find('.');
  const auto d2 = good.find('.', d1 + 1);
  std::string standard = good;
  standard[d1 + 1] = '+';
  std::string slash = good;
  slash[d2 + 1] = '/';
  std::string trailing = good;
  // 64-byte signature: 86 characters, the last with 4 spare bits.
  trailing.back() = 'B';
  for (const std::string& token :
       {good.substr(0, d1) + "=" + good.substr(d1), good.substr(0, d2) + "==" + good.substr(d2),
        good + "==", standard, slash, trailing}) {
    EXPECT_EQ(check(token).reason(), Reason::malformed_jwt) << token;
  }
}

TEST_F(JwtAccessToken, OversizedAndDeeplyNested) {
  // §9 item 30: 100 KB → refused by size before parsing.
  json big = pos1();
  big["pad"] = std::string(100 * 1024, 'x');
  EXPECT_EQ(check(mint_token(big)).reason(), Reason::limit_exceeded);
  EXPECT_EQ(parse_access_token(std::string(100 * 1024, 'A')).reason(), Reason::limit_exceeded);

  // 10,000 nested act objects: too big for the default limit...
  std::string deep = R"({"iss":"https://as.example.com","act":)";
  for (int i = 0; i < 10000; ++i) deep += R"({"sub":"a","act":)";
  deep += R"({"sub":"a"})" + std::string(10000, '}') + "}";
  const std::string deep_token = mint_raw(deep);
  EXPECT_EQ(check(deep_token).reason(), Reason::limit_exceeded);
  // ...and with the size limit raised, the JSON depth limit stops it (no recursion anywhere).
  IssuerPolicy roomy = policy;
  roomy.max_token_bytes = 1024 * 1024;
  EXPECT_EQ(parse_and_validate(deep_token, roomy, keys).reason(), Reason::malformed_jwt);
  // 20 levels fit the JSON limit; the act walk refuses them by depth.
  json act = {{"sub", "https://x.example"}};
  for (int i = 0; i < 19; ++i) act = {{"sub", "https://x.example"}, {"act", act}};
  EXPECT_EQ(reason_of(patched(pos1(), {{"act", act}})), Reason::act_chain_too_deep);
}

// ---------------------------------------------------------------------------------------------
// Issuer, audience and time (§9 items 31–35, NEG-12..14, 21, 23).

TEST_F(JwtAccessToken, IssuerIsComparedExactly) {
  // NEG-21 and §9 item 35.
  for (const std::string& iss :
       {std::string("https://as.evil.example"), std::string("https://as.example.com/"),
        std::string("https://AS.example.com"), std::string("HTTPS://as.example.com"),
        std::string("https://as.example.com:443"), std::string(" https://as.example.com"),
        std::string("https://as.example.com\0", 23)}) {
    EXPECT_EQ(reason_of(patched(pos1(), {{"iss", iss}})), Reason::untrusted_issuer) << iss;
  }
  EXPECT_EQ(reason_of(patched(pos1(), {{"iss", nullptr}})), Reason::untrusted_issuer);
  EXPECT_EQ(reason_of(patched(pos1(), {{"iss", 1}})), Reason::untrusted_issuer);
  // parse_access_token reports the untrusted issuer as found, for the caller's lookup.
  EXPECT_EQ(parse_access_token(mint_token(patched(pos1(), {{"iss", "https://as.evil.example"}})))
                .value()
                .issuer,
            "https://as.evil.example");
}

TEST_F(JwtAccessToken, Audience) {
  // NEG-14 and §9 item 33.
  EXPECT_EQ(reason_of(patched(pos1(), {{"aud", "https://api.other.example"}})),
            Reason::invalid_audience);
  EXPECT_EQ(reason_of(patched(pos1(), {{"aud", "https://api.shop.example/"}})),
            Reason::invalid_audience);
  EXPECT_EQ(reason_of(patched(pos1(), {{"aud", nullptr}})), Reason::invalid_audience);
  for (const json& bad :
       {json(1), json::object(), json::array(), json::array({1}), json::array({kResource, 1})}) {
    EXPECT_EQ(reason_of(patched(pos1(), {{"aud", bad}})), Reason::invalid_audience) << bad;
  }
  auto t = claims(patched(pos1(), {{"aud", {"https://api.other.example", kResource}}}));
  ASSERT_TRUE(t.ok()) << t.error().message();
  EXPECT_EQ(t->audience, (std::vector<std::string>{"https://api.other.example", kResource}));
  // Any configured audience will do; none configured accepts nothing.
  policy.audiences = {"https://api.other.example", "urn:x"};
  EXPECT_TRUE(claims(patched(pos1(), {{"aud", "urn:x"}})).ok());
  policy.audiences.clear();
  EXPECT_EQ(reason_of(pos1()), Reason::invalid_audience);
}

TEST_F(JwtAccessToken, ClockSkew) {
  // NEG-12, NEG-13 and §9 item 31, skew 60.
  EXPECT_EQ(reason_of(patched(pos1(), {{"exp", kNow - 61}})), Reason::token_expired);
  EXPECT_EQ(reason_of(patched(pos1(), {{"exp", kNow - 60}})), Reason::token_expired);
  EXPECT_TRUE(claims(patched(pos1(), {{"exp", kNow - 59}})).ok());
  EXPECT_TRUE(claims(patched(pos1(), {{"exp", kNow - 30}})).ok());
  EXPECT_TRUE(claims(patched(pos1(), {{"nbf", kNow + 30}})).ok());
  EXPECT_TRUE(claims(patched(pos1(), {{"nbf", kNow + 60}})).ok());
  EXPECT_EQ(reason_of(patched(pos1(), {{"nbf", kNow + 61}})), Reason::token_not_yet_valid);
  EXPECT_EQ(reason_of(patched(pos1(), {{"nbf", kNow + 120}})), Reason::token_not_yet_valid);
  EXPECT_EQ(reason_of(patched(pos1(), {{"iat", kNow + 600}, {"exp", kNow + 900}})),
            Reason::token_issued_in_future);
  EXPECT_TRUE(claims(patched(pos1(), {{"iat", kNow + 60}})).ok());
  EXPECT_EQ(reason_of(patched(pos1(), {{"iat", kNow + 61}})), Reason::token_issued_in_future);
  // The configured skew is clamped to 300 s; a negative one is no skew.
  policy.clock_skew = 3600;
  EXPECT_TRUE(claims(patched(pos1(), {{"exp", kNow - 299}})).ok());
  EXPECT_EQ(reason_of(patched(pos1(), {{"exp", kNow - 300}})), Reason::token_expired);
  EXPECT_EQ(claims(pos1())->clock_skew, kMaxClockSkew);
  policy.clock_skew = -100;
  EXPECT_EQ(reason_of(patched(pos1(), {{"exp", kNow}})), Reason::token_expired);
  EXPECT_TRUE(claims(patched(pos1(), {{"exp", kNow + 1}})).ok());
  EXPECT_EQ(claims(patched(pos1(), {{"exp", kNow + 1}}))->clock_skew, 0);
}

TEST_F(JwtAccessToken, NumericDateTypes) {
  // NEG-23 and §9 item 32.
  EXPECT_EQ(check(mint_raw(raw_pos1_with("exp", "\"1795435500\""))).reason(),
            Reason::invalid_claim);
  auto fractional = check(mint_raw(raw_pos1_with("exp", "1795435500.5")));
  ASSERT_TRUE(fractional.ok()) << fractional.error().message();
  EXPECT_EQ(fractional->expires_at, kExp);
  for (const char* bad : {"1e300", "-1", "true", "false", "null", "[1795435500]", "{}",
                          "9007199254740992", "18446744073709551615", "-1795435500"}) {
    EXPECT_EQ(check(mint_raw(raw_pos1_with("exp", bad))).reason(), Reason::invalid_claim) << bad;
  }
  EXPECT_TRUE(check(mint_raw(raw_pos1_with("exp", "9007199254740991"))).ok());
  EXPECT_TRUE(check(mint_raw(raw_pos1_with("exp", "1.7954355e9"))).ok());
  // A lifetime cap does not turn 1e300 into something else.
  policy.max_token_lifetime = 24 * 3600;
  EXPECT_EQ(check(mint_raw(raw_pos1_with("exp", "1e300"))).reason(), Reason::invalid_claim);
  for (const char* name : {"iat", "nbf"}) {
    for (const char* bad : {"\"1795434900\"", "-5", "true", "1e300"}) {
      EXPECT_EQ(check(mint_raw(raw_pos1_with(name, bad))).reason(), Reason::invalid_claim)
          << name << " " << bad;
    }
  }
  EXPECT_EQ(reason_of(patched(pos1(), {{"exp", nullptr}})), Reason::missing_claim);
  EXPECT_EQ(reason_of(patched(pos1(), {{"iat", nullptr}})), Reason::missing_claim);
}

TEST_F(JwtAccessToken, MaximumLifetime) {
  policy.max_token_lifetime = 600;  // exp − iat of POS-1 is exactly 600
  EXPECT_TRUE(claims(pos1()).ok());
  policy.max_token_lifetime = 599;
  EXPECT_EQ(reason_of(pos1()), Reason::token_lifetime_exceeded);
  // An "eternal" token within the NumericDate range.
  policy.max_token_lifetime = 24 * 3600;
  EXPECT_EQ(reason_of(patched(pos1(), {{"exp", 4102444800}})), Reason::token_lifetime_exceeded);
}

TEST_F(JwtAccessToken, RequiredStrings) {
  for (const char* name : {"sub", "client_id", "jti"}) {
    EXPECT_EQ(reason_of(patched(pos1(), {{name, nullptr}})), Reason::missing_claim) << name;
    EXPECT_EQ(reason_of(patched(pos1(), {{name, ""}})), Reason::missing_claim) << name;
    EXPECT_EQ(reason_of(patched(pos1(), {{name, 42}})), Reason::invalid_claim) << name;
    EXPECT_EQ(reason_of(patched(pos1(), {{name, {"x"}}})), Reason::invalid_claim) << name;
  }
  EXPECT_EQ(reason_of(patched(pos1(), {{"sub_profile", 1}})), Reason::invalid_claim);
}

TEST_F(JwtAccessToken, ClientIdClaimIsConfigurable) {
  policy.client_id_claim = "azp";
  EXPECT_EQ(reason_of(pos1()), Reason::missing_claim);
  auto t = claims(patched(pos1(), {{"azp", "https://app.example.com/client"}}));
  ASSERT_TRUE(t.ok()) << t.error().message();
  EXPECT_EQ(t->client_id, "https://app.example.com/client");
  policy.client_id_claim = "appid";
  EXPECT_EQ(claims(patched(pos1(), {{"appid", "1234"}}))->client_id, "1234");
}

// ---------------------------------------------------------------------------------------------
// Delegation structure (§9 items 36–39, NEG-7, NEG-8).

json act_chain(int depth) {
  json act = {{"sub", "https://x" + std::to_string(depth) + ".example"}};
  for (int i = depth - 1; i >= 1; --i) {
    act = {{"sub", "https://x" + std::to_string(i) + ".example"}, {"act", act}};
  }
  return act;
}

TEST_F(JwtAccessToken, ActOfTheWrongType) {
  // NEG-7 and §9 item 36.
  for (const json& act :
       {json(kAgentA), json::array({{{"sub", kAgentA}}}), json(nullptr), json(7), json(true)}) {
    json p = pos1();
    p["act"] = act;
    EXPECT_EQ(reason_of(p), Reason::invalid_act) << act;
  }
}

TEST_F(JwtAccessToken, ActMembers) {
  // NEG-8 and §9 item 37.
  for (const json& act :
       {json::object(), json{{"iss", kIssuer}}, json{{"sub", ""}}, json{{"sub", 42}},
        json{{"sub", nullptr}}, json{{"sub", {kAgentA}}}, json{{"sub", "agent\n"}},
        json{{"sub", "a\x7f"}}, json{{"sub", "a\xC2\x85"}}, json{{"sub", std::string(1025, 'a')}},
        json{{"sub", kAgentA}, {"iss", 1}}, json{{"sub", kAgentA}, {"iss", ""}},
        json{{"sub", kAgentA}, {"sub_profile", 1}}, json{{"sub", kAgentA}, {"client_id", 1}},
        json{{"sub", kAgentA}, {"act", "x"}}, json{{"sub", kAgentA}, {"act", json::object()}},
        json{{"sub", kAgentA}, {"act", {{"sub", 1}}}}}) {
    json p = pos1();
    p["act"] = act;
    EXPECT_EQ(reason_of(p), Reason::invalid_act) << act;
  }
  json p = pos1();
  p["act"] = {{"sub", std::string(1024, 'a')}, {"client_id", kAgentA}, {"sub_profile", "ai_agent"}};
  auto t = claims(p);
  ASSERT_TRUE(t.ok()) << t.error().message();
  EXPECT_EQ(t->actor_chain.at(0).client_id, kAgentA);
  // Non-ASCII is fine (compared byte for byte later).
  p["act"] = {{"sub", "agent-\xC3\xA9"}};
  EXPECT_TRUE(claims(p).ok());
  // require_act_iss (actor profile) at every level.
  policy.require_act_iss = true;
  p["act"] = {{"sub", kAgentA}};
  EXPECT_EQ(reason_of(p), Reason::invalid_act);
  p["act"] = {{"sub", kAgentA}, {"iss", kIssuer}, {"act", {{"sub", "https://o.example"}}}};
  EXPECT_EQ(reason_of(p), Reason::invalid_act);
  p["act"]["act"]["iss"] = kIssuer;
  EXPECT_TRUE(claims(p).ok());
}

TEST_F(JwtAccessToken, ActDepth) {
  // NEG-6 and §9 item 38.
  json p = pos1();
  p["act"] = act_chain(4);
  auto t = claims(p);
  ASSERT_TRUE(t.ok()) << t.error().message();
  ASSERT_EQ(t->actor_chain.size(), 4u);
  EXPECT_EQ(t->actor_chain.front().sub, "https://x1.example");
  EXPECT_EQ(t->actor_chain.back().sub, "https://x4.example");
  p["act"] = act_chain(5);
  EXPECT_EQ(reason_of(p), Reason::act_chain_too_deep);
  // A configured 20 is clamped to 8.
  policy.max_act_depth = 20;
  p["act"] = act_chain(8);
  EXPECT_TRUE(claims(p).ok());
  p["act"] = act_chain(9);
  EXPECT_EQ(reason_of(p), Reason::act_chain_too_deep);
  // Zero: no act at all.
  policy.max_act_depth = 0;
  p["act"] = act_chain(1);
  EXPECT_EQ(reason_of(p), Reason::act_chain_too_deep);
  EXPECT_TRUE(claims(patched(pos1(), {{"act", nullptr}})).ok());
}

TEST_F(JwtAccessToken, ClaimsInsideActAreIgnored) {
  // §9 item 39.
  json p = pos1();
  p["act"]["exp"] = 1;
  p["act"]["nbf"] = kNow + 100000;
  p["act"]["aud"] = "https://elsewhere.example";
  p["act"]["iat"] = "not a date";
  auto t = claims(p);
  ASSERT_TRUE(t.ok()) << t.error().message();
  EXPECT_EQ(t->actor_chain.at(0).sub, kAgentA);
}

TEST_F(JwtAccessToken, MayAct) {
  json p = pos1();
  p["may_act"] = {{"sub", kAgentA}, {"iss", kIssuer}};
  auto t = claims(p);
  ASSERT_TRUE(t.ok()) << t.error().message();
  ASSERT_TRUE(t->may_act);
  EXPECT_EQ(t->may_act->sub, kAgentA);
  EXPECT_EQ(t->may_act->iss, kIssuer);
  for (const json& bad :
       {json(kAgentA), json::object(), json{{"sub", ""}}, json{{"sub", 1}}, json{{"iss", kIssuer}},
        json{{"sub", kAgentA}, {"iss", 1}}, json(nullptr)}) {
    p["may_act"] = bad;
    EXPECT_EQ(reason_of(p), Reason::invalid_claim) << bad;
  }
}

// ---------------------------------------------------------------------------------------------
// Confirmation (NEG-19, NEG-26, Step 9.3).

TEST_F(JwtAccessToken, CnfJkt) {
  for (const json& bad : {json("poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0"),    // 42
                          json("poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U="),  // padded
                          json("poqkLGiymh_W0uP6PZFw+dvez3QJT5SolqXBCW38r0U"),   // '+'
                          json("poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0V"),   // trailing bits
                          json(""), json(1), json::array({kAgentAThumbprint})}) {
    json p = pos1();
    p["cnf"] = {{"jkt", bad}};
    EXPECT_EQ(reason_of(p), Reason::invalid_cnf) << bad;
  }
}

TEST_F(JwtAccessToken, CnfHoldsExactlyOneKey) {
  // NEG-19.
  const json jwk = {{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", kAgentAKeyX}};
  for (const json& cnf :
       {json{{"jkt", kAgentAThumbprint}, {"jwk", jwk}},
        json{{"jkt", kAgentAThumbprint}, {"x5t#S256", kAgentAThumbprint}},
        json{{"jkt", kAgentAThumbprint}, {"kid", "k"}}, json{{"jwk", jwk}, {"jwe", "x.y.z.w.v"}},
        json::object(), json{{"foo", 1}}, json("jkt"), json::array(), json(nullptr)}) {
    json p = pos1();
    p["cnf"] = cnf;
    EXPECT_EQ(reason_of(p), Reason::invalid_cnf) << cnf;
  }
  // Methods this resource server cannot check.
  for (const json& cnf :
       {json{{"kid", "k1"}}, json{{"jku", "https://x.example/jwks"}},
        json{{"jku", "https://x.example/jwks"}, {"kid", "k1"}}, json{{"jwe", "a.b.c.d.e"}}}) {
    json p = pos1();
    p["cnf"] = cnf;
    EXPECT_EQ(reason_of(p), Reason::unsupported_cnf_method) << cnf;
  }
  // Unknown extension members next to a supported method are ignored.
  json p = pos1();
  p["cnf"]["future"] = true;
  EXPECT_TRUE(claims(p).ok());
}

TEST_F(JwtAccessToken, CnfJwk) {
  auto cnf_of = [&](const json& jwk) {
    json p = pos1();
    p["cnf"] = {{"jwk", jwk}};
    return claims(p);
  };
  for (Algorithm a :
       {Algorithm::ecdsa_p256_sha256, Algorithm::ecdsa_p384_sha384, Algorithm::rsa_pss_sha256}) {
    const SigningKey k = SigningKey::generate(a).value();
    auto t = cnf_of(k.to_public_jwk());
    ASSERT_TRUE(t.ok()) << t.error().message();
    EXPECT_EQ(t->cnf.key_thumbprint, k.thumbprint());
  }
  const SigningKey ed = SigningKey::generate(Algorithm::ed25519).value();
  EXPECT_EQ(cnf_of(ed.to_private_jwk()).reason(), Reason::invalid_cnf);  // has d
  json jwk = ed.to_public_jwk();
  jwk["k"] = "AAAA";
  EXPECT_EQ(cnf_of(jwk).reason(), Reason::invalid_cnf);
  EXPECT_EQ(cnf_of(json{{"kty", "oct"}, {"k", b64(std::string(32, 'k'))}}).reason(),
            Reason::invalid_cnf);
  EXPECT_EQ(cnf_of(json{{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", b64("short")}}).reason(),
            Reason::invalid_cnf);
  EXPECT_EQ(cnf_of(json{{"kty", "OKP"}, {"crv", "X25519"}, {"x", kAgentAKeyX}}).reason(),
            Reason::invalid_cnf);
  EXPECT_EQ(cnf_of(json{{"kty", "EC"},
                        {"crv", "P-256"},
                        {"x", b64(std::string(32, '\1'))},
                        {"y", b64(std::string(32, '\2'))}})
                .reason(),
            Reason::invalid_cnf);  // not on the curve
  EXPECT_EQ(cnf_of(json("x")).reason(), Reason::invalid_cnf);
  EXPECT_EQ(cnf_of(json{{"crv", "Ed25519"}, {"x", kAgentAKeyX}}).reason(), Reason::invalid_cnf);
}

TEST_F(JwtAccessToken, CnfX5tS256) {
  // NEG-26: parsed; whether it can be checked is the binding's business.
  json p = pos1();
  p["cnf"] = {{"x5t#S256", "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"}};
  auto t = claims(p);
  ASSERT_TRUE(t.ok()) << t.error().message();
  EXPECT_EQ(t->cnf.method, Confirmation::Method::x5t_s256);
  // RFC 8705's example sets the spare trailing bits; the canonical form of the same 32 bytes
  // is kept, as a client certificate's hash would be encoded.
  EXPECT_EQ(t->cnf.x5t_s256, "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg0");
  EXPECT_TRUE(t->cnf.key_thumbprint.empty());
  p["cnf"] = {{"x5t#S256", "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg0"}};
  EXPECT_EQ(claims(p)->cnf.x5t_s256, "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg0");
  for (const json& bad : {json("bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg"),
                          json("bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg0="),
                          json("bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN+dg0"),
                          json("bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg="), json(1)}) {
    p["cnf"] = {{"x5t#S256", bad}};
    EXPECT_EQ(reason_of(p), Reason::invalid_cnf) << bad;
  }
}

TEST_F(JwtAccessToken, CnfHtsk) {
  // draft-richer-oauth-httpsig examples (testvectors/token/binding-examples.json).
  const json ex =
      crypto_test::load_vectors("token/binding-examples.json").at("draft_richer_oauth_httpsig");
  auto cnf_of = [&](const json& cnf) {
    json p = pos1();
    p["cnf"] = cnf;
    return claims(p);
  };
  auto ed = cnf_of(ex.at("ed25519_variant").at("cnf_runtime"));
  ASSERT_TRUE(ed.ok()) << ed.error().message();
  EXPECT_EQ(ed->cnf.method, Confirmation::Method::htsk);
  EXPECT_EQ(ed->cnf.key_thumbprint,
            ex.at("ed25519_variant").at("key_thumbprint_rfc7638").get<std::string>());
  EXPECT_EQ(ed->cnf.jwk.at("x"), ex.at("ed25519_variant").at("cnf_runtime").at("htsk").at("pub"));
  EXPECT_EQ(VerifyingKey::from_jwk(ed->cnf.jwk).value().algorithm(), Algorithm::ed25519);
  // The preregistered JWK form of the same key has the same thumbprint.
  auto pre = cnf_of(ex.at("ed25519_variant").at("cnf_preregistered"));
  ASSERT_TRUE(pre.ok()) << pre.error().message();
  EXPECT_EQ(pre->cnf.key_thumbprint, ed->cnf.key_thumbprint);
  // P-256: the uncompressed point becomes the JWK of the preregistered form.
  auto ec = cnf_of(ex.at("ecdsa_p256_variant").at("cnf_runtime"));
  ASSERT_TRUE(ec.ok()) << ec.error().message();
  auto ec_pre = cnf_of(ex.at("ecdsa_p256_variant").at("cnf_preregistered"));
  ASSERT_TRUE(ec_pre.ok()) << ec_pre.error().message();
  EXPECT_EQ(ec->cnf.key_thumbprint, ec_pre->cnf.key_thumbprint);
  EXPECT_EQ(ec->cnf.jwk.at("alg"), "ES256");

  const std::string pub = ex.at("ed25519_variant").at("cnf_runtime").at("htsk").at("pub");
  for (const json& htsk :
       {json{{"alg", "ed25519"}, {"pub", pub.substr(0, 42)}},  // 31 bytes
        json{{"alg", "ed25519"}, {"pub", pub + "="}},          // padded
        json{{"alg", "ed25519"}}, json{{"pub", pub}},
        json{{"alg", "Ed25519"}, {"pub", pub}},  // a JOSE name, not a registry one
        json{{"alg", "PS256"}, {"pub", pub}}, json{{"alg", "rsa-pss-sha256"}, {"pub", pub}},
        json{{"alg", "hmac-sha256"}, {"pub", pub}},        // not a public key
        json{{"alg", "ecdsa-p256-sha256"}, {"pub", pub}},  // wrong length for the curve
        json{{"alg", 1}, {"pub", pub}}, json("ed25519")}) {
    EXPECT_EQ(cnf_of(json{{"htsk", htsk}}).reason(), Reason::invalid_cnf) << htsk;
  }
  EXPECT_EQ(cnf_of(json{{"htsk", {{"alg", "rsa-pss-sha512"}, {"pub", pub}}}}).reason(),
            Reason::unsupported_cnf_method);
}

// ---------------------------------------------------------------------------------------------
// Scopes (§9 item 45) and pass-through claims.

TEST_F(JwtAccessToken, Scopes) {
  auto scopes = [&](const json& value) {
    json p = pos1();
    p[policy.scope_claim] = value;
    return claims(p);
  };
  EXPECT_EQ(scopes("a b a c b")->scopes, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(scopes("orders:read")->scopes, std::vector<std::string>{"orders:read"});
  EXPECT_TRUE(scopes("")->scopes.empty());
  EXPECT_EQ(scopes("!#[]~")->scopes, std::vector<std::string>{"!#[]~"});
  for (const json& bad :
       {json("a  b"), json(" a"), json("a "), json(" "), json("a\tb"), json("a\"b"), json("a\\b"),
        json("caf\xC3\xA9"), json("a\x7f"), json::array({"a", "b"}), json(1), json(nullptr)}) {
    EXPECT_EQ(scopes(bad).reason(), Reason::invalid_claim) << bad;
  }
  // scp (Entra, Okta): a string or an array.
  policy.scope_claim = "scp";
  EXPECT_EQ(scopes(json::array({"a", "b", "a"}))->scopes, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(scopes("a b")->scopes, (std::vector<std::string>{"a", "b"}));
  for (const json& bad : {json::array({"a b"}), json::array({""}), json::array({1}),
                          json::array({"a\""}), json::object()}) {
    EXPECT_EQ(scopes(bad).reason(), Reason::invalid_claim) << bad;
  }
  // The `scope` claim itself is then not read.
  json p = pos1();
  p["scope"] = json::array({"ignored"});
  p["scp"] = "x";
  EXPECT_EQ(claims(p)->scopes, std::vector<std::string>{"x"});
}

TEST_F(JwtAccessToken, AuthorizationDetailsPassThrough) {
  const json details = json::parse(R"([{"type":"payment_initiation","instructedAmount":
      {"currency":"EUR","amount":"123.50"}}])");
  auto t = claims(patched(pos1(), {{"authorization_details", details}}));
  ASSERT_TRUE(t.ok()) << t.error().message();
  EXPECT_EQ(t->authorization_details, details);
}

// ---------------------------------------------------------------------------------------------
// Signature, step order, hashing, reuse.

TEST_F(JwtAccessToken, SignatureIsChecked) {
  const std::string token = mint_token(pos1());
  // A payload swapped under the original signature.
  const std::string other = mint_token(patched(pos1(), {{"sub", "u_other"}}));
  const std::string spliced = other.substr(0, other.rfind('.')) + token.substr(token.rfind('.'));
  EXPECT_EQ(check(spliced).reason(), Reason::invalid_signature);
  // A key that is not the issuer's, under the issuer's kid.
  EXPECT_EQ(check(mint(at_header(), pos1(), fresh(Algorithm::ed25519))).reason(),
            Reason::invalid_signature);
}

TEST_F(JwtAccessToken, ChecksRunInStepOrder) {
  const SigningKey attacker = fresh(Algorithm::ed25519);
  const json expired_untrusted = patched(pos1(), {{"exp", 1}, {"iss", "https://as.evil.example"}});
  json bad_typ = at_header();
  bad_typ["typ"] = "JWT";
  // typ (Step 4) before issuer (Step 5), issuer before keys (6), keys before signature (7),
  // signature before claims (8), claims before delegation (9).
  EXPECT_EQ(check(mint(bad_typ, expired_untrusted, attacker)).reason(), Reason::invalid_typ);
  json unknown_kid = at_header();
  unknown_kid["kid"] = "nope";
  EXPECT_EQ(check(mint(unknown_kid, expired_untrusted, attacker)).reason(),
            Reason::untrusted_issuer);
  EXPECT_EQ(check(mint(unknown_kid, patched(pos1(), {{"exp", 1}}), attacker)).reason(),
            Reason::unknown_kid);
  EXPECT_EQ(check(mint(at_header(), patched(pos1(), {{"exp", 1}}), attacker)).reason(),
            Reason::invalid_signature);
  EXPECT_EQ(reason_of(patched(pos1(), {{"exp", 1}, {"act", "x"}})), Reason::token_expired);
  EXPECT_EQ(reason_of(patched(pos1(), {{"act", "x"}, {"cnf", "x"}})), Reason::invalid_act);
}

TEST_F(JwtAccessToken, CandidateMustComeFromTheToken) {
  const std::string a = mint_token(pos1());
  const std::string b = mint_token(patched(pos1(), {{"jti", "other"}}));
  const JwtCandidate candidate = parse_access_token(a).value();
  EXPECT_EQ(validate_access_token(b, candidate, policy, keys, kNow).reason(),
            Reason::invalid_argument);
}

TEST_F(JwtAccessToken, TokenHashIsTheCacheKey) {
  // §9 item 47: same jti, different tokens → different keys.
  const std::string a = mint_token(pos1());
  const std::string b = mint_token(patched(pos1(), {{"scope", "orders:read"}}));
  auto ta = check(a);
  auto tb = check(b);
  ASSERT_TRUE(ta.ok() && tb.ok());
  EXPECT_EQ(ta->jti, tb->jti);
  EXPECT_NE(ta->sha256, tb->sha256);
  // base64url(SHA-256("abc")), FIPS 180-2 B.1.
  EXPECT_EQ(token_hash("abc"), "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
  EXPECT_EQ(token_hash(a).size(), 43u);
}

TEST_F(JwtAccessToken, CachedTokensAreRecheckedForTime) {
  auto t = claims(pos1());
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(check_token_time(*t, kNow).ok());
  EXPECT_TRUE(check_token_time(*t, kExp + 59).ok());
  EXPECT_EQ(check_token_time(*t, kExp + 60).reason(), Reason::token_expired);
  EXPECT_EQ(check_token_time(*t, kIat - 61).reason(), Reason::token_not_yet_valid);
  AccessToken future = *t;
  future.not_before.reset();
  EXPECT_EQ(check_token_time(future, kIat - 61).reason(), Reason::token_issued_in_future);
  future.clock_skew = 100000;  // clamped
  EXPECT_TRUE(check_token_time(future, kIat - 300).ok());
  EXPECT_EQ(check_token_time(future, kIat - 301).reason(), Reason::token_issued_in_future);
}

// ---------------------------------------------------------------------------------------------
// Introspection (POS-8, NEG-25, §9 item 46).

const char* kPos8 = R"({
  "active": true,
  "iss": "https://as.example.com",
  "sub": "u_248289761001",
  "aud": "https://api.shop.example",
  "client_id": "https://agent-a.example/agent",
  "scope": "orders:read cart:write",
  "token_type": "DPoP",
  "exp": 1795435500, "iat": 1795434900,
  "act": { "sub": "https://agent-a.example/agent", "iss": "https://as.example.com" },
  "cnf": { "jkt": "poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U" }
})";

const std::string kOpaque = "2YotnFZFEjr1zCsicMWpAA";

class Introspection : public ::testing::Test {
 protected:
  IssuerPolicy policy = default_policy();
  Result<AccessToken> from(const json& response, std::int64_t now = kNow) const {
    return access_token_from_introspection(kOpaque, response.dump(), policy, now);
  }
  Reason reason_of(const json& response) const { return from(response).reason(); }
};

TEST_F(Introspection, Pos8) {
  auto t = access_token_from_introspection(kOpaque, kPos8, policy, kNow);
  ASSERT_TRUE(t.ok()) << t.error().message();
  EXPECT_EQ(t->format, AccessToken::Format::introspection);
  EXPECT_EQ(t->sha256, token_hash(kOpaque));
  EXPECT_EQ(t->issuer, kIssuer);
  EXPECT_EQ(t->subject, kUser);
  EXPECT_EQ(t->client_id, kAgentA);
  EXPECT_TRUE(t->jti.empty());
  EXPECT_EQ(t->token_type, "DPoP");
  EXPECT_EQ(t->expires_at, kExp);
  EXPECT_EQ(t->issued_at, kIat);
  EXPECT_EQ(t->scopes, (std::vector<std::string>{"orders:read", "cart:write"}));
  ASSERT_EQ(t->actor_chain.size(), 1u);
  EXPECT_EQ(t->actor_chain[0].sub, kAgentA);
  EXPECT_EQ(t->cnf.method, Confirmation::Method::jkt);
  EXPECT_EQ(t->cnf.key_thumbprint, kAgentAThumbprint);
  EXPECT_TRUE(t->chain_complete);
  EXPECT_TRUE(t->alg.empty());
}

TEST_F(Introspection, ActiveMustBeTrue) {
  // NEG-25.
  const json pos8 = json::parse(kPos8);
  for (const json& active : {json(false), json("true"), json(1), json(nullptr)}) {
    EXPECT_EQ(reason_of(patched(pos8, {{"active", active}})), Reason::token_inactive) << active;
  }
  json absent = pos8;
  absent.erase("active");
  EXPECT_EQ(reason_of(absent), Reason::token_inactive);
  // RFC 7662 §2.2: an inactive response usually has nothing else.
  EXPECT_EQ(reason_of(json{{"active", false}}), Reason::token_inactive);
}

TEST_F(Introspection, IssuerWhenPresent) {
  const json pos8 = json::parse(kPos8);
  EXPECT_EQ(reason_of(patched(pos8, {{"iss", "https://as.example.com/"}})),
            Reason::untrusted_issuer);
  EXPECT_EQ(reason_of(patched(pos8, {{"iss", 1}})), Reason::untrusted_issuer);
  auto t = from(patched(pos8, {{"iss", nullptr}}));
  ASSERT_TRUE(t.ok()) << t.error().message();
  EXPECT_EQ(t->issuer, kIssuer);
}

TEST_F(Introspection, ClaimChecks) {
  const json pos8 = json::parse(kPos8);
  EXPECT_EQ(reason_of(patched(pos8, {{"aud", "https://api.other.example"}})),
            Reason::invalid_audience);
  // Missing aud: refused when an audience is configured, accepted otherwise.
  EXPECT_EQ(reason_of(patched(pos8, {{"aud", nullptr}})), Reason::invalid_audience);
  policy.audiences.clear();
  EXPECT_TRUE(from(patched(pos8, {{"aud", nullptr}})).ok());
  policy = default_policy();
  EXPECT_EQ(reason_of(patched(pos8, {{"exp", kNow - 61}})), Reason::token_expired);
  EXPECT_EQ(reason_of(patched(pos8, {{"exp", "1795435500"}})), Reason::invalid_claim);
  EXPECT_EQ(reason_of(patched(pos8, {{"nbf", kNow + 120}})), Reason::token_not_yet_valid);
  EXPECT_EQ(reason_of(patched(pos8, {{"iat", kNow + 600}})), Reason::token_issued_in_future);
  EXPECT_EQ(reason_of(patched(pos8, {{"sub", nullptr}})), Reason::missing_claim);
  EXPECT_EQ(reason_of(patched(pos8, {{"client_id", nullptr}})), Reason::missing_claim);
  EXPECT_EQ(reason_of(patched(pos8, {{"jti", 1}})), Reason::invalid_claim);
  EXPECT_EQ(from(patched(pos8, {{"jti", "at-1"}}))->jti, "at-1");
  EXPECT_EQ(reason_of(patched(pos8, {{"token_type", 1}})), Reason::invalid_claim);
  EXPECT_EQ(reason_of(patched(pos8, {{"act", "x"}})), Reason::invalid_act);
  EXPECT_EQ(reason_of(patched(pos8, {{"cnf", {{"jkt", "x"}}}})), Reason::invalid_cnf);
  EXPECT_EQ(reason_of(patched(pos8, {{"scope", {"a"}}})), Reason::invalid_claim);
  EXPECT_EQ(reason_of(patched(pos8, {{"may_act", "x"}})), Reason::invalid_claim);
  // Optional times: without exp the response is good for this request only.
  auto t = from(patched(pos8, {{"exp", nullptr}, {"iat", nullptr}}));
  ASSERT_TRUE(t.ok()) << t.error().message();
  EXPECT_EQ(t->expires_at, kNow);
  EXPECT_EQ(t->issued_at, 0);
  EXPECT_TRUE(check_token_time(*t, kNow).ok());
  EXPECT_EQ(check_token_time(*t, kNow + 60).reason(), Reason::token_expired);
}

TEST_F(Introspection, ChainComplete) {
  const json pos8 = json::parse(kPos8);
  EXPECT_FALSE(from(patched(pos8, {{"chain_complete", false}}))->chain_complete);
  EXPECT_TRUE(from(patched(pos8, {{"chain_complete", true}}))->chain_complete);
  EXPECT_EQ(reason_of(patched(pos8, {{"chain_complete", "no"}})), Reason::invalid_claim);
}

TEST_F(Introspection, MalformedResponses) {
  for (const std::string& text : {std::string("not json"), std::string("[]"), std::string("true"),
                                  std::string(R"({"active":true,"active":false})"),
                                  std::string(R"({"active":true,"sub":"a","sub":"b"})")}) {
    EXPECT_EQ(access_token_from_introspection(kOpaque, text, policy, kNow).reason(),
              Reason::malformed_json)
        << text;
  }
  EXPECT_EQ(
      access_token_from_introspection(kOpaque, std::string(70 * 1024, ' '), policy, kNow).reason(),
      Reason::limit_exceeded);
}

}  // namespace
}  // namespace wba::token
