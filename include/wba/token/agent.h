// The agent's side of the binding (delegation.md §3.3 "guidance for agent builders"): present an
// access token so that a resource server can bind it to the agent's Web Bot Auth signature.
// The token travels in `Authorization`, a DPoP proof (for DPoP) is made with the same key as
// the signature (so its thumbprint is both the keyid and the token's cnf.jkt), and the
// signature covers the token, the proof and where the request goes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "wba/crypto/key.h"
#include "wba/http/message.h"
#include "wba/profile/web_bot_auth.h"
#include "wba/result.h"
#include "wba/sig/signature_fields.h"
#include "wba/token/binding.h"

namespace wba::token {

struct TokenPresentationOptions {
  Scheme scheme = Scheme::bearer;         // bearer (P3) or dpop (P1)
  std::optional<std::string> dpop_nonce;  // the server's DPoP-Nonce, when it asked for one
  std::optional<std::string> dpop_jti;    // default: random
};

// Adds `Authorization: Bearer|DPoP <token>`, for DPoP a `DPoP` proof (htm, htu, ath; iat =
// options.created when set, so proof and signature share one clock reading), then signs with
// the Web Bot Auth profile covering "@authority", the Signature-Agent member, "@method",
// "@path", "authorization" (and "dpop"), followed by the caller's other extra components.
// Errors: invalid_argument (a token that is not token68 or too large, a request that already
// has Authorization or DPoP), unsupported_token_scheme (HTTPSig: not implemented yet), and
// those of make_dpop_proof and profile::sign_request. On error the request is unchanged.
Result<sig::LabelledSignature> present_token(http::Request& request, const SigningKey& key,
                                             const profile::AgentSignOptions& sign_options,
                                             std::string_view token,
                                             const TokenPresentationOptions& options = {});

// The same with only the scheme, for the common case.
inline Result<sig::LabelledSignature> present_token(http::Request& request, const SigningKey& key,
                                                    const profile::AgentSignOptions& sign_options,
                                                    std::string_view token, Scheme scheme) {
  TokenPresentationOptions o;
  o.scheme = scheme;
  return present_token(request, key, sign_options, token, o);
}

}  // namespace wba::token
