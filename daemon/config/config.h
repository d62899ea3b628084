// wbad's configuration: every option with its default in one place. Parsed and validated once
// (JSON file, then command-line flags that override it) into an immutable Config that is
// shared as shared_ptr<const Config> and swapped whole on SIGHUP.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "wba/result.h"

namespace wbad {

enum class Mode { enforce, observe };

// One `--trust URL=JWKS_FILE`: keys for that Signature-Agent (agent URL or directory URL),
// used without any fetch.
struct TrustEntry {
  std::string url;
  std::string jwks_file;
};

// Whether a route wants a delegated OAuth token (docs/DELEGATION.md): `required` → a request
// without one is refused (token_required); `optional` → a token, when present, must bind to the
// signing agent; `off` → the Authorization field is not looked at.
enum class TokenPolicy { required, optional, off };

// How a discovered issuer's keys are found: RFC 8414 metadata at the path-inserted
// /.well-known/oauth-authorization-server, OpenID Connect Discovery
// (/.well-known/openid-configuration appended), or RFC 8414 first and OIDC when that answers 404.
enum class IssuerDiscovery { none, oauth, oidc, automatic };

// One trusted token issuer: `--issuer`, `--issuer-discovery`, `--introspection`,
// `--wba-signature-as-pop` and the config file's `issuers` objects, merged by `issuer`.
struct IssuerConfig {
  std::string issuer;     // exact `iss` (RFC 8414 §3.3), an https URL
  std::string jwks_file;  // static keys (exclusive with discovery)
  IssuerDiscovery discovery = IssuerDiscovery::none;
  std::vector<std::string> audiences;        // empty: the global --audience list
  std::vector<std::string> allowed_algs;     // JOSE names; empty: all six the library allows
  std::string introspection_endpoint;        // RFC 7662, for opaque tokens
  std::string introspection_credentials;     // client_id:client_secret file; "" = the global one
  bool wba_signature_as_pop = false;         // RFC 9449 §7.2 deviation, for this issuer only
  std::optional<std::size_t> max_act_depth;  // unset: --max-act-depth
  std::vector<std::string> actor_namespaces;
  std::string client_id_claim = "client_id";
  std::string scope_claim = "scope";
  bool lenient_typ = false;
  bool require_act_iss = false;
  std::optional<std::int64_t> max_token_lifetime;
};

// `routes` entry: the longest matching path prefix decides; fields not given fall back to the
// global --token-policy, --required-scope and --require-delegation.
struct RouteConfig {
  std::string prefix;  // starts with '/'
  std::optional<TokenPolicy> token;
  std::optional<std::vector<std::string>> required_scopes;
  std::optional<bool> require_delegation;
  std::optional<std::vector<std::string>> allowed_actors;
};

// `--actor-alias "NS SUB=URL"`: an opaque actor id `SUB` in namespace `NS` (act.iss, or the
// token's iss) names the agent whose Signature-Agent identifier is `URL`.
struct ActorAliasConfig {
  std::string ns;
  std::string sub;
  std::string signature_agent;
};

struct Config {
  // Listeners.
  std::string listen = "127.0.0.1:8421";  // ADDR:PORT ("[::1]:8421" for IPv6); "" disables TCP
  std::string unix_socket;                // path of a Unix domain socket listener; "" = none
  unsigned threads = 0;                   // I/O threads; 0 = one per core

  // Limits (each exceeded → a clean 4xx and close, never a crash).
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 1024 * 1024;
  std::size_t max_connections = 10000;
  std::chrono::seconds idle_timeout{60};     // keep-alive connection with no request
  std::chrono::seconds request_timeout{10};  // reading one request, start to end
  std::chrono::seconds shutdown_grace{10};   // SIGTERM: time to drain in-flight requests

  // Policy.
  Mode mode = Mode::enforce;
  bool allow_unsigned = false;      // unsigned requests pass as anonymous (200)
  bool allow_test_keys = false;     // RFC 9421 Appendix B keys (conformance runs only)
  bool allow_now_override = false;  // the JSON API's `now` field (tests only)
  std::int64_t max_clock_skew = 60;
  std::int64_t max_lifetime = 24 * 60 * 60;
  bool require_nonce = false;
  bool require_signature_agent = false;
  bool accept_legacy_signature_agent = true;
  bool allow_http_directories = false;  // http:// Signature-Agent URLs (local testing)
  bool accept_cimd_agents = false;      // Signature-Agent members with type=cimd (agent cards)

  // Replay protection.
  bool replay_protection = true;
  bool replay_whole_signatures = false;  // also reject a signature seen twice (no nonce needed)
  std::size_t replay_max_entries = 1'000'000;

  // Key sources.
  std::vector<TrustEntry> trust;
  bool allow_private_fetch = false;  // fetch directories on private/loopback addresses (tests)
  bool require_directory_signatures = false;
  std::vector<std::uint16_t> directory_ports;  // allowed besides 443 (and 80 with http)
  std::string directory_ca_file;  // extra trusted CA (PEM) for directory fetches; system store too

  // Delegated OAuth tokens bound to the agent (docs/DELEGATION.md).
  TokenPolicy token_policy = TokenPolicy::optional;
  std::vector<IssuerConfig> issuers;
  std::vector<std::string> audiences;  // this resource's identifiers (RFC 8707 / RFC 9068 `aud`)
  std::string introspection_credentials_file;  // client_id:client_secret (client_secret_basic)
  std::int64_t token_clock_skew = 60;          // ≤ 300
  std::int64_t binding_max_age = 60;
  std::int64_t dpop_window = 60;  // ≤ 300
  std::size_t max_act_depth = 4;  // ≤ 8
  bool require_sender_constrained = false;
  bool require_identity_match = false;
  bool require_delegation = false;
  std::vector<std::string> required_scopes;
  std::vector<std::string> allowed_actors;  // route default; empty: any agent may act
  std::string revoked_token_ids_file;       // jti denylist, one per line; re-read on SIGHUP
  std::vector<ActorAliasConfig> actor_aliases;
  std::vector<RouteConfig> routes;
  std::size_t token_cache_entries = 10000;

  // Front ends: how proxies pass the original request, and where identity headers go.
  std::string identity_header_prefix = "X-Agent-";

  // Logging: "debug", "info", "warn", "error".
  std::string log_level = "info";

  // Where this configuration came from (for reload).
  std::string config_file;
};

// Parses `argv` (flags override the file named by --config). Errors name the option:
// invalid_argument with a message like "--threads: not a positive whole number".
// `help` is set when --help was given (nothing else is validated then).
struct ParsedArgs {
  Config config;
  bool help = false;
};
wba::Result<ParsedArgs> parse_command_line(int argc, const char* const* argv);
// Loads the file again with the original flags applied on top (SIGHUP).
wba::Result<Config> reload(const Config& current, int argc, const char* const* argv);

// The --help text, listing every option with its default.
std::string help_text();

}  // namespace wbad
