// A scripted HTTP(S) server on 127.0.0.1 for the fetcher's integration tests: Beast + OpenSSL,
// its own io_context and thread, one response per connection chosen by a handler the test
// sets (status, fields, body, and a delay to simulate a slow directory).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "test_pki.h"

namespace wbad::testing {

struct SeenRequest {
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string header(std::string_view name) const;  // "" when absent
};

struct ScriptedResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds delay{0};  // before answering (a slow directory)
};

class TestDirectoryServer {
 public:
  using Handler = std::function<ScriptedResponse(const SeenRequest&)>;

  // tls: serve HTTPS with the PKI's server certificate; else plain HTTP.
  TestDirectoryServer(const TestPki& pki, bool tls = true);
  ~TestDirectoryServer();
  TestDirectoryServer(const TestDirectoryServer&) = delete;
  TestDirectoryServer& operator=(const TestDirectoryServer&) = delete;

  std::uint16_t port() const noexcept;
  void set_handler(Handler handler);
  std::size_t request_count() const;
  std::vector<SeenRequest> requests() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace wbad::testing
