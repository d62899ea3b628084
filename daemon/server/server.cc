#include "server/server.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
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

// One connection. No Beast stream or read/write operations on the hot path: the socket is
// non-blocking; a request is read with one recv by the reactor once the socket is readable,
// parsed with Beast's parser from a buffer reused for the connection,
// and the answer (already serialized, see Reply) goes out with one send, falling back to an
// asynchronous write only when the socket does not take it all. Timeouts use one lazily
// re-armed timer per connection: a request only updates a deadline.
template <class Protocol>
class Session : public SessionBase, public std::enable_shared_from_this<Session<Protocol>> {
 public:
  using Socket = typename Protocol::socket;
  using Clock = std::chrono::steady_clock;

  Session(Socket socket, std::shared_ptr<ServerState> state)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), state_(std::move(state)) {
    state_->metrics.connection_opened();
  }
  ~Session() override {
    state_->connections.fetch_sub(1);
    state_->metrics.connection_closed();
  }

  void run() {
    net::dispatch(socket_.get_executor(), [self = this->shared_from_this()] {
      beast::error_code ec;
      self->socket_.non_blocking(true, ec);
      if (ec) return self->close();
      self->read();
    });
  }

  void close_if_idle() override {
    net::post(socket_.get_executor(), [self = this->shared_from_this()] {
      if (!self->busy_) self->close();
    });
  }

 private:
  static constexpr std::size_t kReadChunk = 4096;

  // Reads the next request (a new connection's first read is tried at once).
  void read() {
    if (closed_) return;
    if (state_->draining) return close();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(state_->config->max_header_bytes));
    parser_->body_limit(state_->config->max_body_bytes);
    parser_->eager(true);
    // A connection waiting for its next request gets the idle timeout; once bytes of a request
    // are buffered, the request timeout applies.
    if (end_ == begin_) {
      arm(Deadline::idle, state_->config->idle_timeout);
    } else {
      arm(Deadline::request, state_->config->request_timeout);
    }
    if (end_ > begin_) return parse();  // a pipelined request is already here
    wait_readable();
  }

  // The reactor performs the read when the socket becomes readable: one recv, no epoll_ctl.
  // (An async_wait would re-register the descriptor with epoll on every request, and a read
  // right after a response would only return EAGAIN: Asio skips its speculative read once a
  // read came back short.)
  void wait_readable() {
    if (buffer_.size() - end_ < kReadChunk) {
      // Move what is buffered to the front, and grow only when a request needs more.
      if (begin_ > 0) {
        std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
      }
      if (buffer_.size() - end_ < kReadChunk) buffer_.resize(end_ + kReadChunk);
    }
    socket_.async_read_some(net::buffer(buffer_.data() + end_, buffer_.size() - end_),
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->on_read(ec, n);
                            });
  }

  void on_read(beast::error_code ec, std::size_t n) {
    if (closed_) return;
    if (ec == net::error::eof) {
      if (!parser_->got_some() && end_ == begin_) return close();  // between requests
      parser_->put_eof(ec);
      if (!ec) ec = bhttp::error::partial_message;
      return fail(ec);
    }
    if (ec) return close();
    end_ += n;
    parse();
  }

  void parse() {
    beast::error_code ec;
    while (end_ > begin_) {
      std::size_t used = parser_->put(net::buffer(buffer_.data() + begin_, end_ - begin_), ec);
      begin_ += used;
      if (ec == bhttp::error::need_more) {
        ec = {};
        break;
      }
      if (ec) return fail(ec);
      if (parser_->is_done()) {
        if (begin_ == end_) begin_ = end_ = 0;
        return handle();
      }
      if (used == 0) break;
    }
    if (begin_ == end_) begin_ = end_ = 0;
    wait_readable();
  }

  // Limits and malformed requests get a clean answer, then the connection closes.
  void fail(beast::error_code ec) {
    bhttp::status status = bhttp::status::bad_request;
    if (ec == bhttp::error::header_limit) status = bhttp::status::request_header_fields_too_large;
    if (ec == bhttp::error::body_limit) status = bhttp::status::payload_too_large;
    HttpResponse res{status, 11};
    res.set(bhttp::field::server, "wbad");
    res.set(bhttp::field::content_type, "application/json");
    res.body() = "{\"error\":\"bad_request\",\"detail\":\"" + ec.message() + "\"}\n";
    res.keep_alive(false);
    res.prepare_payload();
    busy_ = true;
    write(to_reply(res));
  }

  void handle() {
    busy_ = true;
    disarm();  // verification may wait for a directory fetch (own timeouts)
    // The answer is always posted back to the connection's executor, also when it arrives
    // inline (the key was cached): the handlers the reactor already reported ready run first,
    // so the answers of one batch leave together. Each send to a peer sleeping in epoll_wait
    // wakes it, an inter-processor interrupt when it sleeps on another core, which cost wbad
    // more than the rest of a request's kernel work; a peer already woken by the batch's first
    // answer needs no second wake-up (docs/PERFORMANCE.md).
    state_->router.handle(
        parser_->release(), [self = this->shared_from_this()](Reply reply) mutable {
          auto ex = self->socket_.get_executor();
          net::post(ex, [self = std::move(self), reply = std::move(reply)]() mutable {
            self->write(std::move(reply));
          });
        });
  }

  void write(Reply reply) {
    if (closed_) return;
    keep_alive_ = reply.keep_alive && !state_->draining;
    out_ = std::move(reply.wire);
    if (!keep_alive_ && reply.keep_alive) {
      // Draining: the answer says so (as Beast's keep_alive(false) would have): HTTP/1.0 loses
      // its "Connection: keep-alive", HTTP/1.1 gets "Connection: close".
      std::size_t head = out_.find("\r\n\r\n");
      std::size_t at = out_.find("\r\nConnection: keep-alive\r\n");
      if (at != std::string::npos && at < head) {
        out_.erase(at + 2, std::string_view("Connection: keep-alive\r\n").size());
      } else if (out_.compare(0, 8, "HTTP/1.0") != 0) {
        at = out_.find("\r\n");
        if (at != std::string::npos) out_.insert(at + 2, "Connection: close\r\n");
      }
    }
    beast::error_code ec;
    std::size_t n = socket_.write_some(net::buffer(out_), ec);
    if (ec == net::error::would_block || ec == net::error::try_again) {
      ec = {};
      n = 0;
    }
    if (ec) return close();
    if (n == out_.size()) return on_written({});
    // The socket buffer is full: the rest goes out asynchronously, under the request timeout.
    arm(Deadline::request, state_->config->request_timeout);
    net::async_write(socket_, net::buffer(out_.data() + n, out_.size() - n),
                     [self = this->shared_from_this()](beast::error_code e, std::size_t) {
                       self->on_written(e);
                     });
  }

  void on_written(beast::error_code ec) {
    busy_ = false;
    if (ec || !keep_alive_) return close();
    if (out_.capacity() > 64 * 1024) std::string().swap(out_);
    read();
  }

  // Timeouts: `deadline_` moves with every request; the timer only fires once per timeout
  // period and re-arms itself for the current deadline (or stops while a request is being
  // verified).
  enum class Deadline { none, idle, request };
  void arm(Deadline kind, std::chrono::seconds timeout) {
    deadline_ = Clock::now() + timeout;
    deadline_kind_ = kind;
    if (!timer_armed_ || deadline_ < timer_at_) start_timer();
  }
  void disarm() { deadline_kind_ = Deadline::none; }
  void start_timer() {
    timer_armed_ = true;
    timer_at_ = deadline_;
    timer_.expires_at(timer_at_);
    timer_.async_wait(
        [self = this->shared_from_this()](beast::error_code ec) { self->on_timer(ec); });
  }
  void on_timer(beast::error_code ec) {
    if (ec == net::error::operation_aborted) return;  // re-armed earlier, or closing
    timer_armed_ = false;
    if (closed_ || deadline_kind_ == Deadline::none) return;
    if (Clock::now() >= deadline_) return close();  // idle or too slow
    start_timer();
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    beast::error_code ec;
    socket_.shutdown(net::socket_base::shutdown_send, ec);
    socket_.close(ec);
    timer_.cancel();
  }

  Socket socket_;
  net::steady_timer timer_;
  std::shared_ptr<ServerState> state_;
  std::vector<char> buffer_;
  std::size_t begin_ = 0, end_ = 0;  // unparsed bytes in buffer_
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::string out_;
  Clock::time_point deadline_{};
  Clock::time_point timer_at_{};
  Deadline deadline_kind_ = Deadline::none;
  bool timer_armed_ = false;
  bool busy_ = false;
  bool keep_alive_ = false;
  bool closed_ = false;
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
    // With one I/O thread the io_context is already a strand: sessions skip the strand layer.
    net::any_io_executor ex = ioc_.get_executor();
    if (state_->config->threads > 1) ex = net::make_strand(ioc_);
    acceptor_.async_accept(
        ex, beast::bind_front_handler(&Listener::on_accept, this->shared_from_this()));
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
