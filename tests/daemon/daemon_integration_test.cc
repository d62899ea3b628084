// wbad end to end on loopback: the JSON API, each proxy front end, ops endpoints, limits,
// policy modes, replay, configuration errors, SIGHUP reload and SIGTERM drain.
#include <gtest/gtest.h>

#include <boost/asio/local/stream_protocol.hpp>

#include "daemon_process.h"
#include "wba/crypto/key.h"
#include "wba/encoding/base64.h"
#include "wba/profile/web_bot_auth.h"

namespace wbad::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr const char* kAgent = "https://agent.example";

class Daemon : public ::testing::Test {
 protected:
  fs::path dir;
  wba::SigningKey key = wba::SigningKey::generate(wba::Algorithm::ed25519).value();
  int runs_ = 0;

  void SetUp() override {
    dir = fs::temp_directory_path() /
          ("wbad-test-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir);
    std::ofstream(dir / "trust.json") << json{{"keys", json::array({key.to_public_jwk()})}}.dump();
  }
  void TearDown() override { fs::remove_all(dir); }

  std::unique_ptr<DaemonProcess> start(std::vector<std::string> extra = {}) {
    std::vector<std::string> args{
        "--trust",          std::string(kAgent) + "=" + (dir / "trust.json").string(),
        "--threads",        "2",
        "--shutdown-grace", "2"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto d =
        std::make_unique<DaemonProcess>(args, dir / ("wbad-" + std::to_string(++runs_) + ".log"));
    EXPECT_TRUE(d->listening()) << "exit " << d->early_exit_code() << ": " << d->log_text();
    return d;
  }

  // The Web Bot Auth fields an agent adds to GET https://shop.example<path>.
  Headers signed_fields(const std::string& path, const wba::SigningKey& k, bool nonce = true) {
    wba::profile::AgentSignOptions o;
    o.signature_agent = kAgent;
    o.include_nonce = nonce;
    o.extra_components = wba::sig::parse_component_list("\"@method\" \"@path\"").value();
    auto h = wba::profile::signature_headers("GET", "https://shop.example" + path, {}, k, o);
    EXPECT_TRUE(h.ok()) << h.error().message();
    return h->fields;
  }
  Headers signed_fields(const std::string& path) { return signed_fields(path, key); }

  static json verify_body(const std::string& path, const Headers& fields) {
    json headers = json::array({json::array({"Host", "shop.example"})});
    for (const auto& [n, v] : fields) headers.push_back(json::array({n, v}));
    return json{{"method", "GET"}, {"url", "https://shop.example" + path}, {"headers", headers}};
  }
  static Headers nginx_headers(const std::string& uri, const Headers& fields) {
    Headers h{{"Host", "shop.example"}, {"X-Original-URI", uri}, {"X-Original-Method", "GET"}};
    h.insert(h.end(), fields.begin(), fields.end());
    return h;
  }
};

TEST_F(Daemon, OpsEndpoints) {
  auto d = start();
  EXPECT_EQ(d->request(bhttp::verb::get, "/healthz").result_int(), 200);
  EXPECT_EQ(d->request(bhttp::verb::get, "/readyz").result_int(), 200);
  auto m = d->request(bhttp::verb::get, "/metrics");
  EXPECT_EQ(m.result_int(), 200);
  EXPECT_NE(m.body().find("wbad_requests_total{frontend=\"json_api\"}"), std::string::npos);
  EXPECT_NE(m.body().find("wbad_open_connections"), std::string::npos);
  EXPECT_EQ(d->request(bhttp::verb::get, "/nope").result_int(), 404);
}

TEST_F(Daemon, JsonApiVerdicts) {
  auto d = start();
  auto fields = signed_fields("/item?id=7");
  auto res = d->request(bhttp::verb::post, "/v1/verify", {{"Content-Type", "application/json"}},
                        verify_body("/item?id=7", fields).dump());
  ASSERT_EQ(res.result_int(), 200) << res.body();
  json v = json::parse(res.body());
  EXPECT_EQ(v["valid"], true) << v.dump();
  EXPECT_EQ(v["reason"], "ok");
  EXPECT_EQ(v["agent"], kAgent);
  EXPECT_EQ(v["key_thumbprint"], key.thumbprint());
  EXPECT_EQ(v["keyid"], key.thumbprint());
  EXPECT_EQ(v["label"], "sig1");
  EXPECT_EQ(v["alg"], "ed25519");
  EXPECT_EQ(v["tag"], "web-bot-auth");
  EXPECT_TRUE(v.contains("created") && v.contains("expires") && v.contains("nonce"));
  EXPECT_TRUE(v["timing"].contains("verification_us"));

  // The same signature again: a replay.
  v = json::parse(
      d->request(bhttp::verb::post, "/v1/verify", {}, verify_body("/item?id=7", fields).dump())
          .body());
  EXPECT_EQ(v["reason"], "replayed");
  // Another path than the one signed (@path is covered; the query is not).
  v = json::parse(d->request(bhttp::verb::post, "/v1/verify", {},
                             verify_body("/other?id=7", signed_fields("/item?id=7")).dump())
                      .body());
  EXPECT_EQ(v["valid"], false);
  EXPECT_EQ(v["reason"], "bad_signature");
  EXPECT_EQ(v["outcome"], "invalid");
  // A key nobody trusts: unverified, not invalid.
  auto stranger = wba::SigningKey::generate(wba::Algorithm::ed25519).value();
  v = json::parse(d->request(bhttp::verb::post, "/v1/verify", {},
                             verify_body("/a", signed_fields("/a", stranger)).dump())
                      .body());
  EXPECT_EQ(v["reason"], "key_not_found");
  EXPECT_EQ(v["outcome"], "unverified");
  // url given as scheme + authority + path.
  auto f2 = signed_fields("/b");
  json split = verify_body("/b", f2);
  split.erase("url");
  split["scheme"] = "https";
  split["authority"] = "shop.example";
  split["path"] = "/b";
  EXPECT_EQ(
      json::parse(d->request(bhttp::verb::post, "/v1/verify", {}, split.dump()).body())["valid"],
      true);
}

TEST_F(Daemon, JsonApiInputErrors) {
  auto d = start();
  auto bad = [&](const std::string& body) {
    auto res = d->request(bhttp::verb::post, "/v1/verify", {}, body);
    EXPECT_EQ(res.result_int(), 400) << body;
    auto j = json::parse(res.body(), nullptr, false);
    EXPECT_FALSE(j.is_discarded());
    EXPECT_EQ(j.value("error", ""), "invalid_request") << res.body();
    return j.value("detail", "");
  };
  bad("not json");
  bad("[]");
  bad(R"({"url":"https://a/"})");
  bad(R"({"method":"GET","url":"not a url"})");
  bad(R"({"method":"GET","url":"https://a/","headers":[["only-name"]]})");
  bad(R"({"method":"GET","url":"https://a/","body":"%%%"})");
  EXPECT_NE(bad(R"({"method":"GET","url":"https://a/","now":1})").find("allow-now-override"),
            std::string::npos);
  EXPECT_EQ(d->request(bhttp::verb::get, "/v1/verify").result_int(), 405);
}

TEST_F(Daemon, NowOverrideWhenEnabled) {
  auto d = start({"--allow-now-override"});
  json body = verify_body("/t", signed_fields("/t"));
  body["now"] = 4102444800;  // 2100: long after the 60-second signature expired
  auto v = json::parse(d->request(bhttp::verb::post, "/v1/verify", {}, body.dump()).body());
  EXPECT_EQ(v["reason"], "expired");
}

TEST_F(Daemon, NginxAuthRequest) {
  auto d = start();
  auto res = d->request(bhttp::verb::get, "/v1/auth/nginx",
                        nginx_headers("/page?x=1", signed_fields("/page?x=1")));
  ASSERT_EQ(res.result_int(), 200);
  EXPECT_EQ(res["X-Agent-Verified"], "true");
  EXPECT_EQ(res["X-Agent-Url"], kAgent);
  EXPECT_EQ(res["X-Agent-Key-Thumbprint"], key.thumbprint());
  EXPECT_EQ(res["X-Agent-Label"], "sig1");
  EXPECT_EQ(res["X-Agent-Body-Checked"], "false");  // auth subrequests carry no body

  // Forged identity headers from the client are neither trusted nor echoed.
  auto forged = nginx_headers("/p", {});
  forged.emplace_back("X-Agent-Url", "https://forged.example");
  forged.emplace_back("X-Agent-Verified", "true");
  res = d->request(bhttp::verb::get, "/v1/auth/nginx", forged);
  EXPECT_EQ(res.result_int(), 401);
  EXPECT_EQ(res["X-Agent-Verified"], "false");
  EXPECT_EQ(res["X-Agent-Url"], "");
  EXPECT_EQ(res["X-Agent-Reason"], "missing_signature");

  // Tampered: signed for one path, presented for another.
  res = d->request(bhttp::verb::get, "/v1/auth/nginx",
                   nginx_headers("/other", signed_fields("/page")));
  EXPECT_EQ(res.result_int(), 401);
  EXPECT_EQ(res["X-Agent-Reason"], "bad_signature");
  // The auth subrequest without X-Original-URI is a configuration error: 401, reason given.
  res = d->request(bhttp::verb::get, "/v1/auth/nginx", {{"Host", "shop.example"}});
  EXPECT_EQ(res.result_int(), 401);
  EXPECT_EQ(res["X-Agent-Reason"], "malformed_message");
}

TEST_F(Daemon, ForwardAuthAndEnvoy) {
  auto d = start();
  Headers fwd{{"Host", "wbad.internal"},
              {"X-Forwarded-Method", "GET"},
              {"X-Forwarded-Proto", "https"},
              {"X-Forwarded-Host", "shop.example"},
              {"X-Forwarded-Uri", "/f?q=1"}};
  for (const auto& f : signed_fields("/f?q=1")) fwd.push_back(f);
  auto res = d->request(bhttp::verb::get, "/v1/auth/forward", fwd);
  EXPECT_EQ(res.result_int(), 200) << res["X-Agent-Reason"];
  EXPECT_EQ(res["X-Agent-Url"], kAgent);

  // A repeated proxy header: the first line describes the request (as Beast's lookup did), the
  // repeat is neither used nor passed on as a covered field.
  auto fresh = [&] {  // the same request with a new signature (a new nonce)
    Headers h(fwd.begin(), fwd.begin() + 5);
    for (const auto& f : signed_fields("/f?q=1")) h.push_back(f);
    return h;
  };
  Headers repeated = fresh();
  repeated.insert(repeated.begin() + 4, {"X-Forwarded-Host", "evil.example"});
  res = d->request(bhttp::verb::get, "/v1/auth/forward", repeated);
  EXPECT_EQ(res.result_int(), 200) << res["X-Agent-Reason"];
  Headers first_wrong = fresh();
  first_wrong.insert(first_wrong.begin() + 1, {"X-Forwarded-Host", "evil.example"});
  res = d->request(bhttp::verb::get, "/v1/auth/forward", first_wrong);
  EXPECT_EQ(res.result_int(), 401);
  EXPECT_EQ(res["X-Agent-Reason"], "bad_signature");

  Headers envoy{{"Host", "shop.example"}};
  for (const auto& f : signed_fields("/e/1?z")) envoy.push_back(f);
  res = d->request(bhttp::verb::get, "/v1/auth/envoy/e/1?z", envoy);
  EXPECT_EQ(res.result_int(), 200) << res["X-Agent-Reason"];
  res = d->request(bhttp::verb::get, "/v1/auth/envoy/e/2?z", envoy);
  EXPECT_EQ(res.result_int(), 401);
}

TEST_F(Daemon, PolicyModes) {
  {
    auto d = start({"--mode", "observe"});
    auto res = d->request(bhttp::verb::get, "/v1/auth/nginx", nginx_headers("/x", {}));
    EXPECT_EQ(res.result_int(), 200);
    EXPECT_EQ(res["X-Agent-Verified"], "false");
    EXPECT_EQ(res["X-Agent-Reason"], "missing_signature");
  }
  {
    auto d = start({"--allow-unsigned"});
    EXPECT_EQ(d->request(bhttp::verb::get, "/v1/auth/nginx", nginx_headers("/x", {})).result_int(),
              200);
    // Allowing unsigned requests does not let invalid signatures through.
    EXPECT_EQ(
        d->request(bhttp::verb::get, "/v1/auth/nginx", nginx_headers("/y", signed_fields("/x")))
            .result_int(),
        401);
  }
}

TEST_F(Daemon, PolicyRefusalIs403) {
  // A signature that verifies but whose lifetime exceeds the configured maximum.
  auto d = start({"--max-lifetime", "30"});
  auto res =
      d->request(bhttp::verb::get, "/v1/auth/nginx", nginx_headers("/x", signed_fields("/x")));
  EXPECT_EQ(res.result_int(), 403);
  EXPECT_EQ(res["X-Agent-Reason"], "lifetime_too_long");
}

TEST_F(Daemon, Limits) {
  auto d = start({"--max-header-bytes", "2048", "--max-body-bytes", "100"});
  auto res = d->request(bhttp::verb::get, "/healthz", {{"X-Big", std::string(4096, 'a')}});
  EXPECT_EQ(res.result_int(), 431);
  res = d->request(bhttp::verb::post, "/v1/verify", {}, std::string(500, 'a'));
  EXPECT_EQ(res.result_int(), 413);
  // Still serving afterwards.
  EXPECT_EQ(d->request(bhttp::verb::get, "/healthz").result_int(), 200);
}

TEST_F(Daemon, UnixSocketListener) {
  auto sock = (dir / "wbad.sock").string();
  auto d = start({"--unix-socket", sock});
  net::io_context ioc;
  net::local::stream_protocol::socket s(ioc);
  s.connect(net::local::stream_protocol::endpoint(sock));
  bhttp::request<bhttp::string_body> req{bhttp::verb::get, "/healthz", 11};
  req.set(bhttp::field::host, "localhost");
  bhttp::write(s, req);
  beast::flat_buffer buffer;
  Response res;
  bhttp::read(s, buffer, res);
  EXPECT_EQ(res.result_int(), 200);
}

TEST_F(Daemon, InvalidConfigurationExitsWith2) {
  for (std::vector<std::string> args : {std::vector<std::string>{"--threads", "many"},
                                        {"--mode", "strict"},
                                        {"--trust", "https://a.example=/nonexistent/keys.json"},
                                        {"--listen", "not-an-address:80"},
                                        {"--bogus"}}) {
    DaemonProcess d(args, dir / "bad.log");
    EXPECT_FALSE(d.listening());
    EXPECT_EQ(d.wait_exit(), 2) << args[0];
    EXPECT_NE(d.log_text().find("wbad: "), std::string::npos) << d.log_text();
    EXPECT_NE(d.log_text().find(args[0].substr(0, 7)), std::string::npos) << d.log_text();
  }
  std::ofstream(dir / "bad.json") << R"({"threads": "x"})";
  DaemonProcess d({"--config", (dir / "bad.json").string()}, dir / "bad.log");
  EXPECT_EQ(d.wait_exit(), 2);
  EXPECT_NE(d.log_text().find("bad.json"), std::string::npos) << d.log_text();
}

TEST_F(Daemon, ReloadOnSighupAndDrainOnSigterm) {
  auto config = dir / "wbad.json";
  std::ofstream(config) << R"({"mode": "enforce"})";
  auto d = start({"--config", config.string()});
  EXPECT_EQ(d->request(bhttp::verb::get, "/v1/auth/nginx", nginx_headers("/x", {})).result_int(),
            401);
  std::ofstream(config) << R"({"mode": "observe"})";
  d->signal(SIGHUP);
  bool reloaded = false;
  for (int i = 0; i < 100 && !reloaded; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    reloaded = d->log_text().find("configuration reloaded") != std::string::npos;
  }
  ASSERT_TRUE(reloaded) << d->log_text();
  EXPECT_EQ(d->request(bhttp::verb::get, "/v1/auth/nginx", nginx_headers("/x", {})).result_int(),
            200);
  // A broken file on reload keeps the running configuration.
  std::ofstream(config) << R"({"mode": "sideways"})";
  d->signal(SIGHUP);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_NE(d->log_text().find("reload failed"), std::string::npos);
  EXPECT_EQ(d->request(bhttp::verb::get, "/v1/auth/nginx", nginx_headers("/x", {})).result_int(),
            200);
  d->signal(SIGTERM);
  EXPECT_EQ(d->wait_exit(), 0);
  EXPECT_NE(d->log_text().find("\"msg\":\"stopped\""), std::string::npos);
}

}  // namespace
}  // namespace wbad::testing
