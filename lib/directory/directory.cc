#include "wba/directory/directory.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "wba/crypto/algorithm.h"
#include "wba/http/fields.h"
#include "wba/jose/thumbprint.h"

namespace wba::directory {

namespace detail {

struct DirectoryAccess {
  static Directory& add_key(Directory& d, DirectoryKey key) {
    d.by_thumbprint_.emplace(key.thumbprint(), d.keys_.size());
    d.keys_.push_back(std::move(key));
    return d;
  }
  static void add_refused(Directory& d, RefusedKey r) { d.refused_.push_back(std::move(r)); }
  static const DirectoryKey* by_thumbprint(const Directory& d, std::string_view t) {
    auto it = d.by_thumbprint_.find(t);
    return it == d.by_thumbprint_.end() ? nullptr : &d.keys_[it->second];
  }
};

namespace {

// The deepest nesting of arrays/objects in `text`, stopping early once above `limit`. Strings
// are skipped so brackets inside them do not count; malformed text is left to the parser.
std::size_t json_depth(std::string_view text, std::size_t limit) {
  std::size_t depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
      if (deepest > limit) return deepest;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

}  // namespace

Result<nlohmann::json> parse_bounded_json(std::string_view text, const Limits& limits,
                                          Reason invalid, std::string_view what) {
  if (text.size() > limits.max_body_bytes) {
    return Error(Reason::limit_exceeded, std::string(what) + " has " + std::to_string(text.size()) +
                                             " bytes, more than the limit of " +
                                             std::to_string(limits.max_body_bytes));
  }
  if (json_depth(text, limits.max_json_depth) > limits.max_json_depth) {
    return Error(Reason::limit_exceeded, std::string(what) + " nests JSON deeper than " +
                                             std::to_string(limits.max_json_depth) + " levels");
  }
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Error(invalid, std::string(what) + " is not valid JSON");
  return j;
}

}  // namespace detail

namespace {

using detail::DirectoryAccess;

constexpr std::array<const char*, 8> kPrivateMembers = {"d",  "p",  "q",   "dp",
                                                        "dq", "qi", "oth", "k"};

Error refuse(Reason r, std::string detail) { return Error(r, std::move(detail)); }

// nbf / exp: JSON numbers of Unix seconds (as JWT NumericDate, RFC 7519 §2, which allows
// fractions). Anything else refuses the key rather than ignoring a bound the publisher set.
Result<std::optional<std::int64_t>> time_member(const nlohmann::json& jwk, const char* name) {
  auto it = jwk.find(name);
  if (it == jwk.end()) return std::optional<std::int64_t>();
  const std::string what = std::string("JWK member \"") + name + "\"";
  if (it->is_number_integer() && !it->is_number_unsigned()) {
    return std::optional<std::int64_t>(it->get<std::int64_t>());
  }
  if (it->is_number_unsigned()) {
    auto u = it->get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return Error(Reason::invalid_key, what + " is out of range");
    }
    return std::optional<std::int64_t>(static_cast<std::int64_t>(u));
  }
  if (it->is_number_float()) {
    double v = std::floor(it->get<double>());
    // 2^63 is exactly representable; anything at or above it does not fit.
    if (!std::isfinite(v) || v >= 9223372036854775808.0 || v < -9223372036854775808.0) {
      return Error(Reason::invalid_key, what + " is out of range");
    }
    return std::optional<std::int64_t>(static_cast<std::int64_t>(v));
  }
  return Error(Reason::invalid_key, what + " is not a number (Unix seconds)");
}

// Builds one usable key from a "keys" entry, or the error that refuses it.
Result<DirectoryKey> load_entry(const nlohmann::json& jwk, std::size_t index,
                                const ParseOptions& options) {
  if (!jwk.is_object()) return refuse(Reason::invalid_key, "not a JSON object");
  // A published private member means the key is compromised: refuse it loudly rather than
  // quietly using its public half (RFC 7517 §9.3; the directory is public).
  for (const char* m : kPrivateMembers) {
    if (jwk.contains(m)) {
      return refuse(Reason::private_key_in_directory,
                    std::string("JWK carries the private member \"") + m + "\"");
    }
  }
  auto kty = jwk.find("kty");
  if (kty == jwk.end() || !kty->is_string()) {
    return refuse(Reason::invalid_key, "JWK member \"kty\" is missing or not a string");
  }
  if (*kty == "oct") {
    return refuse(Reason::unsupported_algorithm,
                  "symmetric (oct) keys are not allowed: HMAC is forbidden (§6.4)");
  }
  // A key published for encryption is not a signing key (RFC 7517 §4.2).
  if (auto use = jwk.find("use"); use != jwk.end() && (!use->is_string() || *use != "sig")) {
    return refuse(Reason::invalid_key, "JWK member \"use\" is not \"sig\"");
  }
  WBA_TRY(auto nbf, time_member(jwk, "nbf"));
  WBA_TRY(auto exp, time_member(jwk, "exp"));

  std::optional<Algorithm> alg;
  if (*kty == "RSA" && !jwk.contains("alg")) alg = Algorithm::rsa_pss_sha512;
  WBA_TRY(VerifyingKey key, VerifyingKey::from_jwk(jwk, alg));
  if (is_symmetric(key.algorithm())) {
    return refuse(Reason::unsupported_algorithm, "HMAC is forbidden (§6.4)");
  }
  // A JWK `alg` of a JOSE-only algorithm (PS256) names no HTTP Signature Algorithm.
  if (!is_http_signature_algorithm(key.algorithm())) {
    return refuse(Reason::unsupported_algorithm,
                  "JWK alg \"" + std::string(jose_name(key.algorithm())) +
                      "\" is not an HTTP Signature Algorithm (RFC 9421 §3.3)");
  }
  DirectoryKey out{key, index, KidMatch::absent, nbf, exp};
  if (const auto& kid = key.kid()) {
    out.kid_match = *kid == key.thumbprint() ? KidMatch::thumbprint : KidMatch::other;
    if (out.kid_match == KidMatch::other && options.require_kid_thumbprint) {
      return refuse(Reason::keyid_mismatch, "kid \"" + *kid +
                                                "\" is not the key's RFC 7638 thumbprint \"" +
                                                key.thumbprint() + "\" (§5.5)");
    }
  }
  return out;
}

RefusedKey refused_entry(const nlohmann::json& jwk, std::size_t index, Error error) {
  RefusedKey r{index, std::move(error), std::nullopt, std::nullopt};
  if (!jwk.is_object()) return r;
  if (auto kid = jwk.find("kid"); kid != jwk.end() && kid->is_string()) {
    r.kid = kid->get<std::string>();
  }
  // Naming the key helps the publisher find it; an oct thumbprint would hash a secret.
  if (auto kty = jwk.find("kty"); kty != jwk.end() && *kty != "oct") {
    if (auto t = jwk_thumbprint(jwk)) r.thumbprint = std::move(t).value();
  }
  return r;
}

}  // namespace

bool is_directory_media_type(std::string_view content_type) noexcept {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  auto ows = [](char c) { return c == ' ' || c == '\t'; };
  while (!type.empty() && ows(type.front())) type.remove_prefix(1);
  while (!type.empty() && ows(type.back())) type.remove_suffix(1);
  return http::iequals(type, kMediaType) || http::iequals(type, kLegacyMediaType);
}

bool DirectoryKey::valid_at(std::int64_t now) const noexcept {
  if (not_before && now < *not_before) return false;
  if (expires && now >= *expires) return false;
  return true;
}

const DirectoryKey* Directory::find(std::string_view thumbprint, std::int64_t now) const noexcept {
  const DirectoryKey* k = find_any(thumbprint);
  return k && k->valid_at(now) ? k : nullptr;
}

const DirectoryKey* Directory::find_any(std::string_view thumbprint) const noexcept {
  return DirectoryAccess::by_thumbprint(*this, thumbprint);
}

Result<VerifyingKey> Directory::lookup(std::string_view url, std::string_view thumbprint,
                                       std::int64_t now) const {
  if (url != url_) {
    return Error(Reason::key_not_found,
                 "directory of \"" + url_ + "\" asked for a key of \"" + std::string(url) + "\"");
  }
  const DirectoryKey* k = find_any(thumbprint);
  if (!k) {
    return Error(Reason::key_not_found,
                 "no key \"" + std::string(thumbprint) + "\" in the directory of \"" + url_ + "\"");
  }
  if (!k->valid_at(now)) {
    return Error(Reason::key_not_found, "key \"" + std::string(thumbprint) +
                                            "\" is outside its nbf/exp at " + std::to_string(now));
  }
  return k->key;
}

std::vector<VerifyingKey> Directory::keys_valid_at(std::int64_t now) const {
  std::vector<VerifyingKey> out;
  for (const auto& k : keys_) {
    if (k.valid_at(now)) out.push_back(k.key);
  }
  return out;
}

Result<Directory> parse_jwks(const nlohmann::json& jwks, std::string_view url,
                             const ParseOptions& options) {
  if (!jwks.is_object()) {
    return Error(Reason::directory_invalid, "a JWK Set must be a JSON object ({\"keys\": [...]})");
  }
  auto keys = jwks.find("keys");
  if (keys == jwks.end() || !keys->is_array()) {
    return Error(Reason::directory_invalid, "a JWK Set needs a \"keys\" array (RFC 7517 §5)");
  }
  if (keys->size() > options.limits.max_keys) {
    return Error(Reason::limit_exceeded, "the JWK Set has " + std::to_string(keys->size()) +
                                             " keys, more than the limit of " +
                                             std::to_string(options.limits.max_keys));
  }
  Directory d;
  d.set_url(std::string(url));
  std::size_t index = 0;
  for (const auto& jwk : *keys) {
    auto entry = load_entry(jwk, index, options);
    if (entry) {
      if (const DirectoryKey* earlier = d.find_any(entry->thumbprint())) {
        // One key, two entries (say with different `alg`): keep the first, refuse the rest.
        DirectoryAccess::add_refused(
            d, refused_entry(jwk, index,
                             Error(Reason::invalid_key,
                                   "same key as keys[" + std::to_string(earlier->index) + "]")));
      } else {
        DirectoryAccess::add_key(d, std::move(entry).value());
      }
    } else {
      DirectoryAccess::add_refused(d, refused_entry(jwk, index, std::move(entry).error()));
    }
    ++index;
  }
  return d;
}

Result<Directory> parse_directory(std::string_view body, std::string_view url,
                                  const ParseOptions& options) {
  WBA_TRY(nlohmann::json j,
          detail::parse_bounded_json(body, options.limits, Reason::directory_invalid,
                                     "the directory body"));
  return parse_jwks(j, url, options);
}

}  // namespace wba::directory
