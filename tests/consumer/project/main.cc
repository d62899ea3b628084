// A program outside the project: signs a request and verifies it through the installed package.
#include <iostream>

#include <wba/crypto/key.h>
#include <wba/http/http1_text.h>
#include <wba/sig/signer.h>
#include <wba/sig/verifier.h>

int main() {
  auto key = wba::SigningKey::generate(wba::Algorithm::ed25519);
  auto msg = wba::http::parse_http1("GET /x HTTP/1.1\nHost: example.com\n\n");
  if (!key || !msg) return 1;
  wba::sig::SignOptions options;
  options.components = wba::sig::parse_component_list("\"@method\" \"@authority\"").value();
  if (!wba::sig::sign(*msg, *key, options)) return 1;
  wba::sig::Verifier verifier(wba::sig::single_key_lookup(key->verifying_key()));
  auto verified = verifier.verify(*msg);
  if (!verified) {
    std::cerr << verified.error().message() << "\n";
    return 1;
  }
  std::cout << "verified " << verified->label() << " " << verified->key_thumbprint() << "\n";
  return 0;
}
