// ECDSA signature values at the key layer, which both RFC 9421 and JWS verification use: the
// "psychic signature" (r = s = 0, CVE-2022-21449) and every r or s outside [1, n−1] are refused,
// and the high-S twin of a valid signature is accepted (neither RFC 9421 nor JOSE requires low S).
#include <gtest/gtest.h>

#include <string>

#include "crypto/test_util.h"
#include "wba/crypto/key.h"

namespace wba {
namespace {

using crypto_test::from_hex;
using crypto_test::subtract;

struct Curve {
  Algorithm alg;
  std::string order;  // n, big-endian (SEC 2 §2.4.2, §2.5.1)
};

const Curve kCurves[] = {
    {Algorithm::ecdsa_p256_sha256,
     from_hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551")},
    {Algorithm::ecdsa_p384_sha384, from_hex("ffffffffffffffffffffffffffffffffffffffffffffffffc7634d"
                                            "81f4372ddf581a0db248b0a77aecec196accc52973")},
};

TEST(EcdsaSignature, OutOfRangeValuesAreRefused) {
  for (const Curve& c : kCurves) {
    SCOPED_TRACE(to_string(c.alg));
    const SigningKey key = SigningKey::generate(c.alg).value();
    const VerifyingKey pub = key.verifying_key();
    const std::string msg = "message";
    const std::string sig = key.sign(msg).value();
    const std::size_t half = c.order.size();
    ASSERT_EQ(sig.size(), 2 * half);
    ASSERT_TRUE(pub.verify(msg, sig).ok());
    const std::string r = sig.substr(0, half);
    const std::string s = sig.substr(half);
    const std::string zero(half, '\0');
    for (const std::string& bad : {zero + zero, zero + s, r + zero, c.order + s, r + c.order,
                                   std::string(2 * half, '\xff')}) {
      EXPECT_EQ(pub.verify(msg, bad).reason(), Reason::bad_signature);
    }
    // The same values for any message: r = s = 0 verifies nothing.
    EXPECT_EQ(pub.verify("", zero + zero).reason(), Reason::bad_signature);
  }
}

TEST(EcdsaSignature, HighSIsAccepted) {
  for (const Curve& c : kCurves) {
    SCOPED_TRACE(to_string(c.alg));
    const SigningKey key = SigningKey::generate(c.alg).value();
    const std::string sig = key.sign("message").value();
    const std::size_t half = c.order.size();
    const std::string twin = sig.substr(0, half) + subtract(c.order, sig.substr(half));
    ASSERT_NE(twin, sig);
    EXPECT_TRUE(key.verifying_key().verify("message", twin).ok());
  }
}

}  // namespace
}  // namespace wba
