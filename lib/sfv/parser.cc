// RFC 9651 §4.2 parsing. A single forward scan over a string_view: values are written straight
// into their final place in the result, and the error is only formatted when parsing fails.

#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>

#include "sfv/chars.h"
#include "wba/sfv/parse.h"

namespace wba::sfv {

namespace detail {
struct ParserAccess {
  static std::vector<Parameters::Entry>& entries(Parameters& p) { return p.entries_; }
  static std::vector<Dictionary::Entry>& entries(Dictionary& d) { return d.entries_; }
};
}  // namespace detail

namespace {

using detail::ParserAccess;

constexpr std::size_t kNotFound = static_cast<std::size_t>(-1);

// Base64 digit values (RFC 4648 §4), -1 for anything else ('=' included): one load per
// character instead of chars::base64_value's chain of range tests.
constexpr std::array<std::int8_t, 256> kBase64Value = [] {
  std::array<std::int8_t, 256> t{};
  t.fill(-1);
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = static_cast<std::int8_t>(c - 'A');
  for (int c = 'a'; c <= 'z'; ++c) t[c] = static_cast<std::int8_t>(c - 'a' + 26);
  for (int c = '0'; c <= '9'; ++c) t[c] = static_cast<std::int8_t>(c - '0' + 52);
  t['+'] = 62;
  t['/'] = 63;
  return t;
}();
inline int b64(char c) { return kBase64Value[static_cast<unsigned char>(c)]; }

// Characters an sf-string carries as they are (§4.2.5): printable ASCII but '"' and '\\'.
constexpr std::array<bool, 256> kStringPlain = [] {
  std::array<bool, 256> t{};
  for (int c = 0x20; c <= 0x7e; ++c) t[c] = c != '"' && c != '\\';
  return t;
}();

// Initial capacity of parameter and inner-list vectors, which rarely stay at one element.
constexpr std::size_t kFirstReserve = 8;

// Finds repeated keys of one Dictionary or Parameters (§4.2.2, §4.2.3.2: a repeated key
// overwrites the earlier value in place). A linear scan is fastest for the usual handful of
// keys; past kSmall keys a hash map keeps an attacker's thousand-member field linear.
// Keys are views into the field being parsed, which outlives the index.
class KeyIndex {
 public:
  // Where `key` was recorded before, or kNotFound after recording it at position `next`
  // (the number of distinct keys so far).
  std::size_t find_or_insert(std::string_view key, std::size_t next) {
    if (next < kSmall) {
      for (std::size_t i = 0; i < next; ++i) {
        if (small_[i] == key) return i;
      }
      small_[next] = key;
      return kNotFound;
    }
    if (!map_built_) {
      map_.reserve(2 * kSmall);
      for (std::size_t i = 0; i < kSmall; ++i) map_.emplace(small_[i], i);
      map_built_ = true;
    }
    const auto [it, inserted] = map_.try_emplace(key, next);
    return inserted ? kNotFound : it->second;
  }

 private:
  static constexpr std::size_t kSmall = 16;
  std::array<std::string_view, kSmall> small_;
  std::unordered_map<std::string_view, std::size_t> map_;
  bool map_built_ = false;
};

class Parser {
 public:
  Parser(std::string_view input, const ParseLimits& limits) : in_(input), limits_(limits) {}

  Error take_error() { return std::move(error_); }

  // §4.2 steps before the type-specific algorithm.
  bool begin() {
    if (in_.size() > limits_.max_field_bytes) {
      return limit("field is " + std::to_string(in_.size()) + " bytes, limit is " +
                   std::to_string(limits_.max_field_bytes));
    }
    skip_sp();
    return true;
  }

  // §4.2 steps after the type-specific algorithm: only SP may remain.
  bool end() {
    skip_sp();
    if (pos_ != in_.size()) return fail(pos_, "unexpected character after the field value");
    return true;
  }

  // §4.2.1
  bool parse_list(List& list) {
    while (pos_ < in_.size()) {
      if (list.size() >= limits_.max_members) {
        return limit("list has more than " + std::to_string(limits_.max_members) + " members");
      }
      if (!parse_item_or_inner_list(list.emplace_back())) return false;
      if (!after_member("list")) return false;
    }
    return true;
  }

  // §4.2.2
  bool parse_dictionary(Dictionary& dict) {
    auto& entries = ParserAccess::entries(dict);
    KeyIndex index;
    while (pos_ < in_.size()) {
      std::string_view key;
      if (!parse_key(key)) return false;
      const std::size_t found = index.find_or_insert(key, entries.size());
      ListMember* slot;
      if (found == kNotFound) {
        if (entries.size() >= limits_.max_members) {
          return limit("dictionary has more than " + std::to_string(limits_.max_members) +
                       " members");
        }
        slot = &entries.emplace_back(std::string(key), ListMember()).second;
      } else {
        slot = &entries[found].second;
      }
      if (pos_ < in_.size() && in_[pos_] == '=') {
        ++pos_;
        if (!parse_item_or_inner_list(*slot)) return false;
      } else {
        // A member without a value is Boolean true with the parameters that follow the key.
        Item& item = slot->emplace<Item>();
        item.value = true;
        if (!parse_params(item.params)) return false;
      }
      if (!after_member("dictionary")) return false;
    }
    return true;
  }

  // §4.2.3
  bool parse_item(Item& item) { return parse_bare_item(item.value) && parse_params(item.params); }

 private:
  // Shared tail of §4.2.1 and §4.2.2: OWS, then either the end or "," OWS and another member.
  bool after_member(const char* what) {
    skip_ows();
    if (pos_ == in_.size()) return true;
    if (in_[pos_] != ',') {
      return fail(pos_, std::string("expected ',' between ") + what + " members");
    }
    ++pos_;
    skip_ows();
    if (pos_ == in_.size()) return fail(pos_, std::string("trailing ',' in ") + what);
    return true;
  }

  // §4.2.1.1
  bool parse_item_or_inner_list(ListMember& member) {
    if (pos_ < in_.size() && in_[pos_] == '(') return parse_inner_list(member.emplace<InnerList>());
    return parse_item(member.emplace<Item>());
  }

  // §4.2.1.2
  bool parse_inner_list(InnerList& list) {
    ++pos_;  // '('
    while (pos_ < in_.size()) {
      skip_sp();
      if (pos_ == in_.size()) break;
      if (in_[pos_] == ')') {
        ++pos_;
        return parse_params(list.params);
      }
      if (list.items.size() >= limits_.max_inner_list_items) {
        return limit("inner list has more than " + std::to_string(limits_.max_inner_list_items) +
                     " items");
      }
      if (list.items.empty()) list.items.reserve(kFirstReserve);
      if (!parse_item(list.items.emplace_back())) return false;
      if (pos_ < in_.size() && in_[pos_] != ' ' && in_[pos_] != ')') {
        return fail(pos_, "expected SP or ')' after an inner list item");
      }
    }
    return fail(pos_, "inner list is missing its closing ')'");
  }

  // §4.2.3.2
  bool parse_params(Parameters& params) {
    // Most items have no parameters: return before setting up the duplicate-key index.
    if (pos_ == in_.size() || in_[pos_] != ';') return true;
    auto& entries = ParserAccess::entries(params);
    KeyIndex index;
    while (pos_ < in_.size() && in_[pos_] == ';') {
      ++pos_;
      skip_sp();
      std::string_view key;
      if (!parse_key(key)) return false;
      const std::size_t found = index.find_or_insert(key, entries.size());
      BareItem* slot;
      if (found == kNotFound) {
        if (entries.size() >= limits_.max_params) {
          return limit("more than " + std::to_string(limits_.max_params) + " parameters");
        }
        // Signature parameters come in fives and sixes: skip the 1-2-4 growth steps.
        if (entries.empty()) entries.reserve(kFirstReserve);
        slot = &entries.emplace_back(std::string(key), BareItem(true)).second;
      } else {
        slot = &entries[found].second;
        *slot = true;
      }
      if (pos_ < in_.size() && in_[pos_] == '=') {
        ++pos_;
        if (!parse_bare_item(*slot)) return false;
      }
    }
    return true;
  }

  // §4.2.3.3. Keys have no escapes, so the result is a view into the input.
  bool parse_key(std::string_view& key) {
    const std::size_t start = pos_;
    if (pos_ == in_.size() || !chars::is_key_start(in_[pos_])) {
      return fail(pos_, "expected a key (lowercase letter or '*')");
    }
    ++pos_;
    while (pos_ < in_.size() && chars::has(in_[pos_], chars::kKeyRest)) ++pos_;
    key = in_.substr(start, pos_ - start);
    return true;
  }

  // §4.2.3.1
  bool parse_bare_item(BareItem& out) {
    if (pos_ == in_.size()) return fail(pos_, "expected an item, found the end of the field");
    const char c = in_[pos_];
    if (c == '-' || chars::is_digit(c)) return parse_number(out);
    if (c == '"') return parse_string(out);
    if (chars::is_token_start(c)) return parse_token(out);
    if (c == ':') return parse_byte_sequence(out);
    if (c == '?') return parse_boolean(out);
    if (c == '@') return parse_date(out);
    if (c == '%') return parse_display_string(out);
    return fail(pos_, "unexpected character at the start of an item");
  }

  // §4.2.4. Both digit limits (15 for Integers, 12 + 3 for Decimals) keep every value well
  // inside int64, so no overflow check is needed.
  bool parse_number(BareItem& out) {
    const std::size_t start = pos_;
    bool negative = false;
    if (in_[pos_] == '-') {
      negative = true;
      ++pos_;
    }
    if (pos_ == in_.size() || !chars::is_digit(in_[pos_])) {
      return fail(pos_, "expected a digit in a number");
    }
    std::int64_t integer = 0;
    std::size_t int_digits = 0;
    while (pos_ < in_.size() && chars::is_digit(in_[pos_])) {
      if (++int_digits > 15) return fail(start, "integer has more than 15 digits");
      integer = integer * 10 + (in_[pos_] - '0');
      ++pos_;
    }
    if (pos_ == in_.size() || in_[pos_] != '.') {
      out = negative ? -integer : integer;
      return true;
    }
    if (int_digits > 12) return fail(start, "decimal has more than 12 integer digits");
    ++pos_;  // '.'
    std::int64_t fraction = 0;
    std::size_t frac_digits = 0;
    while (pos_ < in_.size() && chars::is_digit(in_[pos_])) {
      if (++frac_digits > 3) return fail(start, "decimal has more than 3 fractional digits");
      fraction = fraction * 10 + (in_[pos_] - '0');
      ++pos_;
    }
    if (frac_digits == 0) return fail(pos_, "decimal ends with '.'");
    for (std::size_t i = frac_digits; i < 3; ++i) fraction *= 10;
    const std::int64_t thousandths = integer * 1000 + fraction;
    out = Decimal{negative ? -thousandths : thousandths};
    return true;
  }

  // §4.2.5
  bool parse_string(BareItem& out) {
    const std::size_t start = pos_;
    ++pos_;  // '"'
    std::string& value = out.emplace<String>().value;
    std::size_t chunk = pos_;  // start of the run not yet copied
    while (pos_ < in_.size()) {
      // Plain runs are the bulk of a string (nonces, key ids, URLs): skip them with one table
      // load per character, then look at what stopped the run. Local pointers, because a store
      // to pos_ could alias in_'s size and force a reload per step.
      const char* p = in_.data() + pos_;
      const char* const end = in_.data() + in_.size();
      while (p != end && kStringPlain[static_cast<unsigned char>(*p)]) ++p;
      pos_ = static_cast<std::size_t>(p - in_.data());
      if (p == end) break;
      const char c = in_[pos_];
      if (c == '\\') {
        value.append(in_, chunk, pos_ - chunk);
        ++pos_;
        if (pos_ == in_.size()) break;
        if (in_[pos_] != '"' && in_[pos_] != '\\') {
          return fail(pos_, "only '\"' and '\\' may be escaped in a string");
        }
        chunk = pos_++;  // the escaped character starts the next run
      } else if (c == '"') {
        value.append(in_, chunk, pos_ - chunk);
        ++pos_;
        if (value.size() > limits_.max_string_bytes) return string_limit("string", value.size());
        return true;
      } else {
        return fail(pos_, "string contains a character outside printable ASCII");
      }
    }
    return fail(start, "string is missing its closing '\"'");
  }

  // §4.2.6
  bool parse_token(BareItem& out) {
    const std::size_t start = pos_;
    ++pos_;  // ALPHA or '*', checked by the caller
    while (pos_ < in_.size() && chars::has(in_[pos_], chars::kTokenRest)) ++pos_;
    if (pos_ - start > limits_.max_string_bytes) return string_limit("token", pos_ - start);
    out.emplace<Token>().value.assign(in_, start, pos_ - start);
    return true;
  }

  // §4.2.7
  bool parse_byte_sequence(BareItem& out) {
    const std::size_t start = pos_;
    ++pos_;  // ':'
    const std::size_t text_start = pos_;
    {
      // Local pointers: a store to pos_ could alias in_'s size and force a reload per step.
      const char* p = in_.data() + pos_;
      const char* const end = in_.data() + in_.size();
      while (p != end && chars::has(*p, chars::kBase64)) ++p;
      pos_ = static_cast<std::size_t>(p - in_.data());
    }
    if (pos_ < in_.size() && in_[pos_] != ':') {
      return fail(pos_, "byte sequence contains a character outside the base64 alphabet");
    }
    if (pos_ == in_.size()) return fail(start, "byte sequence is missing its closing ':'");
    const std::string_view text = in_.substr(text_start, pos_ - text_start);
    ++pos_;  // ':'
    // Every 4 characters carry 3 bytes, less at most 2 of padding: refuse before decoding.
    if (text.size() / 4 * 3 > limits_.max_byte_sequence_bytes + 2) {
      return byte_limit(text.size() / 4 * 3);
    }
    ByteSequence& bytes = out.emplace<ByteSequence>();
    if (text.empty()) return true;
    if (!decode_base64(text, bytes.bytes)) {
      return fail(text_start, "byte sequence is not valid base64");
    }
    if (bytes.bytes.size() > limits_.max_byte_sequence_bytes) {
      return byte_limit(bytes.bytes.size());
    }
    return true;
  }

  // RFC 4648 §4 base64 of a Byte Sequence, straight into `out`. Accepts exactly what
  // wba::base64_decode accepts: padding optional, but when present at most two '=' and a
  // length that is a multiple of 4; no '=' elsewhere; no lone final character. Non-zero pad
  // bits are ignored, since §4.2.7 says parsers SHOULD NOT fail on them. `text` holds only
  // base64 characters (checked by the caller). Byte Sequences carry public data (signatures,
  // digests), so a table decoder is fine: libsodium's constant-time one cost more than all of
  // the rest of parsing a Signature field.
  static bool decode_base64(std::string_view text, std::string& out) {
    std::size_t pad = 0;
    while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
    if (pad > 0 && text.size() % 4 != 0) return false;
    const std::string_view body = text.substr(0, text.size() - pad);
    const std::size_t tail = body.size() % 4;
    if (tail == 1) return false;
    const std::size_t full = body.size() - tail;
    out.resize(full / 4 * 3 + (tail == 0 ? 0 : tail - 1));
    char* dst = out.data();
    std::size_t i = 0;
    for (; i < full; i += 4) {
      const int a = b64(body[i]);
      const int b = b64(body[i + 1]);
      const int c = b64(body[i + 2]);
      const int d = b64(body[i + 3]);
      if ((a | b | c | d) < 0) return false;  // '=' inside the data
      const auto v = static_cast<std::uint32_t>(a << 18 | b << 12 | c << 6 | d);
      *dst++ = static_cast<char>(v >> 16);
      *dst++ = static_cast<char>(v >> 8);
      *dst++ = static_cast<char>(v);
    }
    if (tail != 0) {
      const int a = b64(body[i]);
      const int b = b64(body[i + 1]);
      const int c = tail == 3 ? b64(body[i + 2]) : 0;
      if ((a | b | c) < 0) return false;
      const auto v = static_cast<std::uint32_t>(a << 18 | b << 12 | c << 6);
      *dst++ = static_cast<char>(v >> 16);
      if (tail == 3) *dst++ = static_cast<char>(v >> 8);
    }
    return true;
  }

  // §4.2.8
  bool parse_boolean(BareItem& out) {
    ++pos_;  // '?'
    if (pos_ < in_.size() && (in_[pos_] == '0' || in_[pos_] == '1')) {
      out = in_[pos_] == '1';
      ++pos_;
      return true;
    }
    return fail(pos_, "expected '0' or '1' after '?'");
  }

  // §4.2.9
  bool parse_date(BareItem& out) {
    const std::size_t start = pos_;
    ++pos_;  // '@'
    if (pos_ == in_.size() || (in_[pos_] != '-' && !chars::is_digit(in_[pos_]))) {
      return fail(pos_, "expected an integer after '@'");
    }
    if (!parse_number(out)) return false;
    if (const auto* seconds = std::get_if<std::int64_t>(&out)) {
      out = Date{*seconds};
      return true;
    }
    return fail(start, "date is not an integer");
  }

  // §4.2.10
  bool parse_display_string(BareItem& out) {
    const std::size_t start = pos_;
    ++pos_;  // '%'
    if (pos_ == in_.size() || in_[pos_] != '"') return fail(pos_, "expected '\"' after '%'");
    ++pos_;
    std::string& value = out.emplace<DisplayString>().utf8;
    std::size_t chunk = pos_;
    while (pos_ < in_.size()) {
      const char c = in_[pos_];
      if (c == '%') {
        value.append(in_, chunk, pos_ - chunk);
        const int hi = pos_ + 1 < in_.size() ? chars::lc_hex_value(in_[pos_ + 1]) : -1;
        const int lo = pos_ + 2 < in_.size() ? chars::lc_hex_value(in_[pos_ + 2]) : -1;
        if (hi < 0 || lo < 0) {
          return fail(pos_, "'%' in a display string must be followed by two lowercase hex digits");
        }
        value.push_back(static_cast<char>(hi * 16 + lo));
        pos_ += 3;
        chunk = pos_;
      } else if (c == '"') {
        value.append(in_, chunk, pos_ - chunk);
        ++pos_;
        if (!chars::is_valid_utf8(value)) return fail(start, "display string is not valid UTF-8");
        if (value.size() > limits_.max_string_bytes) {
          return string_limit("display string", value.size());
        }
        return true;
      } else if (!chars::is_visible_or_sp(c)) {
        return fail(pos_, "display string contains a character outside printable ASCII");
      } else {
        ++pos_;
      }
    }
    return fail(start, "display string is missing its closing '\"'");
  }

  void skip_sp() {
    while (pos_ < in_.size() && in_[pos_] == ' ') ++pos_;
  }
  // OWS (RFC 9110 §5.6.3): SP or HTAB, allowed only around list and dictionary commas.
  void skip_ows() {
    while (pos_ < in_.size() && (in_[pos_] == ' ' || in_[pos_] == '\t')) ++pos_;
  }

  bool fail(std::size_t offset, std::string_view problem) {
    std::string detail = "offset " + std::to_string(offset) + ": ";
    detail += problem;
    error_ = Error(Reason::malformed_field, std::move(detail));
    return false;
  }
  bool limit(std::string detail) {
    error_ = Error(Reason::limit_exceeded, std::move(detail));
    return false;
  }
  bool string_limit(const char* what, std::size_t size) {
    return limit(std::string(what) + " is " + std::to_string(size) + " bytes, limit is " +
                 std::to_string(limits_.max_string_bytes));
  }
  bool byte_limit(std::size_t size) {
    return limit("byte sequence is at least " + std::to_string(size) + " bytes, limit is " +
                 std::to_string(limits_.max_byte_sequence_bytes));
  }

  std::string_view in_;
  const ParseLimits& limits_;
  std::size_t pos_ = 0;
  Error error_;
};

}  // namespace

Result<Item> parse_item(std::string_view field_value, const ParseLimits& limits) {
  Parser p(field_value, limits);
  Item item;
  if (p.begin() && p.parse_item(item) && p.end()) return item;
  return p.take_error();
}

Result<List> parse_list(std::string_view field_value, const ParseLimits& limits) {
  Parser p(field_value, limits);
  List list;
  if (p.begin() && p.parse_list(list) && p.end()) return list;
  return p.take_error();
}

Result<Dictionary> parse_dictionary(std::string_view field_value, const ParseLimits& limits) {
  Parser p(field_value, limits);
  Dictionary dict;
  if (p.begin() && p.parse_dictionary(dict) && p.end()) return dict;
  return p.take_error();
}

std::string join_field_lines(std::span<const std::string> lines) {
  std::size_t size = 0;
  for (const auto& line : lines) size += line.size() + 2;
  std::string out;
  out.reserve(size);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out += ", ";
    out += lines[i];
  }
  return out;
}

Result<Field> parse(std::string_view field_value, FieldType type, const ParseLimits& limits) {
  switch (type) {
    case FieldType::item: {
      auto r = parse_item(field_value, limits);
      if (!r.ok()) return std::move(r).error();
      return Field(std::move(r).value());
    }
    case FieldType::list: {
      auto r = parse_list(field_value, limits);
      if (!r.ok()) return std::move(r).error();
      return Field(std::move(r).value());
    }
    case FieldType::dictionary: {
      auto r = parse_dictionary(field_value, limits);
      if (!r.ok()) return std::move(r).error();
      return Field(std::move(r).value());
    }
  }
  return Error(Reason::invalid_argument, "unknown field type");
}

}  // namespace wba::sfv
