#include "service/log.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

namespace wbad {
namespace {

// Every line the logger wrote to a temporary file, parsed as JSON.
class LogCapture {
 public:
  LogCapture() : file_(std::tmpfile()) {}
  ~LogCapture() { std::fclose(file_); }
  std::FILE* file() { return file_; }
  std::vector<nlohmann::json> lines() {
    std::fflush(file_);
    std::rewind(file_);
    std::vector<nlohmann::json> out;
    char buf[4096];
    while (std::fgets(buf, sizeof buf, file_)) {
      out.push_back(nlohmann::json::parse(buf, nullptr, false));
    }
    return out;
  }

 private:
  std::FILE* file_;
};

TEST(Logger, FieldsBecomeOneJsonObjectPerLine) {
  LogCapture cap;
  Logger log(LogLevel::info, cap.file());
  LogFields f;
  f.add("frontend", "nginx").add("valid", true).add("duration_us", 42).add("count", 7u);
  log.log(LogLevel::info, "verdict", f);
  auto lines = cap.lines();
  ASSERT_EQ(lines.size(), 1u);
  const auto& j = lines[0];
  ASSERT_TRUE(j.is_object()) << j;
  EXPECT_EQ(j["msg"], "verdict");
  EXPECT_EQ(j["level"], "info");
  EXPECT_EQ(j["frontend"], "nginx");
  EXPECT_EQ(j["valid"], true);
  EXPECT_EQ(j["duration_us"], 42);
  EXPECT_EQ(j["count"], 7);
  // RFC 3339, UTC, milliseconds: 2026-11-23T19:52:00.123Z
  const std::string ts = j["ts"];
  ASSERT_EQ(ts.size(), 24u) << ts;
  EXPECT_EQ(ts[10], 'T');
  EXPECT_EQ(ts[19], '.');
  EXPECT_EQ(ts.back(), 'Z');
}

// Values come from requests (a detail quotes a header): quotes, backslashes, control
// characters and invalid UTF-8 must not break the line or let a client add fields.
TEST(Logger, HostileValuesStayInsideTheirField) {
  LogCapture cap;
  Logger log(LogLevel::info, cap.file());
  const std::string hostile = "a\"b\\c\nd\x01\"e\":\"forged\xff\xfe";
  LogFields f;
  f.add("detail", hostile).add("agent", "https://agent.example/é");
  log.log(LogLevel::info, "verdict \"x\"", f);
  auto lines = cap.lines();
  ASSERT_EQ(lines.size(), 1u);  // the newline in the value did not split the line
  const auto& j = lines[0];
  ASSERT_TRUE(j.is_object()) << "not JSON";
  EXPECT_FALSE(j.contains("e"));
  EXPECT_EQ(j["msg"], "verdict \"x\"");
  EXPECT_EQ(j["agent"], "https://agent.example/é");
  const std::string detail = j["detail"];
  const std::string kept = "a\"b\\c\nd\x01\"e\":\"forged";
  EXPECT_EQ(detail.substr(0, kept.size()), kept);
  EXPECT_NE(detail.find("\xEF\xBF\xBD"), std::string::npos);  // U+FFFD for the invalid bytes
}

TEST(Logger, LevelFiltersLines) {
  LogCapture cap;
  Logger log(LogLevel::warn, cap.file());
  log.log(LogLevel::info, "hidden", LogFields{});
  log.log(LogLevel::error, "shown", nlohmann::json{{"port", 8421}, {"msg", "not this"}});
  auto lines = cap.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["msg"], "shown");  // a field cannot replace msg
  EXPECT_EQ(lines[0]["port"], 8421);
  EXPECT_EQ(lines[0]["level"], "error");
}

}  // namespace
}  // namespace wbad
