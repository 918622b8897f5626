// Murmur3Hash32 against published MurmurHash3_x86_32 test vectors.
#include "slab/murmur3.h"

#include <gtest/gtest.h>

#include <string_view>

namespace slabd::slab {
namespace {

uint32_t H(std::string_view s, uint32_t seed) { return Murmur3Hash32(s.data(), s.size(), seed); }

TEST(Murmur3Test, MatchesPublishedVectors) {
  EXPECT_EQ(H("", 0), 0u);
  EXPECT_EQ(H("", 1), 0x514E28B7u);
  EXPECT_EQ(H("", 0xffffffff), 0x81F16F39u);
  EXPECT_EQ(H(std::string_view("\0\0\0\0", 4), 0), 0x2362F9DEu);
  EXPECT_EQ(H("aaaa", 0x9747b28c), 0x5A97808Au);
  EXPECT_EQ(H("abc", 0), 0xB3DD93FAu);
  EXPECT_EQ(H("Hello, world!", 0x9747b28c), 0x24884CBAu);
  EXPECT_EQ(H("The quick brown fox jumps over the lazy dog", 0x9747b28c), 0x2FA826CDu);
}

TEST(Murmur3Test, UnalignedInputHashesLikeAligned) {
  alignas(8) char buf[32] = "xkey:0000000042";
  EXPECT_EQ(Murmur3Hash32(buf + 1, 14, 0), H("key:0000000042", 0));
  EXPECT_EQ(HashKey("key:0000000042"), H("key:0000000042", 0));
}

}  // namespace
}  // namespace slabd::slab
