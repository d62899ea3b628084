// The `wba` command line as a contract: outputs, exit codes, and RFC 9421 vectors reproduced
// byte for byte through the tool.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "support/cli_fixture.h"
#include "support/vectors.h"
#include "wba/encoding/base64.h"
#include "wba/jose/thumbprint.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using wba::testing::Outcome;
using Cli = wba::testing::CliFixture;

const json& vectors() {
  static const json s = wba::testing::load_vectors("rfc9421/signatures.json");
  return s;
}
const json& keys() {
  static const json k = wba::testing::load_vectors("rfc9421/keys.json")["keys"];
  return k;
}
const json& messages() {
  static const json m = wba::testing::load_vectors("rfc9421/messages.json")["messages"];
  return m;
}
const json& entry(const std::string& id) {
  for (const auto& e : vectors()["signatures"]) {
    if (e["id"] == id) return e;
  }
  throw std::runtime_error(id);
}

TEST_F(Cli, KeygenPubkeyThumbprint) {
  for (const char* alg : {"ed25519", "ecdsa-p256-sha256", "rsa-pss-sha512"}) {
    Outcome k = wba({"keygen", "--alg", alg, "--kid", "my-key"});
    ASSERT_EQ(k.code, 0) << alg << k.err;
    json priv = json::parse(k.out);
    EXPECT_EQ(priv["kid"], "my-key");
    std::string key = file("k.jwk", k.out);
    Outcome p = wba({"pubkey", key});
    ASSERT_EQ(p.code, 0) << p.err;
    json pub = json::parse(p.out);
    EXPECT_FALSE(pub.contains("d")) << alg;
    EXPECT_EQ(pub["kty"], priv["kty"]);
    Outcome t1 = wba({"thumbprint", key});
    Outcome t2 = wba({"thumbprint", file("p.jwk", p.out)});
    ASSERT_EQ(t1.code, 0);
    EXPECT_EQ(t1.out, t2.out);
    EXPECT_EQ(t1.out.size(), 44u);  // 43 base64url characters and a newline
  }
}

TEST_F(Cli, ThumbprintOfPublishedKeys) {
  for (const char* name : {"test-key-ed25519", "test-key-ecc-p256", "test-key-rsa-pss"}) {
    Outcome t = wba({"thumbprint", "--key-alg", keys()[name]["algorithm"],
                     file("k.jwk", keys()[name]["jwk"].dump())});
    ASSERT_EQ(t.code, 0) << name << t.err;
    EXPECT_EQ(t.out, keys()[name]["jwk_thumbprint_sha256"].get<std::string>() + "\n");
  }
}

TEST_F(Cli, BaseReproducesB26FromSignatureInput) {
  const json& e = entry("rfc9421-b.2.6");
  std::string msg = file("m.http", messages()["test-request"]["http1_text"]);
  Outcome r = wba({"base", "--signature-input", e["signature_input_member"], msg});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, e["signature_base"].get<std::string>() + "\n");
}

TEST_F(Cli, BaseFromComponentsKeepsParameterOrder) {
  std::string msg = file("m.http", messages()["test-request"]["http1_text"]);
  Outcome r = wba({"base", "--components", "\"@method\" \"@authority\"", "--keyid", "k",
                   "--created", "5", msg});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "\"@method\": POST\n\"@authority\": example.com\n"
            "\"@signature-params\": (\"@method\" \"@authority\");keyid=\"k\";created=5\n");
}

TEST_F(Cli, SignReproducesB26AndVerifies) {
  const json& e = entry("rfc9421-b.2.6");
  std::string key = file("k.jwk", keys()["test-key-ed25519"]["jwk"].dump());
  std::string msg = file("m.http", messages()["test-request"]["http1_text"]);
  Outcome s = wba({"sign", "--key", key, "--signature-input", e["signature_input_member"], msg});
  ASSERT_EQ(s.code, 0) << s.err;
  EXPECT_NE(s.out.find("Signature: " + e["signature_member"].get<std::string>()), std::string::npos)
      << s.out;
  std::string signed_path = file("s.http", s.out);
  std::string pub = file("p.jwk", keys()["test-key-ed25519"]["public_jwk"].dump());
  Outcome v = wba({"verify", "--key", pub, "--now", "1618884480", signed_path});
  EXPECT_EQ(v.code, 0) << v.out << v.err;
  json verdict = json::parse(v.out);
  EXPECT_EQ(verdict["valid"], true);
  EXPECT_EQ(verdict["label"], "sig-b26");
  EXPECT_EQ(verdict["alg"], "ed25519");
  EXPECT_EQ(verdict["keyid"], "test-key-ed25519");
  EXPECT_EQ(verdict["created"], 1618884473);
}

TEST_F(Cli, SignDefaultsAndVerifyReasons) {
  Outcome k = wba({"keygen"});
  ASSERT_EQ(k.code, 0);
  std::string key = file("k.jwk", k.out);
  std::string pub = file("p.jwk", wba({"pubkey", key}).out);
  std::string msg = file("m.http", "GET /a?b=c HTTP/1.1\r\nHost: example.com\r\n\r\n");
  Outcome s =
      wba({"sign", "--key", key, "--expires", "4000000000", "--nonce", "n", "--tag", "t", msg});
  ASSERT_EQ(s.code, 0) << s.err;
  EXPECT_NE(s.out.find("\r\nSignature-Input: sig1=(\"@method\" \"@authority\" \"@path\");created="),
            std::string::npos)
      << s.out;
  std::string thumb = wba({"thumbprint", key}).out;
  thumb.pop_back();
  EXPECT_NE(s.out.find("alg=\"ed25519\";keyid=\"" + thumb + "\";tag=\"t\""), std::string::npos);
  std::string signed_path = file("s.http", s.out);
  EXPECT_EQ(wba({"verify", "--key", pub, signed_path}).code, 0);

  Outcome expired = wba({"verify", "--key", pub, "--now", "4000000001", signed_path});
  EXPECT_EQ(expired.code, 1);
  EXPECT_EQ(json::parse(expired.out)["reason"], "expired");

  std::string tampered = s.out;
  tampered.replace(tampered.find("/a?b=c"), 6, "/x?b=c");
  Outcome bad = wba({"verify", "--key", pub, file("t.http", tampered)});
  EXPECT_EQ(bad.code, 1);
  EXPECT_EQ(json::parse(bad.out)["reason"], "bad_signature");

  Outcome label = wba({"verify", "--key", pub, "--label", "nope", signed_path});
  EXPECT_EQ(label.code, 1);
  EXPECT_EQ(json::parse(label.out)["reason"], "unknown_label");

  Outcome unsigned_ = wba({"verify", "--key", pub, msg});
  EXPECT_EQ(unsigned_.code, 1);
  EXPECT_EQ(json::parse(unsigned_.out)["reason"], "missing_signature");

  // A JWKS whose keys do not match.
  std::string other = wba({"pubkey", file("o.jwk", wba({"keygen"}).out)}).out;
  std::string jwks = file("set.json", "{\"keys\": [" + other + "]}");
  Outcome wrong = wba({"verify", "--jwks", jwks, signed_path});
  EXPECT_EQ(wrong.code, 1);
  EXPECT_EQ(json::parse(wrong.out)["reason"], "key_not_found");
  std::string good_jwks =
      file("set2.json", "{\"keys\": [" + other + ", " + wba({"pubkey", key}).out + "]}");
  EXPECT_EQ(wba({"verify", "--jwks", good_jwks, signed_path}).code, 0);
}

TEST_F(Cli, ResponseWithRelatedRequest) {
  const json& e = entry("rfc9421-2.4-a");
  std::string resp = file("r.http", messages()["sec2.4-response"]["http1_text"]);
  std::string req = file("q.http", messages()["sec2.4-request"]["http1_text"]);
  Outcome b =
      wba({"base", "--signature-input", e["signature_input_member"], "--request", req, resp});
  ASSERT_EQ(b.code, 0) << b.err;
  EXPECT_EQ(b.out, e["signature_base"].get<std::string>() + "\n");
  Outcome missing = wba({"base", "--signature-input", e["signature_input_member"], resp});
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("missing_component"), std::string::npos) << missing.err;
}

TEST_F(Cli, HmacKeysAreOctJwks) {
  const json& e = entry("rfc9421-b.2.5");
  std::string secret = keys()["test-shared-secret"]["secret_base64"];
  // JWK oct keys carry base64url: convert the published standard base64.
  for (char& c : secret) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!secret.empty() && secret.back() == '=') secret.pop_back();
  std::string key = file("k.jwk", json{{"kty", "oct"}, {"k", secret}}.dump());
  std::string msg = file("m.http", messages()["test-request"]["http1_text"]);
  Outcome s = wba({"sign", "--key", key, "--signature-input", e["signature_input_member"], msg});
  ASSERT_EQ(s.code, 0) << s.err;
  EXPECT_NE(s.out.find(e["signature_member"].get<std::string>()), std::string::npos);
  Outcome v = wba({"verify", "--key", key, "--now", "1618884480", file("s.http", s.out)});
  EXPECT_EQ(v.code, 0) << v.out;
}

TEST_F(Cli, RsaKeysWithoutAlg) {
  // The RFC 9421 RSA-PSS test key's JWK has no "alg": its thumbprint needs none.
  Outcome t = wba({"thumbprint", file("r.jwk", keys()["test-key-rsa-pss"]["public_jwk"].dump())});
  ASSERT_EQ(t.code, 0) << t.err;
  EXPECT_EQ(t.out, keys()["test-key-rsa-pss"]["jwk_thumbprint_sha256"].get<std::string>() + "\n");
  // In a key set an RSA key without alg is rsa-pss-sha512, and an unusable entry is skipped
  // with a warning instead of failing the set.
  std::string key = file("k.jwk", wba({"keygen"}).out);
  std::string pub = wba({"pubkey", key}).out;
  std::string set =
      file("set.json", "{\"keys\": [" + keys()["test-key-rsa-pss"]["public_jwk"].dump() +
                           ", {\"kty\": \"EC\"}, " + pub + "]}");
  std::string msg = file("m.http", "GET / HTTP/1.1\nHost: example.com\n\n");
  Outcome s = wba({"sign", "--key", key, msg});
  ASSERT_EQ(s.code, 0);
  Outcome v = wba({"verify", "--jwks", set, file("s.http", s.out)});
  EXPECT_EQ(v.code, 0) << v.out << v.err;
  EXPECT_NE(v.err.find("skipping"), std::string::npos) << v.err;
}

// The Signature-Input value of a signed message (the `sig1=(…)…` member as printed).
std::string signature_input_line(const std::string& message) {
  const std::string field = "Signature-Input: ";
  auto at = message.find(field);
  if (at == std::string::npos) return "";
  at += field.size();
  return message.substr(at, message.find_first_of("\r\n", at) - at);
}

std::string header_value(const std::string& message, const std::string& name) {
  const std::string field = "\n" + name + ": ";
  auto at = message.find(field);
  if (at == std::string::npos) return "";
  at += field.size();
  return message.substr(at, message.find_first_of("\r\n", at) - at);
}

TEST_F(Cli, SignPresentsABearerToken) {
  std::string key = file("k.jwk", wba({"keygen"}).out);
  std::string pub = file("p.jwk", wba({"pubkey", key}).out);
  std::string msg = file("m.http", "GET /orders/1 HTTP/1.1\r\nHost: api.shop.example\r\n\r\n");
  Outcome s = wba({"sign", "--profile", "web-bot-auth", "--key", key, "--signature-agent",
                   "https://agent.example", "--bearer", "eyJhbGciOi.eyJzdWIi.c2ln", msg});
  ASSERT_EQ(s.code, 0) << s.err;
  EXPECT_EQ(header_value(s.out, "Authorization"), "Bearer eyJhbGciOi.eyJzdWIi.c2ln") << s.out;
  EXPECT_EQ(header_value(s.out, "DPoP"), "");
  EXPECT_EQ(signature_input_line(s.out).rfind(
                R"(sig1=("@authority" "signature-agent";key="sig1" "@method" "@path" )"
                R"("authorization");created=)",
                0),
            0u)
      << s.out;
  Outcome v = wba({"verify", "--profile", "web-bot-auth", "--key", pub, file("s.http", s.out)});
  EXPECT_EQ(v.code, 0) << v.out << v.err;
  // The token is covered: swapping it breaks the signature.
  std::string swapped = s.out;
  swapped.replace(swapped.find("eyJzdWIi"), 8, "eyJzdWIj");
  Outcome bad = wba({"verify", "--profile", "web-bot-auth", "--key", pub, file("t.http", swapped)});
  EXPECT_EQ(bad.code, 1);
  EXPECT_EQ(json::parse(bad.out)["reason"], "bad_signature");
}

TEST_F(Cli, SignPresentsADpopToken) {
  std::string key = file("k.jwk", wba({"keygen"}).out);
  std::string pub = file("p.jwk", wba({"pubkey", key}).out);
  std::string thumb = wba({"thumbprint", key}).out;
  thumb.pop_back();
  std::string msg = file("m.http", "POST /cart?x=1 HTTP/1.1\nHost: api.shop.example\n\n");
  Outcome s = wba({"sign", "--profile", "web-bot-auth", "--key", key, "--signature-agent",
                   "https://agent.example", "--dpop-token", "at.payload.sig", "--created",
                   "1795435195", "--lifetime", "300", msg});
  ASSERT_EQ(s.code, 0) << s.err;
  EXPECT_EQ(header_value(s.out, "Authorization"), "DPoP at.payload.sig") << s.out;
  EXPECT_NE(signature_input_line(s.out).find(R"("@method" "@path" "authorization" "dpop")"),
            std::string::npos)
      << s.out;
  EXPECT_NE(signature_input_line(s.out).find("keyid=\"" + thumb + "\""), std::string::npos);
  // The proof is made with the signing key: its jwk's thumbprint is the keyid.
  std::string proof = header_value(s.out, "DPoP");
  ASSERT_EQ(std::count(proof.begin(), proof.end(), '.'), 2) << proof;
  json header = json::parse(wba::base64url_decode(proof.substr(0, proof.find('.'))).value());
  EXPECT_EQ(header["typ"], "dpop+jwt");
  EXPECT_FALSE(header["jwk"].contains("d"));
  EXPECT_EQ(wba::jwk_thumbprint(header["jwk"]).value(), thumb);
  const auto second = proof.find('.') + 1;
  json claims = json::parse(
      wba::base64url_decode(proof.substr(second, proof.find('.', second) - second)).value());
  EXPECT_EQ(claims["htm"], "POST");
  EXPECT_EQ(claims["htu"], "https://api.shop.example/cart");
  EXPECT_EQ(claims["iat"], 1795435195);
  Outcome v = wba({"verify", "--profile", "web-bot-auth", "--key", pub, "--now", "1795435200",
                   file("s.http", s.out)});
  EXPECT_EQ(v.code, 0) << v.out << v.err;
}

TEST_F(Cli, SignTokenOptionErrors) {
  std::string key = file("k.jwk", wba({"keygen"}).out);
  std::string msg = file("m.http", "GET / HTTP/1.1\nHost: api.shop.example\n\n");
  const std::vector<std::string> wba_args = {
      "sign", "--profile",         "web-bot-auth",         "--key",
      key,    "--signature-agent", "https://agent.example"};
  auto with = [&](std::vector<std::string> extra, const std::string& message) {
    std::vector<std::string> a = wba_args;
    a.insert(a.end(), extra.begin(), extra.end());
    a.push_back(message);
    return wba(a);
  };
  Outcome both = with({"--bearer", "a", "--dpop-token", "b"}, msg);
  EXPECT_EQ(both.code, 2);
  EXPECT_NE(both.err.find("not both"), std::string::npos) << both.err;
  Outcome plain = wba({"sign", "--key", key, "--bearer", "a", msg});
  EXPECT_EQ(plain.code, 2);
  EXPECT_NE(plain.err.find("--bearer needs --profile web-bot-auth"), std::string::npos);
  EXPECT_EQ(wba({"sign", "--key", key, "--dpop-token", "a", msg}).code, 2);
  Outcome not_token68 = with({"--bearer", "a b"}, msg);
  EXPECT_EQ(not_token68.code, 2);
  EXPECT_NE(not_token68.err.find("token68"), std::string::npos) << not_token68.err;
  std::string has_auth =
      file("a.http", "GET / HTTP/1.1\nHost: api.shop.example\nAuthorization: Basic eA==\n\n");
  EXPECT_EQ(with({"--bearer", "a"}, has_auth).code, 2);
  std::string response = file("r.http", "HTTP/1.1 200 OK\nContent-Length: 0\n\n");
  EXPECT_EQ(with({"--bearer", "a"}, response).code, 2);
  EXPECT_NE(wba({"sign", "--help"}).out.find("--dpop-token TOKEN"), std::string::npos);
}

TEST_F(Cli, UsageErrorsNameTheInput) {
  Outcome r = wba({"verify", "--key", (tmp / "absent.jwk").string(), "m.http"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("absent.jwk"), std::string::npos) << r.err;
  Outcome u = wba({"sign", "--bogus"});
  EXPECT_EQ(u.code, 2);
  EXPECT_NE(u.err.find("--bogus"), std::string::npos);
  Outcome bad_json = wba({"thumbprint", file("bad.jwk", "{not json")});
  EXPECT_EQ(bad_json.code, 2);
  EXPECT_NE(bad_json.err.find("bad.jwk"), std::string::npos);
  Outcome bad_msg = wba({"base", "--components", "\"@method\"", file("bad.http", "garbage\n\n")});
  EXPECT_EQ(bad_msg.code, 2);
  EXPECT_NE(bad_msg.err.find("bad.http"), std::string::npos) << bad_msg.err;
  EXPECT_EQ(wba({"frobnicate"}).code, 2);
  EXPECT_EQ(wba({}).code, 2);
  for (const char* c : {"keygen", "pubkey", "thumbprint", "base", "sign", "verify"}) {
    Outcome h = wba({c, "--help"});
    EXPECT_EQ(h.code, 0) << c;
    EXPECT_NE(h.out.find("Usage: wba"), std::string::npos) << c;
  }
}

}  // namespace
