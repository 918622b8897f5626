// ComposeTextRequest: exact bytes, and round trips compose -> parse -> same request for every
// command shape.
#include "proto/text_request_composer.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "proto/text_parser.h"
#include "t/unit/proto/text_parser_test_util.h"

namespace slabd::proto {
namespace {

class TextRequestComposerTest : public ::testing::Test {
 protected:
  static TextRequest Request(TextCommand command) {
    TextRequest request;
    request.command = command;
    return request;
  }

  // Composes, parses back, and expects the same request with the line fully consumed.
  void ExpectRoundTrip(const TextRequest& request, std::string_view value = {}) {
    const std::string bytes = ComposeTextRequest(request, value);
    SCOPED_TRACE(bytes);
    const ParseResult parsed = ParseTextCommand(bytes);
    ASSERT_EQ(parsed.status, ParseStatus::kOk) << parsed.error;
    const size_t data_block = IsStorageCommand(request.command) ? value.size() + 2 : 0;
    EXPECT_EQ(parsed.consumed + data_block, bytes.size());
    testing::ExpectSameRequest(parsed.request, request,
                               request.command != TextCommand::kCacheMemlimit);
  }
};

TEST_F(TextRequestComposerTest, StorageBytesAreExact) {
  TextRequest set = Request(TextCommand::kSet);
  set.key = "foo";
  set.flags = 5;
  set.exptime = -1;
  set.value_len = 3;
  set.noreply = true;
  EXPECT_EQ(ComposeTextRequest(set, "bar"), "set foo 5 -1 3 noreply\r\nbar\r\n");
  TextRequest cas = Request(TextCommand::kCas);
  cas.key = "k";
  cas.value_len = 1;
  cas.cas_unique = 77;
  EXPECT_EQ(ComposeTextRequest(cas, "x"), "cas k 0 0 1 77\r\nx\r\n");
}

TEST_F(TextRequestComposerTest, RetrievalBytesAreExact) {
  TextRequest get = Request(TextCommand::kGet);
  get.keys = KeyList("a b");
  EXPECT_EQ(ComposeTextRequest(get), "get a b\r\n");
  TextRequest gats = Request(TextCommand::kGats);
  gats.exptime = 10;
  gats.keys = KeyList("a");
  EXPECT_EQ(ComposeTextRequest(gats), "gats 10 a\r\n");
}

TEST_F(TextRequestComposerTest, RoundTripRetrieval) {
  const std::string keys = "a bb " + std::string(250, 'c');  // outlives the KeyList
  for (TextCommand command : {TextCommand::kGet, TextCommand::kGets}) {
    TextRequest request = Request(command);
    request.keys = KeyList(keys);
    ExpectRoundTrip(request);
  }
  for (TextCommand command : {TextCommand::kGat, TextCommand::kGats}) {
    TextRequest request = Request(command);
    request.exptime = -5;
    request.keys = KeyList("k1 k2");
    ExpectRoundTrip(request);
  }
}

TEST_F(TextRequestComposerTest, RoundTripStorage) {
  for (TextCommand command : {TextCommand::kSet, TextCommand::kAdd, TextCommand::kReplace,
                              TextCommand::kAppend, TextCommand::kPrepend, TextCommand::kCas}) {
    for (bool noreply : {false, true}) {
      TextRequest request = Request(command);
      request.key = "key\x01";
      request.flags = 4294967295u;
      request.exptime = 2592000;
      request.value_len = 5;
      request.cas_unique = command == TextCommand::kCas ? 18446744073709551615u : 0;
      request.noreply = noreply;
      ExpectRoundTrip(request, "hello");
    }
  }
}

TEST_F(TextRequestComposerTest, RoundTripKeyedCommands) {
  TextRequest incr = Request(TextCommand::kIncr);
  incr.key = "n";
  incr.delta = 18446744073709551615u;
  ExpectRoundTrip(incr);
  TextRequest decr = Request(TextCommand::kDecr);
  decr.key = "n";
  decr.delta = 1;
  decr.noreply = true;
  ExpectRoundTrip(decr);
  TextRequest touch = Request(TextCommand::kTouch);
  touch.key = "t";
  touch.exptime = 100;
  ExpectRoundTrip(touch);
  TextRequest del = Request(TextCommand::kDelete);
  del.key = "d";
  ExpectRoundTrip(del);
  del.noreply = true;
  ExpectRoundTrip(del);
}

TEST_F(TextRequestComposerTest, RoundTripServerCommands) {
  ExpectRoundTrip(Request(TextCommand::kFlushAll));
  TextRequest flush = Request(TextCommand::kFlushAll);
  flush.has_exptime = true;
  flush.exptime = 30;
  flush.noreply = true;
  ExpectRoundTrip(flush);
  ExpectRoundTrip(Request(TextCommand::kVersion));
  ExpectRoundTrip(Request(TextCommand::kQuit));
  TextRequest verbosity = Request(TextCommand::kVerbosity);
  verbosity.level = 2;
  ExpectRoundTrip(verbosity);
  TextRequest memlimit = Request(TextCommand::kCacheMemlimit);
  memlimit.memlimit_mb = 1024;
  memlimit.noreply = true;
  ExpectRoundTrip(memlimit);
}

TEST_F(TextRequestComposerTest, RoundTripArgumentCommands) {
  for (TextCommand command : {TextCommand::kStats, TextCommand::kShutdown, TextCommand::kSlabs,
                              TextCommand::kLru, TextCommand::kLruCrawler, TextCommand::kWatch,
                              TextCommand::kRefreshCerts, TextCommand::kExtstore}) {
    TextRequest request = Request(command);
    request.args = "one two";
    ExpectRoundTrip(request);
  }
  ExpectRoundTrip(Request(TextCommand::kStats));
}

TEST_F(TextRequestComposerTest, MetaLineIsSentVerbatim) {
  TextRequest meta = Request(TextCommand::kMeta);
  meta.line = "mg foo v t";
  EXPECT_EQ(ComposeTextRequest(meta), "mg foo v t\r\n");
  const std::string bytes = ComposeTextRequest(meta);
  EXPECT_EQ(ParseTextCommand(bytes).request.line, "mg foo v t");
}

TEST_F(TextRequestComposerTest, ParsedRequestsRecomposeToEqualRequests) {
  for (const char* line :
       {"set  k 007 +5 3 noreply\r\n", "get a  b\r\n", "delete k 0 noreply\r\n",
        "incr n +1\r\n", "flush_all 10\r\n", "stats  detail   dump\r\n", "gat +1 x\r\n"}) {
    SCOPED_TRACE(line);
    const ParseResult first = ParseTextCommand(line);
    ASSERT_EQ(first.status, ParseStatus::kOk);
    ExpectRoundTrip(first.request, IsStorageCommand(first.request.command) ? "abc" : "");
  }
}

}  // namespace
}  // namespace slabd::proto
