#include "replay/replay_store.h"

#include <functional>

#include <openssl/evp.h>

namespace wbad {

MemoryReplayStore::MemoryReplayStore(std::size_t max_entries, std::size_t shards)
    : per_shard_limit_(std::max<std::size_t>(1, max_entries / std::max<std::size_t>(1, shards))) {
  shards_.reserve(shards);
  for (std::size_t i = 0; i < std::max<std::size_t>(1, shards); ++i) {
    shards_.push_back(std::make_unique<Shard>());
  }
}

MemoryReplayStore::Shard& MemoryReplayStore::shard_for(std::string_view key) {
  return *shards_[std::hash<std::string_view>{}(key) % shards_.size()];
}

bool MemoryReplayStore::check_and_record(std::string_view key, std::int64_t expires_at,
                                         std::int64_t now) {
  Shard& s = shard_for(key);
  std::lock_guard lock(s.mutex);
  std::string k(key);
  auto it = s.expiry.find(k);
  if (it != s.expiry.end()) {
    if (it->second > now) return false;  // seen, still inside its window: a replay
    it->second = expires_at;             // expired entry: the key may be used again
    return true;
  }
  // Drop expired entries from the old end first, then the oldest live ones if still full.
  while (!s.order.empty() && s.expiry.size() >= per_shard_limit_) {
    auto old = s.expiry.find(s.order.front());
    if (old != s.expiry.end()) {
      if (old->second > now) ++s.evictions;
      s.expiry.erase(old);
    }
    s.order.pop_front();
  }
  while (!s.order.empty()) {  // opportunistic cleanup keeps memory near the live set
    auto old = s.expiry.find(s.order.front());
    if (old != s.expiry.end() && old->second > now) break;
    if (old != s.expiry.end()) s.expiry.erase(old);
    s.order.pop_front();
  }
  s.expiry.emplace(k, expires_at);
  s.order.push_back(std::move(k));
  return true;
}

std::size_t MemoryReplayStore::size() const {
  std::size_t n = 0;
  for (const auto& s : shards_) {
    std::lock_guard lock(s->mutex);
    n += s->expiry.size();
  }
  return n;
}

std::uint64_t MemoryReplayStore::evictions() const {
  std::uint64_t n = 0;
  for (const auto& s : shards_) {
    std::lock_guard lock(s->mutex);
    n += s->evictions;
  }
  return n;
}

namespace {
// SHA-256 of a, a NUL separator, and b: fixed-size keys whatever the nonce's length.
std::string sha256(std::string_view a, std::string_view b) {
  std::string out(32, '\0');
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const unsigned char sep = 0;
  unsigned int len = 0;
  if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx, a.data(), a.size()) != 1 || EVP_DigestUpdate(ctx, &sep, 1) != 1 ||
      EVP_DigestUpdate(ctx, b.data(), b.size()) != 1 ||
      EVP_DigestFinal_ex(ctx, reinterpret_cast<unsigned char*>(out.data()), &len) != 1) {
    // Only allocation failure gets here; a key that cannot be hashed is still unique enough
    // as the plain concatenation.
    out = std::string(a) + '\0' + std::string(b);
  }
  EVP_MD_CTX_free(ctx);
  return out;
}
}  // namespace

std::string replay_key_for_nonce(std::string_view key_thumbprint, std::string_view nonce) {
  return sha256(key_thumbprint, nonce);
}

std::string replay_key_for_signature(std::string_view signature) {
  return sha256("signature", signature);
}

}  // namespace wbad
