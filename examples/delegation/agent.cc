// An AI agent acting for a user, end to end (examples/delegation/README.md):
//
//   1. it holds the user's access token (how it got it — an OAuth login — is out of scope here);
//   2. it proves who it is to the authorization server with an actor token: a JWT signed with
//      its Web Bot Auth key (iss = sub = its Signature-Agent URL, aud = the AS);
//   3. it asks for an RFC 8693 token exchange and gets a token with sub = the user,
//      act.sub = the agent and cnf.jkt = its key's thumbprint;
//   4. it signs a request with Web Bot Auth, presenting that token with a DPoP proof made with
//      the same key (wba::token::present_token);
//   5. it asks wbad, as the resource server would, for a verdict (POST /v1/verify) and prints
//      "agent X acting for user Y".
//
// Plain HTTP to loopback servers with a small synchronous Boost.Beast client: an example, not
// an HTTP library (no TLS, no redirects, no proxies).
//
//   agent --key PRIVATE.jwk --agent URL --as AS_URL --user-token-file FILE --wbad WBAD_URL
//         --resource URL [--scope SCOPE] [--no-exchange] [--verdict-out FILE]
//
// --no-exchange presents the user's own token instead (wbad refuses it: a user's token is not
// the agent's). Exit 0 when wbad bound the token to the agent, 1 when it refused it, 2 on usage
// or I/O errors.
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "wba/crypto/key.h"
#include "wba/crypto/random.h"
#include "wba/encoding/base64.h"
#include "wba/http/message.h"
#include "wba/http/target.h"
#include "wba/jose/json.h"
#include "wba/jose/jws.h"
#include "wba/profile/web_bot_auth.h"
#include "wba/token/agent.h"
#include "wba/token/token_exchange.h"

namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using nlohmann::json;

struct Failure {
  std::string what;
};

struct HttpResult {
  unsigned status = 0;
  std::string body;
};

// One request over a fresh connection; plain http only.
HttpResult http_post(const std::string& url, const std::string& content_type,
                     const std::string& body) {
  auto target = wba::http::target_from_uri(url);
  if (!target || target->scheme != "http") throw Failure{"not an http:// URL: " + url};
  std::string host = target->authority, port = "80";
  if (auto colon = host.rfind(':'); colon != std::string::npos && host.back() != ']') {
    port = host.substr(colon + 1);
    host = host.substr(0, colon);
  }
  boost::asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.expires_after(std::chrono::seconds(10));
  try {
    stream.connect(tcp::resolver(ioc).resolve(host, port));
    bhttp::request<bhttp::string_body> req(bhttp::verb::post, target->request_target, 11);
    req.set(bhttp::field::host, target->authority);
    req.set(bhttp::field::content_type, content_type);
    req.set(bhttp::field::accept, "application/json");
    req.body() = body;
    req.prepare_payload();
    bhttp::write(stream, req);
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(1024 * 1024);
    bhttp::read(stream, buffer, parser);
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    return {parser.get().result_int(), parser.get().body()};
  } catch (const beast::system_error& e) {
    throw Failure{"POST " + url + ": " + e.code().message()};
  }
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) throw Failure{"cannot read " + path};
  return text.str();
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The claims of a JWT, for display only (the agent does not need to look inside its token).
json claims_of(const std::string& jwt) {
  auto jws = wba::jose::parse_compact_jws(jwt);
  if (!jws) return json();
  auto payload = wba::jose::parse_strict_json(jws->payload);
  return payload ? *payload : json();
}

// Step 2: the actor token, a JWT signed with the agent's Web Bot Auth key. Its public key rides
// in the header (the AS may know it already, as wba_test_as --agent does).
std::string actor_token(const wba::SigningKey& key, const std::string& agent,
                        const std::string& as_issuer) {
  const std::int64_t now = unix_now();
  json header{{"typ", "JWT"}, {"jwk", key.to_public_jwk()}};
  json payload{{"iss", agent},     {"sub", agent},
               {"aud", as_issuer}, {"iat", now},
               {"exp", now + 60},  {"jti", wba::base64url_encode(wba::random_bytes(16))}};
  auto jwt = wba::jose::sign_compact_jws(std::move(header), payload.dump(), key);
  if (!jwt) throw Failure{"actor token: " + jwt.error().message()};
  return *jwt;
}

// Step 3: RFC 8693 token exchange at AS_URL/token.
wba::token::TokenExchangeResponse exchange(const std::string& as_url, const std::string& user_token,
                                           const std::string& actor, const std::string& scope) {
  wba::token::TokenExchangeRequest request;
  request.subject_token = user_token;
  request.actor_token = actor;
  request.actor_token_type = std::string(wba::token::kJwtTokenType);
  if (!scope.empty()) request.scopes = {scope};
  auto body = wba::token::token_exchange_body(request);
  if (!body) throw Failure{"token exchange request: " + body.error().message()};
  HttpResult r = http_post(as_url + "/token", std::string(wba::token::kFormContentType), *body);
  auto response = wba::token::parse_token_exchange_response(r.body);
  if (!response) {
    throw Failure{"token exchange: HTTP " + std::to_string(r.status) + ": " +
                  response.error().message()};
  }
  return std::move(response).value();
}

std::string str(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return "-";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

int run(const std::map<std::string, std::string>& opt, bool no_exchange) {
  auto key = wba::SigningKey::from_jwk_json(read_file(opt.at("key")));
  if (!key) throw Failure{"--key: " + key.error().message()};
  const std::string agent = opt.at("agent");
  const std::string as_url = opt.at("as");
  std::string user_token = read_file(opt.at("user-token-file"));
  while (!user_token.empty() && (user_token.back() == '\n' || user_token.back() == '\r')) {
    user_token.pop_back();
  }
  std::cout << "agent " << agent << ", Web Bot Auth key " << key->thumbprint() << "\n";
  const json user = claims_of(user_token);
  std::cout << "1. the user's token: sub=" << str(user, "sub")
            << " client_id=" << str(user, "client_id") << " scope=" << str(user, "scope") << "\n";

  std::string token = user_token;
  wba::token::Scheme scheme = wba::token::Scheme::bearer;
  if (!no_exchange) {
    const std::string actor = actor_token(*key, agent, as_url);
    std::cout << "2. actor token: a JWT signed with that key, iss = sub = " << agent
              << ", aud = " << as_url << "\n";
    auto exchanged = exchange(as_url, user_token, actor, opt.count("scope") ? opt.at("scope") : "");
    const json c = claims_of(exchanged.access_token);
    std::cout << "3. token exchange (RFC 8693) at " << as_url << "/token: token_type "
              << exchanged.token_type << ", sub=" << str(c, "sub")
              << " act=" << (c.contains("act") ? c["act"].dump() : "-")
              << " cnf=" << (c.contains("cnf") ? c["cnf"].dump() : "-")
              << " scope=" << str(c, "scope") << "\n";
    token = exchanged.access_token;
    if (exchanged.token_type == "DPoP") scheme = wba::token::Scheme::dpop;
  } else {
    std::cout << "2-3. no exchange: presenting the user's own token\n";
  }

  // Step 4: the request, signed with Web Bot Auth and carrying the token (and a DPoP proof).
  const std::string resource = opt.at("resource");
  auto target = wba::http::target_from_uri(resource);
  if (!target) throw Failure{"--resource: " + target.error().message()};
  wba::http::Request request;
  request.method = "GET";
  request.target = *target;
  request.headers.add("Host", target->authority);
  wba::profile::AgentSignOptions sign;
  sign.signature_agent = agent;
  auto signed_ = wba::token::present_token(request, *key, sign, token, scheme);
  if (!signed_) throw Failure{"signing: " + signed_.error().message()};
  std::cout << "4. signed request (" << wba::token::to_string(scheme) << "):\n   GET " << resource
            << "\n";
  json headers = json::array();
  for (const auto& [name, value] : request.headers.lines()) {
    std::string shown = value.size() > 100 ? value.substr(0, 97) + "..." : value;
    std::cout << "   " << name << ": " << shown << "\n";
    headers.push_back({name, value});
  }

  // Step 5: what the resource server asks wbad.
  json ask{{"method", request.method}, {"url", resource}, {"headers", headers}};
  HttpResult r = http_post(opt.at("wbad") + "/v1/verify", "application/json", ask.dump());
  json verdict = json::parse(r.body, nullptr, false);
  if (r.status != 200 || !verdict.is_object()) {
    throw Failure{"wbad /v1/verify: HTTP " + std::to_string(r.status) + ": " + r.body};
  }
  if (auto out = opt.find("verdict-out"); out != opt.end()) {
    std::ofstream(out->second) << verdict.dump(2) << "\n";
  }
  const json t = verdict.value("token", json::object());
  std::cout << "5. wbad's verdict: valid=" << str(verdict, "valid")
            << " reason=" << str(verdict, "reason") << " token=" << str(t, "state") << "\n"
            << "   agent:     " << str(verdict, "agent") << " (key "
            << str(verdict, "key_thumbprint") << ")\n"
            << "   principal: " << str(verdict, "principal") << "\n"
            << "   actor:     " << str(verdict, "actor") << "\n"
            << "   binding:   " << str(verdict, "binding") << "\n"
            << "   scope:     " << str(verdict, "scope") << "\n";
  if (auto d = verdict.find("delegation"); d != verdict.end() && d->is_object()) {
    std::cout << "   audit:     " << str(*d, "audit") << "\n";
  }
  const bool bound = verdict.value("valid", false) && str(t, "state") == "bound";
  if (bound) {
    std::cout << "=> agent " << str(verdict, "actor") << " acting for user "
              << str(verdict, "principal") << " (binding " << str(verdict, "binding") << ")\n";
  } else {
    std::cout << "=> refused: " << str(verdict, "reason") << " (" << str(verdict, "detail")
              << ")\n";
  }
  return bound ? 0 : 1;
}

int usage(const std::string& why) {
  std::cerr << "agent: " << why
            << "\nusage: agent --key PRIVATE.jwk --agent URL --as AS_URL --user-token-file FILE "
               "--wbad WBAD_URL --resource URL [--scope SCOPE] [--no-exchange] "
               "[--verdict-out FILE]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> opt;
  bool no_exchange = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--no-exchange") {
      no_exchange = true;
    } else if (a.rfind("--", 0) == 0 && i + 1 < argc) {
      opt[a.substr(2)] = argv[++i];
    } else {
      return usage("unexpected argument '" + a + "'");
    }
  }
  for (const char* required : {"key", "agent", "as", "user-token-file", "wbad", "resource"}) {
    if (!opt.count(required)) return usage(std::string("--") + required + " is required");
  }
  try {
    return run(opt, no_exchange);
  } catch (const Failure& f) {
    std::cerr << "agent: " << f.what << "\n";
    return 2;
  }
}
