#include "wba/jose/thumbprint.h"

#include <array>
#include <string_view>

#include <nlohmann/json.hpp>

#include "crypto/hash.h"
#include "wba/encoding/base64.h"

namespace wba {
namespace {

struct RequiredMembers {
  std::string_view kty;
  std::array<const char*, 3> names;  // besides kty; nullptr-terminated
};

// RFC 7638 §3.2 (EC, RSA, oct) and RFC 8037 App. A.3 (OKP).
constexpr std::array<RequiredMembers, 4> kRequired = {{
    {"EC", {"crv", "x", "y"}},
    {"RSA", {"e", "n", nullptr}},
    {"oct", {"k", nullptr, nullptr}},
    {"OKP", {"crv", "x", nullptr}},
}};

Error invalid_key(std::string detail) { return Error(Reason::invalid_key, std::move(detail)); }

}  // namespace

Result<std::string> jwk_thumbprint_input(const nlohmann::json& jwk) {
  if (!jwk.is_object()) return invalid_key("a JWK must be a JSON object");
  auto kty = jwk.find("kty");
  if (kty == jwk.end() || !kty->is_string()) {
    return invalid_key("JWK member \"kty\" is missing or not a string");
  }
  const auto& kty_value = kty->get_ref<const std::string&>();
  for (const auto& required : kRequired) {
    if (required.kty != kty_value) continue;
    // nlohmann::json objects are std::maps: dump() sorts the names and, with no indent, writes
    // no whitespace, which is exactly the RFC 7638 §3 form.
    nlohmann::json canonical = nlohmann::json::object();
    canonical["kty"] = kty_value;
    for (const char* name : required.names) {
      if (name == nullptr) break;
      auto it = jwk.find(name);
      if (it == jwk.end() || !it->is_string()) {
        return invalid_key("JWK member \"" + std::string(name) + "\" is missing or not a string");
      }
      canonical[name] = *it;
    }
    try {
      return canonical.dump();
    } catch (const nlohmann::json::exception&) {
      return invalid_key("the JWK holds a string that is not UTF-8");
    }
  }
  return invalid_key("JWK kty \"" + kty_value + "\" has no RFC 7638 thumbprint definition");
}

Result<std::string> jwk_thumbprint(const nlohmann::json& jwk) {
  WBA_TRY(std::string input, jwk_thumbprint_input(jwk));
  return base64url_encode(detail::hash(detail::Hash::sha256, input));
}

std::string jwk_thumbprint_uri(const std::string& thumbprint) {
  return "urn:ietf:params:oauth:jwk-thumbprint:sha-256:" + thumbprint;
}

}  // namespace wba
