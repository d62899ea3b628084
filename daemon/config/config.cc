#include "config/config.h"

#include <charconv>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

namespace wbad {
namespace {

using wba::Error;
using wba::Reason;
using wba::Result;
using wba::Status;

// One option, settable from the JSON file (key `name` with '-' as '_') and from the command
// line (`--name VALUE`, or `--name` alone for flags). The table is the single source of the
// option list: parsing, --help and docs/CONFIG.md all come from it.
struct Option {
  const char* name;
  const char* value_hint;  // nullptr for boolean flags
  const char* default_text;
  const char* help;
  std::function<Status(Config&, const std::string&)> set;
};

Error bad(const std::string& option, const std::string& why) {
  return Error(Reason::invalid_argument, "--" + option + ": " + why);
}

template <typename T>
Result<T> parse_number(const std::string& option, const std::string& v, T min, T max) {
  T out{};
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || p != v.data() + v.size() || out < min || out > max) {
    return bad(option, "expected a whole number from " + std::to_string(min) + " to " +
                           std::to_string(max) + ", got '" + v + "'");
  }
  return out;
}

Result<bool> parse_bool(const std::string& option, const std::string& v) {
  if (v == "true" || v == "1" || v == "yes" || v.empty()) return true;
  if (v == "false" || v == "0" || v == "no") return false;
  return bad(option, "expected true or false, got '" + v + "'");
}

// -- delegated-token options -----------------------------------------------------------------

bool starts_with(const std::string& s, std::string_view prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

// The entry for `iss`, made on first mention: every issuer option merges into one entry.
IssuerConfig& issuer_entry(Config& c, const std::string& iss) {
  for (auto& i : c.issuers) {
    if (i.issuer == iss) return i;
  }
  c.issuers.emplace_back();
  c.issuers.back().issuer = iss;
  return c.issuers.back();
}

// "ISS=VALUE", split at the first '=' (issuer identifiers carry no query, so no '=').
Result<std::pair<std::string, std::string>> split_pair(const std::string& option,
                                                       const std::string& v,
                                                       const std::string& form) {
  auto eq = v.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == v.size()) {
    return bad(option, "expected " + form + ", got '" + v + "'");
  }
  return std::pair{v.substr(0, eq), v.substr(eq + 1)};
}

Result<TokenPolicy> parse_token_policy(const std::string& option, const std::string& v) {
  if (v == "required") return TokenPolicy::required;
  if (v == "optional") return TokenPolicy::optional;
  if (v == "off") return TokenPolicy::off;
  return bad(option, "expected required, optional or off, got '" + v + "'");
}

Result<IssuerDiscovery> parse_discovery(const std::string& option, const std::string& v) {
  if (v == "oauth") return IssuerDiscovery::oauth;
  if (v == "oidc") return IssuerDiscovery::oidc;
  if (v == "auto") return IssuerDiscovery::automatic;
  return bad(option, "expected oauth, oidc or auto, got '" + v + "'");
}

// RFC 6749 §3.3 scope-token: 1*( %x21 / %x23-5B / %x5D-7E ).
bool valid_scope(const std::string& s) {
  if (s.empty()) return false;
  for (unsigned char ch : s) {
    if (ch < 0x21 || ch > 0x7e || ch == 0x22 || ch == 0x5c) return false;
  }
  return true;
}

bool valid_alg_name(const std::string& a) {
  for (const char* n : {"Ed25519", "EdDSA", "ES256", "ES384", "PS256", "RS256"}) {
    if (a == n) return true;
  }
  return false;
}

Result<std::vector<std::string>> string_array(const std::string& where, const nlohmann::json& v) {
  if (!v.is_array()) return bad(where, "expected an array of strings");
  std::vector<std::string> out;
  for (const auto& item : v) {
    if (!item.is_string() || item.get_ref<const std::string&>().empty()) {
      return bad(where, "expected an array of non-empty strings");
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

Result<std::string> string_member(const std::string& where, const nlohmann::json& v) {
  if (!v.is_string() || v.get_ref<const std::string&>().empty()) {
    return bad(where, "expected a non-empty string");
  }
  return v.get<std::string>();
}

Result<bool> bool_member(const std::string& where, const nlohmann::json& v) {
  if (!v.is_boolean()) return bad(where, "expected true or false");
  return v.get<bool>();
}

Result<std::int64_t> int_member(const std::string& where, const nlohmann::json& v, std::int64_t lo,
                                std::int64_t hi) {
  if (!v.is_number_integer() || v.get<std::int64_t>() < lo || v.get<std::int64_t>() > hi) {
    return bad(where,
               "expected a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
  }
  return v.get<std::int64_t>();
}

// A JSON object, or an array of them, given on the command line or (dumped) from the file.
Result<std::vector<nlohmann::json>> json_objects(const std::string& option, const std::string& v) {
  auto j = nlohmann::json::parse(v, nullptr, false);
  if (j.is_discarded()) return bad(option, "not valid JSON: '" + v + "'");
  std::vector<nlohmann::json> out;
  if (j.is_object()) {
    out.push_back(std::move(j));
  } else if (j.is_array()) {
    for (auto& item : j) {
      if (!item.is_object()) return bad(option, "expected JSON objects");
      out.push_back(std::move(item));
    }
  } else {
    return bad(option, "expected a JSON object or an array of objects");
  }
  return out;
}

Status set_issuer_object(Config& c, const nlohmann::json& o) {
  auto it = o.find("issuer");
  if (it == o.end()) return bad("issuers", "an entry has no \"issuer\"");
  WBA_TRY(std::string iss, string_member("issuers", *it));
  IssuerConfig& e = issuer_entry(c, iss);
  const std::string where = "issuers: " + iss;
  for (const auto& [key, value] : o.items()) {
    const std::string at = where + ": " + key;
    if (key == "issuer") {
      continue;
    } else if (key == "jwks_file") {
      WBA_TRY(e.jwks_file, string_member(at, value));
    } else if (key == "discovery") {
      WBA_TRY(std::string d, string_member(at, value));
      WBA_TRY(e.discovery, parse_discovery(at, d));
    } else if (key == "audiences") {
      WBA_TRY(e.audiences, string_array(at, value));
    } else if (key == "allowed_algs") {
      WBA_TRY(e.allowed_algs, string_array(at, value));
      for (const auto& a : e.allowed_algs) {
        if (!valid_alg_name(a)) {
          return bad(at, "'" + a + "' is not one of Ed25519, EdDSA, ES256, ES384, PS256, RS256");
        }
      }
    } else if (key == "introspection_endpoint") {
      WBA_TRY(e.introspection_endpoint, string_member(at, value));
    } else if (key == "introspection_credentials") {
      WBA_TRY(e.introspection_credentials, string_member(at, value));
    } else if (key == "wba_signature_as_pop") {
      WBA_TRY(e.wba_signature_as_pop, bool_member(at, value));
    } else if (key == "max_act_depth") {
      WBA_TRY(auto d, int_member(at, value, 1, 8));
      e.max_act_depth = static_cast<std::size_t>(d);
    } else if (key == "actor_namespaces") {
      WBA_TRY(e.actor_namespaces, string_array(at, value));
    } else if (key == "client_id_claim") {
      WBA_TRY(e.client_id_claim, string_member(at, value));
    } else if (key == "scope_claim") {
      WBA_TRY(e.scope_claim, string_member(at, value));
      if (e.scope_claim != "scope" && e.scope_claim != "scp") {
        return bad(at, "expected \"scope\" or \"scp\"");
      }
    } else if (key == "typ_policy") {
      WBA_TRY(std::string t, string_member(at, value));
      if (t != "strict" && t != "lenient") return bad(at, "expected \"strict\" or \"lenient\"");
      e.lenient_typ = t == "lenient";
    } else if (key == "require_act_iss") {
      WBA_TRY(e.require_act_iss, bool_member(at, value));
    } else if (key == "max_token_lifetime") {
      WBA_TRY(e.max_token_lifetime, int_member(at, value, 1, 366LL * 24 * 3600));
    } else {
      return bad("issuers", iss + ": unknown member \"" + key + "\"");
    }
  }
  return {};
}

Status set_route_object(Config& c, const nlohmann::json& o) {
  RouteConfig r;
  auto it = o.find("prefix");
  if (it == o.end()) return bad("routes", "an entry has no \"prefix\"");
  WBA_TRY(r.prefix, string_member("routes: prefix", *it));
  if (r.prefix.front() != '/') {
    return bad("routes", "prefix '" + r.prefix + "' does not start with '/'");
  }
  const std::string where = "routes: " + r.prefix;
  for (const auto& [key, value] : o.items()) {
    const std::string at = where + ": " + key;
    if (key == "prefix") {
      continue;
    } else if (key == "token") {
      WBA_TRY(std::string t, string_member(at, value));
      WBA_TRY(r.token, parse_token_policy(at, t));
    } else if (key == "required_scopes") {
      WBA_TRY(r.required_scopes, string_array(at, value));
      for (const auto& sc : *r.required_scopes) {
        if (!valid_scope(sc)) return bad(at, "'" + sc + "' is not a valid scope (RFC 6749 §3.3)");
      }
    } else if (key == "require_delegation") {
      WBA_TRY(r.require_delegation, bool_member(at, value));
    } else if (key == "allowed_actors") {
      WBA_TRY(r.allowed_actors, string_array(at, value));
    } else {
      return bad("routes", r.prefix + ": unknown member \"" + key + "\"");
    }
  }
  for (auto& existing : c.routes) {
    if (existing.prefix == r.prefix) {
      existing = std::move(r);
      return {};
    }
  }
  c.routes.push_back(std::move(r));
  return {};
}

#define WBA_SIZE_OPTION(key, field, lo, hi, def, text)                   \
  Option {                                                               \
    key, "N", def, text, [](Config& c, const std::string& v) -> Status { \
      WBA_TRY(c.field, parse_number<std::size_t>(key, v, lo, hi));       \
      return {};                                                         \
    }                                                                    \
  }
#define WBA_INT_OPTION(key, field, lo, hi, def, text)                          \
  Option {                                                                     \
    key, "SECONDS", def, text, [](Config& c, const std::string& v) -> Status { \
      WBA_TRY(c.field, parse_number<std::int64_t>(key, v, lo, hi));            \
      return {};                                                               \
    }                                                                          \
  }
#define WBA_SECONDS_OPTION(key, field, lo, hi, def, text)                      \
  Option {                                                                     \
    key, "SECONDS", def, text, [](Config& c, const std::string& v) -> Status { \
      WBA_TRY(auto n, parse_number<std::int64_t>(key, v, lo, hi));             \
      c.field = std::chrono::seconds(n);                                       \
      return {};                                                               \
    }                                                                          \
  }
#define WBA_BOOL_OPTION(key, field, def, text)                               \
  Option {                                                                   \
    key, nullptr, def, text, [](Config& c, const std::string& v) -> Status { \
      WBA_TRY(c.field, parse_bool(key, v));                                  \
      return {};                                                             \
    }                                                                        \
  }

const std::vector<Option>& options() {
  static const std::vector<Option> table{
      Option{"config", "FILE", "(none)", "JSON configuration file; flags override it",
             [](Config& c, const std::string& v) -> Status {
               c.config_file = v;
               return {};
             }},
      Option{"listen", "ADDR:PORT", "127.0.0.1:8421",
             "TCP listener (\"[::1]:8421\" for IPv6; \"\" disables it)",
             [](Config& c, const std::string& v) -> Status {
               if (!v.empty() && v.rfind(':') == std::string::npos) {
                 return bad("listen", "expected ADDR:PORT, got '" + v + "'");
               }
               c.listen = v;
               return {};
             }},
      Option{"unix-socket", "PATH", "(none)", "also listen on this Unix domain socket",
             [](Config& c, const std::string& v) -> Status {
               c.unix_socket = v;
               return {};
             }},
      Option{"threads", "N", "0 (one per core)", "I/O threads",
             [](Config& c, const std::string& v) -> Status {
               WBA_TRY(c.threads, parse_number<unsigned>("threads", v, 0, 256));
               return {};
             }},
      Option{"mode", "enforce|observe", "enforce",
             "enforce: invalid → 401/403; observe: always 200, verdict in headers and logs",
             [](Config& c, const std::string& v) -> Status {
               if (v == "enforce") {
                 c.mode = Mode::enforce;
               } else if (v == "observe") {
                 c.mode = Mode::observe;
               } else {
                 return bad("mode", "expected enforce or observe, got '" + v + "'");
               }
               return {};
             }},
      WBA_BOOL_OPTION("allow-unsigned", allow_unsigned, "false",
                      "let unsigned requests through as anonymous (200)"),
      Option{"trust", "URL=JWKS_FILE", "(none)",
             "repeatable: keys for that Signature-Agent URL, used without any fetch",
             [](Config& c, const std::string& v) -> Status {
               auto eq = v.find('=');
               if (eq == std::string::npos || eq == 0 || eq + 1 == v.size()) {
                 return bad("trust", "expected URL=JWKS_FILE, got '" + v + "'");
               }
               c.trust.push_back(TrustEntry{v.substr(0, eq), v.substr(eq + 1)});
               return {};
             }},
      WBA_BOOL_OPTION("allow-test-keys", allow_test_keys, "false",
                      "accept the RFC 9421 Appendix B test keys (conformance runs only)"),
      WBA_BOOL_OPTION("allow-private-fetch", allow_private_fetch, "false",
                      "fetch directories on loopback/private addresses (tests only)"),
      WBA_BOOL_OPTION("allow-http-directories", allow_http_directories, "false",
                      "accept http:// Signature-Agent URLs (local testing only)"),
      WBA_BOOL_OPTION("accept-cimd-agents", accept_cimd_agents, "false",
                      "accept Signature-Agent members of type=cimd (agent cards)"),
      WBA_BOOL_OPTION("require-directory-signatures", require_directory_signatures, "false",
                      "refuse fetched directories without valid signatures"),
      Option{"allow-directory-port", "PORT", "(443 only; 80 with http)",
             "repeatable: also fetch directories on this port",
             [](Config& c, const std::string& v) -> Status {
               WBA_TRY(auto port, parse_number<unsigned>("allow-directory-port", v, 1, 65535));
               c.directory_ports.push_back(static_cast<std::uint16_t>(port));
               return {};
             }},
      Option{"directory-ca-file", "FILE", "(system store only)",
             "also trust this CA (PEM) when fetching directories (private PKI, tests)",
             [](Config& c, const std::string& v) -> Status {
               c.directory_ca_file = v;
               return {};
             }},
      WBA_BOOL_OPTION("allow-now-override", allow_now_override, "false",
                      "honour the JSON API's `now` field (tests only)"),
      WBA_INT_OPTION("max-clock-skew", max_clock_skew, 0, 3600, "60",
                     "seconds `created` may lie in the future"),
      WBA_INT_OPTION("max-lifetime", max_lifetime, 1, 366LL * 24 * 3600, "86400",
                     "largest expires - created accepted"),
      WBA_BOOL_OPTION("require-nonce", require_nonce, "false", "refuse signatures without nonce"),
      WBA_BOOL_OPTION("require-signature-agent", require_signature_agent, "false",
                      "refuse requests without Signature-Agent"),
      WBA_BOOL_OPTION("accept-legacy-signature-agent", accept_legacy_signature_agent, "true",
                      "accept the legacy String form of Signature-Agent"),
      WBA_BOOL_OPTION("replay-protection", replay_protection, "true",
                      "reject a nonce seen before within its signature's validity"),
      WBA_BOOL_OPTION("replay-whole-signatures", replay_whole_signatures, "false",
                      "also reject any signature seen before (no nonce needed)"),
      WBA_SIZE_OPTION("replay-max-entries", replay_max_entries, 1024, 100'000'000, "1000000",
                      "replay store size; the oldest entries are evicted beyond it"),
      WBA_SIZE_OPTION("max-header-bytes", max_header_bytes, 1024, 1024 * 1024, "16384",
                      "largest request header section (431 beyond)"),
      WBA_SIZE_OPTION("max-body-bytes", max_body_bytes, 0, 64 * 1024 * 1024, "1048576",
                      "largest request body (413 beyond)"),
      WBA_SIZE_OPTION("max-connections", max_connections, 1, 1'000'000, "10000",
                      "open connections; more are closed at accept"),
      WBA_SECONDS_OPTION("idle-timeout", idle_timeout, 1, 3600, "60",
                         "close a keep-alive connection idle this long"),
      WBA_SECONDS_OPTION("request-timeout", request_timeout, 1, 600, "10",
                         "time allowed to receive one request"),
      WBA_SECONDS_OPTION("shutdown-grace", shutdown_grace, 0, 600, "10",
                         "SIGTERM: time to drain in-flight requests before exiting"),
      // Delegated OAuth tokens (docs/DELEGATION.md).
      Option{"token-policy", "required|optional|off", "optional",
             "required: refuse requests without a bound token; optional: a token, when present, "
             "must bind; off: ignore tokens",
             [](Config& c, const std::string& v) -> Status {
               WBA_TRY(c.token_policy, parse_token_policy("token-policy", v));
               return {};
             }},
      Option{"issuer", "ISS=JWKS_FILE", "(none)",
             "repeatable: trust tokens of issuer ISS, verified with the keys of that JWKS file",
             [](Config& c, const std::string& v) -> Status {
               WBA_TRY(auto kv, split_pair("issuer", v, "ISS=JWKS_FILE"));
               issuer_entry(c, kv.first).jwks_file = kv.second;
               return {};
             }},
      Option{"issuer-discovery", "ISS[=MODE]", "(none)",
             "repeatable: trust tokens of issuer ISS, keys from its metadata; MODE oauth (RFC "
             "8414), oidc, or auto (RFC 8414, then OIDC; the default)",
             [](Config& c, const std::string& v) -> Status {
               std::string iss = v;
               IssuerDiscovery mode = IssuerDiscovery::automatic;
               if (auto eq = v.rfind('='); eq != std::string::npos) {
                 iss = v.substr(0, eq);
                 WBA_TRY(mode, parse_discovery("issuer-discovery", v.substr(eq + 1)));
               }
               if (iss.empty()) return bad("issuer-discovery", "expected ISS[=oauth|oidc|auto]");
               issuer_entry(c, iss).discovery = mode;
               return {};
             }},
      Option{"issuers", "JSON", "(none)",
             "repeatable: per-issuer settings, a JSON object or array (docs/CONFIG.md)",
             [](Config& c, const std::string& v) -> Status {
               WBA_TRY(auto objects, json_objects("issuers", v));
               for (const auto& o : objects) WBA_CHECK(set_issuer_object(c, o));
               return {};
             }},
      Option{"audience", "AUD", "(none)",
             "repeatable: this resource's identifier; a token's aud must contain one",
             [](Config& c, const std::string& v) -> Status {
               if (v.empty()) return bad("audience", "must not be empty");
               c.audiences.push_back(v);
               return {};
             }},
      Option{"introspection", "ISS=URL", "(none)",
             "repeatable: RFC 7662 endpoint for issuer ISS's opaque tokens",
             [](Config& c, const std::string& v) -> Status {
               WBA_TRY(auto kv, split_pair("introspection", v, "ISS=URL"));
               issuer_entry(c, kv.first).introspection_endpoint = kv.second;
               return {};
             }},
      Option{"introspection-credentials", "FILE", "(none)",
             "client_id:client_secret for introspection (client_secret_basic)",
             [](Config& c, const std::string& v) -> Status {
               c.introspection_credentials_file = v;
               return {};
             }},
      WBA_INT_OPTION("token-clock-skew", token_clock_skew, 0, 300, "60",
                     "seconds of clock skew allowed on token exp/nbf/iat"),
      WBA_INT_OPTION("binding-max-age", binding_max_age, 1, 3600, "60",
                     "largest age of the signature that covers the token"),
      WBA_INT_OPTION("dpop-window", dpop_window, 1, 300, "60",
                     "seconds a DPoP proof's iat may differ from now"),
      WBA_SIZE_OPTION("max-act-depth", max_act_depth, 1, 8, "4",
                      "deepest act (actor) chain accepted"),
      WBA_BOOL_OPTION("require-sender-constrained", require_sender_constrained, "false",
                      "refuse tokens without cnf (proof-of-possession)"),
      WBA_BOOL_OPTION("require-identity-match", require_identity_match, "false",
                      "refuse key-bound tokens that do not also name the agent"),
      Option{"wba-signature-as-pop", "ISS", "(none)",
             "repeatable: accept a cnf-bound token of ISS as Bearer when the agent's signature "
             "covers it (deviates from RFC 9449 §7.2)",
             [](Config& c, const std::string& v) -> Status {
               if (v.empty()) return bad("wba-signature-as-pop", "expected an issuer");
               issuer_entry(c, v).wba_signature_as_pop = true;
               return {};
             }},
      Option{"actor-alias", "\"NS SUB=URL\"", "(none)",
             "repeatable: actor id SUB in namespace NS is the agent with Signature-Agent URL",
             [](Config& c, const std::string& v) -> Status {
               auto sp = v.find(' ');
               auto eq = sp == std::string::npos ? sp : v.find('=', sp + 1);
               if (sp == std::string::npos || sp == 0 || eq == std::string::npos || eq == sp + 1 ||
                   eq + 1 == v.size()) {
                 return bad("actor-alias", "expected \"NS SUB=URL\", got '" + v + "'");
               }
               c.actor_aliases.push_back(ActorAliasConfig{
                   v.substr(0, sp), v.substr(sp + 1, eq - sp - 1), v.substr(eq + 1)});
               return {};
             }},
      WBA_BOOL_OPTION("require-delegation", require_delegation, "false",
                      "refuse tokens without a human principal (route default)"),
      Option{"required-scope", "SCOPE", "(none)",
             "repeatable: scope every token must carry (route default)",
             [](Config& c, const std::string& v) -> Status {
               if (!valid_scope(v)) {
                 return bad("required-scope", "'" + v + "' is not a valid scope (RFC 6749 §3.3)");
               }
               c.required_scopes.push_back(v);
               return {};
             }},
      Option{"allowed-actor", "ID", "(none)",
             "repeatable: an agent (Signature-Agent URL, key URN, client_id) or actor sub "
             "allowed to act for principals (route default; none listed: any)",
             [](Config& c, const std::string& v) -> Status {
               if (v.empty()) return bad("allowed-actor", "expected an identifier");
               c.allowed_actors.push_back(v);
               return {};
             }},
      Option{"revoked-token-ids", "FILE", "(none)",
             "revoked token ids (jti), one per line: such tokens are refused (token_revoked)",
             [](Config& c, const std::string& v) -> Status {
               c.revoked_token_ids_file = v;
               return {};
             }},
      Option{"routes", "JSON", "(none)",
             "repeatable: per-path token policy, a JSON object or array (docs/CONFIG.md)",
             [](Config& c, const std::string& v) -> Status {
               WBA_TRY(auto objects, json_objects("routes", v));
               for (const auto& o : objects) WBA_CHECK(set_route_object(c, o));
               return {};
             }},
      WBA_SIZE_OPTION("token-cache-entries", token_cache_entries, 16, 10'000'000, "10000",
                      "validated tokens cached (by SHA-256 of the token)"),
      Option{"identity-header-prefix", "PREFIX", "X-Agent-",
             "prefix of the identity headers returned to proxies",
             [](Config& c, const std::string& v) -> Status {
               if (v.empty()) return bad("identity-header-prefix", "must not be empty");
               c.identity_header_prefix = v;
               return {};
             }},
      Option{"log-level", "debug|info|warn|error", "info", "least severe log level written",
             [](Config& c, const std::string& v) -> Status {
               if (v != "debug" && v != "info" && v != "warn" && v != "error") {
                 return bad("log-level", "expected debug, info, warn or error, got '" + v + "'");
               }
               c.log_level = v;
               return {};
             }},
  };
  return table;
}

const Option* find_option(const std::string& name) {
  for (const auto& o : options()) {
    if (name == o.name) return &o;
  }
  return nullptr;
}

std::string json_scalar(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return v.dump();
}

Status apply_file(Config& c, const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error(Reason::io_error, "--config: cannot read '" + path + "'");
  std::stringstream text;
  text << in.rdbuf();
  auto j = nlohmann::json::parse(text.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Error(Reason::invalid_argument, "--config: '" + path + "' is not a JSON object");
  }
  for (const auto& [key, value] : j.items()) {
    std::string name = key;
    for (char& ch : name) {
      if (ch == '_') ch = '-';
    }
    const Option* o = find_option(name);
    if (!o || name == "config") {
      return Error(Reason::invalid_argument, "'" + path + "': unknown option \"" + key + "\"");
    }
    if (value.is_array()) {  // repeatable options (trust)
      for (const auto& item : value) {
        auto s = o->set(c, json_scalar(item));
        if (!s) return Error(s.error().reason, "'" + path + "': " + s.error().detail);
      }
      continue;
    }
    auto s = o->set(c, json_scalar(value));
    if (!s) return Error(s.error().reason, "'" + path + "': " + s.error().detail);
  }
  return {};
}

// An https URL (http only with --allow-http-directories, like key directories), no fragment;
// issuer identifiers also carry no query (RFC 8414 §2).
Status check_url(const Config& c, const std::string& option, const std::string& url,
                 bool is_issuer) {
  bool https = starts_with(url, "https://") && url.size() > 8;
  bool http = starts_with(url, "http://") && url.size() > 7;
  if (!https && !(http && c.allow_http_directories)) {
    return bad(option, "'" + url + "' is not an https URL" +
                           (http ? " (http:// needs --allow-http-directories)" : ""));
  }
  if (url.find('#') != std::string::npos || (is_issuer && url.find('?') != std::string::npos)) {
    return bad(option,
               "'" + url + "' must not have a " + (is_issuer ? "query or " : "") + "fragment");
  }
  return {};
}

Status check_issuers(const Config& c) {
  for (const auto& i : c.issuers) {
    const std::string& iss = i.issuer;
    std::string option = !i.jwks_file.empty()                   ? "issuer"
                         : i.discovery != IssuerDiscovery::none ? "issuer-discovery"
                         : !i.introspection_endpoint.empty()    ? "introspection"
                                                                : "issuers";
    WBA_CHECK(check_url(c, option, iss, true));
    if (!i.jwks_file.empty() && i.discovery != IssuerDiscovery::none) {
      return bad("issuer-discovery",
                 "issuer '" + iss + "' has both a JWKS file and discovery; choose one");
    }
    if (i.jwks_file.empty() && i.discovery == IssuerDiscovery::none &&
        i.introspection_endpoint.empty()) {
      return bad(option, "issuer '" + iss + "' has no keys: give --issuer " + iss +
                             "=JWKS_FILE, --issuer-discovery " + iss + " or --introspection " +
                             iss + "=URL");
    }
    if (!i.introspection_endpoint.empty()) {
      WBA_CHECK(check_url(c, "introspection", i.introspection_endpoint, false));
    }
    if (i.audiences.empty() && c.audiences.empty()) {
      return bad("audience", "issuer '" + iss +
                                 "' has no audience: give --audience (this resource's "
                                 "identifier) or audiences in its issuers entry");
    }
  }
  return {};
}

Status check(const Config& c) {
  if (c.listen.empty() && c.unix_socket.empty()) {
    return Error(Reason::invalid_argument,
                 "--listen: no listener (give --listen or --unix-socket)");
  }
  for (const auto& t : c.trust) {
    if (t.url.rfind("https://", 0) != 0 && t.url.rfind("http://", 0) != 0) {
      return Error(Reason::invalid_argument, "--trust: '" + t.url + "' is not an http(s) URL");
    }
  }
  WBA_CHECK(check_issuers(c));
  return {};
}

// Flags in command-line order as (name, value) pairs.
Result<std::vector<std::pair<std::string, std::string>>> split_flags(int argc,
                                                                     const char* const* argv,
                                                                     bool& help) {
  std::vector<std::pair<std::string, std::string>> out;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      help = true;
      continue;
    }
    if (a.rfind("--", 0) != 0) {
      return Error(Reason::invalid_argument, "unexpected argument '" + a + "'");
    }
    std::string name = a.substr(2), value;
    bool has_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
      has_value = true;
    }
    const Option* o = find_option(name);
    if (!o) return Error(Reason::invalid_argument, "unknown option --" + name);
    if (o->value_hint && !has_value) {
      if (i + 1 >= argc) return Error(Reason::invalid_argument, "--" + name + " needs a value");
      value = argv[++i];
    }
    out.emplace_back(name, value);
  }
  return out;
}

Result<Config> build(const std::vector<std::pair<std::string, std::string>>& flags) {
  Config c;
  for (const auto& [name, value] : flags) {
    if (name == "config") c.config_file = value;
  }
  if (!c.config_file.empty()) WBA_CHECK(apply_file(c, c.config_file));
  for (const auto& [name, value] : flags) {
    if (name == "config") continue;
    WBA_CHECK(find_option(name)->set(c, value));
  }
  WBA_CHECK(check(c));
  if (c.threads == 0) c.threads = std::max(1u, std::thread::hardware_concurrency());
  return c;
}

}  // namespace

Result<ParsedArgs> parse_command_line(int argc, const char* const* argv) {
  ParsedArgs out;
  WBA_TRY(auto flags, split_flags(argc, argv, out.help));
  if (out.help) return out;
  WBA_TRY(out.config, build(flags));
  return out;
}

Result<Config> reload(const Config&, int argc, const char* const* argv) {
  bool help = false;
  WBA_TRY(auto flags, split_flags(argc, argv, help));
  return build(flags);
}

std::string help_text() {
  std::string out =
      "Usage: wbad [OPTIONS]\n\n"
      "The Web Bot Auth verifier daemon. Starts on embedded defaults (listening on\n"
      "127.0.0.1:8421); every option may also be set in the JSON --config file under the\n"
      "same name with '_' for '-'. Flags override the file. SIGHUP reloads the file, SIGTERM\n"
      "drains in-flight requests and exits. Invalid configuration exits with code 2.\n"
      "Boolean options: --name sets true; --name=false sets false.\n\n"
      "Options (default in brackets):\n";
  for (const auto& o : options()) {
    std::string left =
        std::string("  --") + o.name + (o.value_hint ? std::string(" ") + o.value_hint : "");
    if (left.size() < 36) left.resize(36, ' ');
    out += left + " " + o.help + " [" + o.default_text + "]\n";
  }
  return out;
}

}  // namespace wbad
