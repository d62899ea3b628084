// Structured logs: one JSON object per line on stderr (journald and container runtimes collect
// stderr), filtered by level.
#pragma once

#include <atomic>
#include <concepts>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace wbad {

enum class LogLevel { debug = 0, info = 1, warn = 2, error = 3 };
LogLevel parse_log_level(const std::string& name);

// The fields of one log line, written as JSON text while they are added. The verdict line goes
// out for every request at the default level, and building it as an nlohmann::json object cost
// about 6 µs per request, 12 % of a verification (docs/PERFORMANCE.md). Keys are the caller's
// literals and are written as given; values are JSON-escaped (by nlohmann::json whenever a
// string holds anything but printable ASCII without '"' and '\'), invalid UTF-8 replaced by
// U+FFFD so that a hostile header cannot break the line.
class LogFields {
 public:
  LogFields& add(std::string_view key, std::string_view value);
  LogFields& add(std::string_view key, const char* value) {
    return add(key, std::string_view(value));
  }
  LogFields& add(std::string_view key, const std::string& value) {
    return add(key, std::string_view(value));
  }
  LogFields& add(std::string_view key, bool value);
  template <std::integral T>
  requires(!std::same_as<T, bool>) LogFields& add(std::string_view key, T value) {
    return add_integer(key, static_cast<std::int64_t>(value));
  }
  // ",\"key\":value" for each field, in the order added.
  const std::string& text() const noexcept { return text_; }

 private:
  LogFields& add_integer(std::string_view key, std::int64_t value);
  void start(std::string_view key);
  std::string text_;
};

// Appends `value` as a JSON string (quotes included), escaped as described for LogFields.
void append_json_string(std::string& out, std::string_view value);

class Logger {
 public:
  explicit Logger(LogLevel level = LogLevel::info, std::FILE* out = stderr)
      : level_(level), out_(out) {}
  void set_level(LogLevel level) { level_.store(level); }
  bool enabled(LogLevel level) const { return level >= level_.load(); }
  // Writes {"ts": RFC 3339 UTC with milliseconds, "level", "msg", then the fields}.
  void log(LogLevel level, std::string_view msg, const LogFields& fields);
  // The same for occasional lines whose fields are easier to give as a JSON object.
  void log(LogLevel level, std::string_view msg, nlohmann::json fields = nlohmann::json::object());

 private:
  void write(std::string& line);
  std::mutex mutex_;
  std::atomic<LogLevel> level_;
  std::FILE* out_;
};

}  // namespace wbad
