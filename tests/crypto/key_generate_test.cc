// Fresh keys of every algorithm: sign, verify, export, reload; sharing between copies/threads.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "crypto/test_util.h"
#include "wba/crypto/key.h"
#include "wba/jose/thumbprint.h"

namespace wba {
namespace {

class Generated : public ::testing::TestWithParam<Algorithm> {};

TEST_P(Generated, SignVerifyExportReload) {
  const Algorithm alg = GetParam();
  auto key = SigningKey::generate(alg);
  ASSERT_TRUE(key.ok()) << key.error().message();
  EXPECT_EQ(key->algorithm(), alg);
  EXPECT_FALSE(key->kid().has_value());

  const std::string msg = "\"@method\": GET\n\"@signature-params\": ();created=1";
  auto sig = key->sign(msg);
  ASSERT_TRUE(sig.ok()) << sig.error().message();
  EXPECT_TRUE(key->verifying_key().verify(msg, *sig).ok());
  EXPECT_EQ(key->verifying_key().verify(msg + " ", *sig).reason(), Reason::bad_signature);

  // The thumbprint is the RFC 7638 one of the exported JWK.
  const nlohmann::json public_jwk = key->to_public_jwk();
  EXPECT_EQ(key->thumbprint(), jwk_thumbprint(public_jwk).value());
  EXPECT_EQ(key->verifying_key().to_jwk(), public_jwk);
  EXPECT_EQ(public_jwk.at("alg"), std::string(jose_name(alg)));
  if (alg != Algorithm::hmac_sha256) {
    for (const char* secret : {"d", "p", "q", "dp", "dq", "qi", "k"}) {
      EXPECT_FALSE(public_jwk.contains(secret)) << secret;
    }
  }

  // The private JWK reloads (its alg member makes RSA self-describing) into the same key.
  nlohmann::json private_jwk = key->to_private_jwk();
  private_jwk["kid"] = "generated";
  auto reloaded = SigningKey::from_jwk(private_jwk);
  ASSERT_TRUE(reloaded.ok()) << reloaded.error().message();
  EXPECT_EQ(reloaded->thumbprint(), key->thumbprint());
  EXPECT_EQ(reloaded->algorithm(), alg);
  EXPECT_EQ(reloaded->kid(), "generated");
  EXPECT_EQ(reloaded->to_private_jwk().at("kid"), "generated");
  EXPECT_TRUE(key->verifying_key().verify(msg, reloaded->sign(msg).value()).ok());

  auto verifier = VerifyingKey::from_jwk(public_jwk);
  ASSERT_TRUE(verifier.ok()) << verifier.error().message();
  EXPECT_EQ(verifier->thumbprint(), key->thumbprint());
  EXPECT_TRUE(verifier->verify(msg, *sig).ok());
  auto from_text = VerifyingKey::from_jwk_json(public_jwk.dump());
  ASSERT_TRUE(from_text.ok());
  EXPECT_EQ(from_text->thumbprint(), key->thumbprint());

  // Two fresh keys differ.
  auto other = SigningKey::generate(alg);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->thumbprint(), key->thumbprint());
  EXPECT_EQ(other->verifying_key().verify(msg, *sig).reason(), Reason::bad_signature);
}

TEST_P(Generated, CopiesShareOneImmutableKey) {
  const SigningKey key = SigningKey::generate(GetParam()).value();
  const SigningKey copy = key;  // NOLINT(performance-unnecessary-copy-initialization)
  EXPECT_EQ(&copy.thumbprint(), &key.thumbprint());
  const VerifyingKey a = key.verifying_key();
  const VerifyingKey b = a;
  EXPECT_EQ(&a.thumbprint(), &b.thumbprint());
}

TEST_P(Generated, ConcurrentUse) {
  const SigningKey key = SigningKey::generate(GetParam()).value();
  const VerifyingKey pub = key.verifying_key();
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        const std::string msg = "message " + std::to_string(t) + "/" + std::to_string(i);
        auto sig = key.sign(msg);
        if (!sig.ok() || !pub.verify(msg, *sig).ok() ||
            pub.verify(msg + "!", *sig).reason() != Reason::bad_signature) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

INSTANTIATE_TEST_SUITE_P(AllAlgorithms, Generated,
                         ::testing::Values(Algorithm::ed25519, Algorithm::ecdsa_p256_sha256,
                                           Algorithm::ecdsa_p384_sha384, Algorithm::rsa_pss_sha512,
                                           Algorithm::rsa_v1_5_sha256, Algorithm::hmac_sha256),
                         [](const auto& info) {
                           std::string name(to_string(info.param));
                           for (char& c : name) {
                             if (c == '-') c = '_';
                           }
                           return name;
                         });

TEST(GeneratedKeys, ExportedRsaJwkNamesItsAlgorithm) {
  // RSA keys generated here carry their algorithm in the exported JWK; without it the JWK is
  // ambiguous again.
  auto jwk = SigningKey::generate(Algorithm::rsa_v1_5_sha256).value().to_private_jwk();
  EXPECT_EQ(jwk.at("alg"), "RS256");
  jwk.erase("alg");
  EXPECT_EQ(SigningKey::from_jwk(jwk).reason(), Reason::unsupported_algorithm);
  EXPECT_EQ(SigningKey::from_jwk(jwk, Algorithm::rsa_pss_sha512).value().algorithm(),
            Algorithm::rsa_pss_sha512);
}

}  // namespace
}  // namespace wba
