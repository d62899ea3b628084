// A small, strict command-line parser for `wba`: `--name value`, `--name=value`, boolean
// `--flag`, positional arguments; unknown options are errors naming the option.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "wba/result.h"

namespace wba::cli {

class Args {
 public:
  explicit Args(std::vector<std::string> argv) : argv_(std::move(argv)) {}

  // `with_value` options take an argument; `flags` do not. `--help` is always a flag.
  Status parse(std::initializer_list<std::string_view> with_value,
               std::initializer_list<std::string_view> flags);

  bool has(std::string_view name) const;
  std::optional<std::string> get(std::string_view name) const;  // the last occurrence
  std::vector<std::string> get_all(std::string_view name) const;
  const std::vector<std::string>& positional() const { return positional_; }
  // Options in command-line order (for options whose relative order matters).
  const std::vector<std::pair<std::string, std::string>>& options() const { return options_; }

 private:
  std::vector<std::string> argv_;
  std::vector<std::pair<std::string, std::string>> options_;
  std::vector<std::string> positional_;
};

}  // namespace wba::cli
