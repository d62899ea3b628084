// Replay protection (RFC 9421 §7.2.2; Web Bot Auth App. C.6): a nonce (or a whole signature)
// seen within its validity window is rejected. Behind an interface so that a shared store for
// several instances can replace the in-memory one.
#pragma once

#include <cstdint>
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

// In memory, sharded by key hash (a mutex per shard), bounded: beyond `max_entries` the oldest
// recorded entries are evicted first (an evicted nonce could be replayed; size the store for
// the request rate × the longest accepted lifetime).
//
// Memory per entry: the key (a 32-byte SHA-256, so a 32-byte std::string kept inline by no
// implementation: ~64 bytes with its heap block), the hash node (~48 bytes with bucket share)
// and the FIFO slot (~40 bytes): about 150 bytes, so the default 1,000,000 entries take about
// 150 MB at most. Measured figures are in docs/PERFORMANCE.md.
class MemoryReplayStore final : public ReplayStore {
 public:
  explicit MemoryReplayStore(std::size_t max_entries, std::size_t shards = 16);

  bool check_and_record(std::string_view key, std::int64_t expires_at, std::int64_t now) override;
  std::size_t size() const override;
  std::uint64_t evictions() const;

 private:
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<std::string, std::int64_t> expiry;
    std::deque<std::string> order;  // insertion order, for eviction of the oldest
    std::uint64_t evictions = 0;
  };
  Shard& shard_for(std::string_view key);

  std::vector<std::unique_ptr<Shard>> shards_;
  std::size_t per_shard_limit_;
};

// The replay key of a signature: SHA-256 over the key thumbprint and the nonce (a nonce is only
// unique per signer), or over the signature bytes.
std::string replay_key_for_nonce(std::string_view key_thumbprint, std::string_view nonce);
std::string replay_key_for_signature(std::string_view signature);

}  // namespace wbad
