// An issuer's JWKS (IssuerKeySet): strict parsing, key selection by kid, and the key checks of
// delegation.md §4 Step 6 (use, key_ops, kty/crv against alg, JWK alg, RSA size).
#include <gtest/gtest.h>

#include <string>

#include "token/validation_test_util.h"
#include "wba/token/access_token.h"

namespace wba::token {
namespace {

using jose::JwsAlgorithm;
using nlohmann::json;
using test::fresh;
using test::jwks_of;
using test::key_set;

json public_jwk(Algorithm alg, const std::string& kid) { return fresh(alg, kid).to_public_jwk(); }

TEST(IssuerKeySet, ParsesAndSelectsByKid) {
  const SigningKey ed = fresh(Algorithm::ed25519, "ed");
  const SigningKey ec = fresh(Algorithm::ecdsa_p256_sha256, "ec");
  const SigningKey rsa = fresh(Algorithm::rsa_v1_5_sha256, "rsa");
  const IssuerKeySet keys = key_set(jwks_of({ed, ec, rsa}));
  EXPECT_EQ(keys.size(), 3u);
  EXPECT_TRUE(keys.contains_kid("ec"));
  EXPECT_FALSE(keys.contains_kid("EC"));
  EXPECT_EQ(keys.select("ed", JwsAlgorithm::ed25519).value().thumbprint(), ed.thumbprint());
  EXPECT_EQ(keys.select("ec", JwsAlgorithm::es256).value().thumbprint(), ec.thumbprint());
  const VerifyingKey r = keys.select("rsa", JwsAlgorithm::rs256).value();
  EXPECT_EQ(r.thumbprint(), rsa.thumbprint());
  EXPECT_EQ(r.algorithm(), Algorithm::rsa_v1_5_sha256);
  // NEG-11 and §9 item 24: an unknown or injection-looking kid is an opaque miss.
  for (const char* kid : {"rotated-away", "../../etc/passwd", "' OR 1=1 --", "ed ", ""}) {
    EXPECT_EQ(keys.select(std::string(kid), JwsAlgorithm::ed25519).reason(), Reason::unknown_kid)
        << kid;
  }
  // With several keys a kid is required.
  EXPECT_EQ(keys.select(std::nullopt, JwsAlgorithm::ed25519).reason(), Reason::unknown_kid);
}

TEST(IssuerKeySet, SingleKeyNeedsNoKid) {
  const SigningKey ed = fresh(Algorithm::ed25519, "only");
  const IssuerKeySet keys = key_set(jwks_of({ed}));
  EXPECT_EQ(keys.select(std::nullopt, JwsAlgorithm::ed25519).value().thumbprint(), ed.thumbprint());
  // A kid that names another key is still a miss.
  EXPECT_EQ(keys.select("other", JwsAlgorithm::ed25519).reason(), Reason::unknown_kid);
  // No keys at all.
  EXPECT_EQ(
      key_set(json{{"keys", json::array()}}).select(std::nullopt, JwsAlgorithm::ed25519).reason(),
      Reason::unknown_kid);
}

TEST(IssuerKeySet, RsaKeysServeBothRsaAlgorithmsUnlessTheyNameOne) {
  json rsa = public_jwk(Algorithm::rsa_v1_5_sha256, "rsa");
  rsa.erase("alg");
  const IssuerKeySet bare = key_set(json{{"keys", {rsa}}});
  EXPECT_EQ(bare.select("rsa", JwsAlgorithm::rs256).value().algorithm(),
            Algorithm::rsa_v1_5_sha256);
  EXPECT_EQ(bare.select("rsa", JwsAlgorithm::ps256).value().algorithm(), Algorithm::rsa_pss_sha256);
  // §9 item 20: a PS256 header with a JWK that says RS256 (and the reverse).
  rsa["alg"] = "RS256";
  EXPECT_EQ(key_set(json{{"keys", {rsa}}}).select("rsa", JwsAlgorithm::ps256).reason(),
            Reason::alg_not_allowed);
  rsa["alg"] = "PS256";
  EXPECT_EQ(key_set(json{{"keys", {rsa}}}).select("rsa", JwsAlgorithm::rs256).reason(),
            Reason::alg_not_allowed);
  EXPECT_TRUE(key_set(json{{"keys", {rsa}}}).select("rsa", JwsAlgorithm::ps256).ok());
  rsa["alg"] = "PS512";
  EXPECT_EQ(key_set(json{{"keys", {rsa}}}).select("rsa", JwsAlgorithm::ps256).reason(),
            Reason::alg_not_allowed);
}

TEST(IssuerKeySet, KeyTypeMustFitTheAlgorithm) {
  // §9 item 20.
  const IssuerKeySet keys = key_set(
      json{{"keys",
            {public_jwk(Algorithm::ed25519, "ed"), public_jwk(Algorithm::ecdsa_p256_sha256, "p256"),
             public_jwk(Algorithm::ecdsa_p384_sha384, "p384"),
             public_jwk(Algorithm::rsa_v1_5_sha256, "rsa")}}});
  EXPECT_EQ(keys.select("ed", JwsAlgorithm::es256).reason(), Reason::alg_not_allowed);
  EXPECT_EQ(keys.select("ed", JwsAlgorithm::rs256).reason(), Reason::alg_not_allowed);
  EXPECT_EQ(keys.select("p256", JwsAlgorithm::ed25519).reason(), Reason::alg_not_allowed);
  EXPECT_EQ(keys.select("p256", JwsAlgorithm::es384).reason(), Reason::alg_not_allowed);
  EXPECT_EQ(keys.select("p384", JwsAlgorithm::es256).reason(), Reason::alg_not_allowed);
  EXPECT_EQ(keys.select("rsa", JwsAlgorithm::es256).reason(), Reason::alg_not_allowed);
  EXPECT_TRUE(keys.select("p384", JwsAlgorithm::es384).ok());
  // EdDSA with an Ed448 or X25519 OKP key.
  for (const char* crv : {"Ed448", "X25519"}) {
    json okp = {
        {"kty", "OKP"}, {"crv", crv}, {"kid", "okp"}, {"x", test::b64(std::string(57, 'x'))}};
    EXPECT_EQ(key_set(json{{"keys", {okp}}}).select("okp", JwsAlgorithm::ed25519).reason(),
              Reason::alg_not_allowed)
        << crv;
  }
  // The JWK may name Ed25519 under either spelling.
  for (const char* name : {"EdDSA", "Ed25519"}) {
    json ed = public_jwk(Algorithm::ed25519, "ed");
    ed["alg"] = name;
    EXPECT_TRUE(key_set(json{{"keys", {ed}}}).select("ed", JwsAlgorithm::ed25519).ok()) << name;
  }
  json ed = public_jwk(Algorithm::ed25519, "ed");
  ed["alg"] = "ES256";
  EXPECT_EQ(key_set(json{{"keys", {ed}}}).select("ed", JwsAlgorithm::ed25519).reason(),
            Reason::alg_not_allowed);
}

TEST(IssuerKeySet, RefusesSmallRsaKeys) {
  // A 1024-bit modulus (odd, top bit set): refused for its size before anything else.
  std::string n(128, '\x5a');
  n[0] = '\xc3';
  n.back() = '\x01';
  const json rsa = {{"kty", "RSA"}, {"kid", "small"}, {"n", test::b64(n)}, {"e", "AQAB"}};
  auto key = key_set(json{{"keys", {rsa}}}).select("small", JwsAlgorithm::rs256);
  EXPECT_EQ(key.reason(), Reason::alg_not_allowed);
  EXPECT_NE(key.error().detail.find("1024"), std::string::npos) << key.error().detail;
  // 2047 bits (top byte 0x7f) too.
  n.assign(256, '\x5a');
  n[0] = '\x7f';
  const json rsa2047 = {{"kty", "RSA"}, {"kid", "k"}, {"n", test::b64(n)}, {"e", "AQAB"}};
  EXPECT_EQ(key_set(json{{"keys", {rsa2047}}}).select("k", JwsAlgorithm::ps256).reason(),
            Reason::alg_not_allowed);
}

TEST(IssuerKeySet, UseAndKeyOps) {
  json ed = public_jwk(Algorithm::ed25519, "ed");
  auto select = [&](const json& jwk) {
    return key_set(json{{"keys", {jwk}}}).select("ed", JwsAlgorithm::ed25519);
  };
  ed["use"] = "sig";
  EXPECT_TRUE(select(ed).ok());
  ed["use"] = "enc";
  EXPECT_EQ(select(ed).reason(), Reason::alg_not_allowed);
  ed["use"] = 1;
  EXPECT_EQ(select(ed).reason(), Reason::alg_not_allowed);
  ed.erase("use");
  ed["key_ops"] = {"verify"};
  EXPECT_TRUE(select(ed).ok());
  ed["key_ops"] = {"sign", "verify"};
  EXPECT_TRUE(select(ed).ok());
  ed["key_ops"] = {"encrypt"};
  EXPECT_EQ(select(ed).reason(), Reason::alg_not_allowed);
  ed["key_ops"] = "verify";
  EXPECT_EQ(select(ed).reason(), Reason::alg_not_allowed);
}

TEST(IssuerKeySet, SharedKidPrefersTheKeyThatFits) {
  const SigningKey ed = fresh(Algorithm::ed25519, "k1");
  const SigningKey ec = fresh(Algorithm::ecdsa_p256_sha256, "k1");
  const IssuerKeySet keys = key_set(jwks_of({ed, ec}));
  EXPECT_EQ(keys.select("k1", JwsAlgorithm::es256).value().thumbprint(), ec.thumbprint());
  EXPECT_EQ(keys.select("k1", JwsAlgorithm::ed25519).value().thumbprint(), ed.thumbprint());
  EXPECT_EQ(keys.select("k1", JwsAlgorithm::rs256).reason(), Reason::alg_not_allowed);
}

TEST(IssuerKeySet, ParseRefusals) {
  const json ed = public_jwk(Algorithm::ed25519, "ed");
  EXPECT_EQ(IssuerKeySet::parse("not json").reason(), Reason::malformed_json);
  EXPECT_EQ(IssuerKeySet::parse(R"({"keys":[],"keys":[]})").reason(), Reason::malformed_json);
  EXPECT_EQ(IssuerKeySet::parse("[]").reason(), Reason::invalid_key);
  EXPECT_EQ(IssuerKeySet::parse("{}").reason(), Reason::invalid_key);
  EXPECT_EQ(IssuerKeySet::parse(R"({"keys":{}})").reason(), Reason::invalid_key);
  EXPECT_EQ(IssuerKeySet::parse(R"({"keys":["x"]})").reason(), Reason::invalid_key);
  // A published private key (or symmetric secret) discredits the whole set.
  const json priv = fresh(Algorithm::ed25519, "p").to_private_jwk();
  EXPECT_EQ(IssuerKeySet::parse(json{{"keys", {ed, priv}}}.dump()).reason(), Reason::invalid_key);
  const json oct = {{"kty", "oct"}, {"kid", "h"}, {"k", test::b64(std::string(32, 'k'))}};
  EXPECT_EQ(IssuerKeySet::parse(json{{"keys", {oct}}}.dump()).reason(), Reason::invalid_key);
  // Limits.
  json many = json{{"keys", json::array()}};
  for (int i = 0; i < 3; ++i) many["keys"].push_back(ed);
  EXPECT_EQ(IssuerKeySet::parse(many.dump(), 64 * 1024, 2).reason(), Reason::limit_exceeded);
  EXPECT_TRUE(IssuerKeySet::parse(many.dump(), 64 * 1024, 3).ok());
  EXPECT_EQ(IssuerKeySet::parse(many.dump(), 100).reason(), Reason::limit_exceeded);
}

TEST(IssuerKeySet, SkipsKeysItCannotUse) {
  const json ed = public_jwk(Algorithm::ed25519, "ed");
  json bad_kid = public_jwk(Algorithm::ed25519, "x");
  bad_kid["kid"] = 7;
  const json unknown_kty = {{"kty", "FOO"}, {"kid", "foo"}};
  const json no_kty = {{"kid", "none"}};
  auto keys = IssuerKeySet::parse(json{{"keys", {unknown_kty, no_kty, bad_kid, ed}}}.dump());
  ASSERT_TRUE(keys.ok()) << keys.error().message();
  EXPECT_EQ(keys->size(), 1u);
  EXPECT_FALSE(keys->contains_kid("foo"));
  EXPECT_TRUE(keys->select(std::nullopt, JwsAlgorithm::ed25519).ok());
}

TEST(IssuerKeySet, BadKeyMaterialIsInvalidKey) {
  json ed = public_jwk(Algorithm::ed25519, "ed");
  ed["x"] = test::b64(std::string(31, 'x'));
  EXPECT_EQ(key_set(json{{"keys", {ed}}}).select("ed", JwsAlgorithm::ed25519).reason(),
            Reason::invalid_key);
  json rsa = public_jwk(Algorithm::rsa_v1_5_sha256, "rsa");
  rsa.erase("n");
  EXPECT_EQ(key_set(json{{"keys", {rsa}}}).select("rsa", JwsAlgorithm::rs256).reason(),
            Reason::invalid_key);
  rsa["n"] = "not base64url!";
  EXPECT_EQ(key_set(json{{"keys", {rsa}}}).select("rsa", JwsAlgorithm::rs256).reason(),
            Reason::invalid_key);
  json ec = public_jwk(Algorithm::ecdsa_p256_sha256, "ec");
  ec["y"] = ec["x"];  // off the curve
  EXPECT_EQ(key_set(json{{"keys", {ec}}}).select("ec", JwsAlgorithm::es256).reason(),
            Reason::invalid_key);
}

}  // namespace
}  // namespace wba::token
