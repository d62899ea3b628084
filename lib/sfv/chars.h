// Character classes of RFC 9651 shared by the parser and the serializer (private header).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace wba::sfv::chars {

enum : std::uint8_t {
  kDigit = 1 << 0,
  kLcAlpha = 1 << 1,
  kAlpha = 1 << 2,      // upper and lower case
  kTChar = 1 << 3,      // RFC 9110 §5.6.2 tchar
  kTokenRest = 1 << 4,  // tchar / ":" / "/" (§3.3.4)
  kKeyRest = 1 << 5,    // lcalpha / DIGIT / "_" / "-" / "." / "*" (§3.1.2)
  kBase64 = 1 << 6,     // ALPHA / DIGIT / "+" / "/" / "=" (§4.2.7)
};

// One table lookup per character keeps the scanning loops branch-light on the hot path.
inline constexpr std::array<std::uint8_t, 256> kTable = [] {
  std::array<std::uint8_t, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[c] |= kDigit | kTChar | kTokenRest | kKeyRest | kBase64;
  for (int c = 'a'; c <= 'z'; ++c) {
    t[c] |= kLcAlpha | kAlpha | kTChar | kTokenRest | kKeyRest | kBase64;
  }
  for (int c = 'A'; c <= 'Z'; ++c) t[c] |= kAlpha | kTChar | kTokenRest | kBase64;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) {
    t[static_cast<unsigned char>(c)] |= kTChar | kTokenRest;
  }
  t[':'] |= kTokenRest;
  t['/'] |= kTokenRest | kBase64;
  t['+'] |= kBase64;
  t['='] |= kBase64;
  for (char c : std::string_view("_-.*")) t[static_cast<unsigned char>(c)] |= kKeyRest;
  return t;
}();

inline bool has(char c, std::uint8_t cls) {
  return (kTable[static_cast<unsigned char>(c)] & cls) != 0;
}
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_key_start(char c) { return (c >= 'a' && c <= 'z') || c == '*'; }
inline bool is_token_start(char c) { return has(c, kAlpha) || c == '*'; }
// Printable ASCII (%x20-7E), the only characters sf-string and sf-displaystring carry unescaped.
inline bool is_visible_or_sp(char c) { return c >= 0x20 && c <= 0x7e; }

// Value of a lowercase hex digit, or -1: §4.2.10 only accepts lowercase escapes.
inline int lc_hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Value of a base64 digit (RFC 4648 §4), or -1 ('=' included).
inline int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}
inline constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
inline bool is_valid_utf8(std::string_view s) {
  std::size_t i = 0;
  const std::size_t n = s.size();
  while (i < n) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) {
      ++i;
      continue;
    }
    std::size_t len;
    unsigned char lo = 0x80, hi = 0xbf;  // allowed range of the second byte
    if (b0 >= 0xc2 && b0 <= 0xdf) {
      len = 2;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      len = 3;
      if (b0 == 0xe0) lo = 0xa0;
      if (b0 == 0xed) hi = 0x9f;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      len = 4;
      if (b0 == 0xf0) lo = 0x90;
      if (b0 == 0xf4) hi = 0x8f;
    } else {
      return false;
    }
    if (n - i < len) return false;
    const auto b1 = static_cast<unsigned char>(s[i + 1]);
    if (b1 < lo || b1 > hi) return false;
    for (std::size_t k = 2; k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if (b < 0x80 || b > 0xbf) return false;
    }
    i += len;
  }
  return true;
}

}  // namespace wba::sfv::chars
