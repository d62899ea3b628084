// `wba directory`: the printed response is parsed back and verified like a fetched directory.
#include <gtest/gtest.h>

#ifdef WBA_CLI_PATH

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "support/cli_fixture.h"
#include "support/vectors.h"
#include "wba/directory/verify.h"
#include "wba/http/http1_text.h"

namespace {

namespace fs = std::filesystem;
namespace dir = wba::directory;
namespace http = wba::http;
using nlohmann::json;

using wba::testing::Outcome;
using DirectoryCli = wba::testing::CliFixture;

const json& test_keys() {
  static const json k = wba::testing::load_vectors("rfc9421/keys.json")["keys"];
  return k;
}

const json& e23() {
  static const json v = [] {
    const json all = wba::testing::load_vectors("web-bot-auth/draft-vectors.json");
    for (const auto& e : all["vectors"]) {
      if (e["id"] == "wba-E.2.3-signed-directory-response") return e;
    }
    throw std::runtime_error("E.2.3 not found");
  }();
  return v;
}

// The response as a client receives it, with the request that fetched it from `authority`.
http::Response received(const std::string& text, const std::string& authority) {
  auto m = http::parse_http1(text);
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().message());
  http::Response r = std::get<http::Response>(std::move(m).value());
  auto req = http::parse_http1(
      "GET /.well-known/http-message-signatures-directory HTTP/1.1\n"
      "Host: " +
      authority + "\n\n");
  r.request = std::make_shared<http::Request>(std::get<http::Request>(std::move(req).value()));
  return r;
}

std::string only(const http::Response& r, std::string_view name) {
  auto v = r.headers.values(name);
  return v.size() == 1 ? std::string(v[0]) : "<" + std::to_string(v.size()) + " lines>";
}

TEST_F(DirectoryCli, ReproducesE23) {
  std::string key = file("ed.jwk", test_keys()["test-key-ed25519"]["jwk"].dump());
  Outcome o = wba({"directory", "--key", key, "--authority", "signature-agent.test", "--created",
                   "1735689600", "--expires", "4889289600"});
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(o.out.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << o.out;
  const std::string body = e23()["response_body_exact"];
  EXPECT_EQ(o.out.substr(o.out.size() - body.size()), body);  // no trailing newline
  EXPECT_NE(o.out.find("\r\n\r\n" + body), std::string::npos);

  http::Response r = received(o.out, "signature-agent.test");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(*r.body, body);
  EXPECT_EQ(only(r, "content-type"), "application/http-message-signatures-directory+json");
  EXPECT_EQ(only(r, "content-length"), std::to_string(body.size()));
  EXPECT_EQ(only(r, "cache-control"), "max-age=86400");
  EXPECT_EQ(only(r, "content-digest"), e23()["content_digest_field"].get<std::string>());
  EXPECT_EQ(only(r, "signature-input"), e23()["signature_input_field"].get<std::string>());
  EXPECT_EQ(only(r, "signature"), e23()["signature_field"].get<std::string>());

  dir::VerifyOptions vo;
  vo.now = 1735689600;
  vo.require_signatures = true;
  vo.require_all_keys_proven = true;
  auto v = dir::verify_directory_response(
      r, "https://signature-agent.test/.well-known/http-message-signatures-directory", vo);
  ASSERT_TRUE(v.ok()) << v.error().message();
  EXPECT_TRUE(v->proven("poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U"));
}

TEST_F(DirectoryCli, SeveralKeysIncludingRsaWithKeyAlg) {
  std::string ed = file("ed.jwk", test_keys()["test-key-ed25519"]["jwk"].dump());
  std::string ec = file("ec.jwk", test_keys()["test-key-ecc-p256"]["jwk"].dump());
  std::string rsa = file("rsa.jwk", test_keys()["test-key-rsa-pss"]["jwk"].dump());
  Outcome o = wba({"directory", "--key", ed, "--key", ec, "--key", rsa, "--key-alg",
                   "rsa-pss-sha512", "--authority", "agent.example", "--max-age", "300"});
  ASSERT_EQ(o.code, 0) << o.err;
  http::Response r = received(o.out, "agent.example");
  EXPECT_EQ(only(r, "cache-control"), "max-age=300");
  const std::string si = only(r, "signature-input");
  for (const char* label : {"binding1=(", "binding2=(", "binding3=("}) {
    EXPECT_NE(si.find(label), std::string::npos) << si;
  }
  dir::VerifyOptions vo;
  vo.require_signatures = true;
  vo.require_all_keys_proven = true;
  vo.parse.require_kid_thumbprint = true;
  auto v = dir::verify_directory_response(
      r, "https://agent.example/.well-known/http-message-signatures-directory", vo);
  ASSERT_TRUE(v.ok()) << v.error().message();
  EXPECT_EQ(v->directory.keys().size(), 3u);
  EXPECT_EQ(v->proofs.size(), 3u);
  EXPECT_EQ(v->directory.keys()[2].key.algorithm(), wba::Algorithm::rsa_pss_sha512);
  // Private members never leave the tool.
  EXPECT_EQ(r.body->find("\"d\""), std::string::npos);
}

TEST_F(DirectoryCli, UsageErrors) {
  std::string key = file("ed.jwk", test_keys()["test-key-ed25519"]["jwk"].dump());
  Outcome help = wba({"directory", "--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("--authority"), std::string::npos);

  EXPECT_EQ(wba({"directory", "--authority", "a.test"}).code, 2);  // no key
  EXPECT_EQ(wba({"directory", "--key", key}).code, 2);             // no authority
  EXPECT_EQ(wba({"directory", "--key", key, "--authority", "a.test", "--created", "x"}).code, 2);
  EXPECT_EQ(wba({"directory", "--key", key, "--authority", "a/b"}).code, 2);
  EXPECT_EQ(wba({"directory", "--key", key, "--authority", "a.test", "extra"}).code, 2);
  EXPECT_EQ(wba({"directory", "--key", key, "--authority", "a.test", "--bogus", "1"}).code, 2);
  Outcome missing =
      wba({"directory", "--key", (tmp / "nope.jwk").string(), "--authority", "a.test"});
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("wba directory:"), std::string::npos) << missing.err;
  // RSA without an algorithm cannot sign.
  std::string rsa = file("rsa.jwk", test_keys()["test-key-rsa-pss"]["jwk"].dump());
  EXPECT_EQ(wba({"directory", "--key", rsa, "--authority", "a.test"}).code, 2);
  // expires before created.
  EXPECT_EQ(wba({"directory", "--key", key, "--authority", "a.test", "--created", "100",
                 "--expires", "50"})
                .code,
            2);

  Outcome top = wba({"--help"});
  EXPECT_NE(top.out.find("directory"), std::string::npos);
}

}  // namespace

#endif  // WBA_CLI_PATH
