// Client-side reply reader: every reply shape, need-more inside a VALUE block, malformed VALUE
// blocks, and round trips through the writer.
#include "proto/text_response_parser.h"

#include <string>

#include <gtest/gtest.h>

#include "proto/text_writer.h"

namespace slabd::proto {
namespace {

class TextResponseParserTest : public ::testing::Test {
 protected:
  // Parses one complete reply unit that spans the whole input.
  TextResponse ParseOne(std::string_view input) {
    const ResponseParseResult result = ParseTextResponse(input);
    EXPECT_EQ(result.status, ResponseStatus::kOk);
    EXPECT_EQ(result.consumed, input.size());
    return result.response;
  }
};

TEST_F(TextResponseParserTest, FixedReplies) {
  EXPECT_EQ(ParseOne(kStored).kind, TextResponseKind::kStored);
  EXPECT_EQ(ParseOne(kNotStored).kind, TextResponseKind::kNotStored);
  EXPECT_EQ(ParseOne(kExists).kind, TextResponseKind::kExists);
  EXPECT_EQ(ParseOne(kNotFound).kind, TextResponseKind::kNotFound);
  EXPECT_EQ(ParseOne(kDeleted).kind, TextResponseKind::kDeleted);
  EXPECT_EQ(ParseOne(kTouched).kind, TextResponseKind::kTouched);
  EXPECT_EQ(ParseOne(kOk).kind, TextResponseKind::kOk);
  EXPECT_EQ(ParseOne(kEnd).kind, TextResponseKind::kEnd);
  EXPECT_EQ(ParseOne(kReset).kind, TextResponseKind::kReset);
}

TEST_F(TextResponseParserTest, ValueWithoutCas) {
  const TextResponse r = ParseOne("VALUE foo 5 3\r\nbar\r\n");
  EXPECT_EQ(r.kind, TextResponseKind::kValue);
  EXPECT_EQ(r.key, "foo");
  EXPECT_EQ(r.flags, 5u);
  EXPECT_EQ(r.value_len, 3u);
  EXPECT_FALSE(r.has_cas);
  EXPECT_EQ(r.data, "bar");
}

TEST_F(TextResponseParserTest, ValueWithCasAndBinaryData) {
  const std::string input("VALUE k 0 4 99\r\n\r\n\0x\r\n", 22);
  const TextResponse r = ParseOne(input);
  EXPECT_TRUE(r.has_cas);
  EXPECT_EQ(r.cas, 99u);
  EXPECT_EQ(r.data, std::string_view("\r\n\0x", 4));
}

TEST_F(TextResponseParserTest, ValueNeedsItsWholeDataBlock) {
  const std::string full = "VALUE foo 0 3\r\nbar\r\nEND\r\n";
  for (size_t cut = 0; cut < 20; ++cut) {
    EXPECT_EQ(ParseTextResponse(std::string_view(full).substr(0, cut)).status,
              ResponseStatus::kNeedMore)
        << cut;
  }
  const ResponseParseResult value = ParseTextResponse(full);
  ASSERT_EQ(value.status, ResponseStatus::kOk);
  EXPECT_EQ(value.consumed, 20u);
  EXPECT_EQ(ParseTextResponse(std::string_view(full).substr(20)).response.kind,
            TextResponseKind::kEnd);
}

TEST_F(TextResponseParserTest, MalformedValue) {
  EXPECT_EQ(ParseTextResponse("VALUE foo 0 3\r\nbarXY").status, ResponseStatus::kMalformed);
  EXPECT_EQ(ParseTextResponse("VALUE foo x 3\r\n").status, ResponseStatus::kMalformed);
  EXPECT_EQ(ParseTextResponse("VALUE foo 0\r\n").status, ResponseStatus::kMalformed);
  EXPECT_EQ(ParseTextResponse("VALUE foo 0 1 2 3\r\n").status, ResponseStatus::kMalformed);
  EXPECT_EQ(ParseTextResponse("VALUE foo 0 -1\r\n").status, ResponseStatus::kMalformed);
}

TEST_F(TextResponseParserTest, NumbersStatsVersion) {
  EXPECT_EQ(ParseOne("18446744073709551615\r\n").number, 18446744073709551615u);
  const TextResponse stat = ParseOne("STAT rusage_user 0.103463\r\n");
  EXPECT_EQ(stat.kind, TextResponseKind::kStat);
  EXPECT_EQ(stat.name, "rusage_user");
  EXPECT_EQ(stat.text, "0.103463");
  const TextResponse version = ParseOne("VERSION 1.6.18\r\n");
  EXPECT_EQ(version.kind, TextResponseKind::kVersion);
  EXPECT_EQ(version.text, "1.6.18");
}

TEST_F(TextResponseParserTest, Errors) {
  EXPECT_EQ(ParseOne("ERROR\r\n").kind, TextResponseKind::kError);
  const TextResponse shutdown = ParseOne(kErrorShutdownNotEnabled);
  EXPECT_EQ(shutdown.kind, TextResponseKind::kError);
  EXPECT_EQ(shutdown.text, ": shutdown not enabled");
  const TextResponse client = ParseOne(kClientErrorBadDataChunk);
  EXPECT_EQ(client.kind, TextResponseKind::kClientError);
  EXPECT_EQ(client.text, "bad data chunk");
  const TextResponse server = ParseOne(kServerErrorOutOfMemory);
  EXPECT_EQ(server.kind, TextResponseKind::kServerError);
  EXPECT_EQ(server.text, "out of memory");
}

TEST_F(TextResponseParserTest, OtherLinesAndBareNewline) {
  const TextResponse mn = ParseOne("MN\r\n");
  EXPECT_EQ(mn.kind, TextResponseKind::kOther);
  EXPECT_EQ(mn.line, "MN");
  EXPECT_EQ(ParseOne("key=a exp=-1\n").line, "key=a exp=-1");
  EXPECT_EQ(ParseTextResponse("STORED").status, ResponseStatus::kNeedMore);
}

TEST_F(TextResponseParserTest, RoundTripThroughTheWriter) {
  std::string out;
  AppendValueHeaderCas(out, "key", 7, 2, 12345);
  out.append("hi\r\n");
  AppendEnd(out);
  const ResponseParseResult value = ParseTextResponse(out);
  ASSERT_EQ(value.status, ResponseStatus::kOk);
  EXPECT_EQ(value.response.key, "key");
  EXPECT_EQ(value.response.flags, 7u);
  EXPECT_EQ(value.response.cas, 12345u);
  EXPECT_EQ(value.response.data, "hi");
  EXPECT_EQ(ParseTextResponse(std::string_view(out).substr(value.consumed)).response.kind,
            TextResponseKind::kEnd);
}

}  // namespace
}  // namespace slabd::proto
