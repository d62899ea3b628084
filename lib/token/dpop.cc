#include "wba/token/dpop.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <utility>

#include <openssl/crypto.h>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include "token/jose_rules.h"
#include "wba/crypto/random.h"
#include "wba/encoding/base64.h"
#include "wba/http/target.h"
#include "wba/jose/json.h"
#include "wba/token/access_token.h"

namespace wba::token {
namespace {

using nlohmann::json;

constexpr std::size_t kJtiRandomBytes = 16;
constexpr std::size_t kMaxJtiBytes = 256;  // bounds what a replay store keeps per proof
constexpr std::size_t kMaxJsonDepth = 16;

Error invalid(std::string detail) {
  return Error(Reason::invalid_dpop_proof, "DPoP proof: " + std::move(detail));
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// RFC 9449 §4.2: htu is the target URI without query and fragment.
std::string_view without_query(std::string_view url) {
  return url.substr(0, std::min(url.find('?'), url.find('#')));
}

// RFC 9449 §4.3 check 9: syntax- and scheme-based normalization (RFC 3986 §6.2.2, §6.2.3):
// case of scheme and host, percent-encoding, dot segments, default port, empty path.
std::optional<std::string> normalized_htu(std::string_view uri) {
  auto parsed = boost::urls::parse_uri(uri);
  if (!parsed || !parsed->has_authority() || parsed->has_userinfo()) return std::nullopt;
  boost::urls::url u(*parsed);
  u.remove_query();
  u.remove_fragment();
  u.normalize();
  auto authority = http::normalize_authority(u.scheme(), u.encoded_authority());
  if (!authority.ok()) return std::nullopt;
  std::string out(u.scheme());
  out.append("://").append(*authority);
  const std::string_view path = u.encoded_path();
  out.append(path.empty() ? std::string_view("/") : path);
  return out;
}

// The public JWK members RFC 7638 names for the key type: the header carries nothing else.
json public_jwk_of(const SigningKey& key) {
  json full = key.to_public_jwk();
  json out = json::object();
  for (const char* name : {"kty", "crv", "x", "y", "n", "e"}) {
    if (auto it = full.find(name); it != full.end()) out[name] = *it;
  }
  return out;
}

}  // namespace

Result<std::string> make_dpop_proof(const SigningKey& key, const DpopProofRequest& request) {
  json header = {{"typ", "dpop+jwt"}, {"jwk", public_jwk_of(key)}};
  json claims = {
      {"jti", request.jti.value_or(base64url_encode(random_bytes(kJtiRandomBytes)))},
      {"htm", request.method},
      {"htu", std::string(without_query(request.url))},
      {"iat", request.iat.value_or(unix_now())},
  };
  if (request.access_token) claims["ath"] = token_hash(*request.access_token);
  if (request.nonce) claims["nonce"] = *request.nonce;
  std::string payload;
  try {
    payload = claims.dump();
  } catch (const json::exception&) {
    return Error(Reason::invalid_argument, "the DPoP claims hold a string that is not UTF-8");
  }
  return jose::sign_compact_jws(std::move(header), payload, key);
}

Result<VerifiedDpopProof> verify_dpop_proof(std::string_view proof, std::string_view method,
                                            std::string_view target_uri,
                                            std::string_view access_token, std::int64_t now,
                                            const DpopPolicy& policy) {
  // Checks 2–4: one well-formed JWS with the typ of a DPoP proof.
  auto parsed = jose::parse_compact_jws(proof, {policy.max_bytes, kMaxJsonDepth});
  if (!parsed.ok()) return invalid(parsed.error().detail);
  const jose::CompactJws& jws = *parsed;
  const json& header = jws.header;
  auto typ = header.find("typ");
  if (typ == header.end() || !typ->is_string() ||
      detail::media_subtype(typ->get<std::string>()) != "dpop+jwt") {
    return invalid("typ is not dpop+jwt");
  }
  // Check 5: an asymmetric algorithm this server accepts.
  auto alg = jose::jws_algorithm_from_name(header.at("alg").get<std::string>());
  if (!alg.ok()) return invalid(alg.error().detail);
  if (std::find(policy.allowed_algs.begin(), policy.allowed_algs.end(), *alg) ==
      policy.allowed_algs.end()) {
    return invalid("alg " + std::string(jose::to_string(*alg)) + " is not allowed");
  }
  if (header.contains("crit")) return invalid("\"crit\" is not supported");
  // Checks 6–7: the public key in the header, and the signature under it.
  auto jwk = header.find("jwk");
  if (jwk == header.end() || !jwk->is_object()) return invalid("no \"jwk\" object in the header");
  if (const char* m = detail::private_member(*jwk)) {
    return invalid(std::string("the header jwk carries the private member \"") + m + "\"");
  }
  auto key = detail::public_key_for(*jwk, *alg);
  if (!key.ok()) return invalid("header jwk: " + key.error().detail);
  if (auto verified = jose::verify_jws(jws, *alg, *key); !verified.ok()) {
    return invalid(verified.error().detail);
  }

  auto payload = jose::parse_strict_json(jws.payload, {policy.max_bytes, kMaxJsonDepth});
  if (!payload.ok()) return invalid("payload: " + payload.error().detail);
  if (!payload->is_object()) return invalid("the payload is not an object");
  const json& claims = *payload;
  auto string_claim = [&](const char* name) -> const std::string* {
    auto it = claims.find(name);
    return it != claims.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
  };

  VerifiedDpopProof out;
  out.key_thumbprint = key->thumbprint();
  // Check 4: the required claims.
  const std::string* jti = string_claim("jti");
  if (jti == nullptr || jti->empty() || jti->size() > kMaxJtiBytes) {
    return invalid("\"jti\" is missing or not a string of 1 to 256 bytes");
  }
  out.jti = *jti;
  // Check 8: methods are case-sensitive (RFC 9110 §9.1).
  const std::string* htm = string_claim("htm");
  if (htm == nullptr || *htm != method) return invalid("\"htm\" is not the request method");
  // Check 9.
  const std::string* htu = string_claim("htu");
  if (htu == nullptr) return invalid("no \"htu\"");
  const auto proof_uri = normalized_htu(*htu);
  const auto request_uri = normalized_htu(target_uri);
  if (!proof_uri || !request_uri || *proof_uri != *request_uri) {
    return invalid("\"htu\" is not the request's target URI");
  }
  // Check 10: nonce, when this server issued one.
  if (policy.expected_nonce) {
    const std::string* nonce = string_claim("nonce");
    if (nonce == nullptr || *nonce != *policy.expected_nonce) {
      return invalid("\"nonce\" is not the one the server provided");
    }
  }
  // Check 11: iat within the window, either side.
  auto iat = detail::numeric_date(claims, "iat", Reason::invalid_dpop_proof);
  if (!iat.ok()) return invalid(iat.error().detail);
  if (!*iat) return invalid("no \"iat\"");
  const double window = static_cast<double>(std::max<std::int64_t>(policy.window, 0));
  if (std::fabs(static_cast<double>(now) - **iat) > window) {
    return invalid("\"iat\" is outside the ±" + std::to_string(policy.window) + " s window");
  }
  out.iat = static_cast<std::int64_t>(std::floor(**iat));
  // Check 12 (first half): the proof is for this access token.
  if (!access_token.empty()) {
    const std::string expected = token_hash(access_token);
    const std::string* ath = string_claim("ath");
    if (ath == nullptr || ath->size() != expected.size() ||
        CRYPTO_memcmp(ath->data(), expected.data(), expected.size()) != 0) {
      return invalid("\"ath\" is not the hash of the access token");
    }
  }
  return out;
}

}  // namespace wba::token
