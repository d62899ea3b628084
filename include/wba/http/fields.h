// An ordered multi-map of HTTP field lines with case-insensitive names (RFC 9110 §5).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wba::http {

// ASCII case-insensitive equality of field names.
bool iequals(std::string_view a, std::string_view b) noexcept;

class Fields {
 public:
  using Line = std::pair<std::string, std::string>;  // name as received, value as received

  // Appends a field line; the name keeps its spelling, lookups ignore case.
  void add(std::string name, std::string value);
  // Replaces all lines of `name` by one line.
  void set(std::string name, std::string value);
  // Removes every line of `name`; returns how many were removed.
  std::size_t erase(std::string_view name);

  // Room for `lines` field lines without reallocation.
  void reserve(std::size_t lines) { lines_.reserve(lines); }

  bool contains(std::string_view name) const noexcept;
  // All values of `name` in message order (views into this object).
  std::vector<std::string_view> values(std::string_view name) const;
  const std::vector<Line>& lines() const noexcept { return lines_; }
  bool empty() const noexcept { return lines_.empty(); }
  std::size_t size() const noexcept { return lines_.size(); }

 private:
  std::vector<Line> lines_;
};

}  // namespace wba::http
