#include "wba/crypto/algorithm.h"

#include <array>
#include <string>

namespace wba {
namespace {

struct AlgorithmName {
  Algorithm alg;
  std::string_view registry;  // RFC 9421 §6.2.2 (HTTP Signature Algorithms registry)
  std::string_view jose;      // RFC 7518 §3.1 / RFC 8037 §3.1
  bool registered;            // false: JOSE only, the name is ours and never parsed
};

constexpr std::array<AlgorithmName, 7> kNames = {{
    {Algorithm::ed25519, "ed25519", "EdDSA", true},
    {Algorithm::ecdsa_p256_sha256, "ecdsa-p256-sha256", "ES256", true},
    {Algorithm::ecdsa_p384_sha384, "ecdsa-p384-sha384", "ES384", true},
    {Algorithm::rsa_pss_sha512, "rsa-pss-sha512", "PS512", true},
    {Algorithm::rsa_v1_5_sha256, "rsa-v1_5-sha256", "RS256", true},
    {Algorithm::hmac_sha256, "hmac-sha256", "HS256", true},
    {Algorithm::rsa_pss_sha256, "rsa-pss-sha256", "PS256", false},
}};

}  // namespace

std::string_view to_string(Algorithm alg) noexcept {
  for (const auto& n : kNames) {
    if (n.alg == alg) return n.registry;
  }
  return "unknown";
}

std::string_view jose_name(Algorithm alg) noexcept {
  for (const auto& n : kNames) {
    if (n.alg == alg) return n.jose;
  }
  return "unknown";
}

Result<Algorithm> algorithm_from_name(std::string_view name) {
  // Registry names are case-sensitive tokens (RFC 9421 §6.2.1): no case folding.
  for (const auto& n : kNames) {
    if (n.registered && n.registry == name) return n.alg;
  }
  return Error(Reason::unsupported_algorithm, "unknown algorithm \"" + std::string(name) + "\"");
}

Result<Algorithm> algorithm_from_jwk_alg(std::string_view alg) {
  for (const auto& n : kNames) {
    if (n.jose == alg || (n.registered && n.registry == alg)) return n.alg;
  }
  // The fully-specified JOSE name for Ed25519 (RFC 9864) is as unambiguous as "EdDSA" here,
  // since Ed448 is not supported.
  if (alg == "Ed25519") return Algorithm::ed25519;
  return Error(Reason::unsupported_algorithm, "unsupported JWK alg \"" + std::string(alg) + "\"");
}

bool is_symmetric(Algorithm alg) noexcept { return alg == Algorithm::hmac_sha256; }

bool is_http_signature_algorithm(Algorithm alg) noexcept {
  for (const auto& n : kNames) {
    if (n.alg == alg) return n.registered;
  }
  return false;
}

}  // namespace wba
