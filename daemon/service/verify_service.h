// The single core every front end calls: Web Bot Auth verification of one request, with key
// lookup (static or fetched directories), replay protection, metrics and the verdict log line.
// Front ends only translate their protocol to an http::Message and the Verdict back.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "config/config.h"
#include "keys/key_source.h"
#include "metrics/metrics.h"
#include "replay/replay_store.h"
#include "service/log.h"
#include "token/token_service.h"
#include "wba/http/message.h"
#include "wba/profile/web_bot_auth.h"

namespace wbad {

struct Verdict {
  bool valid = false;      // a web-bot-auth signature verified
  bool anonymous = false;  // no signature at all, and the policy lets unsigned requests pass
  wba::Reason reason = wba::Reason::ok;
  std::string detail;
  wba::profile::Outcome outcome = wba::profile::Outcome::invalid;
  std::optional<wba::profile::AgentVerdict> agent;  // set when the signature verified
  // Set when the token stage ran (a verified agent, and a token service configured): no_token,
  // bound (with the delegation), rejected or unverified — the last two make the verdict invalid
  // with the token's reason.
  std::optional<TokenOutcome> token;
  std::chrono::nanoseconds duration{0};
};

// Whether a failure is a policy refusal (403) rather than a missing/invalid signature (401).
bool is_policy_refusal(wba::Reason reason) noexcept;

// The HTTP status a front end answers for a verdict in enforce mode: 200 when valid or
// anonymous; token failures per docs/DELEGATION.md §5 (400, 401, 403, 503); signature failures
// 401, policy refusals 403.
unsigned enforce_status(const Verdict& verdict) noexcept;

class VerifyService {
 public:
  // `tokens` may be null: no token stage (no issuer configured).
  VerifyService(std::shared_ptr<const Config> config, std::shared_ptr<KeySource> keys,
                std::shared_ptr<TokenService> tokens, std::shared_ptr<ReplayStore> replay,
                Metrics& metrics, Logger& log);

  // Verifies `message` and calls `done` exactly once (possibly inline, possibly on another
  // thread after a directory fetch). `now` overrides the clock (JSON API tests only).
  void check(wba::http::Message message, Frontend frontend, std::optional<std::int64_t> now,
             std::function<void(Verdict)> done);

  // SIGHUP: a new configuration and key source for requests that start from now on.
  void reconfigure(std::shared_ptr<const Config> config, std::shared_ptr<KeySource> keys,
                   std::shared_ptr<TokenService> tokens);
  std::shared_ptr<const Config> config() const;

 private:
  struct Check;
  void next_candidate(std::shared_ptr<Check> check);
  void token_stage(std::shared_ptr<Check> check);
  void finish(const std::shared_ptr<Check>& check, Verdict verdict);

  mutable std::mutex mutex_;  // guards config_, keys_ and tokens_ (swapped on reload)
  std::shared_ptr<const Config> config_;
  std::shared_ptr<KeySource> keys_;
  std::shared_ptr<TokenService> tokens_;
  std::shared_ptr<ReplayStore> replay_;
  Metrics& metrics_;
  Logger& log_;
};

}  // namespace wbad
