// wbad's own HTTPS transport pointed at the test authorization server, for the tests that
// talk to it directly (RFC 8693 token exchange, the transport's POST): it trusts the test CA
// and may reach the server's port on loopback, nothing else.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include <boost/asio/any_io_executor.hpp>

#include "fetch/beast_transport.h"
#include "fetch/outbound_policy.h"
#include "test_auth_server.h"
#include "wba/token/token_exchange.h"

namespace wbad::testing {

inline std::shared_ptr<fetch::BeastTransport> as_transport(boost::asio::any_io_executor executor,
                                                           const TestPki& pki,
                                                           const TestAuthServer& as) {
  fetch::OutboundConfig oc;
  oc.allowed_ports = {as.port()};
  oc.allow_private = true;
  auto policy =
      std::make_shared<const fetch::OutboundPolicy>(fetch::OutboundPolicy::make(oc).value());
  fetch::TransportConfig tc;
  tc.use_system_ca = false;
  tc.ca_pem = pki.ca_cert_pem;
  return fetch::BeastTransport::make(std::move(executor), std::move(policy), tc).value();
}

// The POST of an RFC 8693 token exchange (`body` from wba::token::token_exchange_body).
inline fetch::FetchRequest token_exchange_post(const TestAuthServer& as, std::string body) {
  fetch::FetchRequest post;
  post.url = as.token_endpoint();
  post.method = "POST";
  post.body = std::move(body);
  post.headers.add("Content-Type", std::string(wba::token::kFormContentType));
  post.headers.add("Accept", "application/json");
  return post;
}

}  // namespace wbad::testing
