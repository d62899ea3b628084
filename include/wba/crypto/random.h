// Random bytes from the system CSPRNG (libsodium randombytes_buf), e.g. for `nonce` values
// (RFC 9421 §2.3) and HMAC secrets.
#pragma once

#include <cstddef>
#include <string>

namespace wba {

// n bytes from the CSPRNG. Never fails (libsodium aborts if no entropy source exists).
std::string random_bytes(std::size_t n);

}  // namespace wba
