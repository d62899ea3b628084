// HTTP Signature Algorithms (RFC 9421 §3.3, IANA registry §6.2), plus the JOSE-only algorithms
// OAuth token validation needs (jose/jws.h).
#pragma once

#include <string_view>

#include "wba/result.h"

namespace wba {

enum class Algorithm {
  ed25519,            // RFC 8032 pure Ed25519 (libsodium)
  ecdsa_p256_sha256,  // raw r‖s, 64 bytes
  ecdsa_p384_sha384,  // raw r‖s, 96 bytes
  rsa_pss_sha512,     // MGF1-SHA-512, 64-byte salt
  rsa_v1_5_sha256,
  hmac_sha256,     // symmetric; constant-time compare
  rsa_pss_sha256,  // JOSE PS256 only (MGF1-SHA-256, 32-byte salt): RFC 9421 refuses it
};

// The registry name, e.g. "ecdsa-p256-sha256" ("rsa-pss-sha256" for the JOSE-only PS256, a name
// for logs that no registry defines).
std::string_view to_string(Algorithm alg) noexcept;
// Parses a registry name (the `alg` signature parameter); anything else, the JOSE-only
// algorithms included → unsupported_algorithm.
Result<Algorithm> algorithm_from_name(std::string_view name);
// Maps a JWK `alg` member: accepts both JOSE names (EdDSA, Ed25519, ES256, ES384, PS512, PS256,
// RS256, HS256) and registry names, since deployed directories use both (DIGEST §4.6).
Result<Algorithm> algorithm_from_jwk_alg(std::string_view alg);
// The JOSE name of an algorithm ("EdDSA", "ES256", "ES384", "PS512", "RS256", "HS256", "PS256").
std::string_view jose_name(Algorithm alg) noexcept;
bool is_symmetric(Algorithm alg) noexcept;
// Whether RFC 9421 may use the algorithm (it is in the HTTP Signature Algorithms registry).
bool is_http_signature_algorithm(Algorithm alg) noexcept;

}  // namespace wba
