// Memory limits: LRU-tail eviction with second chance, evict off (-M), large items.
#include <gtest/gtest.h>

#include <string>

#include "slab/store.h"
#include "t/unit/slab/store_test_util.h"

namespace slabd::slab {
namespace {

// One 4 KB page of 88-byte chunks: 46 items fill the budget.
class EvictionTest : public StoreTest {
 protected:
  static constexpr int kPerPage = 4096 / 88;
  EvictionTest() { Init(TinyOptions()); }

  static std::string Key(int i) { return "key" + std::to_string(i); }
  void Fill(int n) {
    for (int i = 0; i < n; ++i) ASSERT_EQ(Set(Key(i), "value").status, StoreStatus::kStored);
  }
};

TEST_F(EvictionTest, FillsOnePageThenEvictsTheLruTail) {
  Fill(kPerPage);
  EXPECT_EQ(store_->Stats().evictions, 0u);
  Set("new", "value");
  EXPECT_EQ(PeekValue(Key(0)), std::nullopt);
  EXPECT_EQ(PeekValue(Key(1)), "value");
  EXPECT_EQ(PeekValue("new"), "value");
  Set("new2", "value");
  EXPECT_EQ(PeekValue(Key(1)), std::nullopt);

  const StoreStats s = store_->Stats();
  EXPECT_EQ(s.evictions, 2u);
  EXPECT_EQ(s.evicted_unfetched, 2u);
  EXPECT_EQ(s.curr_items, static_cast<uint64_t>(kPerPage));
  EXPECT_EQ(s.total_malloced, 4096u);
  const ClassStats c = store_->ClassStatsSnapshot()[0];
  EXPECT_EQ(c.evicted, 2u);
  EXPECT_EQ(c.evicted_nonzero, 0u);
  EXPECT_EQ(c.free_chunks, 0u);
}

TEST_F(EvictionTest, AccessedItemsGetASecondChance) {
  Fill(kPerPage);
  EXPECT_EQ(Lookup(Key(0)), "value");  // marks key0 active
  Set("new", "value");
  EXPECT_EQ(PeekValue(Key(0)), "value");
  EXPECT_EQ(PeekValue(Key(1)), std::nullopt);
  // The second chance is spent: key0 is now the head's oldest neighbour, not protected again.
  for (int i = 0; i < kPerPage - 1; ++i) Set("fill" + std::to_string(i), "value");
  EXPECT_EQ(PeekValue(Key(0)), std::nullopt);
}

TEST_F(EvictionTest, EvictionCountsFetchedActiveAndTtl) {
  Set("ttl", "value", 0, Now() + 1000);
  Fill(kPerPage - 1);
  clock_.Advance(7);
  Set("new", "value");
  const ClassStats c = store_->ClassStatsSnapshot()[0];
  EXPECT_EQ(c.evicted, 1u);
  EXPECT_EQ(c.evicted_nonzero, 1u);
  EXPECT_EQ(c.evicted_time, 7u);
  EXPECT_EQ(PeekValue("ttl"), std::nullopt);
}

TEST_F(EvictionTest, AllActiveClassStillEvicts) {
  Fill(kPerPage);
  for (int i = 0; i < kPerPage; ++i) ASSERT_TRUE(Lookup(Key(i)));
  EXPECT_EQ(Set("new", "value").status, StoreStatus::kStored);
  EXPECT_EQ(PeekValue("new"), "value");
  EXPECT_EQ(store_->Stats().evictions, 1u);
}

TEST_F(EvictionTest, ReferencedTailItemsAreSkipped) {
  Fill(kPerPage);
  LookupResult held = store_->Peek(Key(0));  // a reader holds the tail
  Set("new", "value");
  EXPECT_EQ(held.item.value(), "value");
  EXPECT_EQ(PeekValue(Key(0)), "value");
  EXPECT_EQ(PeekValue(Key(1)), std::nullopt);
}

TEST_F(EvictionTest, EvictOffReturnsNoMemory) {
  StoreOptions o = TinyOptions();
  o.evict = false;
  Init(o);
  Fill(kPerPage);
  const ReserveResult r = store_->Reserve("new", 0, 0, 5);
  EXPECT_EQ(r.status, AllocStatus::kNoMemory);
  EXPECT_EQ(PeekValue(Key(0)), "value");
  EXPECT_EQ(store_->ClassStatsSnapshot()[0].outofmemory, 1u);
  EXPECT_EQ(store_->Stats().evictions, 0u);
  // Expired items near the tail are still reclaimed with evict off; valid ones never are.
  store_->Touch(Key(3), Now() + 1);
  clock_.Advance(1);
  EXPECT_EQ(Set("new", "value").status, StoreStatus::kStored);
  EXPECT_EQ(store_->Stats().reclaimed, 1u);
  EXPECT_EQ(PeekValue(Key(0)), "value");
  EXPECT_EQ(store_->Reserve("new2", 0, 0, 5).status, AllocStatus::kNoMemory);
  store_->Delete(Key(5));
  EXPECT_EQ(Set("new2", "value").status, StoreStatus::kStored);
}

TEST_F(EvictionTest, ClassWithoutAPageGetsItsFirstPageOverBudget) {
  Fill(kPerPage);
  EXPECT_EQ(Set("big", std::string(500, 'x')).status, StoreStatus::kStored);
  EXPECT_EQ(store_->Stats().total_malloced, 2u * 4096);
  EXPECT_EQ(PeekValue(Key(0)), "value");  // nothing evicted for it
  EXPECT_EQ(store_->ClassStatsSnapshot().size(), 2u);
}

TEST_F(EvictionTest, AppendAndIncrUnderMemoryPressureEvictOthers) {
  Fill(kPerPage);
  Set(Key(kPerPage - 1), "9");
  EXPECT_EQ(store_->Arith(Key(kPerPage - 1), true, 1).value, 10u);  // needs a new item
  EXPECT_EQ(PeekValue(Key(kPerPage - 1)), "10");
  EXPECT_EQ(Put(Key(kPerPage - 2), "!", StoreMode::kAppend).status, StoreStatus::kStored);
  EXPECT_EQ(PeekValue(Key(kPerPage - 2)), "value!");
}

class LargeItemTest : public StoreTest {
 protected:
  LargeItemTest() {
    StoreOptions o;
    o.item_size_max = 4 << 20;
    o.max_bytes = 16 << 20;
    Init(o);
  }
  static constexpr uint32_t kThreeMb = 3 << 20;
};

TEST_F(LargeItemTest, ValuesBiggerThanAPageRoundTrip) {
  std::string big(kThreeMb, 'x');
  for (size_t i = 0; i < big.size(); i += 4099) big[i] = static_cast<char>('a' + i % 26);
  const LinkResult lr = Set("big", big, 5);
  ASSERT_EQ(lr.status, StoreStatus::kStored);
  EXPECT_EQ(lr.cls, store_->large_class_id());
  LookupResult r = store_->Get("big");
  ASSERT_TRUE(r.item);
  EXPECT_EQ(r.item.value(), big);
  EXPECT_EQ(r.item.flags(), 5u);
  EXPECT_EQ(r.item.class_id(), store_->large_class_id());

  const uint64_t charged = (40 + 3 + kThreeMb + 4095) / 4096 * 4096;
  EXPECT_EQ(store_->Stats().total_malloced, charged);
  EXPECT_EQ(store_->Stats().bytes, 40u + 3 + kThreeMb);
  const std::vector<ClassStats> cs = store_->ClassStatsSnapshot();
  ASSERT_EQ(cs.size(), 1u);
  EXPECT_TRUE(cs[0].is_large);
  EXPECT_EQ(cs[0].number, 1u);
  EXPECT_EQ(cs[0].total_pages, 1u);
}

TEST_F(LargeItemTest, LargeItemsEvictFromTheirOwnLruTail) {
  const std::string big(kThreeMb, 'x');
  for (int i = 0; i < 5; ++i) ASSERT_EQ(Set("big" + std::to_string(i), big).status,
                                        StoreStatus::kStored);
  EXPECT_EQ(store_->Stats().evictions, 0u);
  ASSERT_EQ(Set("big5", big).status, StoreStatus::kStored);
  EXPECT_EQ(PeekValue("big0"), std::nullopt);
  EXPECT_TRUE(PeekValue("big1"));
  EXPECT_EQ(store_->Stats().evictions, 1u);
  EXPECT_LE(store_->Stats().total_malloced, 16u << 20);
}

TEST_F(LargeItemTest, LargeItemFreedOnDeleteAfterLastReference) {
  Set("big", std::string(kThreeMb, 'x'));
  LookupResult held = store_->Get("big");
  store_->Delete("big");
  EXPECT_GT(store_->Stats().total_malloced, 0u);
  EXPECT_EQ(held.item.value().size(), kThreeMb);
  held.item.Reset();
  EXPECT_EQ(store_->Stats().total_malloced, 0u);
}

TEST_F(LargeItemTest, LargeItemsWithEvictOffRunOutOfMemory) {
  StoreOptions o;
  o.item_size_max = 4 << 20;
  o.max_bytes = 8 << 20;
  o.evict = false;
  Init(o);
  const std::string big(kThreeMb, 'x');
  EXPECT_EQ(Set("a", big).status, StoreStatus::kStored);
  EXPECT_EQ(Set("b", big).status, StoreStatus::kStored);
  EXPECT_EQ(store_->Reserve("c", 0, 0, kThreeMb).status, AllocStatus::kNoMemory);
}

TEST(LargeItemLimitTest, OneGigabyteItemSizeMaxIsAccepted) {
  FakeClock clock;
  StoreOptions o;
  o.item_size_max = 1u << 30;
  o.max_bytes = 2ull << 30;
  Store store(o, &clock);
  // Allocation is lazy (malloc does not touch the pages), so this is cheap.
  ReserveResult r = store.Reserve("huge", 0, 0, (1u << 30) - 44);
  ASSERT_EQ(r.status, AllocStatus::kOk);
  EXPECT_EQ(r.reservation.value().size(), (1u << 30) - 44);
  EXPECT_EQ(store.Reserve("huge", 0, 0, (1u << 30) - 43).status, AllocStatus::kTooLarge);
}

}  // namespace
}  // namespace slabd::slab
