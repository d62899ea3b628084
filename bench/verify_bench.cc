// Where the time of one verification goes, next to the raw libsodium Ed25519 verify of the same
// signature base: the target is full verification ≤ 1.10× the raw verify (docs/PERFORMANCE.md).
// RSA-PSS and ECDSA full verification sit next to the raw OpenSSL verify of the same base, and
// the Web Bot Auth profile path (ProfileVerifier::verify with a trusted key) next to plain
// RFC 9421 verification.
#include <benchmark/benchmark.h>

#include "bench_sample.h"
#include "wba/sfv/parse.h"

#include <string>
#include <vector>

namespace {

using namespace wba;
using bench::Sample;

const Sample& sample() {
  static const Sample s(bench::fixed_ed25519_key());
  return s;
}

void BM_ParseSignatureInput(benchmark::State& state) {
  const std::string& text = sample().signature_input;
  for (auto _ : state) {
    auto d = sfv::parse_dictionary(text);
    benchmark::DoNotOptimize(d);
  }
  state.SetLabel(std::to_string(text.size()) + " bytes");
}
BENCHMARK(BM_ParseSignatureInput);

void BM_ParseSignatures(benchmark::State& state) {
  const Sample& s = sample();
  for (auto _ : state) {
    auto v = sig::parse_signatures(s.msg);
    benchmark::DoNotOptimize(v);
  }
}
BENCHMARK(BM_ParseSignatures);

void BM_SignatureBase(benchmark::State& state) {
  const Sample& s = sample();
  for (auto _ : state) {
    auto b = sig::signature_base(s.msg, s.signature.params);
    benchmark::DoNotOptimize(b);
  }
}
BENCHMARK(BM_SignatureBase);

void BM_FullVerify(benchmark::State& state) {
  const Sample& s = sample();
  const sig::Verifier verifier = s.verifier();
  for (auto _ : state) {
    auto v = verifier.verify(s.msg);
    if (!v) state.SkipWithError(v.error().message().c_str());
    benchmark::DoNotOptimize(v);
  }
}
BENCHMARK(BM_FullVerify);

void BM_RawSodiumEd25519Verify(benchmark::State& state) {
  const Sample& s = sample();
  const auto* sig = bench::uc(s.signature.signature);
  const auto* msg = bench::uc(s.base);
  const auto* pk = bench::uc(s.public_key);
  for (auto _ : state) {
    int rc = crypto_sign_verify_detached(sig, msg, s.base.size(), pk);
    if (rc != 0) state.SkipWithError("raw verify failed");
    benchmark::DoNotOptimize(rc);
  }
}
BENCHMARK(BM_RawSodiumEd25519Verify);

// The raw verify as a verifier meets it: every request carries another signature (another
// nonce, so another base and another R and S). Cycles through 1024 signature bases of the
// benchmark's shape signed with the same fixed key, so that the branch predictor cannot learn
// one signature's scalar digits. bench/load.sh reports wbad's CPU per request against both
// raw figures.
void BM_RawSodiumEd25519VerifyDistinct(benchmark::State& state) {
  struct Signed {
    std::string base, signature;
  };
  static const std::vector<Signed> signed_bases = [] {
    const Sample& s = sample();
    const SigningKey& key = s.key;
    std::vector<Signed> out;
    for (int i = 0; i < 1024; ++i) {
      std::string base = s.base;
      const std::string tag = "nonce=\"" + std::to_string(i);
      const auto at = base.find("nonce=\"");
      base.replace(at, tag.size(), tag);  // same length: the nonce's first characters
      out.push_back({base, bench::must(key.sign(base))});
    }
    return out;
  }();
  const auto* pk = bench::uc(sample().public_key);
  std::size_t i = 0;
  for (auto _ : state) {
    const Signed& x = signed_bases[i++ % signed_bases.size()];
    int rc =
        crypto_sign_verify_detached(bench::uc(x.signature), bench::uc(x.base), x.base.size(), pk);
    if (rc != 0) state.SkipWithError("raw verify failed");
    benchmark::DoNotOptimize(rc);
  }
}
BENCHMARK(BM_RawSodiumEd25519VerifyDistinct);

const bench::ProfileSample& profile_sample() {
  static const bench::ProfileSample s(bench::fixed_ed25519_key());
  return s;
}

// Web Bot Auth: prepare (profile checks, Signature-Agent) + trusted key lookup + verify_prepared.
void BM_ProfileVerify(benchmark::State& state) {
  const bench::ProfileSample& s = profile_sample();
  const profile::ProfileVerifier verifier = s.verifier();
  const profile::AgentKeyLookup lookup = s.lookup();
  for (auto _ : state) {
    auto v = verifier.verify(s.msg, lookup);
    if (!v) state.SkipWithError(v.error().message().c_str());
    benchmark::DoNotOptimize(v);
  }
}
BENCHMARK(BM_ProfileVerify);

// The raw Ed25519 verify of the profile sample's own signature base.
void BM_RawSodiumEd25519VerifyProfile(benchmark::State& state) {
  const bench::ProfileSample& s = profile_sample();
  for (auto _ : state) {
    int rc = crypto_sign_verify_detached(bench::uc(s.signature), bench::uc(s.base), s.base.size(),
                                         bench::uc(s.public_key));
    if (rc != 0) state.SkipWithError("raw verify failed");
    benchmark::DoNotOptimize(rc);
  }
}
BENCHMARK(BM_RawSodiumEd25519VerifyProfile);

// RSA-PSS-SHA512 (2048-bit) and ECDSA P-256: the library's full verify next to OpenSSL's.
struct OpenSslSample {
  EVP_PKEY* pkey;
  Algorithm alg;
  Sample sample;
  std::string raw_signature;  // what OpenSSL verifies (DER for ECDSA)

  OpenSslSample(Algorithm a, EVP_PKEY* k)
      : pkey(k), alg(a), sample(bench::must(SigningKey::from_pem(bench::private_pem(k), a))) {
    raw_signature = alg == Algorithm::ecdsa_p256_sha256
                        ? bench::ecdsa_raw_to_der(sample.signature.signature)
                        : sample.signature.signature;
  }
};

const OpenSslSample& openssl_sample(Algorithm alg) {
  static const OpenSslSample rsa(Algorithm::rsa_pss_sha512,
                                 bench::openssl_key(Algorithm::rsa_pss_sha512));
  static const OpenSslSample ec(Algorithm::ecdsa_p256_sha256,
                                bench::openssl_key(Algorithm::ecdsa_p256_sha256));
  return alg == Algorithm::rsa_pss_sha512 ? rsa : ec;
}

void full_verify_openssl(benchmark::State& state, Algorithm alg) {
  const OpenSslSample& o = openssl_sample(alg);
  const sig::Verifier verifier = o.sample.verifier();
  for (auto _ : state) {
    auto v = verifier.verify(o.sample.msg);
    if (!v) state.SkipWithError(v.error().message().c_str());
    benchmark::DoNotOptimize(v);
  }
}

void raw_verify_openssl(benchmark::State& state, Algorithm alg) {
  const OpenSslSample& o = openssl_sample(alg);
  for (auto _ : state) {
    bool ok = bench::raw_openssl_verify(o.pkey, alg, o.raw_signature, o.sample.base);
    if (!ok) state.SkipWithError("raw verify failed");
    benchmark::DoNotOptimize(ok);
  }
}

void BM_FullVerifyRsaPss(benchmark::State& state) {
  full_verify_openssl(state, Algorithm::rsa_pss_sha512);
}
BENCHMARK(BM_FullVerifyRsaPss);
void BM_RawOpenSslRsaPssVerify(benchmark::State& state) {
  raw_verify_openssl(state, Algorithm::rsa_pss_sha512);
}
BENCHMARK(BM_RawOpenSslRsaPssVerify);
void BM_FullVerifyEcdsaP256(benchmark::State& state) {
  full_verify_openssl(state, Algorithm::ecdsa_p256_sha256);
}
BENCHMARK(BM_FullVerifyEcdsaP256);
void BM_RawOpenSslEcdsaP256Verify(benchmark::State& state) {
  raw_verify_openssl(state, Algorithm::ecdsa_p256_sha256);
}
BENCHMARK(BM_RawOpenSslEcdsaP256Verify);

}  // namespace

BENCHMARK_MAIN();
