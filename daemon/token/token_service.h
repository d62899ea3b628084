// The token stage of wbad: after the Web Bot Auth stage has verified who signed a request, check
// the delegated OAuth access token it presents and bind it to that agent (docs/DELEGATION.md;
// research delegation.md §4). Per request:
//   1. the route's policy (routes prefix → token required / optional / off, required scopes,
//      require_delegation);
//   2. the presented token (Authorization: Bearer / DPoP / HTTPSig) — none → no_token, or
//      token_required when the route requires one;
//   3. DPoP: exactly one DPoP field, RFC 9449 §4.3 checks against the request's method and
//      target URI, then the proof's jti against the replay store (signature_replayed); the
//      covering Web Bot Auth signature's nonce is the caller's (VerifyService) to replay-check;
//   4. the token: a cached validation (by SHA-256 of the token; time re-checked), or
//      - a JWT: its `iss` must be a configured issuer (else untrusted_issuer, nothing fetched),
//        then the issuer's keys (static JWKS file, or RFC 8414 / OIDC discovery with the
//        caching of issuer_key_source.h) and validate_access_token;
//      - an opaque token: RFC 7662 introspection when an issuer has an endpoint, else
//        unsupported_token_format;
//   5. bind_token with the configured BindingPolicy — never cached: the same token presented
//      by another agent is refused even when its validation is cached.
// Outcomes: no_token, bound (with the Delegation), rejected (a reason of delegation.md §5), or
// unverified (issuer_metadata_unavailable, introspection_unavailable: the token could not be
// checked; suggested 503).
//
// Not wired into request handling here: VerifyService calls check() with the verified agents.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "config/config.h"
#include "fetch/beast_transport.h"
#include "fetch/clock.h"
#include "fetch/transport.h"
#include "replay/replay_store.h"
#include "token/introspection_client.h"
#include "token/issuer_key_source.h"
#include "token/route_policy.h"
#include "token/token_cache.h"
#include "token/token_metrics.h"
#include "wba/http/message.h"
#include "wba/profile/web_bot_auth.h"
#include "wba/result.h"
#include "wba/token/access_token.h"
#include "wba/token/binding.h"

namespace wbad {

struct TokenOutcome {
  enum class State { no_token, bound, rejected, unverified };
  State state = State::no_token;
  wba::Reason reason = wba::Reason::ok;
  std::string detail;
  std::optional<wba::token::Delegation> delegation;  // when bound
  std::optional<wba::token::Scheme> scheme;          // when a token was presented
};

// "no_token", "bound", "rejected", "unverified".
std::string_view to_string(TokenOutcome::State state) noexcept;

// What the token stage needs to know about a verified web-bot-auth signature
// (docs/DELEGATION.md §1): K, U (the directory its key came from), O for a bare-origin
// directory member, C for a type=cimd card (fetched at U, client_id == U), the parameters.
wba::token::VerifiedAgent verified_agent(const wba::profile::AgentVerdict& verdict);

// What tests (and only tests) replace; the daemon passes {}.
struct TokenServiceOverrides {
  std::shared_ptr<fetch::HttpTransport> transport;         // instead of a BeastTransport
  std::optional<fetch::TransportConfig> transport_config;  // for the BeastTransport
  std::optional<fetch::Clock> clock;                       // cache times (not token times)
  std::optional<IssuerKeySourceConfig> key_source;
  std::size_t max_introspections_in_flight = 64;
};

class TokenService : public std::enable_shared_from_this<TokenService> {
 public:
  // Checks the token of `request` for the verified web-bot-auth signatures `agents` (the
  // agent's first; empty when the request was not verified: only no_token or a rejection can
  // come out then) at `now` (Unix seconds). Calls `done` exactly once, inline or from a
  // transport thread; never blocks.
  void check(const wba::http::Message& request, std::vector<wba::token::VerifiedAgent> agents,
             std::int64_t now, std::function<void(TokenOutcome)> done) const;

  const RoutePolicies& routes() const noexcept { return routes_; }
  const TokenMetrics& metrics() const noexcept { return *metrics_; }
  std::size_t cached_validations() const { return cache_->size(); }

  struct Issuer {
    wba::token::IssuerPolicy policy;
    bool wba_signature_as_pop = false;
    bool has_keys = false;  // static JWKS or discovery
    std::optional<IntrospectionEndpoint> introspection;
  };
  struct Check;

 private:
  friend wba::Result<std::shared_ptr<TokenService>> make_token_service(
      const Config&, boost::asio::io_context&, std::shared_ptr<TokenMetrics>,
      std::shared_ptr<ReplayStore>, TokenServiceOverrides);
  TokenService() = default;

  void validate_jwt(std::shared_ptr<Check> c, wba::token::JwtCandidate candidate) const;
  void introspect(std::shared_ptr<Check> c, const Issuer& issuer) const;
  void bind(const std::shared_ptr<Check>& c, const wba::token::AccessToken& token) const;
  void finish(const std::shared_ptr<Check>& c, TokenOutcome outcome) const;
  void fail(const std::shared_ptr<Check>& c, const wba::Error& error) const;

  RoutePolicies routes_{Config{}};
  std::map<std::string, Issuer, std::less<>> issuers_;
  const Issuer* introspection_issuer_ = nullptr;  // the first issuer with an endpoint
  wba::token::BindingPolicy binding_;             // global part; route and issuer parts per call
  std::int64_t dpop_window_ = 60;
  bool replay_dpop_ = true;
  std::shared_ptr<TokenMetrics> metrics_;
  std::shared_ptr<ReplayStore> replay_;
  std::shared_ptr<IssuerKeySource> keys_;
  std::shared_ptr<TokenCache> cache_;
  std::shared_ptr<IntrospectionClient> introspection_;
};

// Builds the token stage from the configuration: issuers (JWKS files read and parsed now),
// introspection credentials, the transport (same outbound policy as key directories:
// --allow-private-fetch, --allow-http-directories, --allow-directory-port, --directory-ca-file).
// Errors (invalid_argument) name the option: an unreadable or invalid --issuer JWKS file or
// --introspection-credentials file, an unknown alg in `allowed_algs`, an introspection endpoint
// without credentials. `metrics` may be null (a fresh set is made); `replay` may be null (no DPoP
// jti replay check).
wba::Result<std::shared_ptr<TokenService>> make_token_service(const Config& config,
                                                              boost::asio::io_context& ioc,
                                                              std::shared_ptr<TokenMetrics> metrics,
                                                              std::shared_ptr<ReplayStore> replay,
                                                              TokenServiceOverrides overrides = {});

}  // namespace wbad
