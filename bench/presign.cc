// Writes N distinct pre-signed Web Bot Auth requests for the wbad load test (bench/load.sh):
// DIR/agent.jwks.json (the public key, for --trust) and DIR/requests.tsv, one request a line:
// path, Signature-Agent, Signature-Input, Signature, tab-separated. Every request has its own
// nonce, so replay protection stays on during the run.
#include <charconv>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "wba/crypto/key.h"
#include "wba/profile/web_bot_auth.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: presign COUNT LIFETIME_SECONDS DIR\n";
    return 2;
  }
  std::size_t count = 0;
  long lifetime = 0;
  std::from_chars(argv[1], argv[1] + std::string(argv[1]).size(), count);
  std::from_chars(argv[2], argv[2] + std::string(argv[2]).size(), lifetime);
  std::string dir = argv[3];
  if (count == 0 || lifetime < 1) {
    std::cerr << "presign: COUNT and LIFETIME_SECONDS must be positive\n";
    return 2;
  }
  auto key = wba::SigningKey::generate(wba::Algorithm::ed25519).value();
  std::ofstream(dir + "/agent.jwks.json")
      << nlohmann::json{{"keys", nlohmann::json::array({key.to_public_jwk()})}}.dump() << "\n";
  std::ofstream out(dir + "/requests.tsv");
  wba::profile::AgentSignOptions o;
  o.signature_agent = "https://agent.example";
  o.lifetime = lifetime;
  o.extra_components = wba::sig::parse_component_list("\"@method\" \"@path\"").value();
  for (std::size_t i = 0; i < count; ++i) {
    std::string path = "/item/" + std::to_string(i);
    auto h = wba::profile::signature_headers("GET", "https://shop.example" + path, {}, key, o);
    if (!h) {
      std::cerr << "presign: " << h.error().message() << "\n";
      return 1;
    }
    out << path;
    for (const auto& [name, value] : h->fields) out << '\t' << value;
    out << '\n';
  }
  return 0;
}
