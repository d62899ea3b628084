#include "service/verify_service.h"

#include "wba/sig/signer.h"

namespace wbad {

using wba::Reason;
namespace profile = wba::profile;

unsigned enforce_status(const Verdict& v) noexcept {
  if (v.valid || v.anonymous) return 200;
  if (v.token && (v.token->state == TokenOutcome::State::rejected ||
                  v.token->state == TokenOutcome::State::unverified)) {
    return static_cast<unsigned>(wba::token::token_error_mapping(v.reason).status);
  }
  return is_policy_refusal(v.reason) ? 403 : 401;
}

bool is_policy_refusal(Reason reason) noexcept {
  switch (reason) {
    case Reason::test_key_refused:
    case Reason::lifetime_too_long:
    case Reason::missing_nonce:
    case Reason::missing_signature_agent:
      return true;
    default:
      return false;
  }
}

struct VerifyService::Check {
  wba::http::Message message;
  Frontend frontend = Frontend::json_api;
  std::shared_ptr<const Config> config;
  std::shared_ptr<KeySource> keys;
  std::shared_ptr<TokenService> tokens;
  profile::ProfileVerifier verifier;
  // The first verified signature is the agent's; with a token to bind, the other verified
  // web-bot-auth signatures are collected too (intermediaries, never actors).
  std::optional<profile::AgentVerdict> agent;
  std::vector<wba::token::VerifiedAgent> agents;
  bool collect_all = false;
  std::vector<wba::Result<profile::PreparedSignature>> candidates;
  std::size_t next = 0;
  std::optional<wba::Error> first_error;
  std::chrono::steady_clock::time_point start;
  std::int64_t now = 0;
  std::function<void(Verdict)> done;

  Check(wba::http::Message m, profile::ProfilePolicy policy)
      : message(std::move(m)), verifier(std::move(policy)) {}
};

VerifyService::VerifyService(std::shared_ptr<const Config> config, std::shared_ptr<KeySource> keys,
                             std::shared_ptr<TokenService> tokens,
                             std::shared_ptr<ReplayStore> replay, Metrics& metrics, Logger& log)
    : config_(std::move(config)),
      keys_(std::move(keys)),
      tokens_(std::move(tokens)),
      replay_(std::move(replay)),
      metrics_(metrics),
      log_(log) {}

void VerifyService::reconfigure(std::shared_ptr<const Config> config,
                                std::shared_ptr<KeySource> keys,
                                std::shared_ptr<TokenService> tokens) {
  std::lock_guard lock(mutex_);
  config_ = std::move(config);
  keys_ = std::move(keys);
  tokens_ = std::move(tokens);
}

std::shared_ptr<const Config> VerifyService::config() const {
  std::lock_guard lock(mutex_);
  return config_;
}

void VerifyService::check(wba::http::Message message, Frontend frontend,
                          std::optional<std::int64_t> now, std::function<void(Verdict)> done) {
  std::shared_ptr<const Config> config;
  std::shared_ptr<KeySource> keys;
  std::shared_ptr<TokenService> tokens;
  {
    std::lock_guard lock(mutex_);
    config = config_;
    keys = keys_;
    tokens = tokens_;
  }
  const std::int64_t clock = now.value_or(wba::sig::unix_now());
  profile::ProfilePolicy policy;
  policy.now = clock;
  policy.max_clock_skew = config->max_clock_skew;
  policy.max_lifetime = config->max_lifetime;
  policy.require_nonce = config->require_nonce;
  policy.require_signature_agent = config->require_signature_agent;
  policy.allow_test_keys = config->allow_test_keys;
  policy.agent_urls.allow_http = config->allow_http_directories;
  policy.agent_urls.accept_legacy_string = config->accept_legacy_signature_agent;
  policy.agent_urls.accept_cimd_type = config->accept_cimd_agents;

  auto c = std::make_shared<Check>(std::move(message), std::move(policy));
  c->frontend = frontend;
  c->config = std::move(config);
  c->keys = std::move(keys);
  c->tokens = std::move(tokens);
  c->collect_all = c->tokens && wba::http::headers(c->message).contains("authorization");
  c->start = std::chrono::steady_clock::now();
  c->now = clock;
  c->done = std::move(done);
  metrics_.count_request(frontend);

  auto prepared = c->verifier.prepare(c->message);
  if (!prepared) {
    Verdict v;
    v.reason = prepared.reason();
    v.detail = prepared.error().detail;
    v.outcome = profile::outcome_of(v.reason);
    v.anonymous = v.reason == Reason::missing_signature && c->config->allow_unsigned;
    finish(c, std::move(v));
    return;
  }
  c->candidates = std::move(prepared).value();
  next_candidate(std::move(c));
}

void VerifyService::next_candidate(std::shared_ptr<Check> c) {
  while (c->next < c->candidates.size()) {
    auto& candidate = c->candidates[c->next++];
    if (!candidate) {
      if (!c->first_error) c->first_error = candidate.error();
      continue;
    }
    const profile::PreparedSignature& prepared = *candidate;
    // The callback may run inline or on a fetcher thread: it owns `c` and continues from there.
    c->keys->find_key(prepared.query, [this, c, &prepared](wba::Result<wba::VerifyingKey> key) {
      if (!key) {
        if (!c->first_error) c->first_error = key.error();
        next_candidate(c);
        return;
      }
      auto verdict = c->verifier.verify_prepared(c->message, prepared, *key);
      if (!verdict) {
        if (!c->first_error) c->first_error = verdict.error();
        next_candidate(c);
        return;
      }
      // Replay: only after the signature verified, so that forged requests cannot fill the
      // store; the entry lives until the signature expires (plus skew).
      if (c->config->replay_protection && replay_) {
        const auto& params = verdict->signature.params();
        const std::int64_t until = params.expires().value_or(c->now) + c->config->max_clock_skew;
        bool fresh = true;
        if (auto nonce = params.nonce()) {
          fresh = replay_->check_and_record(
              view(replay_key_for_nonce(verdict->key_thumbprint, *nonce)), until, c->now);
        }
        if (fresh && c->config->replay_whole_signatures) {
          fresh = replay_->check_and_record(
              view(replay_key_for_signature(prepared.signature.signature)), until, c->now);
        }
        if (!fresh) {
          metrics_.count_replay_rejection();
          Verdict v;
          v.reason = Reason::replayed;
          v.detail = "signature '" + prepared.signature.label + "' was seen before";
          v.outcome = profile::Outcome::invalid;
          finish(c, std::move(v));
          return;
        }
      }
      if (c->tokens) c->agents.push_back(verified_agent(*verdict));
      if (!c->agent) c->agent = std::move(verdict).value();
      if (c->collect_all && c->next < c->candidates.size()) return next_candidate(c);
      token_stage(c);
    });
    return;
  }
  if (c->agent) return token_stage(std::move(c));
  Verdict v;
  v.reason = c->first_error ? c->first_error->reason : Reason::no_matching_signature;
  v.detail = c->first_error ? c->first_error->detail : "no web-bot-auth signature";
  v.outcome = profile::outcome_of(v.reason);
  finish(c, std::move(v));
}

void VerifyService::token_stage(std::shared_ptr<Check> c) {
  Verdict v;
  v.valid = true;
  v.outcome = profile::Outcome::verified;
  v.agent = std::move(c->agent);
  if (!c->tokens) return finish(c, std::move(v));
  auto agents = std::move(c->agents);
  const wba::http::Message& message = c->message;  // outlives the call: `c` is captured
  c->tokens->check(
      message, std::move(agents), c->now, [this, c, v = std::move(v)](TokenOutcome t) mutable {
        using State = TokenOutcome::State;
        if (t.state == State::rejected || t.state == State::unverified) {
          v.valid = false;
          v.reason = t.reason;
          v.detail = t.detail;
          v.outcome =
              t.state == State::rejected ? profile::Outcome::invalid : profile::Outcome::unverified;
        }
        v.token = std::move(t);
        finish(c, std::move(v));
      });
}

void VerifyService::finish(const std::shared_ptr<Check>& c, Verdict v) {
  v.duration = std::chrono::steady_clock::now() - c->start;
  metrics_.observe_latency(v.duration);
  metrics_.count_verdict(c->frontend, v.reason);
  if (log_.enabled(LogLevel::info)) {
    LogFields f;
    f.add("frontend", to_string(c->frontend))
        .add("valid", v.valid)
        .add("outcome", to_string(v.outcome))
        .add("reason", wba::to_string(v.reason))
        .add("duration_us",
             std::chrono::duration_cast<std::chrono::microseconds>(v.duration).count());
    if (v.token) {
      f.add("token", to_string(v.token->state));
      if (v.token->delegation) {
        const auto& d = *v.token->delegation;
        f.add("audit", d.audit);  // "agent X [key …] acting for principal Y …"
        f.add("principal", d.principal_sub);
        if (d.actor) f.add("actor", d.actor->sub);
        f.add("binding", d.binding.kind);
        f.add("token_sha256", d.token_sha256);  // never the token itself
        f.add("token_id", d.token_id);
      }
    }
    if (v.agent) {
      f.add("label", v.agent->signature.label());
      f.add("key_thumbprint", v.agent->key_thumbprint);
      if (v.agent->agent) f.add("agent", v.agent->agent->agent_url);
    }
    if (!v.valid) {
      f.add("detail", v.detail);
      if (v.anonymous) f.add("anonymous", true);
    }
    log_.log(LogLevel::info, "verdict", f);
  }
  auto done = std::move(c->done);
  done(std::move(v));
}

}  // namespace wbad
