#include "replay/replay_store.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <atomic>
#include <thread>

namespace wbad {
namespace {

TEST(ReplayStore, RejectsWithinWindowAcceptsAfter) {
  MemoryReplayStore s(100, 4);
  EXPECT_TRUE(s.check_and_record("a", 110, 100));
  EXPECT_FALSE(s.check_and_record("a", 110, 105));
  EXPECT_TRUE(s.check_and_record("a", 130, 110));  // expired entry: usable again
  EXPECT_FALSE(s.check_and_record("a", 130, 120));
  EXPECT_TRUE(s.check_and_record("b", 110, 105));
}

TEST(ReplayStore, BoundedWithOldestEvictedFirst) {
  MemoryReplayStore s(64, 1);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(s.check_and_record(std::to_string(i), 10'000, 1));
  EXPECT_LE(s.size(), 64u);
  EXPECT_GT(s.evictions(), 0u);
  EXPECT_FALSE(s.check_and_record("999", 10'000, 2));  // the newest is still there
  EXPECT_TRUE(s.check_and_record("0", 10'000, 2));     // the oldest was evicted
}

// A key recorded again after it expired keeps its new window: the cleanup of its first,
// expired record must not remove the entry.
TEST(ReplayStore, KeyRecordedAgainKeepsItsNewWindow) {
  MemoryReplayStore s(100, 1);
  EXPECT_TRUE(s.check_and_record("a", 110, 100));
  EXPECT_TRUE(s.check_and_record("a", 200, 111));  // expired: recorded again until 200
  EXPECT_TRUE(s.check_and_record("b", 200, 112));  // cleans up the old end (a's first record)
  EXPECT_TRUE(s.check_and_record("c", 300, 150));
  EXPECT_FALSE(s.check_and_record("a", 200, 150));  // still inside its second window
  EXPECT_EQ(s.size(), 3u);
  EXPECT_TRUE(s.check_and_record("a", 400, 250));  // and usable again once that ended
}

// Evicting under the bound skips stale records instead of dropping a live entry early.
TEST(ReplayStore, EvictionCountsEntriesNotRecords) {
  MemoryReplayStore s(2, 1);
  EXPECT_TRUE(s.check_and_record("a", 110, 100));
  EXPECT_TRUE(s.check_and_record("a", 500, 111));  // two records, one entry
  EXPECT_TRUE(s.check_and_record("b", 500, 112));  // store full now: 2 entries
  EXPECT_EQ(s.evictions(), 0u);
  EXPECT_TRUE(s.check_and_record("c", 500, 113));  // evicts the oldest entry: a
  EXPECT_EQ(s.evictions(), 1u);
  EXPECT_LE(s.size(), 2u);
  EXPECT_FALSE(s.check_and_record("b", 500, 114));
  EXPECT_FALSE(s.check_and_record("c", 500, 114));
}

TEST(ReplayStore, ExpiredEntriesDoNotAccumulate) {
  MemoryReplayStore s(1000, 1);
  for (int i = 0; i < 5000; ++i) s.check_and_record(std::to_string(i), i + 1, i);
  EXPECT_LE(s.size(), 2u);
  EXPECT_EQ(s.evictions(), 0u);
}

TEST(ReplayStore, CheckAndRecordIsAtomicAcrossThreads) {
  MemoryReplayStore s(100000, 16);
  std::atomic<int> accepted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        if (s.check_and_record("nonce-" + std::to_string(i), 1000, 1)) accepted++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(accepted.load(), 2000);  // each nonce accepted exactly once
}

TEST(ReplayStore, KeysAreScopedBySigner) {
  EXPECT_NE(replay_key_for_nonce("key-a", "n"), replay_key_for_nonce("key-b", "n"));
  EXPECT_EQ(replay_key_for_nonce("key-a", "n"), replay_key_for_nonce("key-a", "n"));
  EXPECT_NE(replay_key_for_nonce("ab", "c"), replay_key_for_nonce("a", "bc"));
  EXPECT_EQ(replay_key_for_nonce("k", "n").size(), 32u);
}

// The keys are part of the stored state a shared store would hold for several instances (and
// several versions): SHA-256 over thumbprint, NUL, nonce, and over "signature", NUL, signature.
TEST(ReplayStore, KeysAreTheDocumentedDigests) {
  auto digest = [](std::string_view data) {
    ReplayKey out{};
    crypto_hash_sha256(reinterpret_cast<unsigned char*>(out.data()),
                       reinterpret_cast<const unsigned char*>(data.data()), data.size());
    return out;
  };
  using namespace std::string_view_literals;
  EXPECT_EQ(replay_key_for_nonce("thumb", "nonce-1"), digest("thumb\0nonce-1"sv));
  EXPECT_EQ(replay_key_for_signature("sig-bytes"), digest("signature\0sig-bytes"sv));
  EXPECT_NE(replay_key_for_nonce("thumb", "nonce-1"), replay_key_for_nonce("thumb", "nonce-2"));
}

// Keys of another length than a digest are stored by their SHA-256: no truncation, so keys that
// share a 32-byte prefix stay distinct.
TEST(ReplayStore, LongKeysStayDistinct) {
  MemoryReplayStore s(100, 1);
  const std::string prefix(32, 'k');
  EXPECT_TRUE(s.check_and_record(prefix + "a", 110, 100));
  EXPECT_TRUE(s.check_and_record(prefix + "b", 110, 100));
  EXPECT_TRUE(s.check_and_record(prefix, 110, 100));
  EXPECT_FALSE(s.check_and_record(prefix + "a", 110, 101));
  EXPECT_FALSE(s.check_and_record(prefix, 110, 101));
}

}  // namespace
}  // namespace wbad
