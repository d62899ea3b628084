// Integration: the real Beast/OpenSSL transport and the directory cache against a local HTTPS
// directory server (127.0.0.1 only; a CA generated at run time). Loopback is reachable only
// through the test settings (allowed_networks or allow_private). Scripted faults: slow
// (timeout), 500, huge body, bad JSON, wrong media type, bad directory signature, redirect to a
// private address (not followed), host names resolving to private addresses, TLS failures.
#include "fetch/beast_transport.h"

#include <future>
#include <optional>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "fetch_test_util.h"
#include "keys/directory_key_source.h"
#include "test_directory_server.h"
#include "test_pki.h"

namespace wbad {
namespace {

namespace asio = boost::asio;
using fetch::FetchError;
using fetch::FetchResult;
using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::Answers;
using testing::ManualClock;
using testing::query_for;
using testing::ScriptedResponse;
using testing::SeenRequest;
using testing::TestDirectoryServer;
using testing::TestPki;
using wba::Reason;

const std::string kWellKnown = "/.well-known/http-message-signatures-directory";

std::string query_case(const SeenRequest& r) {
  auto q = r.target.find("?case=");
  return q == std::string::npos ? "ok" : r.target.substr(q + 6);
}

class BeastFetch : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki_ = new TestPki(testing::make_test_pki({"directory.test", "other.test"}, {"127.0.0.1"}));
  }
  static void TearDownTestSuite() {
    delete pki_;
    pki_ = nullptr;
  }

  void SetUp() override {
    key_ = testing::new_key();
    server_ = std::make_unique<TestDirectoryServer>(*pki_);
    authority_ = "directory.test:" + std::to_string(server_->port());
    server_->set_handler([this](const SeenRequest& r) { return script(r); });
    client_thread_ = std::thread([this] { ioc_.run(); });
  }

  void TearDown() override {
    work_.reset();
    ioc_.stop();
    client_thread_.join();
    server_.reset();
  }

  // The scripted directory: ?case=… picks the behaviour.
  ScriptedResponse script(const SeenRequest& r) {
    const std::string c = query_case(r);
    ScriptedResponse out;
    auto directory = [&](const std::string& authority) {
      wba::directory::ServeOptions so;
      so.created = clock_.unix_now();
      so.max_age = 300;
      auto resp = wba::directory::make_directory_response({key_}, authority, so).value();
      for (const auto& [n, v] : resp.headers.lines()) out.headers.emplace_back(n, v);
      out.headers.emplace_back("ETag", "\"v1\"");
      out.body = resp.body.value_or("");
    };
    if (c == "ok" || c == "slow") {
      if (r.header("If-None-Match") == "\"v1\"") {
        out.status = 304;
        out.headers = {{"ETag", "\"v1\""}, {"Cache-Control", "max-age=300"}};
        return out;
      }
      directory(authority_);
      if (c == "slow") out.delay = milliseconds(3000);
    } else if (c == "500") {
      out.status = 500;
      out.body = "oops";
    } else if (c == "huge") {
      directory(authority_);
      out.body = std::string(1 << 20, ' ') + out.body;
    } else if (c == "badjson") {
      directory(authority_);
      out.headers = {{"Content-Type", std::string(wba::directory::kMediaType)}};
      out.body = "{\"keys\": [{\"kty\": ";
    } else if (c == "wrongtype") {
      directory(authority_);
      for (auto& [n, v] : out.headers) {
        if (wba::http::iequals(n, "content-type")) v = "text/html";
      }
    } else if (c == "badsig") {
      directory("elsewhere.test");  // proofs made for another authority
    } else if (c == "redirect") {
      out.status = 302;
      out.headers = {{"Location", "https://10.0.0.1" + kWellKnown}};
    } else if (c == "unsigned") {
      out.headers = {{"Content-Type", std::string(wba::directory::kMediaType)}};
      out.body = wba::directory::directory_body({key_.verifying_key()}).value();
    }
    return out;
  }

  fetch::OutboundConfig outbound(bool allow_loopback = true) const {
    fetch::OutboundConfig c;
    c.allowed_ports = {server_->port()};
    if (allow_loopback) c.allowed_networks = {fetch::Cidr::parse("127.0.0.1/32").value()};
    return c;
  }

  fetch::TransportConfig transport_config() const {
    fetch::TransportConfig t;
    t.ca_pem = pki_->ca_cert_pem;
    t.connect_timeout = milliseconds(1000);
    t.read_timeout = milliseconds(400);
    t.total_timeout = milliseconds(1500);
    t.host_overrides = {{"directory.test", {"127.0.0.1"}},
                        {"other.test", {"127.0.0.1"}},
                        {"wrong.test", {"127.0.0.1"}}};
    return t;
  }

  std::shared_ptr<fetch::BeastTransport> transport(fetch::OutboundConfig oc,
                                                   fetch::TransportConfig tc) {
    auto policy =
        std::make_shared<const fetch::OutboundPolicy>(fetch::OutboundPolicy::make(oc).value());
    return fetch::BeastTransport::make(ioc_.get_executor(), policy, std::move(tc)).value();
  }

  std::unique_ptr<DirectoryKeySource> source(fetch::OutboundConfig oc, fetch::TransportConfig tc,
                                             DirectoryKeySourceConfig config = {}) {
    auto policy =
        std::make_shared<const fetch::OutboundPolicy>(fetch::OutboundPolicy::make(oc).value());
    auto t = fetch::BeastTransport::make(ioc_.get_executor(), policy, std::move(tc)).value();
    return std::make_unique<DirectoryKeySource>(t, policy, config, clock_.clock());
  }

  std::string url(const std::string& c, const std::string& host = "directory.test") const {
    return "https://" + host + ":" + std::to_string(server_->port()) + kWellKnown +
           (c.empty() ? "" : "?case=" + c);
  }

  wba::Result<wba::VerifyingKey> lookup(DirectoryKeySource& src, const std::string& u) {
    Answers answers;
    src.find_key(query_for(u, key_.thumbprint()), answers.callback());
    EXPECT_TRUE(answers.wait_for(1, seconds(10)));
    return answers.size() ? answers.at(0) : wba::Error(Reason::invalid_argument, "no answer");
  }

  FetchResult raw_fetch(fetch::HttpTransport& t, const std::string& u) {
    std::promise<FetchResult> p;
    auto f = p.get_future();
    t.fetch(fetch::FetchRequest{u, {}}, [&p](FetchResult r) { p.set_value(std::move(r)); });
    EXPECT_EQ(f.wait_for(seconds(10)), std::future_status::ready);
    return f.get();
  }

  static TestPki* pki_;
  asio::io_context ioc_;
  asio::executor_work_guard<asio::io_context::executor_type> work_{ioc_.get_executor()};
  std::thread client_thread_;
  std::unique_ptr<TestDirectoryServer> server_;
  std::string authority_;
  ManualClock clock_;
  wba::SigningKey key_ = testing::new_key();
};

TestPki* BeastFetch::pki_ = nullptr;

TEST_F(BeastFetch, FetchesAndVerifiesASignedDirectory) {
  DirectoryKeySourceConfig config;
  config.checks.require_signatures = true;
  auto src = source(outbound(), transport_config(), config);
  auto r = lookup(*src, url("ok"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->thumbprint(), key_.thumbprint());
  EXPECT_EQ(src->metrics().fetch_ok, 1u);
  ASSERT_EQ(server_->request_count(), 1u);
  auto seen = server_->requests().at(0);
  EXPECT_EQ(seen.target, kWellKnown + "?case=ok");
  EXPECT_EQ(seen.header("Host"), authority_);
  EXPECT_EQ(seen.header("Accept-Encoding"), "identity");
  EXPECT_NE(seen.header("Accept").find(wba::directory::kMediaType), std::string::npos);
  EXPECT_FALSE(seen.header("User-Agent").empty());
  // Cached: no second request.
  EXPECT_TRUE(lookup(*src, url("ok")).ok());
  EXPECT_EQ(server_->request_count(), 1u);
}

TEST_F(BeastFetch, RevalidatesWithEtag) {
  auto src = source(outbound(), transport_config());
  ASSERT_TRUE(lookup(*src, url("ok")).ok());
  clock_.advance(seconds(301));
  auto r = lookup(*src, url("ok"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(server_->request_count(), 2u);
  EXPECT_EQ(server_->requests().at(1).header("If-None-Match"), "\"v1\"");
  EXPECT_EQ(src->metrics().fetch_not_modified, 1u);
}

TEST_F(BeastFetch, SlowDirectoryTimesOut) {
  auto src = source(outbound(), transport_config());
  auto start = std::chrono::steady_clock::now();
  auto r = lookup(*src, url("slow"));
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.reason(), Reason::directory_unavailable);
  EXPECT_LT(elapsed, milliseconds(2000));
  EXPECT_EQ(src->metrics().fetch_timeout, 1u);
}

TEST_F(BeastFetch, SlowDirectoryDoesNotBlockOthers) {
  auto src = source(outbound(), transport_config());
  Answers slow, fast;
  auto start = std::chrono::steady_clock::now();
  src->find_key(query_for(url("slow"), key_.thumbprint()), slow.callback());
  src->find_key(query_for(url("unsigned"), key_.thumbprint()), fast.callback());
  ASSERT_TRUE(fast.wait_for(1, seconds(5)));
  auto fast_done = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(fast.at(0).ok());
  ASSERT_TRUE(slow.wait_for(1, seconds(5)));
  EXPECT_EQ(slow.at(0).reason(), Reason::directory_unavailable);
  EXPECT_LT(fast_done, milliseconds(350));  // well before the slow one's 400 ms read timeout
}

TEST_F(BeastFetch, FaultsYieldClearReasons) {
  struct Case {
    const char* name;
    Reason reason;
  };
  for (const Case& c :
       {Case{"500", Reason::directory_unavailable}, Case{"huge", Reason::directory_invalid},
        Case{"badjson", Reason::directory_invalid}, Case{"wrongtype", Reason::directory_invalid},
        Case{"badsig", Reason::directory_signature_invalid},
        Case{"redirect", Reason::directory_unavailable}}) {
    SCOPED_TRACE(c.name);
    auto src = source(outbound(), transport_config());
    auto r = lookup(*src, url(c.name));
    EXPECT_EQ(r.reason(), c.reason) << (r.ok() ? "" : r.error().message());
  }
}

TEST_F(BeastFetch, RedirectToPrivateAddressIsNotFollowed) {
  auto t = transport(outbound(), transport_config());
  auto r = raw_fetch(*t, url("redirect"));
  ASSERT_EQ(r.error, FetchError::none) << r.detail;
  EXPECT_EQ(r.status, 302);
  auto loc = r.headers.values("location");
  ASSERT_EQ(loc.size(), 1u);
  EXPECT_EQ(loc[0], "https://10.0.0.1" + kWellKnown);
  EXPECT_EQ(server_->request_count(), 1u);
  EXPECT_EQ(r.peer, "127.0.0.1:" + std::to_string(server_->port()));
}

TEST_F(BeastFetch, HugeBodyStopsAtTheLimit) {
  auto t = transport(outbound(), transport_config());
  auto r = raw_fetch(*t, url("huge"));
  EXPECT_EQ(r.error, FetchError::too_large) << r.detail;
}

TEST_F(BeastFetch, HostResolvingToPrivateAddressIsRefused) {
  auto src = source(outbound(/*allow_loopback=*/false), transport_config());
  auto r = lookup(*src, url("ok"));
  ASSERT_EQ(r.reason(), Reason::directory_unavailable);
  EXPECT_NE(r.error().detail.find("loopback"), std::string::npos) << r.error().detail;
  EXPECT_EQ(server_->request_count(), 0u);  // never connected
  EXPECT_EQ(src->metrics().fetch_refused, 1u);
}

TEST_F(BeastFetch, LocalhostThroughRealDnsIsRefused) {
  auto tc = transport_config();
  tc.host_overrides.clear();
  auto t = transport(outbound(false), tc);
  auto r = raw_fetch(*t, url("ok", "localhost"));
  EXPECT_EQ(r.error, FetchError::refused) << r.detail;
  EXPECT_EQ(server_->request_count(), 0u);
}

TEST_F(BeastFetch, AnyRefusedAddressInTheAnswerFailsTheFetch) {
  auto tc = transport_config();
  // 127.0.0.1 is allow-listed, 10.0.0.1 is not: the mixed answer is refused as a whole.
  tc.host_overrides["directory.test"] = {"127.0.0.1", "10.0.0.1"};
  auto t = transport(outbound(), tc);
  auto r = raw_fetch(*t, url("ok"));
  EXPECT_EQ(r.error, FetchError::refused) << r.detail;
  EXPECT_NE(r.detail.find("10.0.0.1"), std::string::npos) << r.detail;
  EXPECT_EQ(server_->request_count(), 0u);
}

TEST_F(BeastFetch, AllowPrivateForTests) {
  auto oc = outbound(false);
  oc.allow_private = true;
  auto src = source(oc, transport_config());
  EXPECT_TRUE(lookup(*src, url("ok")).ok());
}

TEST_F(BeastFetch, IpLiteralHostChecksTheCertificateAddress) {
  auto t = transport(outbound(), transport_config());
  auto r = raw_fetch(
      *t, "https://127.0.0.1:" + std::to_string(server_->port()) + kWellKnown + "?case=unsigned");
  ASSERT_EQ(r.error, FetchError::none) << r.detail;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(server_->requests().at(0).header("Host"),
            "127.0.0.1:" + std::to_string(server_->port()));
}

TEST_F(BeastFetch, CertificateForAnotherNameIsRefused) {
  auto src = source(outbound(), transport_config());
  auto r = lookup(*src, url("ok", "wrong.test"));
  ASSERT_EQ(r.reason(), Reason::directory_unavailable);
  EXPECT_NE(r.error().detail.find("certificate"), std::string::npos) << r.error().detail;
  EXPECT_EQ(src->metrics().fetch_tls_error, 1u);
  EXPECT_EQ(server_->request_count(), 0u);
}

TEST_F(BeastFetch, UntrustedCaIsRefused) {
  auto tc = transport_config();
  tc.ca_pem.clear();  // only the system store, which does not know the test CA
  auto t = transport(outbound(), tc);
  auto r = raw_fetch(*t, url("ok"));
  EXPECT_EQ(r.error, FetchError::tls_failed) << r.detail;
}

TEST_F(BeastFetch, ConnectionRefused) {
  std::uint16_t closed_port = 0;
  {
    asio::ip::tcp::acceptor a(ioc_, {asio::ip::make_address("127.0.0.1"), 0});
    closed_port = a.local_endpoint().port();
  }
  auto oc = outbound();
  oc.allowed_ports = {closed_port};
  auto t = transport(oc, transport_config());
  auto r = raw_fetch(*t, "https://directory.test:" + std::to_string(closed_port) + kWellKnown);
  EXPECT_EQ(r.error, FetchError::connect_failed) << r.detail;
}

TEST_F(BeastFetch, PolicyRefusalCompletesAsynchronously) {
  auto t = transport(outbound(), transport_config());
  auto r = raw_fetch(*t, "https://directory.test:1/x");  // port not allowed
  EXPECT_EQ(r.error, FetchError::refused);
  EXPECT_NE(r.detail.find("port"), std::string::npos) << r.detail;
}

TEST_F(BeastFetch, PlainHttpOnlyWhenAllowed) {
  TestDirectoryServer plain(*pki_, /*tls=*/false);
  plain.set_handler([this](const SeenRequest& r) { return script(r); });
  const std::string u =
      "http://directory.test:" + std::to_string(plain.port()) + kWellKnown + "?case=unsigned";
  auto oc = outbound();
  oc.allowed_ports = {plain.port()};
  auto refused = transport(oc, transport_config());
  EXPECT_EQ(raw_fetch(*refused, u).error, FetchError::refused);
  oc.allow_http = true;
  auto allowed = transport(oc, transport_config());
  auto r = raw_fetch(*allowed, u);
  ASSERT_EQ(r.error, FetchError::none) << r.detail;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(plain.request_count(), 1u);
}

TEST(BeastTransportConfig, RefusesBadSettings) {
  asio::io_context ioc;
  auto policy =
      std::make_shared<const fetch::OutboundPolicy>(fetch::OutboundPolicy::make({}).value());
  fetch::TransportConfig bad_ca;
  bad_ca.ca_pem = "not a certificate";
  EXPECT_EQ(fetch::BeastTransport::make(ioc.get_executor(), policy, bad_ca).reason(),
            Reason::invalid_argument);
  fetch::TransportConfig bad_override;
  bad_override.host_overrides = {{"x.test", {"not-an-ip"}}};
  EXPECT_EQ(fetch::BeastTransport::make(ioc.get_executor(), policy, bad_override).reason(),
            Reason::invalid_argument);
  fetch::TransportConfig zero;
  zero.total_timeout = milliseconds(0);
  EXPECT_EQ(fetch::BeastTransport::make(ioc.get_executor(), policy, zero).reason(),
            Reason::invalid_argument);
  EXPECT_EQ(fetch::BeastTransport::make(ioc.get_executor(), nullptr, {}).reason(),
            Reason::invalid_argument);
}

}  // namespace
}  // namespace wbad
