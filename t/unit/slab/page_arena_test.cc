// PageArena: alignment, pairing, non-overlap, the huge-page advice.
#include "slab/page_arena.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <set>
#include <string>

namespace slabd::slab {
namespace {

uintptr_t Addr(const void* p) { return reinterpret_cast<uintptr_t>(p); }

TEST(PageArena, OneMegabytePagesComeInPairsFromAlignedRegions) {
  constexpr uint32_t kPage = 1u << 20;
  PageArena arena(kPage);
  EXPECT_TRUE(arena.huge_advised());
  EXPECT_EQ(arena.region_bytes(), PageArena::kHugePage);
  std::set<uintptr_t> seen;
  for (int i = 0; i < 6; ++i) {
    char* p = static_cast<char*>(arena.Take());
    ASSERT_NE(p, nullptr);
    // Even pages start a region: 2 MB aligned; odd ones follow their partner directly.
    if (i % 2 == 0) {
      EXPECT_EQ(Addr(p) % PageArena::kHugePage, 0u) << i;
    } else {
      EXPECT_EQ(seen.count(Addr(p) - kPage), 1u) << i;
    }
    std::memset(p, i, kPage);  // writable, the whole page
    EXPECT_TRUE(seen.insert(Addr(p)).second);
  }
  // No page overlaps another.
  uintptr_t last_end = 0;
  for (uintptr_t a : seen) {
    EXPECT_GE(a, last_end);
    last_end = a + kPage;
  }
}

TEST(PageArena, PagesKeepTheirBytes) {
  PageArena arena(1u << 20);
  char* a = static_cast<char*>(arena.Take());
  char* b = static_cast<char*>(arena.Take());
  char* c = static_cast<char*>(arena.Take());
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  ASSERT_NE(c, nullptr);
  std::memset(a, 'a', 1u << 20);
  std::memset(b, 'b', 1u << 20);
  std::memset(c, 'c', 1u << 20);
  EXPECT_EQ(a[(1u << 20) - 1], 'a');
  EXPECT_EQ(b[0], 'b');
  EXPECT_EQ(b[(1u << 20) - 1], 'b');
  EXPECT_EQ(c[0], 'c');
}

TEST(PageArena, PageSizesThatDivideOrAreMultiplesOfTwoMegabytesAreAdvised) {
  EXPECT_TRUE(PageArena(512u << 10).huge_advised());
  EXPECT_EQ(PageArena(512u << 10).region_bytes(), PageArena::kHugePage);
  EXPECT_TRUE(PageArena(4u << 20).huge_advised());
  EXPECT_EQ(PageArena(4u << 20).region_bytes(), 4u << 20);
  // 3 MB would leave a huge page half unused: plain regions of one page.
  PageArena odd(3u << 20);
  EXPECT_FALSE(odd.huge_advised());
  EXPECT_EQ(odd.region_bytes(), 3u << 20);
  void* p = odd.Take();
  void* q = odd.Take();
  ASSERT_NE(p, nullptr);
  ASSERT_NE(q, nullptr);
  EXPECT_NE(p, q);
  std::memset(p, 1, 3u << 20);
  std::memset(q, 2, 3u << 20);
}

// The region carries the advice (VmFlags "hg"), and where the kernel found a huge page for
// it, the touched region is one.
TEST(PageArena, RegionsAreAdvisedAndBackedByHugePagesWhereTheKernelAllowsIt) {
  std::ifstream mode_file("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string mode((std::istreambuf_iterator<char>(mode_file)), std::istreambuf_iterator<char>());
  if (mode.empty() || mode.find("[never]") != std::string::npos) {
    GTEST_SKIP() << "transparent huge pages are off on this machine";
  }
  PageArena arena(1u << 20);
  char* p = static_cast<char*>(arena.Take());
  ASSERT_NE(p, nullptr);
  p[0] = 1;  // the first touch faults the whole 2 MB region in
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool in_region = false;
  long anon_huge_kb = -1;
  std::string flags;
  while (std::getline(smaps, line)) {
    unsigned long lo, hi;
    if (std::sscanf(line.c_str(), "%lx-%lx ", &lo, &hi) == 2) {
      in_region = lo <= Addr(p) && Addr(p) < hi;
    } else if (in_region && line.rfind("AnonHugePages:", 0) == 0) {
      anon_huge_kb = std::stol(line.substr(14));
    } else if (in_region && line.rfind("VmFlags:", 0) == 0) {
      flags = line.substr(8) + " ";
    }
  }
  EXPECT_NE(flags.find(" hg "), std::string::npos) << "VmFlags:" << flags;
  ASSERT_GE(anon_huge_kb, 0) << "no AnonHugePages line for the region";
  // Compaction may fail on a fragmented machine; the kernel then falls back to 4 KB pages.
  if (anon_huge_kb == 0) GTEST_SKIP() << "the kernel gave no huge page (memory fragmented?)";
  EXPECT_GE(anon_huge_kb, 2048);
}

}  // namespace
}  // namespace slabd::slab
