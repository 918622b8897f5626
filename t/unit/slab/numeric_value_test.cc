// ParseStoredDecimal / FormatDecimal / ApplyDelta: memcached's incr/decr value rules, made
// deterministic (no reads past the value).
#include "slab/numeric_value.h"

#include <gtest/gtest.h>

#include <string>

namespace slabd::slab {
namespace {

TEST(NumericValueTest, ParsesPlainAndSpacePaddedDecimals) {
  EXPECT_EQ(ParseStoredDecimal("0"), 0u);
  EXPECT_EQ(ParseStoredDecimal("12"), 12u);
  EXPECT_EQ(ParseStoredDecimal(" 12"), 12u);
  EXPECT_EQ(ParseStoredDecimal("9 "), 9u);      // what an in-place decr leaves behind
  EXPECT_EQ(ParseStoredDecimal("12\r\n"), 12u);
  EXPECT_EQ(ParseStoredDecimal("12 abc"), 12u);  // strtoull stops at the space
  EXPECT_EQ(ParseStoredDecimal("+7"), 7u);
}

TEST(NumericValueTest, RejectsNonNumericValues) {
  EXPECT_EQ(ParseStoredDecimal(""), std::nullopt);
  EXPECT_EQ(ParseStoredDecimal("   "), std::nullopt);
  EXPECT_EQ(ParseStoredDecimal("abc"), std::nullopt);
  EXPECT_EQ(ParseStoredDecimal("12a"), std::nullopt);
  EXPECT_EQ(ParseStoredDecimal("-1"), std::nullopt);
  EXPECT_EQ(ParseStoredDecimal(" -0"), std::nullopt);
  EXPECT_EQ(ParseStoredDecimal("18446744073709551616"), std::nullopt);  // 2^64
}

TEST(NumericValueTest, HandlesValuesAtAndAbove2To63) {
  EXPECT_EQ(ParseStoredDecimal("9223372036854775808"), 9223372036854775808ull);
  EXPECT_EQ(ParseStoredDecimal("18446744073709551615"), UINT64_MAX);
}

TEST(NumericValueTest, ReadsOnlyTheGivenBytes) {
  const std::string buf = "1234";
  EXPECT_EQ(ParseStoredDecimal(std::string_view(buf.data(), 2)), 12u);
}

TEST(NumericValueTest, IncrWrapsDecrFloors) {
  EXPECT_EQ(ApplyDelta(UINT64_MAX, true, 1), 0u);
  EXPECT_EQ(ApplyDelta(5, false, 7), 0u);
  EXPECT_EQ(ApplyDelta(5, false, 5), 0u);
  EXPECT_EQ(ApplyDelta(5, true, 5), 10u);
}

TEST(NumericValueTest, FormatsWithoutPadding) {
  char buf[kMaxDecimalLength];
  EXPECT_EQ(std::string(buf, FormatDecimal(0, buf)), "0");
  EXPECT_EQ(std::string(buf, FormatDecimal(UINT64_MAX, buf)), "18446744073709551615");
}

}  // namespace
}  // namespace slabd::slab
