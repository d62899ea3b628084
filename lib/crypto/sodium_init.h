// libsodium must be initialised once before its CSPRNG and Ed25519 functions are used
// (libsodium docs, "Usage": sodium_init() picks implementations and seeds the generator).
#pragma once

namespace wba::detail {

// Thread-safe and idempotent; aborts if libsodium cannot initialise (no entropy source), since
// no key could then be generated or used safely.
void ensure_sodium_init() noexcept;

}  // namespace wba::detail
