// wba_actor_token: prints the RFC 8693 actor token an agent sends to its authorization server
// with a token exchange: a JWT signed with its Web Bot Auth key, iss = sub = AGENT_ID,
// aud = AS_ISSUER, iat = now, exp = now + 60, a random jti, and its public `jwk` in the header
// (what wba_test_as expects; run_proxies.py cannot make a JWS itself).
//
//   wba_actor_token PRIVATE.jwk AGENT_ID AS_ISSUER
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "wba/crypto/key.h"
#include "wba/crypto/random.h"
#include "wba/encoding/base64.h"
#include "wba/jose/jws.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: wba_actor_token PRIVATE.jwk AGENT_ID AS_ISSUER\n";
    return 2;
  }
  std::ifstream in(argv[1]);
  std::stringstream text;
  text << in.rdbuf();
  auto key = wba::SigningKey::from_jwk_json(text.str());
  if (!in || !key) {
    std::cerr << "wba_actor_token: cannot load a private JWK from " << argv[1] << "\n";
    return 2;
  }
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  nlohmann::json header{{"typ", "JWT"}, {"jwk", key->to_public_jwk()}};
  nlohmann::json payload{{"iss", argv[2]},  {"sub", argv[2]},
                         {"aud", argv[3]},  {"iat", now},
                         {"exp", now + 60}, {"jti", wba::base64url_encode(wba::random_bytes(16))}};
  auto jwt = wba::jose::sign_compact_jws(std::move(header), payload.dump(), *key);
  if (!jwt) {
    std::cerr << "wba_actor_token: " << jwt.error().message() << "\n";
    return 1;
  }
  std::cout << *jwt << "\n";
  return 0;
}
