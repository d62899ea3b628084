// The requests and keys shared by the benchmarks (verify_bench.cc) and the fixed-iteration
// driver run under callgrind (verify_ir.cc). Keys come from fixed seeds, not the CSPRNG: Ed25519
// and ECDSA verification are variable-time in the scalars, so a random key per run would make
// instruction counts differ between runs for reasons that have nothing to do with this library.
#pragma once

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <sodium.h>

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "wba/crypto/key.h"
#include "wba/encoding/base64.h"
#include "wba/http/http1_text.h"
#include "wba/profile/web_bot_auth.h"
#include "wba/sig/signature_base.h"
#include "wba/sig/signer.h"
#include "wba/sig/verifier.h"

namespace wba::bench {

inline constexpr std::int64_t kCreated = 1700000000;
inline constexpr std::int64_t kNow = 1700000010;

template <typename T>
T must(Result<T> r) {
  if (!r) throw std::runtime_error(r.error().message());
  return std::move(r).value();
}

inline const unsigned char* uc(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// An Ed25519 key from the 32-byte seed first, first+1, … (deterministic figures).
inline SigningKey ed25519_key_from_seed(unsigned char first, const std::string& kid = "") {
  if (sodium_init() < 0) throw std::runtime_error("sodium_init failed");
  unsigned char seed[crypto_sign_SEEDBYTES];
  for (std::size_t i = 0; i < sizeof seed; ++i) seed[i] = static_cast<unsigned char>(first + i);
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(pk, sk, seed);
  nlohmann::json jwk = {
      {"kty", "OKP"},
      {"crv", "Ed25519"},
      {"x", base64url_encode(std::string_view(reinterpret_cast<const char*>(pk), sizeof pk))},
      {"d", base64url_encode(std::string_view(reinterpret_cast<const char*>(seed), sizeof seed))}};
  if (!kid.empty()) jwk["kid"] = kid;
  return must(SigningKey::from_jwk(jwk));
}

// The agent key of every sample: seed 1, 2, … 32.
inline SigningKey fixed_ed25519_key() { return ed25519_key_from_seed(1); }

// OpenSSL keys for the RSA-PSS and ECDSA figures. Key generation is random in OpenSSL and cannot
// be seeded through its public API, so these are only used for time, not instruction counts.
inline EVP_PKEY* openssl_key(Algorithm alg) {
  EVP_PKEY* pkey = nullptr;
  switch (alg) {
    case Algorithm::rsa_pss_sha512:
      pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048));
      break;
    case Algorithm::ecdsa_p256_sha256:
      pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
      break;
    default:
      break;
  }
  if (!pkey) throw std::runtime_error("OpenSSL key generation failed");
  return pkey;
}

inline std::string private_pem(EVP_PKEY* pkey) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, pkey, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  return pem;
}

// RFC 9421 §3.3.4 r‖s → the DER ECDSA-Sig-Value OpenSSL verifies, done once outside the loop.
inline std::string ecdsa_raw_to_der(std::string_view raw) {
  const std::size_t half = raw.size() / 2;
  ECDSA_SIG* sig = ECDSA_SIG_new();
  ECDSA_SIG_set0(sig, BN_bin2bn(uc(raw), static_cast<int>(half), nullptr),
                 BN_bin2bn(uc(raw) + half, static_cast<int>(half), nullptr));
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig, &der);
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  ECDSA_SIG_free(sig);
  return out;
}

// What a caller using OpenSSL directly does per signature: one context, init, verify.
inline bool raw_openssl_verify(EVP_PKEY* pkey, Algorithm alg, std::string_view der_or_raw_sig,
                               std::string_view message) {
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  const char* digest = alg == Algorithm::rsa_pss_sha512 ? "SHA512" : "SHA256";
  bool ok = EVP_DigestVerifyInit_ex(md, &pctx, digest, nullptr, nullptr, pkey, nullptr) == 1;
  if (ok && alg == Algorithm::rsa_pss_sha512) {
    ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, "SHA512", nullptr) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 64) == 1;
  }
  ok = ok && EVP_DigestVerify(md, uc(der_or_raw_sig), der_or_raw_sig.size(), uc(message),
                              message.size()) == 1;
  EVP_MD_CTX_free(md);
  return ok;
}

inline http::Request sample_request() {
  auto msg =
      must(http::parse_http1("GET /articles/42?lang=en HTTP/1.1\r\nHost: example.com\r\n"
                             "User-Agent: ExampleBot/1.0\r\nAccept: text/html\r\n"
                             "Signature-Agent: sig1=\"https://bot.example\"\r\n\r\n"));
  return std::get<http::Request>(std::move(msg));
}

// A typical Web Bot Auth request signed with plain RFC 9421 (sig::sign): a few headers, the
// profile's parameters.
struct Sample {
  SigningKey key;
  http::Message msg = sample_request();
  sig::LabelledSignature signature;
  std::string signature_input;
  std::string base;
  std::string public_key;  // raw Ed25519 public key (empty for other algorithms)

  explicit Sample(SigningKey k) : key(std::move(k)) {
    sig::SignOptions o;
    o.components = must(sig::parse_component_list(
        "\"@method\" \"@authority\" \"@path\" \"signature-agent\";key=\"sig1\""));
    o.created = kCreated;
    o.expires = kCreated + 60;
    o.nonce = base64_encode(std::string(64, 'n'));
    o.tag = "web-bot-auth";
    signature = must(sig::sign(msg, key, o));
    signature_input = std::string(http::headers(msg).values("signature-input")[0]);
    base = must(sig::signature_base(msg, signature.params));
    if (key.algorithm() == Algorithm::ed25519) {
      public_key = must(base64url_decode(key.to_public_jwk()["x"].get<std::string>()));
    }
  }

  sig::Verifier verifier() const {
    sig::VerifyOptions o;
    o.now = kNow;
    return sig::Verifier(sig::single_key_lookup(key.verifying_key()), o);
  }
};

// The same request signed by the Web Bot Auth profile's signer, for ProfileVerifier. Its
// signature base differs from Sample's (other parameter order, keyid), and Ed25519 verification
// time depends on the signature, so it has its own raw-verify baseline.
struct ProfileSample {
  SigningKey key;
  http::Message msg;
  std::string base;
  std::string signature;
  std::string public_key;

  explicit ProfileSample(SigningKey k) : key(std::move(k)) {
    http::Request req = sample_request();
    req.headers.erase("Signature-Agent");  // sign_request adds its own
    profile::AgentSignOptions o;
    o.signature_agent = "https://bot.example";
    o.extra_components = must(sig::parse_component_list("\"@method\" \"@path\""));
    o.created = kCreated;
    o.nonce = base64_encode(std::string(64, 'n'));
    sig::LabelledSignature s = must(profile::sign_request(req, key, o));
    msg = std::move(req);
    base = must(sig::signature_base(msg, s.params));
    signature = s.signature;
    public_key = must(base64url_decode(key.to_public_jwk()["x"].get<std::string>()));
  }

  profile::ProfileVerifier verifier() const {
    profile::ProfilePolicy p;
    p.now = kNow;
    return profile::ProfileVerifier(p);
  }
  profile::AgentKeyLookup lookup() const {
    return profile::trusted_keys_lookup({key.verifying_key()});
  }
};

}  // namespace wba::bench
