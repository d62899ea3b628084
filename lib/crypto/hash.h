// One-shot SHA-2 digests through OpenSSL, for RFC 7638 thumbprints and RFC 9530 digests.
#pragma once

#include <string>
#include <string_view>

namespace wba::detail {

enum class Hash { sha256, sha512 };

// The raw digest. Only allocation can make OpenSSL fail here; that throws std::bad_alloc.
std::string hash(Hash alg, std::string_view data);

}  // namespace wba::detail
