#include "fetch/transport.h"

namespace wbad::fetch {

std::string_view to_string(FetchError e) noexcept {
  switch (e) {
    case FetchError::none:
      return "none";
    case FetchError::refused:
      return "refused";
    case FetchError::resolve_failed:
      return "resolve_failed";
    case FetchError::connect_failed:
      return "connect_failed";
    case FetchError::tls_failed:
      return "tls_failed";
    case FetchError::timeout:
      return "timeout";
    case FetchError::too_large:
      return "too_large";
    case FetchError::protocol_error:
      return "protocol_error";
    case FetchError::io_error:
      return "io_error";
    case FetchError::overloaded:
      return "overloaded";
  }
  return "unknown";
}

}  // namespace wbad::fetch
