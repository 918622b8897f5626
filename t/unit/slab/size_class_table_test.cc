// SizeClassTable: the default table, -f/-n variants, and class selection.
#include "slab/size_class_table.h"

#include <gtest/gtest.h>

#include <vector>

#include "slab/item_header.h"

namespace slabd::slab {
namespace {

SizeClassTable Defaults() { return SizeClassTable(kItemHeaderSize + 48, 512 * 1024, 1.125); }

TEST(ItemHeaderTest, HeaderIsFortyBytesIncludingCas) {
  EXPECT_EQ(sizeof(ItemHeader), 40u);
  EXPECT_EQ(ItemHeader::TotalSize(1, 1), 42u);  // memcached: 61 for key `a`, value `1`
}

TEST(SizeClassTableTest, DefaultTableStartsAt88GrowsBy1125AndEndsAtChunkMax) {
  const SizeClassTable t = Defaults();
  const std::vector<uint32_t> first(t.sizes().begin(), t.sizes().begin() + 8);
  EXPECT_EQ(first, (std::vector<uint32_t>{88, 104, 120, 136, 160, 184, 208, 240}));
  EXPECT_EQ(t.sizes().back(), 512u * 1024);
  for (size_t i = 1; i < t.sizes().size(); ++i) {
    EXPECT_EQ(t.sizes()[i] % 8, 0u);
    EXPECT_GT(t.sizes()[i], t.sizes()[i - 1]);
  }
  for (size_t i = 1; i + 1 < t.sizes().size(); ++i) {
    // Each is roundup8(previous * 1.125).
    const uint32_t grown = static_cast<uint32_t>(t.sizes()[i - 1] * 1.125);
    EXPECT_EQ(t.sizes()[i], (grown + 7) / 8 * 8) << "class " << i + 1;
  }
  EXPECT_LE(t.num_slab_classes(), kMaxSlabClasses);
  EXPECT_EQ(t.large_class().v, t.num_slab_classes() + 1);
}

TEST(SizeClassTableTest, GrowthFactorAndMinChunkVariants) {
  const SizeClassTable f125(kItemHeaderSize + 48, 512 * 1024, 1.25);
  const std::vector<uint32_t> first(f125.sizes().begin(), f125.sizes().begin() + 4);
  EXPECT_EQ(first, (std::vector<uint32_t>{88, 112, 144, 184}));
  EXPECT_EQ(f125.sizes().back(), 512u * 1024);
  EXPECT_LT(f125.num_slab_classes(), Defaults().num_slab_classes());

  const SizeClassTable n8(kItemHeaderSize + 8, 512 * 1024, 1.125);
  EXPECT_EQ(n8.sizes()[0], 48u);
  const SizeClassTable odd(kItemHeaderSize + 45, 512 * 1024, 1.125);
  EXPECT_EQ(odd.sizes()[0], 88u);  // rounded up to 8
}

TEST(SizeClassTableTest, TinyGrowthFactorStillIncreasesAndCapsClassCount) {
  const SizeClassTable t(kItemHeaderSize + 8, 512 * 1024, 1.0001);
  EXPECT_EQ(t.num_slab_classes(), kMaxSlabClasses);
  EXPECT_EQ(t.sizes()[1], 56u);
  EXPECT_EQ(t.sizes().back(), 512u * 1024);
  EXPECT_EQ(t.large_class().v, 255);
}

TEST(SizeClassTableTest, ClassForPicksSmallestChunkThatFits) {
  const SizeClassTable t = Defaults();
  EXPECT_EQ(t.ClassFor(1).v, 1);
  EXPECT_EQ(t.ClassFor(88).v, 1);
  EXPECT_EQ(t.ClassFor(89).v, 2);
  EXPECT_EQ(t.ClassFor(104).v, 2);
  EXPECT_EQ(t.ClassFor(512 * 1024).v, t.num_slab_classes());
  EXPECT_EQ(t.ClassFor(512 * 1024 + 1), t.large_class());
}

TEST(SizeClassTableTest, ProjectMemoryTargetsLandInTightChunks) {
  const SizeClassTable t = Defaults();
  // 14-byte keys (`key:%010d`): 32-byte values fit 88-byte chunks, 100-byte values 160-byte ones.
  EXPECT_EQ(t.chunk_size(t.ClassFor(ItemHeader::TotalSize(14, 32))), 88u);
  EXPECT_EQ(t.chunk_size(t.ClassFor(ItemHeader::TotalSize(14, 100))), 160u);
  // memcached puts them in 120- and 192-byte chunks (8738 and 5461 per page): the targets are
  // >= 1.3x and >= 1.15x as many items.
  EXPECT_GE((1u << 20) / 88 * 10, 8738u * 13);
  EXPECT_GE((1u << 20) / 160 * 100, 5461u * 115);
}

}  // namespace
}  // namespace slabd::slab
