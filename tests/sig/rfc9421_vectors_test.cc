// Conformance against RFC 9421: every component example of §2 (components.json) and every
// signature of §2.4, §2.5, §3, §4.3, B.2, B.3, B.4 (signatures.json): base byte for byte,
// verification, and identical signatures for the deterministic algorithms.
#include <gtest/gtest.h>

#include <map>

#include "support/vectors.h"
#include "wba/crypto/key.h"
#include "wba/encoding/base64.h"
#include "wba/http/http1_text.h"
#include "wba/sfv/parse.h"
#include "wba/sig/component.h"
#include "wba/sig/signature_base.h"
#include "wba/sig/signer.h"
#include "wba/sig/verifier.h"

namespace wba::sig {
namespace {

using nlohmann::json;
using wba::testing::load_vectors;

const json& messages() {
  static const json m = load_vectors("rfc9421/messages.json")["messages"];
  return m;
}
const json& keys() {
  static const json k = load_vectors("rfc9421/keys.json")["keys"];
  return k;
}
const json& signatures() {
  static const json s = load_vectors("rfc9421/signatures.json");
  return s;
}

// A message of messages.json, with the known misprints of the RFC corrected (README items 1, 3).
http::Message load_message(const std::string& name) {
  const json& m = messages().at(name);
  std::string text = m.at("http1_text");
  if (m.contains("headers_corrected")) {  // B.2 test-response Content-Digest misprint
    for (const auto& h : m.at("headers")) {
      if (h[0] != "Content-Digest") continue;
      for (const auto& c : m.at("headers_corrected")) {
        if (c[0] == "Content-Digest") {
          text.replace(text.find(h[1].get<std::string>()), h[1].get<std::string>().size(),
                       c[1].get<std::string>());
        }
      }
    }
  }
  if (auto p = text.find("\n\n\n"); p != std::string::npos) text.erase(p, 1);  // §4.3 typesetting
  http::Http1Options opts;
  opts.scheme = m.value("scheme_assumed", "https");
  auto parsed = http::parse_http1(text, opts);
  EXPECT_TRUE(parsed.ok()) << name << ": " << parsed.error().message();
  return std::move(parsed).value();
}

// keys.json's "algorithm" may carry a note after the name ("rsa-v1_5-sha256 (used in …)").
Algorithm algorithm_of(const json& key) {
  std::string name = key.at("algorithm");
  return algorithm_from_name(name.substr(0, name.find(' '))).value();
}

Result<VerifyingKey> verifying_key(const std::string& name) {
  const json& k = keys().at(name);
  if (k.contains("secret_base64")) {
    return VerifyingKey::from_hmac_secret(
        base64_decode(k.at("secret_base64").get<std::string>()).value());
  }
  return VerifyingKey::from_jwk(k.at("public_jwk"), algorithm_of(k));
}

Result<SigningKey> signing_key(const std::string& name) {
  const json& k = keys().at(name);
  if (k.contains("secret_base64")) {
    return SigningKey::from_hmac_secret(
        base64_decode(k.at("secret_base64").get<std::string>()).value());
  }
  return SigningKey::from_jwk(k.at("jwk"), algorithm_of(k));
}

// The message of a signature entry, carrying that signature (added when the RFC's message does
// not already have it) and the related request for `req` components.
http::Message signed_message(const json& entry) {
  http::Message msg = load_message(entry.at("message"));
  if (auto* resp = std::get_if<http::Response>(&msg); resp && entry.contains("related_request")) {
    auto req = load_message(entry.at("related_request"));
    resp->request = std::make_shared<http::Request>(std::get<http::Request>(req));
  }
  auto& h = http::headers(msg);
  auto existing = sfv::parse_dictionary(
      h.contains("signature-input") ? std::string(h.values("signature-input")[0]) : std::string());
  if (!existing || !existing->find(entry.at("label").get<std::string>())) {
    h.add("Signature-Input", entry.at("signature_input_member"));
    h.add("Signature", entry.at("signature_member"));
  }
  return msg;
}

class SignatureVector : public ::testing::TestWithParam<std::string> {
 protected:
  const json& entry() const {
    for (const auto& e : signatures().at("signatures")) {
      if (e.at("id") == GetParam()) return e;
    }
    throw std::runtime_error("no entry " + GetParam());
  }
};

TEST_P(SignatureVector, RebuildsTheBaseByteForByte) {
  const json& e = entry();
  http::Message msg = signed_message(e);
  auto all = parse_signatures(msg);
  ASSERT_TRUE(all.ok()) << all.error().message();
  const LabelledSignature* mine = nullptr;
  for (const auto& s : *all) {
    if (s.label == e.at("label")) mine = &s;
  }
  ASSERT_NE(mine, nullptr);
  EXPECT_EQ(mine->params.serialize(), e.at("signature_params_value").get<std::string>());
  auto base = signature_base(msg, mine->params);
  ASSERT_TRUE(base.ok()) << base.error().message();
  EXPECT_EQ(*base, e.at("signature_base").get<std::string>());
  EXPECT_EQ(base->size(), e.at("signature_base_length").get<std::size_t>());
}

TEST_P(SignatureVector, VerifiesThePublishedSignature) {
  const json& e = entry();
  http::Message msg = signed_message(e);
  auto key = verifying_key(e.at("key"));
  ASSERT_TRUE(key.ok()) << key.error().message();
  VerifyOptions opts;
  opts.label = e.at("label").get<std::string>();
  opts.now = 1618884480;  // the RFC's examples were made on 2021-04-20
  Verifier verifier(single_key_lookup(*key), opts);
  auto v = verifier.verify(msg);
  ASSERT_TRUE(v.ok()) << v.error().message();
  EXPECT_EQ(v->label(), e.at("label").get<std::string>());
  EXPECT_EQ(v->key_thumbprint(), key->thumbprint());
}

TEST_P(SignatureVector, SigningReproducesDeterministicSignatures) {
  const json& e = entry();
  auto key = signing_key(e.at("key"));
  ASSERT_TRUE(key.ok()) << key.error().message();
  http::Message msg = load_message(e.at("message"));
  if (auto* resp = std::get_if<http::Response>(&msg); resp && e.contains("related_request")) {
    resp->request = std::make_shared<http::Request>(
        std::get<http::Request>(load_message(e.at("related_request"))));
  }
  http::headers(msg).erase("signature-input");
  http::headers(msg).erase("signature");
  std::string member = e.at("signature_input_member");
  auto params = SignatureParams::parse(member.substr(member.find('=') + 1));
  ASSERT_TRUE(params.ok()) << params.error().message();
  auto signed_ = sign(msg, *key, e.at("label").get<std::string>(), *params);
  ASSERT_TRUE(signed_.ok()) << signed_.error().message();
  if (e.at("deterministic_algorithm").get<bool>()) {
    EXPECT_EQ(base64_encode(signed_->signature), e.at("signature_b64").get<std::string>());
  }
  // Whatever the algorithm, what we sign verifies.
  VerifyOptions opts;
  opts.now = 1618884480;
  opts.label = e.at("label").get<std::string>();
  EXPECT_TRUE(Verifier(single_key_lookup(key->verifying_key()), opts).verify(msg).ok());
}

std::vector<std::string> signature_ids() {
  std::vector<std::string> ids;
  for (const auto& e : signatures().at("signatures")) ids.push_back(e.at("id"));
  return ids;
}

INSTANTIATE_TEST_SUITE_P(Rfc9421, SignatureVector, ::testing::ValuesIn(signature_ids()),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return n;
                         });

TEST(Rfc9421, AllThirteenSignaturesArePresent) { EXPECT_EQ(signature_ids().size(), 13u); }

// B.4: four transformations must still verify, two must fail.
TEST(Rfc9421, B4TransformationsVerifyOrFailAsPublished) {
  auto key = verifying_key("test-key-ed25519");
  ASSERT_TRUE(key.ok());
  int checked = 0;
  for (const auto& t : signatures().at("b4_transformations")) {
    http::Message msg = load_message(t.at("message"));
    VerifyOptions opts;
    opts.now = 1618884480;
    auto v = Verifier(single_key_lookup(*key), opts).verify(msg);
    EXPECT_EQ(v.ok(), t.at("expected_valid_per_rfc").get<bool>()) << t.at("message");
    if (!v.ok()) {
      EXPECT_EQ(v.reason(), Reason::bad_signature) << t.at("message");
    }
    auto sigs = parse_signatures(msg);
    ASSERT_TRUE(sigs.ok());
    EXPECT_EQ(signature_base(msg, sigs->front().params).value(),
              t.at("rebuilt_signature_base").get<std::string>());
    ++checked;
  }
  EXPECT_EQ(checked, 6);
}

// components.json: every component value and base line of RFC 9421 §2.1–§2.3.
TEST(Rfc9421, EveryComponentExample) {
  const json cases = load_vectors("rfc9421/components.json").at("cases");
  int lines = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.at("id").get<std::string>());
    if (c.contains("expected_signature_params_value")) {
      std::string v = c.at("expected_signature_params_value");
      auto p = SignatureParams::parse(v);
      ASSERT_TRUE(p.ok()) << p.error().message();
      EXPECT_EQ(p->serialize(), v);
      ++lines;
      continue;
    }
    const json& in = c.at("input");
    std::string text = in.at("text");
    if (in.at("kind") == "field-lines-fragment") {
      bool has_host = text.rfind("Host:", 0) == 0 || text.find("\nHost:") != std::string::npos;
      text = "GET / HTTP/1.1\n" + std::string(has_host ? "" : "Host: example.com\n") + text;
    }
    http::Http1Options opts;
    opts.scheme = in.value("scheme_context", "https");
    auto msg = http::parse_http1(text, opts);
    ASSERT_TRUE(msg.ok()) << msg.error().message();
    for (const auto& e : c.at("expected")) {
      std::string id_text = e.at("component_identifier");
      auto ids = parse_component_list(id_text);
      ASSERT_TRUE(ids.ok()) << id_text << ": " << ids.error().message();
      ASSERT_EQ(ids->size(), 1u);
      auto value = component_value(*msg, ids->front());
      ASSERT_TRUE(value.ok()) << id_text << ": " << value.error().message();
      EXPECT_EQ(*value, e.at("expected_value").get<std::string>()) << id_text;
      EXPECT_EQ(ids->front().serialize() + ": " + *value, e.at("expected_line").get<std::string>());
      ++lines;
    }
  }
  std::printf("[ components ] %d component examples checked\n", lines);
  EXPECT_GE(lines, 40);
}

}  // namespace
}  // namespace wba::sig
