#include "wba/directory/serve.h"

#include <memory>
#include <set>

#include <nlohmann/json.hpp>

#include "wba/crypto/content_digest.h"
#include "wba/directory/directory.h"
#include "wba/http/target.h"
#include "wba/sig/component.h"
#include "wba/sig/signer.h"

namespace wba::directory {
namespace {

// The App. B.1 coverage: the authority the client fetched the directory from (`req`: taken
// from the request, §2.4), and the body through its digest.
constexpr std::string_view kCovered = R"("@authority";req "content-digest")";

// Member order follows E.2.3 ({"kty","crv","kid","x","use"}): ordered_json keeps insertion
// order, so the body is reproducible byte for byte.
nlohmann::ordered_json public_entry(const VerifyingKey& key, bool include_alg) {
  const nlohmann::json pub = key.to_jwk();
  nlohmann::ordered_json out;
  out["kty"] = pub.at("kty");
  if (pub.contains("crv")) out["crv"] = pub.at("crv");
  out["kid"] = key.thumbprint();
  for (const char* m : {"x", "y", "n", "e"}) {
    if (pub.contains(m)) out[m] = pub.at(m);
  }
  const Algorithm alg = key.algorithm();
  if (include_alg || alg == Algorithm::rsa_pss_sha512 || alg == Algorithm::rsa_v1_5_sha256) {
    out["alg"] = std::string(jose_name(alg));
  }
  out["use"] = "sig";
  return out;
}

}  // namespace

Result<std::string> directory_body(const std::vector<VerifyingKey>& keys, bool include_alg) {
  if (keys.empty()) return Error(Reason::invalid_argument, "a directory needs at least one key");
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  std::set<std::string, std::less<>> seen;
  for (const auto& key : keys) {
    if (is_symmetric(key.algorithm())) {
      return Error(Reason::unsupported_algorithm,
                   "HMAC keys cannot be published: shared secrets are forbidden (§6.4)");
    }
    // Published without `alg`, a PS256 key would be read back as rsa-pss-sha512.
    if (!is_http_signature_algorithm(key.algorithm())) {
      return Error(Reason::unsupported_algorithm,
                   std::string(jose_name(key.algorithm())) +
                       " is not an HTTP Signature Algorithm (RFC 9421 §3.3)");
    }
    if (!seen.insert(key.thumbprint()).second) {
      return Error(Reason::invalid_argument, "key " + key.thumbprint() + " is given twice");
    }
    list.push_back(public_entry(key, include_alg));
  }
  nlohmann::ordered_json set;
  set["keys"] = std::move(list);
  return set.dump();
}

std::string binding_label(std::size_t index, std::size_t count) {
  return count == 1 ? std::string("binding") : "binding" + std::to_string(index + 1);
}

Result<http::Response> make_directory_response(const std::vector<SigningKey>& keys,
                                               std::string_view authority,
                                               const ServeOptions& options) {
  if (authority.empty() || authority.find_first_of("/?#@ ") != std::string_view::npos) {
    return Error(Reason::invalid_argument,
                 "authority must be host[:port], got \"" + std::string(authority) + "\"");
  }
  if (options.max_age < 0) return Error(Reason::invalid_argument, "max_age must be >= 0");
  const std::int64_t created = options.created.value_or(sig::unix_now());
  const std::int64_t expires =
      options.expires.value_or(created + options.max_age + kSignatureMargin);
  if (expires <= created) {
    return Error(Reason::invalid_argument, "expires (" + std::to_string(expires) +
                                               ") must be after created (" +
                                               std::to_string(created) + ")");
  }

  std::vector<VerifyingKey> public_keys;
  public_keys.reserve(keys.size());
  for (const auto& k : keys) public_keys.push_back(k.verifying_key());
  WBA_TRY(std::string body, directory_body(public_keys, options.include_alg));

  auto target = http::make_target("https", authority, kWellKnownPath);
  if (!target) {
    return Error(Reason::invalid_argument,
                 "authority \"" + std::string(authority) + "\": " + target.error().detail);
  }
  auto request = std::make_shared<http::Request>();
  request->method = "GET";
  request->target = std::move(target).value();
  request->headers.add("Host", request->target.authority);
  request->headers.add("Accept", std::string(kMediaType));

  http::Response response;
  response.status = 200;
  response.headers.add("Content-Type", std::string(kMediaType));
  response.headers.add("Cache-Control", "max-age=" + std::to_string(options.max_age));
  response.headers.add("Content-Digest", make_content_digest(body, {DigestAlgorithm::sha_256}));
  response.body = std::move(body);
  response.request = std::move(request);

  WBA_TRY(auto covered, sig::parse_component_list(kCovered));
  http::Message message(std::move(response));
  for (std::size_t i = 0; i < keys.size(); ++i) {
    sig::SignatureParams params;
    for (const auto& c : covered) WBA_CHECK(params.add_component(c));
    params.set_created(created);
    params.set_expires(expires);
    params.set_keyid(keys[i].thumbprint());
    params.set_tag(std::string(kDirectoryTag));
    WBA_TRY(auto signed_, sig::sign(message, keys[i], binding_label(i, keys.size()), params));
    (void)signed_;
  }

  // sig::sign adds one field line per signature; serve one line per field, each a Dictionary
  // with a member per key (RFC 9421 §4.1 treats both forms alike).
  http::Response out = std::get<http::Response>(std::move(message));
  for (const char* name : {"Signature-Input", "Signature"}) {
    std::string joined;
    for (auto v : out.headers.values(name)) {
      if (!joined.empty()) joined += ", ";
      joined += v;
    }
    out.headers.set(name, std::move(joined));
  }
  return out;
}

}  // namespace wba::directory
