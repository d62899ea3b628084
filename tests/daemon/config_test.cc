#include "config/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace wbad {
namespace {

wba::Result<ParsedArgs> parse(std::vector<const char*> args) {
  args.insert(args.begin(), "wbad");
  return parse_command_line(static_cast<int>(args.size()), args.data());
}

TEST(Config, EmbeddedDefaults) {
  auto p = parse({});
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_EQ(p->config.listen, "127.0.0.1:8421");
  EXPECT_EQ(p->config.mode, Mode::enforce);
  EXPECT_GE(p->config.threads, 1u);
  EXPECT_FALSE(p->config.allow_test_keys);
  EXPECT_TRUE(p->config.replay_protection);
}

TEST(Config, FlagsOverrideTheFile) {
  auto file = std::filesystem::temp_directory_path() /
              ("wbad-config-" + std::to_string(::getpid()) + ".json");
  std::ofstream(file) << R"({"threads": 3, "mode": "observe", "max_lifetime": 120,
                             "trust": ["https://a.example=a.json", "https://b.example=b.json"],
                             "replay_protection": false})";
  auto p = parse({"--config", file.c_str(), "--mode", "enforce", "--allow-test-keys"});
  std::filesystem::remove(file);
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_EQ(p->config.threads, 3u);
  EXPECT_EQ(p->config.mode, Mode::enforce);
  EXPECT_EQ(p->config.max_lifetime, 120);
  EXPECT_TRUE(p->config.allow_test_keys);
  EXPECT_FALSE(p->config.replay_protection);
  ASSERT_EQ(p->config.trust.size(), 2u);
  EXPECT_EQ(p->config.trust[1].url, "https://b.example");
  EXPECT_EQ(p->config.trust[1].jwks_file, "b.json");
}

TEST(Config, ErrorsNameTheOption) {
  auto expect_error = [](std::vector<const char*> args, const std::string& needle) {
    auto p = parse(args);
    ASSERT_FALSE(p.ok()) << needle;
    EXPECT_NE(p.error().detail.find(needle), std::string::npos) << p.error().detail;
  };
  expect_error({"--threads", "-1"}, "--threads");
  expect_error({"--threads"}, "--threads");
  expect_error({"--mode", "x"}, "--mode");
  expect_error({"--trust", "nourl"}, "--trust");
  expect_error({"--trust", "ftp://x=y"}, "--trust");
  expect_error({"--max-lifetime", "0"}, "--max-lifetime");
  expect_error({"--idle-timeout", "1e3"}, "--idle-timeout");
  expect_error({"--nope"}, "--nope");
  expect_error({"positional"}, "positional");
  expect_error({"--config", "/nonexistent.json"}, "--config");
  expect_error({"--listen", "", "--unix-socket", ""}, "--listen");
  expect_error({"--allow-test-keys=maybe"}, "--allow-test-keys");
}

TEST(Config, HelpListsEveryOptionWithItsDefault) {
  auto p = parse({"--help"});
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->help);
  std::string h = help_text();
  for (const char* o :
       {"--config", "--listen", "--threads", "--mode", "--trust", "--allow-test-keys",
        "--allow-private-fetch", "--unix-socket", "--max-header-bytes"}) {
    EXPECT_NE(h.find(o), std::string::npos) << o;
  }
  EXPECT_NE(h.find("[127.0.0.1:8421]"), std::string::npos);
}

}  // namespace
}  // namespace wbad
