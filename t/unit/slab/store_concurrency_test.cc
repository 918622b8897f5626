// Several threads hammering the same keys. Run under -fsanitize=thread as well; the assertions
// check that nothing is lost (every increment counted) and the store stays consistent.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "slab/store.h"
#include "t/unit/slab/store_test_util.h"

namespace slabd::slab {
namespace {

constexpr int kThreads = 4;
constexpr int kIterations = 4000;

// Parameter: the store's shard_power (0: one LRU and freelist per class; 3: eight of each).
class ConcurrencyTest : public StoreTest, public ::testing::WithParamInterface<int> {
 protected:
  void Worker(int id) {
    for (int i = 0; i < kIterations; ++i) {
      ASSERT_EQ(store_->Arith("counter", true, 1).status, ArithStatus::kOk);
      const std::string key = "shared" + std::to_string(i % 8);
      switch ((i + id) % 4) {
        case 0:
          Set(key, std::to_string(i));
          break;
        case 1: {
          LookupResult r = store_->Get(key);
          if (r.item) {
            ASSERT_FALSE(r.item.value().empty());
          }
          LookupResult c = store_->Get("counter");  // forces incr off the in-place path
          ASSERT_TRUE(c.item);
          break;
        }
        case 2:
          (void)store_->Delete(key);
          break;
        case 3:
          (void)Put(key, "+", StoreMode::kAppend);
          Set("grow" + std::to_string(id) + ":" + std::to_string(i), "x");
          break;
      }
    }
  }
};

TEST_P(ConcurrencyTest, NoLostIncrementsUnderMixedLoad) {
  StoreOptions o;
  o.shard_power = GetParam();
  o.hashpower = 4;  // grows several times while the workers run
  o.lock_power = 2;
  Init(o);
  Set("counter", "0");
  std::atomic<bool> done{false};
  std::thread maintainer([&] {
    while (!done.load()) {
      store_->Maintain();
      std::this_thread::yield();
    }
  });
  std::vector<std::thread> workers;
  for (int t = 0; t < kThreads; ++t) workers.emplace_back([this, t] { Worker(t); });
  for (std::thread& w : workers) w.join();
  done.store(true);
  maintainer.join();

  EXPECT_EQ(Lookup("counter"), std::to_string(kThreads * kIterations));
  while (store_->IsExpanding()) store_->Maintain();
  EXPECT_GT(store_->Stats().hash_power_level, 4u);
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kIterations; ++i) {
      if ((i + t) % 4 != 3) continue;
      ASSERT_EQ(PeekValue("grow" + std::to_string(t) + ":" + std::to_string(i)), "x");
    }
  }
}

TEST_P(ConcurrencyTest, EvictionWithConcurrentReadersKeepsAccountsStraight) {
  StoreOptions o = TinyOptions();
  o.shard_power = GetParam();
  o.max_bytes = 2 * 4096;
  Init(o);
  std::vector<std::thread> workers;
  for (int t = 0; t < kThreads; ++t) {
    workers.emplace_back([this, t] {
      for (int i = 0; i < kIterations; ++i) {
        const std::string key = "k" + std::to_string((i * 7 + t) % 200);
        if (i % 3 == 0) {
          LookupResult r = store_->Get(key);
          if (r.item) {
            ASSERT_EQ(r.item.value(), key);
          }
        } else {
          // kNotStored (out of memory) is legal if every tail candidate is busy; never crash.
          (void)Set(key, key);
        }
      }
    });
  }
  for (std::thread& w : workers) w.join();
  const StoreStats s = store_->Stats();
  const ClassStats c = store_->ClassStatsSnapshot()[0];
  EXPECT_GT(s.evictions, 0u);
  EXPECT_EQ(c.used_chunks, c.number);  // no chunk leaked, no reference left behind
  EXPECT_EQ(s.curr_items, c.number);
  EXPECT_LE(s.total_malloced, 2u * 4096);
}

TEST_P(ConcurrencyTest, CasValuesAreUniqueAndRiseForEachKeyAcrossThreads) {
  StoreOptions o;
  o.shard_power = GetParam();
  o.lock_power = 4;  // 16 stripes: threads share stripes and blocks run out often
  Init(o);
  constexpr int kKeys = 500;
  constexpr int kRounds = 8;
  std::vector<std::vector<uint64_t>> seen(kThreads);
  std::vector<std::thread> workers;
  for (int t = 0; t < kThreads; ++t) {
    workers.emplace_back([this, t, &seen] {
      // Own keys (several stores each) and shared keys that every thread overwrites.
      std::vector<uint64_t> last_own(kKeys, 0);
      std::vector<uint64_t> last_shared(kKeys, 0);
      for (int round = 0; round < kRounds; ++round) {
        for (int k = 0; k < kKeys; ++k) {
          const std::string own = "t" + std::to_string(t) + ":" + std::to_string(k);
          const uint64_t a = Set(own, "v").cas;
          ASSERT_GT(a, last_own[k]) << own;
          last_own[k] = a;
          // Later than this thread's previous store to the shared key, so above its CAS.
          const uint64_t b = Set("s" + std::to_string(k), "v").cas;
          ASSERT_GT(b, last_shared[k]) << k;
          last_shared[k] = b;
          seen[t].push_back(a);
          seen[t].push_back(b);
        }
      }
    });
  }
  for (std::thread& w : workers) w.join();
  std::vector<uint64_t> all;
  for (const std::vector<uint64_t>& s : seen) all.insert(all.end(), s.begin(), s.end());
  ASSERT_EQ(all.size(), static_cast<size_t>(kThreads) * kRounds * kKeys * 2);
  std::sort(all.begin(), all.end());
  EXPECT_EQ(std::adjacent_find(all.begin(), all.end()), all.end()) << "a CAS was handed out twice";
  EXPECT_GE(all.front(), 2u);
}

TEST_P(ConcurrencyTest, FlushSeparatesBeforeFromAfterWhileOtherThreadsStore) {
  StoreOptions o;
  o.shard_power = GetParam();
  o.lock_power = 2;  // few stripes, so the flusher's keys share blocks with the busy threads
  Init(o);
  std::atomic<bool> done{false};
  std::atomic<int> running{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads - 1; ++t) {
    writers.emplace_back([this, t, &done, &running] {
      running.fetch_add(1);
      for (int i = 0; !done.load(std::memory_order_relaxed); ++i) {
        Set("w" + std::to_string(t) + ":" + std::to_string(i % 300), "x");
      }
    });
  }
  while (running.load() < kThreads - 1) std::this_thread::yield();
  int wrong = 0;  // no ASSERT here: the writers must be joined either way
  for (int i = 0; i < 2000; ++i) {
    const std::string before = "before" + std::to_string(i % 16);
    const std::string after = "after" + std::to_string(i % 16);
    Set(before, "b");
    store_->FlushAll(0);
    Set(after, "a");
    if (store_->Get(before).reason != MissReason::kFlushed) ++wrong;
    if (Lookup(after) != "a") ++wrong;
  }
  EXPECT_EQ(wrong, 0);
  done.store(true);
  for (std::thread& w : writers) w.join();
}

INSTANTIATE_TEST_SUITE_P(Shards, ConcurrencyTest, ::testing::Values(0, 3),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return "shard_power" + std::to_string(info.param);
                         });

}  // namespace
}  // namespace slabd::slab
