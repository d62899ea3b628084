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
