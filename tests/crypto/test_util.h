// Helpers shared by the crypto and jose tests: reading the JSON vectors and decoding test data.
#pragma once

#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "wba/crypto/algorithm.h"
#include "wba/crypto/key.h"
#include "wba/encoding/base64.h"

namespace wba::crypto_test {

inline nlohmann::json load_vectors(const std::string& relative) {
  const std::string path = std::string(WBA_TESTVECTOR_DIR) + "/" + relative;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot open " << path;
    return nlohmann::json::object();
  }
  std::ostringstream s;
  s << in.rdbuf();
  return nlohmann::json::parse(s.str());
}

inline std::string from_hex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  }
  return out;
}

inline std::string to_hex(std::string_view bytes) {
  std::string out;
  char buf[3];
  for (unsigned char c : bytes) {
    std::snprintf(buf, sizeof(buf), "%02x", c);
    out += buf;
  }
  return out;
}

inline std::string b64(std::string_view text) { return base64_decode(text).value(); }
inline std::string b64url(std::string_view text) { return base64url_decode(text).value(); }

// keys.json's "algorithm" is a registry name, sometimes followed by a remark in parentheses.
inline Algorithm key_algorithm(const nlohmann::json& key) {
  std::string name = key.at("algorithm").get<std::string>();
  name = name.substr(0, name.find(' '));
  return algorithm_from_name(name).value();
}

inline bool is_rsa(Algorithm alg) {
  return alg == Algorithm::rsa_pss_sha512 || alg == Algorithm::rsa_v1_5_sha256;
}

// What a caller has to pass for the key: the algorithm for RSA (nothing in the JWK says it),
// nothing otherwise.
inline std::optional<Algorithm> needed_alg(Algorithm alg) {
  return is_rsa(alg) ? std::optional<Algorithm>(alg) : std::nullopt;
}

// The RFC 9421 App. B.1 keys by name, loaded from their JWK (HMAC: from the secret).
inline SigningKey signing_key(const nlohmann::json& keys, const std::string& name) {
  const auto& k = keys.at(name);
  const Algorithm alg = key_algorithm(k);
  if (alg == Algorithm::hmac_sha256) {
    return SigningKey::from_hmac_secret(b64(k.at("secret_base64").get<std::string>())).value();
  }
  return SigningKey::from_jwk(k.at("jwk"), needed_alg(alg)).value();
}

inline VerifyingKey verifying_key(const nlohmann::json& keys, const std::string& name) {
  const auto& k = keys.at(name);
  const Algorithm alg = key_algorithm(k);
  if (alg == Algorithm::hmac_sha256) {
    return VerifyingKey::from_hmac_secret(b64(k.at("secret_base64").get<std::string>())).value();
  }
  return VerifyingKey::from_pem(k.at("public_key_pem").get<std::string>(), needed_alg(alg)).value();
}

inline std::string flip_bit(std::string s, std::size_t byte, int bit = 0) {
  s[byte] = static_cast<char>(s[byte] ^ (1 << bit));
  return s;
}

// a − b for big-endian numbers of the same length (a ≥ b): ECDSA s values near the order.
inline std::string subtract(const std::string& a, const std::string& b) {
  std::string out(a.size(), '\0');
  int borrow = 0;
  for (std::size_t i = a.size(); i-- > 0;) {
    int d = static_cast<unsigned char>(a[i]) - static_cast<unsigned char>(b[i]) - borrow;
    borrow = d < 0 ? 1 : 0;
    out[i] = static_cast<char>(d < 0 ? d + 256 : d);
  }
  return out;
}

}  // namespace wba::crypto_test
