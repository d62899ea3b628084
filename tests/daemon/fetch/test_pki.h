// A throw-away PKI for the integration tests, generated at run time with OpenSSL: a CA and one
// server certificate (EC P-256, SHA-256), so no key material is checked in.
#pragma once

#include <string>
#include <vector>

namespace wbad::testing {

struct TestPki {
  std::string ca_cert_pem;
  std::string server_cert_pem;  // signed by the CA
  std::string server_key_pem;
};

// The server certificate names `dns_names` and `ip_addresses` in its subjectAltName.
TestPki make_test_pki(const std::vector<std::string>& dns_names,
                      const std::vector<std::string>& ip_addresses);

}  // namespace wbad::testing
