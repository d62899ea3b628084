// RFC 9421 §3.1: creating a signature.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "wba/crypto/key.h"
#include "wba/http/message.h"
#include "wba/result.h"
#include "wba/sig/signature_fields.h"
#include "wba/sig/signature_params.h"

namespace wba::sig {

struct SignOptions {
  std::string label = "sig1";
  std::vector<ComponentId> components;
  std::optional<std::int64_t> created;  // default: now; set include_created=false to omit
  bool include_created = true;
  std::optional<std::int64_t> expires;
  std::optional<std::string> nonce;
  std::optional<std::string> tag;
  std::optional<std::string> keyid;  // default: the key's RFC 7638 thumbprint
  bool include_alg = true;           // send `alg` (derived from the key, never chosen freely)
};

// The parameters `options` describe for `key`: components in order, then created, expires,
// nonce, alg, keyid, tag (those that apply).
Result<SignatureParams> make_signature_params(const SigningKey& key, const SignOptions& options);

// Signs `params` exactly as given and adds `label` to the message. A params `alg` that is not
// the key's algorithm → key_alg_mismatch. Returns what was added.
Result<LabelledSignature> sign(http::Message& message, const SigningKey& key,
                               std::string label, SignatureParams params);
// make_signature_params + sign.
Result<LabelledSignature> sign(http::Message& message, const SigningKey& key,
                               const SignOptions& options);

// Current Unix time in seconds.
std::int64_t unix_now();

}  // namespace wba::sig
