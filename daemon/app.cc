#include "app.h"

#include <csignal>
#include <cstdio>
#include <iostream>
#include <thread>

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "config/config.h"
#include "metrics/metrics.h"
#include "replay/replay_store.h"
#include "server/router.h"
#include "server/server.h"
#include "service/key_sources.h"
#include "service/log.h"
#include "service/verify_service.h"
#include "token/token_service.h"

namespace wbad {
namespace {

// The token stage runs when there is something to bind tokens to (a trusted issuer) or a policy
// that requires tokens. With no issuer and no requirement, an Authorization field is the
// protected API's own business: refusing every such request would break a zero-configuration
// deployment, and no token could ever bind anyway (docs/DELEGATION.md "Departures").
bool token_stage_enabled(const Config& c) {
  if (c.token_policy == TokenPolicy::required || !c.issuers.empty()) return true;
  for (const auto& r : c.routes) {
    if (r.token == TokenPolicy::required) return true;
  }
  return false;
}

// Errors name the option (make_token_service's contract).
wba::Result<std::shared_ptr<TokenService>> make_tokens(const Config& c, net::io_context& ioc,
                                                       std::shared_ptr<TokenMetrics> metrics,
                                                       std::shared_ptr<ReplayStore> replay) {
  if (!token_stage_enabled(c)) return std::shared_ptr<TokenService>();
  return make_token_service(c, ioc, std::move(metrics), std::move(replay));
}

}  // namespace

int run_daemon(int argc, const char* const* argv) {
  auto parsed = parse_command_line(argc, argv);
  if (!parsed) {
    std::cerr << "wbad: " << parsed.error().detail << "\n";
    return 2;
  }
  if (parsed->help) {
    std::cout << help_text();
    return 0;
  }
  auto config = std::make_shared<const Config>(std::move(parsed->config));
  Logger log(parse_log_level(config->log_level));
  Metrics metrics;
  net::io_context ioc(static_cast<int>(config->threads));

  auto fetch_metrics = std::make_shared<fetch::FetchMetrics>();
  metrics.add_extra(
      [fetch_metrics](std::string& out) { render_fetch_metrics(*fetch_metrics, out); });
  auto keys = make_key_source(*config, ioc, fetch_metrics);
  if (!keys) {
    std::cerr << "wbad: " << keys.error().detail << "\n";
    return 2;
  }
  std::shared_ptr<ReplayStore> replay =
      std::make_shared<MemoryReplayStore>(config->replay_max_entries);
  auto token_metrics = std::make_shared<TokenMetrics>();
  metrics.add_extra(
      [token_metrics](std::string& out) { render_token_metrics(*token_metrics, out); });
  auto tokens = make_tokens(*config, ioc, token_metrics, replay);
  if (!tokens) {
    std::cerr << "wbad: " << tokens.error().detail << "\n";
    return 2;
  }
  auto service = std::make_shared<VerifyService>(config, *keys, *tokens, replay, metrics, log);
  std::atomic<bool> draining{false};
  Router router(service, metrics, [&draining] { return !draining.load(); });
  auto state = std::make_shared<ServerState>(config, router, metrics, log);
  Server server(ioc, state);
  if (auto s = server.start(); !s) {
    std::cerr << "wbad: " << s.error().detail << "\n";
    return 2;
  }
  log.log(LogLevel::info, "listening",
          {{"listen", config->listen},
           {"port", server.tcp_port()},
           {"unix_socket", config->unix_socket},
           {"threads", config->threads},
           {"mode", config->mode == Mode::enforce ? "enforce" : "observe"}});

  // Signals are handled on the I/O threads like everything else (no work in a signal handler).
  net::signal_set signals(ioc, SIGTERM, SIGINT, SIGHUP);
  net::steady_timer grace(ioc);
  std::function<void(const boost::system::error_code&, int)> on_signal;
  on_signal = [&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    if (sig == SIGHUP) {
      auto next = reload(*service->config(), argc, argv);
      if (!next) {
        log.log(LogLevel::error, "reload failed, keeping the running configuration",
                {{"error", next.error().detail}});
      } else {
        auto cfg = std::make_shared<const Config>(std::move(next).value());
        auto new_keys = make_key_source(*cfg, ioc, fetch_metrics);
        if (!new_keys) {
          log.log(LogLevel::error, "reload failed, keeping the running configuration",
                  {{"error", new_keys.error().detail}});
        } else if (auto new_tokens = make_tokens(*cfg, ioc, token_metrics, replay); !new_tokens) {
          log.log(LogLevel::error, "reload failed, keeping the running configuration",
                  {{"error", new_tokens.error().detail}});
        } else {
          service->reconfigure(cfg, *new_keys, *new_tokens);
          log.set_level(parse_log_level(cfg->log_level));
          log.log(LogLevel::info, "configuration reloaded");
        }
      }
      signals.async_wait(on_signal);
      return;
    }
    // SIGTERM/SIGINT: stop accepting, let in-flight requests finish, then stop.
    log.log(LogLevel::info, "draining", {{"grace_seconds", config->shutdown_grace.count()}});
    draining = true;
    server.drain();
    signals.clear();
    grace.expires_after(config->shutdown_grace);
    grace.async_wait([&](const boost::system::error_code&) { ioc.stop(); });
    // Once every connection is gone, stop at once instead of waiting for the grace timer.
    auto poll = std::make_shared<std::function<void()>>();
    auto poller = std::make_shared<net::steady_timer>(ioc);
    *poll = [&ioc, state, poller, weak = std::weak_ptr<std::function<void()>>(poll)] {
      if (state->connections.load() == 0) {
        ioc.stop();
        return;
      }
      state->close_idle_sessions();
      poller->expires_after(std::chrono::milliseconds(50));
      poller->async_wait([p = weak.lock()](const boost::system::error_code& e) {
        if (!e && p) (*p)();
      });
    };
    (*poll)();
  };
  signals.async_wait(on_signal);

  std::vector<std::thread> pool;
  for (unsigned i = 1; i < config->threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : pool) t.join();
  log.log(LogLevel::info, "stopped");
  return 0;
}

}  // namespace wbad
