// The agent side of Web Bot Auth, and the verifier profile's own checks, with fresh keys.
#include <gtest/gtest.h>

#include <boost/beast/http.hpp>

#include "wba/adapters/beast.h"
#include "wba/encoding/base64.h"
#include "wba/http/http1_text.h"
#include "wba/profile/web_bot_auth.h"
#include "wba/sig/signer.h"

namespace wba::profile {
namespace {

constexpr std::int64_t kNow = 1800000000;
constexpr const char* kAgent = "https://agent.example";

struct AgentTest : ::testing::Test {
  SigningKey key = SigningKey::generate(Algorithm::ed25519).value();
  http::Request req = std::get<http::Request>(
      http::parse_http1("GET /page?q=1 HTTP/1.1\nHost: shop.example\nAccept: */*\n\n").value());

  AgentSignOptions options() const {
    AgentSignOptions o;
    o.signature_agent = kAgent;
    o.created = kNow;
    return o;
  }
  ProfilePolicy policy() const {
    ProfilePolicy p;
    p.now = kNow + 1;
    return p;
  }
  Result<AgentVerdict> verify(const ProfilePolicy& p) const {
    return ProfileVerifier(p).verify(http::Message(req),
                                     trusted_keys_lookup({key.verifying_key()}));
  }
  Result<AgentVerdict> verify() const { return verify(policy()); }
};

TEST_F(AgentTest, DefaultsOfTheProfile) {
  auto s = sign_request(req, key, options());
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(req.headers.values("signature-agent").at(0), "sig1=\"https://agent.example\"");
  const auto& p = s->params;
  EXPECT_EQ(p.components().size(), 2u);
  EXPECT_EQ(p.components()[0].serialize(), "\"@authority\"");
  EXPECT_EQ(p.components()[1].serialize(), "\"signature-agent\";key=\"sig1\"");
  EXPECT_EQ(p.created(), kNow);
  EXPECT_EQ(p.expires(), kNow + kDefaultLifetime);
  EXPECT_EQ(p.keyid(), key.thumbprint());
  EXPECT_EQ(p.alg(), "ed25519");
  EXPECT_EQ(p.tag(), "web-bot-auth");
  ASSERT_TRUE(p.nonce().has_value());
  EXPECT_EQ(base64_decode(*p.nonce()).value().size(), kNonceBytes);
  auto v = verify();
  ASSERT_TRUE(v.ok()) << v.error().message();
  EXPECT_EQ(v->agent->agent_url, kAgent);
  EXPECT_EQ(v->key_thumbprint, key.thumbprint());
  // Two signatures never share a nonce.
  http::Request other = req;
  other.headers.erase("signature");
  other.headers.erase("signature-input");
  other.headers.erase("signature-agent");
  auto s2 = sign_request(other, key, options());
  ASSERT_TRUE(s2.ok());
  EXPECT_NE(s2->params.nonce(), p.nonce());
}

TEST_F(AgentTest, LegacyStringForm) {
  auto o = options();
  o.form = SignatureAgentForm::legacy_string;
  ASSERT_TRUE(sign_request(req, key, o).ok());
  EXPECT_EQ(req.headers.values("signature-agent").at(0), "\"https://agent.example\"");
  EXPECT_NE(std::string(req.headers.values("signature-input").at(0))
                .find("(\"@authority\" \"signature-agent\");"),
            std::string::npos);
  EXPECT_TRUE(verify().ok());
  auto p = policy();
  p.agent_urls.accept_legacy_string = false;
  EXPECT_EQ(verify(p).reason(), Reason::invalid_signature_agent);
}

TEST_F(AgentTest, ExtraComponentsAreCovered) {
  auto o = options();
  o.extra_components = sig::parse_component_list("\"@method\" \"@path\" \"accept\"").value();
  ASSERT_TRUE(sign_request(req, key, o).ok());
  ASSERT_TRUE(verify().ok());
  req.target = http::make_target("https", "shop.example", "/other?q=1").value();
  EXPECT_EQ(verify().reason(), Reason::bad_signature);
}

TEST_F(AgentTest, SignerRefusals) {
  const http::Request original = req;
  auto o = options();
  o.lifetime = 0;
  EXPECT_EQ(sign_request(req, key, o).reason(), Reason::invalid_argument);
  o.lifetime = kMaxLifetime + 1;
  EXPECT_EQ(sign_request(req, key, o).reason(), Reason::invalid_argument);
  o = options();
  o.signature_agent = "ftp://agent.example";
  EXPECT_EQ(sign_request(req, key, o).reason(), Reason::invalid_signature_agent);
  auto hmac = SigningKey::generate(Algorithm::hmac_sha256).value();
  EXPECT_EQ(sign_request(req, hmac, options()).reason(), Reason::unsupported_algorithm);
  o = options();
  o.label = "Bad Label";
  EXPECT_FALSE(sign_request(req, key, o).ok());
  EXPECT_EQ(req.headers.lines(), original.headers.lines())
      << "a failed signing changed the request";
}

TEST_F(AgentTest, TwoAgentsSignOneRequest) {
  auto other_key = SigningKey::generate(Algorithm::ecdsa_p256_sha256).value();
  ASSERT_TRUE(sign_request(req, key, options()).ok());
  auto o = options();
  o.label = "sig2";
  o.signature_agent = "https://second.example";
  ASSERT_TRUE(sign_request(req, other_key, o).ok());
  EXPECT_EQ(req.headers.values("signature-agent").at(0),
            "sig1=\"https://agent.example\", sig2=\"https://second.example\"");
  auto p = policy();
  p.label = "sig2";
  auto v = ProfileVerifier(p).verify(http::Message(req),
                                     trusted_keys_lookup({other_key.verifying_key()}));
  ASSERT_TRUE(v.ok()) << v.error().message();
  EXPECT_EQ(v->agent->agent_url, "https://second.example");
  p.label = "sig1";
  EXPECT_TRUE(ProfileVerifier(p)
                  .verify(http::Message(req), trusted_keys_lookup({key.verifying_key()}))
                  .ok());
}

TEST_F(AgentTest, HeadersForAnyClient) {
  auto h = signature_headers("POST", "https://api.example/v1/items?x=1", {}, key, options());
  ASSERT_TRUE(h.ok()) << h.error().message();
  ASSERT_EQ(h->fields.size(), 3u);
  http::Request r;
  r.method = "POST";
  r.target = http::target_from_uri("https://api.example/v1/items?x=1").value();
  for (const auto& [n, v] : h->fields) r.headers.add(n, v);
  auto v = ProfileVerifier(policy()).verify(http::Message(r),
                                            trusted_keys_lookup({key.verifying_key()}));
  EXPECT_TRUE(v.ok()) << v.error().message();
}

TEST_F(AgentTest, BeastRequestSignedInPlace) {
  namespace bhttp = boost::beast::http;
  bhttp::request<bhttp::string_body> breq{bhttp::verb::get, "/page?q=1", 11};
  breq.set(bhttp::field::host, "shop.example");
  ASSERT_TRUE(adapters::sign_request(breq, key, options()).ok());
  http::Request r;
  r.method = "GET";
  r.target = http::make_target("https", "shop.example", "/page?q=1").value();
  for (const auto& f : breq) r.headers.add(std::string(f.name_string()), std::string(f.value()));
  auto v = ProfileVerifier(policy()).verify(http::Message(r),
                                            trusted_keys_lookup({key.verifying_key()}));
  EXPECT_TRUE(v.ok()) << v.error().message();
  bhttp::request<bhttp::string_body> no_host{bhttp::verb::get, "/", 11};
  EXPECT_EQ(adapters::sign_request(no_host, key, options()).reason(), Reason::malformed_message);
}

// The profile's own checks, each with its reason code.
struct ProfileChecks : AgentTest {
  // Signs with RFC 9421 only, so that the request can break a profile rule.
  void sign_raw(const std::string& inner_list,
                const std::string& agent = "sig1=\"https://agent.example\"") {
    if (!agent.empty()) req.headers.set("Signature-Agent", agent);
    http::Message m(req);
    ASSERT_TRUE(sig::sign(m, key, "sig1", sig::SignatureParams::parse(inner_list).value()).ok());
    req = std::get<http::Request>(m);
  }
  std::string params(const std::string& extra = "") const {
    return ";created=" + std::to_string(kNow) + ";expires=" + std::to_string(kNow + 60) +
           ";keyid=\"" + key.thumbprint() + "\";tag=\"web-bot-auth\"" + extra;
  }
};

TEST_F(ProfileChecks, ReasonCodes) {
  const std::string cover = "(\"@authority\" \"signature-agent\";key=\"sig1\")";
  auto expect = [&](const std::string& inner, Reason r, ProfilePolicy p,
                    const std::string& agent = "sig1=\"https://agent.example\"") {
    req.headers.erase("signature");
    req.headers.erase("signature-input");
    req.headers.erase("signature-agent");
    sign_raw(inner, agent);
    EXPECT_EQ(verify(p).reason(), r) << inner;
  };
  expect(cover + params(), Reason::ok, policy());
  expect("(\"signature-agent\";key=\"sig1\")" + params(), Reason::authority_not_covered, policy());
  expect("(\"@target-uri\" \"signature-agent\";key=\"sig1\")" + params(), Reason::ok, policy());
  expect("(\"@authority\")" + params(), Reason::signature_agent_not_covered, policy());
  auto require_agent = policy();
  require_agent.require_signature_agent = true;
  expect("(\"@authority\")" + params(), Reason::missing_signature_agent, require_agent, "");
  expect("(\"@authority\")" + params(), Reason::ok, policy(), "");
  expect(cover + ";expires=" + std::to_string(kNow + 60) + ";keyid=\"" + key.thumbprint() +
             "\";tag=\"web-bot-auth\"",
         Reason::missing_created, policy());
  expect(cover + ";created=" + std::to_string(kNow) + ";keyid=\"" + key.thumbprint() +
             "\";tag=\"web-bot-auth\"",
         Reason::missing_expires, policy());
  expect(cover + ";created=" + std::to_string(kNow) + ";expires=" + std::to_string(kNow + 60) +
             ";tag=\"web-bot-auth\"",
         Reason::missing_keyid, policy());
  expect(cover + params(";nonce=\"\""), Reason::invalid_nonce, policy());
  auto nonce = policy();
  nonce.require_nonce = true;
  expect(cover + params(), Reason::missing_nonce, nonce);
  expect(cover + params(";nonce=\"abc\""), Reason::ok, nonce);
  // An HMAC alg cannot be signed with this key: put it on the wire after signing.
  expect(cover + params(";alg=\"ed25519\""), Reason::ok, policy());
  std::string input(req.headers.values("signature-input").at(0));
  input.replace(input.find("ed25519"), 7, "hmac-sha256");
  req.headers.set("Signature-Input", input);
  EXPECT_EQ(verify().reason(), Reason::unsupported_algorithm);
  expect(cover + ";created=1;expires=2;keyid=\"" + key.thumbprint() + "\";tag=\"web-bot-auth\"",
         Reason::expired, policy());
  expect(cover + ";created=" + std::to_string(kNow + 3600) +
             ";expires=" + std::to_string(kNow + 3660) + ";keyid=\"" + key.thumbprint() +
             "\";tag=\"web-bot-auth\"",
         Reason::not_yet_valid, policy());
  expect(cover + ";created=" + std::to_string(kNow) + ";expires=" + std::to_string(kNow + 90000) +
             ";keyid=\"" + key.thumbprint() + "\";tag=\"web-bot-auth\"",
         Reason::lifetime_too_long, policy());
  expect(cover + ";created=" + std::to_string(kNow) + ";expires=" + std::to_string(kNow + 60) +
             ";keyid=\"" + key.thumbprint() + "\";tag=\"other\"",
         Reason::wrong_tag, policy());
  expect(cover + ";created=" + std::to_string(kNow) + ";expires=" + std::to_string(kNow + 60) +
             ";keyid=\"not-the-thumbprint\";tag=\"web-bot-auth\"",
         Reason::key_not_found, policy());
  expect(cover + params(), Reason::invalid_signature_agent, policy(),
         "sig1=\"http://agent.example\"");
  auto http_ok = policy();
  http_ok.agent_urls.allow_http = true;
  expect(cover + params(), Reason::ok, http_ok, "sig1=\"http://agent.example\"");
  expect(cover + params(), Reason::invalid_signature_agent, policy(), "sig1=agent");
  auto labelled = policy();
  labelled.label = "nope";
  expect(cover + params(), Reason::unknown_label, labelled);
}

TEST_F(ProfileChecks, KeyidMustBeTheThumbprintOfTheKeyUsed) {
  sign_raw("(\"@authority\" \"signature-agent\";key=\"sig1\")" + params());
  ProfileVerifier verifier(policy());
  auto prepared = verifier.prepare(http::Message(req));
  ASSERT_TRUE(prepared.ok() && prepared->front().ok());
  auto other = SigningKey::generate(Algorithm::ed25519).value();
  EXPECT_EQ(verifier.verify_prepared(http::Message(req), *prepared->front(), other.verifying_key())
                .reason(),
            Reason::keyid_mismatch);
  EXPECT_TRUE(
      verifier.verify_prepared(http::Message(req), *prepared->front(), key.verifying_key()).ok());
}

TEST_F(ProfileChecks, OtherTagsAreIgnoredNotFailed) {
  ASSERT_TRUE(sign_request(req, key, options()).ok());
  req.headers.add("Signature-Input", "other=(\"@method\");created=1;tag=\"something-else\"");
  req.headers.add("Signature", "other=:AAAA:");
  EXPECT_TRUE(verify().ok());
}

// RFC 9421 §3.2: the verifier decides per signature. A member of another scheme that cannot be
// parsed (a String where an Integer belongs, a label in one field only) shows no tag, so it
// must not fail the agent's signature; it is the answer only when nothing else is left.
TEST_F(ProfileChecks, UnparsableOtherSignaturesDoNotFailTheAgents) {
  ASSERT_TRUE(sign_request(req, key, options()).ok());
  const http::Request signed_req = req;
  req.headers.add("Signature-Input", "other=(\"@method\");created=\"yesterday\"");
  req.headers.add("Signature", "other=:AAAA:");
  req.headers.add("Signature-Input", "dangling=(\"@method\");created=1");
  req.headers.add("Signature", "orphan=:AAAA:");
  auto v = verify();
  ASSERT_TRUE(v.ok()) << v.error().message();
  EXPECT_EQ(v->key_thumbprint, key.thumbprint());

  // Asked for by its label, the unparsable member is the answer.
  auto p = policy();
  p.label = "other";
  EXPECT_EQ(verify(p).reason(), Reason::invalid_signature_params);
  p.label = "dangling";
  EXPECT_EQ(verify(p).reason(), Reason::label_mismatch);

  // Without a Web Bot Auth signature, the first unusable member's error (as before), not
  // wrong_tag.
  req = signed_req;
  req.headers.erase("signature");
  req.headers.erase("signature-input");
  req.headers.add("Signature-Input", "other=(\"@method\");created=\"yesterday\"");
  req.headers.add("Signature", "other=:AAAA:");
  EXPECT_EQ(verify().reason(), Reason::invalid_signature_params);
}

TEST_F(ProfileChecks, SignatureCountIsBounded) {
  auto p = policy();
  p.max_signatures = 2;
  for (const char* label : {"a", "b", "c"}) {
    auto o = options();
    o.label = label;
    ASSERT_TRUE(sign_request(req, key, o).ok());
  }
  EXPECT_EQ(verify(p).reason(), Reason::limit_exceeded);
  p.max_signatures = 3;
  EXPECT_TRUE(verify(p).ok());
}

TEST(Outcomes, Classification) {
  EXPECT_EQ(outcome_of(Reason::ok), Outcome::verified);
  EXPECT_EQ(outcome_of(Reason::key_not_found), Outcome::unverified);
  EXPECT_EQ(outcome_of(Reason::directory_unavailable), Outcome::unverified);
  EXPECT_EQ(outcome_of(Reason::bad_signature), Outcome::invalid);
  EXPECT_EQ(to_string(Outcome::unverified), "unverified");
}

}  // namespace
}  // namespace wba::profile
