#include "crypto/hash.h"

#include <new>

#include <openssl/err.h>
#include <openssl/evp.h>

namespace wba::detail {

std::string hash(Hash alg, std::string_view data) {
  const EVP_MD* md = alg == Hash::sha256 ? EVP_sha256() : EVP_sha512();
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out, &len, md, nullptr) != 1) {
    ERR_clear_error();
    throw std::bad_alloc();
  }
  return std::string(reinterpret_cast<const char*>(out), len);
}

}  // namespace wba::detail
