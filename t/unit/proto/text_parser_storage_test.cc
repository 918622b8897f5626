// ParseTextCommand on set/add/replace/append/prepend/cas lines: fields, noreply, the token
// count rules, the libc number quirks of 1.6.18 and the swallow rule (slabd fix: once <bytes>
// parsed, a rejected line swallows bytes+2; 1.6.18 itself would run the data as a command).
#include <cstdint>
#include <limits>
#include <string>

#include <gtest/gtest.h>

#include "proto/text_parser.h"
#include "t/unit/proto/text_parser_test_util.h"

namespace slabd::proto {
namespace {

constexpr std::string_view kErr = "ERROR";
constexpr std::string_view kFormat = "CLIENT_ERROR bad command line format";

using TextParserTest = testing::TextCodecTest;

TEST_F(TextParserTest, SetHappyPath) {
  const ParseResult result = Parse("set foo 5 100 3\r\nbar\r\n");
  ASSERT_EQ(result.status, ParseStatus::kOk);
  EXPECT_EQ(result.consumed, 17u);  // the data block is left to the caller
  const TextRequest& r = result.request;
  EXPECT_EQ(r.command, TextCommand::kSet);
  EXPECT_EQ(r.key, "foo");
  EXPECT_EQ(r.flags, 5u);
  EXPECT_EQ(r.exptime, 100);
  EXPECT_EQ(r.value_len, 3u);
  EXPECT_FALSE(r.noreply);
  EXPECT_TRUE(IsStorageCommand(r.command));
}

TEST_F(TextParserTest, EveryStorageCommandParses) {
  EXPECT_EQ(ParseOk("add k 0 0 1\r\n").command, TextCommand::kAdd);
  EXPECT_EQ(ParseOk("replace k 0 0 1\r\n").command, TextCommand::kReplace);
  EXPECT_EQ(ParseOk("append k 0 0 1\r\n").command, TextCommand::kAppend);
  EXPECT_EQ(ParseOk("prepend k 0 0 1\r\n").command, TextCommand::kPrepend);
  EXPECT_EQ(ParseOk("set k 0 0 0\r\n").value_len, 0u);
}

TEST_F(TextParserTest, CasHappyPath) {
  const TextRequest r = ParseOk("cas k 1 2 3 18446744073709551615\r\n");
  EXPECT_EQ(r.command, TextCommand::kCas);
  EXPECT_EQ(r.cas_unique, std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(r.value_len, 3u);
}

TEST_F(TextParserTest, SetWithNoreply) {
  EXPECT_TRUE(ParseOk("set k 0 0 1 noreply\r\n").noreply);
  EXPECT_TRUE(ParseOk("cas k 0 0 1 5 noreply\r\n").noreply);
}

TEST_F(TextParserTest, SetWithNoreplySplitAcrossReads) {
  const std::string input = "set k 0 0 1 noreply\r\nx\r\n";
  for (size_t cut = 0; cut < 21; ++cut) {
    EXPECT_EQ(ParseTextCommand(std::string_view(input).substr(0, cut)).status,
              ParseStatus::kNeedMore);
  }
  const ParseResult done = ParseTextCommand(std::string_view(input).substr(0, 21));
  ASSERT_EQ(done.status, ParseStatus::kOk);
  EXPECT_TRUE(done.request.noreply);
  EXPECT_EQ(done.consumed, 21u);
}

TEST_F(TextParserTest, OnlyAnExactNoreplyLastTokenCounts) {
  EXPECT_FALSE(ParseOk("set k 0 0 1 x\r\n").noreply);
  EXPECT_FALSE(ParseOk("set k 0 0 1 noreplyx\r\n").noreply);
  EXPECT_FALSE(ParseOk("set k 0 0 1 NOREPLY\r\n").noreply);
  EXPECT_TRUE(ParseOk("set k 0 0 1 noreply \r\n").noreply);
}

TEST_F(TextParserTest, StorageWithWrongTokenCountAnswersErrorAndIgnoresNoreply) {
  EXPECT_FALSE(ExpectErrorResult("set a 0 0\r\n", kErr).known_command);
  ExpectError("set a 0 0 1 noreply extra\r\n", kErr);
  ExpectError("set a 0 0 1 2 3 4\r\n", kErr);
  ExpectError("set\r\n", kErr);
  ExpectError("cas k 0 0 1\r\n", kErr);  // missing <cas unique>
  ExpectError("cas k 0 0 1 2 noreply x\r\n", kErr);
  ExpectError("replace a 0 0\r\n", kErr);
  ExpectError("append a 0 0 1 2 3\r\n", kErr);
}

TEST_F(TextParserTest, InvalidBytesIsNotSwallowed) {
  for (const char* bytes : {"-1", "x", "1x", "2147483646", "9223372036854775808", "4294967295"}) {
    SCOPED_TRACE(bytes);
    const ParseResult r = ExpectErrorResult("set k 0 0 " + std::string(bytes) + "\r\n", kFormat, 0);
    EXPECT_TRUE(r.known_command);
  }
}

TEST_F(TextParserTest, BytesFollowsLibcStrtolThenTruncatesTo32Bits) {
  EXPECT_EQ(ValueLen("2147483645"), 2147483645u);  // INT_MAX - 2
  EXPECT_EQ(ValueLen("+1"), 1u);
  EXPECT_EQ(ValueLen("01"), 1u);
  EXPECT_EQ(ValueLen("4294967297"), 1u);
  EXPECT_EQ(ValueLen("-4294967295"), 1u);
  EXPECT_EQ(ValueLen("1\r"), 1u);  // "set k 0 0 1\r\r\n": the kept '\r' is whitespace to libc
}

TEST_F(TextParserTest, KeyOf250BytesIsAccepted) {
  EXPECT_EQ(ParseOk("set " + std::string(250, 'k') + " 0 0 1\r\n").key.size(), 250u);
}

TEST_F(TextParserTest, KeyOf251BytesSwallowsTheDataBlock) {
  ExpectError("set " + std::string(251, 'k') + " 0 0 1\r\n", kFormat, 3);
  ExpectError("set " + std::string(251, 'k') + " 0 0 10 noreply\r\n", kFormat, 12, true);
}

TEST_F(TextParserTest, KeyOf251BytesWithInvalidBytesSwallowsNothing) {
  ExpectError("set " + std::string(251, 'k') + " 0 0 -1\r\n", kFormat, 0);
}

TEST_F(TextParserTest, ControlBytesAreKeyBytes) {
  EXPECT_EQ(ParseOk("set k\x01\x7f\xff 0 0 1\r\n").key, "k\x01\x7f\xff");
}

TEST_F(TextParserTest, InvalidFlagsSwallowTheDataBlock) {
  ExpectError("set k -1 0 1\r\n", kFormat, 3);
  ExpectError("set k 18446744073709551616 0 1\r\n", kFormat, 3);
  ExpectError("set k 5x 0 1\r\n", kFormat, 3);
  ExpectError("set k x 0 1 noreply\r\n", kFormat, 3, true);
  ExpectError("set k - 0 1\r\n", kFormat, 3);
  ExpectError("set k + 0 1\r\n", kFormat, 3);
}

TEST_F(TextParserTest, FlagsFollowLibcStrtoulThenTruncateTo32Bits) {
  EXPECT_EQ(Flags("4294967295"), 4294967295u);
  EXPECT_EQ(Flags("4294967296"), 0u);
  EXPECT_EQ(Flags("4294967297"), 1u);
  EXPECT_EQ(Flags("18446744073709551615"), 4294967295u);
  EXPECT_EQ(Flags("-0"), 0u);
  EXPECT_EQ(Flags("+5"), 5u);
  EXPECT_EQ(Flags("007"), 7u);
  EXPECT_EQ(Flags("-9223372036854775809"), 4294967295u);
  EXPECT_EQ(Flags("-18446744073709551615"), 1u);
  EXPECT_EQ(Flags("0\t"), 0u);
  EXPECT_EQ(Flags("\t0"), 0u);
  EXPECT_EQ(Flags("0\v"), 0u);
}

TEST_F(TextParserTest, InvalidExptimeSwallowsTheDataBlock) {
  ExpectError("set k 0 x 1\r\n", kFormat, 3);
  ExpectError("set k 0 9223372036854775808 1\r\n", kFormat, 3);
  ExpectError("set k 0 1.5 1\r\n", kFormat, 3);
}

TEST_F(TextParserTest, ExptimeFollowsLibcStrtolThenTruncatesTo32Bits) {
  EXPECT_EQ(Exptime("+0"), 0);
  EXPECT_EQ(Exptime("-0"), 0);
  EXPECT_EQ(Exptime("-1"), -1);
  EXPECT_EQ(Exptime("2147483647"), 2147483647);
  EXPECT_EQ(Exptime("2147483648"), std::numeric_limits<int32_t>::min());  // 1.6.18: expired
  EXPECT_EQ(Exptime("4294967296"), 0);                                    // never expires
  EXPECT_EQ(Exptime("-4294967296"), 0);
  EXPECT_EQ(Exptime("-2147483649"), 2147483647);
  EXPECT_EQ(Exptime("9223372036854775807"), -1);
}

TEST_F(TextParserTest, InvalidCasSwallowsTheDataBlock) {
  ExpectError("cas k 0 0 1 x\r\n", kFormat, 3);
  ExpectError("cas k 0 0 1 -1\r\n", kFormat, 3);
  ExpectError("cas k 0 0 1 18446744073709551616\r\n", kFormat, 3);
  ExpectError("cas k 0 0 1 noreply\r\n", kFormat, 3, true);  // "noreply" taken as the cas
}

TEST_F(TextParserTest, CasFollowsLibcStrtoull) {
  EXPECT_EQ(ParseOk("cas k 0 0 1 +1\r\n").cas_unique, 1u);
  EXPECT_EQ(ParseOk("cas k 0 0 1 -0\r\n").cas_unique, 0u);
  EXPECT_EQ(ParseOk("cas k 0 0 1 -18446744073709551615\r\n").cas_unique, 1u);
}

TEST_F(TextParserTest, StorageErrorNamesTheCommand) {
  const ParseResult r = ExpectErrorResult("append k x 0 1\r\n", kFormat, 3);
  EXPECT_TRUE(r.known_command);
  EXPECT_EQ(r.request.command, TextCommand::kAppend);
}

}  // namespace
}  // namespace slabd::proto
