// RFC 7662 token introspection for opaque access tokens (delegation.md §4 Step 3b): one POST of
// `token=…&token_type_hint=access_token` (application/x-www-form-urlencoded) to the issuer's
// introspection endpoint, the resource server authenticating with client_secret_basic
// (RFC 6749 §2.3.1: client id and secret form-urlencoded, then HTTP Basic), through the daemon's
// HttpTransport (same outbound policy as every other fetch; redirects are not followed).
//
// The answer is the response body of a 200 (the caller turns it into an AccessToken with
// wba::token::access_token_from_introspection); anything else — transport failure, timeout, any
// non-200 status (a 401 means our credentials are wrong: not the token's fault) — is
// introspection_unavailable: the token could not be checked, the outcome is `unverified`.
// At most max_in_flight introspections run at once (each distinct opaque token costs the AS a
// request, so a flood of random tokens must not become a flood of POSTs); beyond that →
// introspection_unavailable at once. Concurrent introspections of one token at one endpoint
// share one POST (single-flight): every caller gets its answer.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "fetch/transport.h"
#include "token/token_metrics.h"
#include "wba/result.h"

namespace wbad {

struct IntrospectionEndpoint {
  std::string url;
  std::string client_id;  // empty: no client authentication (not recommended)
  std::string client_secret;
};

// "client_id:client_secret" on the first non-empty line of a credentials file (split at the
// first ':'; trailing CR/LF and spaces trimmed). Errors: invalid_argument naming what is wrong.
wba::Result<std::pair<std::string, std::string>> parse_client_credentials(std::string_view text);

class IntrospectionClient : public std::enable_shared_from_this<IntrospectionClient> {
 public:
  using Callback = std::function<void(wba::Result<std::string>)>;

  static std::shared_ptr<IntrospectionClient> make(std::shared_ptr<fetch::HttpTransport> transport,
                                                   std::size_t max_in_flight,
                                                   std::shared_ptr<TokenMetrics> metrics);

  // Calls `done` exactly once with the 200 response body or introspection_unavailable.
  void introspect(const IntrospectionEndpoint& endpoint, const std::string& token, Callback done);

 private:
  IntrospectionClient(std::shared_ptr<fetch::HttpTransport> transport, std::size_t max_in_flight,
                      std::shared_ptr<TokenMetrics> metrics);

  // Delivers one POST's outcome to every caller that waited for it.
  void finish(const std::pair<std::string, std::string>& key, wba::Result<std::string> result);

  std::shared_ptr<fetch::HttpTransport> transport_;
  std::size_t max_in_flight_;
  std::shared_ptr<TokenMetrics> metrics_;
  std::atomic<std::size_t> in_flight_{0};
  std::mutex mutex_;
  // (endpoint URL, token) of each POST in flight → the callers waiting for it.
  std::map<std::pair<std::string, std::string>, std::vector<Callback>> waiting_;
};

}  // namespace wbad
