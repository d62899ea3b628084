// OAuth 2.0 Token Exchange (RFC 8693) from the agent's side: the request an agent POSTs to its
// authorization server to turn a user's token into one that names the agent as actor (and, with
// a DPoP-bound request, is bound to the agent's Web Bot Auth key), and the response it gets.
// No I/O: the caller sends the body with its own HTTP client.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wba/result.h"

namespace wba::token {

inline constexpr std::string_view kTokenExchangeGrantType =
    "urn:ietf:params:oauth:grant-type:token-exchange";
inline constexpr std::string_view kFormContentType = "application/x-www-form-urlencoded";

// RFC 8693 §3 token type identifiers.
inline constexpr std::string_view kAccessTokenType =
    "urn:ietf:params:oauth:token-type:access_token";
inline constexpr std::string_view kRefreshTokenType =
    "urn:ietf:params:oauth:token-type:refresh_token";
inline constexpr std::string_view kIdTokenType = "urn:ietf:params:oauth:token-type:id_token";
inline constexpr std::string_view kJwtTokenType = "urn:ietf:params:oauth:token-type:jwt";

// RFC 8693 §2.1.
struct TokenExchangeRequest {
  std::string subject_token;  // the party the agent acts for (REQUIRED)
  std::string subject_token_type = std::string(kAccessTokenType);
  std::optional<std::string> actor_token;  // the agent itself; its type is then REQUIRED
  std::optional<std::string> actor_token_type;
  std::vector<std::string> audiences;  // `audience`, repeated
  std::vector<std::string> resources;  // `resource` (RFC 8707), absolute URIs, repeated
  std::vector<std::string> scopes;     // joined into one `scope` (RFC 6749 §3.3)
  std::optional<std::string> requested_token_type;
};

// One value in application/x-www-form-urlencoded form (WHATWG URL §5.2 byte serializer:
// ALPHA / DIGIT / "*-._" as is, space as '+', every other byte %XX), as RFC 6749 App. B asks of
// OAuth request bodies and of client_secret_basic credentials (§2.3.1).
std::string form_urlencode(std::string_view value);

// The application/x-www-form-urlencoded body (WHATWG URL §5.2 serializer: unreserved bytes as
// is, space as '+', everything else %XX). invalid_argument: an empty subject_token or type,
// actor_token without actor_token_type or the reverse, a scope that is not an RFC 6749 §3.3
// scope-token, a resource with a fragment or not absolute (RFC 8707 §2).
Result<std::string> token_exchange_body(const TokenExchangeRequest& request);

// RFC 8693 §2.2.1.
struct TokenExchangeResponse {
  std::string access_token;
  std::string issued_token_type;
  std::string token_type;  // "Bearer", "DPoP", "N_A" (§2.2.1)
  std::optional<std::int64_t> expires_in;
  std::optional<std::string> scope;
  std::optional<std::string> refresh_token;
};

// Parses the token endpoint's JSON answer. An RFC 6749 §5.2 error object (RFC 8693 §2.2.2) →
// invalid_request whose detail is the OAuth `error` code, then ": " and the
// `error_description` when there is one (e.g. "invalid_target: unknown audience"). A body that
// is not a strict JSON object, or lacks or mistypes a required member → malformed_json.
Result<TokenExchangeResponse> parse_token_exchange_response(std::string_view body);

}  // namespace wba::token
