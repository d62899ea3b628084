#include "wba/sfv/value.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace wba::sfv {
namespace {

// The largest magnitude a Decimal may hold: twelve integer digits and three fractional ones
// (§3.3.2), in thousandths.
constexpr std::uint64_t kMaxThousandths = 999'999'999'999'999;

}  // namespace

std::optional<Decimal> Decimal::from_double(double v) {
  if (!std::isfinite(v)) return std::nullopt;
  // Round the shortest decimal text that reads back as v, not v's binary expansion: callers
  // mean 0.0025 when they write it, and §4.1.5's ties-to-even would never see a tie otherwise
  // (the double nearest 0.0025 is a little above it). "d.ddde±x" gives digits and exponent.
  char buf[40];
  const auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  if (res.ec != std::errc()) return std::nullopt;
  const std::string_view text(buf, static_cast<std::size_t>(res.ptr - buf));
  const std::size_t e_pos = text.find('e');
  if (e_pos == std::string_view::npos) return std::nullopt;

  bool negative = false;
  std::string digits;  // significant digits, without sign and point (at most 17)
  digits.reserve(20);
  for (char c : text.substr(0, e_pos)) {
    if (c == '-') {
      negative = true;
    } else if (c >= '0' && c <= '9') {
      digits.push_back(c);
    }
  }
  int exponent = 0;
  {
    std::string_view exp_text = text.substr(e_pos + 1);
    if (!exp_text.empty() && exp_text.front() == '+') exp_text.remove_prefix(1);
    const auto r = std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exponent);
    if (r.ec != std::errc()) return std::nullopt;
  }

  // value = digits × 10^(exponent - (n - 1)); in thousandths the power is that plus three.
  const long n = static_cast<long>(digits.size());
  const long shift = static_cast<long>(exponent) - (n - 1) + 3;
  const long kept = n + shift;         // how many leading digits are whole thousandths
  if (kept > 15) return std::nullopt;  // the first digit is non-zero (or the value is 0)

  std::uint64_t magnitude = 0;
  for (long i = 0; i < std::min(kept, n); ++i) magnitude = magnitude * 10 + (digits[i] - '0');
  for (long i = n; i < kept; ++i) magnitude *= 10;
  if (kept < n) {
    // Ties-to-even on the dropped digits (§4.1.5). When kept < 0 the first dropped digit is
    // an implicit leading zero, so the value rounds to zero.
    const char first_dropped = kept >= 0 ? digits[kept] : '0';
    bool rest_non_zero = false;
    for (long i = std::max(kept + 1, 0L); i < n; ++i) {
      if (digits[i] != '0') rest_non_zero = true;
    }
    const bool round_up =
        first_dropped > '5' || (first_dropped == '5' && (rest_non_zero || (magnitude % 2) == 1));
    if (round_up) ++magnitude;
  }
  if (magnitude > kMaxThousandths) return std::nullopt;
  const auto signed_value = static_cast<std::int64_t>(magnitude);
  return Decimal{negative ? -signed_value : signed_value};
}

const BareItem* Parameters::find(std::string_view key) const {
  for (const auto& [k, v] : entries_) {
    if (k == key) return &v;
  }
  return nullptr;
}

void Parameters::set(std::string key, BareItem value) {
  for (auto& [k, v] : entries_) {
    if (k == key) {
      v = std::move(value);
      return;
    }
  }
  entries_.emplace_back(std::move(key), std::move(value));
}

const ListMember* Dictionary::find(std::string_view key) const {
  for (const auto& [k, v] : entries_) {
    if (k == key) return &v;
  }
  return nullptr;
}

void Dictionary::set(std::string key, ListMember value) {
  for (auto& [k, v] : entries_) {
    if (k == key) {
      v = std::move(value);
      return;
    }
  }
  entries_.emplace_back(std::move(key), std::move(value));
}

bool Dictionary::erase(std::string_view key) {
  const auto it = std::find_if(entries_.begin(), entries_.end(),
                               [&](const Entry& e) { return e.first == key; });
  if (it == entries_.end()) return false;
  entries_.erase(it);
  return true;
}

}  // namespace wba::sfv
