// Where the time of one verification goes, next to the raw libsodium Ed25519 verify of the same
// signature base: the target is full verification ≤ 1.10× the raw verify (docs/PERFORMANCE.md).
#include <benchmark/benchmark.h>
#include <sodium.h>

#include <nlohmann/json.hpp>

#include "wba/crypto/key.h"
#include "wba/encoding/base64.h"
#include "wba/http/http1_text.h"
#include "wba/sfv/parse.h"
#include "wba/sig/signature_base.h"
#include "wba/sig/signer.h"
#include "wba/sig/verifier.h"

namespace {

using namespace wba;

// A typical Web Bot Auth request: a few headers, the profile's parameters.
struct Sample {
  SigningKey key = SigningKey::generate(Algorithm::ed25519).value();
  http::Message msg = http::parse_http1(
                          "GET /articles/42?lang=en HTTP/1.1\r\nHost: example.com\r\n"
                          "User-Agent: ExampleBot/1.0\r\nAccept: text/html\r\n"
                          "Signature-Agent: sig1=\"https://bot.example\"\r\n\r\n")
                          .value();
  sig::LabelledSignature signature;
  std::string signature_input;
  std::string base;
  std::string public_key;

  Sample() {
    sig::SignOptions o;
    o.components =
        sig::parse_component_list("\"@method\" \"@authority\" \"@path\" \"signature-agent\";key=\"sig1\"")
            .value();
    o.created = 1700000000;
    o.expires = 1700000060;
    o.nonce = base64_encode(std::string(64, 'n'));
    o.tag = "web-bot-auth";
    signature = sig::sign(msg, key, o).value();
    signature_input = std::string(http::headers(msg).values("signature-input")[0]);
    base = sig::signature_base(msg, signature.params).value();
    public_key = base64url_decode(key.to_public_jwk()["x"].get<std::string>()).value();
  }
};

const Sample& sample() {
  static const Sample s;
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
  sig::VerifyOptions o;
  o.now = 1700000010;
  sig::Verifier verifier(sig::single_key_lookup(s.key.verifying_key()), o);
  for (auto _ : state) {
    auto v = verifier.verify(s.msg);
    if (!v) state.SkipWithError(v.error().message().c_str());
    benchmark::DoNotOptimize(v);
  }
}
BENCHMARK(BM_FullVerify);

void BM_RawSodiumEd25519Verify(benchmark::State& state) {
  const Sample& s = sample();
  const auto* sig = reinterpret_cast<const unsigned char*>(s.signature.signature.data());
  const auto* msg = reinterpret_cast<const unsigned char*>(s.base.data());
  const auto* pk = reinterpret_cast<const unsigned char*>(s.public_key.data());
  for (auto _ : state) {
    int rc = crypto_sign_verify_detached(sig, msg, s.base.size(), pk);
    if (rc != 0) state.SkipWithError("raw verify failed");
    benchmark::DoNotOptimize(rc);
  }
}
BENCHMARK(BM_RawSodiumEd25519Verify);

}  // namespace

BENCHMARK_MAIN();
