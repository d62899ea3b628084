// Replay protection (RFC 9421 §7.2.2; Web Bot Auth App. C.6): a nonce (or a whole signature)
// seen within its validity window is rejected. Behind an interface so that a shared store for
// several instances can replace the in-memory one.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace wbad {

class ReplayStore {
 public:
  virtual ~ReplayStore() = default;
  // Atomically: false if `key` was recorded and has not yet expired at `now`; otherwise
  // records it until `expires_at` (Unix seconds) and returns true.
  virtual bool check_and_record(std::string_view key, std::int64_t expires_at,
                                std::int64_t now) = 0;
  virtual std::size_t size() const = 0;
};

// The replay key of a signature: SHA-256 over the key thumbprint, a NUL and the nonce (a nonce
// is only unique per signer), or over "signature", a NUL and the signature bytes. Fixed size
// whatever the nonce's length, and no allocation (computed for every verified request).
using ReplayKey = std::array<char, 32>;
ReplayKey replay_key_for_nonce(std::string_view key_thumbprint, std::string_view nonce);
ReplayKey replay_key_for_signature(std::string_view signature);
inline std::string_view view(const ReplayKey& key) { return {key.data(), key.size()}; }

// In memory, sharded by key hash (a mutex per shard), bounded: beyond `max_entries` the oldest
// recorded entries are evicted first (an evicted nonce could be replayed; size the store for
// the request rate × the longest accepted lifetime).
//
// Entries are kept as 32-byte keys (a ReplayKey as given, any other key by its SHA-256), so an
// entry is one hash node (next pointer, key, expiry, cached hash: 64 bytes, 80 with malloc's
// header), its bucket slot (8 bytes at load factor 1) and its FIFO slot (key and expiry, 40
// bytes): about 130 bytes, and one allocation per recorded key. The default 1,000,000 entries
// take about 130 MB at most. Measured figures are in docs/PERFORMANCE.md.
class MemoryReplayStore final : public ReplayStore {
 public:
  explicit MemoryReplayStore(std::size_t max_entries, std::size_t shards = 16);

  bool check_and_record(std::string_view key, std::int64_t expires_at, std::int64_t now) override;
  std::size_t size() const override;
  std::uint64_t evictions() const;

 private:
  struct KeyHash {
    // Keys are SHA-256 outputs: any 8 of their bytes are already a uniform hash.
    std::size_t operator()(const ReplayKey& k) const noexcept {
      std::size_t h;
      std::memcpy(&h, k.data(), sizeof h);
      return h;
    }
  };
  struct Slot {
    ReplayKey key;
    std::int64_t expires_at;
  };
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<ReplayKey, std::int64_t, KeyHash> expiry;
    std::deque<Slot> order;  // insertion order, for eviction of the oldest
    std::uint64_t evictions = 0;
  };

  std::vector<std::unique_ptr<Shard>> shards_;
  std::size_t per_shard_limit_;
};

}  // namespace wbad
