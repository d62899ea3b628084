#include "wba/http/target.h"

#include "wba/http/fields.h"

#include <boost/url/authority_view.hpp>
#include <boost/url/parse.hpp>

namespace wba::http {
namespace urls = boost::urls;

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return out;
}

Error bad(std::string what, std::string_view value) {
  return Error(Reason::malformed_message, what + " '" + std::string(value) + "'");
}

std::string_view default_port(std::string_view scheme) {
  if (scheme == "https" || scheme == "wss") return "443";
  if (scheme == "http" || scheme == "ws") return "80";
  return {};
}

}  // namespace

std::string Target::uri() const {
  std::string out;
  out.reserve(scheme.size() + authority.size() + path.size() + 8 + (query ? query->size() : 0));
  out.append(scheme).append("://").append(authority).append(path);
  if (query) out.append("?").append(*query);
  return out;
}

Result<std::string> normalize_authority(std::string_view scheme, std::string_view authority) {
  if (authority.empty()) return bad("empty authority", authority);
  auto parsed = urls::parse_authority(authority);
  if (!parsed) return bad("invalid authority", authority);
  // RFC 9110 §4.2.4: userinfo is not allowed in http(s) URIs sent on the wire.
  if (parsed->has_userinfo()) return bad("authority with userinfo", authority);
  if (parsed->encoded_host().empty()) return bad("authority without host", authority);
  std::string out = lower(parsed->encoded_host());
  if (parsed->has_port()) {
    std::string_view port = parsed->port();
    // An empty port ("host:") is the default port (RFC 3986 §6.2.3).
    if (!port.empty() && port != default_port(lower(scheme))) {
      out.append(":").append(port);
    }
  }
  return out;
}

Result<Target> make_target(std::string_view scheme, std::string_view authority,
                           std::string_view request_target) {
  if (request_target.empty()) return bad("empty request-target", request_target);
  Target t;
  t.request_target = std::string(request_target);
  if (request_target.front() == '/') {  // origin-form (RFC 9112 §3.2.1)
    auto u = urls::parse_origin_form(request_target);
    if (!u) return bad("invalid origin-form request-target", request_target);
    t.path = std::string(u->encoded_path());
    if (u->has_query()) t.query = std::string(u->encoded_query());
  } else if (request_target == "*") {  // asterisk-form (§3.2.4)
    t.path = "/";
  } else if (request_target.find("://") != std::string_view::npos) {  // absolute-form
    auto abs = urls::parse_absolute_uri(request_target);
    if (!abs || !abs->has_authority()) return bad("invalid absolute-form", request_target);
    t.scheme = lower(abs->scheme());
    WBA_TRY(t.authority, normalize_authority(t.scheme, abs->encoded_authority()));
    t.path = std::string(abs->encoded_path());
    if (abs->has_query()) t.query = std::string(abs->encoded_query());
    if (abs->has_fragment()) return bad("request-target with fragment", request_target);
  } else {  // authority-form (CONNECT, §3.2.3)
    auto a = urls::parse_authority(request_target);
    if (!a || a->has_userinfo() || !a->has_port()) {
      return bad("invalid request-target", request_target);
    }
    t.path = "/";
  }
  if (t.path.empty()) t.path = "/";
  if (t.scheme.empty()) {
    if (scheme.empty()) return bad("empty scheme", scheme);
    // A proxy names http or https on almost every request: only other schemes go through
    // Boost.URL's scheme grammar (built into a URL, as it has no scheme-only parser).
    if (!iequals(scheme, "https") && !iequals(scheme, "http")) {
      auto s = urls::parse_absolute_uri(std::string(scheme) + "://x");
      if (!s) return bad("invalid scheme", scheme);
    }
    t.scheme = lower(scheme);
    WBA_TRY(t.authority, normalize_authority(t.scheme, authority));
  }
  return t;
}

Result<Target> target_from_uri(std::string_view absolute_uri) {
  auto u = urls::parse_absolute_uri(absolute_uri);
  if (!u || !u->has_authority()) return bad("invalid absolute URI", absolute_uri);
  if (u->has_fragment()) return bad("URI with fragment", absolute_uri);
  std::string origin_form(u->encoded_path().empty() ? "/" : std::string(u->encoded_path()));
  if (u->has_query()) origin_form.append("?").append(u->encoded_query());
  return make_target(u->scheme(), u->encoded_authority(), origin_form);
}

}  // namespace wba::http
