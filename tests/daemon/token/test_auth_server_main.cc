// wba_test_as: the test authorization server of tests/daemon/token, standalone, for the examples'
// full-flow demo (an agent exchanges a user token for one naming it as actor, then presents it to
// a resource behind wbad). A test tool: keys are generated at start and forgotten at exit.
//
//   wba_test_as [--port N] [--issuer URL] [--http | --tls] [--jwks-out FILE] [--ca-out FILE]
//               [--audience AUD] [--client-id ID --client-secret SECRET]
//               [--agent ID=PUBLIC_JWK_FILE]... [--trust-actor-jwk]
//
// Listens on 127.0.0.1:PORT (default 8423), plain HTTP unless --tls (then a throw-away CA is
// generated and, with --ca-out, written for wbad's --directory-ca-file). --issuer defaults to
// http(s)://127.0.0.1:PORT; a path in it is served RFC 8414 path-inserted. --jwks-out writes
// the public JWKS (for wbad --issuer ISS=FILE). Actor tokens are accepted from --agent entries,
// or from any agent with --trust-actor-jwk (the key in the actor token's `jwk` header).
// Runs until SIGINT or SIGTERM.
#include <csignal>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "test_auth_server.h"
#include "wba/crypto/key.h"

namespace {

int usage(const std::string& why) {
  std::cerr << "wba_test_as: " << why
            << "\nusage: wba_test_as [--port N] [--issuer URL] [--http|--tls] [--jwks-out FILE] "
               "[--ca-out FILE] [--audience AUD] [--client-id ID] [--client-secret SECRET] "
               "[--agent ID=PUBLIC_JWK_FILE]... [--trust-actor-jwk]\n";
  return 2;
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  wbad::testing::TestAuthServerOptions options;
  options.tls = false;
  options.port = 8423;
  options.trust_embedded_actor_keys = false;
  std::string issuer, jwks_out, ca_out;
  std::vector<std::pair<std::string, std::string>> agents;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= argc) return false;
      out = argv[++i];
      return true;
    };
    std::string v;
    if (a == "--http") {
      options.tls = false;
    } else if (a == "--tls") {
      options.tls = true;
    } else if (a == "--trust-actor-jwk") {
      options.trust_embedded_actor_keys = true;
    } else if (a == "--port") {
      if (!value(v)) return usage("--port needs a value");
      try {
        int port = std::stoi(v);
        if (port < 1 || port > 65535) return usage("--port: out of range");
        options.port = static_cast<std::uint16_t>(port);
      } catch (...) {
        return usage("--port: not a number");
      }
    } else if (a == "--issuer") {
      if (!value(issuer)) return usage("--issuer needs a value");
    } else if (a == "--jwks-out") {
      if (!value(jwks_out)) return usage("--jwks-out needs a value");
    } else if (a == "--ca-out") {
      if (!value(ca_out)) return usage("--ca-out needs a value");
    } else if (a == "--audience") {
      if (!value(options.default_audience)) return usage("--audience needs a value");
    } else if (a == "--client-id") {
      if (!value(options.client_id)) return usage("--client-id needs a value");
    } else if (a == "--client-secret") {
      if (!value(options.client_secret)) return usage("--client-secret needs a value");
    } else if (a == "--agent") {
      if (!value(v)) return usage("--agent needs a value");
      auto eq = v.find('=');
      if (eq == std::string::npos || eq == 0) return usage("--agent: expected ID=PUBLIC_JWK_FILE");
      agents.emplace_back(v.substr(0, eq), v.substr(eq + 1));
    } else {
      return usage("unknown argument '" + a + "'");
    }
  }
  if (!issuer.empty()) {
    // http(s)://HOST:PORT[/path]: the scheme must match --tls, the port --port.
    std::string scheme = options.tls ? "https://" : "http://";
    if (issuer.rfind(scheme, 0) != 0) {
      return usage("--issuer must start with " + scheme + " (use --tls for https)");
    }
    std::string rest = issuer.substr(scheme.size());
    auto slash = rest.find('/');
    std::string authority = rest.substr(0, slash);
    options.issuer_path = slash == std::string::npos ? "" : rest.substr(slash);
    while (!options.issuer_path.empty() && options.issuer_path.back() == '/') {
      options.issuer_path.pop_back();
    }
    auto colon = authority.rfind(':');
    if (colon == std::string::npos || authority.substr(colon + 1) != std::to_string(options.port)) {
      return usage("--issuer must name the port given with --port (" +
                   std::to_string(options.port) + ")");
    }
    options.host = authority.substr(0, colon);
  }

  wbad::testing::TestPki pki;
  if (options.tls) pki = wbad::testing::make_test_pki({"localhost"}, {"127.0.0.1"});
  if (!ca_out.empty() && (!options.tls || !write_file(ca_out, pki.ca_cert_pem))) {
    return usage("--ca-out: needs --tls and a writable file");
  }

  // Block the signals before any thread starts, so that only sigwait below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::unique_ptr<wbad::testing::TestAuthServer> server;
  try {
    server = std::make_unique<wbad::testing::TestAuthServer>(pki, options);
  } catch (const std::exception& e) {
    std::cerr << "wba_test_as: cannot listen on 127.0.0.1:" << options.port << ": " << e.what()
              << "\n";
    return 1;
  }
  for (const auto& [id, file] : agents) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    auto key = wba::VerifyingKey::from_jwk_json(text.str());
    if (!in || !key) return usage("--agent " + id + ": cannot load a public JWK from " + file);
    server->register_agent(id, *key);
  }
  if (!jwks_out.empty() && !write_file(jwks_out, server->public_jwks())) {
    return usage("--jwks-out: cannot write " + jwks_out);
  }
  std::cout << "wba_test_as: issuer " << server->issuer()
            << " listening on 127.0.0.1:" << server->port() << " (token endpoint "
            << server->token_endpoint() << ", introspection " << server->introspection_endpoint()
            << ")" << std::endl;
  int sig = 0;
  sigwait(&signals, &sig);
  std::cout << "wba_test_as: stopping" << std::endl;
  return 0;
}
