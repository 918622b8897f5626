// The libc-compatible number parsers. Every expectation here was observed on memcached 1.6.18
// through the field that uses the parser (flags, exptime, <bytes>, cas, delta, verbosity).
#include "proto/text_numbers.h"

#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace slabd::proto {
namespace {

constexpr std::optional<uint32_t> kNoU32;
constexpr std::optional<int32_t> kNoI32;
constexpr std::optional<uint64_t> kNoU64;

TEST(TextNumbersTest, Uint32AcceptsPlainDigitsSignsAndLeadingZeros) {
  EXPECT_EQ(ParseLibcUint32("0"), 0u);
  EXPECT_EQ(ParseLibcUint32("123"), 123u);
  EXPECT_EQ(ParseLibcUint32("+5"), 5u);
  EXPECT_EQ(ParseLibcUint32("-0"), 0u);
  EXPECT_EQ(ParseLibcUint32("007"), 7u);
}

TEST(TextNumbersTest, Uint32TruncatesSixtyFourBitValues) {
  EXPECT_EQ(ParseLibcUint32("4294967295"), 4294967295u);
  EXPECT_EQ(ParseLibcUint32("4294967296"), 0u);
  EXPECT_EQ(ParseLibcUint32("4294967297"), 1u);
  EXPECT_EQ(ParseLibcUint32("18446744073709551615"), 4294967295u);
}

TEST(TextNumbersTest, Uint32NegativeWrapsUnlessTheTopBitIsSet) {
  EXPECT_EQ(ParseLibcUint32("-1"), kNoU32);
  EXPECT_EQ(ParseLibcUint32("-5"), kNoU32);
  EXPECT_EQ(ParseLibcUint32("-9223372036854775808"), kNoU32);
  EXPECT_EQ(ParseLibcUint32("-9223372036854775809"), 4294967295u);
  EXPECT_EQ(ParseLibcUint32("-18446744073709551615"), 1u);
}

TEST(TextNumbersTest, Uint32RejectsOverflowGarbageAndEmpty) {
  EXPECT_EQ(ParseLibcUint32("18446744073709551616"), kNoU32);
  EXPECT_EQ(ParseLibcUint32("99999999999999999999999"), kNoU32);
  EXPECT_EQ(ParseLibcUint32("5x"), kNoU32);
  EXPECT_EQ(ParseLibcUint32("x"), kNoU32);
  EXPECT_EQ(ParseLibcUint32(""), kNoU32);
  EXPECT_EQ(ParseLibcUint32("-"), kNoU32);
  EXPECT_EQ(ParseLibcUint32("+"), kNoU32);
  EXPECT_EQ(ParseLibcUint32("+-1"), kNoU32);
  EXPECT_EQ(ParseLibcUint32("0x10"), kNoU32);
  EXPECT_EQ(ParseLibcUint32("\t"), kNoU32);
}

TEST(TextNumbersTest, WhitespaceMayLeadOrEndTheToken) {
  EXPECT_EQ(ParseLibcUint32("\t7"), 7u);
  EXPECT_EQ(ParseLibcUint32("7\t"), 7u);
  EXPECT_EQ(ParseLibcUint32("7\r"), 7u);
  EXPECT_EQ(ParseLibcUint32("7\v"), 7u);
  EXPECT_EQ(ParseLibcUint32("7\f"), 7u);
  EXPECT_EQ(ParseLibcUint32("7\tjunk"), 7u);  // libc stops at whitespace; memcached accepts
  EXPECT_EQ(ParseLibcInt32("\r\n-3"), -3);
  EXPECT_EQ(ParseLibcUint64("1\t"), 1u);
}

TEST(TextNumbersTest, Int32AcceptsTheLongRangeAndTruncates) {
  EXPECT_EQ(ParseLibcInt32("-1"), -1);
  EXPECT_EQ(ParseLibcInt32("+0"), 0);
  EXPECT_EQ(ParseLibcInt32("2147483647"), 2147483647);
  EXPECT_EQ(ParseLibcInt32("2147483648"), std::numeric_limits<int32_t>::min());
  EXPECT_EQ(ParseLibcInt32("4294967296"), 0);
  EXPECT_EQ(ParseLibcInt32("4294967297"), 1);
  EXPECT_EQ(ParseLibcInt32("-4294967295"), 1);
  EXPECT_EQ(ParseLibcInt32("-2147483649"), 2147483647);
  EXPECT_EQ(ParseLibcInt32("9223372036854775807"), -1);
  EXPECT_EQ(ParseLibcInt32("-9223372036854775808"), 0);
}

TEST(TextNumbersTest, Int32RejectsOutsideLongAndGarbage) {
  EXPECT_EQ(ParseLibcInt32("9223372036854775808"), kNoI32);
  EXPECT_EQ(ParseLibcInt32("-9223372036854775809"), kNoI32);
  EXPECT_EQ(ParseLibcInt32("1.5"), kNoI32);
  EXPECT_EQ(ParseLibcInt32(""), kNoI32);
  EXPECT_EQ(ParseLibcInt32("abc"), kNoI32);
}

TEST(TextNumbersTest, Uint64KeepsAllSixtyFourBits) {
  EXPECT_EQ(ParseLibcUint64("18446744073709551615"), std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(ParseLibcUint64("18446744073709551616"), kNoU64);
  EXPECT_EQ(ParseLibcUint64("+1"), 1u);
  EXPECT_EQ(ParseLibcUint64("-0"), 0u);
  EXPECT_EQ(ParseLibcUint64("-1"), kNoU64);
  EXPECT_EQ(ParseLibcUint64("-18446744073709551615"), 1u);
  EXPECT_EQ(ParseLibcUint64("-9223372036854775808"), kNoU64);
  EXPECT_EQ(ParseLibcUint64("-9223372036854775809"), 9223372036854775807u);
}

TEST(TextNumbersTest, WriteDecimalWritesEveryDigitAndReturnsTheEnd) {
  char buf[24];
  for (uint64_t v : {uint64_t{0}, uint64_t{7}, uint64_t{10}, uint64_t{100}, uint64_t{4294967295u},
                     uint64_t{18446744073709551615u}}) {
    const char* end = WriteDecimal(buf, v);
    EXPECT_EQ(std::string(buf, static_cast<size_t>(end - buf)), std::to_string(v));
  }
}

// Every digit count, at both ends of it (9, 10, 99, 100, ...), and a spread in between: the
// length decides where the digits start, so an off-by-one shows as a wrong or clipped number.
TEST(TextNumbersTest, DecimalLengthAndDigitsMatchToStringAtEveryDigitCount) {
  std::vector<uint64_t> values = {0, std::numeric_limits<uint64_t>::max()};
  for (uint64_t p = 1; p <= 1'000'000'000'000'000'000u; p *= 10) {
    values.insert(values.end(), {p - 1, p, p + 1, p * 5 + 3});
  }
  uint64_t x = 0x9E3779B97F4A7C15u;
  for (int i = 0; i < 2000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    values.push_back(x >> (i % 64));
  }
  for (uint64_t v : values) {
    const std::string expected = std::to_string(v);
    ASSERT_EQ(DecimalLength(v), expected.size()) << v;
    char buf[24];
    std::memset(buf, '#', sizeof(buf));
    WriteDecimalDigits(buf + 1, expected.size(), v);
    EXPECT_EQ(std::string(buf + 1, expected.size()), expected);
    EXPECT_EQ(buf[0], '#') << v;  // nothing written before or after the digits
    EXPECT_EQ(buf[1 + expected.size()], '#') << v;
  }
}

}  // namespace
}  // namespace slabd::proto
