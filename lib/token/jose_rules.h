// Rules that access tokens, issuer keys and DPoP proofs share: which JWK members are private,
// how `typ` media types compare, what a NumericDate is, and which public JWK may verify a JWS
// algorithm.
#pragma once

#include <array>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "wba/crypto/key.h"
#include "wba/encoding/base64.h"
#include "wba/jose/jws.h"
#include "wba/result.h"

namespace wba::token::detail {

// RFC 7517 §9.3 / RFC 7518 §6.2.2, §6.3.2, §6.4: members that only a private key (or a
// symmetric secret) has. Any of them where a public key is expected is an error, not something
// to strip (RFC 7800 §3.2, RFC 9449 §4.3).
inline constexpr std::array<const char*, 8> kPrivateJwkMembers = {"d",  "p",  "q",   "dp",
                                                                  "dq", "qi", "oth", "k"};

inline const char* private_member(const nlohmann::json& jwk) {
  for (const char* name : kPrivateJwkMembers) {
    if (jwk.contains(name)) return name;
  }
  return nullptr;
}

// RFC 7515 §4.1.9: `typ` is a media type, compared case-insensitively, whose "application/"
// prefix may be left out. Returns the lower-cased subtype ("at+jwt").
inline std::string media_subtype(std::string_view typ) {
  std::string out(typ);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
  }
  constexpr std::string_view kApplication = "application/";
  if (std::string_view(out).starts_with(kApplication)) out.erase(0, kApplication.size());
  return out;
}

// RFC 7519 §2 NumericDate, restricted to what a resource server can compare exactly: a finite
// JSON number ≥ 0 and below 2^53 (fractions allowed). Absent → nullopt; anything else
// (strings, booleans, 1e300) → `reason`.
inline Result<std::optional<double>> numeric_date(const nlohmann::json& object,
                                                  const std::string& name, Reason reason) {
  auto it = object.find(name);
  if (it == object.end()) return std::optional<double>();
  constexpr double kLimit = 9007199254740992.0;  // 2^53
  if (!it->is_number()) return Error(reason, "\"" + name + "\" is not a number (NumericDate)");
  const double v = it->get<double>();
  if (!std::isfinite(v) || v < 0 || v >= kLimit) {
    return Error(reason, "\"" + name + "\" is out of the NumericDate range [0, 2^53)");
  }
  return std::optional<double>(v);
}

// The key a public JWK gives for JWS algorithm `alg` (RFC 8725 §3.1: the key and the algorithm
// must fit): OKP/Ed25519 for Ed25519/EdDSA, EC P-256 for ES256, EC P-384 for ES384, RSA of at
// least 2048 bits for RS256/PS256, and a JWK `alg`, when present, naming the same algorithm.
// Errors: alg_not_allowed (mismatch, small RSA), invalid_key (bad key material).
inline Result<VerifyingKey> public_key_for(const nlohmann::json& jwk, jose::JwsAlgorithm alg) {
  using jose::JwsAlgorithm;
  if (!jwk.is_object()) return Error(Reason::invalid_key, "a JWK must be a JSON object");
  auto member = [&](const char* name) -> std::string {
    auto it = jwk.find(name);
    return it != jwk.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  const std::string kty = member("kty");
  const std::string crv = member("crv");
  const std::string alg_name(jose::to_string(alg));
  bool fits = false;
  switch (alg) {
    case JwsAlgorithm::ed25519:
      fits = kty == "OKP" && crv == "Ed25519";
      break;
    case JwsAlgorithm::es256:
      fits = kty == "EC" && crv == "P-256";
      break;
    case JwsAlgorithm::es384:
      fits = kty == "EC" && crv == "P-384";
      break;
    case JwsAlgorithm::rs256:
    case JwsAlgorithm::ps256:
      fits = kty == "RSA";
      break;
  }
  if (!fits) {
    return Error(Reason::alg_not_allowed, "JWS alg " + alg_name + " does not fit a key of kty \"" +
                                              kty + "\"" +
                                              (crv.empty() ? "" : " crv \"" + crv + "\""));
  }
  if (auto it = jwk.find("alg"); it != jwk.end()) {
    auto named = it->is_string() ? jose::jws_algorithm_from_name(it->get<std::string>())
                                 : Result<JwsAlgorithm>(Error(Reason::alg_not_allowed));
    if (!named.ok() || *named != alg) {
      return Error(Reason::alg_not_allowed,
                   "the JWK's alg is not the header's " + alg_name + " (RFC 8725 §3.1)");
    }
  }
  if (kty == "RSA") {
    // The key layer refuses small moduli as invalid keys; for a JWS they are a refused algorithm
    // strength (RFC 7518 §3.3, §3.5), which is what the issuer needs to hear.
    auto n = base64url_decode(member("n"));
    if (!n.ok() || n->empty()) {
      return Error(Reason::invalid_key, "JWK member \"n\" is missing or not base64url");
    }
    std::size_t i = 0;
    while (i < n->size() && (*n)[i] == '\0') ++i;
    std::size_t bits = (n->size() - i) * 8;
    if (i < n->size()) {
      for (auto top = static_cast<unsigned char>((*n)[i]); (top & 0x80) == 0; top <<= 1) --bits;
    }
    if (bits < 2048) {
      return Error(Reason::alg_not_allowed,
                   "RSA keys need at least 2048 bits; this one has " + std::to_string(bits));
    }
  }
  // The algorithm is settled above; the key layer's own JWK alg mapping is not needed.
  nlohmann::json bare = jwk;
  bare.erase("alg");
  return VerifyingKey::from_jwk(bare, jose::key_algorithm(alg));
}

}  // namespace wba::token::detail
