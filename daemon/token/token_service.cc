#include "token/token_service.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <utility>

#include "wba/jose/jws.h"
#include "wba/token/dpop.h"

namespace wbad {

namespace {

using fetch::bump;
using wba::Error;
using wba::Reason;
using wba::Result;
using wba::token::AccessToken;

Error bad(const std::string& option, const std::string& why) {
  return Error(Reason::invalid_argument, "--" + option + ": " + why);
}

Result<std::string> read_file(const std::string& option, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return bad(option, "cannot read '" + path + "'");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool unverified_reason(Reason r) {
  return r == Reason::issuer_metadata_unavailable || r == Reason::introspection_unavailable;
}

// Five dot-separated segments: a JWE (RFC 7516 §7.1), unsupported rather than opaque.
bool looks_like_jwe(std::string_view token) {
  return std::count(token.begin(), token.end(), '.') == 4;
}

// "https://agent.example" or "https://agent.example/" → its key directory URL; nullopt for a URL
// with a path (already a directory, jwks_uri or card URL).
std::optional<std::string> well_known_directory(std::string_view url) {
  auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::nullopt;
  auto slash = url.find('/', scheme + 3);
  if (slash != std::string_view::npos && slash + 1 != url.size()) return std::nullopt;
  if (url.find_first_of("?#") != std::string_view::npos) return std::nullopt;
  return std::string(url.substr(0, slash)) + "/.well-known/http-message-signatures-directory";
}

}  // namespace

std::string_view to_string(TokenOutcome::State state) noexcept {
  switch (state) {
    case TokenOutcome::State::no_token:
      return "no_token";
    case TokenOutcome::State::bound:
      return "bound";
    case TokenOutcome::State::rejected:
      return "rejected";
    case TokenOutcome::State::unverified:
      return "unverified";
  }
  return "unknown";
}

wba::token::VerifiedAgent verified_agent(const wba::profile::AgentVerdict& a) {
  wba::token::VerifiedAgent out;
  out.label = a.signature.label();
  out.key_thumbprint = a.key_thumbprint;
  out.params = a.signature.params();
  if (a.agent) {
    // U is the directory the key came from (for a bare origin, its well-known URL), O its
    // origin for type=directory; a card's client_id is U itself (fetched there, client_id == U).
    const auto& loc = *a.agent;
    out.signature_agent = loc.directory_url;
    switch (loc.type) {
      case wba::profile::MemberType::directory:
        out.agent_type = "directory";
        // Only a bare-origin member makes the key set the origin's (§4.5 "binds to a domain").
        if (loc.directory_url == loc.origin + "/.well-known/http-message-signatures-directory") {
          out.origin = loc.origin;
        }
        break;
      case wba::profile::MemberType::jwks_uri:
        out.agent_type = "jwks_uri";
        break;
      case wba::profile::MemberType::cimd:
        out.agent_type = "cimd";
        // The card was fetched at directory_url and its client_id equals that URL exactly.
        out.card_client_id = loc.directory_url;
        out.card_client_id_trust = "cimd";
        break;
    }
  }
  return out;
}

// One request going through the stage. Holds the service alive until `done` has been called.
struct TokenService::Check {
  std::shared_ptr<const TokenService> service;
  const RoutePolicy* route = nullptr;
  std::vector<wba::token::VerifiedAgent> agents;
  std::int64_t now = 0;
  wba::token::PresentedToken presented;
  std::optional<wba::token::VerifiedDpopProof> dpop;
  std::string hash;
  const Issuer* issuer = nullptr;
  std::function<void(TokenOutcome)> done;
};

void TokenService::finish(const std::shared_ptr<Check>& c, TokenOutcome outcome) const {
  switch (outcome.state) {
    case TokenOutcome::State::no_token:
      bump(metrics_->outcome_no_token);
      break;
    case TokenOutcome::State::bound:
      bump(metrics_->outcome_bound);
      break;
    case TokenOutcome::State::rejected:
      bump(metrics_->outcome_rejected);
      break;
    case TokenOutcome::State::unverified:
      bump(metrics_->outcome_unverified);
      break;
  }
  if (outcome.state != TokenOutcome::State::no_token) outcome.scheme = c->presented.scheme;
  auto done = std::move(c->done);
  done(std::move(outcome));
}

void TokenService::fail(const std::shared_ptr<Check>& c, const Error& error) const {
  TokenOutcome o;
  o.state = unverified_reason(error.reason) ? TokenOutcome::State::unverified
                                            : TokenOutcome::State::rejected;
  o.reason = error.reason;
  o.detail = error.detail;
  finish(c, std::move(o));
}

void TokenService::check(const wba::http::Message& message,
                         std::vector<wba::token::VerifiedAgent> agents, std::int64_t now,
                         std::function<void(TokenOutcome)> done) const {
  auto c = std::make_shared<Check>();
  c->service = shared_from_this();
  c->agents = std::move(agents);
  c->now = now;
  c->done = std::move(done);

  const auto* request = std::get_if<wba::http::Request>(&message);
  if (!request) return finish(c, TokenOutcome{});

  // 1. Route policy.
  c->route = &routes_.for_path(request->target.path);
  if (c->route->token == TokenPolicy::off) return finish(c, TokenOutcome{});

  // 2. The presented token.
  auto presented = wba::token::find_presented_token(request->headers);
  if (!presented) return fail(c, presented.error());
  if (!*presented) {
    if (c->route->token == TokenPolicy::required) {
      return fail(c, Error(Reason::token_required,
                           "this route requires a token" +
                               (c->route->prefix.empty() ? std::string()
                                                         : " (route " + c->route->prefix + ")")));
    }
    return finish(c, TokenOutcome{});
  }
  c->presented = std::move(**presented);
  const std::string& token = c->presented.token;

  // 3. DPoP proof (before any network I/O on the token).
  if (c->presented.scheme == wba::token::Scheme::dpop) {
    auto proofs = request->headers.values("DPoP");
    if (proofs.size() != 1) {
      return fail(
          c, Error(Reason::invalid_request, proofs.empty() ? "the DPoP scheme needs a DPoP field"
                                                           : "more than one DPoP field"));
    }
    wba::token::DpopPolicy dpop_policy;
    dpop_policy.window = dpop_window_;
    // The target URI is only needed here (htu), so it is only built for DPoP.
    auto proof = wba::token::verify_dpop_proof(proofs.front(), request->method,
                                               request->target.uri(), token, now, dpop_policy);
    if (!proof) return fail(c, proof.error());
    if (replay_dpop_ && replay_) {
      // Bounded key (the jti is the agent's choice): SHA-256 over "dpop:" + thumbprint and jti.
      const ReplayKey key = replay_key_for_nonce("dpop:" + proof->key_thumbprint, proof->jti);
      if (!replay_->check_and_record(view(key), std::max(proof->iat, now) + dpop_window_ + 1,
                                     now)) {
        bump(metrics_->dpop_replayed);
        return fail(c, Error(Reason::signature_replayed, "DPoP proof jti seen before"));
      }
    }
    c->dpop = std::move(*proof);
  }

  // 4. The token: cached validation first.
  c->hash = wba::token::token_hash(token);
  if (auto hit = cache_->find(c->hash, now)) {
    bool current = !hit->key_generation || keys_->generation(hit->issuer) == hit->key_generation;
    if (current) {
      if (hit->error) {
        bump(metrics_->introspection_cache_hit);
        return fail(c, *hit->error);
      }
      if (hit->token->format == AccessToken::Format::introspection) {
        bump(metrics_->introspection_cache_hit);
      } else {
        bump(metrics_->validation_cache_hit);
      }
      if (auto t = wba::token::check_token_time(*hit->token, now); !t) {
        cache_->erase(c->hash);
        return fail(c, t.error());
      }
      auto it = issuers_.find(hit->issuer);
      c->issuer = it == issuers_.end() ? nullptr : &it->second;
      return bind(c, *hit->token);
    }
    cache_->erase(c->hash);  // checked with keys the issuer no longer publishes
  }

  auto candidate = wba::token::parse_access_token(token);
  if (!candidate) {
    // Not a JWT at all (and not a JWE): an opaque token, for introspection.
    if (candidate.reason() == Reason::unsupported_token_format && !looks_like_jwe(token)) {
      if (!introspection_issuer_) {
        return fail(c, Error(Reason::unsupported_token_format,
                             "opaque token and no introspection endpoint is configured"));
      }
      return introspect(c, *introspection_issuer_);
    }
    return fail(c, candidate.error());
  }
  auto it = issuers_.find(candidate->issuer);
  if (it == issuers_.end()) {
    bump(metrics_->untrusted_issuer);
    return fail(c, Error(Reason::untrusted_issuer,
                         "issuer '" + candidate->issuer.substr(0, 256) + "' is not configured"));
  }
  c->issuer = &it->second;
  if (!it->second.has_keys) {
    // An issuer known only by its introspection endpoint: ask it about its JWT too.
    return introspect(c, it->second);
  }
  validate_jwt(std::move(c), std::move(candidate).value());
}

void TokenService::validate_jwt(std::shared_ptr<Check> c,
                                wba::token::JwtCandidate candidate) const {
  const std::string issuer = candidate.issuer;
  const auto kid = candidate.kid;
  keys_->keys_for(issuer, kid, [c, candidate = std::move(candidate)](Result<IssuerKeys> keys) {
    const TokenService& self = *c->service;
    if (!keys) return self.fail(c, keys.error());
    bump(self.metrics_->validation_cache_miss);
    auto token = wba::token::validate_access_token(c->presented.token, candidate, c->issuer->policy,
                                                   *keys->keys, c->now);
    if (!token) return self.fail(c, token.error());
    CachedValidation entry;
    entry.issuer = c->issuer->policy.issuer;
    entry.key_generation = keys->generation;
    entry.expires_at = std::min(token->expires_at + c->issuer->policy.clock_skew,
                                c->now + TokenCache::kMaxJwtLifetime);
    entry.token = std::make_shared<const AccessToken>(std::move(token).value());
    auto validated = entry.token;
    self.cache_->insert(c->hash, std::move(entry));
    self.bind(c, *validated);
  });
}

void TokenService::introspect(std::shared_ptr<Check> c, const Issuer& issuer) const {
  c->issuer = &issuer;
  introspection_->introspect(
      *issuer.introspection, c->presented.token, [c](Result<std::string> body) {
        const TokenService& self = *c->service;
        if (!body) return self.fail(c, body.error());
        auto token = wba::token::access_token_from_introspection(c->presented.token, *body,
                                                                 c->issuer->policy, c->now);
        if (!token) {
          if (token.reason() == Reason::token_inactive) {
            CachedValidation entry;
            entry.issuer = c->issuer->policy.issuer;
            entry.error = token.error();
            entry.expires_at = c->now + TokenCache::kInactiveIntrospection;
            self.cache_->insert(c->hash, std::move(entry));
          }
          return self.fail(c, token.error());
        }
        CachedValidation entry;
        entry.issuer = c->issuer->policy.issuer;
        entry.expires_at = c->now + TokenCache::kMaxActiveIntrospection;
        if (token->expires_at > 0) entry.expires_at = std::min(entry.expires_at, token->expires_at);
        entry.token = std::make_shared<const AccessToken>(std::move(token).value());
        auto validated = entry.token;
        self.cache_->insert(c->hash, std::move(entry));
        self.bind(c, *validated);
      });
}

void TokenService::bind(const std::shared_ptr<Check>& c, const AccessToken& token) const {
  wba::token::BindingPolicy policy = binding_;
  policy.required_scopes = c->route->required_scopes;
  policy.require_delegation = c->route->require_delegation;
  policy.allowed_actors = c->route->allowed_actors;
  policy.wba_signature_as_pop = c->issuer && c->issuer->wba_signature_as_pop;
  // RFC 9449 §7.2 for introspected tokens: the AS says DPoP-bound, the request says Bearer.
  if (token.token_type && wba::http::iequals(*token.token_type, "DPoP") &&
      c->presented.scheme == wba::token::Scheme::bearer && !policy.wba_signature_as_pop) {
    return fail(c, Error(Reason::pop_scheme_mismatch,
                         "introspection says token_type DPoP; presented as Bearer"));
  }
  // The last use of the token text and of the proof (finish only needs the scheme, which a
  // move leaves in place): moved, not copied.
  wba::token::Presentation presentation;
  presentation.token.scheme = c->presented.scheme;
  presentation.token.token = std::move(c->presented.token);
  presentation.dpop = std::move(c->dpop);
  auto bound = wba::token::bind_token(token, presentation, c->agents, policy, c->now);
  if (!bound) return fail(c, bound.error());
  TokenOutcome o;
  o.state = TokenOutcome::State::bound;
  o.delegation = std::move(bound).value();
  finish(c, std::move(o));
}

// ---------------------------------------------------------------------------------------------

Result<std::shared_ptr<TokenService>> make_token_service(const Config& config,
                                                         boost::asio::io_context& ioc,
                                                         std::shared_ptr<TokenMetrics> metrics,
                                                         std::shared_ptr<ReplayStore> replay,
                                                         TokenServiceOverrides overrides) {
  std::shared_ptr<TokenService> s(new TokenService());
  s->metrics_ = metrics ? std::move(metrics) : std::make_shared<TokenMetrics>();
  s->replay_ = std::move(replay);
  s->replay_dpop_ = config.replay_protection;
  s->routes_ = RoutePolicies(config);
  s->dpop_window_ = config.dpop_window;

  // Transport: the outbound policy of key-directory fetches.
  std::shared_ptr<fetch::HttpTransport> transport = overrides.transport;
  if (!transport) {
    fetch::OutboundConfig outbound;
    outbound.allow_http = config.allow_http_directories;
    if (outbound.allow_http) outbound.allowed_ports.push_back(80);
    outbound.allow_private = config.allow_private_fetch;
    for (auto port : config.directory_ports) outbound.allowed_ports.push_back(port);
    auto policy = fetch::OutboundPolicy::make(std::move(outbound));
    if (!policy)
      return Error(Reason::invalid_argument, "outbound policy: " + policy.error().detail);
    fetch::TransportConfig tc;
    if (overrides.transport_config) {
      tc = *overrides.transport_config;
    } else {
      tc.ca_file = config.directory_ca_file;
      tc.user_agent = "wbad/0.1 (+token issuer metadata and introspection)";
    }
    auto made = fetch::BeastTransport::make(
        ioc.get_executor(),
        std::make_shared<const fetch::OutboundPolicy>(std::move(policy).value()), std::move(tc));
    if (!made) return bad("directory-ca-file", made.error().detail);
    transport = std::move(made).value();
  }
  const fetch::Clock clock = overrides.clock ? *overrides.clock : fetch::Clock::real();
  s->keys_ = std::make_shared<IssuerKeySource>(
      transport, overrides.key_source ? *overrides.key_source : IssuerKeySourceConfig{}, clock,
      s->metrics_);
  s->cache_ = std::make_shared<TokenCache>(config.token_cache_entries, s->metrics_);
  s->introspection_ =
      IntrospectionClient::make(transport, overrides.max_introspections_in_flight, s->metrics_);

  // Binding policy, global part.
  s->binding_.binding_max_age = config.binding_max_age;
  s->binding_.clock_skew = config.token_clock_skew;
  s->binding_.require_sender_constrained = config.require_sender_constrained;
  s->binding_.require_identity_match = config.require_identity_match;
  for (const auto& a : config.actor_aliases) {
    s->binding_.aliases.push_back(wba::token::ActorAlias{a.ns, a.sub, a.signature_agent});
    // The Signature-Agent identifier as an agent sends it: a bare origin stands for its
    // well-known directory (Web Bot Auth resolution), which is the U the binding compares with.
    if (auto directory = well_known_directory(a.signature_agent)) {
      s->binding_.aliases.push_back(wba::token::ActorAlias{a.ns, a.sub, *directory});
    }
  }

  if (!config.revoked_token_ids_file.empty()) {
    // One jti per line; blank lines and '#' comments skipped. Re-read on SIGHUP (a new
    // TokenService is built), so a revocation feed only has to rewrite the file.
    WBA_TRY(auto text, read_file("revoked-token-ids", config.revoked_token_ids_file));
    std::size_t start = 0;
    while (start <= text.size()) {
      std::size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      std::string_view line(text.data() + start, end - start);
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
        line.remove_suffix(1);
      }
      while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
      if (!line.empty() && line.front() != '#') s->binding_.revoked_token_ids.emplace(line);
      start = end + 1;
    }
  }

  std::optional<std::pair<std::string, std::string>> global_credentials;
  if (!config.introspection_credentials_file.empty()) {
    WBA_TRY(auto text,
            read_file("introspection-credentials", config.introspection_credentials_file));
    auto creds = parse_client_credentials(text);
    if (!creds) {
      return bad("introspection-credentials",
                 config.introspection_credentials_file + ": " + creds.error().detail);
    }
    global_credentials = std::move(*creds);
  }

  for (const auto& ic : config.issuers) {
    TokenService::Issuer issuer;
    auto& p = issuer.policy;
    p.issuer = ic.issuer;
    p.audiences = ic.audiences.empty() ? config.audiences : ic.audiences;
    if (!ic.allowed_algs.empty()) {
      p.allowed_algs.clear();
      for (const auto& name : ic.allowed_algs) {
        auto alg = wba::jose::jws_algorithm_from_name(name);
        if (!alg)
          return bad("issuers", ic.issuer + ": allowed_algs: '" + name + "' is not allowed");
        if (std::find(p.allowed_algs.begin(), p.allowed_algs.end(), *alg) == p.allowed_algs.end()) {
          p.allowed_algs.push_back(*alg);
        }
      }
    }
    p.lenient_typ = ic.lenient_typ;
    p.clock_skew = config.token_clock_skew;
    p.max_token_lifetime = ic.max_token_lifetime;
    p.client_id_claim = ic.client_id_claim;
    p.scope_claim = ic.scope_claim;
    p.require_act_iss = ic.require_act_iss;
    p.max_act_depth = ic.max_act_depth.value_or(config.max_act_depth);
    p.actor_namespaces = ic.actor_namespaces;
    issuer.wba_signature_as_pop = ic.wba_signature_as_pop;

    if (!ic.jwks_file.empty()) {
      WBA_TRY(auto jwks, read_file("issuer", ic.jwks_file));
      if (auto st = s->keys_->add_static(ic.issuer, jwks); !st) {
        return bad("issuer", ic.jwks_file + ": " + st.error().detail);
      }
      issuer.has_keys = true;
    } else if (ic.discovery != IssuerDiscovery::none) {
      s->keys_->add_discovered(ic.issuer, ic.discovery);
      issuer.has_keys = true;
    }
    if (!ic.introspection_endpoint.empty()) {
      IntrospectionEndpoint endpoint;
      endpoint.url = ic.introspection_endpoint;
      std::optional<std::pair<std::string, std::string>> creds = global_credentials;
      if (!ic.introspection_credentials.empty()) {
        WBA_TRY(auto text, read_file("issuers", ic.introspection_credentials));
        auto parsed = parse_client_credentials(text);
        if (!parsed) {
          return bad("issuers", ic.issuer + ": introspection_credentials " +
                                    ic.introspection_credentials + ": " + parsed.error().detail);
        }
        creds = std::move(*parsed);
      }
      if (!creds) {
        return bad(
            "introspection-credentials",
            "issuer " + ic.issuer + " has an introspection endpoint but no client credentials");
      }
      endpoint.client_id = creds->first;
      endpoint.client_secret = creds->second;
      issuer.introspection = std::move(endpoint);
    }
    s->issuers_.emplace(ic.issuer, std::move(issuer));
  }
  // Opaque tokens carry no issuer: they go to the first configured issuer with an endpoint.
  for (const auto& ic : config.issuers) {
    auto it = s->issuers_.find(ic.issuer);
    if (it != s->issuers_.end() && it->second.introspection) {
      s->introspection_issuer_ = &it->second;
      break;
    }
  }
  return s;
}

}  // namespace wbad
