// RFC 7638 JWK thumbprints (SHA-256, base64url without padding) and RFC 9278 thumbprint URIs.
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

#include "wba/result.h"

namespace wba {

// Hashes the required public members of an OKP, EC, RSA or oct JWK (RFC 7638 §3.2; RFC 8037
// App. A.3), names sorted, no whitespace. Unknown kty or missing member → invalid_key.
Result<std::string> jwk_thumbprint(const nlohmann::json& jwk);
// The RFC 7638 §3 input string itself (for tests and debugging).
Result<std::string> jwk_thumbprint_input(const nlohmann::json& jwk);
// "urn:ietf:params:oauth:jwk-thumbprint:sha-256:<thumbprint>" (RFC 9278).
std::string jwk_thumbprint_uri(const std::string& thumbprint);

}  // namespace wba
