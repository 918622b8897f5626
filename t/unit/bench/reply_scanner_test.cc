// ReplyScanner and MatchReply: every reply of each protocol, whole and split at every byte
// boundary, byte by byte, and malformed input.
#include "src/bench/reply_scanner.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "src/bench/reply_match.h"

namespace slabd::bench {
namespace {

using K = ReplyKind;

struct Scanned {
  std::vector<ReplyKind> replies;
  bool malformed = false;
  size_t carried = 0;  // bytes handed back at the end (an incomplete header)
};

// Feeds `chunks` to a scanner the way Connection::Read does: bytes the scanner hands back
// are presented again in front of the next chunk. `batch` limits replies per Scan call.
Scanned Feed(Protocol protocol, const std::vector<std::string>& chunks, size_t batch = 64) {
  ReplyScanner scanner(protocol);
  Scanned out;
  std::string carry;
  for (const std::string& chunk : chunks) {
    const std::string in = carry + chunk;
    size_t pos = 0;
    std::vector<ReplyKind> events(batch);
    for (;;) {
      const ScanResult r = scanner.Scan(std::string_view(in).substr(pos), events);
      out.replies.insert(out.replies.end(), events.begin(), events.begin() + r.events);
      pos += r.consumed;
      if (r.malformed) {
        out.malformed = true;
        return out;
      }
      if (r.events < batch) break;
    }
    carry = in.substr(pos);
  }
  out.carried = carry.size();
  return out;
}

Scanned Whole(Protocol protocol, const std::string& bytes) { return Feed(protocol, {bytes}); }

// Every split into two reads, and one byte per read, must give the same replies.
void ExpectSameWhenSplit(Protocol protocol, const std::string& bytes,
                         const std::vector<ReplyKind>& expected) {
  EXPECT_EQ(Whole(protocol, bytes).replies, expected);
  for (size_t cut = 0; cut <= bytes.size(); ++cut) {
    const Scanned s = Feed(protocol, {bytes.substr(0, cut), bytes.substr(cut)});
    ASSERT_FALSE(s.malformed) << "cut " << cut;
    ASSERT_EQ(s.replies, expected) << "cut " << cut;
    ASSERT_EQ(s.carried, 0u) << "cut " << cut;
  }
  std::vector<std::string> bytewise;
  for (char c : bytes) bytewise.emplace_back(1, c);
  EXPECT_EQ(Feed(protocol, bytewise).replies, expected);
  EXPECT_EQ(Feed(protocol, {bytes}, 1).replies, expected);  // one reply per Scan call
}

std::string Binary(uint8_t opcode, uint16_t status, uint8_t extras, std::string key,
                   std::string value) {
  std::string h(24, '\0');
  const uint32_t body = static_cast<uint32_t>(extras + key.size() + value.size());
  h[0] = static_cast<char>(0x81);
  h[1] = static_cast<char>(opcode);
  h[2] = static_cast<char>(key.size() >> 8);
  h[3] = static_cast<char>(key.size());
  h[4] = static_cast<char>(extras);
  h[6] = static_cast<char>(status >> 8);
  h[7] = static_cast<char>(status);
  h[8] = static_cast<char>(body >> 24);
  h[9] = static_cast<char>(body >> 16);
  h[10] = static_cast<char>(body >> 8);
  h[11] = static_cast<char>(body);
  return h + std::string(extras, '\0') + key + value;
}

TEST(ReplyScannerTest, TextEveryReplyAtEveryByteBoundary) {
  const std::string bytes =
      "VALUE key:0000000001 0 5\r\nhello\r\n"
      "VALUE k 4294967295 0 12345\r\n\r\n"  // empty value with a CAS
      "VALUE k 1 12\r\nEND\r\nEND\r\nXX\r\n"  // a value that looks like replies
      "END\r\nSTORED\r\nNOT_STORED\r\nEXISTS\r\nNOT_FOUND\r\n"
      "ERROR\r\nCLIENT_ERROR bad data chunk\r\nSERVER_ERROR out of memory storing object\r\n";
  ExpectSameWhenSplit(Protocol::kText, bytes,
                      {K::kValue, K::kValue, K::kValue, K::kEnd, K::kStored, K::kNotStored,
                       K::kExists, K::kNotFound, K::kError, K::kError, K::kError});
}

TEST(ReplyScannerTest, MetaEveryReplyAtEveryByteBoundary) {
  const std::string bytes =
      "VA 5\r\nhello\r\n"
      "VA 3 kkey:0000000001 f0\r\nabc\r\n"
      "VA 0\r\n\r\n"
      "EN\r\nHD\r\nHD c123\r\nNS\r\nEX\r\nNF\r\nMN\r\n"
      "ERROR\r\nCLIENT_ERROR bad command line format\r\nSERVER_ERROR out of memory\r\n";
  ExpectSameWhenSplit(Protocol::kMeta, bytes,
                      {K::kValue, K::kValue, K::kValue, K::kMiss, K::kStored, K::kStored,
                       K::kNotStored, K::kExists, K::kNotFound, K::kEnd, K::kError, K::kError,
                       K::kError});
}

TEST(ReplyScannerTest, BinaryEveryReplyAtEveryByteBoundary) {
  const std::string bytes = Binary(0x00, 0, 4, "", "hello") +       // GET hit (flags)
                            Binary(0x00, 1, 0, "", "Not found") +   // GET miss
                            Binary(0x0d, 0, 4, "key:1", "v") +      // GETKQ hit
                            Binary(0x0a, 0, 0, "", "") +            // NOOP
                            Binary(0x01, 0, 0, "", "") +            // SET ok
                            Binary(0x01, 2, 0, "", "Data exists for key.") +
                            Binary(0x01, 5, 0, "", "Not stored.") +
                            Binary(0x03, 1, 0, "", "Not found") +   // REPLACE miss
                            Binary(0x01, 0x82, 0, "", "Out of memory") +
                            Binary(0x00, 0x81, 0, "", "Unknown command") +
                            Binary(0x1c, 0, 0, "", "");             // TOUCH: not ours
  ExpectSameWhenSplit(Protocol::kBinary, bytes,
                      {K::kValue, K::kMiss, K::kValue, K::kEnd, K::kStored, K::kExists,
                       K::kNotStored, K::kNotFound, K::kError, K::kError, K::kError});
}

TEST(ReplyScannerTest, LargeValueIsSkippedAcrossReads) {
  const std::string value(100000, 'v');
  const std::string bytes = "VALUE k 0 100000\r\n" + value + "\r\nEND\r\n";
  std::vector<std::string> chunks;
  for (size_t i = 0; i < bytes.size(); i += 1000) chunks.push_back(bytes.substr(i, 1000));
  const Scanned s = Feed(Protocol::kText, chunks);
  EXPECT_EQ(s.replies, (std::vector<ReplyKind>{K::kValue, K::kEnd}));
  EXPECT_EQ(s.carried, 0u);
}

TEST(ReplyScannerTest, IncompleteHeaderIsHandedBack) {
  ReplyScanner scanner(Protocol::kText);
  ReplyKind events[4];
  ScanResult r = scanner.Scan("END\r\nVALUE k 0 1", events);
  EXPECT_EQ(r.events, 1u);
  EXPECT_EQ(r.consumed, 5u);
  EXPECT_FALSE(r.malformed);
  r = scanner.Scan("VALUE k 0 1\r\nx", events);  // header whole, data partly here
  EXPECT_EQ(r.events, 0u);
  EXPECT_EQ(r.consumed, 14u);
  EXPECT_TRUE(scanner.mid_reply());
  r = scanner.Scan("\r", events);
  EXPECT_EQ(r.events, 0u);
  EXPECT_EQ(r.consumed, 1u);
  r = scanner.Scan("\nEN", events);
  EXPECT_EQ(r.events, 1u);
  EXPECT_EQ(events[0], K::kValue);
  EXPECT_EQ(r.consumed, 1u);
  EXPECT_FALSE(scanner.mid_reply());

  ReplyScanner binary(Protocol::kBinary);
  r = binary.Scan(Binary(0x0a, 0, 0, "", "").substr(0, 23), events);
  EXPECT_EQ(r.events, 0u);
  EXPECT_EQ(r.consumed, 0u);
  EXPECT_FALSE(r.malformed);
}

TEST(ReplyScannerTest, MalformedTextReplies) {
  for (const char* bad : {"FOO\r\n", "END\n", "ENDX\r\n", "\r\n", "VALUE k 0 abc\r\n",
                          "VALUE k 0\r\n", "VALUE  0 1\r\n", "VALUE k 0 12345678901\r\n",
                          "VALUE k 0 2\r\nabXY", "STORED \r\n", "ERRORS\r\n", "VA 1\r\n",
                          "EN\r\n", "VALUE k 0 3x\r\n"}) {
    const Scanned s = Whole(Protocol::kText, bad);
    EXPECT_TRUE(s.malformed) << bad;
    EXPECT_TRUE(s.replies.empty()) << bad;
  }
  const Scanned before = Whole(Protocol::kText, "END\r\nSTORED\r\nBOGUS\r\nEND\r\n");
  EXPECT_TRUE(before.malformed);
  EXPECT_EQ(before.replies, (std::vector<ReplyKind>{K::kEnd, K::kStored}));
}

TEST(ReplyScannerTest, LineWithoutEndIsMalformedOnlyPastTheLimit) {
  const std::string almost(ReplyScanner::kMaxLine - 1, 'S');
  Scanned s = Whole(Protocol::kText, almost);
  EXPECT_FALSE(s.malformed);
  EXPECT_EQ(s.carried, almost.size());
  s = Whole(Protocol::kText, almost + "S");
  EXPECT_TRUE(s.malformed);
}

TEST(ReplyScannerTest, MalformedMetaReplies) {
  for (const char* bad : {"VA\r\n", "VA x\r\n", "VA 5x\r\n", "HDX\r\n", "ZZ\r\n", "E\r\n",
                          "VALUE k 0 1\r\nx\r\n", "END\r\n", "STORED\r\n", "VA 1\r\nxyz"}) {
    const Scanned s = Whole(Protocol::kMeta, bad);
    EXPECT_TRUE(s.malformed) << bad;
  }
}

TEST(ReplyScannerTest, MalformedBinaryReplies) {
  std::string request_magic = Binary(0x0a, 0, 0, "", "");
  request_magic[0] = static_cast<char>(0x80);
  EXPECT_TRUE(Whole(Protocol::kBinary, request_magic).malformed);
  std::string short_body = Binary(0x00, 0, 4, "key", "");
  short_body[11] = 2;  // body length 2 < extras 4 + key 3
  EXPECT_TRUE(Whole(Protocol::kBinary, short_body).malformed);
  std::string huge = Binary(0x00, 0, 0, "", "");
  huge[8] = 0x7f;  // ~2 GB body
  EXPECT_TRUE(Whole(Protocol::kBinary, huge).malformed);
  EXPECT_TRUE(Whole(Protocol::kBinary, "END\r\nEND\r\nEND\r\nEND\r\nEND\r\n").malformed);
}

TEST(ReplyMatchTest, TextGetsEndAtEndOrError) {
  for (RequestKind kind : {RequestKind::kGet, RequestKind::kMultiGet}) {
    EXPECT_EQ(MatchReply(Protocol::kText, kind, K::kValue), MatchStep::kContinue);
    EXPECT_EQ(MatchReply(Protocol::kText, kind, K::kEnd), MatchStep::kComplete);
    EXPECT_EQ(MatchReply(Protocol::kText, kind, K::kError), MatchStep::kComplete);
    EXPECT_EQ(MatchReply(Protocol::kText, kind, K::kStored), MatchStep::kUnexpected);
    EXPECT_EQ(MatchReply(Protocol::kText, kind, K::kMiss), MatchStep::kUnexpected);
  }
}

TEST(ReplyMatchTest, MetaAndBinarySingleGetsEndAtTheirReply) {
  for (Protocol p : {Protocol::kMeta, Protocol::kBinary}) {
    EXPECT_EQ(MatchReply(p, RequestKind::kGet, K::kValue), MatchStep::kComplete);
    EXPECT_EQ(MatchReply(p, RequestKind::kGet, K::kMiss), MatchStep::kComplete);
    EXPECT_EQ(MatchReply(p, RequestKind::kGet, K::kError), MatchStep::kComplete);
    EXPECT_EQ(MatchReply(p, RequestKind::kGet, K::kEnd), MatchStep::kUnexpected);
    EXPECT_EQ(MatchReply(p, RequestKind::kGet, K::kStored), MatchStep::kUnexpected);
  }
}

TEST(ReplyMatchTest, MetaAndBinaryMultigetsEndAtNoop) {
  for (Protocol p : {Protocol::kMeta, Protocol::kBinary}) {
    EXPECT_EQ(MatchReply(p, RequestKind::kMultiGet, K::kValue), MatchStep::kContinue);
    EXPECT_EQ(MatchReply(p, RequestKind::kMultiGet, K::kMiss), MatchStep::kContinue);
    EXPECT_EQ(MatchReply(p, RequestKind::kMultiGet, K::kError), MatchStep::kContinue);
    EXPECT_EQ(MatchReply(p, RequestKind::kMultiGet, K::kEnd), MatchStep::kComplete);
    EXPECT_EQ(MatchReply(p, RequestKind::kMultiGet, K::kNotStored), MatchStep::kUnexpected);
  }
}

TEST(ReplyMatchTest, SetsEndAtAnyStoreReply) {
  for (Protocol p : {Protocol::kText, Protocol::kMeta, Protocol::kBinary}) {
    for (ReplyKind k : {K::kStored, K::kNotStored, K::kExists, K::kNotFound, K::kError}) {
      EXPECT_EQ(MatchReply(p, RequestKind::kSet, k), MatchStep::kComplete);
    }
    for (ReplyKind k : {K::kValue, K::kMiss, K::kEnd}) {
      EXPECT_EQ(MatchReply(p, RequestKind::kSet, k), MatchStep::kUnexpected);
    }
  }
}

}  // namespace
}  // namespace slabd::bench
