#include "wba/sig/verifier.h"

#include <algorithm>

#include "wba/crypto/content_digest.h"
#include "wba/sig/signature_base.h"
#include "wba/sig/signer.h"

namespace wba::sig {

KeyLookup key_set_lookup(std::vector<VerifyingKey> keys) {
  return [keys = std::move(keys)](const LabelledSignature& s) -> Result<VerifyingKey> {
    auto keyid = s.params.keyid();
    if (!keyid) {
      if (keys.size() == 1) return keys.front();
      return Error(Reason::key_not_found, "signature '" + s.label + "' has no keyid");
    }
    for (const auto& k : keys) {
      if ((k.kid() && *k.kid() == *keyid) || k.thumbprint() == *keyid) return k;
    }
    return Error(Reason::key_not_found, "no key for keyid \"" + *keyid + "\"");
  };
}

KeyLookup single_key_lookup(VerifyingKey key) {
  return [key = std::move(key)](const LabelledSignature&) -> Result<VerifyingKey> { return key; };
}

Result<VerifiedSignature> Verifier::verify_one(const http::Message& message,
                                               const LabelledSignature& signature) const {
  const SignatureParams& params = signature.params;
  const std::int64_t now = options_.now.value_or(unix_now());
  auto created = params.created();
  auto expires = params.expires();
  // §3.2.1: the verifier's own requirements on parameters come before any crypto work.
  if (options_.require_created && !created) {
    return Error(Reason::invalid_signature_params, "signature has no 'created' parameter");
  }
  if (options_.require_expires && !expires) {
    return Error(Reason::invalid_signature_params, "signature has no 'expires' parameter");
  }
  if (expires && now >= *expires) {
    return Error(Reason::expired, "expired at " + std::to_string(*expires) + ", now " +
                                      std::to_string(now));
  }
  if (created && *created > now + options_.max_clock_skew) {
    return Error(Reason::not_yet_valid, "created at " + std::to_string(*created) +
                                            " is in the future (now " + std::to_string(now) + ")");
  }
  if (created && options_.max_age && now - *created > *options_.max_age) {
    return Error(Reason::expired, "created " + std::to_string(now - *created) +
                                      " s ago, more than the allowed " +
                                      std::to_string(*options_.max_age));
  }

  WBA_TRY(VerifyingKey key, lookup_(signature));
  // §3.2 step 6: the key decides the algorithm; `alg`, when sent, must agree with it.
  if (auto alg = params.alg()) {
    auto named = algorithm_from_name(*alg);
    if (!named) return Error(Reason::unsupported_algorithm, "alg \"" + *alg + "\" is not known");
    if (*named != key.algorithm()) {
      return Error(Reason::key_alg_mismatch, "alg \"" + *alg + "\" but the key is " +
                                                 std::string(to_string(key.algorithm())));
    }
  }
  WBA_TRY(std::string base, signature_base(message, params));
  WBA_CHECK(key.verify(base, signature.signature));

  VerifiedSignature v;
  v.label_ = signature.label;
  v.params_ = params;
  v.algorithm_ = key.algorithm();
  v.key_thumbprint_ = key.thumbprint();
  // §7.2.8: a signed Content-Digest proves nothing until it is compared with the body.
  if (options_.check_content_digest) {
    const auto& components = params.components();
    bool covered = std::any_of(components.begin(), components.end(), [](const ComponentId& c) {
      return c.name() == "content-digest" && !c.has_param("req") && !c.has_param("tr");
    });
    const auto& content = http::body(message);
    if (covered && content) {
      for (auto value : http::headers(message).values("content-digest")) {
        WBA_CHECK(verify_content_digest(value, *content));
      }
      v.content_digest_checked_ = true;
    }
  }
  return v;
}

Result<std::vector<SignatureOutcome>> Verifier::verify_all(const http::Message& message) const {
  WBA_TRY(auto signatures, parse_signatures(message));
  std::vector<SignatureOutcome> out;
  for (const auto& s : signatures) {
    if (options_.label && s.label != *options_.label) continue;
    if (options_.tag && s.params.tag() != options_.tag) continue;
    out.push_back(SignatureOutcome{s.label, verify_one(message, s)});
  }
  if (options_.label && out.empty()) {
    return Error(Reason::unknown_label, "no signature labelled '" + *options_.label + "'");
  }
  return out;
}

Result<VerifiedSignature> Verifier::verify(const http::Message& message) const {
  WBA_TRY(auto outcomes, verify_all(message));
  if (outcomes.empty()) {
    return Error(Reason::no_matching_signature,
                 options_.tag ? "no signature with tag \"" + *options_.tag + "\""
                              : std::string("no signature selected"));
  }
  for (auto& o : outcomes) {
    if (o.result) return std::move(o.result);
  }
  return std::move(outcomes.front().result);
}

}  // namespace wba::sig
