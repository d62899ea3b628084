// Authorization-server metadata as the token stage needs it: where it lives (RFC 8414 §3.1
// path-inserted well-known URI, or OpenID Connect Discovery §4 appended), and what a fetched
// document must say (RFC 8414 §3.3: `issuer` identical to the configured issuer, byte for byte,
// so that one AS cannot vouch for another — the mix-up defence; `jwks_uri` present). Pure
// functions: fetching and caching are issuer_key_source's.
#pragma once

#include <string>
#include <string_view>

#include "wba/result.h"

namespace wbad {

struct IssuerMetadata {
  std::string issuer;
  std::string jwks_uri;
  std::string introspection_endpoint;  // "" when the AS does not advertise one
};

// "https://as.example/tenant/" → "https://as.example/.well-known/oauth-authorization-server/tenant"
// (a terminating '/' is removed before the insertion).
std::string oauth_metadata_url(std::string_view issuer);
// "https://as.example/tenant/" → "https://as.example/tenant/.well-known/openid-configuration".
std::string oidc_metadata_url(std::string_view issuer);

// A metadata document fetched from `url`: strict JSON (no duplicate members), an object whose
// `issuer` equals `expected_issuer` and whose `jwks_uri` is a non-empty string; an
// `introspection_endpoint`, when present, must be a string. Every failure is
// issuer_metadata_unavailable, the detail naming the URL and the problem.
wba::Result<IssuerMetadata> parse_issuer_metadata(std::string_view body,
                                                  std::string_view expected_issuer,
                                                  std::string_view url);

}  // namespace wbad
