// LruList: head insertion, removal from any position, move-to-head, tail walking.
#include "slab/lru_list.h"

#include <gtest/gtest.h>

#include <vector>

#include "slab/size_class_table.h"
#include "slab/slab_allocator.h"

namespace slabd::slab {
namespace {

class LruListTest : public ::testing::Test {
 protected:
  LruListTest() {
    for (int i = 0; i < 4; ++i) h_.push_back(alloc_.AllocChunk(ClassId{1}));
  }
  // Handles from tail to head, following Prev().
  std::vector<ItemHandle> TailToHead() const {
    std::vector<ItemHandle> out;
    for (ItemHandle h = list_.tail(); h; h = list_.Prev(h)) out.push_back(h);
    return out;
  }

  SizeClassTable classes_{kItemHeaderSize + 48, 2048, 1.125};
  SlabAllocator alloc_{&classes_, 4096, 4096, 4096};
  LruList list_{&alloc_};
  std::vector<ItemHandle> h_;
};

TEST_F(LruListTest, NewItemsGoToTheHead) {
  for (ItemHandle h : h_) list_.PushHead(h);
  EXPECT_EQ(list_.size(), 4u);
  EXPECT_EQ(list_.head(), h_[3]);
  EXPECT_EQ(TailToHead(), (std::vector<ItemHandle>{h_[0], h_[1], h_[2], h_[3]}));
}

TEST_F(LruListTest, RemoveFromHeadMiddleAndTail) {
  for (ItemHandle h : h_) list_.PushHead(h);
  list_.Remove(h_[1]);
  list_.Remove(h_[0]);
  list_.Remove(h_[3]);
  EXPECT_EQ(TailToHead(), (std::vector<ItemHandle>{h_[2]}));
  EXPECT_EQ(list_.head(), h_[2]);
  list_.Remove(h_[2]);
  EXPECT_FALSE(list_.head());
  EXPECT_FALSE(list_.tail());
  EXPECT_EQ(list_.size(), 0u);
}

TEST_F(LruListTest, MoveToHeadGivesTheTailASecondLife) {
  for (ItemHandle h : h_) list_.PushHead(h);
  list_.MoveToHead(h_[0]);
  list_.MoveToHead(h_[0]);  // already the head: no-op
  EXPECT_EQ(TailToHead(), (std::vector<ItemHandle>{h_[1], h_[2], h_[3], h_[0]}));
  EXPECT_EQ(list_.size(), 4u);
}

}  // namespace
}  // namespace slabd::slab
