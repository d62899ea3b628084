#include "token/issuer_metadata.h"

#include "wba/jose/json.h"

namespace wbad {

namespace {

using wba::Error;
using wba::Reason;

// Splits an issuer URL into origin ("https://as.example:8443") and path without the terminating
// '/' ("/tenant", or "").
std::pair<std::string_view, std::string_view> split_issuer(std::string_view issuer) {
  std::size_t scheme_end = issuer.find("://");
  std::size_t authority_start = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  std::size_t path_start = issuer.find('/', authority_start);
  if (path_start == std::string_view::npos) return {issuer, {}};
  std::string_view path = issuer.substr(path_start);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  return {issuer.substr(0, path_start), path};
}

}  // namespace

std::string oauth_metadata_url(std::string_view issuer) {
  auto [origin, path] = split_issuer(issuer);
  return std::string(origin) + "/.well-known/oauth-authorization-server" + std::string(path);
}

std::string oidc_metadata_url(std::string_view issuer) {
  auto [origin, path] = split_issuer(issuer);
  return std::string(origin) + std::string(path) + "/.well-known/openid-configuration";
}

wba::Result<IssuerMetadata> parse_issuer_metadata(std::string_view body,
                                                  std::string_view expected_issuer,
                                                  std::string_view url) {
  auto fail = [&](const std::string& why) {
    return Error(Reason::issuer_metadata_unavailable, "metadata " + std::string(url) + ": " + why);
  };
  wba::jose::JsonLimits limits;
  limits.max_bytes = 64 * 1024;
  auto json = wba::jose::parse_strict_json(body, limits);
  if (!json) return fail(json.error().message());
  if (!json->is_object()) return fail("not a JSON object");
  IssuerMetadata out;
  auto issuer = json->find("issuer");
  if (issuer == json->end() || !issuer->is_string()) return fail("no \"issuer\" string");
  out.issuer = issuer->get<std::string>();
  if (out.issuer != expected_issuer) {
    // RFC 8414 §3.3: MUST NOT be used. Never echo more than we must: the value is the AS's.
    return fail("\"issuer\" is '" + out.issuer.substr(0, 256) + "', not the configured '" +
                std::string(expected_issuer) + "' (RFC 8414 §3.3)");
  }
  auto jwks = json->find("jwks_uri");
  if (jwks == json->end() || !jwks->is_string() || jwks->get_ref<const std::string&>().empty()) {
    return fail("no \"jwks_uri\" string");
  }
  out.jwks_uri = jwks->get<std::string>();
  if (auto ie = json->find("introspection_endpoint"); ie != json->end()) {
    if (!ie->is_string()) return fail("\"introspection_endpoint\" is not a string");
    out.introspection_endpoint = ie->get<std::string>();
  }
  return out;
}

}  // namespace wbad
