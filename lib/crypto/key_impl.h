// The immutable state behind VerifyingKey / SigningKey. Built once by a validating factory
// (lib/crypto/key.cc), then only read: every copy of a key shares one KeyImpl, so it must stay
// safe for concurrent use (OpenSSL 3 EVP_PKEYs are, once built and no longer modified).
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <sodium.h>
#include <nlohmann/json.hpp>

#include "crypto/openssl_ptr.h"
#include "wba/crypto/algorithm.h"
#include "wba/result.h"

namespace wba::detail {

// A byte string holding secret material: wiped when destroyed. Moves keep the heap buffer, so
// no stray copy is left behind by them.
class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(std::string bytes) : bytes_(std::move(bytes)) {}
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  SecretBytes(SecretBytes&& other) noexcept : bytes_(std::move(other.bytes_)) { other.wipe(); }
  SecretBytes& operator=(SecretBytes&& other) noexcept {
    if (this != &other) {
      wipe();
      bytes_ = std::move(other.bytes_);
      other.wipe();
    }
    return *this;
  }
  ~SecretBytes() { wipe(); }

  const std::string& str() const noexcept { return bytes_; }
  std::string_view view() const noexcept { return bytes_; }
  const unsigned char* data() const noexcept {
    return reinterpret_cast<const unsigned char*>(bytes_.data());
  }
  std::size_t size() const noexcept { return bytes_.size(); }
  bool empty() const noexcept { return bytes_.empty(); }

 private:
  void wipe() noexcept {
    // Wipe the whole allocation, not only the live prefix.
    bytes_.resize(bytes_.capacity());
    sodium_memzero(bytes_.data(), bytes_.size());
    bytes_.clear();
  }
  std::string bytes_;
};

struct KeyImpl {
  KeyImpl() = default;
  KeyImpl(const KeyImpl&) = delete;
  KeyImpl& operator=(const KeyImpl&) = delete;
  ~KeyImpl();

  Algorithm alg = Algorithm::ed25519;
  bool has_private = false;

  // JWK view: kty, then the RFC 7638 required public members (name, base64url value) in
  // lexicographic order, crv included. For oct keys `k` is secret and kept in hmac_secret.
  std::string kty;
  std::vector<std::pair<std::string, std::string>> public_members;
  std::optional<std::string> kid;
  std::string thumbprint;  // RFC 7638 SHA-256, computed once at load

  // RSA and EC keys (provider-native, built with EVP_PKEY_fromdata).
  EvpPkeyPtr pkey;
  // Exact signature length: modulus bytes (RSA), 2 × field bytes (ECDSA r‖s, RFC 9421 §3.3.4),
  // 64 (Ed25519), 32 (HMAC-SHA256).
  std::size_t signature_size = 0;
  std::size_t ec_field_bytes = 0;

  // Ed25519 through libsodium: public key, and the secret key in libsodium's layout
  // (32-byte RFC 8032 seed ‖ public key).
  std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> ed_public{};
  std::array<unsigned char, crypto_sign_SECRETKEYBYTES> ed_secret{};

  // HMAC-SHA256: the secret, and an HMAC context keyed once at load and duplicated per call.
  SecretBytes hmac_secret;
  EvpMacCtxPtr hmac_ctx;

  // Reason::bad_signature for any signature that does not verify, whatever the cause.
  Status verify(std::string_view message, std::string_view signature) const;
  // The RFC 9421 §3.3 encoding of the signature. Needs has_private.
  Result<std::string> sign(std::string_view message) const;
  nlohmann::json public_jwk() const;
  nlohmann::json private_jwk() const;
};

}  // namespace wba::detail
