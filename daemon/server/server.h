// The HTTP/1.1 server, in the shape of Beast's async examples: a Listener per endpoint (TCP or
// Unix domain socket) and one Session per connection, owned by shared_ptr and run on its own
// strand. Every read has a timeout; every request gets a fresh parser with header and body
// limits; SIGTERM drains: listeners close, idle connections close, busy ones finish.
#pragma once

#include <atomic>
#include <list>
#include <memory>
#include <mutex>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>

#include "config/config.h"
#include "metrics/metrics.h"
#include "server/router.h"
#include "service/log.h"

namespace wbad {

namespace net = boost::asio;

class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Closes the connection if it is waiting for a request (drain); a busy one closes after
  // its response.
  virtual void close_if_idle() = 0;
};

// What listeners and sessions share. Limits are fixed at start (not reloadable).
struct ServerState {
  ServerState(std::shared_ptr<const Config> c, Router& r, Metrics& m, Logger& l)
      : config(std::move(c)), router(r), metrics(m), log(l) {}
  std::shared_ptr<const Config> config;
  Router& router;
  Metrics& metrics;
  Logger& log;
  std::atomic<bool> draining{false};
  std::atomic<std::size_t> connections{0};

  void add(std::weak_ptr<SessionBase> s);
  // Drain: every idle session closes; returns how many were still open.
  std::size_t close_idle_sessions();

 private:
  std::mutex mutex_;
  std::list<std::weak_ptr<SessionBase>> sessions_;
};

class Server {
 public:
  Server(net::io_context& ioc, std::shared_ptr<ServerState> state);
  // Binds every configured listener; errors name the address.
  wba::Status start();
  // Stops accepting and closes idle connections (SIGTERM).
  void drain();
  // The bound TCP port (useful with --listen ADDR:0); 0 without a TCP listener.
  unsigned short tcp_port() const noexcept { return tcp_port_; }

 private:
  net::io_context& ioc_;
  std::shared_ptr<ServerState> state_;
  std::vector<std::shared_ptr<void>> listeners_;
  std::vector<std::function<void()>> stoppers_;
  unsigned short tcp_port_ = 0;
};

}  // namespace wbad
