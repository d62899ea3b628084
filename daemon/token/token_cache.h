// The token validation cache (delegation.md §8): what Steps 3–9 concluded about a token — a
// validated AccessToken, or an introspection's `active: false` — keyed by the SHA-256 of the
// token text (never by jti: two tokens with one jti must not share an entry, §9 item 47).
// Binding (Steps 1–2, 10–13) is per request and is never cached; the time checks are re-run on
// every hit by the caller.
//
//   JWT, validated               until min(exp + skew, now + 10 min); dropped as soon as the
//                                issuer's JWKS generation differs from the one it was checked with
//   introspection, active        until min(exp, now + 60 s)
//   introspection, inactive      30 s (anti-hammering only)
//
// Bounded: beyond max_entries the least recently used entry goes. Thread-safe (one mutex, O(1)
// under it).
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "token/token_metrics.h"
#include "wba/result.h"
#include "wba/token/access_token.h"

namespace wbad {

struct CachedValidation {
  // The validated token, or the error to repeat (only token_inactive is cached).
  std::shared_ptr<const wba::token::AccessToken> token;
  std::optional<wba::Error> error;
  std::string issuer;
  std::optional<std::uint64_t> key_generation;  // JWT: the JWKS generation it was checked with
  std::int64_t expires_at = 0;                  // Unix seconds; gone at or after it
};

class TokenCache {
 public:
  static constexpr std::int64_t kMaxJwtLifetime = 600;
  static constexpr std::int64_t kMaxActiveIntrospection = 60;
  static constexpr std::int64_t kInactiveIntrospection = 30;

  explicit TokenCache(std::size_t max_entries, std::shared_ptr<TokenMetrics> metrics = nullptr);

  // The entry for `token_sha256` valid at `now`, or nullopt (expired entries are dropped).
  std::optional<CachedValidation> find(const std::string& token_sha256, std::int64_t now);
  void insert(const std::string& token_sha256, CachedValidation entry);
  void erase(const std::string& token_sha256);
  std::size_t size() const;

 private:
  using Order = std::list<std::string>;  // most recently used first
  struct Slot {
    CachedValidation value;
    Order::iterator position;
  };

  std::size_t max_entries_;
  std::shared_ptr<TokenMetrics> metrics_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Slot> entries_;
  Order order_;
};

}  // namespace wbad
