#include "wba/crypto/random.h"

#include <sodium.h>

#include "crypto/sodium_init.h"

namespace wba {

std::string random_bytes(std::size_t n) {
  detail::ensure_sodium_init();
  std::string out(n, '\0');
  if (n > 0) randombytes_buf(out.data(), n);
  return out;
}

}  // namespace wba
