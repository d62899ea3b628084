// wba directory
#include <iostream>

#include "commands.h"
#include "common.h"
#include "wba/directory/serve.h"
#include "wba/http/http1_text.h"

namespace wba::cli {
namespace {

constexpr const char* kDirectoryHelp =
    R"(Usage: wba directory --key PRIVATE.jwk [--key PRIVATE.jwk …] --authority HOST
                     [--created T] [--expires T] [--max-age S] [--key-alg ALG]

Prints a complete signed key directory response (HTTP/1.1, CRLF line endings): the JWK Set of
the public keys (kid = RFC 7638 thumbprint, "use":"sig"), Content-Type
application/http-message-signatures-directory+json, Cache-Control, Content-Length,
Content-Digest (sha-256) and one signature per key (tag "http-message-signatures-directory",
covering ("@authority";req "content-digest"), labels binding or binding1, binding2, …).
  --key FILE       a private JWK; repeat for several keys (published in the order given)
  --authority HOST host[:port] the directory is served under (what "@authority";req covers)
  --created T      signature created, Unix seconds (default: now)
  --expires T      signature expires (default: created + max-age + 3600)
  --max-age S      Cache-Control max-age in seconds (default 86400)
  --key-alg ALG    the algorithm of RSA keys whose JWK has no "alg" (other keys ignore it)
)";

}  // namespace

int cmd_directory(const std::vector<std::string>& argv) {
  Args args(argv);
  if (auto s = args.parse({"key", "authority", "created", "expires", "max-age", "key-alg"}, {});
      !s) {
    return usage_error("directory", s.error().detail);
  }
  if (args.has("help")) return std::cout << kDirectoryHelp, kExitOk;
  if (!args.positional().empty()) {
    return usage_error("directory", "unexpected argument '" + args.positional()[0] + "'");
  }
  auto key_paths = args.get_all("key");
  if (key_paths.empty()) return usage_error("directory", "--key PRIVATE.jwk is required");
  auto authority = args.get("authority");
  if (!authority) return usage_error("directory", "--authority HOST is required");

  directory::ServeOptions options;
  for (const char* name : {"created", "expires", "max-age"}) {
    if (auto v = args.get(name)) {
      auto t = parse_int(name, *v);
      if (!t) return usage_error("directory", t.error().detail);
      std::string_view n(name);
      if (n == "created") {
        options.created = *t;
      } else if (n == "expires") {
        options.expires = *t;
      } else {
        options.max_age = *t;
      }
    }
  }
  auto key_alg = key_alg_option(args);
  if (!key_alg) return usage_error("directory", key_alg.error().detail);
  std::vector<SigningKey> keys;
  for (const auto& path : key_paths) {
    auto jwk = read_json(path);
    if (!jwk) return usage_error("directory", jwk.error().message());
    // --key-alg names the algorithm of RSA keys only: a directory mixes key types.
    const bool rsa = jwk->is_object() && jwk->value("kty", "") == "RSA";
    auto key = SigningKey::from_jwk(*jwk, rsa ? *key_alg : std::nullopt);
    if (!key) return usage_error("directory", "'" + path + "': " + key.error().message());
    keys.push_back(std::move(key).value());
  }
  auto response = directory::make_directory_response(keys, *authority, options);
  if (!response) return usage_error("directory", response.error().message());

  // http::to_http1 writes the status code alone; a server sends a reason phrase and a length.
  response->headers.add("Content-Length", std::to_string(response->body->size()));
  std::string text = http::to_http1(http::Message(*response), "\r\n");
  text.replace(0, text.find("\r\n"), "HTTP/1.1 200 OK");
  std::cout << text;
  return kExitOk;
}

}  // namespace wba::cli
