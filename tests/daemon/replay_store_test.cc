#include "replay/replay_store.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace wbad
