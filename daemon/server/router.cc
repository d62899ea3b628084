#include "server/router.h"

#include <array>

#include <nlohmann/json.hpp>

#include "wba/encoding/base64.h"
#include "wba/http/target.h"

namespace wbad {
namespace {

using nlohmann::json;
using wba::Error;
using wba::Reason;
using wba::Result;

HttpResponse make_response(bhttp::status status, unsigned version, bool keep_alive,
                           std::string body, std::string_view content_type) {
  HttpResponse res{status, version};
  res.set(bhttp::field::server, "wbad");
  res.set(bhttp::field::content_type, content_type);
  res.set(bhttp::field::cache_control, "no-store");
  res.keep_alive(keep_alive);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

HttpResponse json_response(bhttp::status status, const HttpRequest& req, const json& body) {
  return make_response(status, req.version(), req.keep_alive(),
                       body.dump(-1, ' ', false, json::error_handler_t::replace) + "\n",
                       "application/json");
}

HttpResponse json_error(bhttp::status status, const HttpRequest& req, std::string_view error,
                        const std::string& detail) {
  return json_response(status, req, json{{"error", error}, {"detail", detail}});
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && wba::http::iequals(s.substr(0, prefix.size()), prefix);
}

void append_status_line(std::string& out, unsigned version, unsigned status,
                        std::string_view reason) {
  out += "HTTP/";
  out += static_cast<char>('0' + version / 10);
  out += '.';
  out += static_cast<char>('0' + version % 10);
  out += ' ';
  out += static_cast<char>('0' + status / 100 % 10);
  out += static_cast<char>('0' + status / 10 % 10);
  out += static_cast<char>('0' + status % 10);
  out += ' ';
  out += reason;
  out += "\r\n";
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += ": ";
  out += value;
  out += "\r\n";
}

// Header values written raw to the wire: token claims are the issuer's strings, so any control
// character is percent-encoded (with '%' itself) rather than trusted not to split a header.
std::string header_safe(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (unsigned char ch : value) {
    if (ch < 0x20 || ch == 0x7f || ch == '%') {
      static constexpr char kHex[] = "0123456789ABCDEF";
      out += '%';
      out += kHex[ch >> 4];
      out += kHex[ch & 0xf];
    } else {
      out += static_cast<char>(ch);
    }
  }
  return out;
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& i : items) {
    if (!out.empty()) out += sep;
    out += i;
  }
  return out;
}

// The delegation headers (after the identity prefix), in the order written; the values come
// from TokenIdentity.
constexpr std::array<std::string_view, 10> kDelegationHeaders{
    "Principal", "Actor",         "Actor-Chain", "Client-Id", "Scope",
    "Token-Id",  "Token-Expires", "Issuer",      "Binding",   "Delegation"};

// The delegation headers without a token, all empty, as one block: almost every answer
// carries it, so it is written once per identity prefix (per thread) instead of field by field.
const std::string& empty_delegation_headers(const std::string& prefix) {
  thread_local std::string for_prefix, block;
  if (block.empty() || for_prefix != prefix) {
    block.clear();
    for (std::string_view name : kDelegationHeaders) {
      block += prefix;
      append_field(block, name, {});
    }
    for_prefix = prefix;
  }
  return block;
}

// The flat identity of a bound token (the verdict fields), shared by the JSON API and
// the proxy headers.
struct TokenIdentity {
  std::string principal, actor, actor_chain, client_id, scope, token_id, token_expires, issuer,
      binding, delegation;
};

TokenIdentity token_identity(const Verdict& v) {
  TokenIdentity t;
  if (!v.token || !v.token->delegation) return t;
  const auto& d = *v.token->delegation;
  t.principal = d.principal_sub;
  if (d.actor) t.actor = d.actor->sub;
  std::vector<std::string> chain;
  for (const auto& a : d.actor_chain) chain.push_back(a.sub);
  t.actor_chain = join(chain, " ");
  t.client_id = d.client_id;
  t.scope = join(d.scopes, " ");
  t.token_id = d.token_id;
  t.token_expires = std::to_string(d.token_expires);
  t.issuer = d.issuer;
  t.binding = d.binding.kind;
  t.delegation = d.delegation;
  return t;
}

json verdict_json(const Verdict& v) {
  json j = {{"valid", v.valid},
            {"outcome", wba::profile::to_string(v.outcome)},
            {"reason", wba::to_string(v.reason)}};
  if (!v.valid) j["detail"] = v.detail;
  if (v.anonymous) j["anonymous"] = true;
  if (v.agent) {
    const auto& s = v.agent->signature;
    const auto& p = s.params();
    j["label"] = s.label();
    j["alg"] = wba::to_string(s.algorithm());
    j["key_thumbprint"] = v.agent->key_thumbprint;
    if (auto x = p.keyid()) j["keyid"] = *x;
    if (auto x = p.created()) j["created"] = *x;
    if (auto x = p.expires()) j["expires"] = *x;
    if (auto x = p.nonce()) j["nonce"] = *x;
    if (auto x = p.tag()) j["tag"] = *x;
    if (v.agent->agent) {
      j["agent"] = v.agent->agent->agent_url;
      j["directory_url"] = v.agent->agent->directory_url;
    }
    j["content_digest_checked"] = s.content_digest_checked();
  }
  if (v.token) {
    json t = {{"state", to_string(v.token->state)}};
    if (v.token->scheme) t["scheme"] = wba::token::to_string(*v.token->scheme);
    if (v.token->state == TokenOutcome::State::rejected ||
        v.token->state == TokenOutcome::State::unverified) {
      t["reason"] = wba::to_string(v.token->reason);
      t["status"] = enforce_status(v);
    }
    j["token"] = std::move(t);
    if (v.token->delegation) {
      const auto& d = *v.token->delegation;
      j["principal"] = d.principal_sub;
      j["actor"] = d.actor ? json(d.actor->sub) : json(nullptr);
      json chain = json::array();
      for (const auto& a : d.actor_chain) chain.push_back(a.sub);
      j["actor_chain"] = std::move(chain);
      j["client_id"] = d.client_id;
      j["scope"] = join(d.scopes, " ");
      j["token_id"] = d.token_id;
      j["token_expires"] = d.token_expires;
      j["issuer"] = d.issuer;
      j["binding"] = d.binding.kind;
      j["delegation"] = wba::token::to_json(d);
    }
  }
  j["timing"] = {{"verification_us",
                  std::chrono::duration_cast<std::chrono::microseconds>(v.duration).count()}};
  return j;
}

}  // namespace

Reply to_reply(const HttpResponse& res) {
  Reply r;
  r.keep_alive = res.keep_alive();
  r.wire.reserve(256 + res.body().size());
  append_status_line(r.wire, res.version(), res.result_int(), res.reason());
  for (const auto& f : res) append_field(r.wire, f.name_string(), f.value());
  r.wire += "\r\n";
  r.wire += res.body();
  return r;
}

Result<wba::http::Message> original_request(Frontend frontend, const HttpRequest& request,
                                            const std::string& identity_prefix) {
  // The proxy's description of the original request, in the order method, URI, host, scheme.
  static constexpr std::array<std::string_view, 4> kNginxHeaders{
      "x-original-method", "x-original-uri", "x-original-host", "x-original-proto"};
  static constexpr std::array<std::string_view, 4> kForwardHeaders{
      "x-forwarded-method", "x-forwarded-uri", "x-forwarded-host", "x-forwarded-proto"};
  const std::array<std::string_view, 4>* proxy_headers = nullptr;
  switch (frontend) {
    case Frontend::nginx:
      proxy_headers = &kNginxHeaders;
      break;
    case Frontend::forward_auth:
      proxy_headers = &kForwardHeaders;
      break;
    case Frontend::envoy:
      break;
    default:
      return Error(Reason::invalid_argument, "not a proxy front end");
  }
  // One pass over the fields: the proxy's own headers are read (the first of each name) and
  // dropped, identity headers (the prefix) dropped so that a client cannot forge them, every
  // other field copied. Views into `request`, which outlives this function.
  std::array<std::optional<std::string_view>, 4> described;  // method, uri, host, scheme
  std::optional<std::string_view> host_field, envoy_proto;
  wba::http::Request out;
  out.headers.reserve(static_cast<std::size_t>(std::distance(request.begin(), request.end())));
  for (const auto& f : request) {
    const std::string_view name = f.name_string();
    const std::string_view value = f.value();
    bool is_proxy = false;
    if (proxy_headers) {
      for (std::size_t i = 0; i < proxy_headers->size() && !is_proxy; ++i) {
        if (wba::http::iequals(name, (*proxy_headers)[i])) {
          is_proxy = true;
          if (!described[i]) described[i] = value;
        }
      }
    }
    if (is_proxy || starts_with_ci(name, identity_prefix)) continue;
    if (!host_field && f.name() == bhttp::field::host) host_field = value;
    if (!envoy_proto && wba::http::iequals(name, "x-forwarded-proto")) envoy_proto = value;
    out.headers.add(std::string(name), std::string(value));
  }
  std::string_view method = described[0].value_or(std::string_view());
  std::string_view uri = described[1].value_or(std::string_view());
  std::string_view host = described[2].value_or(std::string_view());
  std::string_view scheme = described[3].value_or(std::string_view());
  if (frontend == Frontend::envoy) {
    std::string_view target = request.target();
    target.remove_prefix(kEnvoyPrefix.size());
    uri = target.empty() ? std::string_view("/") : target;
    method = request.method_string();
    scheme = envoy_proto.value_or(std::string_view());
  } else if (uri.empty()) {
    return Error(Reason::malformed_message, frontend == Frontend::nginx
                                                ? "X-Original-URI is missing"
                                                : "X-Forwarded-Uri is missing");
  }
  if (method.empty()) method = request.method_string();
  if (host.empty()) host = host_field.value_or(std::string_view());
  if (scheme.empty()) scheme = "https";
  if (host.empty()) return Error(Reason::malformed_message, "no original host");
  WBA_TRY(auto target, wba::http::make_target(scheme, host, uri));
  out.method = std::string(method);
  out.target = std::move(target);
  // Auth subrequests carry no body: a covered content-digest is reported as not checked.
  return wba::http::Message(std::move(out));
}

void Router::handle(HttpRequest request, Respond respond) const {
  std::string_view target = request.target();
  std::string_view path = target.substr(0, target.find('?'));
  if (path == kVerifyPath) return json_api(std::move(request), std::move(respond));
  if (path == kNginxPath) return proxy(Frontend::nginx, std::move(request), std::move(respond));
  if (path == kForwardAuthPath) {
    return proxy(Frontend::forward_auth, std::move(request), std::move(respond));
  }
  if (path == kEnvoyPrefix || path.rfind(std::string(kEnvoyPrefix) + "/", 0) == 0) {
    return proxy(Frontend::envoy, std::move(request), std::move(respond));
  }
  if (path == "/healthz") {
    return respond(to_reply(make_response(bhttp::status::ok, request.version(),
                                          request.keep_alive(), "ok\n", "text/plain")));
  }
  if (path == "/readyz") {
    bool ready = ready_ && ready_();
    return respond(to_reply(make_response(
        ready ? bhttp::status::ok : bhttp::status::service_unavailable, request.version(),
        request.keep_alive(), ready ? "ready\n" : "draining\n", "text/plain")));
  }
  if (path == "/metrics") {
    return respond(
        to_reply(make_response(bhttp::status::ok, request.version(), request.keep_alive(),
                               metrics_.render(), "text/plain; version=0.0.4")));
  }
  respond(to_reply(json_error(bhttp::status::not_found, request, "not_found",
                              "no endpoint " + std::string(path))));
}

void Router::json_api(HttpRequest request, Respond respond) const {
  if (request.method() != bhttp::verb::post) {
    return respond(to_reply(
        json_error(bhttp::status::method_not_allowed, request, "method_not_allowed", "use POST")));
  }
  auto config = service_->config();
  json in = json::parse(request.body(), nullptr, false);
  auto bad = [&](const std::string& detail) {
    respond(to_reply(json_error(bhttp::status::bad_request, request, "invalid_request", detail)));
  };
  if (in.is_discarded() || !in.is_object()) return bad("body is not a JSON object");
  if (!in.contains("method") || !in["method"].is_string())
    return bad("`method` (string) is required");
  Result<wba::http::Target> target = Error(Reason::malformed_message, "no target");
  if (in.contains("url")) {
    if (!in["url"].is_string()) return bad("`url` must be a string");
    target = wba::http::target_from_uri(in["url"].get<std::string>());
  } else {
    for (const char* k : {"scheme", "authority", "path"}) {
      if (!in.contains(k) || !in[k].is_string()) {
        return bad("give `url`, or `scheme`, `authority` and `path` (strings)");
      }
    }
    target =
        wba::http::make_target(in["scheme"].get<std::string>(), in["authority"].get<std::string>(),
                               in["path"].get<std::string>());
  }
  if (!target) return bad(target.error().detail);
  wba::http::Request req;
  req.method = in["method"].get<std::string>();
  if (req.method.empty()) return bad("`method` is empty");
  req.target = std::move(target).value();
  if (in.contains("headers")) {
    if (!in["headers"].is_array()) return bad("`headers` must be a list of [name, value] pairs");
    for (const auto& h : in["headers"]) {
      if (!h.is_array() || h.size() != 2 || !h[0].is_string() || !h[1].is_string()) {
        return bad("`headers` must be a list of [name, value] pairs of strings");
      }
      req.headers.add(h[0].get<std::string>(), h[1].get<std::string>());
    }
  }
  if (in.contains("body")) {
    if (!in["body"].is_string()) return bad("`body` must be base64 text");
    auto body = wba::base64_decode(in["body"].get<std::string>());
    if (!body) return bad("`body` is not valid base64");
    req.body = std::move(body).value();
  }
  std::optional<std::int64_t> now;
  if (in.contains("now")) {
    if (!config->allow_now_override) {
      return bad("`now` is only accepted when the daemon runs with --allow-now-override");
    }
    if (!in["now"].is_number_integer()) return bad("`now` must be an integer (Unix seconds)");
    now = in["now"].get<std::int64_t>();
  }
  auto shared = std::make_shared<HttpRequest>(std::move(request));
  service_->check(wba::http::Message(std::move(req)), Frontend::json_api, now,
                  [shared, respond = std::move(respond)](Verdict v) {
                    respond(to_reply(json_response(bhttp::status::ok, *shared, verdict_json(v))));
                  });
}

void Router::proxy(Frontend frontend, HttpRequest request, Respond respond) const {
  auto config = service_->config();
  auto original = original_request(frontend, request, config->identity_header_prefix);
  if (!original) {
    // nginx turns anything but 2xx/401/403 into a 500 for the client: a malformed auth
    // subrequest is a misconfiguration, reported as 401 with the reason in a header.
    auto res = make_response(bhttp::status::unauthorized, request.version(), request.keep_alive(),
                             "", "text/plain");
    res.set(config->identity_header_prefix + "Reason", wba::to_string(original.reason()));
    return respond(to_reply(res));
  }
  // The answer is written straight to its wire form: the same bytes as make_response + set()
  // + Beast's serializer (status line; Server, Content-Type, Cache-Control, Connection when
  // keep-alive differs from the version's default, Content-Length; the identity headers), with
  // one buffer instead of a field list, a message object and the serializer's buffer sequence.
  const unsigned version = request.version();
  const bool keep_alive = request.keep_alive();
  service_->check(std::move(original).value(), frontend, std::nullopt,
                  [frontend, version, keep_alive, config = std::move(config),
                   respond = std::move(respond)](Verdict v) {
                    unsigned code = config->mode == Mode::enforce ? enforce_status(v) : 200;
                    // nginx turns anything but 2xx/401/403 into a 500 for the client: token rows of
                    // 400 (invalid_request) and 503 (issuer or introspection down) become 401
                    // there, with the reason in the Reason header.
                    if (frontend == Frontend::nginx && code != 200 && code != 401 && code != 403)
                      code = 401;
                    const auto status = static_cast<bhttp::status>(code);
                    Reply r;
                    r.keep_alive = keep_alive;
                    std::string& w = r.wire;
                    w.reserve(512);
                    append_status_line(w, version, static_cast<unsigned>(status),
                                       bhttp::obsolete_reason(status));
                    w += "Server: wbad\r\nContent-Type: text/plain\r\nCache-Control: no-store\r\n";
                    if (version >= 11 && !keep_alive) w += "Connection: close\r\n";
                    if (version < 11 && keep_alive) w += "Connection: keep-alive\r\n";
                    w += "Content-Length: 0\r\n";
                    const std::string& p = config->identity_header_prefix;
                    auto field = [&](std::string_view name, std::string_view value) {
                      w += p;
                      append_field(w, name, value);
                    };
                    // Always set every identity header (empty when unknown) so that a proxy copying
                    // them upstream overwrites anything a client sent under those names.
                    field("Verified", v.valid ? "true" : "false");
                    field("Outcome", wba::profile::to_string(v.outcome));
                    field("Reason", wba::to_string(v.reason));
                    std::string_view agent, directory, thumbprint, label, body_checked = "false";
                    if (v.agent) {
                      if (v.agent->agent) {
                        agent = v.agent->agent->agent_url;
                        directory = v.agent->agent->directory_url;
                      }
                      thumbprint = v.agent->key_thumbprint;
                      label = v.agent->signature.label();
                      body_checked = v.agent->signature.content_digest_checked() ? "true" : "false";
                    }
                    field("Url", agent);
                    field("Directory", directory);
                    field("Key-Thumbprint", thumbprint);
                    field("Label", label);
                    field("Body-Checked", body_checked);
                    // The delegation (docs/DELEGATION.md §6), empty unless a token was bound.
                    if (v.token && v.token->delegation) {
                      const TokenIdentity t = token_identity(v);
                      // In kDelegationHeaders' order; the issuer's strings made header-safe.
                      const std::array<std::string, kDelegationHeaders.size()> values{
                          header_safe(t.principal),
                          header_safe(t.actor),
                          header_safe(t.actor_chain),
                          header_safe(t.client_id),
                          header_safe(t.scope),
                          header_safe(t.token_id),
                          t.token_expires,
                          header_safe(t.issuer),
                          t.binding,
                          t.delegation};
                      for (std::size_t i = 0; i < values.size(); ++i) {
                        field(kDelegationHeaders[i], values[i]);
                      }
                    } else {
                      w += empty_delegation_headers(p);
                    }
                    if (code == 401 && v.token && v.token->state != TokenOutcome::State::bound) {
                      // RFC 6750 §3 / RFC 9449 §7.1 challenge in the presentation's scheme; the
                      // proxy passes it to the client with the 401 (nginx auth_request copies it).
                      const bool dpop = v.token->scheme == wba::token::Scheme::dpop;
                      auto err = wba::token::token_error_mapping(v.reason).error;
                      std::string challenge = dpop ? "DPoP" : "Bearer";
                      if (!err.empty()) challenge += " error=\"" + std::string(err) + "\"";
                      append_field(w, "WWW-Authenticate", challenge);
                      if (v.reason == Reason::authorization_not_signed ||
                          v.reason == Reason::stale_binding_signature) {
                        append_field(w, "Accept-Signature",
                                     wba::token::accept_signature_for_binding(
                                         v.agent ? v.agent->signature.label() : "sig1", dpop));
                      }
                    }
                    w += "\r\n";
                    respond(std::move(r));
                  });
}

}  // namespace wbad
