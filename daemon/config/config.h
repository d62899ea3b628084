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
