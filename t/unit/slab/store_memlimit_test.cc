// The memory budget at run time and at its edges: cache_memlimit (Store::SetMaxBytes) raising
// and lowering the budget, and large items stored even when slab pages hold the whole budget
// (the large class's "first page", with and without -M). The concurrent test also runs under
// -fsanitize=thread.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "slab/store.h"
#include "t/unit/slab/store_test_util.h"

namespace slabd::slab {
namespace {

// Tiny store: one 4 KB page of budget, 88-byte class 1, items above 2048 bytes are large.
class StoreMemLimitTest : public StoreTest {
 protected:
  static constexpr int kPerPage = 4096 / 88;
  static constexpr uint32_t kLargeValue = 5000;  // 40 + key + 5000: charged 8192
  StoreMemLimitTest() { Init(TinyOptions()); }

  static std::string Key(int i) { return "key" + std::to_string(i); }
  void Fill(int n, int first = 0) {
    for (int i = first; i < first + n; ++i) {
      ASSERT_EQ(Set(Key(i), "value").status, StoreStatus::kStored) << i;
    }
  }
  // Reserve + fill + Link, as the server does for `set`.
  StoreStatus SetLarge(std::string_view key, char fill) {
    ReserveResult r = store_->Reserve(key, 0, 0, kLargeValue);
    if (r.status != AllocStatus::kOk) return StoreStatus::kNotStored;
    EXPECT_EQ(r.reservation.class_id(), store_->large_class_id());
    std::fill(r.reservation.value().begin(), r.reservation.value().end(), fill);
    return store_->Link(std::move(r.reservation), StoreMode::kSet).status;
  }
  std::string LargeValue(char fill) const { return std::string(kLargeValue, fill); }
};

// Regression: with slab pages holding the whole budget the large LRU is empty, and every large
// item used to fail with out of memory forever.
TEST_F(StoreMemLimitTest, LargeItemIsStoredWhenSlabPagesHoldTheWholeBudget) {
  Fill(kPerPage);
  ASSERT_EQ(SetLarge("big1", 'a'), StoreStatus::kStored);
  EXPECT_EQ(PeekValue("big1"), LargeValue('a'));
  EXPECT_EQ(PeekValue(Key(0)), "value");  // nothing small was evicted for it
  const StoreStats s = store_->Stats();
  EXPECT_EQ(s.evictions, 0u);
  EXPECT_EQ(s.total_malloced, 4096u + 8192u);  // over budget by exactly the one large item
}

TEST_F(StoreMemLimitTest, NextLargeItemEvictsTheOverBudgetOne) {
  Fill(kPerPage);
  ASSERT_EQ(SetLarge("big1", 'a'), StoreStatus::kStored);
  ASSERT_EQ(SetLarge("big2", 'b'), StoreStatus::kStored);
  EXPECT_EQ(PeekValue("big1"), std::nullopt);
  EXPECT_EQ(PeekValue("big2"), LargeValue('b'));
  const StoreStats s = store_->Stats();
  EXPECT_EQ(s.evictions, 1u);
  EXPECT_EQ(s.total_malloced, 4096u + 8192u);
  EXPECT_EQ(store_->ClassStatsSnapshot().back().evicted, 1u);
}

TEST_F(StoreMemLimitTest, NeverMoreThanOneLargeItemOverBudget) {
  Fill(kPerPage);
  ASSERT_EQ(SetLarge("big1", 'a'), StoreStatus::kStored);
  LookupResult held = store_->Get("big1");  // a reader pins the only large item
  EXPECT_EQ(store_->Reserve("big2", 0, 0, kLargeValue).status, AllocStatus::kNoMemory);
  store_->Delete("big1");  // unlinked but still allocated: still the one over budget
  EXPECT_EQ(store_->Reserve("big2", 0, 0, kLargeValue).status, AllocStatus::kNoMemory);
  EXPECT_EQ(held.item.value(), LargeValue('a'));
  held.item.Reset();
  EXPECT_EQ(SetLarge("big2", 'b'), StoreStatus::kStored);
  EXPECT_EQ(store_->Stats().total_malloced, 4096u + 8192u);
}

TEST_F(StoreMemLimitTest, AnOpenLargeReservationIsTheOneOverBudget) {
  Fill(kPerPage);
  ReserveResult first = store_->Reserve("big1", 0, 0, kLargeValue);
  ASSERT_EQ(first.status, AllocStatus::kOk);
  EXPECT_EQ(store_->Reserve("big2", 0, 0, kLargeValue).status, AllocStatus::kNoMemory);
  first.reservation.Reset();
  EXPECT_EQ(SetLarge("big2", 'b'), StoreStatus::kStored);
}

// -M: memcached gives every class its first page with -M too, so the first large item is
// stored; the next one that does not fit is out of memory (nothing valid is evicted).
TEST_F(StoreMemLimitTest, EvictOffStillStoresAFirstLargeItem) {
  StoreOptions o = TinyOptions();
  o.evict = false;
  Init(o);
  Fill(kPerPage);
  ASSERT_EQ(SetLarge("big1", 'a'), StoreStatus::kStored);
  EXPECT_EQ(store_->Reserve("big2", 0, 0, kLargeValue).status, AllocStatus::kNoMemory);
  EXPECT_EQ(PeekValue("big1"), LargeValue('a'));
  EXPECT_EQ(store_->Stats().evictions, 0u);
  EXPECT_EQ(store_->ClassStatsSnapshot().back().outofmemory, 1u);
  store_->Delete("big1");
  EXPECT_EQ(SetLarge("big2", 'b'), StoreStatus::kStored);
}

TEST_F(StoreMemLimitTest, LimitReportsTheNewValue) {
  EXPECT_EQ(store_->Stats().limit_maxbytes, 4096u);
  store_->SetMaxBytes(64ull << 20);
  EXPECT_EQ(store_->Stats().limit_maxbytes, 64ull << 20);
  EXPECT_EQ(store_->max_bytes(), 64ull << 20);
  EXPECT_EQ(store_->options().max_bytes, 4096u);  // the construction-time value
}

TEST_F(StoreMemLimitTest, RaisingTheLimitAddsPagesInsteadOfEvicting) {
  Fill(kPerPage);
  store_->SetMaxBytes(2 * 4096);
  Fill(kPerPage, kPerPage);
  EXPECT_EQ(store_->Stats().evictions, 0u);
  EXPECT_EQ(store_->Stats().total_malloced, 2u * 4096);
  EXPECT_EQ(PeekValue(Key(0)), "value");
  Set("one-more", "value");
  EXPECT_EQ(store_->Stats().evictions, 1u);
}

// The page table was sized for one page of budget; 300 pages need it to grow several times,
// and every item stored before and after must stay readable.
TEST_F(StoreMemLimitTest, RaisingFarBeyondTheInitialBudgetGrowsThePageTable) {
  StoreOptions o = TinyOptions();
  o.hashpower = 14;  // short hash chains for 13,800 keys
  Init(o);
  Fill(kPerPage);
  store_->SetMaxBytes(300 * 4096);
  Fill(299 * kPerPage, kPerPage);
  const StoreStats s = store_->Stats();
  EXPECT_EQ(s.evictions, 0u);
  EXPECT_EQ(s.total_malloced, 300u * 4096);
  EXPECT_EQ(s.curr_items, 300u * kPerPage);
  for (int i = 0; i < 300 * kPerPage; ++i) ASSERT_EQ(PeekValue(Key(i)), "value") << i;
}

TEST_F(StoreMemLimitTest, LoweringTheLimitFreesNothingAndStopsNewPages) {
  StoreOptions o = TinyOptions();
  o.max_bytes = 2 * 4096;
  Init(o);
  Fill(2 * kPerPage);
  store_->SetMaxBytes(4096);
  EXPECT_EQ(store_->Stats().total_malloced, 2u * 4096);
  EXPECT_EQ(store_->Stats().curr_items, 2u * kPerPage);
  Set("new", "value");  // the class may not grow: it evicts within its two pages
  EXPECT_EQ(store_->Stats().evictions, 1u);
  EXPECT_EQ(store_->Stats().total_malloced, 2u * 4096);
  EXPECT_EQ(Set("other-class", std::string(200, 'x')).status, StoreStatus::kStored);
  EXPECT_EQ(store_->Stats().total_malloced, 3u * 4096);  // a class's first page, as before
}

TEST(StoreMemLimitLargeTest, LoweringTheLimitMakesLargeItemsEvictToFit) {
  FakeClock clock;
  StoreOptions o;
  o.item_size_max = 4 << 20;
  o.max_bytes = 16 << 20;
  Store store(o, &clock);
  const uint32_t three_mb = 3 << 20;
  const auto set = [&](std::string_view key) {
    ReserveResult r = store.Reserve(key, 0, 0, three_mb);
    if (r.status != AllocStatus::kOk) return StoreStatus::kNotStored;
    return store.Link(std::move(r.reservation), StoreMode::kSet).status;
  };
  for (int i = 0; i < 5; ++i) ASSERT_EQ(set("big" + std::to_string(i)), StoreStatus::kStored);
  store.SetMaxBytes(8 << 20);
  EXPECT_EQ(store.Stats().total_malloced, 5 * ((40 + 4 + three_mb + 4095ull) / 4096 * 4096));
  ASSERT_EQ(set("big5"), StoreStatus::kStored);
  const StoreStats s = store.Stats();
  EXPECT_EQ(s.evictions, 4u);  // big0..big3 go; big4 and big5 fit in 8 MB
  EXPECT_EQ(s.curr_items, 2u);
  EXPECT_LE(s.total_malloced, 8u << 20);
  EXPECT_TRUE(store.Peek("big4").item);
  EXPECT_FALSE(store.Peek("big3").item);
}

// Budget changes racing small and large stores: no crash, no leak, accounts consistent.
TEST_F(StoreMemLimitTest, SetMaxBytesRacingStores) {
  constexpr int kThreads = 3;
  constexpr int kIterations = 2000;
  std::atomic<int> finished{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < kThreads; ++t) {
    workers.emplace_back([this, t, &finished] {
      for (int i = 0; i < kIterations; ++i) {
        const std::string key = "k" + std::to_string((i * 5 + t) % 300);
        if (i % 10 == 0) {
          (void)SetLarge("big" + std::to_string(i % 7), 'z');
        } else {
          (void)Set(key, key);
        }
      }
      finished.fetch_add(1);
    });
  }
  uint64_t step = 0;
  do {
    store_->SetMaxBytes((1 + step++ % 8) * 4096);
    std::this_thread::yield();
  } while (finished.load() < kThreads);
  for (std::thread& w : workers) w.join();
  const StoreStats s = store_->Stats();
  uint64_t linked = 0;
  for (const ClassStats& c : store_->ClassStatsSnapshot()) {
    linked += c.number;
    if (!c.is_large) {
      EXPECT_EQ(c.used_chunks, c.number) << int{c.id.v};  // no chunk leaked
    }
  }
  EXPECT_EQ(s.curr_items, linked);
  for (int i = 0; i < 300; ++i) {
    const std::string key = "k" + std::to_string(i);
    const std::optional<std::string> v = PeekValue(key);
    if (v) {
      EXPECT_EQ(*v, key);
    }
  }
}

}  // namespace
}  // namespace slabd::slab
