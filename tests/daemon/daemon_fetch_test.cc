// wbad resolving agents' keys from their directories, end to end: a real HTTPS directory
// server on 127.0.0.1 with a test CA, serving a signed directory or a scripted fault.
#include <gtest/gtest.h>

#include "daemon_process.h"
#include "fetch/test_directory_server.h"
#include "fetch/test_pki.h"
#include "wba/directory/serve.h"
#include "wba/http/http1_text.h"
#include "wba/profile/web_bot_auth.h"

namespace wbad::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class DaemonFetch : public ::testing::Test {
 protected:
  fs::path dir;
  TestPki pki = make_test_pki({"localhost"}, {"127.0.0.1"});
  wba::SigningKey key = wba::SigningKey::generate(wba::Algorithm::ed25519).value();
  int runs_ = 0;

  void SetUp() override {
    dir = fs::temp_directory_path() /
          ("wbad-fetch-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir);
    std::ofstream(dir / "ca.pem") << pki.ca_cert_pem;
  }
  void TearDown() override { fs::remove_all(dir); }

  std::unique_ptr<DaemonProcess> start(std::vector<std::string> extra) {
    std::vector<std::string> args{"--directory-ca-file", (dir / "ca.pem").string(), "--threads",
                                  "2"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto d =
        std::make_unique<DaemonProcess>(args, dir / ("wbad-" + std::to_string(++runs_) + ".log"));
    EXPECT_TRUE(d->listening()) << d->log_text();
    return d;
  }

  // A signed directory response for `key`, as served under 127.0.0.1:port.
  ScriptedResponse directory(std::uint16_t port, const wba::SigningKey& k) {
    auto res = wba::directory::make_directory_response({k}, "127.0.0.1:" + std::to_string(port));
    EXPECT_TRUE(res.ok()) << res.error().message();
    ScriptedResponse out;
    out.status = res->status;
    for (const auto& [n, v] : res->headers.lines()) out.headers.emplace_back(n, v);
    out.body = *res->body;
    return out;
  }

  json verify(DaemonProcess& d, std::uint16_t agent_port, const wba::SigningKey& k) {
    wba::profile::AgentSignOptions o;
    o.signature_agent = "https://127.0.0.1:" + std::to_string(agent_port);
    auto h = wba::profile::signature_headers("GET", "https://shop.example/x", {}, k, o);
    EXPECT_TRUE(h.ok());
    json headers = json::array({json::array({"Host", "shop.example"})});
    for (const auto& [n, v] : h->fields) headers.push_back(json::array({n, v}));
    json body = {{"method", "GET"}, {"url", "https://shop.example/x"}, {"headers", headers}};
    return json::parse(d.request(bhttp::verb::post, "/v1/verify", {}, body.dump()).body());
  }
};

TEST_F(DaemonFetch, FetchesVerifiesAndCachesTheDirectory) {
  TestDirectoryServer server(pki);
  auto port = server.port();
  server.set_handler([&](const SeenRequest&) { return directory(port, key); });
  auto d = start({"--allow-private-fetch", "--require-directory-signatures",
                  "--allow-directory-port", std::to_string(port)});
  json v = verify(*d, port, key);
  EXPECT_EQ(v["valid"], true) << v.dump();
  EXPECT_EQ(v["agent"], "https://127.0.0.1:" + std::to_string(port));
  EXPECT_EQ(v["directory_url"], "https://127.0.0.1:" + std::to_string(port) +
                                    "/.well-known/http-message-signatures-directory");
  // A second request with a new nonce is served from the cache.
  EXPECT_EQ(verify(*d, port, key)["valid"], true);
  EXPECT_EQ(server.request_count(), 1u);
  ASSERT_FALSE(server.requests().empty());
  EXPECT_EQ(server.requests()[0].target, "/.well-known/http-message-signatures-directory");
  auto m = d->request(bhttp::verb::get, "/metrics").body();
  EXPECT_NE(m.find("wbad_directory_fetch_ok_total 1"), std::string::npos) << m;
  // A key the directory does not list: key_not_found, unverified.
  auto other = wba::SigningKey::generate(wba::Algorithm::ed25519).value();
  v = verify(*d, port, other);
  EXPECT_EQ(v["reason"], "key_not_found") << v.dump();
  EXPECT_EQ(v["outcome"], "unverified");
}

TEST_F(DaemonFetch, FaultsGiveClearReasons) {
  TestDirectoryServer down(pki);
  down.set_handler([](const SeenRequest&) { return ScriptedResponse{500, {}, "oops", {}}; });
  TestDirectoryServer garbage(pki);
  garbage.set_handler([](const SeenRequest&) {
    return ScriptedResponse{
        200,
        {{"Content-Type", "application/http-message-signatures-directory+json"}},
        "{not json",
        {}};
  });
  TestDirectoryServer forged(pki);
  auto forged_port = forged.port();
  auto impostor = wba::SigningKey::generate(wba::Algorithm::ed25519).value();
  forged.set_handler([&](const SeenRequest&) {
    // The directory lists our key but its proof is signed by another key.
    auto good = directory(forged_port, key);
    auto bad = directory(forged_port, impostor);
    for (auto& [n, v] : good.headers) {
      if (n == "Signature") {
        for (auto& [bn, bv] : bad.headers) {
          if (bn == "Signature") v = bv;
        }
      }
    }
    return good;
  });
  auto d = start({"--allow-private-fetch", "--allow-directory-port", std::to_string(down.port()),
                  "--allow-directory-port", std::to_string(garbage.port()),
                  "--allow-directory-port", std::to_string(forged_port)});
  json v = verify(*d, down.port(), key);
  EXPECT_EQ(v["reason"], "directory_unavailable") << v.dump();
  EXPECT_EQ(v["outcome"], "unverified");
  v = verify(*d, garbage.port(), key);
  EXPECT_EQ(v["reason"], "directory_invalid") << v.dump();
  v = verify(*d, forged_port, key);
  EXPECT_EQ(v["reason"], "directory_signature_invalid") << v.dump();
  // nginx front end: unverified is a 401 with the reason.
  EXPECT_EQ(d->request(bhttp::verb::get, "/healthz").result_int(), 200);
}

TEST_F(DaemonFetch, PrivateAddressesAreRefusedByDefault) {
  TestDirectoryServer server(pki);
  auto port = server.port();
  server.set_handler([&](const SeenRequest&) { return directory(port, key); });
  auto d = start({"--allow-directory-port", std::to_string(port)});
  json v = verify(*d, port, key);
  EXPECT_EQ(v["reason"], "directory_unavailable") << v.dump();
  EXPECT_EQ(server.request_count(), 0u);
}

}  // namespace
}  // namespace wbad::testing
