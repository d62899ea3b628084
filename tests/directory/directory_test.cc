// Directory parsing (draft-ietf-webbotauth-httpsig-protocol §5.5.1): which keys are kept, which
// are refused and why, nbf/exp, kid vs thumbprint, limits and media types.
#include <gtest/gtest.h>

#include <string>

#include "support/vectors.h"
#include "wba/directory/directory.h"

namespace {

using nlohmann::json;
using wba::Reason;
namespace dir = wba::directory;

const json& test_keys() {
  static const json k = wba::testing::load_vectors("rfc9421/keys.json")["keys"];
  return k;
}

json public_jwk(const std::string& name) { return test_keys()[name]["public_jwk"]; }

const std::string kEdThumbprint = "poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U";
const std::string kUrl =
    "https://signature-agent.test/.well-known/http-message-signatures-directory";

std::string jwks(const std::vector<json>& keys) {
  json set = json::object();
  set["keys"] = keys;
  return set.dump();
}

TEST(MediaType, AcceptsBothSpellingsIgnoringCaseAndParameters) {
  EXPECT_TRUE(dir::is_directory_media_type("application/http-message-signatures-directory+json"));
  EXPECT_TRUE(dir::is_directory_media_type("application/http-message-signatures-directory"));
  EXPECT_TRUE(dir::is_directory_media_type(
      "Application/HTTP-Message-Signatures-Directory+JSON; charset=utf-8"));
  EXPECT_TRUE(dir::is_directory_media_type(" application/http-message-signatures-directory ;q"));
  EXPECT_FALSE(dir::is_directory_media_type("application/json"));
  EXPECT_FALSE(dir::is_directory_media_type("application/jwk-set+json"));
  EXPECT_FALSE(dir::is_directory_media_type(""));
  EXPECT_FALSE(dir::is_directory_media_type(
      "application/http-message-signatures-directory+json, text/html"));
  EXPECT_FALSE(dir::is_directory_media_type("application/http-message-signatures-directory+jsonx"));
}

TEST(ParseDirectory, DraftDirectoryExampleKidMismatchIsFlagged) {
  const json ex =
      wba::testing::load_vectors("web-bot-auth/draft-vectors.json")["directory_example"];
  auto d = dir::parse_directory(ex["jwks"].dump(2), kUrl);
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_EQ(d->url(), kUrl);
  ASSERT_EQ(d->keys().size(), 1u);
  EXPECT_TRUE(d->refused().empty());
  const auto& k = d->keys()[0];
  EXPECT_EQ(k.thumbprint(), ex["checks"]["rfc7638_thumbprint_of_x"].get<std::string>());
  EXPECT_EQ(k.kid_match, dir::KidMatch::other);  // the published kid is not the thumbprint
  EXPECT_EQ(k.key.algorithm(), wba::Algorithm::ed25519);
  EXPECT_EQ(k.not_before, 1712793600);
  EXPECT_EQ(k.expires, 1715385600);

  // A strict verifier refuses the entry instead (§5.5: kid MUST equal the thumbprint).
  dir::ParseOptions strict;
  strict.require_kid_thumbprint = true;
  auto s = dir::parse_directory(ex["jwks"].dump(), kUrl, strict);
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->keys().empty());
  ASSERT_EQ(s->refused().size(), 1u);
  EXPECT_EQ(s->refused()[0].error.reason, Reason::keyid_mismatch);
  EXPECT_EQ(s->refused()[0].kid, "NFcWBst6DXG-N35nHdzMrioWntdzNZghQSkjHNMMSjw");
  EXPECT_EQ(s->refused()[0].thumbprint, kEdThumbprint);
}

TEST(ParseDirectory, DraftDirectoryExampleHonoursNbfAndExp) {
  const json ex =
      wba::testing::load_vectors("web-bot-auth/draft-vectors.json")["directory_example"];
  auto d = dir::parse_directory(ex["jwks"].dump(), kUrl);
  ASSERT_TRUE(d.ok());
  const std::int64_t nbf = 1712793600, exp = 1715385600;
  EXPECT_EQ(d->find(kEdThumbprint, nbf - 1), nullptr);  // not yet valid
  EXPECT_NE(d->find(kEdThumbprint, nbf), nullptr);      // nbf is inclusive
  EXPECT_NE(d->find(kEdThumbprint, nbf + 86400), nullptr);
  EXPECT_NE(d->find(kEdThumbprint, exp - 1), nullptr);
  EXPECT_EQ(d->find(kEdThumbprint, exp), nullptr);  // exp is exclusive (RFC 7519 §4.1.4)
  EXPECT_EQ(d->find(kEdThumbprint, 1735689600), nullptr);
  EXPECT_NE(d->find_any(kEdThumbprint), nullptr);  // still listed, just not usable
  EXPECT_EQ(d->keys_valid_at(nbf + 1).size(), 1u);
  EXPECT_TRUE(d->keys_valid_at(exp).empty());
  // Lookup is by the (URL, thumbprint) pair.
  EXPECT_TRUE(d->lookup(kUrl, kEdThumbprint, nbf + 1).ok());
  EXPECT_EQ(d->lookup(kUrl, kEdThumbprint, exp).reason(), Reason::key_not_found);
  EXPECT_EQ(d->lookup("https://other.test/.well-known/http-message-signatures-directory",
                      kEdThumbprint, nbf + 1)
                .reason(),
            Reason::key_not_found);
  EXPECT_EQ(d->lookup(kUrl, "NFcWBst6DXG-N35nHdzMrioWntdzNZghQSkjHNMMSjw", nbf + 1).reason(),
            Reason::key_not_found);  // never by kid
}

TEST(ParseDirectory, KeysWithoutKidOrWithThumbprintKid) {
  json a = public_jwk("test-key-ed25519");
  json b = public_jwk("test-key-ecc-p256");
  b["kid"] = test_keys()["test-key-ecc-p256"]["jwk_thumbprint_sha256"];
  auto d = dir::parse_directory(jwks({a, b}));
  ASSERT_TRUE(d.ok()) << d.error().message();
  ASSERT_EQ(d->keys().size(), 2u);
  EXPECT_EQ(d->keys()[0].kid_match, dir::KidMatch::absent);
  EXPECT_EQ(d->keys()[1].kid_match, dir::KidMatch::thumbprint);
  EXPECT_EQ(d->keys()[1].key.algorithm(), wba::Algorithm::ecdsa_p256_sha256);
  EXPECT_EQ(d->keys()[1].index, 1u);
  EXPECT_FALSE(d->keys()[0].not_before.has_value());
  EXPECT_NE(d->find(kEdThumbprint, 0), nullptr);  // no nbf/exp: always valid
  EXPECT_TRUE(d->url().empty());
}

TEST(ParseDirectory, JwkAlgInJoseOrHttpSigSpelling) {
  json ed_jose = public_jwk("test-key-ed25519");
  ed_jose["alg"] = "EdDSA";
  json rsa_jose = public_jwk("test-key-rsa-pss");
  rsa_jose["alg"] = "PS512";  // as in cloudflare's test key
  json rsa_v15 = public_jwk("test-key-rsa");
  rsa_v15["alg"] = "rsa-v1_5-sha256";
  auto d = dir::parse_directory(jwks({ed_jose, rsa_jose, rsa_v15}));
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d->keys().size(), 3u) << (d->refused().empty() ? "" : d->refused()[0].error.message());
  EXPECT_EQ(d->keys()[0].key.algorithm(), wba::Algorithm::ed25519);
  EXPECT_EQ(d->keys()[1].key.algorithm(), wba::Algorithm::rsa_pss_sha512);
  EXPECT_EQ(d->keys()[2].key.algorithm(), wba::Algorithm::rsa_v1_5_sha256);

  json ed_http = public_jwk("test-key-ed25519");
  ed_http["alg"] = "ed25519";
  auto e = dir::parse_directory(jwks({ed_http}));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->keys().size(), 1u);
}

TEST(ParseDirectory, RsaWithoutAlgIsRsaPss) {
  auto d = dir::parse_directory(jwks({public_jwk("test-key-rsa-pss")}));
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d->keys().size(), 1u);
  EXPECT_EQ(d->keys()[0].key.algorithm(), wba::Algorithm::rsa_pss_sha512);
  EXPECT_EQ(d->keys()[0].thumbprint(),
            test_keys()["test-key-rsa-pss"]["jwk_thumbprint_sha256"].get<std::string>());
}

TEST(ParseDirectory, AlgThatDoesNotFitTheKeyIsRefused) {
  json ed = public_jwk("test-key-ed25519");
  ed["alg"] = "ES256";
  json unknown = public_jwk("test-key-ecc-p256");
  unknown["alg"] = "none";
  auto d = dir::parse_directory(jwks({ed, unknown}));
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->keys().empty());
  ASSERT_EQ(d->refused().size(), 2u);
  EXPECT_EQ(d->refused()[0].error.reason, Reason::key_alg_mismatch);
  EXPECT_EQ(d->refused()[1].error.reason, Reason::unsupported_algorithm);
}

TEST(ParseDirectory, PrivateMembersAreRefusedAndReported) {
  // Private JWKs straight from RFC 9421 App. B: d for OKP/EC, d p q dp dq qi for RSA.
  json ed = test_keys()["test-key-ed25519"]["jwk"];
  json ec = test_keys()["test-key-ecc-p256"]["jwk"];
  json rsa = test_keys()["test-key-rsa-pss"]["jwk"];
  json good = public_jwk("test-key-ecc-p256");
  auto d = dir::parse_directory(jwks({ed, good, ec, rsa}));
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d->keys().size(), 1u);
  EXPECT_EQ(d->keys()[0].index, 1u);
  ASSERT_EQ(d->refused().size(), 3u);
  EXPECT_EQ(d->refused()[0].index, 0u);
  EXPECT_EQ(d->refused()[1].index, 2u);
  EXPECT_EQ(d->refused()[2].index, 3u);
  for (const auto& r : d->refused()) {
    EXPECT_EQ(r.error.reason, Reason::private_key_in_directory) << r.error.message();
  }
  EXPECT_EQ(d->refused()[0].thumbprint, kEdThumbprint);
  EXPECT_EQ(d->refused()[0].kid, "test-key-ed25519");
  // The public half of a compromised key is not usable either.
  EXPECT_EQ(d->find_any(kEdThumbprint), nullptr);

  // Every private member on its own is enough.
  for (const char* m : {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}) {
    json k = public_jwk("test-key-ed25519");
    k[m] = "AAAA";
    auto one = dir::parse_directory(jwks({k}));
    ASSERT_TRUE(one.ok());
    ASSERT_EQ(one->refused().size(), 1u) << m;
    EXPECT_EQ(one->refused()[0].error.reason, Reason::private_key_in_directory) << m;
    EXPECT_NE(one->refused()[0].error.detail.find(std::string("\"") + m + "\""), std::string::npos);
  }
}

TEST(ParseDirectory, SymmetricKeysAreNeverUsed) {
  // With its secret `k` an oct key is a leaked secret; without it, still HMAC (§6.4).
  json with_secret = {{"kty", "oct"}, {"k", "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTAxMjM"}};
  json without_secret = {{"kty", "oct"}, {"kid", "hmac"}};
  auto d = dir::parse_directory(jwks({with_secret, without_secret}));
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->keys().empty());
  ASSERT_EQ(d->refused().size(), 2u);
  EXPECT_EQ(d->refused()[0].error.reason, Reason::private_key_in_directory);
  EXPECT_EQ(d->refused()[1].error.reason, Reason::unsupported_algorithm);
  EXPECT_EQ(d->refused()[1].kid, "hmac");
  EXPECT_FALSE(d->refused()[1].thumbprint.has_value());
}

TEST(ParseDirectory, MalformedEntriesAreRefusedNotFatal) {
  json not_object = "a string";
  json unknown_kty = {{"kty", "XYZ"}};
  json bad_crv = {
      {"kty", "OKP"}, {"crv", "X25519"}, {"x", "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs"}};
  json bad_x = {{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", "not base64url!"}};
  json enc = public_jwk("test-key-ecc-p256");
  enc["use"] = "enc";
  json bad_nbf = public_jwk("test-key-ecc-p256");
  bad_nbf["nbf"] = "1712793600";
  json no_kty = {{"crv", "Ed25519"}};
  json good = public_jwk("test-key-ed25519");
  auto d = dir::parse_directory(
      jwks({not_object, unknown_kty, bad_crv, bad_x, enc, bad_nbf, no_kty, good}));
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d->keys().size(), 1u);
  EXPECT_EQ(d->keys()[0].index, 7u);
  ASSERT_EQ(d->refused().size(), 7u);
  for (std::size_t i = 0; i < 7; ++i) {
    EXPECT_EQ(d->refused()[i].index, i);
    EXPECT_EQ(d->refused()[i].error.reason, Reason::invalid_key) << d->refused()[i].error.message();
  }
}

TEST(ParseDirectory, DuplicateKeyKeepsTheFirst) {
  json a = public_jwk("test-key-ed25519");
  json b = public_jwk("test-key-ed25519");
  b["kid"] = kEdThumbprint;
  auto d = dir::parse_directory(jwks({a, b}));
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d->keys().size(), 1u);
  EXPECT_EQ(d->keys()[0].index, 0u);
  ASSERT_EQ(d->refused().size(), 1u);
  EXPECT_EQ(d->refused()[0].error.reason, Reason::invalid_key);
  EXPECT_NE(d->refused()[0].error.detail.find("keys[0]"), std::string::npos);
}

TEST(ParseDirectory, TimeMembersInEveryNumericForm) {
  json k = public_jwk("test-key-ed25519");
  k["nbf"] = 100.75;  // NumericDate may have a fraction: the bound is its whole second
  k["exp"] = 200u;
  auto d = dir::parse_directory(jwks({k}));
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d->keys().size(), 1u);
  EXPECT_EQ(d->keys()[0].not_before, 100);
  EXPECT_EQ(d->keys()[0].expires, 200);
  EXPECT_FALSE(d->keys()[0].valid_at(99));
  EXPECT_TRUE(d->keys()[0].valid_at(100));
  EXPECT_FALSE(d->keys()[0].valid_at(200));

  json huge = public_jwk("test-key-ed25519");
  huge["exp"] = 1e300;
  auto h = dir::parse_directory(jwks({huge}));
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->refused().size(), 1u);
  EXPECT_EQ(h->refused()[0].error.reason, Reason::invalid_key);
  json big = public_jwk("test-key-ed25519");
  big["exp"] = 18446744073709551615ull;
  auto b = dir::parse_directory(jwks({big}));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->refused().size(), 1u);
}

TEST(ParseDirectory, WholeSetErrors) {
  struct Case {
    const char* body;
    Reason reason;
    const char* says;
  };
  for (const Case& c : {
           Case{"", Reason::directory_invalid, "not valid JSON"},
           Case{"{\"keys\":[", Reason::directory_invalid, "not valid JSON"},
           Case{"[]", Reason::directory_invalid, "JSON object"},
           Case{"\"keys\"", Reason::directory_invalid, "JSON object"},
           Case{"{}", Reason::directory_invalid, "\"keys\" array"},
           Case{"{\"keys\":{}}", Reason::directory_invalid, "\"keys\" array"},
           Case{
               R"({"kty":"OKP","crv":"Ed25519","x":"JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs"})",
               Reason::directory_invalid, "\"keys\" array"},  // a bare JWK (seen live)
       }) {
    auto d = dir::parse_directory(c.body);
    EXPECT_EQ(d.reason(), c.reason) << c.body;
    if (!d.ok()) {
      EXPECT_NE(d.error().detail.find(c.says), std::string::npos) << d.error().detail;
    }
  }
  auto empty = dir::parse_directory("{\"keys\":[]}");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->keys().empty());
}

TEST(ParseDirectory, Limits) {
  const json key = public_jwk("test-key-ed25519");
  dir::ParseOptions o;
  EXPECT_EQ(o.limits.max_body_bytes, 64u * 1024);
  EXPECT_EQ(o.limits.max_keys, 64u);

  // Key count: the limit itself passes, one more does not (refused entries count too).
  std::vector<json> many;
  for (int i = 0; i < 64; ++i) many.push_back(json{{"kty", "oct"}});
  EXPECT_TRUE(dir::parse_directory(jwks(many)).ok());
  many.push_back(key);
  auto too_many = dir::parse_directory(jwks(many));
  EXPECT_EQ(too_many.reason(), Reason::limit_exceeded);
  o.limits.max_keys = 2;
  EXPECT_EQ(dir::parse_directory(jwks({key, key, key}), "", o).reason(), Reason::limit_exceeded);

  // Body bytes.
  std::string body = jwks({key});
  dir::ParseOptions small;
  small.limits.max_body_bytes = body.size();
  EXPECT_TRUE(dir::parse_directory(body, "", small).ok());
  small.limits.max_body_bytes = body.size() - 1;
  auto big = dir::parse_directory(body, "", small);
  EXPECT_EQ(big.reason(), Reason::limit_exceeded);
  std::string padded = body;
  padded.insert(1, 64 * 1024, ' ');
  EXPECT_EQ(dir::parse_directory(padded).reason(), Reason::limit_exceeded);

  // Nesting depth, brackets inside strings do not count.
  std::string deep = "{\"keys\":[],\"x\":" + std::string(40, '[') + std::string(40, ']') + "}";
  EXPECT_EQ(dir::parse_directory(deep).reason(), Reason::limit_exceeded);
  std::string in_string = "{\"keys\":[],\"x\":\"" + std::string(100, '[') + "\\\"\"}";
  EXPECT_TRUE(dir::parse_directory(in_string).ok());
  std::string hostile(60000, '[');
  EXPECT_EQ(dir::parse_directory(hostile).reason(), Reason::limit_exceeded);
}

TEST(ParseJwks, AlreadyParsedSet) {
  json set = json::object();
  set["keys"] = std::vector<json>{public_jwk("test-key-ed25519")};
  auto d = dir::parse_jwks(set, kUrl);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->url(), kUrl);
  EXPECT_EQ(d->keys().size(), 1u);
  EXPECT_EQ(dir::parse_jwks(json::array()).reason(), Reason::directory_invalid);
}

}  // namespace
