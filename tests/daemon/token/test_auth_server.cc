#include "test_auth_server.h"

#include <algorithm>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "wba/crypto/random.h"
#include "wba/encoding/base64.h"
#include "wba/http/fields.h"
#include "wba/jose/json.h"
#include "wba/jose/jws.h"
#include "wba/token/token_exchange.h"

namespace wbad::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;
using nlohmann::json;

std::string_view to_string(AsEndpoint endpoint) noexcept {
  switch (endpoint) {
    case AsEndpoint::metadata:
      return "metadata";
    case AsEndpoint::oidc_metadata:
      return "oidc_metadata";
    case AsEndpoint::jwks:
      return "jwks";
    case AsEndpoint::token:
      return "token";
    case AsEndpoint::introspection:
      return "introspection";
    case AsEndpoint::other:
      return "other";
  }
  return "other";
}

std::string AsRequest::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (wba::http::iequals(n, name)) return v;
  }
  return {};
}

namespace {

struct Reply {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds delay{0};
  bool close_without_answer = false;
};

Reply json_reply(int status, const json& body) {
  Reply r;
  r.status = status;
  r.headers = {{"Content-Type", "application/json"}, {"Cache-Control", "no-store"}};
  r.body = body.dump();
  return r;
}

Reply oauth_error(int status, const std::string& error, const std::string& description) {
  return json_reply(status, json{{"error", error}, {"error_description", description}});
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string form_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hex_digit(s[i + 1]) >= 0 &&
               hex_digit(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Form parameters; a repeated name keeps every value.
std::multimap<std::string, std::string> parse_form(std::string_view body) {
  std::multimap<std::string, std::string> out;
  while (!body.empty()) {
    auto amp = body.find('&');
    std::string_view pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    out.emplace(form_decode(pair.substr(0, eq)),
                eq == std::string_view::npos ? std::string() : form_decode(pair.substr(eq + 1)));
  }
  return out;
}

std::string first(const std::multimap<std::string, std::string>& form, const std::string& name) {
  auto it = form.find(name);
  return it == form.end() ? std::string() : it->second;
}

std::string random_id() { return wba::base64url_encode(wba::random_bytes(16)); }

std::int64_t real_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

struct TestAuthServer::State {
  struct Key {
    wba::SigningKey key;
    std::string kid;
  };

  TestAuthServerOptions options;
  std::optional<ssl::context> tls;
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::thread thread;
  std::string origin;
  std::string issuer;

  mutable std::mutex mutex;
  std::map<AsKey, Key> keys;
  int key_generation = 0;
  std::map<AsEndpoint, AsFault> faults;
  std::optional<std::int64_t> now;
  std::vector<AsRequest> seen;
  std::map<std::string, json> opaque;
  std::map<std::string, wba::VerifyingKey> agents;

  std::int64_t now_locked() const { return now ? *now : real_now(); }

  void make_keys_locked() {
    ++key_generation;
    const std::string g = std::to_string(key_generation);
    keys.clear();
    keys.emplace(AsKey::ed25519,
                 Key{wba::SigningKey::generate(wba::Algorithm::ed25519).value(), "ed-" + g});
    keys.emplace(
        AsKey::es256,
        Key{wba::SigningKey::generate(wba::Algorithm::ecdsa_p256_sha256).value(), "ec-" + g});
    keys.emplace(
        AsKey::ps256,
        Key{wba::SigningKey::generate(wba::Algorithm::rsa_pss_sha256).value(), "rsa-" + g});
  }

  json jwks_locked() const {
    json keys_json = json::array();
    for (const auto& [_, k] : keys) {
      json jwk = k.key.to_public_jwk();
      jwk["kid"] = k.kid;
      jwk["use"] = "sig";
      keys_json.push_back(std::move(jwk));
    }
    return json{{"keys", std::move(keys_json)}};
  }

  std::string sign_locked(json header, std::string_view payload, AsKey which) const {
    return wba::jose::sign_compact_jws(std::move(header), payload, keys.at(which).key).value();
  }

  std::string mint_locked(const json& claims, AsKey which, const json& extra_header) const {
    json header{{"typ", "at+jwt"}, {"kid", keys.at(which).kid}};
    for (const auto& [name, value] : extra_header.items()) {
      if (value.is_null()) {
        header.erase(name);
      } else {
        header[name] = value;
      }
    }
    return sign_locked(std::move(header), claims.dump(), which);
  }

  json base_claims_locked(const std::string& sub, const std::string& client_id) const {
    const std::int64_t t = now_locked();
    return json{{"iss", issuer},          {"sub", sub},         {"aud", options.default_audience},
                {"client_id", client_id}, {"jti", random_id()}, {"iat", t},
                {"exp", t + 300}};
  }

  AsEndpoint classify(const std::string& target) const {
    std::string path = target.substr(0, target.find('?'));
    if (path == "/.well-known/oauth-authorization-server" + options.issuer_path) {
      return AsEndpoint::metadata;
    }
    if (path == options.issuer_path + "/.well-known/openid-configuration") {
      return AsEndpoint::oidc_metadata;
    }
    if (path == "/jwks") return AsEndpoint::jwks;
    if (path == "/token") return AsEndpoint::token;
    if (path == "/introspect") return AsEndpoint::introspection;
    return AsEndpoint::other;
  }

  // The answer to one request (state locked by the caller).
  Reply respond_locked(AsRequest& request) {
    request.endpoint = classify(request.target);
    seen.push_back(request);
    AsFault fault = AsFault::none;
    if (auto it = faults.find(request.endpoint); it != faults.end()) fault = it->second;
    Reply r;
    switch (fault) {
      case AsFault::down:
        r.close_without_answer = true;
        return r;
      case AsFault::status_500:
        r.status = 500;
        r.body = "internal error";
        return r;
      case AsFault::redirect:
        r.status = 302;
        r.headers = {{"Location", "https://elsewhere.example" + request.target}};
        return r;
      default:
        break;
    }
    r = route_locked(request, fault == AsFault::issuer_mismatch);
    if (fault == AsFault::slow) r.delay = options.slow_delay;
    return r;
  }

  Reply route_locked(const AsRequest& request, bool issuer_mismatch) {
    switch (request.endpoint) {
      case AsEndpoint::metadata:
      case AsEndpoint::oidc_metadata: {
        bool serve = request.endpoint == AsEndpoint::metadata ? options.serve_oauth_metadata
                                                              : options.serve_oidc_metadata;
        if (!serve || request.method != "GET")
          return oauth_error(404, "not_found", "no such document");
        json m{{"issuer", issuer_mismatch ? std::string("https://evil.example") : issuer},
               {"jwks_uri", origin + "/jwks"},
               {"token_endpoint", origin + "/token"},
               {"introspection_endpoint", origin + "/introspect"},
               {"grant_types_supported", {std::string(wba::token::kTokenExchangeGrantType)}},
               {"token_endpoint_auth_methods_supported", {"client_secret_basic"}},
               {"dpop_signing_alg_values_supported", {"EdDSA", "ES256", "PS256"}}};
        Reply r = json_reply(200, m);
        r.headers = {{"Content-Type", "application/json"}, {"Cache-Control", cache_control}};
        return r;
      }
      case AsEndpoint::jwks: {
        Reply r = json_reply(200, jwks_locked());
        // A validator, so that revalidation (If-None-Match → 304) is exercised.
        const std::string etag = "\"" + std::to_string(std::hash<std::string>{}(r.body)) + "\"";
        if (request.header("if-none-match") == etag) {
          Reply not_modified;
          not_modified.status = 304;
          not_modified.headers = {{"ETag", etag}, {"Cache-Control", cache_control}};
          return not_modified;
        }
        r.headers = {{"Content-Type", "application/jwk-set+json"},
                     {"Cache-Control", cache_control},
                     {"ETag", etag}};
        return r;
      }
      case AsEndpoint::token:
        if (request.method != "POST") return oauth_error(405, "invalid_request", "POST only");
        return token_exchange_locked(parse_form(request.body));
      case AsEndpoint::introspection:
        if (request.method != "POST") return oauth_error(405, "invalid_request", "POST only");
        return introspect_locked(request);
      case AsEndpoint::other:
        if (request.target == "/dev/user-token" && request.method == "POST") {
          auto form = parse_form(request.body);
          json claims =
              base_claims_locked(first(form, "sub").empty() ? "u_248289761001" : first(form, "sub"),
                                 first(form, "client_id").empty() ? "https://app.example.com/client"
                                                                  : first(form, "client_id"));
          if (!first(form, "scope").empty()) claims["scope"] = first(form, "scope");
          if (!first(form, "aud").empty()) claims["aud"] = first(form, "aud");
          return json_reply(
              200, json{{"access_token", mint_locked(claims, AsKey::ed25519, json::object())},
                        {"token_type", "Bearer"}});
        }
        return oauth_error(404, "not_found", "no such endpoint");
    }
    return oauth_error(404, "not_found", "no such endpoint");
  }

  // Verifies a JWS with one of our current keys; the payload object, or nullopt.
  std::optional<json> verify_own_locked(const std::string& token) const {
    auto jws = wba::jose::parse_compact_jws(token);
    if (!jws) return std::nullopt;
    auto kid = jws->header.find("kid");
    auto alg_name = jws->header.find("alg");
    if (kid == jws->header.end() || !kid->is_string() || alg_name == jws->header.end() ||
        !alg_name->is_string()) {
      return std::nullopt;
    }
    auto alg = wba::jose::jws_algorithm_from_name(alg_name->get<std::string>());
    if (!alg) return std::nullopt;
    for (const auto& [_, k] : keys) {
      if (k.kid != kid->get<std::string>()) continue;
      if (!wba::jose::verify_jws(*jws, *alg, k.key.verifying_key())) return std::nullopt;
      auto payload = wba::jose::parse_strict_json(jws->payload);
      if (!payload || !payload->is_object()) return std::nullopt;
      return *payload;
    }
    return std::nullopt;
  }

  Reply token_exchange_locked(const std::multimap<std::string, std::string>& form) {
    const std::int64_t t = now_locked();
    if (first(form, "grant_type") != wba::token::kTokenExchangeGrantType) {
      return oauth_error(400, "unsupported_grant_type", "only token exchange");
    }
    // The subject: a token we issued, unexpired.
    auto subject = verify_own_locked(first(form, "subject_token"));
    if (!subject || !(*subject)["exp"].is_number() || (*subject)["exp"].get<std::int64_t>() <= t ||
        (*subject)["iss"] != issuer || !(*subject)["sub"].is_string()) {
      return oauth_error(400, "invalid_grant", "subject_token is not a valid token of this AS");
    }
    // The actor: a JWT the agent signed with its Web Bot Auth key.
    const std::string actor_token = first(form, "actor_token");
    if (actor_token.empty() || first(form, "actor_token_type") != wba::token::kJwtTokenType) {
      return oauth_error(400, "invalid_request", "actor_token of type jwt required");
    }
    auto jws = wba::jose::parse_compact_jws(actor_token);
    if (!jws) return oauth_error(400, "invalid_grant", "actor_token is not a JWS");
    auto payload = wba::jose::parse_strict_json(jws->payload);
    if (!payload || !payload->is_object() || !(*payload)["iss"].is_string() ||
        (*payload)["iss"] != (*payload)["sub"] || payload->contains("act")) {
      return oauth_error(400, "invalid_grant", "actor_token must have iss = sub and no act");
    }
    const std::string agent = (*payload)["iss"].get<std::string>();
    const json& aud = (*payload)["aud"];
    bool aud_ok = aud == issuer ||
                  (aud.is_array() && std::find(aud.begin(), aud.end(), json(issuer)) != aud.end());
    if (!aud_ok || !(*payload)["exp"].is_number() || (*payload)["exp"].get<std::int64_t>() <= t) {
      return oauth_error(400, "invalid_grant", "actor_token audience or expiry");
    }
    std::optional<wba::VerifyingKey> actor_key;
    if (auto it = agents.find(agent); it != agents.end()) {
      actor_key = it->second;
    } else if (options.trust_embedded_actor_keys && jws->header.contains("jwk")) {
      auto k = wba::VerifyingKey::from_jwk(jws->header["jwk"]);
      if (k) actor_key = *k;
    }
    if (!actor_key) return oauth_error(400, "invalid_grant", "unknown agent " + agent);
    auto alg_name = jws->header.find("alg");
    auto alg = alg_name != jws->header.end() && alg_name->is_string()
                   ? wba::jose::jws_algorithm_from_name(alg_name->get<std::string>())
                   : wba::Result<wba::jose::JwsAlgorithm>(wba::Error(wba::Reason::alg_not_allowed));
    if (!alg || !wba::jose::verify_jws(*jws, *alg, *actor_key)) {
      return oauth_error(400, "invalid_grant", "actor_token signature");
    }
    // Scope: what was asked for, within what the subject token grants.
    std::string scope = (*subject).value("scope", std::string());
    if (!first(form, "scope").empty()) {
      std::string granted = " " + scope + " ";
      std::string requested = first(form, "scope");
      std::size_t start = 0;
      while (start < requested.size()) {
        auto sp = requested.find(' ', start);
        std::string one = requested.substr(start, sp == std::string::npos ? sp : sp - start);
        if (!one.empty() && granted.find(" " + one + " ") == std::string::npos) {
          return oauth_error(400, "invalid_scope", "scope " + one + " not granted");
        }
        if (sp == std::string::npos) break;
        start = sp + 1;
      }
      scope = requested;
    }
    json audience = (*subject)["aud"];
    if (!first(form, "audience").empty()) audience = first(form, "audience");
    if (!first(form, "resource").empty()) audience = first(form, "resource");
    json act{{"sub", agent}, {"iss", issuer}};
    if (subject->contains("act")) act["act"] = (*subject)["act"];  // prior actors, unchanged
    std::int64_t exp = std::min<std::int64_t>(t + 300, (*subject)["exp"].get<std::int64_t>());
    json claims{{"iss", issuer},
                {"sub", (*subject)["sub"]},
                {"aud", audience},
                {"client_id", agent},
                {"jti", random_id()},
                {"iat", t},
                {"exp", exp},
                {"act", act},
                {"cnf", {{"jkt", actor_key->thumbprint()}}}};
    if (!scope.empty()) claims["scope"] = scope;
    json response{{"access_token", mint_locked(claims, AsKey::ed25519, json::object())},
                  {"issued_token_type", std::string(wba::token::kAccessTokenType)},
                  {"token_type", "DPoP"},
                  {"expires_in", exp - t}};
    if (!scope.empty()) response["scope"] = scope;
    return json_reply(200, response);
  }

  Reply introspect_locked(const AsRequest& request) {
    // client_secret_basic (RFC 6749 §2.3.1): Basic base64(urlencode(id) ":" urlencode(secret)).
    std::string auth = request.header("Authorization");
    bool authenticated = false;
    if (auth.rfind("Basic ", 0) == 0) {
      auto decoded = wba::base64_decode(auth.substr(6));
      if (decoded) {
        auto colon = decoded->find(':');
        if (colon != std::string::npos &&
            form_decode(decoded->substr(0, colon)) == options.client_id &&
            form_decode(decoded->substr(colon + 1)) == options.client_secret) {
          authenticated = true;
        }
      }
    }
    if (!authenticated) {
      Reply r = oauth_error(401, "invalid_client", "client authentication failed");
      r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"introspection\"");
      return r;
    }
    auto form = parse_form(request.body);
    auto it = opaque.find(first(form, "token"));
    if (it == opaque.end()) return json_reply(200, json{{"active", false}});
    return json_reply(200, it->second);
  }

  std::string cache_control;
};

namespace {

// One connection: [TLS handshake] → read one request → answer (maybe late, maybe never) → close.
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(TestAuthServer::State* state, Stream stream)
      : state_(state), stream_(std::move(stream)), timer_(stream_.get_executor()) {}

  void run() {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(10));
    if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (!ec) self->read();
                              });
    } else {
      read();
    }
  }

 private:
  void read() {
    parser_.body_limit(1024 * 1024);
    bhttp::async_read(stream_, buffer_, parser_,
                      [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                        if (!ec) self->respond();
                      });
  }

  void respond() {
    auto& msg = parser_.get();
    AsRequest request;
    request.method = std::string(msg.method_string());
    request.target = std::string(msg.target());
    for (const auto& f : msg) {
      request.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    }
    request.body = msg.body();
    Reply reply;
    {
      std::lock_guard lock(state_->mutex);
      reply = state_->respond_locked(request);
    }
    if (reply.close_without_answer) return close();
    response_.result(static_cast<unsigned>(reply.status));
    response_.version(11);
    for (const auto& [n, v] : reply.headers) response_.insert(n, v);
    response_.body() = std::move(reply.body);
    response_.prepare_payload();
    if (reply.delay.count() > 0) {
      beast::get_lowest_layer(stream_).expires_never();
      timer_.expires_after(reply.delay);
      timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
        if (!ec) self->write();
      });
    } else {
      write();
    }
  }

  void write() {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(10));
    bhttp::async_write(
        stream_, response_,
        [self = this->shared_from_this()](beast::error_code, std::size_t) { self->close(); });
  }

  void close() {
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(stream_).close();
  }

  TestAuthServer::State* state_;
  Stream stream_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  bhttp::request_parser<bhttp::string_body> parser_;
  bhttp::response<bhttp::string_body> response_;
};

void accept(TestAuthServer::State* state) {
  state->acceptor.async_accept(
      asio::make_strand(state->ioc), [state](beast::error_code ec, tcp::socket socket) {
        if (ec) return;  // acceptor closed
        if (state->tls) {
          beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)),
                                                      *state->tls);
          std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(state, std::move(stream))
              ->run();
        } else {
          std::make_shared<Session<beast::tcp_stream>>(state, beast::tcp_stream(std::move(socket)))
              ->run();
        }
        accept(state);
      });
}

}  // namespace

TestAuthServer::TestAuthServer(const TestPki& pki, TestAuthServerOptions options)
    : state_(std::make_shared<State>()) {
  state_->options = std::move(options);
  state_->cache_control = state_->options.cache_control;
  if (state_->options.tls) {
    state_->tls.emplace(ssl::context::tls_server);
    state_->tls->use_certificate_chain(asio::buffer(pki.server_cert_pem));
    state_->tls->use_private_key(asio::buffer(pki.server_key_pem), ssl::context::pem);
  }
  state_->make_keys_locked();
  tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), state_->options.port);
  state_->acceptor.open(ep.protocol());
  state_->acceptor.set_option(asio::socket_base::reuse_address(true));
  state_->acceptor.bind(ep);
  state_->acceptor.listen();
  const std::string& host = state_->options.host;
  state_->origin = std::string(state_->options.tls ? "https://" : "http://") +
                   (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
                   std::to_string(port());
  state_->issuer = state_->origin + state_->options.issuer_path;
  accept(state_.get());
  state_->thread = std::thread([s = state_.get()] { s->ioc.run(); });
}

TestAuthServer::~TestAuthServer() {
  state_->ioc.stop();
  if (state_->thread.joinable()) state_->thread.join();
}

std::uint16_t TestAuthServer::port() const noexcept {
  return state_->acceptor.local_endpoint().port();
}

std::string TestAuthServer::origin() const { return state_->origin; }
std::string TestAuthServer::issuer() const { return state_->issuer; }
std::string TestAuthServer::jwks_uri() const { return state_->origin + "/jwks"; }
std::string TestAuthServer::token_endpoint() const { return state_->origin + "/token"; }
std::string TestAuthServer::introspection_endpoint() const {
  return state_->origin + "/introspect";
}

std::string TestAuthServer::public_jwks() const {
  std::lock_guard lock(state_->mutex);
  return state_->jwks_locked().dump();
}

std::string TestAuthServer::kid(AsKey key) const {
  std::lock_guard lock(state_->mutex);
  return state_->keys.at(key).kid;
}

void TestAuthServer::rotate_keys() {
  std::lock_guard lock(state_->mutex);
  state_->make_keys_locked();
}

void TestAuthServer::set_now(std::int64_t now) {
  std::lock_guard lock(state_->mutex);
  state_->now = now;
}

std::int64_t TestAuthServer::now() const {
  std::lock_guard lock(state_->mutex);
  return state_->now_locked();
}

void TestAuthServer::set_fault(AsEndpoint endpoint, AsFault fault) {
  std::lock_guard lock(state_->mutex);
  state_->faults[endpoint] = fault;
}

void TestAuthServer::clear_faults() {
  std::lock_guard lock(state_->mutex);
  state_->faults.clear();
}

void TestAuthServer::set_cache_control(std::string value) {
  std::lock_guard lock(state_->mutex);
  state_->cache_control = std::move(value);
}

std::size_t TestAuthServer::request_count() const {
  std::lock_guard lock(state_->mutex);
  return state_->seen.size();
}

std::size_t TestAuthServer::request_count(AsEndpoint endpoint) const {
  std::lock_guard lock(state_->mutex);
  return static_cast<std::size_t>(
      std::count_if(state_->seen.begin(), state_->seen.end(),
                    [endpoint](const AsRequest& r) { return r.endpoint == endpoint; }));
}

std::vector<AsRequest> TestAuthServer::requests() const {
  std::lock_guard lock(state_->mutex);
  return state_->seen;
}

json TestAuthServer::base_claims(const std::string& sub, const std::string& client_id) const {
  std::lock_guard lock(state_->mutex);
  return state_->base_claims_locked(sub, client_id);
}

std::string TestAuthServer::mint(const json& claims, AsKey key, const json& header) const {
  std::lock_guard lock(state_->mutex);
  return state_->mint_locked(claims, key, header);
}

std::string TestAuthServer::mint_raw(const json& header, std::string_view payload,
                                     AsKey key) const {
  std::lock_guard lock(state_->mutex);
  return state_->sign_locked(header, payload, key);
}

std::string TestAuthServer::mint_user_token(const std::string& sub, const std::string& scope,
                                            const std::string& client_id) const {
  std::lock_guard lock(state_->mutex);
  json claims = state_->base_claims_locked(sub, client_id);
  if (!scope.empty()) claims["scope"] = scope;
  return state_->mint_locked(claims, AsKey::ed25519, json::object());
}

std::string TestAuthServer::issue_opaque(const json& response) {
  std::string token = "opaque_" + random_id();
  std::lock_guard lock(state_->mutex);
  state_->opaque[token] = response;
  return token;
}

void TestAuthServer::register_agent(const std::string& agent_id, const wba::VerifyingKey& key) {
  std::lock_guard lock(state_->mutex);
  state_->agents.insert_or_assign(agent_id, key);
}

std::string TestAuthServer::make_actor_token(const wba::SigningKey& agent_key,
                                             const std::string& agent_id) const {
  std::int64_t t = now();
  json header{{"typ", "JWT"}, {"jwk", agent_key.to_public_jwk()}};
  json payload{{"iss", agent_id}, {"sub", agent_id}, {"aud", issuer()},
               {"iat", t},        {"exp", t + 60},   {"jti", random_id()}};
  return wba::jose::sign_compact_jws(std::move(header), payload.dump(), agent_key).value();
}

}  // namespace wbad::testing
