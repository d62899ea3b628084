// JWS Compact Serialization (RFC 7515 §7.1) for the asymmetric algorithms OAuth resource servers
// accept (RFC 9068 §4, RFC 8725 §3.1): the algorithm allowlist is closed; `none`, every HS*
// and anything unknown are refused whatever a caller configures, so no configuration can
// reintroduce algorithm confusion (RFC 8725 §2.1).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "wba/crypto/algorithm.h"
#include "wba/crypto/key.h"
#include "wba/result.h"

namespace wba::jose {

enum class JwsAlgorithm {
  ed25519,  // "Ed25519" (RFC 9864) and the deprecated polymorphic "EdDSA", Ed25519 keys only
  es256,    // ECDSA P-256 SHA-256, raw 64-byte r‖s (RFC 7518 §3.4)
  es384,    // ECDSA P-384 SHA-384, raw 96-byte r‖s
  rs256,    // RSASSA-PKCS1-v1_5 SHA-256, modulus ≥ 2048 bits
  ps256,    // RSASSA-PSS SHA-256, MGF1-SHA-256, 32-byte salt (RFC 7518 §3.5), ≥ 2048 bits
};

// The JOSE name ("Ed25519", "ES256", "ES384", "RS256", "PS256").
std::string_view to_string(JwsAlgorithm alg) noexcept;
// "EdDSA" and "Ed25519" → ed25519; the four others by their names (case-sensitive, RFC 7515
// §4.1.1). Anything else, `none` and HS* included → alg_not_allowed.
Result<JwsAlgorithm> jws_algorithm_from_name(std::string_view name);
// The library algorithm a key must have to verify `alg` (ps256 → Algorithm::rsa_pss_sha256).
Algorithm key_algorithm(JwsAlgorithm alg) noexcept;
// The JWS algorithm a signing key produces (ed25519 keys sign as "EdDSA" for compatibility
// unless the header names "Ed25519"); HMAC and rsa-pss-sha512 keys → unsupported_algorithm.
Result<JwsAlgorithm> jws_algorithm_of(const SigningKey& key);

struct JwsLimits {
  std::size_t max_bytes = 16 * 1024;  // whole compact text; more → limit_exceeded
  std::size_t max_json_depth = 32;    // header and (for callers) payload
};

// A parsed compact JWS whose signature has not been checked yet.
struct CompactJws {
  nlohmann::json header;      // a JSON object, duplicate-free
  std::string payload;        // decoded bytes (parse them with parse_strict_json)
  std::string signature;      // decoded bytes
  std::string signing_input;  // ASCII(BASE64URL(header) '.' BASE64URL(payload))
};

// Three segments of strict base64url (no padding, no non-alphabet characters, canonical
// trailing bits), a header that is a JSON object with a string `alg`. Errors:
// limit_exceeded; unsupported_token_format (five segments: JWE); malformed_jwt (anything else).
Result<CompactJws> parse_compact_jws(std::string_view text, const JwsLimits& limits = {});

// Verifies the signature with `key` under `alg`. The key's algorithm must be key_algorithm(alg)
// (and for ed25519 an Ed25519 key; RSA keys ≥ 2048 bits) → else alg_not_allowed; a signature
// that does not verify, or has the wrong length, or ECDSA r/s out of range → invalid_signature.
Status verify_jws(const CompactJws& jws, JwsAlgorithm alg, const VerifyingKey& key);

// Signs `payload` with `key`: `header` gets "alg" set from the key (existing "alg" kept if it is
// a valid name for the key's algorithm). Returns the compact serialization.
Result<std::string> sign_compact_jws(nlohmann::json header, std::string_view payload,
                                     const SigningKey& key);

}  // namespace wba::jose
