// RFC 9651 Structured Field Values: the data model (§3). Parsed results own their data.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace wba::sfv {

namespace detail {
// Lets the parser (lib/sfv/parser.cc) append members whose keys it has already checked for
// duplicates, so that parsing stays linear in the number of members.
struct ParserAccess;
}  // namespace detail

// sf-string (§3.3.3): printable ASCII only.
struct String {
  std::string value;
  friend bool operator==(const String&, const String&) = default;
};
// sf-token (§3.3.4).
struct Token {
  std::string value;
  friend bool operator==(const Token&, const Token&) = default;
};
// sf-binary (§3.3.5): raw bytes (not base64).
struct ByteSequence {
  std::string bytes;
  friend bool operator==(const ByteSequence&, const ByteSequence&) = default;
};
// sf-decimal (§3.3.2): held exactly as thousandths, so 1.5 is {1500}. Range: |value| < 10^12.
struct Decimal {
  std::int64_t thousandths = 0;
  friend bool operator==(const Decimal&, const Decimal&) = default;
  // Rounds to three fractional digits, ties to even (§4.1.5); nullopt when out of range.
  static std::optional<Decimal> from_double(double v);
  double to_double() const { return static_cast<double>(thousandths) / 1000.0; }
};
// sf-date (§3.3.7): Integer seconds since the Unix epoch.
struct Date {
  std::int64_t seconds = 0;
  friend bool operator==(const Date&, const Date&) = default;
};
// sf-displaystring (§3.3.8): Unicode text, held as UTF-8.
struct DisplayString {
  std::string utf8;
  friend bool operator==(const DisplayString&, const DisplayString&) = default;
};

// sf-integer is std::int64_t (range ±999,999,999,999,999, §3.3.1); sf-boolean is bool.
using BareItem =
    std::variant<std::int64_t, Decimal, String, Token, ByteSequence, bool, Date, DisplayString>;

// Parameters (§3.1.2): ordered; keys are unique (a repeated key on parse overwrites in place).
class Parameters {
 public:
  using Entry = std::pair<std::string, BareItem>;

  const BareItem* find(std::string_view key) const;
  // Inserts or overwrites in place, keeping the first position (§4.2.3.2).
  void set(std::string key, BareItem value);
  bool empty() const { return entries_.empty(); }
  std::size_t size() const { return entries_.size(); }
  const std::vector<Entry>& entries() const { return entries_; }
  auto begin() const { return entries_.begin(); }
  auto end() const { return entries_.end(); }
  friend bool operator==(const Parameters&, const Parameters&) = default;

 private:
  friend struct detail::ParserAccess;
  std::vector<Entry> entries_;
};

struct Item {
  BareItem value;
  Parameters params;
  friend bool operator==(const Item&, const Item&) = default;
};

struct InnerList {
  std::vector<Item> items;
  Parameters params;
  friend bool operator==(const InnerList&, const InnerList&) = default;
};

// A member of a List or the value of a Dictionary member.
using ListMember = std::variant<Item, InnerList>;
using List = std::vector<ListMember>;

// Dictionary (§3.2): ordered; keys unique (a repeated key on parse overwrites in place, §4.2.2).
class Dictionary {
 public:
  using Entry = std::pair<std::string, ListMember>;

  const ListMember* find(std::string_view key) const;
  void set(std::string key, ListMember value);
  bool erase(std::string_view key);
  bool empty() const { return entries_.empty(); }
  std::size_t size() const { return entries_.size(); }
  const std::vector<Entry>& entries() const { return entries_; }
  // Moves the members out, leaving the dictionary empty: lets a consumer of a parsed field
  // (Signature-Input, Signature) keep its values without copying them.
  std::vector<Entry> take_entries() && noexcept { return std::move(entries_); }
  auto begin() const { return entries_.begin(); }
  auto end() const { return entries_.end(); }
  friend bool operator==(const Dictionary&, const Dictionary&) = default;

 private:
  friend struct detail::ParserAccess;
  std::vector<Entry> entries_;
};

// Which top-level type a field is parsed as (§4.2).
enum class FieldType { item, list, dictionary };

}  // namespace wba::sfv
