#include "test_directory_server.h"

#include <optional>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "wba/http/fields.h"

namespace wbad::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;

std::string SeenRequest::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (wba::http::iequals(n, name)) return v;
  }
  return {};
}

// Sessions and pending handlers point at the state without owning it: the io_context owns
// them, and destroying it (after the TLS context's users, before the context) frees them.
struct TestDirectoryServer::State {
  std::optional<ssl::context> tls;
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::thread thread;
  mutable std::mutex mutex;
  Handler handler;
  std::vector<SeenRequest> seen;
};

namespace {

// One connection: [TLS handshake] → read one request → [delay] → answer → close.
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(TestDirectoryServer::State* state, Stream stream)
      : state_(state), stream_(std::move(stream)), timer_(stream_.get_executor()) {}

  void run() {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(10));
    if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (!ec) self->read();
                              });
    } else {
      read();
    }
  }

 private:
  void read() {
    bhttp::async_read(stream_, buffer_, request_,
                      [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                        if (!ec) self->respond();
                      });
  }

  void respond() {
    SeenRequest seen;
    seen.target = std::string(request_.target());
    for (const auto& f : request_) {
      seen.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    }
    TestDirectoryServer::Handler handler;
    {
      std::lock_guard lock(state_->mutex);
      state_->seen.push_back(seen);
      handler = state_->handler;
    }
    ScriptedResponse scripted;
    if (handler) {
      scripted = handler(seen);
    } else {
      scripted.status = 404;
    }
    response_.result(static_cast<unsigned>(scripted.status));
    response_.version(11);
    for (const auto& [n, v] : scripted.headers) response_.insert(n, v);
    response_.body() = std::move(scripted.body);
    response_.prepare_payload();
    if (scripted.delay.count() > 0) {
      beast::get_lowest_layer(stream_).expires_never();
      timer_.expires_after(scripted.delay);
      timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
        if (!ec) self->write();
      });
    } else {
      write();
    }
  }

  void write() {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(10));
    bhttp::async_write(stream_, response_,
                       [self = this->shared_from_this()](beast::error_code, std::size_t) {
                         beast::error_code ignored;
                         beast::get_lowest_layer(self->stream_)
                             .socket()
                             .shutdown(tcp::socket::shutdown_both, ignored);
                         beast::get_lowest_layer(self->stream_).close();
                       });
  }

  TestDirectoryServer::State* state_;
  Stream stream_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  bhttp::request<bhttp::string_body> request_;
  bhttp::response<bhttp::string_body> response_;
};

void accept(TestDirectoryServer::State* state) {
  state->acceptor.async_accept(
      asio::make_strand(state->ioc), [state](beast::error_code ec, tcp::socket socket) {
        if (ec) return;  // acceptor closed
        if (state->tls) {
          beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)),
                                                      *state->tls);
          std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(state, std::move(stream))
              ->run();
        } else {
          std::make_shared<Session<beast::tcp_stream>>(state, beast::tcp_stream(std::move(socket)))
              ->run();
        }
        accept(state);
      });
}

}  // namespace

TestDirectoryServer::TestDirectoryServer(const TestPki& pki, bool tls)
    : state_(std::make_shared<State>()) {
  if (tls) {
    state_->tls.emplace(ssl::context::tls_server);
    state_->tls->use_certificate_chain(asio::buffer(pki.server_cert_pem));
    state_->tls->use_private_key(asio::buffer(pki.server_key_pem), ssl::context::pem);
  }
  tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
  state_->acceptor.open(ep.protocol());
  state_->acceptor.set_option(asio::socket_base::reuse_address(true));
  state_->acceptor.bind(ep);
  state_->acceptor.listen();
  accept(state_.get());
  state_->thread = std::thread([s = state_.get()] { s->ioc.run(); });
}

TestDirectoryServer::~TestDirectoryServer() {
  state_->ioc.stop();
  if (state_->thread.joinable()) state_->thread.join();
}

std::uint16_t TestDirectoryServer::port() const noexcept {
  return state_->acceptor.local_endpoint().port();
}

void TestDirectoryServer::set_handler(Handler handler) {
  std::lock_guard lock(state_->mutex);
  state_->handler = std::move(handler);
}

std::size_t TestDirectoryServer::request_count() const {
  std::lock_guard lock(state_->mutex);
  return state_->seen.size();
}

std::vector<SeenRequest> TestDirectoryServer::requests() const {
  std::lock_guard lock(state_->mutex);
  return state_->seen;
}

}  // namespace wbad::testing
