// OAuth access tokens as a resource server validates them before any binding decision:
// RFC 9068 JWT access tokens (RFC 8725 rules) and RFC 7662 introspection responses, reduced to
// one AccessToken value. Steps 3–9 of docs/DELEGATION.md (research delegation.md §4). Pure
// functions of the token, the issuer's policy and keys, and a clock: no I/O. The daemon fetches
// metadata and JWKS, caches AccessToken values by token hash, and re-runs the binding (binding.h)
// on every request.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "wba/crypto/key.h"
#include "wba/jose/jws.h"
#include "wba/result.h"

namespace wba::token {

inline constexpr std::size_t kDefaultMaxActDepth = 4;
inline constexpr std::size_t kMaxActDepthCap = 8;      // configured values above are clamped
inline constexpr std::int64_t kDefaultClockSkew = 60;  // seconds
inline constexpr std::int64_t kMaxClockSkew = 300;     // configured values above are clamped
inline constexpr std::size_t kDefaultMaxTokenBytes = 16 * 1024;

// What one trusted issuer's tokens must satisfy (delegation.md §7 `[[issuer]]`).
struct IssuerPolicy {
  std::string issuer;                  // exact `iss`, byte for byte (RFC 8414 §3.3)
  std::vector<std::string> audiences;  // `aud` must contain one of them (RFC 9068 §4)
  std::vector<jose::JwsAlgorithm> allowed_algs = {
      jose::JwsAlgorithm::ed25519, jose::JwsAlgorithm::es256, jose::JwsAlgorithm::es384,
      jose::JwsAlgorithm::ps256, jose::JwsAlgorithm::rs256};
  bool lenient_typ = false;    // also accept absent `typ` or "JWT" (legacy ASes); off by default
  bool strict_headers = true;  // `jku`/`jwk`/`x5u`/`x5c` in the header → malformed_jwt
  std::int64_t clock_skew = kDefaultClockSkew;
  std::optional<std::int64_t> max_token_lifetime;  // exp − iat above → token_lifetime_exceeded
  std::string client_id_claim = "client_id";       // or "azp" / "appid" for non-9068 ASes
  std::string scope_claim = "scope";               // or "scp" (string or array)
  bool require_act_iss = false;                    // actor-profile conformance
  std::size_t max_act_depth = kDefaultMaxActDepth;
  // `act.iss` namespaces in which opaque (non-URL, non-URN) actor ids may be matched by alias.
  std::vector<std::string> actor_namespaces;
  std::size_t max_token_bytes = kDefaultMaxTokenBytes;
};

// One actor in an RFC 8693 §4.1 chain.
struct Actor {
  std::string sub;
  std::optional<std::string> iss;
  std::optional<std::string> sub_profile;
  std::optional<std::string> client_id;  // RFC 8693 §4.1 examples carry it inside `act`
};

// The RFC 7800 confirmation the token carries.
struct Confirmation {
  enum class Method { none, jkt, jwk, x5t_s256, htsk };
  Method method = Method::none;
  // jkt: its value; jwk/htsk: the RFC 7638 thumbprint of the confirmed key; else empty.
  std::string key_thumbprint;
  // x5t#S256, canonical base64url: spare trailing bits are cleared, since RFC 8705's own example
  // value sets them and a certificate hash to compare with is always canonical.
  std::string x5t_s256;
  // jwk: the public JWK as sent; htsk: the JWK built from `pub`, with `alg` the JOSE name of
  // htsk.alg. What a proof-of-possession check verifies with; null for jkt and x5t#S256.
  nlohmann::json jwk;
};

// A validated access token (Steps 4–9 passed, or an active introspection response).
struct AccessToken {
  enum class Format { jwt, introspection };
  Format format = Format::jwt;
  // base64url SHA-256 of the token text: the cache key, and what is logged (never the token).
  std::string sha256;
  std::string issuer;
  std::string subject;
  std::optional<std::string> sub_profile;
  std::string client_id;
  std::string jti;  // may be empty for introspection responses
  std::vector<std::string> audience;
  std::int64_t issued_at = 0;
  std::int64_t expires_at = 0;
  std::optional<std::int64_t> not_before;
  std::vector<std::string> scopes;  // split, validated (RFC 6749 §3.3), deduplicated, in order
  std::vector<Actor> actor_chain;   // outermost (current actor) first; empty: no `act`
  std::optional<Actor> may_act;
  Confirmation cnf;
  std::optional<std::string> token_type;  // introspection `token_type` ("DPoP", "Bearer", …)
  bool chain_complete = true;             // introspection `chain_complete` = false → false
  std::string alg;                        // JWS alg name as sent (jwt only)
  std::string kid;
  std::string typ;
  nlohmann::json authorization_details;         // RFC 9396, passed through (null when absent)
  std::int64_t clock_skew = kDefaultClockSkew;  // the issuer's, for re-checking time on reuse
};

// A trusted issuer's signing keys (a JWKS, RFC 7517 §5), held as JWKs so that each is turned
// into a VerifyingKey only for the algorithm a token's header names.
class IssuerKeySet {
 public:
  // Parses a JWKS with strict JSON (duplicates refused) within `max_bytes` and `max_keys`.
  // Keys with private members refuse the whole set (invalid_key); keys of unsupported kty, and
  // keys whose kid is not a string, are skipped. Errors: malformed_json, limit_exceeded,
  // invalid_key (not an object with a "keys" array of objects).
  static Result<IssuerKeySet> parse(std::string_view jwks_json, std::size_t max_bytes = 64 * 1024,
                                    std::size_t max_keys = 64);
  // Step 6: the key for `kid` (required when the set holds more than one key; nullopt with one
  // key → that key). Not found → unknown_kid. `use` must be absent or "sig", `key_ops` absent or
  // containing "verify", kty/crv must fit `alg`, a JWK `alg` must equal the header's, RSA keys
  // must have ≥ 2048 bits → else alg_not_allowed.
  Result<VerifyingKey> select(const std::optional<std::string>& kid, jose::JwsAlgorithm alg) const;
  bool contains_kid(std::string_view kid) const;
  std::size_t size() const noexcept { return keys_.size(); }

 private:
  std::vector<nlohmann::json> keys_;
};

// Steps 3–5 with no keys and no I/O: the compact JWS parsed, its header checked (alg in the
// closed allowlist, typ, crit, embedded keys, kid length) and the payload's `iss` peeked so
// that the caller can find that issuer's policy and keys. A non-JWT token (no dots, not three
// segments) → unsupported_token_format (the caller may introspect it instead).
struct JwtCandidate {
  jose::CompactJws jws;
  nlohmann::json payload;  // parsed strictly; validated later
  jose::JwsAlgorithm alg = jose::JwsAlgorithm::ed25519;
  std::optional<std::string> kid;
  std::string issuer;  // the payload's `iss` string (untrusted until validated)
};
// `lenient_typ` is looked up per issuer only after the issuer is known, so typ is checked in
// validate_access_token; this only refuses the always-wrong typs (dpop+jwt, …). Errors:
// limit_exceeded (before any parsing), unsupported_token_format, malformed_jwt (encoding, JSON,
// no string alg, crit, kid not a string of 1–256 bytes), alg_not_allowed, invalid_typ,
// untrusted_issuer (no string iss).
Result<JwtCandidate> parse_access_token(std::string_view token,
                                        std::size_t max_token_bytes = kDefaultMaxTokenBytes);

// Steps 4 (issuer-specific parts), 6–9: alg in the issuer's allowlist, typ, key by kid,
// signature, registered claims with skew, delegation (`act`, `may_act`) and `cnf` structure,
// scopes. `now` in seconds since the epoch.
Result<AccessToken> validate_access_token(std::string_view token, const JwtCandidate& candidate,
                                          const IssuerPolicy& policy, const IssuerKeySet& keys,
                                          std::int64_t now);

// Step 3b: an RFC 7662 response body (JSON) for `token`: `active` must be true (else
// token_inactive), then the same claim checks as a JWT where the members are present (`aud`,
// `exp`, `nbf`, `iat`, `iss` when present must equal policy.issuer), `act`/`may_act`/`cnf`/`scope`
// with the same rules. `sub` and `client_id` are required; `jti` and `iat` are optional. `aud`
// may only be absent when policy.audiences is empty; without `exp` the result expires at `now`
// (good for this request only). A malformed body → malformed_json or limit_exceeded (64 KiB).
Result<AccessToken> access_token_from_introspection(std::string_view token,
                                                    std::string_view response_json,
                                                    const IssuerPolicy& policy, std::int64_t now);

// The time checks alone (exp with skew, nbf, iat), for a cached AccessToken reused later.
Status check_token_time(const AccessToken& token, std::int64_t now);

// base64url(SHA-256(token)): the cache key and the value RFC 9449 `ath` carries.
std::string token_hash(std::string_view token);

}  // namespace wba::token
