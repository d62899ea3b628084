// RFC 9530 Content-Digest: create and verify for sha-256 and sha-512.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "wba/result.h"

namespace wba {

enum class DigestAlgorithm { sha_256, sha_512 };

// The registry name: "sha-256" or "sha-512".
std::string_view to_string(DigestAlgorithm alg) noexcept;

// The Content-Digest field value for `content`, e.g. `sha-256=:X48E9q…=:`, one member per
// algorithm in the given order.
std::string make_content_digest(std::string_view content,
                                std::initializer_list<DigestAlgorithm> algs = {
                                    DigestAlgorithm::sha_512});

// Checks a Content-Digest field value against `content`: every sha-256/sha-512 member must match
// (digest_mismatch); members of other algorithms are ignored (RFC 9530 §2, deprecated ones must
// not be relied on); no supported member → unsupported_digest; bad syntax → malformed_field.
Status verify_content_digest(std::string_view field_value, std::string_view content);

}  // namespace wba
