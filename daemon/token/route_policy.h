// Per-route token policy: whether a path wants a delegated token, which scopes it needs, and
// whether a human principal must be present (delegation.md §7 [[route]]). The longest matching
// `routes` prefix wins; fields a route leaves out come from the global options
// (--token-policy, --required-scope, --require-delegation).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace wbad {

struct RoutePolicy {
  TokenPolicy token = TokenPolicy::optional;
  std::vector<std::string> required_scopes;
  bool require_delegation = false;
  std::vector<std::string> allowed_actors;  // empty: any agent may act for principals
  std::string prefix;  // the matching route's prefix; "" for the global default
};

// The path as route prefixes are compared with it: percent-encoded unreserved characters
// decoded, repeated slashes merged, "." and ".." segments removed ("/a//b/../%6Frders/x" →
// "/a/orders/x"), so that an encoding trick cannot move a request out of a stricter route.
std::string normalize_route_path(std::string_view path);

class RoutePolicies {
 public:
  explicit RoutePolicies(const Config& config);
  // The policy for a request path (the path of the request-target, no query), matched after
  // normalize_route_path.
  const RoutePolicy& for_path(std::string_view path) const;

 private:
  RoutePolicy default_;
  std::vector<RoutePolicy> routes_;  // longest prefix first
};

}  // namespace wbad
