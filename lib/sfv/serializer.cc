// RFC 9651 §4.1 serialization. Everything is appended to one output string; a value that has
// no serialization fails the whole call (no partial output is returned).

#include <array>
#include <charconv>
#include <cstdlib>

#include "sfv/chars.h"
#include "wba/encoding/base64.h"
#include "wba/sfv/serialize.h"

namespace wba::sfv {
namespace {

constexpr std::int64_t kMaxInteger = 999'999'999'999'999;      // §3.3.1
constexpr std::int64_t kMaxThousandths = 999'999'999'999'999;  // §3.3.2: 12 + 3 digits
constexpr std::size_t kContainerReserve = 256;

// Characters an sf-string carries unescaped (§4.1.6): printable ASCII but '"' and '\\'.
constexpr std::array<bool, 256> kStringPlain = [] {
  std::array<bool, 256> t{};
  for (int c = 0x20; c <= 0x7e; ++c) t[c] = c != '"' && c != '\\';
  return t;
}();

// Appends to a caller's string, so that a value serialized as part of a larger text (the
// RFC 9421 signature base) needs no temporary of its own.
class Serializer {
 public:
  explicit Serializer(std::string& out) : out_(out) {}
  Error take_error() { return std::move(error_); }

  // §4.1.1
  bool list(const List& list) {
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (i > 0) out_ += ", ";
      if (!member(list[i])) return false;
    }
    return true;
  }

  // §4.1.2
  bool dictionary(const Dictionary& dict) {
    bool first = true;
    for (const auto& [key, value] : dict) {
      if (!first) out_ += ", ";
      first = false;
      if (!this->key(key)) return false;
      const Item* item = std::get_if<Item>(&value);
      if (item != nullptr && is_true(item->value)) {
        // A Boolean true member is the key alone, followed by its parameters.
        if (!params(item->params)) return false;
      } else {
        out_ += '=';
        if (!member(value)) return false;
      }
    }
    return true;
  }

  bool member(const ListMember& m) {
    if (const auto* item = std::get_if<Item>(&m)) return this->item(*item);
    return inner_list(std::get<InnerList>(m));
  }

  // §4.1.1.1
  bool inner_list(const InnerList& list) {
    out_ += '(';
    for (std::size_t i = 0; i < list.items.size(); ++i) {
      if (i > 0) out_ += ' ';
      if (!item(list.items[i])) return false;
    }
    out_ += ')';
    return params(list.params);
  }

  // §4.1.3
  bool item(const Item& item) { return bare_item(item.value) && params(item.params); }

  // §4.1.1.2
  bool params(const Parameters& params) {
    for (const auto& [key, value] : params) {
      out_ += ';';
      if (!this->key(key)) return false;
      if (!is_true(value)) {
        out_ += '=';
        if (!bare_item(value)) return false;
      }
    }
    return true;
  }

  // §4.1.3.1
  bool bare_item(const BareItem& value) {
    return std::visit([this](const auto& v) { return bare(v); }, value);
  }

 private:
  static bool is_true(const BareItem& v) {
    const bool* b = std::get_if<bool>(&v);
    return b != nullptr && *b;
  }

  // §4.1.1.3
  bool key(const std::string& key) {
    if (key.empty() || !chars::is_key_start(key.front())) {
      return fail("key must start with a lowercase letter or '*'");
    }
    for (char c : key) {
      if (!chars::has(c, chars::kKeyRest)) return fail("key contains an invalid character");
    }
    out_ += key;
    return true;
  }

  // §4.1.4
  bool bare(std::int64_t v) {
    if (v > kMaxInteger || v < -kMaxInteger) return fail("integer out of range");
    append_integer(v);
    return true;
  }

  // §4.1.5. The value is already exact thousandths, so only the output form is left to do.
  bool bare(const Decimal& d) {
    if (d.thousandths > kMaxThousandths || d.thousandths < -kMaxThousandths) {
      return fail("decimal has more than 12 integer digits");
    }
    if (d.thousandths < 0) out_ += '-';
    const std::int64_t magnitude = std::abs(d.thousandths);
    append_integer(magnitude / 1000);
    out_ += '.';
    int fraction = static_cast<int>(magnitude % 1000);
    if (fraction == 0) {
      out_ += '0';
      return true;
    }
    char digits[3] = {static_cast<char>('0' + fraction / 100),
                      static_cast<char>('0' + fraction / 10 % 10),
                      static_cast<char>('0' + fraction % 10)};
    std::size_t n = 3;
    while (digits[n - 1] == '0') --n;
    out_.append(digits, n);
    return true;
  }

  // §4.1.6
  bool bare(const String& s) {
    out_ += '"';
    const std::string_view v = s.value;
    std::size_t run = 0;  // start of the unescaped run not yet copied
    for (std::size_t i = 0; i < v.size(); ++i) {
      const char c = v[i];
      if (kStringPlain[static_cast<unsigned char>(c)]) continue;  // the usual case, one load
      if (!chars::is_visible_or_sp(c)) return fail("string contains a non-printable-ASCII byte");
      if (c == '"' || c == '\\') {
        out_.append(v, run, i - run);
        out_ += '\\';
        run = i;  // the escaped character starts the next run
      }
    }
    out_.append(v, run, v.size() - run);
    out_ += '"';
    return true;
  }

  // §4.1.7
  bool bare(const Token& t) {
    if (t.value.empty() || !chars::is_token_start(t.value.front())) {
      return fail("token must start with a letter or '*'");
    }
    for (char c : t.value) {
      if (!chars::has(c, chars::kTokenRest)) return fail("token contains an invalid character");
    }
    out_ += t.value;
    return true;
  }

  // §4.1.8
  bool bare(const ByteSequence& b) {
    out_ += ':';
    out_ += base64_encode(b.bytes);
    out_ += ':';
    return true;
  }

  // §4.1.9
  bool bare(bool b) {
    out_ += b ? "?1" : "?0";
    return true;
  }

  // §4.1.10
  bool bare(const Date& d) {
    if (d.seconds > kMaxInteger || d.seconds < -kMaxInteger) return fail("date out of range");
    out_ += '@';
    append_integer(d.seconds);
    return true;
  }

  // §4.1.11: '%', '"' and every byte outside %x20-7E of the UTF-8 form are percent-encoded
  // with lowercase hex.
  bool bare(const DisplayString& s) {
    if (!chars::is_valid_utf8(s.utf8)) return fail("display string is not valid UTF-8");
    static constexpr char kHex[] = "0123456789abcdef";
    out_ += "%\"";
    for (char c : s.utf8) {
      if (c == '%' || c == '"' || !chars::is_visible_or_sp(c)) {
        const auto byte = static_cast<unsigned char>(c);
        out_ += '%';
        out_ += kHex[byte >> 4];
        out_ += kHex[byte & 0x0f];
      } else {
        out_ += c;
      }
    }
    out_ += '"';
    return true;
  }

  void append_integer(std::int64_t v) {
    char buf[24];
    const auto res = std::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, res.ptr);
  }

  bool fail(const char* problem) {
    error_ = Error(Reason::serialization_error, problem);
    return false;
  }

  std::string& out_;
  Error error_;
};

// Containers are usually a few dozen to a few hundred bytes: `reserve` starts there instead of
// growing the string through every power of two.
template <typename F>
Result<std::string> run(F&& f, std::size_t reserve = 0) {
  std::string out;
  if (reserve > 0) out.reserve(reserve);
  Serializer s(out);
  if (f(s)) return Result<std::string>(std::move(out));
  return s.take_error();
}

// Appends to `out`; a failure takes back whatever was appended (no partial output).
template <typename F>
Status run_to(std::string& out, F&& f) {
  const std::size_t size = out.size();
  Serializer s(out);
  if (f(s)) return {};
  out.resize(size);
  return s.take_error();
}

}  // namespace

Result<std::string> serialize(const Item& item) {
  return run([&](Serializer& s) { return s.item(item); });
}

Result<std::string> serialize(const InnerList& inner_list) {
  return run([&](Serializer& s) { return s.inner_list(inner_list); }, kContainerReserve);
}

Result<std::string> serialize(const ListMember& member) {
  return run([&](Serializer& s) { return s.member(member); });
}

Result<std::string> serialize(const List& list) {
  return run([&](Serializer& s) { return s.list(list); }, kContainerReserve);
}

Result<std::string> serialize(const Dictionary& dict) {
  return run([&](Serializer& s) { return s.dictionary(dict); }, kContainerReserve);
}

Result<std::string> serialize(const Field& field) {
  return std::visit([](const auto& v) { return serialize(v); }, field);
}

Result<std::string> serialize_bare_item(const BareItem& value) {
  return run([&](Serializer& s) { return s.bare_item(value); });
}

Result<std::string> serialize_params(const Parameters& params) {
  return run([&](Serializer& s) { return s.params(params); });
}

Result<std::string> serialize_member_value(const ListMember& member) {
  // Unlike inside a Dictionary, a Boolean true value is written out ("?1"): the key that
  // would carry it is not part of the output (RFC 9421 §2.1.2).
  return run([&](Serializer& s) { return s.member(member); });
}

Status serialize_params_to(std::string& out, const Parameters& params) {
  return run_to(out, [&](Serializer& s) { return s.params(params); });
}

Status serialize_member_value_to(std::string& out, const ListMember& member) {
  return run_to(out, [&](Serializer& s) { return s.member(member); });
}

}  // namespace wba::sfv
