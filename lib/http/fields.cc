#include "wba/http/fields.h"

#include <algorithm>

namespace wba::http {

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto x = static_cast<unsigned char>(a[i]);
    const auto y = static_cast<unsigned char>(b[i]);
    if (x == y) continue;
    // Every field lookup scans all lines with this: test the usual equal byte first, and fold
    // case only for a pair that differs in bit 0x20 alone and is an ASCII letter.
    const auto folded = static_cast<unsigned char>(x | 0x20);
    if ((x ^ y) != 0x20 || folded < 'a' || folded > 'z') return false;
  }
  return true;
}

void Fields::add(std::string name, std::string value) {
  lines_.emplace_back(std::move(name), std::move(value));
}

void Fields::set(std::string name, std::string value) {
  erase(name);
  add(std::move(name), std::move(value));
}

std::size_t Fields::erase(std::string_view name) {
  auto it = std::remove_if(lines_.begin(), lines_.end(),
                           [&](const Line& l) { return iequals(l.first, name); });
  std::size_t n = static_cast<std::size_t>(lines_.end() - it);
  lines_.erase(it, lines_.end());
  return n;
}

bool Fields::contains(std::string_view name) const noexcept {
  return std::any_of(lines_.begin(), lines_.end(),
                     [&](const Line& l) { return iequals(l.first, name); });
}

std::vector<std::string_view> Fields::values(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const auto& l : lines_) {
    if (iequals(l.first, name)) out.emplace_back(l.second);
  }
  return out;
}

}  // namespace wba::http
