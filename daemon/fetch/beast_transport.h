// The real directory transport: an asynchronous HTTP/1.1 client on Boost.Beast and OpenSSL,
// shaped like Beast's async SSL client (aesthetics.md item 16): one FetchOperation object per
// fetch kept alive by shared_from_this, its own strand, a deadline before every async
// operation, nothing blocking on the I/O threads.
//
// What one fetch does (ecosystem.md §3.2, draft §5.5 and §6.11):
//   1. OutboundPolicy::check_url: scheme, port, userinfo, allow/deny lists, IP literals;
//   2. resolve the host once (or take host_overrides), and vet EVERY address: one refused
//      address fails the fetch;
//   3. connect only to the vetted addresses (pinned: no second resolution, so a DNS answer
//      that changes between check and connect — rebinding — cannot reach a private address);
//   4. TLS: SNI = host name, peer verification against the system trust store (plus any extra
//      CA configured) and the host name (or IP literal) checked by OpenSSL during the
//      handshake; TLS 1.2 minimum;
//   5. GET (or POST with the request's body, Content-Type and Content-Length: RFC 7662
//      introspection) with Host, Accept: the directory media type unless the request names
//      another, Accept-Encoding: identity (we decode nothing, so the size cap is the decoded
//      size), Connection: close;
//   6. read one response with a header and a body limit; any status is returned as is — 3xx
//      are never followed (draft §5.5 "MUST NOT automatically follow HTTP redirects").
// No proxy environment variables are consulted: an egress proxy would resolve names itself
// and defeat pinning.
//
// Defaults of TransportConfig (documented for docs/CONFIG.md):
//   connect_timeout    2000 ms  TCP connect + TLS handshake, from the first connect attempt
//   read_timeout       3000 ms  writing the request + reading the whole response
//   total_timeout      5000 ms  everything, DNS included (EdgeOne's Web Bot Auth example: 5 s)
//   resolve_timeout    2000 ms  DNS alone (also bounded by total_timeout)
//   max_header_bytes  16384     response header block
//   max_body_bytes    65536     response body (64 KiB, like the Envoy resolver; the draft:
//                               "limit the response size")
//   max_addresses        16     DNS answers considered (all of them are vetted; more → refused)
//   user_agent        "wbad/0.1 (+web-bot-auth key directory fetcher)"
//   use_system_ca      true     OpenSSL's default verify paths (Debian: /etc/ssl/certs)
//   ca_file / ca_pem   empty    extra trust anchors (a private PKI; tests)
//   host_overrides     empty    host → addresses, like curl --resolve (tests, split-horizon
//                               setups); overridden addresses are vetted like DNS answers
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "fetch/outbound_policy.h"
#include "fetch/transport.h"
#include "wba/result.h"

namespace wbad::fetch {

struct TransportConfig {
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds read_timeout{3000};
  std::chrono::milliseconds total_timeout{5000};
  std::chrono::milliseconds resolve_timeout{2000};
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 64 * 1024;
  std::size_t max_addresses = 16;
  std::string user_agent = "wbad/0.1 (+web-bot-auth key directory fetcher)";
  bool use_system_ca = true;
  std::string ca_file;
  std::string ca_pem;
  std::map<std::string, std::vector<std::string>> host_overrides;
};

class BeastTransport : public HttpTransport {
 public:
  // Errors: invalid_argument for an unusable ca_file / ca_pem, a host_overrides address that
  // is not an IP address, or zero limits/timeouts.
  static wba::Result<std::shared_ptr<BeastTransport>> make(
      boost::asio::any_io_executor executor, std::shared_ptr<const OutboundPolicy> policy,
      TransportConfig config = {});

  // Completes on a strand of the executor given to make(); never inline.
  void fetch(FetchRequest request, FetchHandler done) override;

  struct Shared;  // what every operation needs: config, policy, TLS context

 private:
  BeastTransport(boost::asio::any_io_executor executor, std::shared_ptr<const Shared> shared);
  boost::asio::any_io_executor executor_;
  std::shared_ptr<const Shared> shared_;
};

}  // namespace wbad::fetch
