// Serving a key directory: the JWK Set body and a complete signed directory response
// (draft-ietf-webbotauth-httpsig-protocol §5.5.1, App. B.1 "Possession Proof on the Directory
// Response"), reproducing the draft's vector E.2.3 byte for byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wba/crypto/key.h"
#include "wba/http/message.h"
#include "wba/result.h"

namespace wba::directory {

// Extra validity a directory signature gets beyond the response's cache lifetime, so that a copy
// served from a cache at the very end of its max-age (plus some clock skew) still carries an
// unexpired proof. Short-lived proofs on long-cached responses are a deployed failure mode
// (a CDN kept serving a directory whose 60 s signature had long expired).
inline constexpr std::int64_t kSignatureMargin = 3600;

struct ServeOptions {
  std::optional<std::int64_t> created;  // signature `created`; default: now
  // Signature `expires`; default: created + max_age + kSignatureMargin. Must be > created.
  std::optional<std::int64_t> expires;
  std::int64_t max_age = 86400;  // Cache-Control: max-age (seconds, ≥ 0)
  // Add the JWK `alg` (JOSE spelling, RFC 7517 §4.4) to every key. RSA keys always carry it:
  // their algorithm cannot be told from the key, and a verifier would otherwise assume PSS.
  bool include_alg = false;
};

// The compact JWK Set of the public keys, in the given order. Each key becomes
// {"kty", ["crv"], "kid": <RFC 7638 thumbprint>, [x, y | n, e], ["alg"], "use": "sig"} in that
// member order (E.2.3's order for OKP keys); any kid the key was loaded with is replaced by the
// thumbprint, as §5.5 requires at the well-known URI. Errors: invalid_argument (no keys, the
// same key twice), unsupported_algorithm (an HMAC key, §6.4; a JOSE-only PS256 key).
Result<std::string> directory_body(const std::vector<VerifyingKey>& keys, bool include_alg = false);

// The label of the signature of key `index` (0-based) among `count` keys: "binding" when there
// is one key (as in E.2.3), else "binding1", "binding2", … (1-based, in key order).
std::string binding_label(std::size_t index, std::size_t count);

// A complete 200 response for the directory of `keys` served under `authority` (host[:port] the
// clients will fetch it from; lower-cased, default https port dropped): body = directory_body,
// headers Content-Type (kMediaType), Cache-Control: max-age=N, Content-Digest (sha-256, RFC
// 9530), then one Signature-Input and one Signature field, each a Dictionary with one member
// per key. Each key signs with label binding_label(), covering ("@authority";req
// "content-digest") with parameters created, expires, keyid (= thumbprint), tag
// "http-message-signatures-directory" in that order, and no `alg` (E.2.3). The response's
// `request` is the GET of the well-known URI at `authority` the signatures were made for.
// Errors: those of directory_body; invalid_argument for an unusable authority, a negative
// max_age or expires ≤ created; errors of signing.
Result<http::Response> make_directory_response(const std::vector<SigningKey>& keys,
                                               std::string_view authority,
                                               const ServeOptions& options = {});

}  // namespace wba::directory
