// A test OAuth authorization server on 127.0.0.1 for the token stage's integration tests and the
// examples' full-flow demo: Beast + OpenSSL (HTTPS with tests/daemon/fetch/test_pki, or plain
// HTTP), its own io_context and thread. It serves
//   GET  /.well-known/oauth-authorization-server[/path]   RFC 8414 metadata (path-inserted)
//   GET  [/path]/.well-known/openid-configuration          OpenID Connect Discovery
//   GET  /jwks                                             its public keys: Ed25519 (EdDSA),
//                                                          ES256 and PS256 (RSA 2048)
//   POST /token                                            RFC 8693 token exchange: a user token
//        it issued (subject_token) + a JWT the agent signed with its Web Bot Auth key
//        (actor_token, iss = sub = agent id) → an at+jwt with sub = user, act = {sub: agent,
//        iss: this AS}, cnf.jkt = the actor key's thumbprint, client_id = agent, aud, scope,
//        jti, iat, exp
//   POST /introspect                                       RFC 7662 (client_secret_basic)
//   POST /dev/user-token                                   form sub, client_id, scope, aud →
//        {"access_token": a user token} (for the demo; no authentication: a test server)
// plus direct minting helpers (any claims, any header), opaque tokens with scripted
// introspection answers, scripted faults per endpoint and request counters.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/fetch/test_pki.h"
#include "wba/crypto/key.h"

namespace wbad::testing {

enum class AsEndpoint { metadata, oidc_metadata, jwks, token, introspection, other };
// "metadata", "oidc_metadata", "jwks", "token", "introspection", "other".
std::string_view to_string(AsEndpoint endpoint) noexcept;

enum class AsFault {
  none,
  down,             // the connection is closed without an answer
  status_500,       // 500 Internal Server Error
  slow,             // the right answer, after slow_delay
  issuer_mismatch,  // metadata only: "issuer" names another AS
  redirect,         // 302 to the same path on another host
};

enum class AsKey { ed25519, es256, ps256 };

struct TestAuthServerOptions {
  bool tls = true;
  std::string host = "127.0.0.1";  // the issuer's host (the test PKI names 127.0.0.1)
  std::string issuer_path;         // "" or e.g. "/tenant": issuer = https://host:port/tenant
  std::uint16_t port = 0;          // 0: any free port
  bool serve_oauth_metadata = true;
  bool serve_oidc_metadata = true;
  std::string client_id = "rs-client";  // the resource server's introspection credentials
  std::string client_secret = "rs-secret";
  std::string default_audience = "https://api.shop.example";
  std::chrono::milliseconds slow_delay{3000};
  std::string cache_control = "max-age=3600";  // on metadata and JWKS responses
  // Token exchange: accept an actor token whose agent is not registered when its header carries
  // the agent's public `jwk` (the standalone demo's setting).
  bool trust_embedded_actor_keys = false;
};

struct AsRequest {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  AsEndpoint endpoint = AsEndpoint::other;
  std::string header(std::string_view name) const;  // "" when absent
};

class TestAuthServer {
 public:
  // `pki` is only used with options.tls.
  explicit TestAuthServer(const TestPki& pki, TestAuthServerOptions options = {});
  ~TestAuthServer();
  TestAuthServer(const TestAuthServer&) = delete;
  TestAuthServer& operator=(const TestAuthServer&) = delete;

  std::uint16_t port() const noexcept;
  std::string origin() const;  // https://127.0.0.1:PORT
  std::string issuer() const;  // origin + issuer_path
  std::string jwks_uri() const;
  std::string token_endpoint() const;
  std::string introspection_endpoint() const;
  std::string public_jwks() const;  // {"keys": [...]} as served now
  std::string kid(AsKey key) const;

  // Replaces every key with a fresh one under a new kid ("ed-2", "ec-2", "rsa-2", …); the old
  // keys are no longer published.
  void rotate_keys();
  // The clock of minted tokens and token exchange (default: the real clock).
  void set_now(std::int64_t now);
  std::int64_t now() const;

  void set_fault(AsEndpoint endpoint, AsFault fault);
  void clear_faults();
  void set_cache_control(std::string value);

  std::size_t request_count() const;
  std::size_t request_count(AsEndpoint endpoint) const;
  std::vector<AsRequest> requests() const;

  // -- minting ------------------------------------------------------------------------------
  // iss, sub, aud (default_audience), client_id, jti (random), iat = now, exp = now + 300.
  nlohmann::json base_claims(const std::string& sub = "u_248289761001",
                             const std::string& client_id = "https://app.example.com/client") const;
  // An at+jwt over `claims` signed with `key`; `header` members are merged over
  // {"typ": "at+jwt", "kid": kid(key)} (a null member removes the default).
  std::string mint(const nlohmann::json& claims, AsKey key = AsKey::ed25519,
                   const nlohmann::json& header = nlohmann::json::object()) const;
  // Signs exactly the given payload bytes (duplicate members, odd JSON) with `key`.
  std::string mint_raw(const nlohmann::json& header, std::string_view payload,
                       AsKey key = AsKey::ed25519) const;
  // A user token: base_claims(sub, client_id) with `scope`.
  std::string mint_user_token(
      const std::string& sub = "u_248289761001", const std::string& scope = "orders:read",
      const std::string& client_id = "https://app.example.com/client") const;

  // An opaque token (random, no dots) whose introspection answer is `response` (e.g.
  // {"active": true, …}). Unknown tokens introspect as {"active": false}.
  std::string issue_opaque(const nlohmann::json& response);

  // -- token exchange -------------------------------------------------------------------------
  // Agents whose actor tokens the token endpoint accepts (agent id = actor token iss = sub).
  void register_agent(const std::string& agent_id, const wba::VerifyingKey& key);
  // The actor token an agent sends: a JWT signed with its Web Bot Auth key, iss = sub =
  // agent_id, aud = this AS's issuer, iat = now, exp = now + 60, jti random, and its public
  // `jwk` in the header.
  std::string make_actor_token(const wba::SigningKey& agent_key, const std::string& agent_id) const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace wbad::testing
