// Every way key loading, algorithm selection and verification must fail, with its Reason.
#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "crypto/test_util.h"
#include "wba/crypto/key.h"

namespace wba {
namespace {

using crypto_test::b64;
using crypto_test::b64url;
using crypto_test::flip_bit;
using crypto_test::load_vectors;
using nlohmann::json;

const json& keys() {
  static const json k = load_vectors("rfc9421/keys.json").at("keys");
  return k;
}
json ed25519_jwk() { return keys().at("test-key-ed25519").at("jwk"); }
json p256_jwk() { return keys().at("test-key-ecc-p256").at("jwk"); }
json rsa_jwk() { return keys().at("test-key-rsa-pss").at("jwk"); }
std::string str(const json& j) { return j.get<std::string>(); }

// Expects `r` to fail with `reason` and, when given, a detail that names `needle`.
template <typename R>
void expect_error(const R& r, Reason reason, const std::string& needle = {}) {
  ASSERT_FALSE(r.ok()) << "expected " << to_string(reason);
  EXPECT_EQ(r.reason(), reason) << r.error().message();
  if (!needle.empty()) {
    EXPECT_NE(r.error().detail.find(needle), std::string::npos) << r.error().message();
  }
}

// Loads a private JWK with the matching algorithm for RSA.
Result<SigningKey> load_private(const json& jwk) {
  return SigningKey::from_jwk(jwk, jwk.at("kty") == "RSA"
                                       ? std::optional<Algorithm>(Algorithm::rsa_pss_sha512)
                                       : std::nullopt);
}
Result<VerifyingKey> load_public(const json& jwk) {
  return VerifyingKey::from_jwk(jwk, jwk.at("kty") == "RSA"
                                         ? std::optional<Algorithm>(Algorithm::rsa_pss_sha512)
                                         : std::nullopt);
}

std::string resized(const std::string& b64url_value, std::ptrdiff_t delta) {
  std::string bytes = b64url(b64url_value);
  if (delta < 0) {
    bytes.resize(bytes.size() - static_cast<std::size_t>(-delta));
  } else {
    bytes.append(static_cast<std::size_t>(delta), '\x01');
  }
  return base64url_encode(bytes);
}

TEST(KeyNegative, NotAJwk) {
  expect_error(VerifyingKey::from_jwk(json::array()), Reason::invalid_key);
  expect_error(VerifyingKey::from_jwk(json("OKP")), Reason::invalid_key);
  expect_error(VerifyingKey::from_jwk_json("{\"kty\": \"OKP\","), Reason::invalid_key, "JSON");
  expect_error(SigningKey::from_jwk_json(""), Reason::invalid_key);
  expect_error(VerifyingKey::from_jwk_json("[1]"), Reason::invalid_key);
  expect_error(VerifyingKey::from_jwk(json::object()), Reason::invalid_key, "kty");
  auto jwk = ed25519_jwk();
  jwk["kty"] = "DSA";
  expect_error(VerifyingKey::from_jwk(jwk), Reason::invalid_key, "kty");
  jwk["kty"] = 1;
  expect_error(VerifyingKey::from_jwk(jwk), Reason::invalid_key, "kty");
  jwk = ed25519_jwk();
  jwk["kid"] = 7;
  expect_error(VerifyingKey::from_jwk(jwk), Reason::invalid_key, "kid");
}

TEST(KeyNegative, MissingMembers) {
  const struct {
    json jwk;
    const char* member;
  } cases[] = {{ed25519_jwk(), "x"}, {ed25519_jwk(), "crv"}, {p256_jwk(), "x"}, {p256_jwk(), "y"},
               {p256_jwk(), "crv"},  {rsa_jwk(), "n"},       {rsa_jwk(), "e"}};
  for (const auto& c : cases) {
    json jwk = c.jwk;
    jwk.erase(c.member);
    expect_error(load_public(jwk), Reason::invalid_key, std::string("\"") + c.member + "\"");
    expect_error(load_private(jwk), Reason::invalid_key, std::string("\"") + c.member + "\"");
  }
  // Private members are needed to sign only.
  for (const char* member : {"d", "p", "q", "dp", "dq", "qi"}) {
    json jwk = rsa_jwk();
    jwk.erase(member);
    expect_error(load_private(jwk), Reason::invalid_key, std::string("\"") + member + "\"");
    EXPECT_TRUE(load_public(jwk).ok()) << member;
  }
  for (const json& base : {ed25519_jwk(), p256_jwk()}) {
    json jwk = base;
    jwk.erase("d");
    expect_error(load_private(jwk), Reason::invalid_key, "\"d\"");
    EXPECT_TRUE(load_public(jwk).ok());
  }
  expect_error(VerifyingKey::from_jwk(json{{"kty", "oct"}}), Reason::invalid_key, "\"k\"");
}

TEST(KeyNegative, BadBase64url) {
  for (const auto& [base, member] : {std::pair{ed25519_jwk(), "x"}, std::pair{p256_jwk(), "y"},
                                     std::pair{rsa_jwk(), "n"}, std::pair{ed25519_jwk(), "d"}}) {
    const std::string good = base.at(member).get<std::string>();
    for (const std::string& bad :
         {good + "=", good.substr(0, good.size() - 1) + "+", "/" + good.substr(1),
          good.substr(0, good.size() - 1) + " ", good + "A", std::string("")}) {
      json jwk = base;
      jwk[member] = bad;
      expect_error(load_private(jwk), Reason::invalid_key, std::string("\"") + member + "\"");
    }
    json jwk = base;
    jwk[member] = 42;
    expect_error(load_private(jwk), Reason::invalid_key, std::string("\"") + member + "\"");
  }
  // Non-zero bits after the last full byte would give a second spelling of the same key.
  json jwk = ed25519_jwk();
  std::string x = jwk.at("x").get<std::string>();  // 43 chars: the last carries 2 spare bits
  x.back() = x.back() == 's' ? 't' : 's';
  jwk["x"] = x;
  expect_error(load_public(jwk), Reason::invalid_key, "\"x\"");
}

TEST(KeyNegative, Ed25519Lengths) {
  for (std::ptrdiff_t delta : {-1, 1, -32 + 1}) {
    json jwk = ed25519_jwk();
    jwk["x"] = resized(str(jwk.at("x")), delta);
    expect_error(load_public(jwk), Reason::invalid_key, "\"x\"");
    jwk = ed25519_jwk();
    jwk["d"] = resized(str(jwk.at("d")), delta);
    expect_error(load_private(jwk), Reason::invalid_key, "\"d\"");
  }
}

TEST(KeyNegative, Ed25519InvalidPoints) {
  json jwk = ed25519_jwk();
  jwk.erase("d");
  // y = 0 encodes a point of order 4; y = 1 the identity (order 1).
  jwk["x"] = base64url_encode(std::string(32, '\0'));
  expect_error(load_public(jwk), Reason::invalid_key, "\"x\"");
  std::string identity(32, '\0');
  identity[0] = 1;
  jwk["x"] = base64url_encode(identity);
  expect_error(load_public(jwk), Reason::invalid_key, "\"x\"");
  // y = p = 2^255 - 19: a non-canonical encoding.
  std::string p(32, '\xff');
  p[0] = '\xed';
  p[31] = '\x7f';
  jwk["x"] = base64url_encode(p);
  expect_error(load_public(jwk), Reason::invalid_key, "\"x\"");
}

TEST(KeyNegative, Ed25519PrivatePartMustMatch) {
  json jwk = ed25519_jwk();
  jwk["d"] = base64url_encode(flip_bit(b64url(str(jwk.at("d"))), 5));
  expect_error(SigningKey::from_jwk(jwk), Reason::invalid_key, "does not match");
  // A public-only load ignores the private member.
  EXPECT_TRUE(VerifyingKey::from_jwk(jwk).ok());
}

TEST(KeyNegative, Curves) {
  json jwk = ed25519_jwk();
  for (const char* crv : {"X25519", "Ed448", "ed25519", ""}) {
    jwk["crv"] = crv;
    expect_error(load_public(jwk), Reason::invalid_key, "crv");
  }
  jwk = p256_jwk();
  for (const char* crv : {"P-521", "secp256k1", "p-256", "P256"}) {
    jwk["crv"] = crv;
    expect_error(load_public(jwk), Reason::invalid_key, "crv");
  }
  // A P-256 point presented as P-384 has the wrong coordinate size.
  jwk = p256_jwk();
  jwk["crv"] = "P-384";
  expect_error(load_public(jwk), Reason::invalid_key, "\"x\"");
}

TEST(KeyNegative, EcLengthsAndPoints) {
  for (const char* member : {"x", "y"}) {
    for (std::ptrdiff_t delta : {-1, 1}) {
      json jwk = p256_jwk();
      jwk[member] = resized(str(jwk.at(member)), delta);
      expect_error(load_public(jwk), Reason::invalid_key, std::string("\"") + member + "\"");
    }
  }
  // Leading zero bytes dropped (a common encoder bug) is a length error too.
  json jwk = p256_jwk();
  jwk["d"] = resized(str(jwk.at("d")), -1);
  expect_error(load_private(jwk), Reason::invalid_key, "\"d\"");
  jwk = p256_jwk();
  jwk["d"] = resized(str(jwk.at("d")), 1);
  expect_error(load_private(jwk), Reason::invalid_key, "\"d\"");

  // Off the curve.
  for (std::size_t byte : {std::size_t{0}, std::size_t{31}}) {
    json off = p256_jwk();
    off["y"] = base64url_encode(flip_bit(b64url(str(off.at("y"))), byte));
    expect_error(load_public(off), Reason::invalid_key, "not a point");
    expect_error(load_private(off), Reason::invalid_key, "not a point");
  }
  // The point at infinity has no affine encoding; all zeros is off the curve.
  json zero = p256_jwk();
  zero["x"] = base64url_encode(std::string(32, '\0'));
  zero["y"] = base64url_encode(std::string(32, '\0'));
  expect_error(load_public(zero), Reason::invalid_key);
}

TEST(KeyNegative, EcPrivatePartMustMatch) {
  json jwk = p256_jwk();
  jwk["d"] = base64url_encode(flip_bit(b64url(str(jwk.at("d"))), 31));
  expect_error(SigningKey::from_jwk(jwk), Reason::invalid_key, "\"d\"");
  // d = 0 and d = n are out of range.
  jwk["d"] = base64url_encode(std::string(32, '\0'));
  expect_error(SigningKey::from_jwk(jwk), Reason::invalid_key, "\"d\"");
  // Another P-256 key's private part.
  auto other = SigningKey::generate(Algorithm::ecdsa_p256_sha256).value().to_private_jwk();
  jwk = p256_jwk();
  jwk["d"] = other.at("d");
  expect_error(SigningKey::from_jwk(jwk), Reason::invalid_key, "does not match");
}

constexpr const char* kRsa1024Pem =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC6XJrhRlZVsodSfyEWsp8EiHll\n"
    "43Uho2vs/8gACtHpKSRZp9Rq2zAFYFh6MbhXV0ws4rlDnq/px06Xam/h7patjKmL\n"
    "MDP+TdeClloSHB/FDRX5PTECY7TlYxfHZdzPbldmrujsUYyZxh/Rwp7wRJZ6mn/4\n"
    "zeHKqfZAhnZXSygGIwIDAQAB\n"
    "-----END PUBLIC KEY-----\n";
constexpr const char* kRsa1024N =
    "ulya4UZWVbKHUn8hFrKfBIh5ZeN1IaNr7P_IAArR6SkkWafUatswBWBYejG4V1dMLOK5Q56v6cdOl2pv4e6WrYypizAz_"
    "k3XgpZaEhwfxQ0V-T0xAmO05WMXx2Xcz25XZq7o7FGMmcYf0cKe8ESWepp_-M3hyqn2QIZ2V0soBiM";

TEST(KeyNegative, RsaTooSmall) {
  expect_error(VerifyingKey::from_pem(kRsa1024Pem, Algorithm::rsa_v1_5_sha256), Reason::invalid_key,
               "2048");
  const json jwk = {{"kty", "RSA"}, {"n", kRsa1024N}, {"e", "AQAB"}, {"alg", "RS256"}};
  expect_error(VerifyingKey::from_jwk(jwk), Reason::invalid_key, "2048");
}

TEST(KeyNegative, RsaMembers) {
  // RFC 7518 §2: no leading zero octets.
  json jwk = rsa_jwk();
  jwk["n"] = base64url_encode('\0' + b64url(str(jwk.at("n"))));
  expect_error(load_public(jwk), Reason::invalid_key, "\"n\"");
  jwk = rsa_jwk();
  jwk["e"] = "AAEAAQ";
  expect_error(load_public(jwk), Reason::invalid_key, "\"e\"");
  // Even exponent, exponent 1, oversized exponent.
  for (const std::string& e :
       {std::string("\x01\x00\x00", 3), std::string("\x01"), std::string(9, '\x01')}) {
    jwk = rsa_jwk();
    jwk["e"] = base64url_encode(e);
    expect_error(load_public(jwk), Reason::invalid_key);
  }
  // An even modulus.
  jwk = rsa_jwk();
  std::string n = b64url(str(jwk.at("n")));
  n.back() = static_cast<char>(n.back() & ~1);
  jwk["n"] = base64url_encode(n);
  expect_error(load_public(jwk), Reason::invalid_key);
  // Multi-prime keys are refused.
  jwk = rsa_jwk();
  jwk["oth"] = json::array();
  expect_error(load_private(jwk), Reason::invalid_key, "oth");
}

TEST(KeyNegative, RsaPrivatePartMustMatch) {
  for (const char* member : {"d", "p", "dq", "qi"}) {
    json jwk = rsa_jwk();
    jwk[member] = base64url_encode(flip_bit(b64url(str(jwk.at(member))), 10));
    expect_error(load_private(jwk), Reason::invalid_key, "RSA private key");
  }
  // The private half of test-key-rsa with the public half of test-key-rsa-pss.
  json jwk = keys().at("test-key-rsa").at("jwk");
  jwk["n"] = rsa_jwk().at("n");
  expect_error(load_private(jwk), Reason::invalid_key);
}

TEST(KeyNegative, HmacSecretTooShort) {
  expect_error(VerifyingKey::from_hmac_secret(std::string(15, 'k')), Reason::invalid_key);
  expect_error(SigningKey::from_hmac_secret(""), Reason::invalid_key);
  EXPECT_TRUE(SigningKey::from_hmac_secret(std::string(16, 'k')).ok());
  expect_error(VerifyingKey::from_jwk(json{{"kty", "oct"}, {"k", base64url_encode("short")}}),
               Reason::invalid_key, "\"k\"");
}

TEST(KeyNegative, AlgMismatch) {
  const struct {
    json jwk;
    const char* alg;
  } cases[] = {
      {ed25519_jwk(), "ES256"},
      {ed25519_jwk(), "hmac-sha256"},
      {p256_jwk(), "ES384"},
      {p256_jwk(), "EdDSA"},
      {p256_jwk(), "ecdsa-p384-sha384"},
      {rsa_jwk(), "HS256"},
      {rsa_jwk(), "ES256"},
      {rsa_jwk(), "EdDSA"},
  };
  for (const auto& c : cases) {
    json jwk = c.jwk;
    jwk["alg"] = c.alg;
    expect_error(VerifyingKey::from_jwk(jwk), Reason::key_alg_mismatch, c.alg);
    expect_error(SigningKey::from_jwk(jwk), Reason::key_alg_mismatch, c.alg);
  }
  // JWK alg vs. the caller.
  json jwk = rsa_jwk();
  jwk["alg"] = "PS512";
  expect_error(VerifyingKey::from_jwk(jwk, Algorithm::rsa_v1_5_sha256), Reason::key_alg_mismatch);
  EXPECT_TRUE(VerifyingKey::from_jwk(jwk, Algorithm::rsa_pss_sha512).ok());
  jwk["alg"] = "rsa-v1_5-sha256";
  expect_error(SigningKey::from_jwk(jwk, Algorithm::rsa_pss_sha512), Reason::key_alg_mismatch);
  // Key type vs. the caller.
  expect_error(VerifyingKey::from_jwk(ed25519_jwk(), Algorithm::ecdsa_p256_sha256),
               Reason::key_alg_mismatch);
  expect_error(VerifyingKey::from_jwk(p256_jwk(), Algorithm::ecdsa_p384_sha384),
               Reason::key_alg_mismatch);
  expect_error(VerifyingKey::from_jwk(rsa_jwk(), Algorithm::hmac_sha256), Reason::key_alg_mismatch);
  expect_error(VerifyingKey::from_jwk(rsa_jwk(), Algorithm::ed25519), Reason::key_alg_mismatch);
  expect_error(
      VerifyingKey::from_pem(keys().at("test-key-ed25519").at("public_key_pem").get<std::string>(),
                             Algorithm::rsa_pss_sha512),
      Reason::key_alg_mismatch);
  // An oct JWK is HMAC only.
  const json oct = {
      {"kty", "oct"}, {"k", base64url_encode(std::string(32, 's'))}, {"alg", "ES256"}};
  expect_error(VerifyingKey::from_jwk(oct), Reason::key_alg_mismatch);
}

TEST(KeyNegative, UnsupportedAlgorithm) {
  for (const char* alg : {"RS512", "PS384", "ES256K", "none", "HS512", "rsa-pss-sha256"}) {
    json jwk = rsa_jwk();
    jwk["alg"] = alg;
    expect_error(VerifyingKey::from_jwk(jwk), Reason::unsupported_algorithm, alg);
  }
  json jwk = ed25519_jwk();
  jwk["alg"] = 5;
  expect_error(VerifyingKey::from_jwk(jwk), Reason::invalid_key, "alg");
  // RSA with no algorithm anywhere.
  expect_error(VerifyingKey::from_jwk(rsa_jwk()), Reason::unsupported_algorithm);
  expect_error(
      SigningKey::from_pem(keys().at("test-key-rsa").at("private_key_pem").get<std::string>()),
      Reason::unsupported_algorithm);
}

// RSASSA-PSS SubjectPublicKeyInfos with parameters (RFC 4055 §3.1), made with
// `openssl genpkey -algorithm RSA-PSS -pkeyopt rsa_pss_keygen_md:… | openssl pkey -pubout`.
constexpr const char* kPssSha256Pem =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIIBVjBBBgkqhkiG9w0BAQowNKAPMA0GCWCGSAFlAwQCAQUAoRwwGgYJKoZIhvcN\n"
    "AQEIMA0GCWCGSAFlAwQCAQUAogMCASADggEPADCCAQoCggEBALKIIz+4OWVzsphW\n"
    "EKWr2h/hfTi418Fh5+OFsaQEnMA7/gFPSa9bq2J8Q7J7pFnSrlQGLnXuTa18uYB/\n"
    "6erlTVBYwl7lkAvGAMFvVgi5+iS+8koMcmzxleua+7d+vzfLQAAtG3I4aTwUc98I\n"
    "S3RbseWQta4/ZFaOa3Z586XRums021Dp7mh6vDd7NrcG+EIcMSX/7S8wzyHAH7tt\n"
    "yRFmnyH8h78tR1g35RbVMldvDCehpiMUV/HaGr8q/EyKas92Lw2IwuKP7Kl5L9zz\n"
    "QAFgqX8718gG/P/KomJGza1JofUmIyYuYxybNb4oogrWEQwZ4pivp4XwhRmfgfR9\n"
    "n5rjv98CAwEAAQ==\n"
    "-----END PUBLIC KEY-----\n";
constexpr const char* kPssSha512Pem =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIIBVjBBBgkqhkiG9w0BAQowNKAPMA0GCWCGSAFlAwQCAwUAoRwwGgYJKoZIhvcN\n"
    "AQEIMA0GCWCGSAFlAwQCAwUAogMCAUADggEPADCCAQoCggEBAKhEW6hFzbIw715R\n"
    "gNYhZPaSO1EbfUDtOGy+RYq9KQL3/ZzQTyTjTp/WfcMkQY6SUl0S5EgF/ymqDYhc\n"
    "pirZ/410984qIVLv/e0mLeMEXIfW+ZvHLn24dRjqKJG+Zlb3PToZk34ga9EZJsya\n"
    "IsDSe+GhfCO75mwPXHxbmB2tK99PYM2kdH69Jssj9Yawx1UGR1hW+OpJWMFZxHJG\n"
    "fOMJ+dmgNAwvN2FQ0WtPoFGfKi08RbIHBbFS2yTFMpQvcECRntzND1hK9+dXhLK3\n"
    "yVlH0dzb7sk3SyY4O0RkTxx90qjDgHbTWCo+wjBU5E7sbRjEhRJhNDr6S9NVGhiZ\n"
    "lLxiQL8CAwEAAQ==\n"
    "-----END PUBLIC KEY-----\n";
constexpr const char* kEd448Pem =
    "-----BEGIN PUBLIC KEY-----\n"
    "MEMwBQYDK2VxAzoAyN6WjzRlnip/GeOk38to9QvYZuBNVADWkcUJuzwHztXWig+W\n"
    "NC3vnW7eK14CrA03xd89j458lDmA\n"
    "-----END PUBLIC KEY-----\n";
constexpr const char* kSecp256k1Pem =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFYwEAYHKoZIzj0CAQYFK4EEAAoDQgAENWNqkhwnP8W9SLko4oB39elOfQ8kJUNu\n"
    "A8rbnxrqQmRVoRizHvchwb3HfCH26pV5BHj7zDnRNBKLzrubJvnpAw==\n"
    "-----END PUBLIC KEY-----\n";
constexpr const char* kEncryptedEd25519Pem =
    "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
    "MIGbMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAjIQFwQ/q3uBwICCAAw\n"
    "DAYIKoZIhvcNAgkFADAdBglghkgBZQMEAQIEEKmOSCTiwXyqy1H1s3t8MyIEQOeV\n"
    "50USMV9VqgaD/Ji5ek6D2IlSvkuP8U45lDnJB6Rbk6NJn/gkuiZ1f9hDzKLM/Z9F\n"
    "15PeYpXmSZ77HN6aXLU=\n"
    "-----END ENCRYPTED PRIVATE KEY-----\n";

TEST(KeyNegative, Pem) {
  expect_error(VerifyingKey::from_pem(""), Reason::invalid_key);
  expect_error(
      VerifyingKey::from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"),
      Reason::invalid_key);
  expect_error(VerifyingKey::from_pem("not a key"), Reason::invalid_key);
  expect_error(SigningKey::from_pem(kEncryptedEd25519Pem), Reason::invalid_key);
  expect_error(VerifyingKey::from_pem(kEd448Pem), Reason::invalid_key, "ED448");
  expect_error(VerifyingKey::from_pem(kSecp256k1Pem), Reason::invalid_key, "secp256k1");
  // A public PEM cannot make a signing key.
  for (const char* name : {"test-key-ed25519", "test-key-ecc-p256", "test-key-rsa-pss"}) {
    expect_error(SigningKey::from_pem(keys().at(name).at("public_key_pem").get<std::string>(),
                                      std::string(name) == "test-key-rsa-pss"
                                          ? std::optional<Algorithm>(Algorithm::rsa_pss_sha512)
                                          : std::nullopt),
                 Reason::invalid_key, "private");
  }
  // A PSS key restricted to SHA-256 cannot be used for rsa-pss-sha512; one restricted to
  // SHA-512 / 64-byte salt can, and says so itself.
  expect_error(VerifyingKey::from_pem(kPssSha256Pem), Reason::unsupported_algorithm, "SHA");
  auto pss512 = VerifyingKey::from_pem(kPssSha512Pem);
  ASSERT_TRUE(pss512.ok()) << pss512.error().message();
  EXPECT_EQ(pss512->algorithm(), Algorithm::rsa_pss_sha512);
  expect_error(VerifyingKey::from_pem(kPssSha512Pem, Algorithm::rsa_v1_5_sha256),
               Reason::key_alg_mismatch);
}

// ---------------------------------------------------------------------------------------------
// Signatures.

// DER ECDSA-Sig-Value (RFC 3279 §2.2.3) from r‖s, to show that DER is refused.
std::string der_integer(std::string bytes) {
  while (bytes.size() > 1 && bytes[0] == '\0') bytes.erase(0, 1);
  if (static_cast<unsigned char>(bytes[0]) & 0x80) bytes.insert(0, 1, '\0');
  return std::string("\x02", 1) + static_cast<char>(bytes.size()) + bytes;
}
std::string raw_to_der(const std::string& raw) {
  const std::size_t half = raw.size() / 2;
  const std::string body = der_integer(raw.substr(0, half)) + der_integer(raw.substr(half));
  return std::string("\x30", 1) + static_cast<char>(body.size()) + body;
}

TEST(SignatureNegative, EcdsaMustBeRawRs) {
  for (Algorithm alg : {Algorithm::ecdsa_p256_sha256, Algorithm::ecdsa_p384_sha384}) {
    SCOPED_TRACE(to_string(alg));
    const SigningKey key = SigningKey::generate(alg).value();
    const VerifyingKey pub = key.verifying_key();
    const std::string msg = "signature base";
    const std::string raw = key.sign(msg).value();
    EXPECT_EQ(raw.size(), alg == Algorithm::ecdsa_p256_sha256 ? 64u : 96u);
    EXPECT_TRUE(pub.verify(msg, raw).ok());
    expect_error(pub.verify(msg, raw_to_der(raw)), Reason::bad_signature);
    // r = 0, s = 0; r = s = n - 1 style garbage.
    expect_error(pub.verify(msg, std::string(raw.size(), '\0')), Reason::bad_signature);
    expect_error(pub.verify(msg, std::string(raw.size(), '\xff')), Reason::bad_signature);
    // r and s swapped.
    const std::size_t half = raw.size() / 2;
    expect_error(pub.verify(msg, raw.substr(half) + raw.substr(0, half)), Reason::bad_signature);
  }
  // A P-384 signature on a P-256 key has the wrong size.
  const SigningKey p384 = SigningKey::generate(Algorithm::ecdsa_p384_sha384).value();
  const SigningKey p256 = SigningKey::generate(Algorithm::ecdsa_p256_sha256).value();
  expect_error(p256.verifying_key().verify("m", p384.sign("m").value()), Reason::bad_signature,
               "bytes");
}

TEST(SignatureNegative, WrongLengths) {
  for (Algorithm alg :
       {Algorithm::ed25519, Algorithm::ecdsa_p256_sha256, Algorithm::ecdsa_p384_sha384,
        Algorithm::rsa_pss_sha512, Algorithm::rsa_v1_5_sha256, Algorithm::hmac_sha256}) {
    SCOPED_TRACE(to_string(alg));
    const SigningKey key = SigningKey::generate(alg).value();
    const std::string sig = key.sign("m").value();
    const VerifyingKey pub = key.verifying_key();
    ASSERT_TRUE(pub.verify("m", sig).ok());
    expect_error(pub.verify("m", ""), Reason::bad_signature);
    expect_error(pub.verify("m", sig.substr(0, sig.size() - 1)), Reason::bad_signature, "bytes");
    expect_error(pub.verify("m", sig + '\0'), Reason::bad_signature, "bytes");
    // A leading zero byte dropped from an RSA signature is still a length error.
    expect_error(pub.verify("m", '\0' + sig), Reason::bad_signature);
  }
}

TEST(SignatureNegative, NoPaddingConfusion) {
  // One RSA key under both algorithms: a signature of one never verifies as the other.
  const json jwk = rsa_jwk();
  const SigningKey pss = SigningKey::from_jwk(jwk, Algorithm::rsa_pss_sha512).value();
  const SigningKey v15 = SigningKey::from_jwk(jwk, Algorithm::rsa_v1_5_sha256).value();
  EXPECT_EQ(pss.thumbprint(), v15.thumbprint());
  expect_error(pss.verifying_key().verify("m", v15.sign("m").value()), Reason::bad_signature);
  expect_error(v15.verifying_key().verify("m", pss.sign("m").value()), Reason::bad_signature);
}

TEST(SignatureNegative, HmacWrongSecret) {
  const SigningKey a = SigningKey::from_hmac_secret(std::string(32, 'a')).value();
  const SigningKey b = SigningKey::from_hmac_secret(std::string(32, 'b')).value();
  const std::string sig = a.sign("m").value();
  EXPECT_TRUE(a.verifying_key().verify("m", sig).ok());
  expect_error(b.verifying_key().verify("m", sig), Reason::bad_signature);
  expect_error(a.verifying_key().verify("m", flip_bit(sig, 31, 7)), Reason::bad_signature);
}

}  // namespace
}  // namespace wba
