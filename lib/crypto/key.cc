#include "wba/crypto/key.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <utility>
#include <vector>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rsa.h>
#include <sodium.h>
#include <nlohmann/json.hpp>

#include "crypto/hash.h"
#include "crypto/key_impl.h"
#include "crypto/openssl_ptr.h"
#include "crypto/sodium_init.h"
#include "wba/crypto/random.h"
#include "wba/encoding/base64.h"

namespace wba {

using detail::DecoderCtxPtr;
using detail::EcdsaSigPtr;
using detail::EvpMacCtxPtr;
using detail::EvpMdCtxPtr;
using detail::EvpPkeyCtxPtr;
using detail::EvpPkeyPtr;
using detail::KeyImpl;
using detail::ParamBldPtr;
using detail::ParamPtr;
using detail::SecretBnPtr;
using detail::SecretBytes;

namespace {

// RSA below 2048 bits is no longer acceptable (NIST SP 800-131A). The upper bound keeps each
// verification with an attacker-supplied directory key cheap; 8192 bits is above any size in
// practical use.
constexpr int kMinRsaBits = 2048;
constexpr int kMaxRsaBits = 8192;
// OpenSSL refuses public exponents over 64 bits for moduli over 3072 bits
// (OPENSSL_RSA_MAX_PUBEXP_BITS); applying it to every size keeps verification cost bounded.
constexpr int kMaxRsaExponentBits = 64;
// key.h: at least 16 bytes of HMAC secret; RFC 2104 §3 recommends the hash output size.
constexpr std::size_t kMinHmacSecretBytes = 16;
constexpr std::size_t kHmacSecretBytes = 32;
constexpr std::size_t kEd25519KeyBytes = 32;
constexpr std::size_t kEd25519SignatureBytes = crypto_sign_BYTES;
constexpr std::size_t kHmacSha256Bytes = 32;

enum class Kty { okp, ec, rsa, oct };

struct Curve {
  std::string_view jwk_name;   // RFC 7518 §6.2.1.1
  const char* group;           // OpenSSL group name
  std::string_view nist_name;  // what OpenSSL may report instead of the group name
  std::size_t field_bytes;
  Algorithm alg;
};

constexpr Curve kCurves[] = {
    {"P-256", "prime256v1", "P-256", 32, Algorithm::ecdsa_p256_sha256},
    {"P-384", "secp384r1", "P-384", 48, Algorithm::ecdsa_p384_sha384},
};

const Curve* curve_by_jwk_name(std::string_view name) {
  for (const auto& c : kCurves) {
    if (c.jwk_name == name) return &c;
  }
  return nullptr;
}

const Curve* curve_by_group(std::string_view name) {
  for (const auto& c : kCurves) {
    if (name == c.group || name == c.nist_name) return &c;
  }
  return nullptr;
}

const Curve* curve_by_alg(Algorithm alg) {
  for (const auto& c : kCurves) {
    if (c.alg == alg) return &c;
  }
  return nullptr;
}

// Key material decoded from a JWK, a PEM or a fresh key, before validation. Byte strings are raw
// (not base64url); integers big-endian.
struct KeyMaterial {
  Kty kty = Kty::okp;
  const Curve* curve = nullptr;  // EC only
  std::string x, y;              // OKP x; EC x, y
  std::string n, e;              // RSA
  SecretBytes d, p, q, dp, dq, qi, k;
  bool has_private = false;
  std::optional<std::string> kid;
  // An algorithm named by the key itself: the JWK `alg` member or an RSASSA-PSS PEM.
  std::optional<Algorithm> named_alg;
  std::string named_alg_source;
};

Error invalid_key(std::string detail) { return Error(Reason::invalid_key, std::move(detail)); }

Error crypto_error(std::string what) {
  ERR_clear_error();
  return Error(Reason::crypto_error, std::move(what));
}

// Verification failures leave entries on the thread's OpenSSL error queue; they are expected
// outcomes here, not errors to report later.
Error bad_signature(std::string detail) {
  ERR_clear_error();
  return Error(Reason::bad_signature, std::move(detail));
}

std::string member(std::string_view name) { return "JWK member \"" + std::string(name) + "\""; }

std::string bytes_of(const unsigned char* p, std::size_t n) {
  return std::string(reinterpret_cast<const char*>(p), n);
}

const unsigned char* uchars(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

int bit_length(std::string_view big_endian) {
  std::size_t i = 0;
  while (i < big_endian.size() && big_endian[i] == '\0') ++i;
  if (i == big_endian.size()) return 0;
  int bits = static_cast<int>((big_endian.size() - i - 1) * 8);
  for (auto top = static_cast<unsigned char>(big_endian[i]); top != 0; top >>= 1) ++bits;
  return bits;
}

// ---------------------------------------------------------------------------------------------
// JWK decoding (RFC 7517 §4, RFC 7518 §6, RFC 8037 §2).

Result<const std::string*> optional_string(const nlohmann::json& jwk, const char* name) {
  auto it = jwk.find(name);
  if (it == jwk.end()) return static_cast<const std::string*>(nullptr);
  if (!it->is_string()) return invalid_key(member(name) + " is not a string");
  return &it->get_ref<const std::string&>();
}

Result<const std::string*> required_string(const nlohmann::json& jwk, const char* name) {
  WBA_TRY(const std::string* s, optional_string(jwk, name));
  if (s == nullptr) return invalid_key(member(name) + " is missing");
  return s;
}

// base64url without padding (RFC 7515 §2); libsodium also refuses non-zero trailing bits, so
// every accepted value has exactly one encoding and re-encodes to the input (RFC 7638 §3.1
// hashes the member strings as they are).
Result<std::string> decode_member(const nlohmann::json& jwk, const char* name) {
  WBA_TRY(const std::string* s, required_string(jwk, name));
  auto bytes = base64url_decode(*s);
  if (!bytes.ok()) return invalid_key(member(name) + " is not unpadded base64url");
  if (bytes->empty()) return invalid_key(member(name) + " is empty");
  return std::move(bytes).value();
}

Result<SecretBytes> decode_secret_member(const nlohmann::json& jwk, const char* name) {
  WBA_TRY(std::string bytes, decode_member(jwk, name));
  return SecretBytes(std::move(bytes));
}

// RFC 7518 §2 Base64urlUInt: the minimum number of octets. A zero-padded modulus would give the
// same key a second thumbprint.
Status check_uint(std::string_view bytes, const char* name) {
  if (bytes.size() > 1 && bytes[0] == '\0') {
    return invalid_key(member(name) + " has a leading zero octet (RFC 7518 §2 Base64urlUInt)");
  }
  return {};
}

Result<KeyMaterial> material_from_jwk(const nlohmann::json& jwk, bool want_private) {
  if (!jwk.is_object()) return invalid_key("a JWK must be a JSON object");
  KeyMaterial m;
  WBA_TRY(const std::string* kty, required_string(jwk, "kty"));
  WBA_TRY(const std::string* kid, optional_string(jwk, "kid"));
  if (kid != nullptr) m.kid = *kid;
  WBA_TRY(const std::string* alg, optional_string(jwk, "alg"));
  if (alg != nullptr) {
    WBA_TRY(m.named_alg, algorithm_from_jwk_alg(*alg));
    m.named_alg_source = "JWK alg \"" + *alg + "\"";
  }

  if (*kty == "OKP") {
    m.kty = Kty::okp;
    WBA_TRY(const std::string* crv, required_string(jwk, "crv"));
    if (*crv != "Ed25519") {
      return invalid_key(member("crv") + " \"" + *crv + "\" is not supported (only Ed25519)");
    }
    WBA_TRY(m.x, decode_member(jwk, "x"));
    if (want_private) {
      WBA_TRY(m.d, decode_secret_member(jwk, "d"));
    }
  } else if (*kty == "EC") {
    m.kty = Kty::ec;
    WBA_TRY(const std::string* crv, required_string(jwk, "crv"));
    m.curve = curve_by_jwk_name(*crv);
    if (m.curve == nullptr) {
      return invalid_key(member("crv") + " \"" + *crv + "\" is not supported (P-256, P-384)");
    }
    WBA_TRY(m.x, decode_member(jwk, "x"));
    WBA_TRY(m.y, decode_member(jwk, "y"));
    if (want_private) {
      WBA_TRY(m.d, decode_secret_member(jwk, "d"));
    }
  } else if (*kty == "RSA") {
    m.kty = Kty::rsa;
    WBA_TRY(m.n, decode_member(jwk, "n"));
    WBA_CHECK(check_uint(m.n, "n"));
    WBA_TRY(m.e, decode_member(jwk, "e"));
    WBA_CHECK(check_uint(m.e, "e"));
    if (want_private) {
      if (jwk.contains("oth"))
        return invalid_key(member("oth") + ": multi-prime RSA is not supported");
      // RFC 7518 §6.3.2 makes p..qi optional, but OpenSSL 3 checks a private key against its
      // public part only through the primes, so keys without them cannot be validated.
      struct Member {
        const char* name;
        SecretBytes* out;
      };
      for (const Member& mm : {Member{"d", &m.d}, Member{"p", &m.p}, Member{"q", &m.q},
                               Member{"dp", &m.dp}, Member{"dq", &m.dq}, Member{"qi", &m.qi}}) {
        WBA_TRY(*mm.out, decode_secret_member(jwk, mm.name));
        WBA_CHECK(check_uint(mm.out->view(), mm.name));
      }
    }
  } else if (*kty == "oct") {
    m.kty = Kty::oct;
    WBA_TRY(m.k, decode_secret_member(jwk, "k"));
  } else {
    return invalid_key(member("kty") + " \"" + *kty + "\" is not supported (OKP, EC, RSA, oct)");
  }
  m.has_private = want_private || m.kty == Kty::oct;
  return m;
}

// ---------------------------------------------------------------------------------------------
// PEM and EVP_PKEY decoding.

// Encrypted PEMs are refused rather than prompting on a terminal (OpenSSL's default).
int refuse_passphrase(char*, std::size_t, std::size_t*, const OSSL_PARAM[], void*) { return 0; }

Result<EvpPkeyPtr> decode_pem(std::string_view pem, int selection) {
  EVP_PKEY* raw = nullptr;
  DecoderCtxPtr dctx(
      OSSL_DECODER_CTX_new_for_pkey(&raw, "PEM", nullptr, nullptr, selection, nullptr, nullptr));
  if (!dctx) return crypto_error("OSSL_DECODER_CTX_new_for_pkey failed");
  OSSL_DECODER_CTX_set_passphrase_cb(dctx.get(), refuse_passphrase, nullptr);
  const unsigned char* data = uchars(pem);
  std::size_t len = pem.size();
  if (OSSL_DECODER_from_data(dctx.get(), &data, &len) != 1 || raw == nullptr) {
    EVP_PKEY_free(raw);
    ERR_clear_error();
    return invalid_key("not a PEM public or private key (or an encrypted one)");
  }
  return EvpPkeyPtr(raw);
}

Result<std::string> get_bn(const EVP_PKEY* pkey, const char* name, std::size_t pad_to = 0) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1) {
    ERR_clear_error();
    return invalid_key(std::string("the key has no \"") + name + "\" parameter");
  }
  SecretBnPtr bn(raw);
  const std::size_t len = pad_to != 0 ? pad_to : static_cast<std::size_t>(BN_num_bytes(bn.get()));
  std::string out(len == 0 ? 1 : len, '\0');  // zero is one octet (RFC 7518 §2)
  if (BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char*>(out.data()),
                   static_cast<int>(out.size())) < 0) {
    return invalid_key(std::string("the key's \"") + name + "\" parameter is too large");
  }
  return out;
}

Result<SecretBytes> get_secret_bn(const EVP_PKEY* pkey, const char* name, std::size_t pad_to = 0) {
  WBA_TRY(std::string bytes, get_bn(pkey, name, pad_to));
  return SecretBytes(std::move(bytes));
}

Status check_pss_restrictions(const EVP_PKEY* pkey) {
  // An RSASSA-PSS key may carry parameter restrictions (RFC 4055 §3.1); rsa-pss-sha512 can only
  // use it if they allow SHA-512, MGF1-SHA-512 and a 64-byte salt (RFC 9421 §3.3.1).
  auto is_sha512 = [](std::string_view s) {
    return s == "SHA512" || s == "SHA2-512" || s == "SHA-512" || s == "sha512";
  };
  char buf[64];
  std::size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_RSA_DIGEST, buf, sizeof(buf), &len) ==
      1) {
    if (!is_sha512(std::string_view(buf, len))) {
      return Error(
          Reason::unsupported_algorithm,
          "the RSASSA-PSS key is restricted to " + std::string(buf, len) + ", not rsa-pss-sha512");
    }
    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_RSA_MGF1_DIGEST, buf, sizeof(buf),
                                       &len) == 1 &&
        !is_sha512(std::string_view(buf, len))) {
      return Error(Reason::unsupported_algorithm, "the RSASSA-PSS key is restricted to MGF1 with " +
                                                      std::string(buf, len) +
                                                      ", not rsa-pss-sha512");
    }
    int saltlen = 0;
    if (EVP_PKEY_get_int_param(pkey, OSSL_PKEY_PARAM_RSA_PSS_SALTLEN, &saltlen) == 1 &&
        saltlen > 64) {
      return Error(Reason::unsupported_algorithm,
                   "the RSASSA-PSS key requires a salt longer than rsa-pss-sha512's 64 bytes");
    }
  }
  ERR_clear_error();
  return {};
}

Result<KeyMaterial> material_from_pkey(const EVP_PKEY* pkey, bool want_private) {
  KeyMaterial m;
  m.has_private = want_private;
  const char* no_private = "the key has no private part";
  if (EVP_PKEY_is_a(pkey, "ED25519")) {
    m.kty = Kty::okp;
    unsigned char buf[kEd25519KeyBytes];
    std::size_t len = sizeof(buf);
    if (EVP_PKEY_get_raw_public_key(pkey, buf, &len) != 1 || len != sizeof(buf)) {
      return crypto_error("cannot read the Ed25519 public key");
    }
    m.x = bytes_of(buf, len);
    if (want_private) {
      len = sizeof(buf);
      if (EVP_PKEY_get_raw_private_key(pkey, buf, &len) != 1 || len != sizeof(buf)) {
        sodium_memzero(buf, sizeof(buf));
        ERR_clear_error();
        return invalid_key(no_private);
      }
      m.d = SecretBytes(bytes_of(buf, len));
      sodium_memzero(buf, sizeof(buf));
    }
  } else if (EVP_PKEY_is_a(pkey, "EC")) {
    m.kty = Kty::ec;
    char group[80];
    std::size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                       &len) != 1) {
      ERR_clear_error();
      return invalid_key("EC keys must use a named curve (P-256, P-384)");
    }
    m.curve = curve_by_group(std::string_view(group, len));
    if (m.curve == nullptr) {
      return invalid_key("EC curve \"" + std::string(group, len) +
                         "\" is not supported (P-256, P-384)");
    }
    WBA_TRY(m.x, get_bn(pkey, OSSL_PKEY_PARAM_EC_PUB_X, m.curve->field_bytes));
    WBA_TRY(m.y, get_bn(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, m.curve->field_bytes));
    if (want_private) {
      auto d = get_secret_bn(pkey, OSSL_PKEY_PARAM_PRIV_KEY, m.curve->field_bytes);
      if (!d.ok()) return d.reason() == Reason::invalid_key ? invalid_key(no_private) : d.error();
      m.d = std::move(d).value();
    }
  } else if (EVP_PKEY_is_a(pkey, "RSA") || EVP_PKEY_is_a(pkey, "RSA-PSS")) {
    m.kty = Kty::rsa;
    if (EVP_PKEY_is_a(pkey, "RSA-PSS")) {
      // RFC 9421 §3.3.1: an id-RSASSA-PSS key (RFC 4055) is meant for PSS only.
      WBA_CHECK(check_pss_restrictions(pkey));
      m.named_alg = Algorithm::rsa_pss_sha512;
      m.named_alg_source = "the RSASSA-PSS key";
    }
    WBA_TRY(m.n, get_bn(pkey, OSSL_PKEY_PARAM_RSA_N));
    WBA_TRY(m.e, get_bn(pkey, OSSL_PKEY_PARAM_RSA_E));
    if (want_private) {
      BIGNUM* third = nullptr;
      if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_FACTOR3, &third) == 1) {
        BN_clear_free(third);
        return invalid_key("multi-prime RSA is not supported");
      }
      ERR_clear_error();
      struct Param {
        const char* name;
        SecretBytes* out;
      };
      for (const Param& pp :
           {Param{OSSL_PKEY_PARAM_RSA_D, &m.d}, Param{OSSL_PKEY_PARAM_RSA_FACTOR1, &m.p},
            Param{OSSL_PKEY_PARAM_RSA_FACTOR2, &m.q}, Param{OSSL_PKEY_PARAM_RSA_EXPONENT1, &m.dp},
            Param{OSSL_PKEY_PARAM_RSA_EXPONENT2, &m.dq},
            Param{OSSL_PKEY_PARAM_RSA_COEFFICIENT1, &m.qi}}) {
        auto v = get_secret_bn(pkey, pp.name);
        if (!v.ok()) return v.reason() == Reason::invalid_key ? invalid_key(no_private) : v.error();
        *pp.out = std::move(v).value();
      }
    }
  } else {
    const char* type = EVP_PKEY_get0_type_name(pkey);
    return invalid_key(std::string("unsupported key type \"") + (type ? type : "?") +
                       "\" (Ed25519, EC P-256/P-384, RSA)");
  }
  return m;
}

// ---------------------------------------------------------------------------------------------
// Algorithm selection (RFC 9421 §3.2 step 6, §7.3.6; see key.h).

Result<Algorithm> resolve_algorithm(const KeyMaterial& m, std::optional<Algorithm> requested) {
  std::optional<Algorithm> inherent;
  std::string what;
  switch (m.kty) {
    case Kty::okp:
      inherent = Algorithm::ed25519;
      what = "an Ed25519 key";
      break;
    case Kty::ec:
      inherent = m.curve->alg;
      what = "an EC " + std::string(m.curve->jwk_name) + " key";
      break;
    case Kty::rsa:
      what = "an RSA key";
      break;
    case Kty::oct:
      inherent = Algorithm::hmac_sha256;
      what = "a symmetric (oct) key";
      break;
  }
  auto fits = [&](Algorithm a) {
    if (inherent) return a == *inherent;
    return a == Algorithm::rsa_pss_sha512 || a == Algorithm::rsa_v1_5_sha256 ||
           a == Algorithm::rsa_pss_sha256;
  };
  if (m.named_alg && !fits(*m.named_alg)) {
    return Error(Reason::key_alg_mismatch, m.named_alg_source + " does not fit " + what);
  }
  if (requested && !fits(*requested)) {
    return Error(Reason::key_alg_mismatch,
                 "algorithm " + std::string(to_string(*requested)) + " does not fit " + what);
  }
  if (m.named_alg && requested && *m.named_alg != *requested) {
    return Error(Reason::key_alg_mismatch, m.named_alg_source + " disagrees with the algorithm " +
                                               std::string(to_string(*requested)));
  }
  if (inherent) return *inherent;
  if (m.named_alg) return *m.named_alg;
  if (requested) return *requested;
  return Error(Reason::unsupported_algorithm,
               "an RSA key needs its algorithm (rsa-pss-sha512 or rsa-v1_5-sha256) from the JWK "
               "alg member, an RSASSA-PSS PEM or the caller");
}

// ---------------------------------------------------------------------------------------------
// Validation and construction of the KeyImpl.

Result<EvpPkeyPtr> pkey_from_params(const char* type, OSSL_PARAM_BLD* bld, int selection,
                                    std::string failure) {
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld));
  if (!params) return crypto_error("OSSL_PARAM_BLD_to_param failed");
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) {
    return crypto_error("EVP_PKEY_fromdata_init failed");
  }
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, selection, params.get()) != 1 || raw == nullptr) {
    EVP_PKEY_free(raw);
    ERR_clear_error();
    return invalid_key(std::move(failure));
  }
  return EvpPkeyPtr(raw);
}

// EVP_PKEY_public_check: on the curve / sane modulus. EVP_PKEY_check adds the private part and
// that it matches the public part (pairwise consistency).
Status check_pkey(EVP_PKEY* pkey, bool full, std::string failure) {
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (!ctx) return crypto_error("EVP_PKEY_CTX_new_from_pkey failed");
  const int rc = full ? EVP_PKEY_check(ctx.get()) : EVP_PKEY_public_check(ctx.get());
  if (rc != 1) {
    ERR_clear_error();
    return invalid_key(std::move(failure));
  }
  return {};
}

Status push_bn(OSSL_PARAM_BLD* bld, const char* name, std::string_view bytes,
               std::vector<SecretBnPtr>& keep, bool secret) {
  // Secret BIGNUMs go to the secure heap, and OSSL_PARAM_BLD then keeps them in its secure block.
  SecretBnPtr bn(secret ? BN_secure_new() : BN_new());
  if (!bn || BN_bin2bn(uchars(bytes), static_cast<int>(bytes.size()), bn.get()) == nullptr ||
      OSSL_PARAM_BLD_push_BN(bld, name, bn.get()) != 1) {
    return crypto_error("cannot build key parameters");
  }
  keep.push_back(std::move(bn));  // the builder refers to it until OSSL_PARAM_BLD_to_param
  return {};
}

Status build_ed25519(KeyMaterial& m, KeyImpl& impl) {
  detail::ensure_sodium_init();
  if (m.x.size() != kEd25519KeyBytes) {
    return invalid_key(member("x") + " must be 32 bytes for Ed25519 (RFC 8037 §2)");
  }
  // Canonical encoding of a point of the prime-order subgroup; every honestly made public key
  // is one, and this refuses small-order and non-canonical keys that would weaken verification.
  if (crypto_core_ed25519_is_valid_point(uchars(m.x)) != 1) {
    return invalid_key(member("x") + " is not a valid Ed25519 public key");
  }
  std::memcpy(impl.ed_public.data(), m.x.data(), kEd25519KeyBytes);
  if (m.has_private) {
    if (m.d.size() != kEd25519KeyBytes) {
      return invalid_key(member("d") + " must be a 32-byte Ed25519 seed (RFC 8037 §2)");
    }
    unsigned char derived[crypto_sign_PUBLICKEYBYTES];
    crypto_sign_seed_keypair(derived, impl.ed_secret.data(), m.d.data());
    if (sodium_memcmp(derived, impl.ed_public.data(), sizeof(derived)) != 0) {
      return invalid_key("the private key (\"d\") does not match the public key (\"x\")");
    }
  }
  impl.kty = "OKP";
  impl.public_members = {{"crv", "Ed25519"}, {"x", base64url_encode(m.x)}};
  impl.signature_size = kEd25519SignatureBytes;
  return {};
}

Status build_ec(KeyMaterial& m, KeyImpl& impl) {
  const Curve& c = *m.curve;
  const std::string size = std::to_string(c.field_bytes) + " bytes for " + std::string(c.jwk_name) +
                           " (RFC 7518 §6.2.1.2)";
  if (m.x.size() != c.field_bytes) return invalid_key(member("x") + " must be " + size);
  if (m.y.size() != c.field_bytes) return invalid_key(member("y") + " must be " + size);
  // SEC 1 §2.3.3 uncompressed point.
  const std::string point = '\x04' + m.x + m.y;
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, c.group, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return crypto_error("cannot build key parameters");
  }
  std::vector<SecretBnPtr> keep;
  if (m.has_private) {
    if (m.d.size() != c.field_bytes) return invalid_key(member("d") + " must be " + size);
    WBA_CHECK(push_bn(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, m.d.view(), keep, true));
  }
  const std::string off_curve =
      "the EC public key (\"x\", \"y\") is not a point on " + std::string(c.jwk_name);
  WBA_TRY(impl.pkey,
          pkey_from_params("EC", bld.get(), m.has_private ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
                           off_curve));
  WBA_CHECK(check_pkey(impl.pkey.get(), false, off_curve));
  if (m.has_private) {
    WBA_CHECK(check_pkey(impl.pkey.get(), true,
                         "the EC private key (\"d\") is out of range or does not match the "
                         "public key (\"x\", \"y\")"));
  }
  impl.kty = "EC";
  impl.public_members = {
      {"crv", std::string(c.jwk_name)}, {"x", base64url_encode(m.x)}, {"y", base64url_encode(m.y)}};
  impl.ec_field_bytes = c.field_bytes;
  impl.signature_size = 2 * c.field_bytes;
  return {};
}

Status build_rsa(KeyMaterial& m, KeyImpl& impl) {
  const int bits = bit_length(m.n);
  if (bits < kMinRsaBits) {
    return invalid_key("the RSA modulus (\"n\") has " + std::to_string(bits) +
                       " bits; at least 2048 are required");
  }
  if (bits > kMaxRsaBits) {
    return invalid_key("the RSA modulus (\"n\") has " + std::to_string(bits) +
                       " bits; at most 8192 are supported");
  }
  if (bit_length(m.e) > kMaxRsaExponentBits) {
    return invalid_key("the RSA public exponent (\"e\") is longer than 64 bits");
  }
  // The structural checks of RSA_check_key (RFC 8017 §3.1: n odd, e odd and at least 3).
  // EVP_PKEY_public_check would add Miller-Rabin tests on n: ~3 ms at 2048 bits and ~150 ms at
  // 8192 for every attacker-supplied directory key, only to catch keys their own owner botched.
  if ((static_cast<unsigned char>(m.n.back()) & 1) == 0) {
    return invalid_key("the RSA modulus (\"n\") is even");
  }
  if ((static_cast<unsigned char>(m.e.back()) & 1) == 0 || bit_length(m.e) < 2) {
    return invalid_key("the RSA public exponent (\"e\") must be odd and at least 3");
  }
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld) return crypto_error("OSSL_PARAM_BLD_new failed");
  std::vector<SecretBnPtr> keep;
  WBA_CHECK(push_bn(bld.get(), OSSL_PKEY_PARAM_RSA_N, m.n, keep, false));
  WBA_CHECK(push_bn(bld.get(), OSSL_PKEY_PARAM_RSA_E, m.e, keep, false));
  if (m.has_private) {
    WBA_CHECK(push_bn(bld.get(), OSSL_PKEY_PARAM_RSA_D, m.d.view(), keep, true));
    WBA_CHECK(push_bn(bld.get(), OSSL_PKEY_PARAM_RSA_FACTOR1, m.p.view(), keep, true));
    WBA_CHECK(push_bn(bld.get(), OSSL_PKEY_PARAM_RSA_FACTOR2, m.q.view(), keep, true));
    WBA_CHECK(push_bn(bld.get(), OSSL_PKEY_PARAM_RSA_EXPONENT1, m.dp.view(), keep, true));
    WBA_CHECK(push_bn(bld.get(), OSSL_PKEY_PARAM_RSA_EXPONENT2, m.dq.view(), keep, true));
    WBA_CHECK(push_bn(bld.get(), OSSL_PKEY_PARAM_RSA_COEFFICIENT1, m.qi.view(), keep, true));
  }
  WBA_TRY(impl.pkey,
          pkey_from_params("RSA", bld.get(), m.has_private ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
                           "not a valid RSA key"));
  if (m.has_private) {
    WBA_CHECK(check_pkey(impl.pkey.get(), true,
                         "the RSA private key (\"d\", \"p\", \"q\", \"dp\", \"dq\", \"qi\") is "
                         "inconsistent or does not match the public key (\"n\", \"e\")"));
  }
  impl.kty = "RSA";
  impl.public_members = {{"e", base64url_encode(m.e)}, {"n", base64url_encode(m.n)}};
  impl.signature_size = static_cast<std::size_t>(EVP_PKEY_get_size(impl.pkey.get()));
  return {};
}

EVP_MAC* hmac_method() {
  // Fetched once (a method-store lookup per call would be wasted work on the hot path); never
  // freed, like OpenSSL's own built-in method tables.
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  return mac;
}

Status build_hmac(KeyMaterial& m, KeyImpl& impl) {
  if (m.k.size() < kMinHmacSecretBytes) {
    return invalid_key(member("k") + ": an HMAC secret needs at least 16 bytes");
  }
  EVP_MAC* mac = hmac_method();
  if (mac == nullptr) return crypto_error("HMAC is not available");
  impl.hmac_ctx.reset(EVP_MAC_CTX_new(mac));
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end(),
  };
  if (!impl.hmac_ctx || EVP_MAC_init(impl.hmac_ctx.get(), m.k.data(), m.k.size(), params) != 1) {
    return crypto_error("cannot key HMAC-SHA256");
  }
  impl.hmac_secret = std::move(m.k);
  impl.kty = "oct";
  impl.signature_size = kHmacSha256Bytes;
  return {};
}

// RFC 7638 §3: the required members (kty included) sorted by name, no whitespace. Every value
// is base64url or a curve name, so none needs JSON escaping.
std::string compute_thumbprint(const KeyImpl& impl) {
  std::vector<std::pair<std::string_view, std::string_view>> members;
  for (const auto& [name, value] : impl.public_members) members.emplace_back(name, value);
  members.emplace_back("kty", impl.kty);
  const SecretBytes k(impl.kty == "oct" ? base64url_encode(impl.hmac_secret.view())
                                        : std::string());
  if (impl.kty == "oct") members.emplace_back("k", k.view());
  std::sort(members.begin(), members.end());
  std::string input = "{";
  for (const auto& [name, value] : members) {
    if (input.size() > 1) input += ',';
    input += '"';
    input += name;
    input += "\":\"";
    input += value;
    input += '"';
  }
  input += '}';
  SecretBytes input_wiper(std::move(input));
  return base64url_encode(detail::hash(detail::Hash::sha256, input_wiper.view()));
}

Result<std::shared_ptr<const KeyImpl>> make_key(KeyMaterial&& m,
                                                std::optional<Algorithm> requested) {
  WBA_TRY(Algorithm alg, resolve_algorithm(m, requested));
  auto impl = std::make_shared<KeyImpl>();
  impl->alg = alg;
  impl->has_private = m.has_private;
  impl->kid = std::move(m.kid);
  switch (m.kty) {
    case Kty::okp:
      WBA_CHECK(build_ed25519(m, *impl));
      break;
    case Kty::ec:
      WBA_CHECK(build_ec(m, *impl));
      break;
    case Kty::rsa:
      WBA_CHECK(build_rsa(m, *impl));
      break;
    case Kty::oct:
      WBA_CHECK(build_hmac(m, *impl));
      break;
  }
  impl->thumbprint = compute_thumbprint(*impl);
  return std::shared_ptr<const KeyImpl>(std::move(impl));
}

Result<nlohmann::json> parse_json(std::string_view text) {
  try {
    auto j = nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return invalid_key("the JWK is not valid JSON");
    return j;
  } catch (const nlohmann::json::exception&) {
    return invalid_key("the JWK is not valid JSON");
  }
}

// ---------------------------------------------------------------------------------------------
// Signature helpers.

const char* digest_name(Algorithm alg) {
  switch (alg) {
    case Algorithm::ecdsa_p256_sha256:
    case Algorithm::rsa_v1_5_sha256:
    case Algorithm::rsa_pss_sha256:
      return "SHA256";
    case Algorithm::ecdsa_p384_sha384:
      return "SHA384";
    case Algorithm::rsa_pss_sha512:
      return "SHA512";
    default:
      return nullptr;
  }
}

// RFC 9421 §3.3.1 (RSASSA-PSS with SHA-512, MGF1 with SHA-512, 64-byte salt), RFC 7518 §3.5
// (PS256: SHA-256, MGF1 with SHA-256, salt as long as the hash) and RFC 9421 §3.3.2
// (RSASSA-PKCS1-v1_5 with SHA-256). ECDSA needs nothing beyond the digest.
bool configure(EVP_PKEY_CTX* pctx, Algorithm alg) {
  if (alg == Algorithm::rsa_pss_sha512) {
    return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
           EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, "SHA512", nullptr) == 1 &&
           EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 64) == 1;
  }
  if (alg == Algorithm::rsa_pss_sha256) {
    return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
           EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, "SHA256", nullptr) == 1 &&
           EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) == 1;
  }
  if (alg == Algorithm::rsa_v1_5_sha256) {
    return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1;
  }
  return true;
}

// RFC 9421 §3.3.4/§3.3.5: r‖s, each big-endian and zero-padded to the field size. OpenSSL works
// with the DER ECDSA-Sig-Value (RFC 3279 §2.2.3).
std::optional<std::string> raw_to_der(std::string_view raw, std::size_t field) {
  EcdsaSigPtr sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(uchars(raw), static_cast<int>(field), nullptr);
  BIGNUM* s = BN_bin2bn(uchars(raw) + field, static_cast<int>(field), nullptr);
  if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return std::nullopt;
  }
  const int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) return std::nullopt;
  std::string der(static_cast<std::size_t>(len), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_ECDSA_SIG(sig.get(), &out) != len) return std::nullopt;
  return der;
}

std::optional<std::string> der_to_raw(std::string_view der, std::size_t field) {
  const unsigned char* in = uchars(der);
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &in, static_cast<long>(der.size())));
  if (!sig) return std::nullopt;
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  std::string raw(2 * field, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  if (BN_bn2binpad(r, out, static_cast<int>(field)) < 0 ||
      BN_bn2binpad(s, out + field, static_cast<int>(field)) < 0) {
    return std::nullopt;
  }
  return raw;
}

}  // namespace

// -----------------------------------------------------------------------------------------------
// KeyImpl

namespace detail {

KeyImpl::~KeyImpl() { sodium_memzero(ed_secret.data(), ed_secret.size()); }

Status KeyImpl::verify(std::string_view message, std::string_view signature) const {
  if (signature.size() != signature_size) {
    return bad_signature("the signature has " + std::to_string(signature.size()) + " bytes; " +
                         std::string(to_string(alg)) + " signatures have " +
                         std::to_string(signature_size));
  }
  switch (alg) {
    case Algorithm::ed25519:
      if (crypto_sign_verify_detached(uchars(signature), uchars(message), message.size(),
                                      ed_public.data()) != 0) {
        return bad_signature("the Ed25519 signature does not verify");
      }
      return {};
    case Algorithm::hmac_sha256: {
      WBA_TRY(std::string mac, sign(message));
      // Constant time (RFC 9421 §3.3.3): a timing leak would let an attacker forge the MAC
      // byte by byte.
      if (CRYPTO_memcmp(mac.data(), signature.data(), mac.size()) != 0) {
        return bad_signature("the HMAC-SHA256 signature does not verify");
      }
      return {};
    }
    default:
      break;
  }
  // RSA and ECDSA through EVP_DigestVerify; both are randomized, so verification never
  // re-signs (RFC 9421 §7.3.5).
  std::optional<std::string> der;
  std::string_view to_check = signature;
  if (alg == Algorithm::ecdsa_p256_sha256 || alg == Algorithm::ecdsa_p384_sha384) {
    der = raw_to_der(signature, ec_field_bytes);
    if (!der) return bad_signature("the ECDSA signature is not r||s");
    to_check = *der;
  }
  EvpMdCtxPtr md(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (!md ||
      EVP_DigestVerifyInit_ex(md.get(), &pctx, digest_name(alg), nullptr, nullptr, pkey.get(),
                              nullptr) != 1 ||
      !configure(pctx, alg)) {
    return crypto_error("cannot start verifying with " + std::string(to_string(alg)));
  }
  if (EVP_DigestVerify(md.get(), uchars(to_check), to_check.size(), uchars(message),
                       message.size()) != 1) {
    return bad_signature("the " + std::string(to_string(alg)) + " signature does not verify");
  }
  return {};
}

Result<std::string> KeyImpl::sign(std::string_view message) const {
  if (!has_private) return Error(Reason::invalid_argument, "a public key cannot sign");
  switch (alg) {
    case Algorithm::ed25519: {
      std::string sig(crypto_sign_BYTES, '\0');
      crypto_sign_detached(reinterpret_cast<unsigned char*>(sig.data()), nullptr, uchars(message),
                           message.size(), ed_secret.data());
      return sig;
    }
    case Algorithm::hmac_sha256: {
      // The keyed context is shared; each call works on its own copy.
      EvpMacCtxPtr ctx(EVP_MAC_CTX_dup(hmac_ctx.get()));
      std::string mac(kHmacSha256Bytes, '\0');
      std::size_t len = 0;
      if (!ctx || EVP_MAC_update(ctx.get(), uchars(message), message.size()) != 1 ||
          EVP_MAC_final(ctx.get(), reinterpret_cast<unsigned char*>(mac.data()), &len,
                        mac.size()) != 1 ||
          len != mac.size()) {
        return crypto_error("HMAC-SHA256 failed");
      }
      return mac;
    }
    default:
      break;
  }
  EvpMdCtxPtr md(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (!md ||
      EVP_DigestSignInit_ex(md.get(), &pctx, digest_name(alg), nullptr, nullptr, pkey.get(),
                            nullptr) != 1 ||
      !configure(pctx, alg)) {
    return crypto_error("cannot start signing with " + std::string(to_string(alg)));
  }
  std::size_t len = 0;
  if (EVP_DigestSign(md.get(), nullptr, &len, uchars(message), message.size()) != 1) {
    return crypto_error("signing failed");
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(md.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, uchars(message),
                     message.size()) != 1) {
    return crypto_error("signing failed");
  }
  sig.resize(len);
  if (alg == Algorithm::ecdsa_p256_sha256 || alg == Algorithm::ecdsa_p384_sha384) {
    auto raw = der_to_raw(sig, ec_field_bytes);
    if (!raw) return crypto_error("OpenSSL returned a malformed ECDSA signature");
    return *std::move(raw);
  }
  return sig;
}

nlohmann::json KeyImpl::public_jwk() const {
  nlohmann::json jwk = nlohmann::json::object();
  jwk["kty"] = kty;
  for (const auto& [name, value] : public_members) jwk[name] = value;
  if (kty == "oct") jwk["k"] = base64url_encode(hmac_secret.view());
  if (kid) jwk["kid"] = *kid;
  jwk["alg"] = std::string(jose_name(alg));
  return jwk;
}

nlohmann::json KeyImpl::private_jwk() const {
  nlohmann::json jwk = public_jwk();
  if (!has_private) return jwk;
  auto put = [&](const char* name, const char* param, std::size_t pad) {
    auto v = get_secret_bn(pkey.get(), param, pad);
    if (!v.ok()) throw std::bad_alloc();  // present at load, so only allocation can fail
    jwk[name] = base64url_encode(v->view());
  };
  switch (alg) {
    case Algorithm::ed25519: {
      SecretBytes seed(bytes_of(ed_secret.data(), kEd25519KeyBytes));
      jwk["d"] = base64url_encode(seed.view());
      break;
    }
    case Algorithm::ecdsa_p256_sha256:
    case Algorithm::ecdsa_p384_sha384:
      put("d", OSSL_PKEY_PARAM_PRIV_KEY, ec_field_bytes);
      break;
    case Algorithm::rsa_pss_sha512:
    case Algorithm::rsa_v1_5_sha256:
    case Algorithm::rsa_pss_sha256:
      put("d", OSSL_PKEY_PARAM_RSA_D, 0);
      put("p", OSSL_PKEY_PARAM_RSA_FACTOR1, 0);
      put("q", OSSL_PKEY_PARAM_RSA_FACTOR2, 0);
      put("dp", OSSL_PKEY_PARAM_RSA_EXPONENT1, 0);
      put("dq", OSSL_PKEY_PARAM_RSA_EXPONENT2, 0);
      put("qi", OSSL_PKEY_PARAM_RSA_COEFFICIENT1, 0);
      break;
    case Algorithm::hmac_sha256:
      break;  // `k` is already there
  }
  return jwk;
}

}  // namespace detail

// -----------------------------------------------------------------------------------------------
// VerifyingKey

Result<VerifyingKey> VerifyingKey::from_jwk(const nlohmann::json& jwk,
                                            std::optional<Algorithm> alg) {
  WBA_TRY(KeyMaterial m, material_from_jwk(jwk, /*want_private=*/false));
  WBA_TRY(auto impl, make_key(std::move(m), alg));
  return VerifyingKey(std::move(impl));
}

Result<VerifyingKey> VerifyingKey::from_jwk_json(std::string_view json,
                                                 std::optional<Algorithm> alg) {
  WBA_TRY(nlohmann::json jwk, parse_json(json));
  return from_jwk(jwk, alg);
}

Result<VerifyingKey> VerifyingKey::from_pem(std::string_view pem, std::optional<Algorithm> alg) {
  // Selection 0 lets the decoder take public and private structures alike; only the public
  // half is kept.
  WBA_TRY(EvpPkeyPtr pkey, decode_pem(pem, 0));
  WBA_TRY(KeyMaterial m, material_from_pkey(pkey.get(), /*want_private=*/false));
  WBA_TRY(auto impl, make_key(std::move(m), alg));
  return VerifyingKey(std::move(impl));
}

Result<VerifyingKey> VerifyingKey::from_hmac_secret(std::string_view secret) {
  KeyMaterial m;
  m.kty = Kty::oct;
  m.k = SecretBytes(std::string(secret));
  m.has_private = true;
  WBA_TRY(auto impl, make_key(std::move(m), std::nullopt));
  return VerifyingKey(std::move(impl));
}

Algorithm VerifyingKey::algorithm() const noexcept { return impl_->alg; }

Status VerifyingKey::verify(std::string_view message, std::string_view signature) const {
  return impl_->verify(message, signature);
}

const std::string& VerifyingKey::thumbprint() const noexcept { return impl_->thumbprint; }

const std::optional<std::string>& VerifyingKey::kid() const noexcept { return impl_->kid; }

nlohmann::json VerifyingKey::to_jwk() const { return impl_->public_jwk(); }

// -----------------------------------------------------------------------------------------------
// SigningKey

Result<SigningKey> SigningKey::generate(Algorithm alg) {
  KeyMaterial m;
  switch (alg) {
    case Algorithm::ed25519: {
      detail::ensure_sodium_init();
      unsigned char pk[crypto_sign_PUBLICKEYBYTES];
      unsigned char sk[crypto_sign_SECRETKEYBYTES];
      crypto_sign_keypair(pk, sk);
      m.kty = Kty::okp;
      m.x = bytes_of(pk, sizeof(pk));
      m.d = SecretBytes(bytes_of(sk, crypto_sign_SEEDBYTES));  // libsodium sk = seed ‖ pk
      sodium_memzero(sk, sizeof(sk));
      m.has_private = true;
      break;
    }
    case Algorithm::ecdsa_p256_sha256:
    case Algorithm::ecdsa_p384_sha384: {
      EvpPkeyPtr pkey(
          EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", const_cast<char*>(curve_by_alg(alg)->group)));
      if (!pkey) return crypto_error("EC key generation failed");
      WBA_TRY(m, material_from_pkey(pkey.get(), true));
      break;
    }
    case Algorithm::rsa_pss_sha512:
    case Algorithm::rsa_v1_5_sha256:
    case Algorithm::rsa_pss_sha256: {
      EvpPkeyPtr pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{2048}));
      if (!pkey) return crypto_error("RSA key generation failed");
      WBA_TRY(m, material_from_pkey(pkey.get(), true));
      break;
    }
    case Algorithm::hmac_sha256:
      m.kty = Kty::oct;
      m.k = SecretBytes(random_bytes(kHmacSecretBytes));
      m.has_private = true;
      break;
  }
  WBA_TRY(auto impl, make_key(std::move(m), alg));
  return SigningKey(std::move(impl));
}

Result<SigningKey> SigningKey::from_jwk(const nlohmann::json& jwk, std::optional<Algorithm> alg) {
  WBA_TRY(KeyMaterial m, material_from_jwk(jwk, /*want_private=*/true));
  WBA_TRY(auto impl, make_key(std::move(m), alg));
  return SigningKey(std::move(impl));
}

Result<SigningKey> SigningKey::from_jwk_json(std::string_view json, std::optional<Algorithm> alg) {
  WBA_TRY(nlohmann::json jwk, parse_json(json));
  return from_jwk(jwk, alg);
}

Result<SigningKey> SigningKey::from_pem(std::string_view pem, std::optional<Algorithm> alg) {
  WBA_TRY(EvpPkeyPtr pkey, decode_pem(pem, EVP_PKEY_KEYPAIR));
  WBA_TRY(KeyMaterial m, material_from_pkey(pkey.get(), /*want_private=*/true));
  WBA_TRY(auto impl, make_key(std::move(m), alg));
  return SigningKey(std::move(impl));
}

Result<SigningKey> SigningKey::from_hmac_secret(std::string_view secret) {
  KeyMaterial m;
  m.kty = Kty::oct;
  m.k = SecretBytes(std::string(secret));
  m.has_private = true;
  WBA_TRY(auto impl, make_key(std::move(m), std::nullopt));
  return SigningKey(std::move(impl));
}

Algorithm SigningKey::algorithm() const noexcept { return impl_->alg; }

Result<std::string> SigningKey::sign(std::string_view message) const {
  return impl_->sign(message);
}

VerifyingKey SigningKey::verifying_key() const { return VerifyingKey(impl_); }

const std::string& SigningKey::thumbprint() const noexcept { return impl_->thumbprint; }

const std::optional<std::string>& SigningKey::kid() const noexcept { return impl_->kid; }

nlohmann::json SigningKey::to_private_jwk() const { return impl_->private_jwk(); }

nlohmann::json SigningKey::to_public_jwk() const { return impl_->public_jwk(); }

}  // namespace wba
