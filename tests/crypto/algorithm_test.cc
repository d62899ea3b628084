#include "wba/crypto/algorithm.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "wba/crypto/random.h"

namespace wba {
namespace {

constexpr Algorithm kAll[] = {Algorithm::ed25519,           Algorithm::ecdsa_p256_sha256,
                              Algorithm::ecdsa_p384_sha384, Algorithm::rsa_pss_sha512,
                              Algorithm::rsa_v1_5_sha256,   Algorithm::hmac_sha256};

TEST(Algorithm, RegistryNamesRoundTrip) {
  std::set<std::string> names;
  for (Algorithm alg : kAll) {
    auto parsed = algorithm_from_name(to_string(alg));
    ASSERT_TRUE(parsed.ok()) << to_string(alg);
    EXPECT_EQ(*parsed, alg);
    names.insert(std::string(to_string(alg)));
  }
  // RFC 9421 §6.2.2 initial registry contents.
  EXPECT_EQ(names, (std::set<std::string>{"ed25519", "ecdsa-p256-sha256", "ecdsa-p384-sha384",
                                          "rsa-pss-sha512", "rsa-v1_5-sha256", "hmac-sha256"}));
}

TEST(Algorithm, JoseNamesRoundTrip) {
  for (Algorithm alg : kAll) {
    auto from_jose = algorithm_from_jwk_alg(jose_name(alg));
    ASSERT_TRUE(from_jose.ok()) << jose_name(alg);
    EXPECT_EQ(*from_jose, alg);
    // Deployed directories also put registry names in the JWK alg member.
    auto from_registry = algorithm_from_jwk_alg(to_string(alg));
    ASSERT_TRUE(from_registry.ok()) << to_string(alg);
    EXPECT_EQ(*from_registry, alg);
  }
  EXPECT_EQ(jose_name(Algorithm::ed25519), "EdDSA");
  EXPECT_EQ(jose_name(Algorithm::rsa_pss_sha512), "PS512");
  EXPECT_EQ(algorithm_from_jwk_alg("Ed25519").value(), Algorithm::ed25519);
}

TEST(Algorithm, UnknownNamesAreUnsupported) {
  for (const char* name : {"", "ED25519", "Ed25519", "EdDSA", "rsa-pss-sha256", "rsa-v1_5-sha512",
                           "hmac-sha512", "ecdsa-p521-sha512", "none", " ed25519"}) {
    EXPECT_EQ(algorithm_from_name(name).reason(), Reason::unsupported_algorithm) << name;
  }
  for (const char* name :
       {"", "none", "RS512", "PS384", "ES256K", "ES512", "HS512", "Ed448", "eddsa", "es256"}) {
    EXPECT_EQ(algorithm_from_jwk_alg(name).reason(), Reason::unsupported_algorithm) << name;
  }
}

TEST(Algorithm, OnlyHmacIsSymmetric) {
  for (Algorithm alg : kAll) EXPECT_EQ(is_symmetric(alg), alg == Algorithm::hmac_sha256);
}

TEST(Random, LengthsAndFreshness) {
  EXPECT_TRUE(random_bytes(0).empty());
  EXPECT_EQ(random_bytes(1).size(), 1u);
  const std::string a = random_bytes(64);
  const std::string b = random_bytes(64);
  EXPECT_EQ(a.size(), 64u);
  EXPECT_NE(a, b);  // a collision has probability 2^-512
}

}  // namespace
}  // namespace wba
