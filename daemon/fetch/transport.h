// The HTTP transport the daemon's caches fetch through (key directories, authorization-server
// metadata and JWKS, token introspection): an interface, so that cache semantics are
// unit-tested with a scripted fake and the daemon uses the Beast/OpenSSL client
// (beast_transport.h). One request (GET, or POST with a body for RFC 7662 introspection), no
// redirects followed, no retries: the caller decides what a failure means.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "wba/http/fields.h"

namespace wbad::fetch {

// Why a fetch produced no HTTP response (or one that could not be read to the end).
enum class FetchError {
  none,            // a complete response was received (any status)
  refused,         // the outbound policy refused the URL or an address it resolves to
  resolve_failed,  // DNS: no such host, no answer
  connect_failed,  // TCP: refused, unreachable, reset
  tls_failed,      // handshake or certificate (chain, hostname) verification
  timeout,         // connect, read or total timeout
  too_large,       // headers or body over the transport's limits
  protocol_error,  // not HTTP/1.1, bad framing, unsupported Content-Encoding
  io_error,        // the connection failed mid-response
  overloaded,      // not attempted: too many fetches in flight (the cache's cap)
};

std::string_view to_string(FetchError e) noexcept;

struct FetchRequest {
  std::string url;             // absolute http(s) URL; the transport re-checks the policy
  wba::http::Fields headers;   // extra request fields (If-None-Match, Accept, Content-Type,
                               // Authorization); one named here replaces the transport's default
  std::string method = "GET";  // "GET" or "POST"
  std::string body{};          // sent with Content-Length when non-empty or when POST
};

struct FetchResult {
  FetchError error = FetchError::none;
  std::string detail;  // for logs: why, naming the URL and address; never secret material
  int status = 0;      // when error == none
  wba::http::Fields headers;
  std::string body;
  std::string peer;  // "address:port" actually connected to, when known
};

using FetchHandler = std::function<void(FetchResult)>;

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Performs one request and calls `done` exactly once, possibly inline, possibly on another
  // thread.
  // Must never block the calling thread on the network.
  virtual void fetch(FetchRequest request, FetchHandler done) = 0;
};

}  // namespace wbad::fetch
