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

namespace {

// What verify_one established about a signature, before it becomes a VerifiedSignature.
struct Checked {
  VerifyingKey key;
  bool content_digest_checked = false;
};

bool selected(const VerifyOptions& options, const LabelledSignature& s) {
  if (options.label && s.label != *options.label) return false;
  if (options.tag && s.params.tag() != options.tag) return false;
  return true;
}

// A member that cannot be parsed shows no tag: it is chosen only by its label, or when nothing
// narrows the choice.
bool selected_unparsed(const VerifyOptions& options, const std::string& label) {
  return options.label ? label == *options.label : !options.tag;
}

Result<Checked> check(const VerifyOptions& options, const KeyLookup& lookup,
                      const http::Message& message, const LabelledSignature& signature) {
  const SignatureParams& params = signature.params;
  // Not value_or(unix_now()): that would read the clock even when the caller fixed it.
  const std::int64_t now = options.now ? *options.now : unix_now();
  auto created = params.created();
  auto expires = params.expires();
  // §3.2.1: the verifier's own requirements on parameters come before any crypto work.
  if (options.require_created && !created) {
    return Error(Reason::invalid_signature_params, "signature has no 'created' parameter");
  }
  if (options.require_expires && !expires) {
    return Error(Reason::invalid_signature_params, "signature has no 'expires' parameter");
  }
  if (expires && now >= *expires) {
    return Error(Reason::expired,
                 "expired at " + std::to_string(*expires) + ", now " + std::to_string(now));
  }
  if (created && *created > now + options.max_clock_skew) {
    return Error(Reason::not_yet_valid, "created at " + std::to_string(*created) +
                                            " is in the future (now " + std::to_string(now) + ")");
  }
  if (created && options.max_age && now - *created > *options.max_age) {
    return Error(Reason::expired, "created " + std::to_string(now - *created) +
                                      " s ago, more than the allowed " +
                                      std::to_string(*options.max_age));
  }

  WBA_TRY(VerifyingKey key, lookup(signature));
  // A JOSE-only key (PS256) would verify a signature no RFC 9421 signer can have meant.
  if (!is_http_signature_algorithm(key.algorithm())) {
    return Error(Reason::unsupported_algorithm,
                 "the key's algorithm " + std::string(to_string(key.algorithm())) +
                     " is not an HTTP Signature Algorithm (RFC 9421 §3.3)");
  }
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

  Checked out{std::move(key)};
  // §7.2.8: a signed Content-Digest proves nothing until it is compared with the body.
  if (options.check_content_digest) {
    const auto& components = params.components();
    bool covered = std::any_of(components.begin(), components.end(), [](const ComponentId& c) {
      return std::string_view(c.name()) == "content-digest" && !c.has_param("req") &&
             !c.has_param("tr");
    });
    const auto& content = http::body(message);
    if (covered && content) {
      for (auto value : http::headers(message).values("content-digest")) {
        WBA_CHECK(verify_content_digest(value, *content));
      }
      out.content_digest_checked = true;
    }
  }
  return out;
}

}  // namespace

VerifiedSignature Verifier::make_verified(std::string label, SignatureParams params,
                                          const VerifyingKey& key, bool content_digest_checked) {
  VerifiedSignature v;
  v.label_ = std::move(label);
  v.params_ = std::move(params);
  v.algorithm_ = key.algorithm();
  v.key_thumbprint_ = key.thumbprint();
  v.content_digest_checked_ = content_digest_checked;
  return v;
}

Result<VerifiedSignature> Verifier::verify_one(const http::Message& message,
                                               const LabelledSignature& signature) const {
  WBA_TRY(Checked checked, check(options_, lookup_, message, signature));
  return make_verified(signature.label, signature.params, checked.key,
                       checked.content_digest_checked);
}

Result<std::vector<SignatureOutcome>> Verifier::verify_all(const http::Message& message) const {
  WBA_TRY(auto entries, parse_signature_entries(message));
  std::vector<SignatureOutcome> out;
  for (auto& e : entries) {
    if (!e.signature) {
      if (selected_unparsed(options_, e.label)) {
        out.push_back(SignatureOutcome{std::move(e.label), std::move(e.signature).error()});
      }
      continue;
    }
    LabelledSignature& s = *e.signature;
    if (!selected(options_, s)) continue;
    auto checked = check(options_, lookup_, message, s);
    if (!checked) {
      out.push_back(SignatureOutcome{std::move(s.label), std::move(checked).error()});
      continue;
    }
    // The parsed signature is ours: its parameters move into the result instead of a copy.
    out.push_back(
        SignatureOutcome{s.label, make_verified(s.label, std::move(s.params), checked->key,
                                                checked->content_digest_checked)});
  }
  if (options_.label && out.empty()) {
    return Error(Reason::unknown_label, "no signature labelled '" + *options_.label + "'");
  }
  return out;
}

Result<VerifiedSignature> Verifier::verify(const http::Message& message) const {
  // verify_all's selection and errors, but the first signature that verifies ends the work:
  // the outcomes of the others could not change the result.
  WBA_TRY(auto entries, parse_signature_entries(message));
  std::optional<Error> first_error, unselectable;
  bool any_selected = false;
  for (auto& e : entries) {
    if (!e.signature) {
      // Not chosen, it fails the message only if nothing else is left.
      if (selected_unparsed(options_, e.label)) {
        any_selected = true;
        if (!first_error) first_error = std::move(e.signature).error();
      } else if (!unselectable) {
        unselectable = std::move(e.signature).error();
      }
      continue;
    }
    LabelledSignature& s = *e.signature;
    if (!selected(options_, s)) continue;
    any_selected = true;
    auto checked = check(options_, lookup_, message, s);
    if (!checked) {
      if (!first_error) first_error = std::move(checked).error();
      continue;
    }
    return make_verified(std::move(s.label), std::move(s.params), checked->key,
                         checked->content_digest_checked);
  }
  if (!any_selected) {
    if (unselectable) return std::move(*unselectable);
    if (options_.label) {
      return Error(Reason::unknown_label, "no signature labelled '" + *options_.label + "'");
    }
    return Error(Reason::no_matching_signature,
                 options_.tag ? "no signature with tag \"" + *options_.tag + "\""
                              : std::string("no signature selected"));
  }
  return std::move(*first_error);
}

}  // namespace wba::sig
