#include "wba/token/access_token.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <new>
#include <utility>

#include "crypto/hash.h"
#include "token/jose_rules.h"
#include "wba/encoding/base64.h"
#include "wba/jose/json.h"

namespace wba::token {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxJsonDepth = 32;
constexpr std::size_t kMaxKidBytes = 256;
constexpr std::size_t kMaxActorSubBytes = 1024;
constexpr std::size_t kMaxIntrospectionBytes = 64 * 1024;
constexpr std::size_t kSha256Base64urlChars = 43;  // 32 bytes, unpadded

// RFC 8725 §3.11: JWTs of other kinds that a confused or malicious party may present as access
// tokens. Refused before the issuer is even known, whatever its typ policy.
bool is_other_jwt_kind(std::string_view subtype) {
  return subtype == "dpop+jwt" || subtype == "token-introspection+jwt" || subtype == "wit+jwt" ||
         (subtype.starts_with("aa-") && subtype.ends_with("+jwt"));
}

std::int64_t effective_skew(std::int64_t configured) {
  return std::clamp<std::int64_t>(configured, 0, kMaxClockSkew);
}

// Step 8.3–8.5: `now < exp + skew`, `now ≥ nbf − skew`, `iat ≤ now + skew`.
Status check_times(std::int64_t exp, std::optional<std::int64_t> nbf,
                   std::optional<std::int64_t> iat, std::int64_t skew, std::int64_t now) {
  if (!(now < exp + skew)) {
    return Error(Reason::token_expired, "expired at " + std::to_string(exp) + ", now " +
                                            std::to_string(now) + " (skew " + std::to_string(skew) +
                                            " s)");
  }
  if (nbf && now < *nbf - skew) {
    return Error(Reason::token_not_yet_valid,
                 "not valid before " + std::to_string(*nbf) + ", now " + std::to_string(now));
  }
  if (iat && *iat > now + skew) {
    return Error(Reason::token_issued_in_future,
                 "issued at " + std::to_string(*iat) + ", now " + std::to_string(now));
  }
  return {};
}

Result<std::optional<std::string>> optional_string(const json& object, const std::string& name,
                                                   Reason reason, const std::string& where) {
  auto it = object.find(name);
  if (it == object.end()) return std::optional<std::string>();
  if (!it->is_string()) return Error(reason, where + "\"" + name + "\" is not a string");
  return std::optional<std::string>(it->get<std::string>());
}

// RFC 9068 §2.2: present, a string, not empty.
Result<std::string> required_string(const json& claims, const std::string& name) {
  auto it = claims.find(name);
  if (it == claims.end()) return Error(Reason::missing_claim, "no \"" + name + "\" claim");
  if (!it->is_string()) return Error(Reason::invalid_claim, "\"" + name + "\" is not a string");
  if (it->get_ref<const std::string&>().empty()) {
    return Error(Reason::missing_claim, "\"" + name + "\" is empty");
  }
  return it->get<std::string>();
}

// C0 controls, DEL and the C1 controls (U+0080–U+009F, UTF-8 C2 80–C2 9F): an actor id is
// logged and shown; none of these belongs in one.
bool has_control_character(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) return true;
    if (c == 0xC2 && i + 1 < s.size()) {
      const auto next = static_cast<unsigned char>(s[i + 1]);
      if (next >= 0x80 && next <= 0x9F) return true;
    }
  }
  return false;
}

// Step 8.2. Every failure is invalid_audience: the token was not issued for this resource.
Result<std::vector<std::string>> read_audience(const json& claims, const IssuerPolicy& policy,
                                               bool required) {
  std::vector<std::string> audience;
  auto it = claims.find("aud");
  if (it == claims.end()) {
    if (!required) return audience;
    return Error(Reason::invalid_audience, "no \"aud\" claim");
  }
  if (it->is_string()) {
    audience.push_back(it->get<std::string>());
  } else if (it->is_array()) {
    for (const auto& a : *it) {
      if (!a.is_string()) {
        return Error(Reason::invalid_audience, "\"aud\" holds a value that is not a string");
      }
      audience.push_back(a.get<std::string>());
    }
  } else {
    return Error(Reason::invalid_audience, "\"aud\" is neither a string nor an array");
  }
  for (const auto& mine : policy.audiences) {
    if (std::find(audience.begin(), audience.end(), mine) != audience.end()) return audience;
  }
  return Error(Reason::invalid_audience, "\"aud\" does not name this resource");
}

// Step 9.1: the RFC 8693 §4.1 chain, walked without recursion, outermost actor first.
Result<std::vector<Actor>> read_actor_chain(const json& claims, const IssuerPolicy& policy) {
  std::vector<Actor> chain;
  auto it = claims.find("act");
  if (it == claims.end()) return chain;
  const std::size_t limit = std::min(policy.max_act_depth, kMaxActDepthCap);
  const json* node = &*it;
  while (true) {
    const std::string at = "act[" + std::to_string(chain.size()) + "]: ";
    if (!node->is_object()) return Error(Reason::invalid_act, at + "not a JSON object");
    if (chain.size() + 1 > limit) {
      return Error(Reason::act_chain_too_deep,
                   "the act chain is deeper than " + std::to_string(limit));
    }
    Actor actor;
    auto sub = node->find("sub");
    if (sub == node->end() || !sub->is_string()) {
      return Error(Reason::invalid_act, at + "\"sub\" is missing or not a string");
    }
    actor.sub = sub->get<std::string>();
    if (actor.sub.empty() || actor.sub.size() > kMaxActorSubBytes ||
        has_control_character(actor.sub)) {
      return Error(Reason::invalid_act,
                   at + "\"sub\" is empty, longer than 1024 bytes or holds control characters");
    }
    WBA_TRY(actor.iss, optional_string(*node, "iss", Reason::invalid_act, at));
    if (actor.iss && actor.iss->empty()) return Error(Reason::invalid_act, at + "\"iss\" is empty");
    if (!actor.iss && policy.require_act_iss) {
      return Error(Reason::invalid_act, at + "\"iss\" is required (actor profile)");
    }
    WBA_TRY(actor.sub_profile, optional_string(*node, "sub_profile", Reason::invalid_act, at));
    WBA_TRY(actor.client_id, optional_string(*node, "client_id", Reason::invalid_act, at));
    // exp, nbf, aud and anything else inside act mean nothing (RFC 8693 §4.1).
    chain.push_back(std::move(actor));
    auto next = node->find("act");
    if (next == node->end()) break;
    node = &*next;
  }
  return chain;
}

// Step 9.2.
Result<std::optional<Actor>> read_may_act(const json& claims) {
  auto it = claims.find("may_act");
  if (it == claims.end()) return std::optional<Actor>();
  const std::string at = "may_act: ";
  if (!it->is_object()) return Error(Reason::invalid_claim, at + "not a JSON object");
  auto sub = it->find("sub");
  if (sub == it->end() || !sub->is_string() || sub->get_ref<const std::string&>().empty()) {
    return Error(Reason::invalid_claim, at + "\"sub\" is missing, empty or not a string");
  }
  Actor actor;
  actor.sub = sub->get<std::string>();
  WBA_TRY(actor.iss, optional_string(*it, "iss", Reason::invalid_claim, at));
  WBA_TRY(actor.sub_profile, optional_string(*it, "sub_profile", Reason::invalid_claim, at));
  WBA_TRY(actor.client_id, optional_string(*it, "client_id", Reason::invalid_claim, at));
  return std::optional<Actor>(std::move(actor));
}

Error invalid_cnf(std::string detail) { return Error(Reason::invalid_cnf, "cnf: " + detail); }

// RFC 9449 §6.1: the jkt is compared as a string with thumbprints, so only the canonical
// encoding of 32 bytes can ever match one.
Status check_jkt(const json& value) {
  if (!value.is_string() || value.get_ref<const std::string&>().size() != kSha256Base64urlChars ||
      !base64url_decode(value.get<std::string>()).ok()) {
    return invalid_cnf("\"jkt\" is not a base64url SHA-256 thumbprint");
  }
  return {};
}

// RFC 8705 §3.1. Its own example value ("…dN-dg2") sets the two spare bits of the last
// character, so they are cleared rather than refused: the canonical form is what a hash of the
// client certificate will be compared with.
Result<std::string> canonical_x5t_s256(const json& value) {
  const Error bad = invalid_cnf("\"x5t#S256\" is not a base64url SHA-256 value");
  if (!value.is_string() || value.get_ref<const std::string&>().size() != kSha256Base64urlChars) {
    return bad;
  }
  constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string canonical = value.get<std::string>();
  const auto last = kAlphabet.find(canonical.back());
  if (last == std::string_view::npos) return bad;
  canonical.back() = kAlphabet[last & ~std::size_t{3}];  // 43 × 6 = 256 + 2 spare bits
  if (!base64url_decode(canonical).ok()) return bad;
  return canonical;
}

// RFC 7800 §3.2: a public key. The key layer validates it (point on the curve, sizes).
Status read_cnf_jwk(const json& jwk, Confirmation& out) {
  if (!jwk.is_object()) return invalid_cnf("\"jwk\" is not a JSON object");
  if (const char* m = detail::private_member(jwk)) {
    return invalid_cnf(std::string("\"jwk\" carries the private member \"") + m + "\"");
  }
  auto kty = jwk.find("kty");
  if (kty == jwk.end() || !kty->is_string() || (*kty != "OKP" && *kty != "EC" && *kty != "RSA")) {
    return invalid_cnf("\"jwk\" is not an OKP, EC or RSA public key");
  }
  // The thumbprint does not depend on the algorithm; an RSA key just needs one to load.
  json bare = jwk;
  bare.erase("alg");
  auto key = VerifyingKey::from_jwk(
      bare, *kty == "RSA" ? std::optional<Algorithm>(Algorithm::rsa_v1_5_sha256) : std::nullopt);
  if (!key.ok()) return invalid_cnf("\"jwk\": " + key.error().detail);
  out.method = Confirmation::Method::jwk;
  out.key_thumbprint = key->thumbprint();
  out.jwk = jwk;
  return {};
}

// draft-richer-oauth-httpsig §4: {alg: an HTTP Signature Algorithm, pub: the raw public key}.
Status read_cnf_htsk(const json& htsk, Confirmation& out) {
  if (!htsk.is_object()) return invalid_cnf("\"htsk\" is not a JSON object");
  auto alg_it = htsk.find("alg");
  auto pub_it = htsk.find("pub");
  if (alg_it == htsk.end() || !alg_it->is_string() || pub_it == htsk.end() ||
      !pub_it->is_string()) {
    return invalid_cnf("\"htsk\" needs string members \"alg\" and \"pub\"");
  }
  auto alg = algorithm_from_name(alg_it->get<std::string>());
  if (!alg.ok()) return invalid_cnf("\"htsk.alg\" is not an HTTP Signature Algorithm");
  auto pub = base64url_decode(pub_it->get<std::string>());
  if (!pub.ok()) return invalid_cnf("\"htsk.pub\" is not base64url");
  json jwk;
  switch (*alg) {
    case Algorithm::ed25519:
      if (pub->size() != 32) return invalid_cnf("\"htsk.pub\" is not a 32-byte Ed25519 key");
      jwk = {{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", base64url_encode(*pub)}};
      break;
    case Algorithm::ecdsa_p256_sha256:
    case Algorithm::ecdsa_p384_sha384: {
      // SEC 1 §2.3.3 uncompressed point: 0x04 ‖ x ‖ y.
      const bool p256 = *alg == Algorithm::ecdsa_p256_sha256;
      const std::size_t field = p256 ? 32 : 48;
      if (pub->size() != 1 + 2 * field || (*pub)[0] != '\x04') {
        return invalid_cnf("\"htsk.pub\" is not an uncompressed EC point of the algorithm's curve");
      }
      jwk = {{"kty", "EC"},
             {"crv", p256 ? "P-256" : "P-384"},
             {"x", base64url_encode(std::string_view(*pub).substr(1, field))},
             {"y", base64url_encode(std::string_view(*pub).substr(1 + field, field))}};
      break;
    }
    case Algorithm::hmac_sha256:
      return invalid_cnf("\"htsk.alg\" names a symmetric algorithm");
    default:
      return Error(Reason::unsupported_cnf_method,
                   "cnf: \"htsk\" keys of " + alg_it->get<std::string>() + " are not supported");
  }
  auto key = VerifyingKey::from_jwk(jwk);
  if (!key.ok()) return invalid_cnf("\"htsk.pub\": " + key.error().detail);
  jwk["alg"] = std::string(jose_name(*alg));
  out.method = Confirmation::Method::htsk;
  out.key_thumbprint = key->thumbprint();
  out.jwk = std::move(jwk);
  return {};
}

// Step 9.3: RFC 7800 §3.1, one key only.
Result<Confirmation> read_cnf(const json& claims) {
  Confirmation out;
  auto it = claims.find("cnf");
  if (it == claims.end()) return out;
  if (!it->is_object()) return invalid_cnf("not a JSON object");
  constexpr std::array<const char*, 4> kSupported = {"jkt", "jwk", "x5t#S256", "htsk"};
  // RFC 7800 §3.3–§3.5 methods this resource server cannot use.
  constexpr std::array<const char*, 3> kUnsupported = {"jwe", "kid", "jku"};
  std::size_t supported = 0;
  std::size_t unsupported = 0;
  for (const char* m : kSupported) supported += it->contains(m) ? 1 : 0;
  for (const char* m : kUnsupported) unsupported += it->contains(m) ? 1 : 0;
  if (supported == 0 && unsupported > 0) {
    return Error(Reason::unsupported_cnf_method,
                 "cnf: the jwe, kid and jku confirmation methods are not supported");
  }
  if (supported == 0) return invalid_cnf("no confirmation method");
  // jku may come with kid (RFC 7800 §3.5); with any other it is a second key.
  if (supported + unsupported > 1) return invalid_cnf("more than one confirmation key");
  const json& cnf = *it;
  if (auto v = cnf.find("jkt"); v != cnf.end()) {
    WBA_CHECK(check_jkt(*v));
    out.method = Confirmation::Method::jkt;
    out.key_thumbprint = v->get<std::string>();
  } else if (auto v = cnf.find("x5t#S256"); v != cnf.end()) {
    WBA_TRY(out.x5t_s256, canonical_x5t_s256(*v));
    out.method = Confirmation::Method::x5t_s256;
  } else if (auto v = cnf.find("jwk"); v != cnf.end()) {
    WBA_CHECK(read_cnf_jwk(*v, out));
  } else {
    WBA_CHECK(read_cnf_htsk(cnf.at("htsk"), out));
  }
  return out;
}

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
bool is_scope_token(std::string_view s) {
  if (s.empty()) return false;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x21 || c > 0x7E || c == 0x22 || c == 0x5C) return false;
  }
  return true;
}

// Step 13: a space-separated string (RFC 8693 §4.2); an array only for issuers configured with
// another claim, such as Entra's and Okta's `scp`.
Result<std::vector<std::string>> read_scopes(const json& claims, const IssuerPolicy& policy) {
  std::vector<std::string> scopes;
  auto it = claims.find(policy.scope_claim);
  if (it == claims.end()) return scopes;
  const std::string at = "\"" + policy.scope_claim + "\": ";
  auto add = [&](std::string_view token) -> Status {
    if (!is_scope_token(token)) {
      return Error(Reason::invalid_claim,
                   at + "\"" + std::string(token) + "\" is not a scope token (RFC 6749 §3.3)");
    }
    if (std::find(scopes.begin(), scopes.end(), token) == scopes.end()) {
      scopes.emplace_back(token);
    }
    return {};
  };
  if (it->is_string()) {
    std::string_view rest = it->get_ref<const std::string&>();
    if (rest.empty()) return scopes;  // no scope granted
    while (true) {
      const auto space = rest.find(' ');
      WBA_CHECK(add(rest.substr(0, space)));
      if (space == std::string_view::npos) break;
      rest.remove_prefix(space + 1);
    }
  } else if (it->is_array() && policy.scope_claim != "scope") {
    for (const auto& s : *it) {
      if (!s.is_string()) return Error(Reason::invalid_claim, at + "holds a non-string");
      WBA_CHECK(add(s.get_ref<const std::string&>()));
    }
  } else {
    return Error(Reason::invalid_claim, at + "is not a space-separated string");
  }
  return scopes;
}

Result<std::optional<std::int64_t>> read_date(const json& claims, const char* name, bool round_up) {
  WBA_TRY(std::optional<double> v, detail::numeric_date(claims, name, Reason::invalid_claim));
  if (!v) return std::optional<std::int64_t>();
  // Fractions round towards the stricter side: exp down, nbf and iat up.
  return std::optional<std::int64_t>(
      static_cast<std::int64_t>(round_up ? std::ceil(*v) : std::floor(*v)));
}

// Steps 8.2–8.7, 9 and 13 on a claim set. `jwt`: RFC 9068 requirements (exp, iat, jti
// required); otherwise an RFC 7662 response, where they are optional.
Status read_claims(const json& claims, const IssuerPolicy& policy, std::int64_t now, bool jwt,
                   AccessToken& out) {
  const std::int64_t skew = effective_skew(policy.clock_skew);
  out.clock_skew = skew;
  // An introspection response without aud is acceptable only when no audience is configured.
  WBA_TRY(out.audience, read_audience(claims, policy, jwt || !policy.audiences.empty()));

  WBA_TRY(std::optional<std::int64_t> exp, read_date(claims, "exp", false));
  WBA_TRY(std::optional<std::int64_t> nbf, read_date(claims, "nbf", true));
  WBA_TRY(std::optional<std::int64_t> iat, read_date(claims, "iat", true));
  if (jwt && !exp) return Error(Reason::missing_claim, "no \"exp\" claim (RFC 9068 §2.2)");
  if (jwt && !iat) return Error(Reason::missing_claim, "no \"iat\" claim (RFC 9068 §2.2)");
  // RFC 7662 §4: nothing may be used past exp. Without one, the response is good for this
  // request only (and a cached copy for the skew at most).
  out.expires_at = exp.value_or(now);
  out.not_before = nbf;
  out.issued_at = iat.value_or(0);
  WBA_CHECK(check_times(out.expires_at, nbf, iat, skew, now));
  if (policy.max_token_lifetime && exp && iat && *exp - *iat > *policy.max_token_lifetime) {
    return Error(Reason::token_lifetime_exceeded,
                 "exp − iat = " + std::to_string(*exp - *iat) + " s; at most " +
                     std::to_string(*policy.max_token_lifetime) + " are allowed");
  }

  WBA_TRY(out.subject, required_string(claims, "sub"));
  WBA_TRY(out.client_id, required_string(claims, policy.client_id_claim));
  if (jwt) {
    WBA_TRY(out.jti, required_string(claims, "jti"));
  } else {
    WBA_TRY(auto jti, optional_string(claims, "jti", Reason::invalid_claim, ""));
    out.jti = jti.value_or("");
  }
  WBA_TRY(out.sub_profile, optional_string(claims, "sub_profile", Reason::invalid_claim, ""));

  WBA_TRY(out.actor_chain, read_actor_chain(claims, policy));
  WBA_TRY(out.may_act, read_may_act(claims));
  WBA_TRY(out.cnf, read_cnf(claims));
  WBA_TRY(out.scopes, read_scopes(claims, policy));
  if (auto it = claims.find("authorization_details"); it != claims.end()) {
    out.authorization_details = *it;
  }
  return {};
}

}  // namespace

Result<JwtCandidate> parse_access_token(std::string_view token, std::size_t max_token_bytes) {
  if (token.size() > max_token_bytes) {
    return Error(Reason::limit_exceeded, "the token has " + std::to_string(token.size()) +
                                             " bytes; at most " + std::to_string(max_token_bytes) +
                                             " are allowed");
  }
  // Step 3: only a three-segment token is a JWS; a JWE (five) or anything else is opaque.
  const auto dots = std::count(token.begin(), token.end(), '.');
  if (dots != 2) {
    return Error(Reason::unsupported_token_format,
                 dots == 4 ? "encrypted tokens (JWE) are not supported" : "not a JWT");
  }
  JwtCandidate c;
  WBA_TRY(c.jws, jose::parse_compact_jws(token, {max_token_bytes, kMaxJsonDepth}));
  const json& header = c.jws.header;

  // Step 4.2: the closed allowlist; none and HS* never get further.
  WBA_TRY(c.alg, jose::jws_algorithm_from_name(header.at("alg").get<std::string>()));
  // Step 4.3, the part that needs no issuer policy.
  if (auto typ = header.find("typ"); typ != header.end()) {
    if (!typ->is_string()) return Error(Reason::invalid_typ, "\"typ\" is not a string");
    const std::string subtype = detail::media_subtype(typ->get<std::string>());
    if (is_other_jwt_kind(subtype)) {
      return Error(Reason::invalid_typ, "typ \"" + typ->get<std::string>() +
                                            "\" is not an access token (RFC 8725 §3.11)");
    }
  }
  // Step 4.4: no extension is understood here (RFC 7515 §4.1.11).
  if (header.contains("crit")) {
    return Error(Reason::malformed_jwt, "the header has \"crit\"; no extension is supported");
  }
  // Step 4.6: an opaque identifier, only ever compared.
  if (auto kid = header.find("kid"); kid != header.end()) {
    if (!kid->is_string() || kid->get_ref<const std::string&>().empty() ||
        kid->get_ref<const std::string&>().size() > kMaxKidBytes) {
      return Error(Reason::malformed_jwt, "\"kid\" is not a string of 1 to 256 bytes");
    }
    c.kid = kid->get<std::string>();
  }

  // Step 5 needs `iss` before any key is fetched; the payload is parsed strictly once, here.
  auto payload = jose::parse_strict_json(c.jws.payload, {max_token_bytes, kMaxJsonDepth});
  if (!payload.ok()) return Error(Reason::malformed_jwt, "payload: " + payload.error().detail);
  if (!payload->is_object()) return Error(Reason::malformed_jwt, "the payload is not an object");
  c.payload = std::move(payload).value();
  auto iss = c.payload.find("iss");
  if (iss == c.payload.end() || !iss->is_string()) {
    return Error(Reason::untrusted_issuer, "the token has no string \"iss\"");
  }
  c.issuer = iss->get<std::string>();
  return c;
}

Result<AccessToken> validate_access_token(std::string_view token, const JwtCandidate& candidate,
                                          const IssuerPolicy& policy, const IssuerKeySet& keys,
                                          std::int64_t now) {
  if (!token.starts_with(candidate.jws.signing_input)) {
    return Error(Reason::invalid_argument, "the candidate was not parsed from this token");
  }
  const json& header = candidate.jws.header;
  // Step 4.2: the issuer's own allowlist.
  if (std::find(policy.allowed_algs.begin(), policy.allowed_algs.end(), candidate.alg) ==
      policy.allowed_algs.end()) {
    return Error(Reason::alg_not_allowed, "JWS alg " + std::string(jose::to_string(candidate.alg)) +
                                              " is not allowed for " + policy.issuer);
  }
  // Step 4.3 (RFC 9068 §4).
  std::string typ;
  if (auto it = header.find("typ"); it != header.end()) {
    if (!it->is_string()) return Error(Reason::invalid_typ, "\"typ\" is not a string");
    typ = it->get<std::string>();
    const std::string subtype = detail::media_subtype(typ);
    if (subtype != "at+jwt" && !(policy.lenient_typ && subtype == "jwt")) {
      return Error(Reason::invalid_typ, "typ \"" + typ + "\" is not at+jwt (RFC 9068 §4)");
    }
  } else if (!policy.lenient_typ) {
    return Error(Reason::invalid_typ, "no \"typ\"; at+jwt is required (RFC 9068 §4)");
  }
  // Step 4.5: keys are only ever taken from the issuer's JWKS (RFC 8725 §3.10).
  if (policy.strict_headers) {
    for (const char* name : {"jku", "jwk", "x5u", "x5c"}) {
      if (header.contains(name)) {
        return Error(Reason::malformed_jwt,
                     std::string("the header carries \"") + name + "\" (strict_headers)");
      }
    }
  }
  // Step 5 (and 8.1): byte-for-byte.
  if (candidate.issuer != policy.issuer) {
    return Error(Reason::untrusted_issuer,
                 "iss \"" + candidate.issuer + "\" is not " + policy.issuer);
  }
  // Steps 6 and 7.
  WBA_TRY(VerifyingKey key, keys.select(candidate.kid, candidate.alg));
  WBA_CHECK(jose::verify_jws(candidate.jws, candidate.alg, key));

  AccessToken out;
  out.format = AccessToken::Format::jwt;
  out.issuer = candidate.issuer;
  WBA_CHECK(read_claims(candidate.payload, policy, now, /*jwt=*/true, out));
  out.sha256 = token_hash(token);
  out.alg = header.at("alg").get<std::string>();
  out.kid = candidate.kid.value_or("");
  out.typ = std::move(typ);
  return out;
}

Result<AccessToken> access_token_from_introspection(std::string_view token,
                                                    std::string_view response_json,
                                                    const IssuerPolicy& policy, std::int64_t now) {
  WBA_TRY(json response,
          jose::parse_strict_json(response_json, {kMaxIntrospectionBytes, kMaxJsonDepth}));
  if (!response.is_object()) {
    return Error(Reason::malformed_json, "the introspection response is not a JSON object");
  }
  // RFC 7662 §2.2: only a JSON true means active.
  auto active = response.find("active");
  if (active == response.end() || !active->is_boolean() || !active->get<bool>()) {
    return Error(Reason::token_inactive, "the introspection response is not \"active\": true");
  }
  AccessToken out;
  out.format = AccessToken::Format::introspection;
  out.issuer = policy.issuer;
  if (auto iss = response.find("iss"); iss != response.end()) {
    if (!iss->is_string() || *iss != policy.issuer) {
      return Error(Reason::untrusted_issuer,
                   "the introspection response's iss is not " + policy.issuer);
    }
  }
  WBA_CHECK(read_claims(response, policy, now, /*jwt=*/false, out));
  WBA_TRY(out.token_type, optional_string(response, "token_type", Reason::invalid_claim, ""));
  if (auto complete = response.find("chain_complete"); complete != response.end()) {
    if (!complete->is_boolean()) {
      return Error(Reason::invalid_claim, "\"chain_complete\" is not a boolean");
    }
    out.chain_complete = complete->get<bool>();
  }
  out.sha256 = token_hash(token);
  return out;
}

Status check_token_time(const AccessToken& token, std::int64_t now) {
  std::optional<std::int64_t> iat;
  if (token.issued_at != 0) iat = token.issued_at;
  return check_times(token.expires_at, token.not_before, iat, effective_skew(token.clock_skew),
                     now);
}

std::string token_hash(std::string_view token) {
  // Computed on every request that presents a token (the cache key). EVP_sha256() makes
  // OpenSSL 3 fetch the implementation again on every digest (a third of the cost for a
  // 500-byte token): it is fetched once here instead. Same digest, same provider.
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (!sha256) return base64url_encode(wba::detail::hash(wba::detail::Hash::sha256, token));
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(token.data(), token.size(), digest, &len, sha256, nullptr) != 1) {
    ERR_clear_error();
    throw std::bad_alloc();
  }
  return base64url_encode(std::string_view(reinterpret_cast<const char*>(digest), len));
}

}  // namespace wba::token
