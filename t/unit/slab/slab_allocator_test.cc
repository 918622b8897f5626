// SlabAllocator: lazy carving, freelist reuse, the budget and its first-page exception, large
// items, and handles that resolve to distinct, correctly sized chunks.
#include "slab/slab_allocator.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <set>
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

}  // namespace
}  // namespace slabd::slab
