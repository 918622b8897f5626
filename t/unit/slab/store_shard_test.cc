// A store split into LRU and freelist shards (StoreOptions::shard_power > 0, what -t 2 and more
// give): eviction picks the allocating key's shard first and the others after it, no free chunk
// is left unused in another shard, the class's stats sum the shards, and cachedump merges them
// newest first. One 4 KB page of 88-byte chunks (46 items) unless a test says otherwise.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "slab/murmur3.h"
#include "slab/store.h"
#include "t/unit/slab/store_test_util.h"

namespace slabd::slab {
namespace {

constexpr int kShardPower = 2;  // 4 shards
constexpr int kPerPage = 4096 / 88;

uint32_t ShardOfKey(std::string_view key) {
  return static_cast<uint32_t>((uint64_t{HashKey(key)} << kShardPower) >> 32);
}

class ShardTest : public StoreTest {
 protected:
  ShardTest() { Init(Options()); }
  static StoreOptions Options() {
    StoreOptions o = TinyOptions();
    o.shard_power = kShardPower;
    return o;
  }

  // The n-th key (of this test's keys) whose hash falls in `shard`.
  std::string Key(uint32_t shard, int n) {
    std::vector<std::string>& keys = keys_[shard];
    while (static_cast<int>(keys.size()) <= n) {
      const std::string k = "k" + std::to_string(next_++);
      keys_[ShardOfKey(k)].push_back(k);
    }
    return keys[n];
  }
  // Fills the page: item i in shard i % 4, one second apart.
  void FillRoundRobin() {
    for (int i = 0; i < kPerPage; ++i) {
      ASSERT_EQ(Set(Key(i % 4, i / 4), "value").status, StoreStatus::kStored);
      clock_.Advance(1);
    }
  }
  std::vector<std::string> Dump(uint32_t limit = 0) {
    std::vector<std::string> keys;
    store_->DumpClass(ClassId{1}, limit, [&](std::string_view key, uint32_t, RelTime) {
      keys.emplace_back(key);
      return true;
    });
    return keys;
  }

  std::map<uint32_t, std::vector<std::string>> keys_;
  int next_ = 0;
};

TEST_F(ShardTest, OptionsAreClampedAndReported) {
  EXPECT_EQ(store_->options().shard_power, kShardPower);
  StoreOptions o = Options();
  o.shard_power = 40;
  Init(o);
  EXPECT_EQ(store_->options().shard_power, SlabAllocator::kMaxShardPower);
  o.shard_power = -1;
  Init(o);
  EXPECT_EQ(store_->options().shard_power, 0);
}

TEST_F(ShardTest, EvictsTheOldestItemOfTheAllocatingKeysShard) {
  FillRoundRobin();
  ASSERT_EQ(store_->Stats().evictions, 0u);
  // Key(0, 0) is the oldest of all, but the new key's shard is 1: its oldest goes.
  ASSERT_EQ(Set(Key(1, 100), "value").status, StoreStatus::kStored);
  EXPECT_EQ(PeekValue(Key(1, 0)), std::nullopt);
  EXPECT_EQ(PeekValue(Key(0, 0)), "value");
  EXPECT_EQ(PeekValue(Key(1, 1)), "value");
  EXPECT_EQ(PeekValue(Key(1, 100)), "value");
  ASSERT_EQ(Set(Key(1, 101), "value").status, StoreStatus::kStored);
  EXPECT_EQ(PeekValue(Key(1, 1)), std::nullopt);
  EXPECT_EQ(PeekValue(Key(0, 0)), "value");
  const StoreStats s = store_->Stats();
  EXPECT_EQ(s.evictions, 2u);
  EXPECT_EQ(s.curr_items, static_cast<uint64_t>(kPerPage));
  EXPECT_EQ(s.total_malloced, 4096u);
}

TEST_F(ShardTest, SecondChanceWorksWithinTheShard) {
  FillRoundRobin();
  ASSERT_EQ(Lookup(Key(2, 0)), "value");  // active: skipped once
  ASSERT_EQ(Set(Key(2, 100), "value").status, StoreStatus::kStored);
  EXPECT_EQ(PeekValue(Key(2, 0)), "value");
  EXPECT_EQ(PeekValue(Key(2, 1)), std::nullopt);
  EXPECT_EQ(store_->Stats().evictions, 1u);
}

TEST_F(ShardTest, AKeyWhoseShardHasNothingToEvictTakesFromTheNextShards) {
  for (int i = 0; i < kPerPage; ++i) {
    ASSERT_EQ(Set(Key(0, i), "value").status, StoreStatus::kStored);
  }
  // Shard 3's LRU is empty: the evictor moves on and frees shard 0's tail.
  ASSERT_EQ(Set(Key(3, 0), "value").status, StoreStatus::kStored);
  EXPECT_EQ(PeekValue(Key(0, 0)), std::nullopt);
  EXPECT_EQ(PeekValue(Key(0, 1)), "value");
  EXPECT_EQ(PeekValue(Key(3, 0)), "value");
  EXPECT_EQ(store_->Stats().evictions, 1u);
}

TEST_F(ShardTest, FreeChunksOfEveryShardAreUsedBeforeEvicting) {
  for (int i = 0; i < kPerPage; ++i) {
    ASSERT_EQ(Set(Key(0, i), "value").status, StoreStatus::kStored);
  }
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(store_->Delete(Key(0, i)).status == DeleteStatus::kDeleted);
  EXPECT_EQ(store_->ClassStatsSnapshot()[0].free_chunks, 3u);
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(Set(Key(2, i), "value").status, StoreStatus::kStored);  // shard 0's chunks
  }
  EXPECT_EQ(store_->Stats().evictions, 0u);
  EXPECT_EQ(store_->ClassStatsSnapshot()[0].free_chunks, 0u);
  for (int i = 3; i < kPerPage; ++i) EXPECT_EQ(PeekValue(Key(0, i)), "value");
  ASSERT_EQ(Set(Key(2, 3), "value").status, StoreStatus::kStored);
  EXPECT_EQ(store_->Stats().evictions, 1u);
}

TEST_F(ShardTest, EvictOffUsesEveryShardsFreeChunksThenRunsOutOfMemory) {
  StoreOptions o = Options();
  o.evict = false;
  Init(o);
  FillRoundRobin();
  ASSERT_TRUE(store_->Delete(Key(3, 0)).status == DeleteStatus::kDeleted);
  ASSERT_EQ(Set(Key(1, 100), "value").status, StoreStatus::kStored);
  EXPECT_EQ(store_->Reserve(Key(1, 101), 0, 0, 5).status, AllocStatus::kNoMemory);
  EXPECT_EQ(store_->Reserve(Key(2, 101), 0, 0, 5).status, AllocStatus::kNoMemory);
  const StoreStats s = store_->Stats();
  EXPECT_EQ(s.evictions, 0u);
  EXPECT_EQ(s.curr_items, static_cast<uint64_t>(kPerPage));
  EXPECT_EQ(store_->ClassStatsSnapshot()[0].outofmemory, 2u);
  for (int i = 0; i < kPerPage; ++i) {
    if (i == 3) continue;  // Key(3, 0) was deleted
    EXPECT_EQ(PeekValue(Key(i % 4, i / 4)), "value") << i;
  }
}

TEST_F(ShardTest, ExpiredItemsOfAnyShardAreReclaimedWithEvictOff) {
  StoreOptions o = Options();
  o.evict = false;
  Init(o);
  ASSERT_EQ(Set(Key(0, 0), "value", 0, Now() + 5).status, StoreStatus::kStored);
  for (int i = 1; i < kPerPage; ++i) {
    ASSERT_EQ(Set(Key(0, i), "value").status, StoreStatus::kStored);
  }
  clock_.Advance(10);
  ASSERT_EQ(Set(Key(3, 0), "value").status, StoreStatus::kStored);
  const StoreStats s = store_->Stats();
  EXPECT_EQ(s.evictions, 0u);
  EXPECT_EQ(s.reclaimed, 1u);
}

TEST_F(ShardTest, StatsSumTheShardsAndEvictedTimeIsTheLatestEvictions) {
  // Shard 1's items are 5 s older than the rest.
  for (int i = 0; i < kPerPage; ++i) {
    if (i % 4 != 1) continue;
    ASSERT_EQ(Set(Key(1, i / 4), "value").status, StoreStatus::kStored);
  }
  clock_.Advance(5);
  for (int i = 0; i < kPerPage; ++i) {
    if (i % 4 == 1) continue;
    ASSERT_EQ(Set(Key(i % 4, i / 4), "value").status, StoreStatus::kStored);
  }
  clock_.Advance(15);
  ASSERT_EQ(Set(Key(1, 100), "value", 0, Now() + 1000).status, StoreStatus::kStored);  // idle 20
  ClassStats c = store_->ClassStatsSnapshot()[0];
  EXPECT_EQ(c.evicted_time, 20u);
  EXPECT_EQ(c.age, 20u);  // the oldest item of any shard (shard 1's next)
  clock_.Advance(1);
  ASSERT_EQ(Set(Key(2, 100), "value").status, StoreStatus::kStored);  // idle 16: the latest
  c = store_->ClassStatsSnapshot()[0];
  EXPECT_EQ(c.evicted_time, 16u);
  EXPECT_EQ(c.evicted, 2u);
  EXPECT_EQ(c.evicted_unfetched, 2u);
  EXPECT_EQ(c.number, static_cast<uint64_t>(kPerPage));
  EXPECT_EQ(c.used_chunks, c.number);
  EXPECT_EQ(c.total_items, static_cast<uint64_t>(kPerPage) + 2);
  uint64_t bytes = 0;  // every linked item's size, shard by shard
  for (const auto& [shard, keys] : keys_) {
    for (const std::string& k : keys) {
      if (PeekValue(k)) bytes += ItemHeader::TotalSize(k.size(), 5);
    }
  }
  EXPECT_EQ(c.mem_requested, bytes);
  const StoreStats s = store_->Stats();
  EXPECT_EQ(s.curr_items, c.number);
  EXPECT_EQ(s.total_items, c.total_items);
  EXPECT_EQ(s.evictions, 2u);
  EXPECT_EQ(s.bytes, c.mem_requested);

  store_->ResetStats();
  c = store_->ClassStatsSnapshot()[0];
  EXPECT_EQ(c.evicted, 0u);
  EXPECT_EQ(c.evicted_time, 0u);
  EXPECT_EQ(c.total_items, 0u);
  EXPECT_EQ(c.number, static_cast<uint64_t>(kPerPage));
  EXPECT_EQ(store_->Stats().evictions, 0u);
}

TEST_F(ShardTest, CachedumpMergesTheShardsNewestFirst) {
  std::vector<std::string> set;
  for (int i = 0; i < 12; ++i) {
    set.push_back(Key(i * 3 % 4, i));  // shards 0, 3, 2, 1, 0, ...
    ASSERT_EQ(Set(set.back(), "value").status, StoreStatus::kStored);
    clock_.Advance(1);
  }
  const std::vector<std::string> newest_first(set.rbegin(), set.rend());
  EXPECT_EQ(Dump(), newest_first);
  EXPECT_EQ(Dump(5), std::vector<std::string>(newest_first.begin(), newest_first.begin() + 5));
  // Items stored in the same second: each shard's own newest-first order is kept.
  const std::string a = Key(2, 50), b = Key(2, 51), c = Key(0, 50);
  ASSERT_EQ(Set(a, "value").status, StoreStatus::kStored);
  ASSERT_EQ(Set(c, "value").status, StoreStatus::kStored);
  ASSERT_EQ(Set(b, "value").status, StoreStatus::kStored);
  const std::vector<std::string> dumped = Dump(3);
  ASSERT_EQ(dumped.size(), 3u);
  auto pos = [&](const std::string& k) {
    return std::find(dumped.begin(), dumped.end(), k) - dumped.begin();
  };
  EXPECT_LT(pos(b), pos(a));
  EXPECT_LT(pos(c), 3);
}

TEST_F(ShardTest, OverwritesAppendsAndArithStayInTheKeysShard) {
  FillRoundRobin();
  // Overwrite (same class), append (two allocations: the reservation and the combined item)
  // and an incr that outgrows its value: in a full page every allocation evicts within the
  // key's shard (shard 3's oldest: Key(3, 0) for the set, whose overwritten item is then
  // reused by the append's reservation; Key(3, 1) for the combined item), or reuses what the
  // overwrites freed (the set and the incr).
  ASSERT_EQ(Set(Key(3, 5), "12345").status, StoreStatus::kStored);
  ASSERT_EQ(Put(Key(3, 6), "x", StoreMode::kAppend).status, StoreStatus::kStored);
  ASSERT_EQ(Set(Key(3, 7), "9").status, StoreStatus::kStored);
  ASSERT_EQ(store_->Arith(Key(3, 7), true, 100000).status, ArithStatus::kOk);
  for (int i = 0; i < kPerPage; ++i) {
    if (i % 4 == 3) continue;
    EXPECT_EQ(PeekValue(Key(i % 4, i / 4)), "value") << i;
  }
  EXPECT_EQ(PeekValue(Key(3, 0)), std::nullopt);
  EXPECT_EQ(PeekValue(Key(3, 1)), std::nullopt);
  EXPECT_EQ(PeekValue(Key(3, 2)), "value");
  EXPECT_EQ(PeekValue(Key(3, 5)), "12345");
  EXPECT_EQ(PeekValue(Key(3, 6)), "valuex");
  EXPECT_EQ(PeekValue(Key(3, 7)), "100009");
  EXPECT_EQ(store_->Stats().evictions, 2u);
  const ClassStats c = store_->ClassStatsSnapshot()[0];
  EXPECT_EQ(c.used_chunks, c.number);
}

TEST_F(ShardTest, DumpRacingStoresAndEvictionsAcrossShards) {
  StoreOptions o = Options();
  o.max_bytes = 2 * 4096;
  Init(o);
  std::atomic<bool> done{false};
  std::atomic<int> evicting{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < 3; ++t) {
    writers.emplace_back([this, t, &done, &evicting] {
      for (int i = 0; !done.load(std::memory_order_relaxed); ++i) {
        if (i == 1000) evicting.fetch_add(1);  // 800 stores: past the 2 pages, evicting
        const std::string key = "w" + std::to_string(t) + ":" + std::to_string(i % 300);
        if (i % 5 == 0) {
          (void)store_->Delete(key);
        } else {
          (void)Set(key, key);
        }
      }
    });
  }
  // Every writer is running and the class is full before the dumps start (a dump of an empty
  // class would prove nothing), and the writers keep going through every dump.
  while (evicting.load() < 3) std::this_thread::yield();
  int bad = 0;
  uint64_t listed = 0;
  for (int round = 0; round < 300; ++round) {
    store_->DumpClass(ClassId{1}, 0, [&](std::string_view key, uint32_t len, RelTime) {
      if (key.size() != len || key[0] != 'w') ++bad;
      ++listed;
      return true;
    });
  }
  done.store(true);
  for (std::thread& w : writers) w.join();
  EXPECT_EQ(bad, 0);
  EXPECT_GT(listed, 0u);
  EXPECT_GT(store_->Stats().evictions, 0u);
  const std::vector<ClassStats> classes = store_->ClassStatsSnapshot();
  ASSERT_EQ(classes.size(), 1u);
  const ClassStats c = classes[0];
  EXPECT_EQ(c.used_chunks, c.number);
  EXPECT_EQ(store_->Stats().curr_items, c.number);
}

}  // namespace
}  // namespace slabd::slab
