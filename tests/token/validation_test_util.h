// Fixtures shared by the token validation tests: the delegation.md §10 clock, issuer, resource
// and agent key, an authorization server key set, and helpers to mint well-formed and
// deliberately malformed JWS.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "crypto/test_util.h"
#include "wba/crypto/key.h"
#include "wba/encoding/base64.h"
#include "wba/jose/jws.h"
#include "wba/token/access_token.h"

namespace wba::token::test {

using nlohmann::json;

// delegation.md §10 shared fixtures.
inline constexpr std::int64_t kNow = 1795435200;  // 2026-11-23T12:00:00Z
inline constexpr std::int64_t kIat = 1795434900;
inline constexpr std::int64_t kExp = 1795435500;
inline const std::string kIssuer = "https://as.example.com";
inline const std::string kResource = "https://api.shop.example";
inline const std::string kAsKid = "as-2026-11";
// Agent A's key: RFC 9421 test-key-ed25519, thumbprint K_A.
inline const std::string kAgentAKeyX = "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs";
inline const std::string kAgentAThumbprint = "poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U";
inline const std::string kAgentA = "https://agent-a.example/agent";
inline const std::string kUser = "u_248289761001";

inline std::string b64(std::string_view bytes) { return base64url_encode(bytes); }

// header.payload.signature from raw texts, for tokens no honest signer makes.
inline std::string compact(std::string_view header_text, std::string_view payload_text,
                           std::string_view signature) {
  return b64(header_text) + "." + b64(payload_text) + "." + b64(signature);
}

inline std::string mint(const json& header, const json& payload, const SigningKey& key) {
  auto jws = jose::sign_compact_jws(header, payload.dump(), key);
  if (!jws.ok()) ADD_FAILURE() << jws.error().message();
  return jws.ok() ? *jws : std::string();
}

inline SigningKey with_kid(const SigningKey& key, const std::string& kid) {
  json jwk = key.to_private_jwk();
  jwk["kid"] = kid;
  return SigningKey::from_jwk(jwk).value();
}

inline SigningKey fresh(Algorithm alg, const std::string& kid = kAsKid) {
  return with_kid(SigningKey::generate(alg).value(), kid);
}

inline json jwks_of(std::initializer_list<SigningKey> keys) {
  json set = json::array();
  for (const auto& k : keys) set.push_back(k.to_public_jwk());
  return json{{"keys", set}};
}

inline IssuerKeySet key_set(const json& jwks) { return IssuerKeySet::parse(jwks.dump()).value(); }

// The RFC 8037 App. A.1 Ed25519 key (thumbprint kPrK_qmx…), as an AS key with kid as-2026-11.
inline SigningKey rfc8037_key() {
  json jwk = crypto_test::load_vectors("jose/rfc8037-ed25519.json").at("private_jwk");
  jwk["kid"] = kAsKid;
  return SigningKey::from_jwk(jwk).value();
}

inline IssuerPolicy default_policy() {
  IssuerPolicy p;
  p.issuer = kIssuer;
  p.audiences = {kResource};
  return p;
}

inline json at_header(const std::string& alg = "Ed25519") {
  return json{{"alg", alg}, {"typ", "at+jwt"}, {"kid", kAsKid}};
}

// delegation.md §10.1 POS-1.
inline json pos1() {
  return json::parse(R"({
    "iss": "https://as.example.com",
    "sub": "u_248289761001",
    "sub_profile": "user",
    "aud": "https://api.shop.example",
    "exp": 1795435500, "iat": 1795434900, "nbf": 1795434900,
    "jti": "at-5f1c2e9a",
    "client_id": "https://agent-a.example/agent",
    "scope": "orders:read cart:write",
    "act": {
      "sub": "https://agent-a.example/agent",
      "iss": "https://as.example.com",
      "sub_profile": "ai_agent"
    },
    "cnf": { "jkt": "poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U" }
  })");
}

// Parses and validates, as the daemon does once it has found the issuer's policy and keys.
inline Result<AccessToken> parse_and_validate(std::string_view token, const IssuerPolicy& policy,
                                              const IssuerKeySet& keys, std::int64_t now = kNow) {
  WBA_TRY(JwtCandidate candidate, parse_access_token(token, policy.max_token_bytes));
  return validate_access_token(token, candidate, policy, keys, now);
}

}  // namespace wba::token::test
