// ParseTextCommand framing and dispatch: line terminators, need-more, pipelining, the 2048-byte
// rule, unknown commands, HTTP detection, tokenizer rules. Expected outcomes are what the
// memcached 1.6.18 binary does with the same bytes (checked over a socket).
#include <string>

#include <gtest/gtest.h>

#include "proto/text_parser.h"
#include "t/unit/proto/text_parser_test_util.h"

namespace slabd::proto {
namespace {

using testing::KeysOf;
using TextParserTest = testing::TextCodecTest;
using Keys = std::vector<std::string>;

constexpr std::string_view kErr = "ERROR";

TEST_F(TextParserTest, EmptyInputNeedsMore) {
  EXPECT_EQ(StatusOf(""), ParseStatus::kNeedMore);
}

TEST_F(TextParserTest, LineWithoutNewlineNeedsMore) {
  EXPECT_EQ(StatusOf("get a"), ParseStatus::kNeedMore);
  EXPECT_EQ(StatusOf("get a\r"), ParseStatus::kNeedMore);
  EXPECT_EQ(StatusOf("set a 0 0 1"), ParseStatus::kNeedMore);
}

TEST_F(TextParserTest, NeedMoreConsumesNothing) {
  EXPECT_EQ(Parse("version").consumed, 0u);
}

TEST_F(TextParserTest, BareNewlineTerminatesLine) {
  const TextRequest request = ParseOk("get a\n");
  EXPECT_EQ(request.command, TextCommand::kGet);
  EXPECT_EQ(KeysOf(request.keys), Keys{"a"});
}

TEST_F(TextParserTest, CrLfTerminatorIsStripped) {
  const TextRequest request = ParseOk("get a\r\n");
  EXPECT_EQ(KeysOf(request.keys), Keys{"a"});
  EXPECT_EQ(request.line, "get a");
}

TEST_F(TextParserTest, OnlyOneCrIsStrippedAndOthersBelongToTheKey) {
  EXPECT_EQ(KeysOf(ParseOk("get a\r\r\n").keys), Keys{"a\r"});
}

TEST_F(TextParserTest, EmptyLinesAnswerError) {
  ExpectError("\r\n", kErr);
  ExpectError("\n", kErr);
  ExpectError("   \r\n", kErr);
}

TEST_F(TextParserTest, LinesShorterThanFourBytesAnswerError) {
  ExpectError("x\r\n", kErr);
  ExpectError("x\n", kErr);
  ExpectError("ab\r\n", kErr);
  ExpectError("x HTTP/1.1\r\n", kErr);  // one-letter names never reach the HTTP test
}

TEST_F(TextParserTest, ShortMetaNoopIsStillACommand) {
  // 1.6.18 answers "mn\n" with MN (1.6.45 would say CLIENT_ERROR).
  const TextRequest request = ParseOk("mn\n");
  EXPECT_EQ(request.command, TextCommand::kMeta);
  EXPECT_EQ(request.line, "mn");
}

TEST_F(TextParserTest, LeadingSpacesBeforeTheCommandAreAccepted) {
  EXPECT_EQ(KeysOf(ParseOk("  get a\r\n").keys), Keys{"a"});
  EXPECT_EQ(ParseOk("   version\r\n").command, TextCommand::kVersion);
}

TEST_F(TextParserTest, CommandNamesAreCaseSensitive) {
  ExpectError("GET a\r\n", kErr);
  ExpectError("Version\r\n", kErr);
  ExpectError("versionx\r\n", kErr);
}

TEST_F(TextParserTest, UnknownCommandIsErrorEvenWithNoreply) {
  const ParseResult result = ExpectErrorResult("bogus noreply\r\n", kErr);
  EXPECT_FALSE(result.known_command);
}

TEST_F(TextParserTest, DebugOnlyCommandsAreUnknown) {
  ExpectError("misbehave\r\n", kErr);
  ExpectError("debugtime 1\r\n", kErr);
  ExpectError("debugitem x\r\n", kErr);
}

TEST_F(TextParserTest, HttpRequestLineClosesTheConnection) {
  EXPECT_EQ(StatusOf("GET / HTTP/1.1\r\n"), ParseStatus::kClose);
  EXPECT_EQ(StatusOf("HTTP/1.1\r\n"), ParseStatus::kClose);
  EXPECT_EQ(StatusOf("foo HTTP/1.0\r\n"), ParseStatus::kClose);
  EXPECT_EQ(StatusOf("xy HTTP/\r\n"), ParseStatus::kClose);
  EXPECT_EQ(StatusOf("misbehave HTTP/1.1\r\n"), ParseStatus::kClose);
}

TEST_F(TextParserTest, HttpMustBeTheLastTokenAndUppercase) {
  ExpectError("foo HTTP/1.0 x\r\n", kErr);
  ExpectError("xy http/1.1\r\n", kErr);
}

TEST_F(TextParserTest, HttpIsIgnoredForNamesWith1618DispatchBranches) {
  // 1.6.18 dispatches on the first letter a c d g i s t (and m + one letter) and answers ERROR
  // inside those branches without looking for HTTP/.
  for (const char* line : {"axx HTTP/1.1\r\n", "cxx HTTP/1.1\r\n", "dxx HTTP/1.1\r\n",
                           "gxx / HTTP/1.1\r\n", "ixx HTTP/1.1\r\n", "sxx HTTP/1.1\r\n",
                           "txx HTTP/1.1\r\n", "mx HTTP/1.1\r\n"}) {
    SCOPED_TRACE(line);
    ExpectError(line, kErr);
  }
  for (const char* line : {"bxx HTTP/1.1\r\n", "mxx HTTP/1.1\r\n", "MG HTTP/1.1\r\n",
                           "rxx HTTP/1.1\r\n", "pxx HTTP/1.1\r\n", "zxx HTTP/1.1\r\n"}) {
    SCOPED_TRACE(line);
    EXPECT_EQ(StatusOf(line), ParseStatus::kClose);
  }
}

TEST_F(TextParserTest, KnownCommandsAreNeverHttpClosed) {
  EXPECT_EQ(KeysOf(ParseOk("get / HTTP/1.1\r\n").keys), (Keys{"/", "HTTP/1.1"}));
  EXPECT_EQ(ParseOk("version HTTP/1.1\r\n").command, TextCommand::kVersion);
  EXPECT_EQ(ParseOk("extstore HTTP/1.1\r\n").command, TextCommand::kExtstore);
  EXPECT_EQ(ParseOk("lru_crawler HTTP/1.1\r\n").command, TextCommand::kLruCrawler);
  EXPECT_EQ(ParseOk("lru HTTP/1.1\r\n").args, "HTTP/1.1");
}

std::string WordsLine(std::string_view first, int count_after_first, std::string_view tail) {
  std::string line(first);
  for (int i = 2; i < 2 + count_after_first; ++i) line += " t" + std::to_string(i);
  line += tail;
  return line + "\r\n";
}

TEST_F(TextParserTest, HttpTestLooksAtTheTwentyThirdTokenOfLongLines) {
  // foo t2..t22 HTTP/1.1 t25: HTTP/1.1 is token 23 and the last one 1.6.18 keeps.
  EXPECT_EQ(StatusOf(WordsLine("foo", 21, " HTTP/1.1 t25")), ParseStatus::kClose);
  ExpectError(WordsLine("foo", 22, " HTTP/1.1"), kErr);
}

TEST_F(TextParserTest, NulByteEndsTheLine) {
  const TextRequest get = ParseOk(std::string("get a\0b k\r\n", 11));
  EXPECT_EQ(KeysOf(get.keys), Keys{"a"});
  EXPECT_EQ(ParseOk(std::string("version\0\r\n", 10)).command, TextCommand::kVersion);
  ExpectError(std::string("ver\0sion\r\n", 10), kErr);
  ExpectError(std::string("\0version\r\n", 10), kErr);
  ExpectError(std::string("get\0 k\r\n", 8), kErr);
  ExpectError(std::string("set k\0z 0 0 1\r\n", 15), kErr);
}

TEST_F(TextParserTest, TabIsNotATokenSeparator) {
  EXPECT_EQ(KeysOf(ParseOk("get a\tb\r\n").keys), Keys{"a\tb"});
  ExpectError("set a\t0 0 1\r\n", kErr);
  ExpectError("incr n\t1\r\n", kErr);
}

TEST_F(TextParserTest, RunsOfSpacesAreCollapsed) {
  const TextRequest request = ParseOk("set  k  0  0  1 \r\n");
  EXPECT_EQ(request.key, "k");
  EXPECT_EQ(request.value_len, 1u);
  EXPECT_EQ(KeysOf(ParseOk("get k  k   k \r\n").keys), (Keys{"k", "k", "k"}));
}

TEST_F(TextParserTest, PipelinedCommandsReportConsumedOffsets) {
  const std::string buffer = "get a\r\nset b 0 0 2\r\nhi\r\ndelete b\nversion\r\nget";
  std::string_view rest = buffer;
  ParseResult r = ParseTextCommand(rest);
  ASSERT_EQ(r.status, ParseStatus::kOk);
  EXPECT_EQ(r.consumed, 7u);
  rest.remove_prefix(r.consumed);
  r = ParseTextCommand(rest);
  ASSERT_EQ(r.status, ParseStatus::kOk);
  EXPECT_EQ(r.request.command, TextCommand::kSet);
  EXPECT_EQ(r.consumed, 13u);  // the line only; the caller reads value_len + 2 bytes
  rest.remove_prefix(r.consumed + r.request.value_len + 2);
  r = ParseTextCommand(rest);
  ASSERT_EQ(r.status, ParseStatus::kOk);
  EXPECT_EQ(r.request.command, TextCommand::kDelete);
  EXPECT_EQ(r.consumed, 9u);
  rest.remove_prefix(r.consumed);
  r = ParseTextCommand(rest);
  ASSERT_EQ(r.status, ParseStatus::kOk);
  EXPECT_EQ(r.request.command, TextCommand::kVersion);
  rest.remove_prefix(r.consumed);
  EXPECT_EQ(ParseTextCommand(rest).status, ParseStatus::kNeedMore);
  EXPECT_EQ(rest, "get");
}

TEST_F(TextParserTest, ErrorLineIsConsumedSoParsingContinues) {
  const std::string buffer = "bogus\r\nversion\r\n";
  const ParseResult first = ParseTextCommand(buffer);
  ASSERT_EQ(first.status, ParseStatus::kError);
  EXPECT_EQ(first.consumed, 7u);
  const ParseResult second = ParseTextCommand(std::string_view(buffer).substr(first.consumed));
  EXPECT_EQ(second.request.command, TextCommand::kVersion);
}

TEST_F(TextParserTest, LongLineWithoutNewlineClosesTheConnection) {
  EXPECT_EQ(StatusOf(std::string(2048, 'a')), ParseStatus::kNeedMore);
  EXPECT_EQ(StatusOf(std::string(2049, 'a')), ParseStatus::kClose);
  EXPECT_EQ(StatusOf("set " + std::string(3000, 'a')), ParseStatus::kClose);
  EXPECT_EQ(StatusOf("gat " + std::string(3000, 'a')), ParseStatus::kClose);
  EXPECT_EQ(StatusOf("getx" + std::string(3000, 'a')), ParseStatus::kClose);
  EXPECT_EQ(StatusOf(std::string(3000, ' ')), ParseStatus::kClose);
}

TEST_F(TextParserTest, LongGetLineWithoutNewlineKeepsWaiting) {
  EXPECT_EQ(StatusOf("get " + std::string(3000, 'a')), ParseStatus::kNeedMore);
  EXPECT_EQ(StatusOf("gets " + std::string(3000, 'a')), ParseStatus::kNeedMore);
  EXPECT_EQ(StatusOf("get" + std::string(3000, ' ')), ParseStatus::kNeedMore);
  EXPECT_EQ(StatusOf(std::string(100, ' ') + "get " + std::string(3000, 'a')),
            ParseStatus::kNeedMore);
  EXPECT_EQ(StatusOf(std::string(101, ' ') + "get " + std::string(3000, 'a')),
            ParseStatus::kClose);
}

TEST_F(TextParserTest, LongLinesWithNewlineParseNormally) {
  EXPECT_EQ(ParseOk("version " + std::string(3000, 'a') + "\r\n").command, TextCommand::kVersion);
  EXPECT_EQ(ParseOk("set k 0 0 1 " + std::string(3000, ' ') + "\r\n").value_len, 1u);
}

// Every line below is fed one byte at a time: each prefix without '\n' must need more and the
// first complete line must give exactly the result of parsing the whole input at once.
class TextParserByteByByteTest : public ::testing::TestWithParam<std::string> {};

TEST_P(TextParserByteByByteTest, GivesTheSameResultAsOneRead) {
  const std::string& input = GetParam();
  const ParseResult whole = ParseTextCommand(input);
  const size_t newline = input.find('\n');
  ASSERT_NE(newline, std::string::npos);
  for (size_t length = 0; length <= input.size(); ++length) {
    const std::string_view prefix = std::string_view(input).substr(0, length);
    const ParseResult partial = ParseTextCommand(prefix);
    if (length <= newline) {
      ASSERT_EQ(partial.status, ParseStatus::kNeedMore) << "prefix length " << length;
    } else {
      testing::ExpectSameResult(partial, whole);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    AllCommandShapes, TextParserByteByByteTest,
    ::testing::Values(
        "get a\r\n", "get a b c\n", "gets a\r\n", "gat 10 a b\r\n", "gats -1 a\r\n",
        "set k 1 2 3\r\nabc\r\n", "set k 1 2 3 noreply\r\nabc\r\n", "add k 0 0 0\r\n\r\n",
        "replace k 0 0 1\r\n", "append k 0 0 1\r\n", "prepend k 0 0 1\r\n",
        "cas k 0 0 1 99 noreply\r\n", "incr k 5\r\n", "decr k 5 noreply\r\n", "touch k 10\r\n",
        "delete k\r\n", "delete k 0 noreply\r\n", "flush_all\r\n", "flush_all 10 noreply\r\n",
        "version\r\n", "verbosity 1\r\n", "quit\r\n", "stats\r\n", "stats items\r\n",
        "shutdown graceful\r\n", "cache_memlimit 100\r\n", "mg foo v\r\n", "mn\r\n",
        "\r\n", "\n", "bogus\r\n", "GET / HTTP/1.1\r\n", "set k x 0 1\r\n",
        "set k 0 0 -1\r\n", "cas k 0 0 1 x noreply\r\n", "incr k -1\r\n", "touch k x\r\n",
        "delete k 5\r\n", "flush_all x\r\n", "verbosity x\r\n", "gat x k\r\n",
        "set " + std::string(251, 'k') + " 0 0 1\r\n", "get " + std::string(251, 'k') + "\r\n",
        std::string("get a\0b\r\n", 9)));

}  // namespace
}  // namespace slabd::proto
