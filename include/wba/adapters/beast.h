// Signs a Boost.Beast request in place with the Web Bot Auth profile. Header-only so that the
// library itself does not depend on Beast: include it only where Beast is already used.
#pragma once

#include <string>
#include <string_view>

#include <boost/beast/http/message.hpp>

#include "wba/profile/web_bot_auth.h"

namespace wba::adapters {

// Adds Signature-Agent, Signature-Input and Signature to `req` (replacing fields of those names
// that the signing merged). The authority is the request's Host field; `scheme` is the one the
// request will be sent with. Errors as profile::sign_request, plus malformed_message for a
// request without Host or with an invalid target.
template <class Body, class Fields>
Status sign_request(boost::beast::http::request<Body, Fields>& req, const SigningKey& key,
                    const profile::AgentSignOptions& options, std::string_view scheme = "https") {
  http::Request r;
  r.method = std::string(req.method_string());
  auto host = req.find(boost::beast::http::field::host);
  if (host == req.end()) return Error(Reason::malformed_message, "request has no Host field");
  WBA_TRY(r.target, http::make_target(scheme, std::string_view(host->value()),
                                      std::string_view(req.target())));
  for (const auto& f : req) {
    r.headers.add(std::string(f.name_string()), std::string(f.value()));
  }
  WBA_CHECK(profile::sign_request(r, key, options));
  for (const char* name : {"Signature-Agent", "Signature-Input", "Signature"}) {
    req.erase(name);
    for (auto v : r.headers.values(name)) req.insert(name, v);
  }
  return {};
}

}  // namespace wba::adapters
