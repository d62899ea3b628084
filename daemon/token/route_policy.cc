#include "token/route_policy.h"

#include <algorithm>

namespace wbad {

namespace {

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool unreserved(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

}  // namespace

std::string normalize_route_path(std::string_view path) {
  // 1. Percent-encoded unreserved characters decoded (RFC 3986 §6.2.2.2), so "/%6Frders/" cannot
  //    dodge the "/orders/" route.
  std::string decoded;
  decoded.reserve(path.size());
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '%' && i + 2 < path.size() && hex(path[i + 1]) >= 0 && hex(path[i + 2]) >= 0) {
      char c = static_cast<char>(hex(path[i + 1]) * 16 + hex(path[i + 2]));
      if (unreserved(c)) {
        decoded += c;
        i += 2;
        continue;
      }
    }
    decoded += path[i];
  }
  // 2. Empty segments merged (nginx merge_slashes) and dot-segments removed (§5.2.4).
  std::vector<std::string_view> raw;
  std::string_view rest = decoded;
  for (;;) {
    auto slash = rest.find('/');
    raw.push_back(rest.substr(0, slash));
    if (slash == std::string_view::npos) break;
    rest = rest.substr(slash + 1);
  }
  std::vector<std::string_view> out;
  for (auto seg : raw) {
    if (seg.empty() || seg == ".") continue;
    if (seg == "..") {
      if (!out.empty()) out.pop_back();
      continue;
    }
    out.push_back(seg);
  }
  const bool trailing_slash =
      raw.size() > 1 && (raw.back().empty() || raw.back() == "." || raw.back() == "..");
  std::string result;
  for (auto seg : out) {
    result += '/';
    result += seg;
  }
  if (result.empty() || trailing_slash) result += '/';
  return result;
}

RoutePolicies::RoutePolicies(const Config& config) {
  default_.token = config.token_policy;
  default_.required_scopes = config.required_scopes;
  default_.require_delegation = config.require_delegation;
  default_.allowed_actors = config.allowed_actors;
  for (const auto& r : config.routes) {
    RoutePolicy p = default_;
    p.prefix = r.prefix;
    if (r.token) p.token = *r.token;
    if (r.required_scopes) p.required_scopes = *r.required_scopes;
    if (r.require_delegation) p.require_delegation = *r.require_delegation;
    if (r.allowed_actors) p.allowed_actors = *r.allowed_actors;
    routes_.push_back(std::move(p));
  }
  std::stable_sort(routes_.begin(), routes_.end(), [](const RoutePolicy& a, const RoutePolicy& b) {
    return a.prefix.size() > b.prefix.size();
  });
}

const RoutePolicy& RoutePolicies::for_path(std::string_view path) const {
  if (routes_.empty()) return default_;
  const std::string normalized = normalize_route_path(path);
  for (const auto& r : routes_) {
    if (normalized.compare(0, r.prefix.size(), r.prefix) == 0) return r;
  }
  return default_;
}

}  // namespace wbad
