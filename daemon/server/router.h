// Routes a request to the JSON API, a proxy front end or an ops endpoint. Front ends are thin
// adapters: each rebuilds the original request as the proxy describes it, calls
// VerifyService::check and turns the Verdict into its protocol's answer.
#pragma once

#include <functional>
#include <memory>

#include <boost/beast/http.hpp>

#include "service/verify_service.h"

namespace wbad {

namespace bhttp = boost::beast::http;
using HttpRequest = bhttp::request<bhttp::string_body>;
using HttpResponse = bhttp::response<bhttp::string_body>;

// A response as the connection sends it: the serialized HTTP/1.x message (status line, fields,
// body; exactly what Beast's serializer writes for the same message) and whether the
// connection stays open. The proxy front ends write it directly; the rest build an
// HttpResponse and serialize it with `to_reply`.
struct Reply {
  std::string wire;
  bool keep_alive = false;
};
Reply to_reply(const HttpResponse& res);
using Respond = std::function<void(Reply)>;

// Paths (docs/API.md).
inline constexpr std::string_view kVerifyPath = "/v1/verify";
inline constexpr std::string_view kNginxPath = "/v1/auth/nginx";
inline constexpr std::string_view kForwardAuthPath = "/v1/auth/forward";
inline constexpr std::string_view kEnvoyPrefix = "/v1/auth/envoy";

class Router {
 public:
  Router(std::shared_ptr<VerifyService> service, Metrics& metrics, std::function<bool()> ready)
      : service_(std::move(service)), metrics_(metrics), ready_(std::move(ready)) {}
  // Calls `respond` exactly once, possibly later on another thread.
  void handle(HttpRequest request, Respond respond) const;

 private:
  void json_api(HttpRequest request, Respond respond) const;
  void proxy(Frontend frontend, HttpRequest request, Respond respond) const;

  std::shared_ptr<VerifyService> service_;
  Metrics& metrics_;
  std::function<bool()> ready_;
};

// Builds the original request from what a proxy sends (exposed for unit tests): nginx uses
// X-Original-{Method,URI,Host,Proto}, Traefik/Caddy X-Forwarded-{Method,Uri,Host,Proto},
// Envoy the check request itself under kEnvoyPrefix. Identity headers (the prefix) and the
// proxy's own headers are removed, so a client cannot forge them.
wba::Result<wba::http::Message> original_request(Frontend frontend, const HttpRequest& request,
                                                 const std::string& identity_prefix);

}  // namespace wbad
