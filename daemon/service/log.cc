#include "service/log.h"

#include <chrono>
#include <ctime>

namespace wbad {
namespace {

constexpr const char* kLevelNames[] = {"debug", "info", "warn", "error"};

// "ts", "level" and "msg", without the closing brace. The date and time text is kept per thread
// for the current second: most lines of a busy daemon share it.
std::string line_start(LogLevel level, std::string_view msg) {
  using namespace std::chrono;
  const auto now = system_clock::now();
  const std::int64_t ms = duration_cast<milliseconds>(now.time_since_epoch()).count();
  const std::int64_t second = ms / 1000;
  thread_local std::int64_t cached_second = -1;
  thread_local char cached[80];  // room for any int the compiler can see in std::tm
  if (second != cached_second) {
    const std::time_t t = static_cast<std::time_t>(second);
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::snprintf(cached, sizeof cached, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    cached_second = second;
  }
  char millis[16];
  std::snprintf(millis, sizeof millis, ".%03dZ", static_cast<int>(ms % 1000));
  std::string line;
  line.reserve(512);
  line += "{\"ts\":\"";
  line += cached;
  line += millis;
  line += "\",\"level\":\"";
  line += kLevelNames[static_cast<int>(level)];
  line += "\",\"msg\":";
  append_json_string(line, msg);
  return line;
}

}  // namespace

LogLevel parse_log_level(const std::string& name) {
  if (name == "debug") return LogLevel::debug;
  if (name == "warn") return LogLevel::warn;
  if (name == "error") return LogLevel::error;
  return LogLevel::info;
}

void append_json_string(std::string& out, std::string_view value) {
  bool plain = true;
  for (unsigned char c : value) {
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
      plain = false;
      break;
    }
  }
  if (plain) {
    out += '"';
    out += value;
    out += '"';
    return;
  }
  out += nlohmann::json(std::string(value))
             .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void LogFields::start(std::string_view key) {
  text_ += ",\"";
  text_ += key;
  text_ += "\":";
}

LogFields& LogFields::add(std::string_view key, std::string_view value) {
  start(key);
  append_json_string(text_, value);
  return *this;
}

LogFields& LogFields::add(std::string_view key, bool value) {
  start(key);
  text_ += value ? "true" : "false";
  return *this;
}

LogFields& LogFields::add_integer(std::string_view key, std::int64_t value) {
  start(key);
  text_ += std::to_string(value);
  return *this;
}

void Logger::log(LogLevel level, std::string_view msg, const LogFields& fields) {
  if (!enabled(level)) return;
  std::string line = line_start(level, msg);
  line += fields.text();
  line += "}\n";
  write(line);
}

void Logger::log(LogLevel level, std::string_view msg, nlohmann::json fields) {
  if (!enabled(level)) return;
  std::string line = line_start(level, msg);
  // Replacement of invalid UTF-8 keeps a hostile header from breaking the log line.
  for (const auto& [key, value] : fields.items()) {
    if (key == "ts" || key == "level" || key == "msg") continue;
    line += ',';
    append_json_string(line, key);
    line += ':';
    line += value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  line += "}\n";
  write(line);
}

void Logger::write(std::string& line) {
  std::lock_guard lock(mutex_);
  std::fwrite(line.data(), 1, line.size(), out_);
}

}  // namespace wbad
