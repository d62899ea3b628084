#include "args.h"

#include <algorithm>

namespace wba::cli {

Status Args::parse(std::initializer_list<std::string_view> with_value,
                   std::initializer_list<std::string_view> flags) {
  auto in = [](std::initializer_list<std::string_view> set, std::string_view n) {
    return std::find(set.begin(), set.end(), n) != set.end();
  };
  for (std::size_t i = 0; i < argv_.size(); ++i) {
    const std::string& a = argv_[i];
    if (a == "--") {
      positional_.insert(positional_.end(), argv_.begin() + static_cast<long>(i) + 1, argv_.end());
      break;
    }
    if (a.size() < 3 || a.compare(0, 2, "--") != 0) {
      positional_.push_back(a);
      continue;
    }
    std::string name = a.substr(2);
    std::optional<std::string> value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    if (name == "help" || in(flags, name)) {
      if (value) return Error(Reason::invalid_argument, "option --" + name + " takes no value");
      options_.emplace_back(name, "");
    } else if (in(with_value, name)) {
      if (!value) {
        if (i + 1 >= argv_.size()) {
          return Error(Reason::invalid_argument, "option --" + name + " needs a value");
        }
        value = argv_[++i];
      }
      options_.emplace_back(name, *value);
    } else {
      return Error(Reason::invalid_argument, "unknown option --" + name);
    }
  }
  return {};
}

bool Args::has(std::string_view name) const {
  return std::any_of(options_.begin(), options_.end(),
                     [&](const auto& o) { return o.first == name; });
}

std::optional<std::string> Args::get(std::string_view name) const {
  std::optional<std::string> out;
  for (const auto& [k, v] : options_) {
    if (k == name) out = v;
  }
  return out;
}

std::vector<std::string> Args::get_all(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : options_) {
    if (k == name) out.push_back(v);
  }
  return out;
}

}  // namespace wba::cli
