#include <algorithm>
#include <string>

#include "token/jose_rules.h"
#include "wba/jose/json.h"
#include "wba/token/access_token.h"

namespace wba::token {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxJwksDepth = 32;

const std::string* string_member(const json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_string()) return nullptr;
  return &it->get_ref<const std::string&>();
}

bool kty_fits(const json& jwk, jose::JwsAlgorithm alg) {
  const std::string* kty = string_member(jwk, "kty");
  if (kty == nullptr) return false;
  switch (alg) {
    case jose::JwsAlgorithm::ed25519:
      return *kty == "OKP";
    case jose::JwsAlgorithm::es256:
    case jose::JwsAlgorithm::es384:
      return *kty == "EC";
    case jose::JwsAlgorithm::rs256:
    case jose::JwsAlgorithm::ps256:
      return *kty == "RSA";
  }
  return false;
}

}  // namespace

Result<IssuerKeySet> IssuerKeySet::parse(std::string_view jwks_json, std::size_t max_bytes,
                                         std::size_t max_keys) {
  WBA_TRY(json doc, jose::parse_strict_json(jwks_json, {max_bytes, kMaxJwksDepth}));
  if (!doc.is_object()) return Error(Reason::invalid_key, "a JWKS is a JSON object");
  auto keys = doc.find("keys");
  if (keys == doc.end() || !keys->is_array()) {
    return Error(Reason::invalid_key, "the JWKS has no \"keys\" array (RFC 7517 §5.1)");
  }
  if (keys->size() > max_keys) {
    return Error(Reason::limit_exceeded, "the JWKS has " + std::to_string(keys->size()) +
                                             " keys; at most " + std::to_string(max_keys) +
                                             " are allowed");
  }
  IssuerKeySet set;
  for (auto& jwk : *keys) {
    if (!jwk.is_object()) return Error(Reason::invalid_key, "a JWKS entry is not an object");
    // A published private key is a compromised issuer, not a key to use.
    if (const char* m = detail::private_member(jwk)) {
      return Error(Reason::invalid_key,
                   std::string("a JWKS key carries the private member \"") + m + "\"");
    }
    const std::string* kty = string_member(jwk, "kty");
    if (kty == nullptr || (*kty != "OKP" && *kty != "EC" && *kty != "RSA")) continue;
    // A kid that is not a string cannot be matched; the key is as good as absent.
    if (jwk.contains("kid") && string_member(jwk, "kid") == nullptr) continue;
    set.keys_.push_back(std::move(jwk));
  }
  return set;
}

Result<VerifyingKey> IssuerKeySet::select(const std::optional<std::string>& kid,
                                          jose::JwsAlgorithm alg) const {
  const json* chosen = nullptr;
  if (!kid) {
    if (keys_.size() != 1) {
      return Error(Reason::unknown_kid, "the token has no kid and the issuer publishes " +
                                            std::to_string(keys_.size()) + " keys");
    }
    chosen = &keys_.front();
  } else {
    // Several keys may share a kid across key types (RFC 7517 §4.5 only asks for distinct kids
    // within a type); prefer the one the algorithm can use.
    for (const auto& jwk : keys_) {
      const std::string* k = string_member(jwk, "kid");
      if (k == nullptr || *k != *kid) continue;
      if (chosen == nullptr || (!kty_fits(*chosen, alg) && kty_fits(jwk, alg))) chosen = &jwk;
    }
    if (chosen == nullptr) {
      return Error(Reason::unknown_kid, "no key with kid \"" + *kid + "\" in the issuer's JWKS");
    }
  }
  // RFC 7517 §4.2, §4.3: a key published for something else does not verify tokens.
  if (auto use = chosen->find("use"); use != chosen->end() && *use != "sig") {
    return Error(Reason::alg_not_allowed, "the key's \"use\" is not \"sig\"");
  }
  if (auto ops = chosen->find("key_ops"); ops != chosen->end()) {
    if (!ops->is_array() || std::find(ops->begin(), ops->end(), json("verify")) == ops->end()) {
      return Error(Reason::alg_not_allowed, "the key's \"key_ops\" do not include \"verify\"");
    }
  }
  return detail::public_key_for(*chosen, alg);
}

bool IssuerKeySet::contains_kid(std::string_view kid) const {
  return std::any_of(keys_.begin(), keys_.end(), [&](const json& jwk) {
    const std::string* k = string_member(jwk, "kid");
    return k != nullptr && *k == kid;
  });
}

}  // namespace wba::token
