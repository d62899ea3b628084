#include "wba/sig/signer.h"

#include <chrono>

#include "wba/sig/signature_base.h"

namespace wba::sig {

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<SignatureParams> make_signature_params(const SigningKey& key, const SignOptions& options) {
  SignatureParams params;
  for (const auto& c : options.components) WBA_CHECK(params.add_component(c));
  if (options.include_created) params.set_created(options.created.value_or(unix_now()));
  if (options.expires) params.set_expires(*options.expires);
  if (options.nonce) params.set_nonce(*options.nonce);
  if (options.include_alg) params.set_alg(std::string(to_string(key.algorithm())));
  params.set_keyid(options.keyid.value_or(key.thumbprint()));
  if (options.tag) params.set_tag(*options.tag);
  return params;
}

Result<LabelledSignature> sign(http::Message& message, const SigningKey& key, std::string label,
                               SignatureParams params) {
  if (!is_http_signature_algorithm(key.algorithm())) {
    return Error(Reason::unsupported_algorithm,
                 "the key's algorithm " + std::string(to_string(key.algorithm())) +
                     " is not an HTTP Signature Algorithm (RFC 9421 §3.3)");
  }
  // The algorithm is the key's; a contradicting `alg` would make an unverifiable signature.
  if (auto alg = params.alg(); alg && *alg != to_string(key.algorithm())) {
    return Error(Reason::key_alg_mismatch, "alg \"" + *alg + "\" but the key is " +
                                               std::string(to_string(key.algorithm())));
  }
  WBA_TRY(std::string base, signature_base(message, params));
  WBA_TRY(std::string signature, key.sign(base));
  LabelledSignature out{std::move(label), std::move(params), std::move(signature)};
  WBA_CHECK(add_signature(message, out));
  return out;
}

Result<LabelledSignature> sign(http::Message& message, const SigningKey& key,
                               const SignOptions& options) {
  WBA_TRY(SignatureParams params, make_signature_params(key, options));
  return sign(message, key, options.label, std::move(params));
}

}  // namespace wba::sig
