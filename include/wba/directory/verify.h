// Checking a fetched directory response: status, media type, body, and the possession proofs
// of draft-ietf-webbotauth-httpsig-protocol App. B.1 (one RFC 9421 signature per key, tag
// "http-message-signatures-directory", covering ("@authority";req "content-digest")).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wba/directory/directory.h"
#include "wba/http/message.h"
#include "wba/result.h"

namespace wba::directory {

struct VerifyOptions {
  std::optional<std::int64_t> now;  // clock for proofs and key validity; default: system time
  // Seconds a proof's `created` may lie ahead of `now`. App. B.1 says a future `created` MUST be
  // rejected (it would outrank every later fetch); the allowance only absorbs clock skew between
  // the directory server and us, as elsewhere in the library.
  std::int64_t max_clock_skew = 60;
  ParseOptions parse;
  // §5.5.1: the well-known URI MUST serve kMediaType (the legacy spelling is accepted). Turn off
  // for key sets reached through a card's jwks_uri, where no media type is mandated.
  bool check_media_type = true;
  // Refuse a response with no directory signature at all. Proofs are optional for a directory
  // the verifier fetched itself over TLS (ietf-00 §5.5.3), so this is off by default.
  bool require_signatures = false;
  // Refuse the directory unless every usable key carries a valid proof (what the registry draft
  // recommends for jwks_uri: "ignore keys that do not carry a corresponding valid signature").
  bool require_all_keys_proven = false;
  // Interoperability: treat a directory-tagged signature that lacks what App. B.1 requires
  // (coverage of "@authority";req and content-digest, created, expires, keyid) as absent instead of
  // refusing the directory. cloudflare/web-bot-auth (npm 0.1.3) signs directories over
  // ("@authority";req) only. Such a signature never counts as a proof; signatures of the right
  // shape that fail to verify still refuse the directory.
  bool skip_nonconforming_proofs = false;
};

// A valid possession proof: the signature `label` made by the directory key `thumbprint`.
struct KeyProof {
  std::string label;
  std::string thumbprint;
  std::int64_t created = 0;
  std::int64_t expires = 0;  // attribution of redistributed keys needs an unexpired proof (§5.5.3)
};

struct VerifiedDirectory {
  Directory directory;           // url() is the URL given to verify_directory_response
  std::vector<KeyProof> proofs;  // in Signature-Input order

  // Whether the key with this thumbprint carries a valid proof.
  bool proven(std::string_view thumbprint) const noexcept;
};

// Checks `response` as the directory fetched from `url`; response.request must be the request
// that fetched it (its authority is what `"@authority";req` covers). In order:
//   - status other than 200 → directory_unavailable (§5.5: any other status is a discovery
//     failure; redirects are never followed, so 3xx is one too);
//   - Content-Type missing, repeated or not a directory media type → directory_invalid (unless
//     check_media_type is off); no body → directory_invalid; body over the limits →
//     limit_exceeded; body not a JWK Set → directory_invalid (see parse_directory);
//   - every signature tagged "http-message-signatures-directory" (others are ignored) must: name
//     by keyid (= RFC 7638 thumbprint) a usable key of this very directory, cover
//     "@authority";req and content-digest, carry created and expires, have created ≤ now + skew
//     and now < expires, verify with that key, and have a Content-Digest that matches the body.
//     Any failure refuses the whole directory with directory_signature_invalid, the detail naming
//     the label and the cause: a proof that does not verify means the response was altered or
//     re-served under another authority, and nothing in it can be trusted (with
//     skip_nonconforming_proofs, a signature missing the required coverage or parameters is
//     ignored instead);
//   - unparseable Signature/Signature-Input fields → directory_signature_invalid;
//   - no directory signature: fine unless require_signatures (→ directory_signature_invalid);
//   - require_all_keys_proven and a usable key without a proof → directory_signature_invalid.
// A directory signature on a response whose `request` is not set → invalid_argument (the caller
// must attach the fetching request).
Result<VerifiedDirectory> verify_directory_response(const http::Response& response,
                                                    std::string_view url,
                                                    const VerifyOptions& options = {});

}  // namespace wba::directory
