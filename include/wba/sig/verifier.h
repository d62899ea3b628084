// RFC 9421 §3.2: verifying signatures. Every failure has a stable Reason; success yields a
// VerifiedSignature, which only the verifier can make.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "wba/crypto/key.h"
#include "wba/http/message.h"
#include "wba/result.h"
#include "wba/sig/signature_fields.h"

namespace wba::sig {

// Finds the key for a signature (by keyid, thumbprint, or anything else the caller trusts).
// Return key_not_found (or any error) when there is none. The algorithm comes from the key.
using KeyLookup = std::function<Result<VerifyingKey>(const LabelledSignature&)>;

// A lookup over a fixed set of keys: a signature's keyid must equal a key's `kid` or its
// RFC 7638 thumbprint; with a single key and no keyid in the signature, that key is used.
KeyLookup key_set_lookup(std::vector<VerifyingKey> keys);
// The one key the caller chose, whatever keyid the signature names (keyid is a hint, not
// authentication, RFC 9421 §2.3; the signature itself is still checked with this key).
KeyLookup single_key_lookup(VerifyingKey key);

struct VerifyOptions {
  std::optional<std::string> label;     // only this label (unknown_label when absent)
  std::optional<std::string> tag;       // only signatures with this tag
  std::optional<std::int64_t> now;      // clock for created/expires; default: system time
  std::int64_t max_clock_skew = 60;     // seconds `created` may be in the future
  std::optional<std::int64_t> max_age;  // seconds since `created`; older → expired
  bool require_created = false;
  bool require_expires = false;
  // When `content-digest` is covered and the body is available, check it against the body
  // (§7.2.8): mismatch → digest_mismatch.
  bool check_content_digest = true;
};

class VerifiedSignature {
 public:
  const std::string& label() const noexcept { return label_; }
  const SignatureParams& params() const noexcept { return params_; }
  Algorithm algorithm() const noexcept { return algorithm_; }
  const std::string& key_thumbprint() const noexcept { return key_thumbprint_; }
  // Whether a covered content-digest was checked against the body (false: not covered, or no
  // body available — the caller decides what that means).
  bool content_digest_checked() const noexcept { return content_digest_checked_; }

 private:
  friend class Verifier;
  VerifiedSignature() = default;
  std::string label_;
  SignatureParams params_;
  Algorithm algorithm_ = Algorithm::ed25519;
  std::string key_thumbprint_;
  bool content_digest_checked_ = false;
};

// The outcome for one labelled signature.
struct SignatureOutcome {
  std::string label;
  Result<VerifiedSignature> result;
};

class Verifier {
 public:
  Verifier(KeyLookup lookup, VerifyOptions options = {})
      : lookup_(std::move(lookup)), options_(std::move(options)) {}

  // The first selected signature that verifies. When none does, the error of the first
  // selected one (no_matching_signature when the selection is empty). A member that cannot be
  // parsed fails only itself (parse_signature_entries): it counts as selected when chosen by its
  // label or when no label or tag narrows the choice, and its error is returned when nothing
  // else was selected.
  Result<VerifiedSignature> verify(const http::Message& message) const;
  // Every selected signature with its own outcome (§4.3: signatures are independent), also
  // the members that cannot be parsed, selected as in verify().
  Result<std::vector<SignatureOutcome>> verify_all(const http::Message& message) const;
  // One already-parsed signature.
  Result<VerifiedSignature> verify_one(const http::Message& message,
                                       const LabelledSignature& signature) const;

 private:
  static VerifiedSignature make_verified(std::string label, SignatureParams params,
                                         const VerifyingKey& key, bool content_digest_checked);
  KeyLookup lookup_;
  VerifyOptions options_;
};

}  // namespace wba::sig
