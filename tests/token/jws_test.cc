// JWS Compact Serialization (jose/jws.h): the closed algorithm allowlist, strict parsing, the
// key deciding the algorithm, and the ECDSA edge cases of delegation.md §9 items 18–21, 25, 28–30.
#include "wba/jose/jws.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crypto/test_util.h"
#include "token/validation_test_util.h"
#include "wba/encoding/base64.h"

namespace wba::jose {
namespace {

using nlohmann::json;
using token::test::b64;
using token::test::compact;

// The order n of P-256 (SEC 2 §2.4.2), big-endian.
const std::string kP256Order =
    crypto_test::from_hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");

// DER ECDSA-Sig-Value (RFC 3279 §2.2.3) of a raw r‖s, as some libraries wrongly put in JWS.
std::string to_der(const std::string& raw) {
  auto integer = [](std::string v) {
    while (v.size() > 1 && v[0] == '\0' && (static_cast<unsigned char>(v[1]) & 0x80) == 0) {
      v.erase(0, 1);
    }
    if (static_cast<unsigned char>(v[0]) & 0x80) v.insert(0, 1, '\0');
    return std::string{'\x02', static_cast<char>(v.size())} + v;
  };
  const std::size_t half = raw.size() / 2;
  const std::string body = integer(raw.substr(0, half)) + integer(raw.substr(half));
  return std::string{'\x30', static_cast<char>(body.size())} + body;
}

CompactJws parsed(const std::string& text) {
  auto jws = parse_compact_jws(text);
  EXPECT_TRUE(jws.ok()) << jws.error().message();
  return jws.ok() ? *jws : CompactJws{};
}

// Re-signs nothing: replaces the signature segment of a compact JWS.
std::string with_signature(const std::string& text, const std::string& signature) {
  return text.substr(0, text.rfind('.') + 1) + b64(signature);
}

TEST(JwsAlgorithms, ClosedAllowlist) {
  EXPECT_EQ(jws_algorithm_from_name("EdDSA").value(), JwsAlgorithm::ed25519);
  EXPECT_EQ(jws_algorithm_from_name("Ed25519").value(), JwsAlgorithm::ed25519);
  EXPECT_EQ(jws_algorithm_from_name("ES256").value(), JwsAlgorithm::es256);
  EXPECT_EQ(jws_algorithm_from_name("ES384").value(), JwsAlgorithm::es384);
  EXPECT_EQ(jws_algorithm_from_name("RS256").value(), JwsAlgorithm::rs256);
  EXPECT_EQ(jws_algorithm_from_name("PS256").value(), JwsAlgorithm::ps256);
  // §9 item 18-19: none in every case, HMAC, and everything else; names are case-sensitive.
  for (const char* name : {"none",     "None",  "NONE",  "",      "HS256",   "HS384",
                           "HS512",    "RS384", "RS512", "PS384", "PS512",   "ES512",
                           "ES256K",   "Ed448", "eddsa", "es256", "ed25519", "ecdsa-p256-sha256",
                           "RSA-OAEP", "dir"}) {
    EXPECT_EQ(jws_algorithm_from_name(name).reason(), Reason::alg_not_allowed) << name;
  }
  for (auto alg : {JwsAlgorithm::ed25519, JwsAlgorithm::es256, JwsAlgorithm::es384,
                   JwsAlgorithm::rs256, JwsAlgorithm::ps256}) {
    EXPECT_EQ(jws_algorithm_from_name(to_string(alg)).value(), alg);
  }
  EXPECT_EQ(to_string(JwsAlgorithm::ed25519), "Ed25519");
  EXPECT_EQ(key_algorithm(JwsAlgorithm::ed25519), Algorithm::ed25519);
  EXPECT_EQ(key_algorithm(JwsAlgorithm::es256), Algorithm::ecdsa_p256_sha256);
  EXPECT_EQ(key_algorithm(JwsAlgorithm::es384), Algorithm::ecdsa_p384_sha384);
  EXPECT_EQ(key_algorithm(JwsAlgorithm::rs256), Algorithm::rsa_v1_5_sha256);
  EXPECT_EQ(key_algorithm(JwsAlgorithm::ps256), Algorithm::rsa_pss_sha256);
}

TEST(JwsAlgorithms, OfSigningKeys) {
  EXPECT_EQ(jws_algorithm_of(SigningKey::generate(Algorithm::ed25519).value()).value(),
            JwsAlgorithm::ed25519);
  EXPECT_EQ(jws_algorithm_of(SigningKey::generate(Algorithm::ecdsa_p256_sha256).value()).value(),
            JwsAlgorithm::es256);
  EXPECT_EQ(jws_algorithm_of(SigningKey::generate(Algorithm::ecdsa_p384_sha384).value()).value(),
            JwsAlgorithm::es384);
  EXPECT_EQ(jws_algorithm_of(SigningKey::generate(Algorithm::hmac_sha256).value()).reason(),
            Reason::unsupported_algorithm);
}

TEST(Jws, Rfc8037AppendixA4A5) {
  const json v = crypto_test::load_vectors("jose/rfc8037-ed25519.json");
  const std::string expected = v.at("jws_compact").get<std::string>();
  // A.5: validation.
  const CompactJws jws = parsed(expected);
  EXPECT_EQ(jws.header, json::parse(v.at("jws_protected_header").get<std::string>()));
  EXPECT_EQ(jws.payload, v.at("payload").get<std::string>());
  EXPECT_EQ(jws.signing_input, v.at("jws_signing_input").get<std::string>());
  EXPECT_EQ(jws.signature.size(), 64u);
  const VerifyingKey pub = VerifyingKey::from_jwk(v.at("public_jwk")).value();
  EXPECT_TRUE(verify_jws(jws, JwsAlgorithm::ed25519, pub).ok());
  // A.4: signing (Ed25519 is deterministic, and {"alg":"EdDSA"} serializes identically).
  const SigningKey key = SigningKey::from_jwk(v.at("private_jwk")).value();
  EXPECT_EQ(sign_compact_jws(json::object(), v.at("payload").get<std::string>(), key).value(),
            expected);
}

TEST(Jws, RoundTripsEveryAlgorithm) {
  for (Algorithm a :
       {Algorithm::ed25519, Algorithm::ecdsa_p256_sha256, Algorithm::ecdsa_p384_sha384,
        Algorithm::rsa_v1_5_sha256, Algorithm::rsa_pss_sha256}) {
    SCOPED_TRACE(to_string(a));
    const SigningKey key = SigningKey::generate(a).value();
    const std::string text =
        sign_compact_jws(json{{"typ", "at+jwt"}}, R"({"sub":"x"})", key).value();
    const CompactJws jws = parsed(text);
    const JwsAlgorithm alg = jws_algorithm_of(key).value();
    EXPECT_EQ(jws.header.at("alg"), a == Algorithm::ed25519 ? "EdDSA" : to_string(alg));
    EXPECT_EQ(jws.header.at("typ"), "at+jwt");
    EXPECT_EQ(jws.payload, R"({"sub":"x"})");
    EXPECT_TRUE(verify_jws(jws, alg, key.verifying_key()).ok());

    // Any change to the signed bytes is caught.
    CompactJws tampered = jws;
    tampered.signing_input.back() ^= 1;
    EXPECT_EQ(verify_jws(tampered, alg, key.verifying_key()).reason(), Reason::invalid_signature);
    // Another key of the same algorithm does not verify it.
    EXPECT_EQ(verify_jws(jws, alg, SigningKey::generate(a).value().verifying_key()).reason(),
              Reason::invalid_signature);
  }
}

TEST(Jws, SigningKeepsOrRefusesTheHeaderAlg) {
  const SigningKey ed = SigningKey::generate(Algorithm::ed25519).value();
  EXPECT_EQ(parsed(sign_compact_jws(json{{"alg", "Ed25519"}}, "{}", ed).value()).header.at("alg"),
            "Ed25519");
  EXPECT_EQ(sign_compact_jws(json{{"alg", "ES256"}}, "{}", ed).reason(), Reason::key_alg_mismatch);
  EXPECT_EQ(sign_compact_jws(json{{"alg", "none"}}, "{}", ed).reason(), Reason::key_alg_mismatch);
  EXPECT_EQ(sign_compact_jws(json{{"alg", 1}}, "{}", ed).reason(), Reason::key_alg_mismatch);
  EXPECT_EQ(sign_compact_jws(json::array(), "{}", ed).reason(), Reason::invalid_argument);
  EXPECT_EQ(
      sign_compact_jws(json::object(), "{}", SigningKey::generate(Algorithm::hmac_sha256).value())
          .reason(),
      Reason::unsupported_algorithm);
  EXPECT_EQ(sign_compact_jws(json::object(), "{}",
                             SigningKey::generate(Algorithm::rsa_pss_sha512).value())
                .reason(),
            Reason::unsupported_algorithm);
}

TEST(Jws, TheKeyDecidesTheAlgorithm) {
  // §9 item 20.
  const SigningKey ed = SigningKey::generate(Algorithm::ed25519).value();
  const SigningKey p256 = SigningKey::generate(Algorithm::ecdsa_p256_sha256).value();
  const SigningKey ps256 = SigningKey::generate(Algorithm::rsa_pss_sha256).value();
  const CompactJws by_ed = parsed(sign_compact_jws(json::object(), "{}", ed).value());
  EXPECT_EQ(verify_jws(by_ed, JwsAlgorithm::es256, ed.verifying_key()).reason(),
            Reason::alg_not_allowed);
  const CompactJws by_p256 = parsed(sign_compact_jws(json::object(), "{}", p256).value());
  EXPECT_EQ(verify_jws(by_p256, JwsAlgorithm::ed25519, p256.verifying_key()).reason(),
            Reason::alg_not_allowed);
  EXPECT_EQ(verify_jws(by_p256, JwsAlgorithm::es384, p256.verifying_key()).reason(),
            Reason::alg_not_allowed);
  const CompactJws by_ps = parsed(sign_compact_jws(json::object(), "{}", ps256).value());
  EXPECT_EQ(verify_jws(by_ps, JwsAlgorithm::rs256, ps256.verifying_key()).reason(),
            Reason::alg_not_allowed);
  // An HMAC key (the algorithm-confusion attack's verifier) verifies no JWS algorithm.
  const VerifyingKey hmac = VerifyingKey::from_hmac_secret(std::string(32, 'k')).value();
  for (auto alg : {JwsAlgorithm::ed25519, JwsAlgorithm::es256, JwsAlgorithm::rs256}) {
    EXPECT_EQ(verify_jws(by_ed, alg, hmac).reason(), Reason::alg_not_allowed);
  }
}

TEST(Jws, EcdsaEdgeCases) {
  // §9 item 21.
  const SigningKey key = SigningKey::generate(Algorithm::ecdsa_p256_sha256).value();
  const VerifyingKey pub = key.verifying_key();
  const std::string text = sign_compact_jws(json::object(), R"({"sub":"x"})", key).value();
  const std::string raw = parsed(text).signature;
  ASSERT_EQ(raw.size(), 64u);

  // DER instead of raw r‖s (70–72 bytes).
  const std::string der = to_der(raw);
  EXPECT_GE(der.size(), 68u);
  EXPECT_EQ(verify_jws(parsed(with_signature(text, der)), JwsAlgorithm::es256, pub).reason(),
            Reason::invalid_signature);
  // Psychic signatures (CVE-2022-21449): r = s = 0, and each alone.
  const std::string zero(32, '\0');
  for (const std::string& sig :
       {zero + zero, zero + raw.substr(32), raw.substr(0, 32) + zero, kP256Order + raw.substr(32),
        raw.substr(0, 32) + kP256Order, std::string(64, '\xff')}) {
    EXPECT_EQ(verify_jws(parsed(with_signature(text, sig)), JwsAlgorithm::es256, pub).reason(),
              Reason::invalid_signature);
  }
  // P-384 too.
  const SigningKey p384 = SigningKey::generate(Algorithm::ecdsa_p384_sha384).value();
  const std::string text384 = sign_compact_jws(json::object(), "{}", p384).value();
  EXPECT_EQ(verify_jws(parsed(with_signature(text384, std::string(96, '\0'))), JwsAlgorithm::es384,
                       p384.verifying_key())
                .reason(),
            Reason::invalid_signature);
  // Wrong lengths.
  for (std::size_t n : {0u, 63u, 65u, 128u}) {
    EXPECT_EQ(
        verify_jws(parsed(with_signature(text, std::string(n, '\x01'))), JwsAlgorithm::es256, pub)
            .reason(),
        Reason::invalid_signature)
        << n;
  }
  // High S (n − s) is as valid as low S: JOSE does not require the low-S form.
  const std::string high_s = raw.substr(0, 32) + crypto_test::subtract(kP256Order, raw.substr(32));
  ASSERT_NE(high_s, raw);
  EXPECT_TRUE(verify_jws(parsed(with_signature(text, high_s)), JwsAlgorithm::es256, pub).ok());
}

TEST(JwsParse, SegmentsAndSize) {
  const std::string h = b64(R"({"alg":"EdDSA"})");
  const std::string p = b64("{}");
  // alg none's empty signature parses; refusing it is the allowlist's job.
  EXPECT_TRUE(parse_compact_jws(h + "." + p + ".").ok());
  // So does an empty payload: what it must contain is the caller's business.
  EXPECT_TRUE(parse_compact_jws(h + "..AA").ok());
  for (const std::string& text : {std::string(""), h, h + "." + p, h + "." + p + ".x.y",
                                  h + "." + p + ".x.y.z.w", "." + p + "."}) {
    EXPECT_EQ(parse_compact_jws(text).reason(), Reason::malformed_jwt) << text;
  }
  // Five segments: a JWE (§9 item 28).
  EXPECT_EQ(parse_compact_jws(h + ".a.b.c.d").reason(), Reason::unsupported_token_format);
  EXPECT_EQ(parse_compact_jws(h + "....").reason(), Reason::unsupported_token_format);
  // Size: refused before any decoding.
  JwsLimits limits;
  limits.max_bytes = 100;
  EXPECT_EQ(parse_compact_jws(std::string(101, 'A'), limits).reason(), Reason::limit_exceeded);
  EXPECT_EQ(parse_compact_jws(std::string(100 * 1024, 'A')).reason(), Reason::limit_exceeded);
}

TEST(JwsParse, StrictBase64url) {
  // §9 item 29: the decoder refuses non-canonical trailing bits itself ("QQ" is 'A'; "QR"
  // would decode to 'A' too if the low bits were ignored).
  EXPECT_EQ(base64url_decode("QQ").value(), "A");
  EXPECT_FALSE(base64url_decode("QR").ok());
  EXPECT_EQ(base64url_decode("QUI").value(), "AB");
  EXPECT_FALSE(base64url_decode("QUJ").ok());
  EXPECT_FALSE(base64url_decode("Q").ok());     // 1 mod 4
  EXPECT_FALSE(base64url_decode("QQ==").ok());  // padding
  EXPECT_FALSE(base64url_decode("+/8").ok());   // standard alphabet
  EXPECT_FALSE(base64url_decode("Q Q").ok());

  const SigningKey key = SigningKey::generate(Algorithm::ed25519).value();
  const std::string good = sign_compact_jws(json::object(), R"({"sub":"x"})", key).value();
  ASSERT_TRUE(parse_compact_jws(good).ok());
  const auto d1 = good.find('.');
  const auto d2 = good.find('.', d1 + 1);
  const std::string header = good.substr(0, d1);
  const std::string payload = good.substr(d1 + 1, d2 - d1 - 1);
  const std::string sig = good.substr(d2 + 1);
  // The Ed25519 signature is 64 bytes: 86 characters whose last one has 4 spare bits, which
  // must be zero ('B' sets one).
  ASSERT_EQ(sig.size(), 86u);
  for (const std::string& text : {
           header + "=." + payload + "." + sig,  // padding in each segment
           header + "." + payload + "=." + sig, header + "." + payload + "." + sig + "==",
           header + "." + payload + "+." + sig,  // standard alphabet
           header + "." + payload + "." + sig.substr(0, 10) + "/" + sig.substr(11),
           header + "." + payload + " ." + sig,                     // whitespace
           header + "." + payload + "." + sig.substr(0, 85) + "B",  // trailing bits
       }) {
    EXPECT_EQ(parse_compact_jws(text).reason(), Reason::malformed_jwt) << text;
  }
  // The header's own trailing bits: {"alg":"EdDSA"} is 15 bytes (20 characters, no spare bits),
  // {"alg":"EdDSA", } with a space is 16 bytes: 22 characters, 4 spare bits.
  const std::string h16 = b64(R"({"alg":"EdDSA" })");
  ASSERT_EQ(h16.size(), 22u);
  ASSERT_TRUE(parse_compact_jws(h16 + "." + payload + "." + sig).ok());
  std::string h16_bits = h16;
  h16_bits.back() = static_cast<char>(h16_bits.back() + 1);
  EXPECT_EQ(parse_compact_jws(h16_bits + "." + payload + "." + sig).reason(),
            Reason::malformed_jwt);
}

TEST(JwsParse, HeaderMustBeAStrictObjectWithStringAlg) {
  for (const std::string& header : {
           std::string("not json"),
           std::string("[]"),
           std::string("\"EdDSA\""),
           std::string("{}"),  // alg absent
           std::string(R"({"alg":null})"),
           std::string(R"({"alg":1})"),
           std::string(R"({"alg":["EdDSA"]})"),
           std::string(R"({"alg":"ES256","alg":"none"})"),  // §9 item 25
           std::string(R"({"alg":"EdDSA"} )") + "x",
       }) {
    EXPECT_EQ(parse_compact_jws(compact(header, "{}", "sig")).reason(), Reason::malformed_jwt)
        << header;
  }
  // Deep headers are refused by the depth limit.
  JwsLimits limits;
  limits.max_json_depth = 3;
  EXPECT_EQ(
      parse_compact_jws(compact(R"({"alg":"EdDSA","x":[[[1]]]})", "{}", "s"), limits).reason(),
      Reason::malformed_jwt);
  EXPECT_TRUE(parse_compact_jws(compact(R"({"alg":"EdDSA","x":[[1]]})", "{}", "s"), limits).ok());
}

}  // namespace
}  // namespace wba::jose
