// The target URI of a request (RFC 9110 §7.1) as the signer addressed it. Built through
// Boost.URL; the parts are what RFC 9421 §2.2 derives components from.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "wba/result.h"

namespace wba::http {

struct Target {
  std::string scheme;                // lower-cased ("https")
  std::string authority;             // host lower-cased, default port removed (RFC 9110 §4.2.3)
  std::string path;                  // absolute path as sent, never empty ("/" when absent)
  std::optional<std::string> query;  // raw query without the '?', nullopt when there is none
  std::string request_target;        // the HTTP/1.1 request-target exactly as sent (§2.2.5)

  // scheme "://" authority path ["?" query], as @target-uri wants it (§2.2.2).
  std::string uri() const;
};

// From the pieces an HTTP/1.1 server sees: the scheme of the connection (or the proxy's view),
// the Host header (or :authority), and the request-target (origin-form, absolute-form,
// authority-form or "*"). In absolute-form the URI's own scheme and authority win.
// Malformed input → Reason::malformed_message naming the part.
Result<Target> make_target(std::string_view scheme, std::string_view authority,
                           std::string_view request_target);
// From an absolute URI ("https://example.com/a?b"); the request-target becomes origin-form.
Result<Target> target_from_uri(std::string_view absolute_uri);
// Normalises an authority: host lower-cased, default port of `scheme` removed, userinfo refused.
Result<std::string> normalize_authority(std::string_view scheme, std::string_view authority);

}  // namespace wba::http
