// Test-only: runs the built `wba` (WBA_CLI_PATH) in a per-test temporary directory and captures
// its exit code, stdout and stderr.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/vectors.h"

namespace wba::testing {

struct Outcome {
  int code = -1;
  std::string out;
  std::string err;
};

class CliFixture : public ::testing::Test {
 protected:
  std::filesystem::path tmp;

  void SetUp() override {
    tmp = std::filesystem::temp_directory_path() /
          ("wba-cli-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(tmp);
  }
  void TearDown() override { std::filesystem::remove_all(tmp); }

  // Writes `content` to a file in the test's directory and returns its path.
  std::string file(const std::string& name, const std::string& content) {
    auto p = tmp / name;
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }

  static std::string quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += (c == '\'') ? std::string("'\\''") : std::string(1, c);
    return out + "'";
  }

  Outcome wba(const std::vector<std::string>& args) {
    std::string cmd = quote(WBA_CLI_PATH);
    for (const auto& a : args) cmd += " " + quote(a);
    auto err = tmp / "stderr.txt";
    cmd += " 2>" + quote(err.string());
    Outcome r;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return r;
    std::array<char, 4096> buf;
    std::size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
    int status = ::pclose(p);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.err = read_text(err);
    return r;
  }
};

}  // namespace wba::testing
