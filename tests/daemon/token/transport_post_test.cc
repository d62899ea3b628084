// BeastTransport's POST (RFC 7662 introspection): method, body, Content-Type and Content-Length
// as sent, a caller's Accept replacing the default, and methods other than GET/POST refused.
#include <future>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "as_transport.h"
#include "daemon/fetch/test_pki.h"
#include "fetch/beast_transport.h"
#include "test_auth_server.h"
#include "wba/encoding/base64.h"

namespace wbad {
namespace {

namespace asio = boost::asio;
using std::chrono::seconds;
using testing::AsEndpoint;
using testing::TestAuthServer;
using testing::TestPki;

class TransportPost : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { pki_ = new TestPki(testing::make_test_pki({}, {"127.0.0.1"})); }
  static void TearDownTestSuite() {
    delete pki_;
    pki_ = nullptr;
  }
  void SetUp() override {
    as_ = std::make_unique<TestAuthServer>(*pki_);
    transport_ = testing::as_transport(ioc_.get_executor(), *pki_, *as_);
    thread_ = std::thread([this] { ioc_.run(); });
  }
  void TearDown() override {
    work_.reset();
    ioc_.stop();
    thread_.join();
    as_.reset();
  }

  fetch::FetchResult fetch(fetch::FetchRequest request) {
    std::promise<fetch::FetchResult> p;
    auto f = p.get_future();
    transport_->fetch(std::move(request),
                      [&p](fetch::FetchResult r) { p.set_value(std::move(r)); });
    EXPECT_EQ(f.wait_for(seconds(10)), std::future_status::ready);
    return f.get();
  }

  static TestPki* pki_;
  asio::io_context ioc_;
  asio::executor_work_guard<asio::io_context::executor_type> work_{ioc_.get_executor()};
  std::thread thread_;
  std::unique_ptr<TestAuthServer> as_;
  std::shared_ptr<fetch::BeastTransport> transport_;
};

TestPki* TransportPost::pki_ = nullptr;

TEST_F(TransportPost, SendsBodyWithContentTypeAndLength) {
  const std::string token = as_->issue_opaque({{"active", false}});
  fetch::FetchRequest r;
  r.url = as_->introspection_endpoint();
  r.method = "POST";
  r.body = "token=" + token + "&token_type_hint=access_token";
  r.headers.add("Content-Type", "application/x-www-form-urlencoded");
  r.headers.add("Accept", "application/json");
  r.headers.add("Authorization", "Basic " + wba::base64_encode("rs-client:rs-secret"));
  auto result = fetch(r);
  ASSERT_EQ(result.error, fetch::FetchError::none) << result.detail;
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.body, R"({"active":false})");
  ASSERT_EQ(as_->request_count(), 1u);
  auto seen = as_->requests().at(0);
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.endpoint, AsEndpoint::introspection);
  EXPECT_EQ(seen.body, r.body);
  EXPECT_EQ(seen.header("Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(seen.header("Content-Length"), std::to_string(r.body.size()));
  EXPECT_EQ(seen.header("Accept"), "application/json");  // replaced, not added
  int accepts = 0;
  for (const auto& [n, v] : seen.headers) accepts += wba::http::iequals(n, "accept") ? 1 : 0;
  EXPECT_EQ(accepts, 1);
}

TEST_F(TransportPost, PostWithoutContentTypeDefaultsToAForm) {
  fetch::FetchRequest r;
  r.url = as_->introspection_endpoint();
  r.method = "POST";
  r.body = "token=x";
  auto result = fetch(r);
  ASSERT_EQ(result.error, fetch::FetchError::none) << result.detail;
  EXPECT_EQ(result.status, 401);  // no credentials
  auto seen = as_->requests().at(0);
  EXPECT_EQ(seen.header("Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(seen.header("Content-Length"), "7");
}

TEST_F(TransportPost, GetStaysABodylessGet) {
  fetch::FetchRequest r;
  r.url = as_->jwks_uri();
  auto result = fetch(r);
  ASSERT_EQ(result.error, fetch::FetchError::none) << result.detail;
  EXPECT_EQ(result.status, 200);
  auto seen = as_->requests().at(0);
  EXPECT_EQ(seen.method, "GET");
  EXPECT_TRUE(seen.body.empty());
  EXPECT_EQ(seen.header("Content-Length"), "");
  EXPECT_EQ(seen.header("Content-Type"), "");
}

TEST_F(TransportPost, OtherMethodsAreRefused) {
  fetch::FetchRequest r;
  r.url = as_->jwks_uri();
  r.method = "DELETE";
  auto result = fetch(r);
  EXPECT_EQ(result.error, fetch::FetchError::protocol_error);
  EXPECT_EQ(as_->request_count(), 0u);
}

}  // namespace
}  // namespace wbad
