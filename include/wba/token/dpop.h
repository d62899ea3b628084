// RFC 9449 DPoP proofs: made by agents with their Web Bot Auth key (so the proof key's
// thumbprint is the token's cnf.jkt and the signature's keyid), checked by resource servers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wba/crypto/key.h"
#include "wba/jose/jws.h"
#include "wba/result.h"

namespace wba::token {

// Agent side.
struct DpopProofRequest {
  std::string method;                       // htm
  std::string url;                          // htu: query and fragment are removed
  std::optional<std::string> access_token;  // → ath = base64url(SHA-256(token))
  std::optional<std::int64_t> iat;          // default: now
  std::optional<std::string> jti;           // default: 16 random bytes, base64url
  std::optional<std::string> nonce;         // server-provided DPoP-Nonce
};
// A `dpop+jwt` signed by `key` with its public JWK in the header. HMAC keys →
// unsupported_algorithm.
Result<std::string> make_dpop_proof(const SigningKey& key, const DpopProofRequest& request);

// Resource-server side.
struct DpopPolicy {
  std::int64_t window = 60;  // |now − iat| allowed, seconds (MCP profile: up to 300)
  std::vector<jose::JwsAlgorithm> allowed_algs = {
      jose::JwsAlgorithm::ed25519, jose::JwsAlgorithm::es256, jose::JwsAlgorithm::es384,
      jose::JwsAlgorithm::ps256, jose::JwsAlgorithm::rs256};
  std::size_t max_bytes = 8 * 1024;
  std::optional<std::string> expected_nonce;  // when the server issued one
};

struct VerifiedDpopProof {
  std::string key_thumbprint;  // RFC 7638 thumbprint of the header jwk (P in delegation.md)
  std::string jti;             // the caller must insert it into a replay store (RFC 9449 §11.1)
  std::int64_t iat = 0;
};

// RFC 9449 §4.3 checks on one proof: strict JWS, typ dpop+jwt, allowed asymmetric alg fitting
// the header `jwk` (public only), signature, `htm` == method, `htu` == target URI (both
// normalized, query and fragment ignored), `iat` within the window, `jti` present, `nonce` when
// expected, and `ath` == token_hash(access_token). Every failure → invalid_dpop_proof (detail
// says which). The cnf.jkt comparison and the jti replay check are the caller's (binding.h,
// the daemon's replay store).
Result<VerifiedDpopProof> verify_dpop_proof(std::string_view proof, std::string_view method,
                                            std::string_view target_uri,
                                            std::string_view access_token, std::int64_t now,
                                            const DpopPolicy& policy = {});

}  // namespace wba::token
