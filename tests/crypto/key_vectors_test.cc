// RFC 9421 App. B.1 keys (keys.json), every signature of RFC 9421 (signatures.json) and the
// RFC 8032 §7.1 Ed25519 vectors.
#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "crypto/test_util.h"
#include "wba/crypto/key.h"
#include "wba/jose/thumbprint.h"

namespace wba {
namespace {

using crypto_test::b64;
using crypto_test::b64url;
using crypto_test::flip_bit;
using crypto_test::from_hex;
using crypto_test::is_rsa;
using crypto_test::key_algorithm;
using crypto_test::load_vectors;
using crypto_test::needed_alg;

const nlohmann::json& keys() {
  static const nlohmann::json k = load_vectors("rfc9421/keys.json").at("keys");
  return k;
}

TEST(KeyVectors, FileHasTheFiveKeys) {
  EXPECT_EQ(keys().size(), 5u);
  for (const char* name : {"test-key-rsa", "test-key-rsa-pss", "test-key-ecc-p256",
                           "test-key-ed25519", "test-shared-secret"}) {
    EXPECT_TRUE(keys().contains(name)) << name;
  }
}

TEST(KeyVectors, AsymmetricKeysLoadFromJwkAndPemWithTheSameThumbprint) {
  int checked = 0;
  for (const auto& [name, k] : keys().items()) {
    if (!k.contains("jwk")) continue;
    SCOPED_TRACE(name);
    const Algorithm alg = key_algorithm(k);
    const auto want = needed_alg(alg);
    const std::string expected = k.at("jwk_thumbprint_sha256").get<std::string>();
    const std::string public_pem = k.at("public_key_pem").get<std::string>();
    const std::string private_pem = k.at("private_key_pem").get<std::string>();

    auto from_private_jwk = VerifyingKey::from_jwk(k.at("jwk"), want);
    auto from_public_jwk = VerifyingKey::from_jwk(k.at("public_jwk"), want);
    auto from_public_pem = VerifyingKey::from_pem(public_pem, want);
    auto from_private_pem = VerifyingKey::from_pem(private_pem, want);
    auto signing_jwk = SigningKey::from_jwk(k.at("jwk"), want);
    auto signing_pem = SigningKey::from_pem(private_pem, want);
    auto signing_json = SigningKey::from_jwk_json(k.at("jwk").dump(), want);
    auto verifying_json = VerifyingKey::from_jwk_json(k.at("public_jwk").dump(), want);
    for (const auto* r : {&from_private_jwk, &from_public_jwk, &from_public_pem, &from_private_pem,
                          &verifying_json}) {
      ASSERT_TRUE(r->ok()) << r->error().message();
      EXPECT_EQ((*r)->thumbprint(), expected);
      EXPECT_EQ((*r)->algorithm(), alg);
    }
    for (const auto* r : {&signing_jwk, &signing_pem, &signing_json}) {
      ASSERT_TRUE(r->ok()) << r->error().message();
      EXPECT_EQ((*r)->thumbprint(), expected);
      EXPECT_EQ((*r)->algorithm(), alg);
      EXPECT_EQ((*r)->verifying_key().thumbprint(), expected);
    }

    // kid is kept from the JWK; PEMs have none.
    EXPECT_EQ(from_private_jwk->kid(), k.at("jwk").at("kid").get<std::string>());
    EXPECT_EQ(signing_jwk->kid(), k.at("jwk").at("kid").get<std::string>());
    EXPECT_FALSE(from_public_pem->kid().has_value());
    EXPECT_FALSE(from_public_jwk->kid().has_value());

    // The RFC 7638 input string, from the published JWK and from our own export.
    const std::string input = k.at("jwk_thumbprint_input").get<std::string>();
    EXPECT_EQ(jwk_thumbprint_input(k.at("public_jwk")).value(), input);
    EXPECT_EQ(jwk_thumbprint_input(k.at("jwk")).value(), input);
    EXPECT_EQ(jwk_thumbprint_input(from_public_pem->to_jwk()).value(), input);
    EXPECT_EQ(jwk_thumbprint(k.at("jwk")).value(), expected);

    // Our exports carry exactly the published members.
    auto exported_public = signing_pem->to_public_jwk();
    for (const auto& [member, value] : k.at("public_jwk").items()) {
      EXPECT_EQ(exported_public.at(member), value) << member;
    }
    EXPECT_FALSE(exported_public.contains("d"));
    auto exported_private = signing_pem->to_private_jwk();
    for (const auto& [member, value] : k.at("jwk").items()) {
      if (member == "kid") continue;  // the PEM has none
      EXPECT_EQ(exported_private.at(member), value) << member;
    }
    EXPECT_EQ(signing_jwk->to_private_jwk().at("kid"), k.at("jwk").at("kid"));
    ++checked;
  }
  EXPECT_EQ(checked, 4);
}

TEST(KeyVectors, AlgorithmSelection) {
  for (const auto& [name, k] : keys().items()) {
    if (!k.contains("jwk")) continue;
    SCOPED_TRACE(name);
    const Algorithm alg = key_algorithm(k);
    if (!is_rsa(alg)) {
      // The key type alone fixes the algorithm; naming the same one is fine too.
      EXPECT_EQ(VerifyingKey::from_jwk(k.at("jwk")).value().algorithm(), alg);
      EXPECT_EQ(VerifyingKey::from_jwk(k.at("jwk"), alg).value().algorithm(), alg);
      EXPECT_EQ(
          VerifyingKey::from_pem(k.at("public_key_pem").get<std::string>()).value().algorithm(),
          alg);
      continue;
    }
    // Nothing in the JWK names an RSA algorithm: the caller must.
    EXPECT_EQ(VerifyingKey::from_jwk(k.at("jwk")).reason(), Reason::unsupported_algorithm);
    EXPECT_EQ(SigningKey::from_jwk(k.at("jwk")).reason(), Reason::unsupported_algorithm);
    EXPECT_EQ(VerifyingKey::from_pem(k.at("public_key_pem").get<std::string>()).reason(),
              Reason::unsupported_algorithm);
    // With a JWK alg member the JWK is self-describing.
    auto jwk = k.at("jwk");
    jwk["alg"] = std::string(jose_name(alg));
    EXPECT_EQ(SigningKey::from_jwk(jwk).value().algorithm(), alg);
    jwk["alg"] = std::string(to_string(alg));
    EXPECT_EQ(VerifyingKey::from_jwk(jwk).value().algorithm(), alg);
  }
  // test-key-rsa-pss's private PEM is an id-RSASSA-PSS key (RFC 4055): it names the algorithm.
  const auto& pss = keys().at("test-key-rsa-pss");
  const std::string pss_pem = pss.at("private_key_pem").get<std::string>();
  EXPECT_EQ(SigningKey::from_pem(pss_pem).value().algorithm(), Algorithm::rsa_pss_sha512);
  EXPECT_EQ(VerifyingKey::from_pem(pss_pem).value().algorithm(), Algorithm::rsa_pss_sha512);
  EXPECT_EQ(SigningKey::from_pem(pss_pem, Algorithm::rsa_v1_5_sha256).reason(),
            Reason::key_alg_mismatch);
  // test-key-rsa's private PEM is PKCS#1: no algorithm in it.
  EXPECT_EQ(SigningKey::from_pem(keys().at("test-key-rsa").at("private_key_pem").get<std::string>())
                .reason(),
            Reason::unsupported_algorithm);
}

TEST(KeyVectors, SharedSecret) {
  const auto& k = keys().at("test-shared-secret");
  const std::string secret = b64(k.at("secret_base64").get<std::string>());
  EXPECT_EQ(secret.size(), k.at("secret_length_bytes").get<std::size_t>());
  auto key = SigningKey::from_hmac_secret(secret);
  ASSERT_TRUE(key.ok()) << key.error().message();
  EXPECT_EQ(key->algorithm(), key_algorithm(k));
  EXPECT_EQ(key->algorithm(), Algorithm::hmac_sha256);
  // The oct JWK round-trips and names the same key.
  auto jwk = key->to_private_jwk();
  EXPECT_EQ(jwk.at("kty"), "oct");
  EXPECT_EQ(b64url(jwk.at("k").get<std::string>()), secret);
  auto reloaded = VerifyingKey::from_jwk(jwk);
  ASSERT_TRUE(reloaded.ok()) << reloaded.error().message();
  EXPECT_EQ(reloaded->thumbprint(), key->thumbprint());
  EXPECT_EQ(key->thumbprint(), jwk_thumbprint(jwk).value());
}

// ---------------------------------------------------------------------------------------------

const nlohmann::json& signature_vectors() {
  static const nlohmann::json s = load_vectors("rfc9421/signatures.json");
  return s;
}

bool deterministic(Algorithm alg) {
  return alg == Algorithm::ed25519 || alg == Algorithm::hmac_sha256 ||
         alg == Algorithm::rsa_v1_5_sha256;
}

TEST(SignatureVectors, EveryPublishedSignatureVerifies) {
  const auto& entries = signature_vectors().at("signatures");
  ASSERT_FALSE(entries.empty());
  for (const auto& v : entries) {
    SCOPED_TRACE(v.at("id").get<std::string>());
    const std::string key_name = v.at("key").get<std::string>();
    const Algorithm alg = algorithm_from_name(v.at("alg").get<std::string>()).value();
    EXPECT_EQ(alg, key_algorithm(keys().at(key_name)));
    EXPECT_EQ(deterministic(alg), v.at("deterministic_algorithm").get<bool>());
    const std::string base = v.at("signature_base").get<std::string>();
    const std::string sig = b64(v.at("signature_b64").get<std::string>());
    EXPECT_EQ(base.size(), v.at("signature_base_length").get<std::size_t>());

    const VerifyingKey pem_key = crypto_test::verifying_key(keys(), key_name);
    const SigningKey jwk_key = crypto_test::signing_key(keys(), key_name);
    EXPECT_EQ(pem_key.algorithm(), alg);
    auto ok = pem_key.verify(base, sig);
    EXPECT_TRUE(ok.ok()) << ok.error().message();
    EXPECT_TRUE(jwk_key.verifying_key().verify(base, sig).ok());
  }
}

TEST(SignatureVectors, SigningReproducesOrRoundTrips) {
  for (const auto& v : signature_vectors().at("signatures")) {
    SCOPED_TRACE(v.at("id").get<std::string>());
    const std::string key_name = v.at("key").get<std::string>();
    const std::string base = v.at("signature_base").get<std::string>();
    const std::string published = b64(v.at("signature_b64").get<std::string>());
    const SigningKey key = crypto_test::signing_key(keys(), key_name);
    auto sig = key.sign(base);
    ASSERT_TRUE(sig.ok()) << sig.error().message();
    if (v.at("deterministic_algorithm").get<bool>()) {
      EXPECT_EQ(*sig, published);
    } else {
      EXPECT_EQ(sig->size(), published.size());
      EXPECT_TRUE(crypto_test::verifying_key(keys(), key_name).verify(base, *sig).ok());
      // Randomized: signing again gives another valid signature.
      auto again = key.sign(base);
      ASSERT_TRUE(again.ok());
      EXPECT_NE(*again, *sig);
      EXPECT_TRUE(key.verifying_key().verify(base, *again).ok());
    }
  }
}

TEST(SignatureVectors, OneFlippedBitIsABadSignature) {
  for (const auto& v : signature_vectors().at("signatures")) {
    SCOPED_TRACE(v.at("id").get<std::string>());
    const VerifyingKey key = crypto_test::verifying_key(keys(), v.at("key").get<std::string>());
    const std::string base = v.at("signature_base").get<std::string>();
    const std::string sig = b64(v.at("signature_b64").get<std::string>());
    for (std::size_t pos : {std::size_t{0}, base.size() / 2, base.size() - 1}) {
      EXPECT_EQ(key.verify(flip_bit(base, pos), sig).reason(), Reason::bad_signature) << pos;
    }
    for (std::size_t pos : {std::size_t{0}, sig.size() / 2, sig.size() - 1}) {
      for (int bit : {0, 7}) {
        EXPECT_EQ(key.verify(base, flip_bit(sig, pos, bit)).reason(), Reason::bad_signature)
            << pos << "/" << bit;
      }
    }
    EXPECT_EQ(key.verify(base + "\n", sig).reason(), Reason::bad_signature);
    EXPECT_EQ(key.verify(base, sig.substr(1)).reason(), Reason::bad_signature);
    EXPECT_EQ(key.verify(base, sig + '\0').reason(), Reason::bad_signature);
    EXPECT_EQ(key.verify(base, "").reason(), Reason::bad_signature);
  }
}

TEST(SignatureVectors, AppendixB4Transformations) {
  const auto& entries = signature_vectors().at("signatures");
  std::string sig;
  std::string key_name;
  for (const auto& v : entries) {
    if (v.at("id") == "rfc9421-b.4-transform") {
      sig = b64(v.at("signature_b64").get<std::string>());
      key_name = v.at("key").get<std::string>();
    }
  }
  ASSERT_FALSE(sig.empty());
  const VerifyingKey key = crypto_test::verifying_key(keys(), key_name);
  const auto& transforms = signature_vectors().at("b4_transformations");
  ASSERT_FALSE(transforms.empty());
  for (const auto& t : transforms) {
    SCOPED_TRACE(t.at("message").get<std::string>());
    auto r = key.verify(t.at("rebuilt_signature_base").get<std::string>(), sig);
    EXPECT_EQ(r.ok(), t.at("verifies").get<bool>());
    EXPECT_EQ(r.ok(), t.at("expected_valid_per_rfc").get<bool>());
    if (!r.ok()) {
      EXPECT_EQ(r.reason(), Reason::bad_signature);
    }
  }
}

// ---------------------------------------------------------------------------------------------

// A PKCS#8 PrivateKeyInfo for an Ed25519 seed (RFC 8410 §7), which carries no public key: the
// loader has to derive it.
std::string ed25519_pkcs8_pem(const std::string& seed) {
  const std::string der = from_hex("302e020100300506032b657004220420") + seed;
  return "-----BEGIN PRIVATE KEY-----\n" + base64_encode(der) + "\n-----END PRIVATE KEY-----\n";
}

TEST(Ed25519Vectors, Rfc8032Section71) {
  const auto vectors = load_vectors("ed25519/rfc8032-section7.1.json").at("vectors");
  ASSERT_FALSE(vectors.empty());
  std::string previous_public;
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.at("name").get<std::string>());
    const std::string seed = from_hex(v.at("secret_key_hex").get<std::string>());
    const std::string pub = from_hex(v.at("public_key_hex").get<std::string>());
    const std::string msg = from_hex(v.at("message_hex").get<std::string>());
    const std::string expected = from_hex(v.at("signature_hex").get<std::string>());

    // Public key derived from the seed alone.
    auto derived = SigningKey::from_pem(ed25519_pkcs8_pem(seed));
    ASSERT_TRUE(derived.ok()) << derived.error().message();
    EXPECT_EQ(b64url(derived->to_public_jwk().at("x").get<std::string>()), pub);

    const nlohmann::json jwk = {{"kty", "OKP"},
                                {"crv", "Ed25519"},
                                {"d", base64url_encode(seed)},
                                {"x", base64url_encode(pub)}};
    auto key = SigningKey::from_jwk(jwk);
    ASSERT_TRUE(key.ok()) << key.error().message();
    EXPECT_EQ(key->thumbprint(), derived->thumbprint());
    auto sig = key->sign(msg);
    ASSERT_TRUE(sig.ok());
    EXPECT_EQ(*sig, expected);
    EXPECT_EQ(derived->sign(msg).value(), expected);

    auto verifier = VerifyingKey::from_jwk(
        nlohmann::json{{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", base64url_encode(pub)}});
    ASSERT_TRUE(verifier.ok());
    EXPECT_TRUE(verifier->verify(msg, expected).ok());
    EXPECT_EQ(verifier->verify(msg + "x", expected).reason(), Reason::bad_signature);

    // The seed of this vector with the public key of the previous one does not load.
    if (!previous_public.empty()) {
      auto mismatched = jwk;
      mismatched["x"] = base64url_encode(previous_public);
      auto r = SigningKey::from_jwk(mismatched);
      EXPECT_EQ(r.reason(), Reason::invalid_key);
    }
    previous_public = pub;
  }
}

}  // namespace
}  // namespace wba
