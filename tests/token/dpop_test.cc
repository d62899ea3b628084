// RFC 9449 DPoP proofs (token/dpop.h): what make_dpop_proof produces, and every §4.3 check of
// verify_dpop_proof failing with invalid_dpop_proof.
#include "wba/token/dpop.h"

#include <gtest/gtest.h>

#include <string>

#include "token/validation_test_util.h"
#include "wba/encoding/base64.h"
#include "wba/jose/json.h"
#include "wba/token/access_token.h"

namespace wba::token {
namespace {

using nlohmann::json;
using test::b64;
using test::compact;
using test::kNow;

const std::string kToken = "eyJhbGciOiJFZDI1NTE5In0.eyJzdWIiOiJ1In0.c2ln";  // opaque here
const std::string kUrl = "https://api.shop.example/orders/123";

const SigningKey& agent_key() {
  static const SigningKey key = SigningKey::generate(Algorithm::ed25519).value();
  return key;
}

DpopProofRequest request_for(const std::string& method = "GET", const std::string& url = kUrl) {
  DpopProofRequest r;
  r.method = method;
  r.url = url;
  r.access_token = kToken;
  r.iat = kNow;
  return r;
}

std::string proof(const DpopProofRequest& r = request_for(), const SigningKey& key = agent_key()) {
  return make_dpop_proof(key, r).value();
}

Result<VerifiedDpopProof> verify(const std::string& p, const std::string& method = "GET",
                                 const std::string& uri = kUrl, std::int64_t now = kNow,
                                 const DpopPolicy& policy = {}) {
  return verify_dpop_proof(p, method, uri, kToken, now, policy);
}

json header_of(const std::string& p) {
  return jose::parse_strict_json(base64url_decode(p.substr(0, p.find('.'))).value()).value();
}

json claims_of(const std::string& p) {
  const auto d1 = p.find('.');
  const auto d2 = p.find('.', d1 + 1);
  return jose::parse_strict_json(base64url_decode(p.substr(d1 + 1, d2 - d1 - 1)).value()).value();
}

// A proof with exactly these header and claims, signed by `key`.
std::string custom(const json& header, const json& claims, const SigningKey& key = agent_key()) {
  return jose::sign_compact_jws(header, claims.dump(), key).value();
}

json good_header(const SigningKey& key = agent_key()) {
  json jwk = key.to_public_jwk();
  jwk.erase("alg");
  jwk.erase("kid");
  return json{{"typ", "dpop+jwt"}, {"jwk", jwk}};
}

json good_claims() {
  return json{{"jti", "e1j3V_bKic8-LAEB"},
              {"htm", "GET"},
              {"htu", kUrl},
              {"iat", kNow},
              {"ath", token_hash(kToken)}};
}

void expect_invalid(const Result<VerifiedDpopProof>& r, const std::string& what) {
  EXPECT_EQ(r.reason(), Reason::invalid_dpop_proof) << what;
}

TEST(DpopProof, MadeProofVerifies) {
  for (Algorithm a :
       {Algorithm::ed25519, Algorithm::ecdsa_p256_sha256, Algorithm::ecdsa_p384_sha384,
        Algorithm::rsa_v1_5_sha256, Algorithm::rsa_pss_sha256}) {
    SCOPED_TRACE(to_string(a));
    const SigningKey key = SigningKey::generate(a).value();
    const std::string p = proof(request_for(), key);
    auto v = verify(p);
    ASSERT_TRUE(v.ok()) << v.error().message();
    // The proof key's thumbprint: the value cnf.jkt and the WBA keyid carry.
    EXPECT_EQ(v->key_thumbprint, key.thumbprint());
    EXPECT_EQ(v->iat, kNow);
    EXPECT_EQ(v->jti, claims_of(p).at("jti"));
  }
}

TEST(DpopProof, WhatTheProofCarries) {
  DpopProofRequest r = request_for("POST", "https://api.shop.example/orders?id=1#frag");
  r.nonce = "eyJ7S_zG.eyJH0-Z.HX4w-7v";
  const std::string p = proof(r);
  const json h = header_of(p);
  EXPECT_EQ(h.at("typ"), "dpop+jwt");
  EXPECT_EQ(h.at("alg"), "EdDSA");
  // Only the public members RFC 7638 names: no d, no kid, no alg.
  EXPECT_EQ(h.at("jwk"),
            (json{{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", agent_key().to_public_jwk().at("x")}}));
  const json c = claims_of(p);
  EXPECT_EQ(c.at("htm"), "POST");
  EXPECT_EQ(c.at("htu"), "https://api.shop.example/orders");
  EXPECT_EQ(c.at("iat"), kNow);
  EXPECT_EQ(c.at("ath"), token_hash(kToken));
  EXPECT_EQ(c.at("nonce"), *r.nonce);
  EXPECT_EQ(base64url_decode(c.at("jti").get<std::string>()).value().size(), 16u);
  // Fresh jti per proof; no ath without a token.
  r.access_token.reset();
  const json c2 = claims_of(proof(r));
  EXPECT_NE(c2.at("jti"), c.at("jti"));
  EXPECT_FALSE(c2.contains("ath"));
  r.jti = "fixed";
  EXPECT_EQ(claims_of(proof(r)).at("jti"), "fixed");
  // iat defaults to the clock.
  r.iat.reset();
  EXPECT_GT(claims_of(proof(r)).at("iat").get<std::int64_t>(), 1700000000);
}

TEST(DpopProof, KeysThatCannotMakeProofs) {
  EXPECT_EQ(
      make_dpop_proof(SigningKey::generate(Algorithm::hmac_sha256).value(), request_for()).reason(),
      Reason::unsupported_algorithm);
  EXPECT_EQ(make_dpop_proof(SigningKey::generate(Algorithm::rsa_pss_sha512).value(), request_for())
                .reason(),
            Reason::unsupported_algorithm);
}

TEST(DpopProof, MethodMustMatch) {
  const std::string p = proof();
  expect_invalid(verify(p, "POST"), "POST");
  expect_invalid(verify(p, "get"), "methods are case-sensitive");
  json c = good_claims();
  c.erase("htm");
  expect_invalid(verify(custom(good_header(), c)), "no htm");
}

TEST(DpopProof, TargetUriComparison) {
  const std::string p = proof();
  // The request's query and fragment are ignored (RFC 9449 §4.3 check 9).
  EXPECT_TRUE(verify(p, "GET", kUrl + "?page=2").ok());
  EXPECT_TRUE(verify(p, "GET", kUrl + "?page=2#x").ok());
  // Normalized: scheme and host case, default port, percent-encoding of unreserved characters.
  for (const char* same :
       {"HTTPS://API.Shop.Example/orders/123", "https://api.shop.example:443/orders/123",
        "https://api.shop.example/orders/%31%32%33", "https://api.shop.example/orders/./123"}) {
    EXPECT_TRUE(verify(p, "GET", same).ok()) << same;
  }
  for (const char* other :
       {"https://api.shop.example/orders/124", "https://api.shop.example/orders/123/",
        "https://api.shop.example/Orders/123", "http://api.shop.example/orders/123",
        "https://api.shop.example:8443/orders/123", "https://api.other.example/orders/123",
        "/orders/123", "not a uri"}) {
    expect_invalid(verify(p, "GET", other), other);
  }
  // A proof whose htu carries a query is compared without it.
  json c = good_claims();
  c["htu"] = kUrl + "?a=b";
  EXPECT_TRUE(verify(custom(good_header(), c)).ok());
  // An empty path is "/".
  json root = good_claims();
  root["htu"] = "https://api.shop.example";
  EXPECT_TRUE(verify(custom(good_header(), root), "GET", "https://api.shop.example/").ok());
  for (const json& htu :
       {json(nullptr), json(1), json(""), json("https://user@api.shop.example/orders/123")}) {
    c["htu"] = htu;
    expect_invalid(verify(custom(good_header(), c)), htu.dump());
  }
}

TEST(DpopProof, IatWindow) {
  const std::string p = proof();
  EXPECT_TRUE(verify(p, "GET", kUrl, kNow + 60).ok());
  EXPECT_TRUE(verify(p, "GET", kUrl, kNow - 60).ok());
  expect_invalid(verify(p, "GET", kUrl, kNow + 61), "stale");
  expect_invalid(verify(p, "GET", kUrl, kNow - 61), "future");
  DpopPolicy mcp;
  mcp.window = 300;
  EXPECT_TRUE(verify(p, "GET", kUrl, kNow + 300, mcp).ok());
  expect_invalid(verify(p, "GET", kUrl, kNow + 301, mcp), "stale for 300");
  for (const json& iat : {json(nullptr), json("1795435200"), json(-1), json(1e300), json(true)}) {
    json c = good_claims();
    c["iat"] = iat;
    expect_invalid(verify(custom(good_header(), c)), iat.dump());
  }
  json c = good_claims();
  c["iat"] = static_cast<double>(kNow) + 0.5;
  EXPECT_TRUE(verify(custom(good_header(), c)).ok());
}

TEST(DpopProof, JtiIsRequired) {
  for (const json& jti : {json(nullptr), json(""), json(1), json(std::string(257, 'j'))}) {
    json c = good_claims();
    c["jti"] = jti;
    if (jti.is_null()) c.erase("jti");
    expect_invalid(verify(custom(good_header(), c)), jti.dump());
  }
  json c = good_claims();
  c["jti"] = std::string(256, 'j');
  EXPECT_EQ(verify(custom(good_header(), c))->jti, std::string(256, 'j'));
}

TEST(DpopProof, AthBindsTheToken) {
  const std::string p = proof();
  expect_invalid(verify_dpop_proof(p, "GET", kUrl, kToken + "x", kNow), "other token");
  for (const json& ath : {json(nullptr), json(token_hash("other")), json(""), json(1),
                          json(token_hash(kToken) + "A")}) {
    json c = good_claims();
    c["ath"] = ath;
    if (ath.is_null()) c.erase("ath");
    expect_invalid(verify(custom(good_header(), c)), ath.dump());
  }
  // Without a token (e.g. at a token endpoint), ath is not checked.
  DpopProofRequest r = request_for();
  r.access_token.reset();
  EXPECT_TRUE(verify_dpop_proof(proof(r), "GET", kUrl, "", kNow).ok());
}

TEST(DpopProof, Nonce) {
  DpopPolicy policy;
  policy.expected_nonce = "n-0S6_WzA2Mj";
  DpopProofRequest r = request_for();
  expect_invalid(verify(proof(r), "GET", kUrl, kNow, policy), "missing nonce");
  r.nonce = "n-0S6_WzA2Mk";
  expect_invalid(verify(proof(r), "GET", kUrl, kNow, policy), "wrong nonce");
  r.nonce = "n-0S6_WzA2Mj";
  EXPECT_TRUE(verify(proof(r), "GET", kUrl, kNow, policy).ok());
  // A nonce nobody asked for is ignored.
  EXPECT_TRUE(verify(proof(r)).ok());
}

TEST(DpopProof, Typ) {
  for (const json& typ : {json(nullptr), json("JWT"), json("at+jwt"), json("dpop"), json(1)}) {
    json h = good_header();
    h["typ"] = typ;
    if (typ.is_null()) h.erase("typ");
    expect_invalid(verify(custom(h, good_claims())), typ.dump());
  }
  for (const char* typ : {"DPoP+JWT", "application/dpop+jwt"}) {
    json h = good_header();
    h["typ"] = typ;
    EXPECT_TRUE(verify(custom(h, good_claims())).ok()) << typ;
  }
}

TEST(DpopProof, Algorithms) {
  const std::string payload = good_claims().dump();
  // alg none and HS256 (keyed with the header key's public bytes).
  for (const char* alg : {"none", "None", "HS256"}) {
    json h = good_header();
    h["alg"] = alg;
    const std::string input = b64(h.dump()) + "." + b64(payload);
    const SigningKey hmac =
        SigningKey::from_hmac_secret(base64url_decode(h["jwk"]["x"].get<std::string>()).value())
            .value();
    expect_invalid(verify(input + "."), alg);
    expect_invalid(verify(input + "." + b64(hmac.sign(input).value())), alg);
  }
  // An allowed algorithm the policy narrows away.
  DpopPolicy es_only;
  es_only.allowed_algs = {jose::JwsAlgorithm::es256};
  expect_invalid(verify(proof(), "GET", kUrl, kNow, es_only), "not in policy");
  // The header alg must fit the header key.
  json h = good_header();
  h["alg"] = "ES256";
  expect_invalid(verify(compact(h.dump(), payload, std::string(64, '\1'))), "ES256 with OKP");
  // crit.
  h = good_header();
  h["crit"] = {"x"};
  h["x"] = 1;
  expect_invalid(verify(custom(h, good_claims())), "crit");
}

TEST(DpopProof, HeaderKey) {
  // A private key in the header (RFC 9449 §4.3 check 7).
  json h = good_header();
  h["jwk"] = agent_key().to_private_jwk();
  expect_invalid(verify(custom(h, good_claims())), "private d");
  // No key, a key of another kind, a key that is not an object.
  for (const json& jwk :
       {json(nullptr), json("x"), json{{"kty", "oct"}, {"k", b64("0123456789abcdef")}},
        json{{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", b64("short")}}}) {
    h = good_header();
    h["jwk"] = jwk;
    if (jwk.is_null()) h.erase("jwk");
    expect_invalid(verify(custom(h, good_claims())), jwk.dump());
  }
  // Signed by another key than the one in the header.
  const SigningKey other = SigningKey::generate(Algorithm::ed25519).value();
  expect_invalid(verify(custom(good_header(), good_claims(), other)), "other key");
  // The header key names a different algorithm.
  h = good_header();
  h["jwk"]["alg"] = "ES256";
  expect_invalid(verify(custom(h, good_claims())), "jwk alg");
  h["jwk"]["alg"] = "Ed25519";
  EXPECT_TRUE(verify(custom(h, good_claims())).ok());
}

TEST(DpopProof, Malformed) {
  const std::string p = proof();
  expect_invalid(verify(p + "x"), "signature changed");
  expect_invalid(verify(p.substr(0, p.rfind('.'))), "two segments");
  expect_invalid(verify(""), "empty");
  expect_invalid(verify(p + ".a.b"), "five segments");
  expect_invalid(verify(compact(good_header().dump(), "not json", "s")), "payload");
  std::string dup = good_claims().dump();
  dup.insert(1, R"("htm":"POST",)");
  expect_invalid(verify(jose::sign_compact_jws(good_header(), dup, agent_key()).value()),
                 "duplicate htm");
  DpopPolicy small;
  small.max_bytes = 100;
  expect_invalid(verify(p, "GET", kUrl, kNow, small), "too big");
  expect_invalid(verify(custom(good_header(), json::array({1}))), "payload not an object");
}

}  // namespace
}  // namespace wba::token
