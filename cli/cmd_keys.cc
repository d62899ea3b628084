// wba keygen | pubkey | thumbprint
#include <iostream>

#include "commands.h"
#include "common.h"

namespace wba::cli {
namespace {

constexpr const char* kKeygenHelp = R"(Usage: wba keygen [--alg ALG] [--kid ID]

Generates a private key and prints it as a JWK (RFC 7517; RFC 8037 for Ed25519).
  --alg ALG   ed25519 (default), ecdsa-p256-sha256, ecdsa-p384-sha384, rsa-pss-sha512,
              rsa-v1_5-sha256, hmac-sha256 (an "oct" key)
  --kid ID    the JWK "kid" (default: none; signatures use the RFC 7638 thumbprint as keyid)
)";

constexpr const char* kPubkeyHelp = R"(Usage: wba pubkey KEY.jwk [--key-alg ALG]

Prints the public JWK of a key (private members removed). HMAC keys have no public part.
  --key-alg ALG   the algorithm of an RSA key whose JWK has no "alg"
)";

constexpr const char* kThumbprintHelp = R"(Usage: wba thumbprint KEY.jwk [--key-alg ALG]

Prints the RFC 7638 SHA-256 JWK thumbprint (base64url), the Web Bot Auth keyid of the key.
)";

// A key file may hold a private or a public JWK; a private one is checked as a whole.
Result<VerifyingKey> load_any_key(const Args& args, const std::string& path) {
  WBA_TRY(auto alg, key_alg_option(args));
  WBA_TRY(nlohmann::json jwk, read_json(path));
  bool is_private = jwk.is_object() && (jwk.contains("d") || jwk.contains("k"));
  if (is_private) {
    auto key = SigningKey::from_jwk(jwk, alg);
    if (!key) return Error(key.error().reason, "'" + path + "': " + key.error().detail);
    return key->verifying_key();
  }
  auto key = VerifyingKey::from_jwk(jwk, alg);
  if (!key) return Error(key.error().reason, "'" + path + "': " + key.error().detail);
  return key;
}

}  // namespace

int cmd_keygen(const std::vector<std::string>& argv) {
  Args args(argv);
  if (auto s = args.parse({"alg", "kid"}, {}); !s) return usage_error("keygen", s.error().detail);
  if (args.has("help")) return std::cout << kKeygenHelp, kExitOk;
  if (!args.positional().empty()) {
    return usage_error("keygen", "unexpected argument '" + args.positional()[0] + "'");
  }
  std::string name = args.get("alg").value_or("ed25519");
  auto alg = algorithm_from_name(name);
  if (!alg) return usage_error("keygen", "--alg: unknown algorithm '" + name + "'");
  auto key = SigningKey::generate(*alg);
  if (!key) return usage_error("keygen", key.error().message());
  nlohmann::json jwk = key->to_private_jwk();
  if (auto kid = args.get("kid")) jwk["kid"] = *kid;
  std::cout << jwk.dump(2) << "\n";
  return kExitOk;
}

int cmd_pubkey(const std::vector<std::string>& argv) {
  Args args(argv);
  if (auto s = args.parse({"key-alg"}, {}); !s) return usage_error("pubkey", s.error().detail);
  if (args.has("help")) return std::cout << kPubkeyHelp, kExitOk;
  if (args.positional().size() != 1) return usage_error("pubkey", "give exactly one KEY.jwk");
  auto key = load_any_key(args, args.positional()[0]);
  if (!key) return usage_error("pubkey", key.error().message());
  if (is_symmetric(key->algorithm())) {
    return usage_error("pubkey", "'" + args.positional()[0] + "' is a symmetric (HMAC) key");
  }
  std::cout << key->to_jwk().dump(2) << "\n";
  return kExitOk;
}

int cmd_thumbprint(const std::vector<std::string>& argv) {
  Args args(argv);
  if (auto s = args.parse({"key-alg"}, {}); !s) return usage_error("thumbprint", s.error().detail);
  if (args.has("help")) return std::cout << kThumbprintHelp, kExitOk;
  if (args.positional().size() != 1) return usage_error("thumbprint", "give exactly one KEY.jwk");
  auto key = load_any_key(args, args.positional()[0]);
  if (!key && key.reason() == Reason::unsupported_algorithm && !args.has("key-alg")) {
    // An RSA JWK without `alg`: the thumbprint (RFC 7638: e, kty, n) does not depend on the
    // algorithm, so validate the key under the profile's RSA algorithm and print it.
    std::vector<std::string> again(argv);
    again.push_back("--key-alg=rsa-pss-sha512");
    Args retry(again);
    if (retry.parse({"key-alg"}, {})) key = load_any_key(retry, args.positional()[0]);
  }
  if (!key) return usage_error("thumbprint", key.error().message());
  std::cout << key->thumbprint() << "\n";
  return kExitOk;
}

}  // namespace wba::cli
