// RFC 8693 token exchange, agent side: the form body and the JSON response.
#include "wba/token/token_exchange.h"

#include <algorithm>
#include <limits>

#include "wba/jose/json.h"

namespace wba::token {
namespace {

void append_pair(std::string& out, std::string_view name, std::string_view value) {
  if (!out.empty()) out += '&';
  out += form_urlencode(name);
  out += '=';
  out += form_urlencode(value);
}

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
bool is_scope_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
  });
}

// RFC 3986 §4.3 absolute-URI: a scheme, and no fragment (RFC 8707 §2).
bool is_absolute_uri_without_fragment(std::string_view s) {
  const std::size_t colon = s.find(':');
  if (colon == 0 || colon == std::string_view::npos) return false;
  const auto scheme = s.substr(0, colon);
  const bool scheme_ok =
      ((scheme[0] >= 'a' && scheme[0] <= 'z') || (scheme[0] >= 'A' && scheme[0] <= 'Z')) &&
      std::all_of(scheme.begin(), scheme.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '+' || c == '-' || c == '.';
      });
  return scheme_ok && s.find('#') == std::string_view::npos;
}

Error bad_argument(std::string detail) {
  return Error(Reason::invalid_argument, std::move(detail));
}
Error malformed(std::string detail) { return Error(Reason::malformed_json, std::move(detail)); }

}  // namespace

std::string form_urlencode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size());
  for (unsigned char c : value) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '*' ||
        c == '-' || c == '.' || c == '_') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

Result<std::string> token_exchange_body(const TokenExchangeRequest& r) {
  if (r.subject_token.empty()) return bad_argument("subject_token is required");
  if (r.subject_token_type.empty()) return bad_argument("subject_token_type is required");
  // RFC 8693 §2.1: actor_token_type is REQUIRED with actor_token and MUST NOT appear without.
  if (r.actor_token.has_value() != r.actor_token_type.has_value()) {
    return bad_argument("actor_token and actor_token_type go together");
  }
  if (r.actor_token && (r.actor_token->empty() || r.actor_token_type->empty())) {
    return bad_argument("actor_token and actor_token_type must not be empty");
  }
  for (const auto& res : r.resources) {
    if (!is_absolute_uri_without_fragment(res)) {
      return bad_argument("resource '" + res + "' is not an absolute URI without fragment");
    }
  }
  std::string scope;
  for (const auto& s : r.scopes) {
    if (!is_scope_token(s)) return bad_argument("'" + s + "' is not a scope-token");
    scope += (scope.empty() ? "" : " ") + s;
  }

  std::string body;
  append_pair(body, "grant_type", kTokenExchangeGrantType);
  for (const auto& res : r.resources) append_pair(body, "resource", res);
  for (const auto& aud : r.audiences) append_pair(body, "audience", aud);
  if (!scope.empty()) append_pair(body, "scope", scope);
  if (r.requested_token_type) append_pair(body, "requested_token_type", *r.requested_token_type);
  append_pair(body, "subject_token", r.subject_token);
  append_pair(body, "subject_token_type", r.subject_token_type);
  if (r.actor_token) {
    append_pair(body, "actor_token", *r.actor_token);
    append_pair(body, "actor_token_type", *r.actor_token_type);
  }
  return body;
}

Result<TokenExchangeResponse> parse_token_exchange_response(std::string_view body) {
  jose::JsonLimits limits;
  limits.max_bytes = 64 * 1024;  // issued tokens with large claim sets, plus a refresh token
  auto parsed = jose::parse_strict_json(body, limits);
  if (!parsed) return malformed("token response: " + parsed.error().detail);
  const nlohmann::json& j = *parsed;
  if (!j.is_object()) return malformed("token response is not a JSON object");

  auto string_member = [&](const char* name, bool required) -> Result<std::optional<std::string>> {
    auto it = j.find(name);
    if (it == j.end()) {
      if (required) return malformed(std::string("token response lacks ") + name);
      return std::optional<std::string>();
    }
    if (!it->is_string())
      return malformed(std::string("token response ") + name + " is not a string");
    return std::optional<std::string>(it->get<std::string>());
  };

  // RFC 6749 §5.2 (RFC 8693 §2.2.2): an error object, whatever the HTTP status was.
  if (j.contains("error")) {
    WBA_TRY(auto code, string_member("error", true));
    WBA_TRY(auto description, string_member("error_description", false));
    std::string detail = *code;
    if (description && !description->empty()) detail += ": " + *description;
    return Error(Reason::invalid_request, std::move(detail));
  }

  TokenExchangeResponse out;
  WBA_TRY(auto access_token, string_member("access_token", true));
  WBA_TRY(auto issued_type, string_member("issued_token_type", true));
  WBA_TRY(auto token_type, string_member("token_type", true));
  if (access_token->empty()) return malformed("token response access_token is empty");
  out.access_token = std::move(*access_token);
  out.issued_token_type = std::move(*issued_type);
  out.token_type = std::move(*token_type);
  WBA_TRY(out.scope, string_member("scope", false));
  WBA_TRY(out.refresh_token, string_member("refresh_token", false));
  if (auto it = j.find("expires_in"); it != j.end()) {
    if (it->is_number_unsigned()) {
      const auto v = it->get<std::uint64_t>();
      if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        return malformed("expires_in out of range");
      out.expires_in = static_cast<std::int64_t>(v);
    } else if (it->is_number_integer() && it->get<std::int64_t>() >= 0) {
      out.expires_in = it->get<std::int64_t>();
    } else {
      return malformed("token response expires_in is not a non-negative integer");
    }
  }
  return out;
}

}  // namespace wba::token
