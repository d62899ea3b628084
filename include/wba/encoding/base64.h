// Base64 (RFC 4648 §4) and base64url (§5) through libsodium. Byte strings are std::string.
#pragma once

#include <string>
#include <string_view>

#include "wba/result.h"

namespace wba {

// Standard alphabet with '=' padding, as in Structured Field Byte Sequences.
std::string base64_encode(std::string_view bytes);
// Standard alphabet; padding optional (RFC 9651 §4.2.7 asks parsers to accept it missing).
// Any other character → Reason::malformed_field.
Result<std::string> base64_decode(std::string_view text);
// URL-safe alphabet without padding, as in JWK members and thumbprints (RFC 7515 §2).
std::string base64url_encode(std::string_view bytes);
// URL-safe alphabet; rejects padding and any other character (Reason::malformed_field).
Result<std::string> base64url_decode(std::string_view text);

}  // namespace wba
