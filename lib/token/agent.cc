// Presenting a token from the agent: the wire form a resource server's binding check expects.
#include "wba/token/agent.h"

#include <algorithm>

#include "wba/token/dpop.h"

namespace wba::token {

Result<sig::LabelledSignature> present_token(http::Request& request, const SigningKey& key,
                                             const profile::AgentSignOptions& sign_options,
                                             std::string_view token,
                                             const TokenPresentationOptions& options) {
  if (options.scheme == Scheme::httpsig) {
    return Error(Reason::unsupported_token_scheme,
                 "the HTTPSig presentation (draft-richer-oauth-httpsig) is not implemented yet");
  }
  // A second Authorization or DPoP line makes the request one that verifiers refuse
  // (invalid_request), so refuse to build it.
  for (const char* name : {"authorization", "dpop"}) {
    if (request.headers.contains(name)) {
      return Error(Reason::invalid_argument,
                   std::string("the request already has a ") + name + " field");
    }
  }
  std::string authorization = std::string(to_string(options.scheme)) + " " + std::string(token);
  {
    // The resource server's own parser decides what is presentable: token68, size limit.
    http::Fields probe;
    probe.add("Authorization", authorization);
    auto found = find_presented_token(probe);
    if (!found) return Error(Reason::invalid_argument, "token: " + found.error().detail);
  }

  std::vector<sig::ComponentId> covered;
  std::vector<std::string_view> names = {"@method", "@path", "authorization"};
  std::optional<std::string> proof;
  if (options.scheme == Scheme::dpop) {
    DpopProofRequest r;
    r.method = request.method;
    r.url = request.target.uri();
    r.access_token = std::string(token);
    r.iat = sign_options.created;
    r.jti = options.dpop_jti;
    r.nonce = options.dpop_nonce;
    WBA_TRY(proof, make_dpop_proof(key, r));
    names.push_back("dpop");
  }
  for (auto n : names) covered.push_back(sig::ComponentId::make(n).value());
  for (const auto& c : sign_options.extra_components) {
    if (std::find(covered.begin(), covered.end(), c) == covered.end()) covered.push_back(c);
  }
  profile::AgentSignOptions o = sign_options;
  o.extra_components = std::move(covered);

  const http::Fields original = request.headers;
  request.headers.add("Authorization", std::move(authorization));
  if (proof) request.headers.add("DPoP", std::move(*proof));
  auto signed_ = profile::sign_request(request, key, o);
  if (!signed_) request.headers = original;
  return signed_;
}

}  // namespace wba::token
