// RFC 7638 thumbprints (jose/jwk-thumbprints.json), RFC 8037 App. A (jose/rfc8037-ed25519.json)
// and RFC 9278 thumbprint URIs.
#include "wba/jose/thumbprint.h"

#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "crypto/test_util.h"
#include "wba/crypto/key.h"

namespace wba {
namespace {

using crypto_test::b64url;
using crypto_test::load_vectors;
using crypto_test::to_hex;
using nlohmann::json;

TEST(Thumbprint, Rfc7638Vectors) {
  const json vectors = load_vectors("jose/jwk-thumbprints.json").at("vectors");
  ASSERT_FALSE(vectors.empty());
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.at("name").get<std::string>());
    const json& jwk = v.at("jwk");
    const std::string expected = v.at("thumbprint").get<std::string>();
    EXPECT_EQ(jwk_thumbprint_input(jwk).value(), v.at("thumbprint_input").get<std::string>());
    EXPECT_EQ(jwk_thumbprint(jwk).value(), expected);
    EXPECT_EQ(to_hex(b64url(expected)), v.at("sha256_hex").get<std::string>());
    if (v.contains("published_value")) {
      EXPECT_EQ(expected, v.at("published_value").get<std::string>());
    }
    // A key loaded from the JWK computes the same thumbprint (RSA needs an algorithm unless
    // the JWK names one; the thumbprint does not depend on it).
    std::optional<Algorithm> alg;
    if (jwk.at("kty") == "RSA" && !jwk.contains("alg")) alg = Algorithm::rsa_pss_sha512;
    auto key = VerifyingKey::from_jwk(jwk, alg);
    ASSERT_TRUE(key.ok()) << key.error().message();
    EXPECT_EQ(key->thumbprint(), expected);
  }
}

TEST(Thumbprint, Rfc8037AppendixA) {
  const json v = load_vectors("jose/rfc8037-ed25519.json");
  const std::string expected = v.at("thumbprint").get<std::string>();
  // A.3: the thumbprint covers the public members only, so it is the same from d-bearing JWKs.
  EXPECT_EQ(jwk_thumbprint(v.at("public_jwk")).value(), expected);
  EXPECT_EQ(jwk_thumbprint(v.at("private_jwk")).value(), expected);

  auto signer = SigningKey::from_jwk(v.at("private_jwk"));
  ASSERT_TRUE(signer.ok()) << signer.error().message();
  auto verifier = VerifyingKey::from_jwk(v.at("public_jwk"));
  ASSERT_TRUE(verifier.ok()) << verifier.error().message();
  EXPECT_EQ(signer->thumbprint(), expected);
  EXPECT_EQ(verifier->thumbprint(), expected);
  EXPECT_EQ(verifier->algorithm(), Algorithm::ed25519);
  // A.1/A.2: the public key is the one derived from d.
  EXPECT_EQ(signer->to_public_jwk().at("x"), v.at("public_jwk").at("x"));

  // A.4/A.5: EdDSA over the JWS signing input (RFC 7515 §5.1: header '.' payload, base64url).
  const std::string compact = v.at("jws_compact").get<std::string>();
  const std::size_t dot = compact.rfind('.');
  ASSERT_NE(dot, std::string::npos);
  const std::string signing_input = compact.substr(0, dot);
  EXPECT_EQ(signing_input, v.at("jws_signing_input").get<std::string>());
  EXPECT_EQ(b64url(signing_input.substr(0, signing_input.find('.'))),
            v.at("jws_protected_header").get<std::string>());
  EXPECT_EQ(b64url(signing_input.substr(signing_input.find('.') + 1)),
            v.at("payload").get<std::string>());
  const std::string signature = b64url(compact.substr(dot + 1));
  auto ok = verifier->verify(signing_input, signature);
  EXPECT_TRUE(ok.ok()) << ok.error().message();
  EXPECT_EQ(signer->sign(signing_input).value(), signature);  // Ed25519 is deterministic
  EXPECT_EQ(verifier->verify(signing_input + "x", signature).reason(), Reason::bad_signature);
  // The JWS alg "EdDSA" maps to this key's algorithm.
  const json header = json::parse(v.at("jws_protected_header").get<std::string>());
  EXPECT_EQ(algorithm_from_jwk_alg(header.at("alg").get<std::string>()).value(),
            verifier->algorithm());
}

TEST(Thumbprint, Uri) {
  const std::string tp = load_vectors("jose/rfc8037-ed25519.json").at("thumbprint");
  EXPECT_EQ(jwk_thumbprint_uri(tp), "urn:ietf:params:oauth:jwk-thumbprint:sha-256:" + tp);
}

TEST(Thumbprint, IgnoresOptionalMembersAndOrder) {
  const json jwk = {{"x", "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
                    {"crv", "Ed25519"},
                    {"kty", "OKP"},
                    {"kid", "ignored"},
                    {"use", "sig"},
                    {"alg", "EdDSA"}};
  const json bare = {{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", jwk.at("x")}};
  EXPECT_EQ(jwk_thumbprint(jwk).value(), jwk_thumbprint(bare).value());
  EXPECT_EQ(jwk_thumbprint_input(jwk).value().find(' '), std::string::npos);
}

TEST(Thumbprint, Errors) {
  EXPECT_EQ(jwk_thumbprint(json::array()).reason(), Reason::invalid_key);
  EXPECT_EQ(jwk_thumbprint(json::object()).reason(), Reason::invalid_key);
  EXPECT_EQ(jwk_thumbprint(json{{"kty", 1}}).reason(), Reason::invalid_key);
  EXPECT_EQ(jwk_thumbprint(json{{"kty", "DSA"}, {"x", "AA"}}).reason(), Reason::invalid_key);
  EXPECT_EQ(jwk_thumbprint(json{{"kty", "OKP"}, {"crv", "Ed25519"}}).reason(), Reason::invalid_key);
  EXPECT_EQ(jwk_thumbprint(json{{"kty", "EC"}, {"crv", "P-256"}, {"x", "AA"}}).reason(),
            Reason::invalid_key);
  EXPECT_EQ(jwk_thumbprint(json{{"kty", "RSA"}, {"n", "AA"}, {"e", 3}}).reason(),
            Reason::invalid_key);
  auto missing = jwk_thumbprint_input(json{{"kty", "RSA"}, {"e", "AQAB"}});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().detail.find("\"n\""), std::string::npos);
  // oct keys hash k (RFC 7638 §3.2).
  EXPECT_EQ(jwk_thumbprint_input(json{{"kty", "oct"}, {"k", "c2VjcmV0"}, {"alg", "HS256"}}).value(),
            "{\"k\":\"c2VjcmV0\",\"kty\":\"oct\"}");
}

}  // namespace
}  // namespace wba
