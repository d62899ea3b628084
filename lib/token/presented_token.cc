// Step 1 of the binding (delegation.md §4): which credential the request presents. Only one
// may be presented: two Authorization lines, or two credentials a proxy joined with a comma,
// would let a front end and the daemon each see a different token.
#include <algorithm>
#include <array>

#include "wba/token/binding.h"

namespace wba::token {
namespace {

// Character classes, one table load per character (the token is scanned on every request).
constexpr unsigned char kTchar = 1;    // RFC 9110 §5.6.2 tchar
constexpr unsigned char kToken68 = 2;  // RFC 9110 §11.2, before the trailing "="s

constexpr std::array<unsigned char, 256> make_classes() {
  std::array<unsigned char, 256> t{};
  for (int c = 0; c < 256; ++c) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (alnum || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) !=
                     std::string_view::npos) {
      t[static_cast<std::size_t>(c)] |= kTchar;
    }
    if (alnum || std::string_view("-._~+/").find(static_cast<char>(c)) != std::string_view::npos) {
      t[static_cast<std::size_t>(c)] |= kToken68;
    }
  }
  return t;
}
constexpr std::array<unsigned char, 256> kClasses = make_classes();

bool has_class(char c, unsigned char cls) {
  return (kClasses[static_cast<unsigned char>(c)] & cls) != 0;
}

bool is_tchar(char c) { return has_class(c, kTchar); }

// RFC 9110 §11.2: token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
bool is_token68(std::string_view s) {
  std::size_t n = s.size();
  while (n > 0 && s[n - 1] == '=') --n;
  if (n == 0) return false;
  return std::all_of(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(n),
                     [](char c) { return has_class(c, kToken68); });
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Error invalid_request(std::string detail) {
  return Error(Reason::invalid_request, std::move(detail));
}

}  // namespace

std::string_view to_string(Scheme scheme) noexcept {
  switch (scheme) {
    case Scheme::dpop:
      return "DPoP";
    case Scheme::httpsig:
      return "HTTPSig";
    default:
      return "Bearer";
  }
}

Result<std::optional<PresentedToken>> find_presented_token(const http::Fields& headers,
                                                           std::size_t max_token_bytes) {
  // headers.values("authorization") without building a vector: the first line, and whether
  // there is another.
  const std::string* first = nullptr;
  for (const auto& line : headers.lines()) {
    if (!http::iequals(line.first, "authorization")) continue;
    if (first) return invalid_request("several Authorization field lines");
    first = &line.second;
  }
  if (!first) return std::optional<PresentedToken>();
  const std::string_view value = trim_ows(*first);
  // Bounded before any scanning: the scheme and separator are short, the token is the bulk.
  if (value.size() > max_token_bytes + 64) {
    return invalid_request("Authorization value over " + std::to_string(max_token_bytes) +
                           " bytes");
  }

  const std::size_t scheme_end = value.find(' ');
  const std::string_view scheme_name = value.substr(0, scheme_end);
  if (scheme_name.empty() || !std::all_of(scheme_name.begin(), scheme_name.end(), is_tchar)) {
    return invalid_request("Authorization has no valid auth-scheme");
  }
  PresentedToken out;
  if (http::iequals(scheme_name, "Bearer")) {
    out.scheme = Scheme::bearer;
  } else if (http::iequals(scheme_name, "DPoP")) {
    out.scheme = Scheme::dpop;
  } else if (http::iequals(scheme_name, "HTTPSig")) {
    out.scheme = Scheme::httpsig;
  } else {
    return Error(
        Reason::unsupported_token_scheme,
        "Authorization scheme '" + std::string(scheme_name) + "' is not Bearer, DPoP or HTTPSig");
  }
  // A comma cannot occur in token68: it is two credentials joined as a list.
  if (value.find(',') != std::string_view::npos) {
    return invalid_request("Authorization holds a list of credentials");
  }
  if (scheme_end == std::string_view::npos) {
    return invalid_request("Authorization " + std::string(scheme_name) + " carries no token");
  }
  std::string_view token = value.substr(scheme_end);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);  // 1*SP (§11.4)
  if (token.size() > max_token_bytes) {
    return invalid_request("token over " + std::to_string(max_token_bytes) + " bytes");
  }
  if (!is_token68(token)) return invalid_request("the token is not token68 (RFC 9110 §11.2)");
  out.token = std::string(token);
  return std::optional<PresentedToken>(std::move(out));
}

}  // namespace wba::token
