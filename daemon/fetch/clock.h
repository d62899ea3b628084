// The clocks the fetcher and the key cache read. Injected so that cache tests step time instead
// of sleeping (brief: "inject a clock"); the daemon uses Clock::real().
#pragma once

#include <chrono>
#include <functional>

namespace wbad::fetch {

struct Clock {
  // Monotonic time: freshness deadlines, negative-cache expiry, refresh rate limits. Immune to
  // wall-clock steps, so an NTP correction never expires or resurrects a whole cache at once.
  std::function<std::chrono::steady_clock::time_point()> steady;
  // Wall-clock time: HTTP dates (Date, Expires, Retry-After) and key validity (nbf/exp, proof
  // created/expires), which are absolute Unix times on the wire.
  std::function<std::chrono::system_clock::time_point()> system;

  static Clock real() {
    return Clock{[] { return std::chrono::steady_clock::now(); },
                 [] { return std::chrono::system_clock::now(); }};
  }
};

}  // namespace wbad::fetch
