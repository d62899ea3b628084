#include "server/server.h"

#include <cstdio>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace wbad {

namespace beast = boost::beast;
using tcp = net::ip::tcp;
using local = net::local::stream_protocol;

void ServerState::add(std::weak_ptr<SessionBase> s) {
  std::lock_guard lock(mutex_);
  // Forget sessions that are gone, so the list stays the size of the open connections.
  sessions_.remove_if([](const std::weak_ptr<SessionBase>& w) { return w.expired(); });
  sessions_.push_back(std::move(s));
}

std::size_t ServerState::close_idle_sessions() {
  std::vector<std::shared_ptr<SessionBase>> live;
  {
    std::lock_guard lock(mutex_);
    for (auto& w : sessions_) {
      if (auto s = w.lock()) live.push_back(std::move(s));
    }
  }
  for (auto& s : live) s->close_if_idle();
  return live.size();
}

namespace {

template <class Protocol>
class Session : public SessionBase, public std::enable_shared_from_this<Session<Protocol>> {
 public:
  using Stream = beast::basic_stream<Protocol>;

  Session(typename Protocol::socket socket, std::shared_ptr<ServerState> state)
      : stream_(std::move(socket)), state_(std::move(state)) {
    state_->metrics.connection_opened();
  }
  ~Session() override {
    state_->connections.fetch_sub(1);
    state_->metrics.connection_closed();
  }

  void run() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::read, this->shared_from_this()));
  }

  void close_if_idle() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] {
      if (!self->busy_) self->stream_.cancel();
    });
  }

 private:
  void read() {
    if (state_->draining) return close();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(state_->config->max_header_bytes));
    parser_->body_limit(state_->config->max_body_bytes);
    // A connection waiting for its next request gets the idle timeout; once bytes of a request
    // are buffered, the request timeout applies.
    stream_.expires_after(buffer_.size() == 0 ? state_->config->idle_timeout
                                              : state_->config->request_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::on_read, this->shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == bhttp::error::end_of_stream || ec == net::error::operation_aborted ||
        ec == beast::error::timeout || ec == net::error::connection_reset ||
        ec == net::error::eof) {
      return close();
    }
    if (ec) {
      // Limits and malformed requests get a clean answer, then the connection closes.
      bhttp::status status = bhttp::status::bad_request;
      if (ec == bhttp::error::header_limit) status = bhttp::status::request_header_fields_too_large;
      if (ec == bhttp::error::body_limit) status = bhttp::status::payload_too_large;
      HttpResponse res{status, 11};
      res.set(bhttp::field::server, "wbad");
      res.set(bhttp::field::content_type, "application/json");
      res.body() = "{\"error\":\"bad_request\",\"detail\":\"" + ec.message() + "\"}\n";
      res.keep_alive(false);
      res.prepare_payload();
      return write(std::move(res));
    }
    busy_ = true;
    stream_.expires_never();  // verification may wait for a directory fetch (own timeouts)
    state_->router.handle(parser_->release(), [self = this->shared_from_this()](HttpResponse res) {
      // The router may answer from another thread: come back to this connection's strand.
      net::post(self->stream_.get_executor(),
                [self, res = std::move(res)]() mutable { self->write(std::move(res)); });
    });
  }

  void write(HttpResponse res) {
    if (state_->draining) res.keep_alive(false);
    keep_alive_ = res.keep_alive();
    response_ = std::make_shared<HttpResponse>(std::move(res));
    stream_.expires_after(state_->config->request_timeout);
    bhttp::async_write(stream_, *response_,
                       beast::bind_front_handler(&Session::on_write, this->shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    busy_ = false;
    response_.reset();
    if (ec || !keep_alive_) return close();
    read();
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(net::socket_base::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  Stream stream_;
  std::shared_ptr<ServerState> state_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::shared_ptr<HttpResponse> response_;
  bool busy_ = false;
  bool keep_alive_ = false;
};

template <class Protocol>
class Listener : public std::enable_shared_from_this<Listener<Protocol>> {
 public:
  Listener(net::io_context& ioc, std::shared_ptr<ServerState> state)
      : ioc_(ioc), acceptor_(net::make_strand(ioc)), state_(std::move(state)) {}

  wba::Status listen(const typename Protocol::endpoint& endpoint, const std::string& shown) {
    beast::error_code ec;
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec && std::is_same_v<Protocol, tcp>)
      acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec)
      return wba::Error(wba::Reason::io_error, "cannot listen on " + shown + ": " + ec.message());
    return {};
  }

  void accept() {
    acceptor_.async_accept(
        net::make_strand(ioc_),
        beast::bind_front_handler(&Listener::on_accept, this->shared_from_this()));
  }

  typename Protocol::endpoint local_endpoint() const {
    beast::error_code ec;
    return acceptor_.local_endpoint(ec);
  }

  void stop() {
    net::post(acceptor_.get_executor(), [self = this->shared_from_this()] {
      beast::error_code ec;
      self->acceptor_.close(ec);
    });
  }

 private:
  void on_accept(beast::error_code ec, typename Protocol::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (!ec) {
      bool refuse = state_->draining.load();
      if (!refuse && state_->connections.fetch_add(1) >= state_->config->max_connections) {
        state_->connections.fetch_sub(1);
        refuse = true;
      }
      if (refuse) {
        beast::error_code ignored;
        socket.close(ignored);  // over the connection limit: refuse at once
      } else {
        auto session = std::make_shared<Session<Protocol>>(std::move(socket), state_);
        state_->add(session);
        session->run();
      }
    } else {
      state_->log.log(LogLevel::warn, "accept failed", {{"error", ec.message()}});
    }
    accept();
  }

  net::io_context& ioc_;
  typename Protocol::acceptor acceptor_;
  std::shared_ptr<ServerState> state_;
};

wba::Result<tcp::endpoint> parse_endpoint(const std::string& listen) {
  auto colon = listen.rfind(':');
  std::string host = listen.substr(0, colon);
  std::string port = listen.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  beast::error_code ec;
  auto address = net::ip::make_address(host, ec);
  unsigned long p = 0;
  try {
    std::size_t used = 0;
    p = std::stoul(port, &used);
    if (used != port.size()) p = 70000;
  } catch (...) {
    p = 70000;
  }
  if (ec || p > 65535) {
    return wba::Error(wba::Reason::invalid_argument,
                      "--listen: expected ADDR:PORT with a numeric address, got '" + listen + "'");
  }
  return tcp::endpoint(address, static_cast<unsigned short>(p));
}

}  // namespace

Server::Server(net::io_context& ioc, std::shared_ptr<ServerState> state)
    : ioc_(ioc), state_(std::move(state)) {}

wba::Status Server::start() {
  const Config& c = *state_->config;
  if (!c.listen.empty()) {
    WBA_TRY(auto endpoint, parse_endpoint(c.listen));
    auto l = std::make_shared<Listener<tcp>>(ioc_, state_);
    WBA_CHECK(l->listen(endpoint, c.listen));
    tcp_port_ = l->local_endpoint().port();
    l->accept();
    stoppers_.push_back([l] { l->stop(); });
    listeners_.push_back(l);
  }
  if (!c.unix_socket.empty()) {
    std::remove(c.unix_socket.c_str());  // a stale socket file from an earlier run
    auto l = std::make_shared<Listener<local>>(ioc_, state_);
    WBA_CHECK(l->listen(local::endpoint(c.unix_socket), c.unix_socket));
    l->accept();
    stoppers_.push_back([l] { l->stop(); });
    listeners_.push_back(l);
  }
  return {};
}

void Server::drain() {
  state_->draining = true;
  for (auto& stop : stoppers_) stop();
  state_->close_idle_sessions();
}

}  // namespace wbad
