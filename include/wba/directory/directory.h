// Web Bot Auth key directories (draft-ietf-webbotauth-httpsig-protocol §5.5, §5.5.1): a JWK Set
// served at /.well-known/http-message-signatures-directory, parsed into the keys a verifier may
// use. Everything parsed here is attacker-controlled (the URL comes from a request's
// Signature-Agent), so every size is bounded and nothing throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "wba/crypto/key.h"
#include "wba/result.h"

namespace wba::directory {

// The media type a directory MUST be served with at the well-known URI (§5.5.1, §8.2).
inline constexpr std::string_view kMediaType = "application/http-message-signatures-directory+json";
// The spelling of directory-00 and earlier examples, still served by some hosts; accepted on
// input, never produced.
inline constexpr std::string_view kLegacyMediaType =
    "application/http-message-signatures-directory";
// The registered well-known path (§8.1).
inline constexpr std::string_view kWellKnownPath = "/.well-known/http-message-signatures-directory";
// The `tag` of a signature on a directory response (App. B.1).
inline constexpr std::string_view kDirectoryTag = "http-message-signatures-directory";

// Whether a Content-Type field value names a directory: the media type, parameters dropped and
// case ignored (RFC 9110 §8.3.1), is kMediaType or kLegacyMediaType.
bool is_directory_media_type(std::string_view content_type) noexcept;

// Bounds on untrusted input (Security Considerations, "Server-Side Request Forgery": response
// size, key count). Exceeding any of them → Reason::limit_exceeded, never a partial result.
struct Limits {
  std::size_t max_body_bytes = 64 * 1024;  // the body as received, after content decoding
  std::size_t max_keys = 64;  // entries of "keys", usable or not: each one costs parse work
  // Nesting of JSON arrays and objects. A JWK Set needs 3 ({"keys":[{…}]}); the bound keeps a
  // hostile body from costing deep recursion anywhere the parsed value is later walked.
  std::size_t max_json_depth = 32;
};

struct ParseOptions {
  Limits limits;
  // §5.5: at the well-known URI a `kid`, when present, MUST equal the key's RFC 7638 thumbprint.
  // Live directories violate this (kid absent or an operator label) and the draft's own example
  // does too, so by default a mismatch is only recorded (DirectoryKey::kid_match); when set, a
  // key whose kid is present and differs is refused with Reason::keyid_mismatch.
  bool require_kid_thumbprint = false;
};

// How a key's `kid` relates to its RFC 7638 thumbprint.
enum class KidMatch {
  absent,      // no kid: keys are matched by thumbprint anyway
  thumbprint,  // kid equals the thumbprint, as §5.5 requires at the well-known URI
  other,       // an operator label (allowed for jwks_uri/cimd key sets, not at the well-known URI)
};

// A usable key of a directory.
struct DirectoryKey {
  VerifyingKey key;
  std::size_t index = 0;  // position in the "keys" array
  KidMatch kid_match = KidMatch::absent;
  // `nbf` / `exp` members (Unix seconds; not registered JWK members but carried by the draft's
  // example and by deployed directories), as validity hints: the key is only used inside them.
  std::optional<std::int64_t> not_before;
  std::optional<std::int64_t> expires;

  const std::string& thumbprint() const noexcept { return key.thumbprint(); }
  // not_before <= now < expires (each bound only when present).
  bool valid_at(std::int64_t now) const noexcept;
};

// A "keys" entry that was not kept, with why. Reasons: private_key_in_directory (a private
// member d, p, q, dp, dq, qi, oth or k is present: the key is compromised, never use it),
// unsupported_algorithm (an oct/HMAC key, forbidden by §6.4; an unknown or JOSE-only `alg`),
// key_alg_mismatch (`alg` does not fit the key), invalid_key (not an object, unknown kty or
// crv, bad member encoding, `use` other than "sig", non-numeric nbf/exp, same key as an
// earlier entry), keyid_mismatch (require_kid_thumbprint and kid ≠ thumbprint).
struct RefusedKey {
  std::size_t index = 0;
  Error error;
  std::optional<std::string> kid;         // when the entry had a string kid
  std::optional<std::string> thumbprint;  // when the public members allowed computing it
};

class Directory;
namespace detail {
struct DirectoryAccess;
}

// A parsed JWK Set: the usable keys indexed by thumbprint, the refused entries, and the URL the
// set was fetched from. Identity is the pair (URL, thumbprint), never a keyid alone (§5.4):
// a key learnt from one URL must not verify a request that names another.
class Directory {
 public:
  Directory() = default;

  // The URL the caller fetched the set from (the resolved well-known URI, jwks_uri or card
  // URL); empty when the keys came from elsewhere (configuration, tests).
  const std::string& url() const noexcept { return url_; }
  void set_url(std::string url) { url_ = std::move(url); }

  // Usable keys in "keys" order.
  const std::vector<DirectoryKey>& keys() const noexcept { return keys_; }
  // Entries that were not kept, in "keys" order.
  const std::vector<RefusedKey>& refused() const noexcept { return refused_; }

  // The key with this RFC 7638 thumbprint if it is valid at `now` (nbf/exp), else nullptr.
  // The pointer is valid as long as this Directory is.
  const DirectoryKey* find(std::string_view thumbprint, std::int64_t now) const noexcept;
  // The key with this thumbprint whatever its nbf/exp, else nullptr.
  const DirectoryKey* find_any(std::string_view thumbprint) const noexcept;
  // Lookup by the (URL, thumbprint) pair: `url` must equal url() octet for octet (normalise
  // both the same way beforehand) and the key must be valid at `now`. Errors: key_not_found
  // naming which part did not match.
  Result<VerifyingKey> lookup(std::string_view url, std::string_view thumbprint,
                              std::int64_t now) const;
  // Every key valid at `now`.
  std::vector<VerifyingKey> keys_valid_at(std::int64_t now) const;

 private:
  friend struct detail::DirectoryAccess;
  std::string url_;
  std::vector<DirectoryKey> keys_;
  std::vector<RefusedKey> refused_;
  std::map<std::string, std::size_t, std::less<>> by_thumbprint_;
};

// Parses a directory body (a JWK Set, RFC 7517 §5) fetched from `url`. Only the keys the profile
// can use are kept: OKP/Ed25519, EC P-256/P-384 and RSA. The algorithm comes from the key type,
// or for RSA from the JWK `alg` in either JOSE (PS512, RS256) or HTTP-signature
// (rsa-pss-sha512) spelling; an RSA key without `alg` is taken as rsa-pss-sha512, the profile's
// RSA algorithm (§5.2 "practical set"; cloudflare's RSA key is PSS). Each entry that cannot be
// used is listed in refused(), never silently dropped; refusing entries does not fail the parse.
// Errors of the set as a whole: limit_exceeded (body bytes, key count, JSON depth),
// directory_invalid (not JSON, not an object, no "keys" array).
Result<Directory> parse_directory(std::string_view body, std::string_view url = {},
                                  const ParseOptions& options = {});
// The same for a JWK Set already parsed (a Signature Agent Card's `jwks`); max_body_bytes and
// max_json_depth do not apply.
Result<Directory> parse_jwks(const nlohmann::json& jwks, std::string_view url = {},
                             const ParseOptions& options = {});

namespace detail {
// Parses untrusted JSON text within `limits` (bytes and depth → limit_exceeded); a syntax error
// → Error(invalid, "<what> is not valid JSON …"). Shared by directories and agent cards.
Result<nlohmann::json> parse_bounded_json(std::string_view text, const Limits& limits,
                                          Reason invalid, std::string_view what);
}  // namespace detail

}  // namespace wba::directory
