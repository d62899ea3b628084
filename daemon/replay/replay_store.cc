#include "replay/replay_store.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <sodium.h>

namespace wbad {
namespace {

// SHA-256 of a, then (with `separate`) a NUL and b. Runs for every verified request: the
// digest is fetched from the provider once (EVP_sha256() makes OpenSSL 3 fetch it on every
// call) and each thread reuses one context, so nothing is allocated per key.
ReplayKey sha256(std::string_view a, std::string_view b, bool separate) {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  struct Context {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Context() { EVP_MD_CTX_free(ctx); }
  };
  thread_local Context context;
  EVP_MD_CTX* ctx = context.ctx;
  ReplayKey out{};
  const unsigned char sep = 0;
  unsigned int len = 0;
  if (!md || !ctx || EVP_DigestInit_ex2(ctx, md, nullptr) != 1 ||
      EVP_DigestUpdate(ctx, a.data(), a.size()) != 1 ||
      (separate && EVP_DigestUpdate(ctx, &sep, 1) != 1) ||
      EVP_DigestUpdate(ctx, b.data(), b.size()) != 1 ||
      EVP_DigestFinal_ex(ctx, reinterpret_cast<unsigned char*>(out.data()), &len) != 1 ||
      len != out.size()) {
    // Only allocation failure gets here: the same digest from libsodium, which cannot fail.
    ERR_clear_error();
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, reinterpret_cast<const unsigned char*>(a.data()), a.size());
    if (separate) crypto_hash_sha256_update(&st, &sep, 1);
    crypto_hash_sha256_update(&st, reinterpret_cast<const unsigned char*>(b.data()), b.size());
    crypto_hash_sha256_final(&st, reinterpret_cast<unsigned char*>(out.data()));
  }
  return out;
}

}  // namespace

MemoryReplayStore::MemoryReplayStore(std::size_t max_entries, std::size_t shards)
    : per_shard_limit_(std::max<std::size_t>(1, max_entries / std::max<std::size_t>(1, shards))) {
  shards_.reserve(shards);
  // The buckets for the bound are allocated up front (8 bytes per entry, capped at 2^18 per
  // shard): growing a shard's table rehashes all of it at once, which would stall the thread
  // recording a nonce for milliseconds once a shard holds a few ten thousand entries.
  const std::size_t buckets = std::min<std::size_t>(per_shard_limit_, std::size_t{1} << 18);
  for (std::size_t i = 0; i < std::max<std::size_t>(1, shards); ++i) {
    shards_.push_back(std::make_unique<Shard>());
    shards_.back()->expiry.reserve(buckets);
  }
}

bool MemoryReplayStore::check_and_record(std::string_view key, std::int64_t expires_at,
                                         std::int64_t now) {
  ReplayKey k;
  if (key.size() == k.size()) {
    std::memcpy(k.data(), key.data(), k.size());
  } else {
    k = sha256(key, {}, false);
  }
  // The shard comes from other key bytes than the ones the shard's own hash table uses.
  std::size_t h;
  std::memcpy(&h, k.data() + 8, sizeof h);
  Shard& s = *shards_[h % shards_.size()];
  std::lock_guard lock(s.mutex);
  auto it = s.expiry.find(k);
  if (it != s.expiry.end()) {
    if (it->second > now) return false;  // seen, still inside its window: a replay
    it->second = expires_at;             // expired entry: the key may be used again
    s.order.push_back({k, expires_at});  // (its older slot is now stale, see below)
    return true;
  }
  // A FIFO slot is current when its expiry is still the entry's; a stale one (the key was
  // recorded again after it expired) is dropped without touching the entry. Slots carry the
  // expiry so that the cleanup below reads the FIFO's front only, not the hash table.
  auto drop_front = [&s, now] {
    const Slot& front = s.order.front();
    auto entry = s.expiry.find(front.key);
    if (entry != s.expiry.end() && entry->second == front.expires_at) {
      if (entry->second > now) ++s.evictions;
      s.expiry.erase(entry);
    }
    s.order.pop_front();
  };
  // Evict the oldest entries while full, then drop expired ones from the old end
  // (opportunistic cleanup keeps memory near the live set).
  while (!s.order.empty() && s.expiry.size() >= per_shard_limit_) drop_front();
  while (!s.order.empty() && s.order.front().expires_at <= now) drop_front();
  s.expiry.emplace(k, expires_at);
  s.order.push_back({k, expires_at});
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

ReplayKey replay_key_for_nonce(std::string_view key_thumbprint, std::string_view nonce) {
  return sha256(key_thumbprint, nonce, true);
}

ReplayKey replay_key_for_signature(std::string_view signature) {
  return sha256("signature", signature, true);
}

}  // namespace wbad
