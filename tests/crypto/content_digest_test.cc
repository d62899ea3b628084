// RFC 9530 Content-Digest against testvectors/digest/content-digest.json.
#include "wba/crypto/content_digest.h"

#include <gtest/gtest.h>

#include <string>

#include "crypto/test_util.h"

namespace wba {
namespace {

using crypto_test::load_vectors;

const nlohmann::json& vectors() {
  static const nlohmann::json v = load_vectors("digest/content-digest.json").at("vectors");
  return v;
}

TEST(ContentDigest, Names) {
  EXPECT_EQ(to_string(DigestAlgorithm::sha_256), "sha-256");
  EXPECT_EQ(to_string(DigestAlgorithm::sha_512), "sha-512");
}

TEST(ContentDigest, VectorsAreReproducedAndVerified) {
  int checked = 0;
  for (const auto& v : vectors()) {
    if (!v.contains("body")) continue;
    SCOPED_TRACE(v.at("source").get<std::string>());
    const std::string body = v.at("body").get<std::string>();
    std::string combined;
    for (DigestAlgorithm alg : {DigestAlgorithm::sha_256, DigestAlgorithm::sha_512}) {
      const std::string key(to_string(alg));
      if (!v.contains(key)) continue;
      const std::string expected = key + "=" + v.at(key).get<std::string>();
      EXPECT_EQ(make_content_digest(body, {alg}), expected);
      auto ok = verify_content_digest(expected, body);
      EXPECT_TRUE(ok.ok()) << ok.error().message();
      EXPECT_EQ(verify_content_digest(expected, body + " ").reason(), Reason::digest_mismatch);
      EXPECT_EQ(verify_content_digest(expected, "").reason(), Reason::digest_mismatch);
      combined += (combined.empty() ? "" : ", ") + expected;
      ++checked;
    }
    if (v.contains("sha-256") && v.contains("sha-512")) {
      EXPECT_EQ(make_content_digest(body, {DigestAlgorithm::sha_256, DigestAlgorithm::sha_512}),
                combined);
      EXPECT_TRUE(verify_content_digest(combined, body).ok());
    }
    if (v.contains("sha-512")) {
      // sha-512 is the default.
      EXPECT_EQ(make_content_digest(body), "sha-512=" + v.at("sha-512").get<std::string>());
    }
    // RFC 9421 B.2 prints a wrong digest for its response body.
    if (v.contains("rfc9421_b2_printed_wrong_value")) {
      EXPECT_EQ(
          verify_content_digest(v.at("rfc9421_b2_printed_wrong_value").get<std::string>(), body)
              .reason(),
          Reason::digest_mismatch);
    }
  }
  EXPECT_GE(checked, 5);
}

TEST(ContentDigest, FieldSyntaxExample) {
  // RFC 9530 §2's two-member example parses; its body is not given, so it cannot match ours.
  for (const auto& v : vectors()) {
    if (!v.contains("field_value")) continue;
    EXPECT_EQ(verify_content_digest(v.at("field_value").get<std::string>(), "x").reason(),
              Reason::digest_mismatch);
  }
}

TEST(ContentDigest, EveryActiveMemberMustMatch) {
  const std::string body = "{\"hello\": \"world\"}";
  const std::string good256 = make_content_digest(body, {DigestAlgorithm::sha_256});
  const std::string good512 = make_content_digest(body, {DigestAlgorithm::sha_512});
  const std::string other512 = make_content_digest("other", {DigestAlgorithm::sha_512});
  EXPECT_TRUE(verify_content_digest(good256 + ", " + good512, body).ok());
  EXPECT_EQ(verify_content_digest(good256 + ", " + other512, body).reason(),
            Reason::digest_mismatch);
  EXPECT_EQ(verify_content_digest(other512 + ", " + good256, body).reason(),
            Reason::digest_mismatch);
  // A sha-256 digest under the sha-512 key is the wrong length.
  const std::string swapped = "sha-512" + good256.substr(7);
  EXPECT_EQ(verify_content_digest(swapped, body).reason(), Reason::digest_mismatch);
  // Parameters on a member do not change its value.
  EXPECT_TRUE(verify_content_digest(good256 + ";note=1", body).ok());
}

TEST(ContentDigest, UnknownAndDeprecatedAlgorithmsAreIgnored) {
  const std::string body = "{\"hello\": \"world\"}";
  const std::string good = make_content_digest(body, {DigestAlgorithm::sha_256});
  EXPECT_TRUE(verify_content_digest("md5=:AAAA:, " + good + ", unixsum=:AAAA:", body).ok());
  EXPECT_EQ(verify_content_digest("md5=:AAAA:", body).reason(), Reason::unsupported_digest);
  EXPECT_EQ(verify_content_digest("sha=:AAAA:, adler=:AAAA:", body).reason(),
            Reason::unsupported_digest);
  EXPECT_EQ(verify_content_digest("SHA-256=:AAAA:", body).reason(), Reason::malformed_field);
}

TEST(ContentDigest, MalformedFields) {
  const std::string body = "x";
  for (const char* field : {"sha-256=:not base64!:", "sha-256=:AAAA",
                            "sha-256=", ", sha-256=:AAAA:", "sha-256=:AAAA:,", "{}"}) {
    EXPECT_EQ(verify_content_digest(field, body).reason(), Reason::malformed_field) << field;
  }
  // Right key, wrong value type.
  for (const char* field :
       {"sha-256=abc", "sha-256=\"abc\"", "sha-256=1", "sha-256", "sha-256=(:AAAA:)"}) {
    EXPECT_EQ(verify_content_digest(field, body).reason(), Reason::malformed_field) << field;
  }
  EXPECT_EQ(verify_content_digest("", body).reason(), Reason::unsupported_digest);
}

}  // namespace
}  // namespace wba
