#include "crypto/sodium_init.h"

#include <sodium.h>

#include <cstdio>
#include <cstdlib>

namespace wba::detail {

void ensure_sodium_init() noexcept {
  // A function-local static is initialised exactly once even under concurrent first calls
  // (C++11 [stmt.dcl]/4), which gives the once-only guarantee sodium_init() needs before 1.0.11.
  static const bool initialised = [] {
    if (sodium_init() < 0) {
      std::fputs("webbotauth: sodium_init() failed\n", stderr);
      std::abort();
    }
    return true;
  }();
  (void)initialised;
}

}  // namespace wba::detail
