// KeyEquals: the inlined key comparison of every hash-chain walk. Its loads overlap and change
// with the length, so every length up to past the memcmp cut-over is checked with a difference at
// every position, and with keys that sit at the very end of their buffers.
#include "slab/item_header.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace slabd::slab {
namespace {

TEST(KeyEqualsTest, EveryLengthEqualAndDifferingAtEveryByte) {
  for (size_t n = 0; n <= 40; ++n) {
    std::string a;
    for (size_t i = 0; i < n; ++i) a.push_back(static_cast<char>('a' + i % 26));
    // The copies end exactly where their allocations end, so an over-read would be caught by
    // ASan (the project's asan build runs the unit tests).
    std::vector<char> abuf(a.begin(), a.end());
    std::vector<char> bbuf(a.begin(), a.end());
    const std::string_view av(abuf.data(), n);
    std::string_view bv(bbuf.data(), n);
    EXPECT_TRUE(KeyEquals(av, bv)) << n;
    for (size_t i = 0; i < n; ++i) {
      bbuf[i] ^= 0x20;
      EXPECT_FALSE(KeyEquals(av, bv)) << "length " << n << ", byte " << i;
      bbuf[i] ^= 0x20;
      bbuf[i] ^= static_cast<char>(0x80);  // high bit only: signedness must not matter
      EXPECT_FALSE(KeyEquals(av, bv)) << "length " << n << ", byte " << i;
      bbuf[i] ^= static_cast<char>(0x80);
    }
    EXPECT_TRUE(KeyEquals(av, bv)) << n;
  }
}

TEST(KeyEqualsTest, LengthsDifferWithACommonPrefix) {
  EXPECT_FALSE(KeyEquals("key:0000000001", "key:000000000"));
  EXPECT_FALSE(KeyEquals("", "a"));
  EXPECT_TRUE(KeyEquals("", ""));
  const std::string long_key(250, 'k');
  std::string other = long_key;
  EXPECT_TRUE(KeyEquals(long_key, other));
  other[249] = 'x';
  EXPECT_FALSE(KeyEquals(long_key, other));
}

}  // namespace
}  // namespace slabd::slab
