// Structured logs: one JSON object per line on stderr (journald and container runtimes collect
// stderr), filtered by level.
#pragma once

#include <atomic>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

namespace wbad {

enum class LogLevel { debug = 0, info = 1, warn = 2, error = 3 };
LogLevel parse_log_level(const std::string& name);

class Logger {
 public:
  explicit Logger(LogLevel level = LogLevel::info) : level_(level) {}
  void set_level(LogLevel level) { level_.store(level); }
  bool enabled(LogLevel level) const { return level >= level_.load(); }
  // Adds "ts" (RFC 3339, UTC, milliseconds), "level" and "msg" to `fields` and writes the line.
  void log(LogLevel level, std::string_view msg, nlohmann::json fields = nlohmann::json::object());

 private:
  std::mutex mutex_;
  std::atomic<LogLevel> level_;
};

}  // namespace wbad
