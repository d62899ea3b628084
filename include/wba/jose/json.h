// Strict JSON for security tokens: RFC 7519 §4 / RFC 8725 ask recipients to reject duplicate
// member names, and attacker-supplied JSON must not be able to nest deep enough to exhaust the
// stack. nlohmann/json's DOM parser keeps the last duplicate and recurses without a limit, so
// every token, proof and JWKS the token layer reads goes through this instead.
#pragma once

#include <cstddef>
#include <string_view>

#include <nlohmann/json.hpp>

#include "wba/result.h"

namespace wba::jose {

struct JsonLimits {
  std::size_t max_bytes = 16 * 1024;  // longer text → limit_exceeded, before any parsing
  std::size_t max_depth = 32;         // nested objects/arrays beyond this → malformed_json
};

// Parses `text` as one JSON value. Errors: limit_exceeded (size), malformed_json (syntax,
// duplicate member in any object, depth, invalid UTF-8, trailing bytes).
Result<nlohmann::json> parse_strict_json(std::string_view text, const JsonLimits& limits = {});

}  // namespace wba::jose
