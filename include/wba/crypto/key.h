// Typed keys. A key is only made by a validating factory, always knows its one Algorithm, and
// computes its RFC 7638 thumbprint once at load. Copies share immutable state: cheap to copy,
// safe to use from several threads at once.
//
// Algorithm selection (no algorithm confusion, RFC 9421 §3.2 step 6, §7.3.6): OKP/Ed25519 keys
// are ed25519, EC P-256/P-384 keys ecdsa-p256-sha256/ecdsa-p384-sha384, oct keys hmac-sha256.
// RSA keys need the algorithm from the JWK `alg` member, from an RSASSA-PSS PEM, or from the
// caller; when several of these name an algorithm they must agree (else key_alg_mismatch), and
// when none does the load fails with unsupported_algorithm.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "wba/crypto/algorithm.h"
#include "wba/result.h"

namespace wba {

namespace detail {
struct KeyImpl;
}

// Verifies signatures of one algorithm: a public key, or an HMAC secret.
class VerifyingKey {
 public:
  // From a JWK (RFC 7517; RFC 8037 for OKP). Private members, when present, are ignored:
  // use DirectoryKey-style checks upstream where a private member must be refused.
  static Result<VerifyingKey> from_jwk(const nlohmann::json& jwk,
                                       std::optional<Algorithm> alg = std::nullopt);
  static Result<VerifyingKey> from_jwk_json(std::string_view json,
                                            std::optional<Algorithm> alg = std::nullopt);
  // From PEM: SubjectPublicKeyInfo ("PUBLIC KEY"), PKCS#1 ("RSA PUBLIC KEY"), or any private
  // key PEM (its public half is used).
  static Result<VerifyingKey> from_pem(std::string_view pem,
                                       std::optional<Algorithm> alg = std::nullopt);
  // An HMAC-SHA256 secret (at least 32 bytes recommended; at least 16 required).
  static Result<VerifyingKey> from_hmac_secret(std::string_view secret);

  Algorithm algorithm() const noexcept;
  // Reason::bad_signature when the signature does not verify (including a wrong length).
  Status verify(std::string_view message, std::string_view signature) const;
  // RFC 7638 SHA-256 thumbprint, base64url without padding.
  const std::string& thumbprint() const noexcept;
  // The `kid` of the JWK it was loaded from, if any.
  const std::optional<std::string>& kid() const noexcept;
  // The public JWK (kty and its required members, plus kid and alg when known). For HMAC keys
  // this contains the secret.
  nlohmann::json to_jwk() const;

 private:
  friend class SigningKey;
  explicit VerifyingKey(std::shared_ptr<const detail::KeyImpl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const detail::KeyImpl> impl_;
};

// Signs with one algorithm. Secret material is wiped when the last copy goes.
class SigningKey {
 public:
  // A fresh key from the system CSPRNG (RSA: 2048 bits; HMAC: 32 bytes).
  static Result<SigningKey> generate(Algorithm alg);
  static Result<SigningKey> from_jwk(const nlohmann::json& jwk,
                                     std::optional<Algorithm> alg = std::nullopt);
  static Result<SigningKey> from_jwk_json(std::string_view json,
                                          std::optional<Algorithm> alg = std::nullopt);
  // PKCS#8 ("PRIVATE KEY"), PKCS#1 ("RSA PRIVATE KEY") or SEC1 ("EC PRIVATE KEY").
  static Result<SigningKey> from_pem(std::string_view pem,
                                     std::optional<Algorithm> alg = std::nullopt);
  static Result<SigningKey> from_hmac_secret(std::string_view secret);

  Algorithm algorithm() const noexcept;
  // The raw signature bytes in the RFC 9421 encoding of the algorithm (ECDSA: r‖s).
  Result<std::string> sign(std::string_view message) const;
  VerifyingKey verifying_key() const;
  const std::string& thumbprint() const noexcept;
  const std::optional<std::string>& kid() const noexcept;
  // Private JWK (with `d` / RSA CRT members / `k`), plus kid and alg.
  nlohmann::json to_private_jwk() const;
  nlohmann::json to_public_jwk() const;

 private:
  explicit SigningKey(std::shared_ptr<const detail::KeyImpl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const detail::KeyImpl> impl_;
};

}  // namespace wba
