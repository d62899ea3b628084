// Negative verification: every covered component and every parameter changed in turn, and
// every malformed-field case, each with the reason code it must produce.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/vectors.h"
#include "wba/crypto/content_digest.h"
#include "wba/crypto/key.h"
#include "wba/http/http1_text.h"
#include "wba/sig/signer.h"
#include "wba/sig/verifier.h"

namespace wba::sig {
namespace {

constexpr std::int64_t kNow = 1700000000;

const char* kRequest =
    "POST /foo?param=Value&Pet=dog HTTP/1.1\nHost: example.com\n"
    "Date: Tue, 20 Apr 2021 02:07:55 GMT\nContent-Type: application/json\n"
    "Content-Length: 18\n\n{\"hello\": \"world\"}";

// A fresh Ed25519 key whose JWK carries kid "k" (the keyid the tests sign with).
SigningKey key_with_kid_k() {
  auto jwk = SigningKey::generate(Algorithm::ed25519).value().to_private_jwk();
  jwk["kid"] = "k";
  return SigningKey::from_jwk(jwk).value();
}

VerifyOptions at_now() {
  VerifyOptions o;
  o.now = kNow;
  return o;
}

struct Fixture : ::testing::Test {
  SigningKey key = key_with_kid_k();
  http::Message msg = http::parse_http1(kRequest).value();

  void SetUp() override {
    http::headers(msg).add("Content-Digest", make_content_digest(*http::body(msg)));
  }

  // Signs msg with the given Signature-Input member value (label sig1).
  void sign_with(const std::string& inner_list) {
    auto params = SignatureParams::parse(inner_list);
    ASSERT_TRUE(params.ok()) << params.error().message();
    ASSERT_TRUE(sign(msg, key, "sig1", *params).ok());
  }

  Result<VerifiedSignature> verify(VerifyOptions opts = {}) const {
    if (!opts.now) opts.now = kNow;
    return Verifier(key_set_lookup({key.verifying_key()}), opts).verify(msg);
  }

  // Replaces the text of the Signature-Input field (keeping the signature bytes).
  void set_input(const std::string& value) { http::headers(msg).set("Signature-Input", value); }
  std::string input() const { return std::string(http::headers(msg).values("signature-input")[0]); }
  void replace_in_input(const std::string& from, const std::string& to) {
    std::string s = input();
    auto p = s.find(from);
    ASSERT_NE(p, std::string::npos) << from;
    s.replace(p, from.size(), to);
    set_input(s);
  }
};

const std::string kAll =
    "(\"@method\" \"@target-uri\" \"@authority\" \"@scheme\" \"@request-target\" \"@path\" "
    "\"@query\" \"@query-param\";name=\"Pet\" \"date\" \"content-type\" \"content-digest\" "
    "\"content-length\");created=1699999990;expires=1700000090;nonce=\"n1\";keyid=\"k\";tag=\"t\"";

TEST_F(Fixture, SignedRequestVerifies) {
  sign_with(kAll);
  auto v = verify();
  ASSERT_TRUE(v.ok()) << v.error().message();
  EXPECT_EQ(v->label(), "sig1");
  EXPECT_EQ(v->params().tag(), "t");
  EXPECT_EQ(v->algorithm(), Algorithm::ed25519);
  EXPECT_TRUE(v->content_digest_checked());
}

// Each covered component, changed in the message → bad_signature (or a digest mismatch for the
// body, missing_component when removed).
TEST_F(Fixture, ChangingAnyCoveredComponentFails) {
  sign_with(kAll);
  ASSERT_TRUE(verify().ok());
  const http::Message original = msg;
  auto& req = std::get<http::Request>(msg);
  auto expect = [&](const char* what, Reason r) {
    EXPECT_EQ(verify().reason(), r) << what;
    msg = original;
  };
  req.method = "PUT";
  expect("@method", Reason::bad_signature);
  req.target = http::make_target("https", "example.org", "/foo?param=Value&Pet=dog").value();
  expect("@authority", Reason::bad_signature);
  req.target = http::make_target("http", "example.com", "/foo?param=Value&Pet=dog").value();
  expect("@scheme", Reason::bad_signature);
  req.target = http::make_target("https", "example.com", "/bar?param=Value&Pet=dog").value();
  expect("@path", Reason::bad_signature);
  req.target = http::make_target("https", "example.com", "/foo?param=Value&Pet=cat").value();
  expect("@query-param", Reason::bad_signature);
  req.target = http::make_target("https", "example.com", "/foo?param=value&Pet=dog").value();
  expect("@query", Reason::bad_signature);
  req.target =
      http::make_target("https", "example.com", "https://example.com/foo?param=Value&Pet=dog")
          .value();
  expect("@request-target", Reason::bad_signature);
  req.headers.set("Date", "Tue, 20 Apr 2021 02:07:56 GMT");
  expect("date", Reason::bad_signature);
  req.headers.set("Content-Type", "text/plain");
  expect("content-type", Reason::bad_signature);
  req.headers.set("Content-Length", "19");
  expect("content-length", Reason::bad_signature);
  req.body = "{\"hello\": \"World\"}";
  expect("body under content-digest", Reason::digest_mismatch);
  req.headers.set("Content-Digest", make_content_digest("other"));
  expect("content-digest", Reason::bad_signature);
  req.headers.erase("date");
  expect("date removed", Reason::missing_component);
  req.target = http::make_target("https", "example.com", "/foo?param=Value").value();
  expect("query param removed", Reason::missing_component);
  // An uncovered header may change freely.
  req.headers.add("X-Uncovered", "1");
  EXPECT_TRUE(verify().ok());
}

// Each signature parameter, changed on the wire → the reason for that parameter.
TEST_F(Fixture, ChangingAnyParameterFails) {
  sign_with(kAll);
  const http::Message original = msg;
  auto expect = [&](const std::string& from, const std::string& to, Reason r) {
    replace_in_input(from, to);
    EXPECT_EQ(verify().reason(), r) << from << " -> " << to;
    msg = original;
  };
  expect("created=1699999990", "created=1699999991", Reason::bad_signature);
  expect("expires=1700000090", "expires=1700000091", Reason::bad_signature);
  expect("expires=1700000090", "expires=1699999999", Reason::expired);
  expect("created=1699999990", "created=1700000100", Reason::not_yet_valid);
  expect("created=1699999990", "created=\"1699999990\"", Reason::invalid_signature_params);
  expect("nonce=\"n1\"", "nonce=\"n2\"", Reason::bad_signature);
  expect("nonce=\"n1\"", "nonce=n1", Reason::invalid_signature_params);
  expect("tag=\"t\"", "tag=\"u\"", Reason::bad_signature);
  expect("keyid=\"k\"", "keyid=\"other\"", Reason::key_not_found);
  expect(";tag=\"t\"", ";tag=\"t\";alg=\"ed25519\"", Reason::bad_signature);
  expect(";tag=\"t\"", ";tag=\"t\";alg=\"rsa-pss-sha512\"", Reason::key_alg_mismatch);
  expect(";tag=\"t\"", ";tag=\"t\";alg=\"none\"", Reason::unsupported_algorithm);
  expect("\"@method\" ", "", Reason::bad_signature);
  expect("\"@method\" ", "\"@method\" \"@method\" ", Reason::duplicate_component);
  expect("\"@method\" ", "\"@Method\" ", Reason::invalid_component);
}

TEST_F(Fixture, SignatureValueErrors) {
  sign_with(kAll);
  http::headers(msg).set("Signature", "sig1=:AAAA:");
  EXPECT_EQ(verify().reason(), Reason::bad_signature);
  http::headers(msg).set("Signature", "sig1=\"text\"");
  EXPECT_EQ(verify().reason(), Reason::malformed_signature);
  http::headers(msg).set("Signature", "sig1=:AAAA");
  EXPECT_EQ(verify().reason(), Reason::malformed_signature);
  http::headers(msg).set("Signature", "sig2=:AAAA:");
  EXPECT_EQ(verify().reason(), Reason::label_mismatch);
}

TEST_F(Fixture, FieldErrors) {
  EXPECT_EQ(verify().reason(), Reason::missing_signature);
  sign_with(kAll);
  set_input("sig1=(\"@method\"");
  EXPECT_EQ(verify().reason(), Reason::malformed_signature_input);
  set_input("sig1=\"@method\"");
  EXPECT_EQ(verify().reason(), Reason::malformed_signature_input);
  // A label in Signature-Input only fails itself: chosen by its label it is label_mismatch,
  // otherwise the first selected signature's error is sig1's (its base changed).
  set_input("sig1=(\"@method\");created=1, sig2=()");
  VerifyOptions o;
  o.label = "sig2";
  EXPECT_EQ(verify(o).reason(), Reason::label_mismatch);
  EXPECT_EQ(verify().reason(), Reason::bad_signature);
}

// parse_signature_entries: one entry per label, in Signature-Input order, then the labels found
// only in Signature; an unusable member carries its own error.
TEST_F(Fixture, EntriesFailOneByOne) {
  sign_with(kAll);
  http::headers(msg).add("Signature-Input", "bad=(\"@method\");created=\"x\", lone=()");
  http::headers(msg).add("Signature", "bad=:AAAA:, orphan=:AAAA:");
  auto entries = parse_signature_entries(msg);
  ASSERT_TRUE(entries.ok()) << entries.error().message();
  ASSERT_EQ(entries->size(), 4u);
  EXPECT_EQ((*entries)[0].label, "sig1");
  ASSERT_TRUE((*entries)[0].signature.ok());
  EXPECT_EQ((*entries)[0].signature->label, "sig1");
  EXPECT_EQ((*entries)[1].label, "bad");
  EXPECT_EQ((*entries)[1].signature.reason(), Reason::invalid_signature_params);
  EXPECT_EQ((*entries)[2].label, "lone");
  EXPECT_EQ((*entries)[2].signature.reason(), Reason::label_mismatch);
  EXPECT_EQ((*entries)[3].label, "orphan");
  EXPECT_EQ((*entries)[3].signature.reason(), Reason::label_mismatch);
  // The strict form fails the whole message at the first unusable member...
  EXPECT_EQ(parse_signatures(msg).reason(), Reason::invalid_signature_params);
  // ...the verifier verifies sig1 whatever the others are.
  auto v = verify();
  ASSERT_TRUE(v.ok()) << v.error().message();
  EXPECT_EQ(v->label(), "sig1");
  VerifyOptions o;
  o.label = "bad";
  EXPECT_EQ(verify(o).reason(), Reason::invalid_signature_params);
  o.label = "sig1";
  EXPECT_TRUE(verify(o).ok());
  // verify_all: an outcome per member, each with its own result.
  auto all = Verifier(key_set_lookup({key.verifying_key()}), at_now()).verify_all(msg);
  ASSERT_TRUE(all.ok()) << all.error().message();
  ASSERT_EQ(all->size(), 4u);
  EXPECT_TRUE((*all)[0].result.ok());
  EXPECT_EQ((*all)[1].label, "bad");
  EXPECT_EQ((*all)[1].result.reason(), Reason::invalid_signature_params);
  EXPECT_EQ((*all)[3].label, "orphan");
  EXPECT_EQ((*all)[3].result.reason(), Reason::label_mismatch);
  // Selected by tag, an unparsable member (no tag to read) is left out.
  VerifyOptions by_tag = at_now();
  by_tag.tag = "t";
  all = Verifier(key_set_lookup({key.verifying_key()}), by_tag).verify_all(msg);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].label, "sig1");
  // A field that is not a Dictionary still fails the whole message.
  http::headers(msg).add("Signature", "x=");
  EXPECT_EQ(parse_signature_entries(msg).reason(), Reason::malformed_signature);
}

TEST_F(Fixture, SelectionByLabelAndTag) {
  sign_with("(\"@method\");created=1699999990;tag=\"a\"");
  ASSERT_TRUE(sign(msg, key, "sig2",
                   SignatureParams::parse("(\"@path\");created=1699999990;tag=\"b\"").value())
                  .ok());
  VerifyOptions o;
  o.label = "sig2";
  auto v = verify(o);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->label(), "sig2");
  o.label = "sig3";
  EXPECT_EQ(verify(o).reason(), Reason::unknown_label);
  VerifyOptions t;
  t.tag = "b";
  EXPECT_EQ(verify(t).value().label(), "sig2");
  t.tag = "c";
  EXPECT_EQ(verify(t).reason(), Reason::no_matching_signature);
  auto all = Verifier(key_set_lookup({key.verifying_key()}), at_now()).verify_all(msg);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2u);
}

TEST_F(Fixture, PolicyOptions) {
  sign_with("(\"@method\");created=1699999000");
  VerifyOptions o;
  o.require_expires = true;
  EXPECT_EQ(verify(o).reason(), Reason::invalid_signature_params);
  o = {};
  o.max_age = 300;
  EXPECT_EQ(verify(o).reason(), Reason::expired);
  o.max_age = 3600;
  EXPECT_TRUE(verify(o).ok());
  http::headers(msg).erase("signature-input");
  http::headers(msg).erase("signature");
  sign_with("(\"@method\")");
  o = {};
  o.require_created = true;
  EXPECT_EQ(verify(o).reason(), Reason::invalid_signature_params);
}

TEST_F(Fixture, WrongKeyIsBadSignatureAndLabelsAreChecked) {
  sign_with("(\"@method\");created=1699999990");
  auto other = SigningKey::generate(Algorithm::ed25519).value();
  EXPECT_EQ(Verifier(key_set_lookup({other.verifying_key()}), at_now()).verify(msg).reason(),
            Reason::bad_signature);
  // A key of another algorithm, chosen by the caller, is still refused by the crypto check.
  auto p256 = SigningKey::generate(Algorithm::ecdsa_p256_sha256).value();
  EXPECT_EQ(Verifier(key_set_lookup({p256.verifying_key()}), at_now()).verify(msg).reason(),
            Reason::bad_signature);
  EXPECT_EQ(sign(msg, key, "sig1", SignatureParams()).reason(), Reason::invalid_argument);
  EXPECT_EQ(sign(msg, key, "Bad Label", SignatureParams()).reason(), Reason::invalid_argument);
}

TEST_F(Fixture, SignerDefaults) {
  SignOptions o;
  o.components = parse_component_list("\"@method\" \"@authority\"").value();
  o.created = 1699999990;
  o.expires = 1700000050;
  o.nonce = "abc";
  o.tag = "web-bot-auth";
  auto s = sign(msg, key, o);
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->params.serialize(),
            "(\"@method\" \"@authority\");created=1699999990;expires=1700000050;nonce=\"abc\";"
            "alg=\"ed25519\";keyid=\"" +
                key.thumbprint() + "\";tag=\"web-bot-auth\"");
  EXPECT_TRUE(verify().ok());
  auto params = SignatureParams::parse("(\"@method\");alg=\"ecdsa-p256-sha256\"").value();
  EXPECT_EQ(sign(msg, key, "sig9", params).reason(), Reason::key_alg_mismatch);
}

}  // namespace
}  // namespace wba::sig
