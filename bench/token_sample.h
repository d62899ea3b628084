// The requests, tokens and token stage shared by the delegated-token benchmark (token_bench.cc)
// and its fixed-iteration driver for callgrind (token_ir.cc): docs/PERFORMANCE.md, "Delegated
// tokens".
//
// Everything is deterministic: the agent key (bench::fixed_ed25519_key) and the issuer key come
// from fixed seeds, the token's claims, the signature's created/nonce and the DPoP jti are fixed,
// and Ed25519 signatures are deterministic, so every run verifies the same bytes (Ed25519
// verification is variable-time in the signature: other bytes would move the figures).
//
// The token stage is the daemon's own: wbad::TokenService built by make_token_service from a
// Config with one issuer whose JWKS is a static file (written to a temporary directory), the
// resource's audience, replay protection on (the DPoP jti goes to a MemoryReplayStore), all
// other settings at wbad's defaults.
#pragma once

#include <sodium.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "bench_sample.h"
#include "config/config.h"
#include "replay/replay_store.h"
#include "token/token_service.h"
#include "wba/jose/jws.h"
#include "wba/token/agent.h"
#include "wba/token/binding.h"

namespace wba::bench {

inline constexpr const char* kIssuer = "https://as.example";
inline constexpr const char* kAudience = "https://example.com";
inline constexpr const char* kAgentUrl = "https://bot.example";

// What VerifyService does with each verified signature before the token stage: the daemon's
// own conversion, so the benchmark pays the same per request.
using wbad::verified_agent;

// A request presenting a token, signed by the agent with present_token: the same request and
// signing options as ProfileSample (bench_sample.h), plus Authorization (and DPoP), covered.
struct TokenRequest {
  http::Message msg;
  std::string base;       // the Web Bot Auth signature base
  std::string signature;  // and its signature, for the raw-verify reference
};

struct TokenFixture {
  SigningKey agent_key = fixed_ed25519_key();  // the same agent key as ProfileSample
  SigningKey issuer_key = ed25519_key_from_seed(101, "as-1");
  std::string agent_public_key;  // raw Ed25519 public key
  std::filesystem::path dir;
  std::string jwks_file;
  boost::asio::io_context ioc;  // never run: a static JWKS needs no I/O

  TokenFixture() {
    agent_public_key = must(base64url_decode(agent_key.to_public_jwk()["x"].get<std::string>()));
    std::string tmpl = (std::filesystem::temp_directory_path() / "wba-token-bench-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    dir = tmpl;
    jwks_file = (dir / "issuer.jwks.json").string();
    nlohmann::json pub = issuer_key.to_public_jwk();
    pub["kid"] = "as-1";
    pub["use"] = "sig";
    std::ofstream(jwks_file) << nlohmann::json{{"keys", {pub}}}.dump();
  }
  ~TokenFixture() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  TokenFixture(const TokenFixture&) = delete;
  TokenFixture& operator=(const TokenFixture&) = delete;

  // An RFC 9068 token for a user, with the agent as actor (act.sub = its Signature-Agent
  // origin, which binds as "origin"); `dpop`: bound to the agent's key (cnf.jkt = K).
  std::string mint(bool dpop, const std::string& jti = "jti-bench-1") const {
    nlohmann::json claims = {{"iss", kIssuer},
                             {"sub", "u_248289761001"},
                             {"aud", kAudience},
                             {"client_id", "https://app.example/client"},
                             {"jti", jti},
                             {"iat", kCreated - 10},
                             {"exp", kCreated + 300},
                             {"scope", "articles:read"},
                             {"act", {{"sub", kAgentUrl}, {"iss", kIssuer}}}};
    if (dpop) claims["cnf"] = {{"jkt", agent_key.thumbprint()}};
    nlohmann::json header = {{"typ", "at+jwt"}, {"kid", "as-1"}};
    return must(jose::sign_compact_jws(header, claims.dump(), issuer_key));
  }

  // The request of ProfileSample presenting `token`; `variant` varies the WBA nonce and the
  // DPoP jti so that a pool of distinct requests can be made (replay protection).
  TokenRequest present(const std::string& token, token::Scheme scheme, int variant = 0) const {
    http::Request req = sample_request();
    req.headers.erase("Signature-Agent");  // present_token (sign_request) adds its own
    profile::AgentSignOptions o;
    o.signature_agent = kAgentUrl;
    o.extra_components = must(sig::parse_component_list("\"@method\" \"@path\""));
    o.created = kCreated;
    std::string nonce(64, 'n');
    if (variant) {
      std::string v = std::to_string(variant);
      nonce.replace(0, v.size(), v);
    }
    o.nonce = base64_encode(nonce);
    token::TokenPresentationOptions po;
    po.scheme = scheme;
    po.dpop_jti = "dpop-jti-" + std::to_string(variant);
    sig::LabelledSignature s = must(token::present_token(req, agent_key, o, token, po));
    TokenRequest r;
    r.msg = std::move(req);
    r.base = must(sig::signature_base(r.msg, s.params));
    r.signature = s.signature;
    return r;
  }

  // wbad's token stage with one static issuer and this resource's audience.
  std::shared_ptr<wbad::TokenService> service(std::shared_ptr<wbad::ReplayStore> replay) {
    wbad::Config c;
    c.audiences = {kAudience};
    wbad::IssuerConfig i;
    i.issuer = kIssuer;
    i.jwks_file = jwks_file;
    c.issuers.push_back(i);
    return must(wbad::make_token_service(c, ioc, nullptr, std::move(replay)));
  }

  profile::ProfileVerifier verifier() const {
    profile::ProfilePolicy p;
    p.now = kNow;
    return profile::ProfileVerifier(p);
  }
  profile::AgentKeyLookup lookup() const {
    return profile::trusted_keys_lookup({agent_key.verifying_key()});
  }
};

// One request through the token stage; the outcome when `check` called back before returning
// (a cached token completes inline), else nullopt.
inline std::optional<wbad::TokenOutcome> check_inline(const wbad::TokenService& service,
                                                      const http::Message& msg,
                                                      std::vector<token::VerifiedAgent> agents) {
  std::optional<wbad::TokenOutcome> out;
  service.check(msg, std::move(agents), kNow, [&out](wbad::TokenOutcome o) { out = std::move(o); });
  return out;
}

// The whole per-request path: Web Bot Auth verification (ProfileVerifier::verify with the
// trusted key, as BM_ProfileVerify), the VerifiedAgent conversion, then TokenService::check.
// Returns "" when the outcome is `expect`, else what went wrong.
inline std::string verify_with_token(const profile::ProfileVerifier& verifier,
                                     const profile::AgentKeyLookup& lookup,
                                     const wbad::TokenService& service, const http::Message& msg,
                                     wbad::TokenOutcome::State expect) {
  auto v = verifier.verify(msg, lookup);
  if (!v) return "web bot auth: " + v.error().message();
  std::vector<token::VerifiedAgent> agents;
  agents.push_back(verified_agent(*v));
  auto out = check_inline(service, msg, std::move(agents));
  if (!out) return "TokenService::check did not complete inline";
  if (out->state != expect) {
    return std::string("token stage: ") + std::string(wbad::to_string(out->state)) + " " +
           std::string(to_string(out->reason)) + ": " + out->detail;
  }
  return {};
}

}  // namespace wba::bench
