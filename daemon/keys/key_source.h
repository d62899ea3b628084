// Where the daemon finds an agent's key: statically trusted keys, or the agent's key directory
// fetched and cached. Lookups are always by (directory URL, thumbprint), never by keyid alone.
#pragma once

#include <functional>

#include "wba/crypto/key.h"
#include "wba/profile/web_bot_auth.h"
#include "wba/result.h"

namespace wbad {

using KeyCallback = std::function<void(wba::Result<wba::VerifyingKey>)>;

class KeySource {
 public:
  virtual ~KeySource() = default;
  // Finds the key for `query` and calls `done` exactly once, possibly inline, possibly later on
  // another thread (never while holding a lock of the source). Errors: key_not_found (the
  // directory has no such key), directory_unavailable (could not fetch: network, timeout,
  // status, refused address), directory_invalid (malformed, wrong media type, too large),
  // directory_signature_invalid (its own signatures fail).
  virtual void find_key(const wba::profile::KeyQuery& query, KeyCallback done) = 0;
};

}  // namespace wbad
