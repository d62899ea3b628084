#include "wba/jose/jws.h"

#include <array>
#include <utility>

#include "wba/encoding/base64.h"
#include "wba/jose/json.h"

namespace wba::jose {
namespace {

struct AlgName {
  JwsAlgorithm alg;
  std::string_view name;
  Algorithm key_alg;
};

constexpr std::array<AlgName, 5> kAlgs = {{
    {JwsAlgorithm::ed25519, "Ed25519", Algorithm::ed25519},
    {JwsAlgorithm::es256, "ES256", Algorithm::ecdsa_p256_sha256},
    {JwsAlgorithm::es384, "ES384", Algorithm::ecdsa_p384_sha384},
    {JwsAlgorithm::rs256, "RS256", Algorithm::rsa_v1_5_sha256},
    {JwsAlgorithm::ps256, "PS256", Algorithm::rsa_pss_sha256},
}};

constexpr char kPolymorphicEdDsa[] = "EdDSA";

Error malformed(std::string detail) { return Error(Reason::malformed_jwt, std::move(detail)); }

// base64url_decode (libsodium, URL-safe alphabet, no padding) already refuses '=', '+', '/',
// any other character, a length of 1 mod 4 and non-zero trailing bits, so each value has one
// encoding only (RFC 7515 §2, RFC 8725 §3.1 about malleable tokens).
Result<std::string> decode_segment(std::string_view segment, const char* what) {
  auto bytes = base64url_decode(segment);
  if (!bytes.ok()) return malformed(std::string("the JWS ") + what + " is not strict base64url");
  return std::move(bytes).value();
}

}  // namespace

std::string_view to_string(JwsAlgorithm alg) noexcept {
  for (const auto& a : kAlgs) {
    if (a.alg == alg) return a.name;
  }
  return "unknown";
}

Result<JwsAlgorithm> jws_algorithm_from_name(std::string_view name) {
  if (name == kPolymorphicEdDsa) return JwsAlgorithm::ed25519;
  for (const auto& a : kAlgs) {
    if (a.name == name) return a.alg;
  }
  return Error(Reason::alg_not_allowed,
               "JWS alg \"" + std::string(name) + "\" is not allowed (RFC 8725 §3.1)");
}

Algorithm key_algorithm(JwsAlgorithm alg) noexcept {
  for (const auto& a : kAlgs) {
    if (a.alg == alg) return a.key_alg;
  }
  return Algorithm::ed25519;
}

Result<JwsAlgorithm> jws_algorithm_of(const SigningKey& key) {
  for (const auto& a : kAlgs) {
    if (a.key_alg == key.algorithm()) return a.alg;
  }
  return Error(Reason::unsupported_algorithm,
               "a " + std::string(to_string(key.algorithm())) + " key has no JWS algorithm here");
}

Result<CompactJws> parse_compact_jws(std::string_view text, const JwsLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return Error(Reason::limit_exceeded, "the JWS has " + std::to_string(text.size()) +
                                             " bytes; at most " + std::to_string(limits.max_bytes) +
                                             " are allowed");
  }
  const auto first = text.find('.');
  const auto second = first == std::string_view::npos ? first : text.find('.', first + 1);
  if (second == std::string_view::npos) {
    return malformed("a compact JWS has three dot-separated segments");
  }
  const auto rest = text.find('.', second + 1);
  if (rest != std::string_view::npos) {
    // RFC 7516 §7.1: five segments are a JWE; more are nothing.
    const auto fourth = text.find('.', rest + 1);
    if (fourth != std::string_view::npos && text.find('.', fourth + 1) == std::string_view::npos) {
      return Error(Reason::unsupported_token_format, "encrypted tokens (JWE) are not supported");
    }
    return malformed("a compact JWS has three dot-separated segments");
  }
  const std::string_view header_b64 = text.substr(0, first);
  const std::string_view payload_b64 = text.substr(first + 1, second - first - 1);
  const std::string_view signature_b64 = text.substr(second + 1);

  CompactJws jws;
  WBA_TRY(std::string header_text, decode_segment(header_b64, "header"));
  WBA_TRY(jws.payload, decode_segment(payload_b64, "payload"));
  WBA_TRY(jws.signature, decode_segment(signature_b64, "signature"));
  auto header = parse_strict_json(header_text, {limits.max_bytes, limits.max_json_depth});
  if (!header.ok()) return malformed("the JWS header: " + header.error().detail);
  if (!header->is_object()) return malformed("the JWS header is not a JSON object");
  auto alg = header->find("alg");
  if (alg == header->end() || !alg->is_string()) {
    return malformed("the JWS header has no string \"alg\" (RFC 7515 §4.1.1)");
  }
  jws.header = std::move(header).value();
  jws.signing_input = std::string(text.substr(0, second));
  return jws;
}

Status verify_jws(const CompactJws& jws, JwsAlgorithm alg, const VerifyingKey& key) {
  // The key decides what it can verify (RFC 8725 §3.1): a header alg naming another algorithm
  // is algorithm confusion, whatever the signature bytes.
  if (key.algorithm() != key_algorithm(alg)) {
    return Error(Reason::alg_not_allowed, "JWS alg " + std::string(to_string(alg)) +
                                              " does not fit a " +
                                              std::string(to_string(key.algorithm())) + " key");
  }
  // The key layer checks the exact length (raw r‖s for ECDSA, RFC 7518 §3.4), refuses r or s of
  // 0 or ≥ n through OpenSSL's ECDSA verification, and only loads RSA keys of ≥ 2048 bits.
  auto verified = key.verify(jws.signing_input, jws.signature);
  if (!verified.ok()) {
    if (verified.reason() == Reason::bad_signature) {
      return Error(Reason::invalid_signature, verified.error().detail);
    }
    return verified.error();
  }
  return {};
}

Result<std::string> sign_compact_jws(nlohmann::json header, std::string_view payload,
                                     const SigningKey& key) {
  if (!header.is_object()) return Error(Reason::invalid_argument, "a JWS header is an object");
  WBA_TRY(JwsAlgorithm alg, jws_algorithm_of(key));
  std::string name(alg == JwsAlgorithm::ed25519 ? kPolymorphicEdDsa : to_string(alg));
  if (auto it = header.find("alg"); it != header.end()) {
    auto named = it->is_string() ? jws_algorithm_from_name(it->get<std::string>())
                                 : Result<JwsAlgorithm>(Error(Reason::alg_not_allowed));
    if (!named.ok() || *named != alg) {
      return Error(Reason::key_alg_mismatch,
                   "the header's alg does not name the key's algorithm " + name);
    }
    name = it->get<std::string>();
  }
  header["alg"] = name;
  std::string header_text;
  try {
    header_text = header.dump();
  } catch (const nlohmann::json::exception&) {
    return Error(Reason::invalid_argument, "the JWS header holds a string that is not UTF-8");
  }
  std::string signing_input = base64url_encode(header_text);
  signing_input += '.';
  signing_input += base64url_encode(payload);
  WBA_TRY(std::string signature, key.sign(signing_input));
  signing_input += '.';
  signing_input += base64url_encode(signature);
  return signing_input;
}

}  // namespace wba::jose
