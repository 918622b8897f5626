// SlabAllocator: lazy carving, freelist reuse, the budget and its first-page exception, large
// items, handles that resolve to distinct, correctly sized chunks, and per-class locking under
// concurrent allocation, freeing and page taking.
#include "slab/slab_allocator.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <set>
#include <thread>
#include <vector>

#include "slab/item_header.h"
#include "slab/size_class_table.h"

namespace slabd::slab {
namespace {

class SlabAllocatorTest : public ::testing::Test {
 protected:
  // 4 KB pages, classes 88, 104, ... up to 2048; budget of two pages.
  SizeClassTable classes_{kItemHeaderSize + 48, 2048, 1.125};
  SlabAllocator alloc_{&classes_, 2 * 4096, 4096, 16384};
  const ClassId kFirst{1};

  void Release(ItemHandle h) { alloc_.Free(h); }
};

TEST_F(SlabAllocatorTest, CarvesChunksLazilyFromOnePage) {
  const ItemHandle a = alloc_.AllocChunk(kFirst);
  const ItemHandle b = alloc_.AllocChunk(kFirst);
  ASSERT_TRUE(a);
  ASSERT_TRUE(b);
  EXPECT_EQ(reinterpret_cast<char*>(alloc_.Resolve(b)) - reinterpret_cast<char*>(alloc_.Resolve(a)),
            88);
  EXPECT_EQ(alloc_.ClassOf(a), kFirst);
  const SlabAllocator::Usage u = alloc_.UsageOf(kFirst);
  EXPECT_EQ(u.total_pages, 1u);
  EXPECT_EQ(u.total_chunks, 4096u / 88);
  EXPECT_EQ(u.free_chunks, 4096u / 88 - 2);
  EXPECT_EQ(alloc_.total_malloced(), 4096u);
}

TEST_F(SlabAllocatorTest, FreedChunksAreReusedFirst) {
  const ItemHandle a = alloc_.AllocChunk(kFirst);
  (void)alloc_.AllocChunk(kFirst);
  Release(a);
  EXPECT_EQ(alloc_.UsageOf(kFirst).free_chunks, 4096u / 88 - 1);
  EXPECT_EQ(alloc_.AllocChunk(kFirst), a);
}

TEST_F(SlabAllocatorTest, UnrefForReuseHandsTheLastReferencesChunkBackReset) {
  const ItemHandle h = alloc_.AllocChunk(kFirst);
  ItemHeader* it = alloc_.Resolve(h);
  it->refcount.store(2);
  it->cas = 77;
  EXPECT_FALSE(alloc_.UnrefForReuse(h, it));  // a reader still holds it
  EXPECT_EQ(alloc_.UnrefForReuse(h, it), h);
  EXPECT_EQ(it->refcount.load(), 0);
  EXPECT_EQ(it->cas, 0u);
  EXPECT_EQ(it->bits, 0);
  EXPECT_EQ(alloc_.UsageOf(kFirst).free_chunks, 4096u / 88 - 1);  // still in use, not on a list
  EXPECT_NE(alloc_.AllocChunk(kFirst), h);
}

TEST_F(SlabAllocatorTest, BudgetStopsNewPagesExceptAClassesFirst) {
  std::set<uint32_t> seen;
  const uint32_t per_page = 4096 / 88;
  for (uint32_t i = 0; i < 2 * per_page; ++i) {
    const ItemHandle h = alloc_.AllocChunk(kFirst);
    ASSERT_TRUE(h) << i;
    EXPECT_TRUE(seen.insert(h.v).second);
  }
  EXPECT_FALSE(alloc_.AllocChunk(kFirst));  // budget (2 pages) is spent
  EXPECT_TRUE(alloc_.AllocChunk(ClassId{2}));  // but class 2 still gets its first page
  EXPECT_EQ(alloc_.total_malloced(), 3u * 4096);
  // The large class's "first page": one large item over budget, never a second.
  EXPECT_TRUE(alloc_.AllocLarge(3000));
  EXPECT_EQ(alloc_.total_malloced(), 4u * 4096);
  EXPECT_FALSE(alloc_.AllocLarge(3000));
}

TEST_F(SlabAllocatorTest, OverBudgetLargeItemIsAllowedAgainOnlyOnceNoLargeItemIsLeft) {
  for (uint32_t i = 0; i < 2 * (4096 / 88); ++i) ASSERT_TRUE(alloc_.AllocChunk(kFirst));
  const ItemHandle a = alloc_.AllocLarge(3000);
  ASSERT_TRUE(a);
  EXPECT_EQ(alloc_.BytesOverBudget(), 4096u);
  EXPECT_FALSE(alloc_.AllocLarge(5000));
  ItemHeader* it = alloc_.Resolve(a);
  it->refcount.store(1);
  alloc_.Unref(a, it);
  EXPECT_EQ(alloc_.BytesOverBudget(), 0u);
  EXPECT_TRUE(alloc_.AllocLarge(5000));
  EXPECT_EQ(alloc_.BytesOverBudget(), 8192u);
}

TEST_F(SlabAllocatorTest, RaisedBudgetAllowsNewPages) {
  for (uint32_t i = 0; i < 2 * (4096 / 88); ++i) ASSERT_TRUE(alloc_.AllocChunk(kFirst));
  EXPECT_FALSE(alloc_.AllocChunk(kFirst));
  alloc_.SetMaxBytes(3 * 4096);
  EXPECT_EQ(alloc_.max_bytes(), 3u * 4096);
  EXPECT_TRUE(alloc_.AllocChunk(kFirst));
  EXPECT_EQ(alloc_.total_malloced(), 3u * 4096);
}

TEST_F(SlabAllocatorTest, LoweredBudgetKeepsPagesButStopsNewOnes) {
  for (uint32_t i = 0; i < 2 * (4096 / 88); ++i) ASSERT_TRUE(alloc_.AllocChunk(kFirst));
  alloc_.SetMaxBytes(4096);
  EXPECT_EQ(alloc_.total_malloced(), 2u * 4096);
  EXPECT_EQ(alloc_.BytesOverBudget(), 4096u);
  EXPECT_FALSE(alloc_.AllocChunk(kFirst));
  EXPECT_TRUE(alloc_.AllocChunk(ClassId{2}));  // a class's first page is still granted
}

// The page table is sized for the initial budget (a handful of slots here); a raise far past it
// must grow the table, and handles from before the growth must still resolve.
TEST_F(SlabAllocatorTest, PageTableGrowsWhenARaisedBudgetNeedsMoreSlots) {
  const uint32_t per_page = 4096 / 88;
  std::vector<ItemHandle> handles;
  for (uint32_t i = 0; i < 2 * per_page; ++i) handles.push_back(alloc_.AllocChunk(kFirst));
  for (size_t i = 0; i < handles.size(); ++i) alloc_.Resolve(handles[i])->cas = i;
  alloc_.SetMaxBytes(1000 * 4096);
  for (uint32_t i = 0; i < 998 * per_page; ++i) {
    const ItemHandle h = alloc_.AllocChunk(kFirst);
    ASSERT_TRUE(h) << i;
    alloc_.Resolve(h)->cas = handles.size();
    handles.push_back(h);
  }
  EXPECT_FALSE(alloc_.AllocChunk(kFirst));
  EXPECT_EQ(alloc_.total_malloced(), 1000u * 4096);
  std::set<uintptr_t> chunks;
  for (size_t i = 0; i < handles.size(); ++i) {
    ItemHeader* it = alloc_.Resolve(handles[i]);
    ASSERT_EQ(it->cas, i);
    ASSERT_EQ(alloc_.ClassOf(handles[i]), kFirst);
    ASSERT_TRUE(chunks.insert(reinterpret_cast<uintptr_t>(it)).second);
  }
}

TEST_F(SlabAllocatorTest, LargeItemsAreChargedInPagesOf4096AndReturned) {
  const ItemHandle h = alloc_.AllocLarge(5000);
  ASSERT_TRUE(h);
  EXPECT_EQ(alloc_.ClassOf(h), classes_.large_class());
  EXPECT_EQ(alloc_.total_malloced(), 8192u);
  EXPECT_FALSE(alloc_.AllocLarge(10));  // budget full
  ItemHeader* it = alloc_.Resolve(h);
  it->refcount.store(1);  // as if one owner held it
  alloc_.Unref(h, it);
  EXPECT_EQ(alloc_.total_malloced(), 0u);
  EXPECT_TRUE(alloc_.AllocLarge(8192));
}

// Per-class locks: two threads share class 1, one uses class 2, and a fourth keeps taking pages
// of the largest class (raising the budget a page at a time, so the page table grows too) while
// they run. Every chunk carries its owner's tag while held, so a chunk handed out twice shows up
// as a clobbered tag; afterwards every class's counts add up, and draining a freelist yields
// exactly its free count of distinct chunks (nothing lost, nothing on it twice).
TEST_F(SlabAllocatorTest, ConcurrentAllocAndFreeOnSeveralClassesKeepsAccountingExact) {
  const ClassId kSecond{2};
  const ClassId kBig{static_cast<uint8_t>(classes_.num_slab_classes())};  // 2 chunks per page
  constexpr int kRounds = 20000;
  constexpr int kBatch = 64;  // more than one page of class 1, so its threads take pages too
  constexpr size_t kMaxBig = 4000;
  std::atomic<uint64_t> clobbered{0};
  std::atomic<int> waiting{4};  // start together, or a thread may be done before the next runs
  std::atomic<int> running{3};
  auto start = [&] {
    --waiting;
    while (waiting > 0) std::this_thread::yield();
  };

  auto churn = [&](ClassId cls, uint64_t id) {
    std::vector<ItemHandle> held;
    start();
    for (int round = 0; round < kRounds; ++round) {
      for (int i = 0; i < kBatch; ++i) {
        const ItemHandle h = alloc_.AllocChunk(cls);
        if (!h) break;  // the page taker spent the budget: fine, free and retry
        alloc_.Resolve(h)->cas = id << 32 | held.size();
        held.push_back(h);
      }
      for (size_t i = 0; i < held.size(); ++i) {
        ItemHeader* it = alloc_.Resolve(held[i]);
        if (it->cas != (id << 32 | i) || alloc_.ClassOf(held[i]) != cls) ++clobbered;
        alloc_.Free(held[i]);
      }
      held.clear();
    }
    --running;
  };
  std::vector<ItemHandle> big;
  auto take_pages = [&] {
    start();
    while (running > 0 && big.size() < kMaxBig) {
      const ItemHandle h = alloc_.AllocChunk(kBig);
      if (!h) {
        alloc_.SetMaxBytes(alloc_.max_bytes() + 4096);
        continue;
      }
      alloc_.Resolve(h)->cas = 3ull << 32 | big.size();
      big.push_back(h);
    }
  };

  std::vector<std::thread> threads;
  threads.emplace_back(churn, kFirst, 0);
  threads.emplace_back(churn, kFirst, 1);
  threads.emplace_back(churn, kSecond, 2);
  threads.emplace_back(take_pages);
  for (std::thread& t : threads) t.join();

  EXPECT_EQ(clobbered.load(), 0u);
  EXPECT_EQ(alloc_.malloc_fails(), 0u);
  EXPECT_GT(big.size(), 10u);
  std::set<uintptr_t> chunks;
  for (size_t i = 0; i < big.size(); ++i) {
    ItemHeader* it = alloc_.Resolve(big[i]);
    EXPECT_EQ(it->cas, 3ull << 32 | i);
    EXPECT_TRUE(chunks.insert(reinterpret_cast<uintptr_t>(it)).second);
  }
  const SlabAllocator::Usage ub = alloc_.UsageOf(kBig);
  EXPECT_EQ(ub.total_chunks - ub.free_chunks, big.size());

  uint64_t class_bytes = 0;
  for (int id = 1; id <= classes_.num_slab_classes(); ++id) {
    class_bytes += alloc_.UsageOf(ClassId{static_cast<uint8_t>(id)}).bytes;
  }
  EXPECT_EQ(alloc_.total_malloced(), class_bytes);

  // No new pages from here on, so each churned class can hand out exactly its free chunks.
  alloc_.SetMaxBytes(alloc_.total_malloced());
  for (const ClassId cls : {kFirst, kSecond}) {
    const SlabAllocator::Usage u = alloc_.UsageOf(cls);
    EXPECT_GT(u.total_pages, 0u);
    EXPECT_EQ(u.free_chunks, u.total_chunks) << "class " << int{cls.v};
    for (uint64_t i = 0; i < u.free_chunks; ++i) {
      const ItemHandle h = alloc_.AllocChunk(cls);
      ASSERT_TRUE(h) << "class " << int{cls.v} << " chunk " << i;
      EXPECT_EQ(alloc_.ClassOf(h), cls);
      EXPECT_TRUE(chunks.insert(reinterpret_cast<uintptr_t>(alloc_.Resolve(h))).second);
    }
    EXPECT_FALSE(alloc_.AllocChunk(cls)) << "class " << int{cls.v};
    EXPECT_EQ(alloc_.UsageOf(cls).free_chunks, 0u);
  }
}

// Four freelists per class (what the Store asks for with shard_power 2).
class ShardedSlabAllocatorTest : public ::testing::Test {
 protected:
  SizeClassTable classes_{kItemHeaderSize + 48, 2048, 1.125};
  SlabAllocator alloc_{&classes_, 2 * 4096, 4096, 16384, /*shard_power=*/2};
  const ClassId kFirst{1};
  const uint32_t kPerPage = 4096 / 88;
};

TEST_F(ShardedSlabAllocatorTest, ShardPowerIsClamped) {
  EXPECT_EQ(alloc_.shards(), 4u);
  EXPECT_EQ(SlabAllocator(&classes_, 4096, 4096, 4096, 99).shards(),
            1u << SlabAllocator::kMaxShardPower);
  EXPECT_EQ(SlabAllocator(&classes_, 4096, 4096, 4096, -3).shards(), 1u);
}

TEST_F(ShardedSlabAllocatorTest, AChunkFreedToAShardComesBackFromIt) {
  const ItemHandle a = alloc_.AllocChunk(kFirst, 0);
  const ItemHandle b = alloc_.AllocChunk(kFirst, 0);
  const ItemHandle c = alloc_.AllocChunk(kFirst, 0);
  alloc_.Free(a, 2);
  alloc_.Free(b, 1);
  EXPECT_EQ(alloc_.UsageOf(kFirst).free_chunks, kPerPage - 1);
  EXPECT_EQ(alloc_.AllocChunk(kFirst, 1), b);
  EXPECT_EQ(alloc_.AllocChunk(kFirst, 2), a);
  EXPECT_EQ(alloc_.UsageOf(kFirst).free_chunks, kPerPage - 3);
  alloc_.Free(c, 3);
  EXPECT_EQ(alloc_.AllocChunk(kFirst, 3), c);
}

TEST_F(ShardedSlabAllocatorTest, AnEmptyShardTakesAnotherShardsChunkBeforeCarving) {
  const ItemHandle a = alloc_.AllocChunk(kFirst, 0);
  const ItemHandle b = alloc_.AllocChunk(kFirst, 0);
  alloc_.Free(a, 3);
  alloc_.Free(b);  // no shard known: one is picked
  EXPECT_EQ(alloc_.UsageOf(kFirst).free_chunks, kPerPage);
  std::set<uint32_t> got{alloc_.AllocChunk(kFirst, 1).v, alloc_.AllocChunk(kFirst, 1).v};
  EXPECT_EQ(got, (std::set<uint32_t>{a.v, b.v}));
  EXPECT_EQ(alloc_.UsageOf(kFirst).free_chunks, kPerPage - 2);  // nothing carved
}

TEST_F(ShardedSlabAllocatorTest, ASpentBudgetFindsFreeChunksInAnyShardThenRunsOut) {
  std::vector<ItemHandle> held;
  for (uint32_t i = 0; i < 2 * kPerPage; ++i) {
    held.push_back(alloc_.AllocChunk(kFirst, i % 4));
    ASSERT_TRUE(held.back()) << i;
  }
  for (uint32_t shard = 0; shard < 4; ++shard) EXPECT_FALSE(alloc_.AllocChunk(kFirst, shard));
  alloc_.Free(held[5], 1);
  EXPECT_EQ(alloc_.AllocChunk(kFirst, 3), held[5]);
  EXPECT_FALSE(alloc_.AllocChunk(kFirst, 3));
  EXPECT_EQ(alloc_.total_malloced(), 2u * 4096);
  alloc_.SetMaxBytes(3 * 4096);  // a raised budget is seen by the unlocked check
  EXPECT_TRUE(alloc_.AllocChunk(kFirst, 0));
  EXPECT_EQ(alloc_.total_malloced(), 3u * 4096);
}

TEST_F(ShardedSlabAllocatorTest, ConcurrentAllocAndCrossShardFreesKeepAccountingExact) {
  constexpr int kRounds = 20000;
  constexpr int kBatch = 40;  // two threads hold more than a page: stealing and carving mix
  std::atomic<uint64_t> clobbered{0};
  auto churn = [&](uint32_t id) {
    std::vector<ItemHandle> held;
    for (int round = 0; round < kRounds; ++round) {
      for (int i = 0; i < kBatch; ++i) {
        const ItemHandle h = alloc_.AllocChunk(kFirst, (id + i) % 4);
        if (!h) break;
        alloc_.Resolve(h)->cas = uint64_t{id} << 32 | held.size();
        held.push_back(h);
      }
      for (size_t i = 0; i < held.size(); ++i) {
        if (alloc_.Resolve(held[i])->cas != (uint64_t{id} << 32 | i)) ++clobbered;
        alloc_.Free(held[i], i % 3 == 0 ? SlabAllocator::kAnyShard : (id + i + round) % 4);
      }
      held.clear();
    }
  };
  std::thread t0(churn, 0), t1(churn, 1);
  t0.join();
  t1.join();
  EXPECT_EQ(clobbered.load(), 0u);
  const SlabAllocator::Usage u = alloc_.UsageOf(kFirst);
  EXPECT_EQ(u.free_chunks, u.total_chunks);  // every chunk back on some list, none twice
  // Whether the churn needed the budget's second page depends on how far the two threads
  // overlapped (on a loaded machine one may finish before the other starts), so drain
  // the whole budget: the free chunks, then what is left to carve. Every chunk comes back
  // exactly once, and there are exactly two pages' worth.
  std::set<uint32_t> all;
  for (uint32_t i = 0;; ++i) {
    const ItemHandle h = alloc_.AllocChunk(kFirst, i % 4);
    if (!h) break;
    ASSERT_TRUE(all.insert(h.v).second) << "chunk " << h.v << " handed out twice";
    ASSERT_LE(all.size(), 2 * kPerPage);
  }
  EXPECT_EQ(all.size(), 2 * kPerPage);
  EXPECT_EQ(alloc_.UsageOf(kFirst).total_chunks, 2 * kPerPage);
  EXPECT_EQ(alloc_.UsageOf(kFirst).free_chunks, 0u);
}

}  // namespace
}  // namespace slabd::slab
