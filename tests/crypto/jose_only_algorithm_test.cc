// PS256 (RSASSA-PSS, SHA-256, MGF1-SHA-256, 32-byte salt; RFC 7518 §3.5) exists for OAuth
// tokens only: it signs and verifies interoperably with OpenSSL's own PSS, and every RFC 9421
// path (algorithm names, signer, verifier, key directories) refuses it.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <nlohmann/json.hpp>

#include "wba/crypto/algorithm.h"
#include "wba/crypto/key.h"
#include "wba/directory/directory.h"
#include "wba/directory/serve.h"
#include "wba/http/http1_text.h"
#include "wba/sig/signer.h"
#include "wba/sig/verifier.h"

namespace wba {
namespace {

using nlohmann::json;

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

const unsigned char* uchars(const std::string& s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

Pkey openssl_rsa() { return Pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{2048})); }

std::string private_pem(EVP_PKEY* pkey) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, pkey, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  return pem;
}

// OpenSSL's RSASSA-PSS with explicit parameters, independent of the library's configuration.
bool openssl_pss(EVP_PKEY* pkey, bool sign, const char* mgf1, int salt, const std::string& msg,
                 std::string& sig) {
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  bool ok =
      (sign ? EVP_DigestSignInit_ex(md, &pctx, "SHA256", nullptr, nullptr, pkey, nullptr)
            : EVP_DigestVerifyInit_ex(md, &pctx, "SHA256", nullptr, nullptr, pkey, nullptr)) == 1 &&
      EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
      EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, mgf1, nullptr) == 1 &&
      EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salt) == 1;
  if (ok && sign) {
    std::size_t len = 0;
    ok = EVP_DigestSign(md, nullptr, &len, uchars(msg), msg.size()) == 1;
    sig.assign(len, '\0');
    ok = ok && EVP_DigestSign(md, reinterpret_cast<unsigned char*>(sig.data()), &len, uchars(msg),
                              msg.size()) == 1;
    sig.resize(len);
  } else if (ok) {
    ok = EVP_DigestVerify(md, uchars(sig), sig.size(), uchars(msg), msg.size()) == 1;
  }
  EVP_MD_CTX_free(md);
  return ok;
}

TEST(JoseOnlyAlgorithm, NamesAndRegistry) {
  EXPECT_EQ(jose_name(Algorithm::rsa_pss_sha256), "PS256");
  EXPECT_EQ(to_string(Algorithm::rsa_pss_sha256), "rsa-pss-sha256");
  EXPECT_EQ(algorithm_from_jwk_alg("PS256").value(), Algorithm::rsa_pss_sha256);
  // Not an RFC 9421 `alg` value, under either spelling.
  EXPECT_EQ(algorithm_from_name("rsa-pss-sha256").reason(), Reason::unsupported_algorithm);
  EXPECT_EQ(algorithm_from_name("PS256").reason(), Reason::unsupported_algorithm);
  EXPECT_EQ(algorithm_from_jwk_alg("rsa-pss-sha256").reason(), Reason::unsupported_algorithm);
  EXPECT_FALSE(is_http_signature_algorithm(Algorithm::rsa_pss_sha256));
  EXPECT_FALSE(is_symmetric(Algorithm::rsa_pss_sha256));
  for (Algorithm a :
       {Algorithm::ed25519, Algorithm::ecdsa_p256_sha256, Algorithm::ecdsa_p384_sha384,
        Algorithm::rsa_pss_sha512, Algorithm::rsa_v1_5_sha256, Algorithm::hmac_sha256}) {
    EXPECT_TRUE(is_http_signature_algorithm(a)) << to_string(a);
  }
}

TEST(JoseOnlyAlgorithm, GeneratedKeySignsAndReloadsFromJwk) {
  const SigningKey key = SigningKey::generate(Algorithm::rsa_pss_sha256).value();
  EXPECT_EQ(key.algorithm(), Algorithm::rsa_pss_sha256);
  const std::string sig = key.sign("payload").value();
  EXPECT_EQ(sig.size(), 256u);
  EXPECT_TRUE(key.verifying_key().verify("payload", sig).ok());
  EXPECT_EQ(key.verifying_key().verify("payloaD", sig).reason(), Reason::bad_signature);
  // PSS is randomized: two signatures differ, both verify.
  const std::string again = key.sign("payload").value();
  EXPECT_NE(sig, again);
  EXPECT_TRUE(key.verifying_key().verify("payload", again).ok());

  // The JWKs name PS256 and load back as PS256 keys.
  const json pub = key.to_public_jwk();
  EXPECT_EQ(pub.at("alg"), "PS256");
  const VerifyingKey reloaded = VerifyingKey::from_jwk(pub).value();
  EXPECT_EQ(reloaded.algorithm(), Algorithm::rsa_pss_sha256);
  EXPECT_TRUE(reloaded.verify("payload", sig).ok());
  EXPECT_EQ(SigningKey::from_jwk(key.to_private_jwk()).value().algorithm(),
            Algorithm::rsa_pss_sha256);

  // The same modulus under the other RSA algorithms does not accept the PS256 signature.
  json other = pub;
  other.erase("alg");
  for (Algorithm a : {Algorithm::rsa_pss_sha512, Algorithm::rsa_v1_5_sha256}) {
    EXPECT_EQ(VerifyingKey::from_jwk(other, a).value().verify("payload", sig).reason(),
              Reason::bad_signature)
        << to_string(a);
  }
  // A JWK alg of PS256 and a caller asking for another algorithm disagree.
  EXPECT_EQ(VerifyingKey::from_jwk(pub, Algorithm::rsa_pss_sha512).reason(),
            Reason::key_alg_mismatch);
  // Only RSA keys can be PS256.
  const json ed = SigningKey::generate(Algorithm::ed25519).value().to_public_jwk();
  EXPECT_EQ(VerifyingKey::from_jwk(ed, Algorithm::rsa_pss_sha256).reason(),
            Reason::key_alg_mismatch);
}

TEST(JoseOnlyAlgorithm, InteroperatesWithOpenSslPssSha256Salt32) {
  Pkey pkey = openssl_rsa();
  ASSERT_TRUE(pkey);
  const SigningKey key =
      SigningKey::from_pem(private_pem(pkey.get()), Algorithm::rsa_pss_sha256).value();
  const std::string msg = "eyJhbGciOiJQUzI1NiJ9.eyJzdWIiOiJ4In0";

  // Ours → OpenSSL with exactly SHA-256, MGF1-SHA-256 and a 32-byte salt.
  std::string ours = key.sign(msg).value();
  EXPECT_TRUE(openssl_pss(pkey.get(), false, "SHA256", 32, msg, ours));
  EXPECT_FALSE(openssl_pss(pkey.get(), false, "SHA256", 64, msg, ours));
  EXPECT_FALSE(openssl_pss(pkey.get(), false, "SHA1", 32, msg, ours));

  // OpenSSL → ours: the RFC 7518 §3.5 parameters verify, other salts and MGFs do not.
  std::string theirs;
  ASSERT_TRUE(openssl_pss(pkey.get(), true, "SHA256", 32, msg, theirs));
  EXPECT_TRUE(key.verifying_key().verify(msg, theirs).ok());
  ASSERT_TRUE(openssl_pss(pkey.get(), true, "SHA256", 64, msg, theirs));
  EXPECT_EQ(key.verifying_key().verify(msg, theirs).reason(), Reason::bad_signature);
  ASSERT_TRUE(openssl_pss(pkey.get(), true, "SHA1", 32, msg, theirs));
  EXPECT_EQ(key.verifying_key().verify(msg, theirs).reason(), Reason::bad_signature);
}

const char* kRequest = "GET /foo HTTP/1.1\nHost: example.com\n\n";

TEST(JoseOnlyAlgorithm, Rfc9421SignerRefusesIt) {
  const SigningKey key = SigningKey::generate(Algorithm::rsa_pss_sha256).value();
  http::Message msg = http::parse_http1(kRequest).value();
  sig::SignOptions options;
  options.components = {sig::ComponentId::make("@method").value()};
  EXPECT_EQ(sig::sign(msg, key, options).reason(), Reason::unsupported_algorithm);
  options.include_alg = false;
  EXPECT_EQ(sig::sign(msg, key, options).reason(), Reason::unsupported_algorithm);
}

TEST(JoseOnlyAlgorithm, Rfc9421VerifierRefusesIt) {
  // An rsa-pss-sha512 signature; the verifier is then handed the same modulus as a PS256 key,
  // as a caller loading `"alg": "PS256"` JWKs for HTTP signatures would.
  const SigningKey pss512 = SigningKey::generate(Algorithm::rsa_pss_sha512).value();
  http::Message msg = http::parse_http1(kRequest).value();
  sig::SignOptions options;
  options.components = {sig::ComponentId::make("@method").value()};
  options.include_alg = false;
  options.created = 1700000000;
  ASSERT_TRUE(sig::sign(msg, pss512, options).ok());
  json jwk = pss512.to_public_jwk();
  sig::VerifyOptions verify_options;
  verify_options.now = 1700000000;
  ASSERT_TRUE(
      sig::Verifier(sig::single_key_lookup(VerifyingKey::from_jwk(jwk).value()), verify_options)
          .verify(msg)
          .ok());
  jwk["alg"] = "PS256";
  const VerifyingKey ps256 = VerifyingKey::from_jwk(jwk).value();
  EXPECT_EQ(sig::Verifier(sig::single_key_lookup(ps256), verify_options).verify(msg).reason(),
            Reason::unsupported_algorithm);
}

TEST(JoseOnlyAlgorithm, DirectoryRefusesPs256Keys) {
  json ps256 = SigningKey::generate(Algorithm::rsa_pss_sha256).value().to_public_jwk();
  ASSERT_EQ(ps256.at("alg"), "PS256");
  json ed = SigningKey::generate(Algorithm::ed25519).value().to_public_jwk();
  const json jwks = {{"keys", json::array({ps256, ed})}};
  auto dir = directory::parse_directory(jwks.dump(), "https://agent.example");
  ASSERT_TRUE(dir.ok()) << dir.error().message();
  ASSERT_EQ(dir->keys().size(), 1u);
  EXPECT_EQ(dir->keys()[0].key.algorithm(), Algorithm::ed25519);
  ASSERT_EQ(dir->refused().size(), 1u);
  EXPECT_EQ(dir->refused()[0].index, 0u);
  EXPECT_EQ(dir->refused()[0].error.reason, Reason::unsupported_algorithm);
}

TEST(JoseOnlyAlgorithm, DirectoryServerRefusesToPublishIt) {
  const SigningKey ps256 = SigningKey::generate(Algorithm::rsa_pss_sha256).value();
  for (bool include_alg : {false, true}) {
    EXPECT_EQ(directory::directory_body({ps256.verifying_key()}, include_alg).reason(),
              Reason::unsupported_algorithm);
  }
}

}  // namespace
}  // namespace wba
