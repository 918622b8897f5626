// ParseBinaryFrame: a request head (header, extras, key) is framed only once all of it has
// arrived, lengths are checked in memcached's order, and the value is never consumed.
#include "proto/binary_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace slabd::proto {
namespace {

using Op = BinaryOpcode;
using Status = BinaryFrameStatus;

// A request as a client writes it; `body_len` overrides the honest length when nonzero.
std::string Request(Op op, std::string_view extras, std::string_view key, std::string_view value,
                    uint32_t body_len = 0, uint8_t magic = kBinaryRequestMagic) {
  BinaryRequestHeader h;
  h.magic = magic;
  h.opcode = static_cast<uint8_t>(op);
  h.extras_len = static_cast<uint8_t>(extras.size());
  h.key_len = static_cast<uint16_t>(key.size());
  h.body_len = body_len != 0
                   ? body_len
                   : static_cast<uint32_t>(extras.size() + key.size() + value.size());
  h.opaque = 0xcafef00d;
  h.cas = 0x0102030405060708ull;
  std::string out;
  AppendBinaryRequestHeader(out, h);
  out.append(extras).append(key).append(value);
  return out;
}

std::string SetExtras(uint32_t flags, uint32_t exptime) {
  std::string e;
  AppendBe32(e, flags);
  AppendBe32(e, exptime);
  return e;
}

bool Inside(std::string_view part, std::string_view whole) {
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

void ExpectSameFrame(const BinaryFrame& a, const BinaryFrame& b) {
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.consumed, b.consumed);
  EXPECT_EQ(a.extras, b.extras);
  EXPECT_EQ(a.key, b.key);
  if (a.status != Status::kNeedMore) {
    EXPECT_EQ(a.header.opcode, b.header.opcode);
    EXPECT_EQ(a.header.body_len, b.header.body_len);
    EXPECT_EQ(a.header.opaque, b.header.opaque);
    EXPECT_EQ(a.header.cas, b.header.cas);
  }
}

TEST(BinaryParserTest, SetFramesHeaderExtrasAndKeyButNotTheValue) {
  const std::string req = Request(Op::kSet, SetExtras(7, 60), "key", "value");
  const BinaryFrame f = ParseBinaryFrame(req);
  ASSERT_EQ(f.status, Status::kOk);
  EXPECT_EQ(f.consumed, 24u + 8 + 3);
  EXPECT_EQ(f.header.opcode, 0x01);
  EXPECT_EQ(f.header.extras_len, 8);
  EXPECT_EQ(f.header.key_len, 3);
  EXPECT_EQ(f.header.body_len, 16u);
  EXPECT_EQ(f.header.value_len(), 5u);
  EXPECT_EQ(f.header.opaque, 0xcafef00du);
  EXPECT_EQ(f.header.cas, 0x0102030405060708ull);
  EXPECT_EQ(LoadBe32(f.extras.data()), 7u);
  EXPECT_EQ(LoadBe32(f.extras.data() + 4), 60u);
  EXPECT_EQ(f.key, "key");
  EXPECT_EQ(std::string_view(req).substr(f.consumed), "value");
}

TEST(BinaryParserTest, ExtrasAndKeyAreViewsIntoTheInput) {
  const std::string req = Request(Op::kSet, SetExtras(1, 2), "abc", "v");
  const BinaryFrame f = ParseBinaryFrame(req);
  ASSERT_EQ(f.status, Status::kOk);
  EXPECT_EQ(f.extras.data(), req.data() + 24);
  EXPECT_EQ(f.key.data(), req.data() + 32);
  EXPECT_TRUE(Inside(f.extras, req));
  EXPECT_TRUE(Inside(f.key, req));
}

TEST(BinaryParserTest, NeedsMoreUntilTwentyFourBytes) {
  const std::string req = Request(Op::kNoop, "", "", "");
  ASSERT_EQ(req.size(), 24u);
  for (size_t n = 0; n < 24; ++n) {
    EXPECT_EQ(ParseBinaryFrame(std::string_view(req).substr(0, n)).status, Status::kNeedMore)
        << n;
  }
  const BinaryFrame f = ParseBinaryFrame(req);
  ASSERT_EQ(f.status, Status::kOk);
  EXPECT_EQ(f.consumed, 24u);
  EXPECT_TRUE(f.extras.empty());
  EXPECT_TRUE(f.key.empty());
}

TEST(BinaryParserTest, BadMagicIsSeenOnlyOnceTheHeaderIsComplete) {
  // A short garbage prefix may still be an incomplete header: no verdict yet.
  EXPECT_EQ(ParseBinaryFrame("get foo\r\n").status, Status::kNeedMore);
  for (uint8_t magic : {uint8_t{0x81}, uint8_t{0x00}, uint8_t{'g'}, uint8_t{0x7f}}) {
    const std::string req = Request(Op::kGet, "", "k", "", 0, magic);
    EXPECT_EQ(ParseBinaryFrame(req).status, Status::kBadMagic) << int(magic);
  }
  EXPECT_EQ(ParseBinaryFrame("get foo bar baz quux xyzzy\r\n").status, Status::kBadMagic);
}

TEST(BinaryParserTest, BodyOverOneGibIsRefusedBeforeWaitingForExtrasAndKey) {
  // key length 100 but only the header sent: too large is decided anyway.
  std::string req = Request(Op::kSet, "", std::string(100, 'k'), "", kBinaryMaxBody + 1);
  req.resize(24);
  EXPECT_EQ(ParseBinaryFrame(req).status, Status::kBodyTooLarge);
  std::string max = Request(Op::kSet, "", "", "", 0xffffffff);
  EXPECT_EQ(ParseBinaryFrame(max).status, Status::kBodyTooLarge);
}

TEST(BinaryParserTest, BodyOfExactlyOneGibIsAccepted) {
  const std::string req = Request(Op::kSet, SetExtras(0, 0), "k", "", kBinaryMaxBody);
  const BinaryFrame f = ParseBinaryFrame(req);
  ASSERT_EQ(f.status, Status::kOk);
  EXPECT_EQ(f.header.value_len(), kBinaryMaxBody - 9);
  EXPECT_EQ(f.consumed, 24u + 9);
}

TEST(BinaryParserTest, BadMagicIsCheckedBeforeBodyLength) {
  const std::string req = Request(Op::kGet, "", "", "", 0xffffffff, 0x81);
  EXPECT_EQ(ParseBinaryFrame(req).status, Status::kBadMagic);
}

TEST(BinaryParserTest, NeedsMoreUntilExtrasAndKeyArriveOneByteAtATime) {
  const std::string req = Request(Op::kSet, SetExtras(3, 4), "some-key", "a value");
  const size_t head = 24 + 8 + 8;
  const BinaryFrame whole = ParseBinaryFrame(req);
  ASSERT_EQ(whole.status, Status::kOk);
  for (size_t n = 0; n < head; ++n) {
    EXPECT_EQ(ParseBinaryFrame(std::string_view(req).substr(0, n)).status, Status::kNeedMore)
        << n;
  }
  // From the end of the key on, any amount of value gives the same frame.
  for (size_t n = head; n <= req.size(); ++n) {
    SCOPED_TRACE(n);
    ExpectSameFrame(ParseBinaryFrame(std::string_view(req).substr(0, n)), whole);
  }
}

TEST(BinaryParserTest, KeyLongerThanBodyIsALengthMismatchOnceTheKeyHasArrived) {
  // memcached waits for header + extras + key before comparing them with the body.
  const std::string req = Request(Op::kGet, "", "0123456789", "", 5);
  ASSERT_EQ(req.size(), 34u);
  for (size_t n = 0; n < req.size(); ++n) {
    EXPECT_EQ(ParseBinaryFrame(std::string_view(req).substr(0, n)).status, Status::kNeedMore)
        << n;
  }
  const BinaryFrame f = ParseBinaryFrame(req);
  EXPECT_EQ(f.status, Status::kLengthMismatch);
  EXPECT_EQ(f.header.opaque, 0xcafef00du);  // the reply echoes it
}

TEST(BinaryParserTest, ExtrasPlusKeyLongerThanBodyIsALengthMismatch) {
  EXPECT_EQ(ParseBinaryFrame(Request(Op::kSet, SetExtras(0, 0), "abc", "", 10)).status,
            Status::kLengthMismatch);
  EXPECT_EQ(ParseBinaryFrame(Request(Op::kSet, SetExtras(0, 0), "", "", 7)).status,
            Status::kLengthMismatch);
  EXPECT_EQ(ParseBinaryFrame(Request(Op::kSet, SetExtras(0, 0), "abc", "", 11)).status,
            Status::kOk);
}

TEST(BinaryParserTest, ZeroLengthsWithANonzeroBodyFrameJustTheHeader) {
  const std::string req = Request(Op::kStat, "", "", "", 10);
  const BinaryFrame f = ParseBinaryFrame(req);
  ASSERT_EQ(f.status, Status::kOk);
  EXPECT_EQ(f.consumed, 24u);
  EXPECT_EQ(f.header.value_len(), 10u);
}

TEST(BinaryParserTest, MaximumExtrasAndKeyAreFramed) {
  const std::string extras(255, 'e');
  const std::string key(65535, 'k');
  const std::string req = Request(Op::kSet, extras, key, "");
  EXPECT_EQ(ParseBinaryFrame(std::string_view(req).substr(0, req.size() - 1)).status,
            Status::kNeedMore);
  const BinaryFrame f = ParseBinaryFrame(req);
  ASSERT_EQ(f.status, Status::kOk);
  EXPECT_EQ(f.consumed, 24u + 255 + 65535);
  EXPECT_EQ(f.extras, extras);
  EXPECT_EQ(f.key, key);
}

TEST(BinaryParserTest, UnknownOpcodesAreFramedLikeAnyOther) {
  BinaryRequestHeader h;
  h.magic = kBinaryRequestMagic;
  h.opcode = 0xfe;
  h.extras_len = 2;
  h.key_len = 3;
  h.body_len = 10;
  std::string req;
  AppendBinaryRequestHeader(req, h);
  req += "xxkkkvvvvv";
  const BinaryFrame f = ParseBinaryFrame(req);
  ASSERT_EQ(f.status, Status::kOk);
  EXPECT_EQ(f.header.opcode, 0xfe);
  EXPECT_EQ(f.extras, "xx");
  EXPECT_EQ(f.key, "kkk");
  EXPECT_EQ(f.header.value_len(), 5u);
}

TEST(BinaryParserTest, PipelinedRequestsFrameOneAfterAnother) {
  const std::string stream = Request(Op::kSetQ, SetExtras(0, 0), "a", "12345") +
                             Request(Op::kGetKQ, "", "bb", "") + Request(Op::kNoop, "", "", "");
  std::string_view rest = stream;
  std::vector<std::string> keys;
  std::vector<uint8_t> ops;
  while (!rest.empty()) {
    const BinaryFrame f = ParseBinaryFrame(rest);
    ASSERT_EQ(f.status, Status::kOk);
    keys.emplace_back(f.key);
    ops.push_back(f.header.opcode);
    rest.remove_prefix(f.consumed + f.header.value_len());
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"a", "bb", ""}));
  EXPECT_EQ(ops, (std::vector<uint8_t>{0x11, 0x0d, 0x0a}));
}

TEST(BinaryParserTest, EncodedRequestsParseBackToTheSameHeader) {
  for (uint32_t opaque : {0u, 1u, 0x80000000u, 0xffffffffu}) {
    BinaryRequestHeader h;
    h.magic = kBinaryRequestMagic;
    h.opcode = static_cast<uint8_t>(Op::kIncrement);
    h.extras_len = 20;
    h.key_len = 4;
    h.body_len = 24;
    h.vbucket = 0x1234;
    h.data_type = 0;
    h.opaque = opaque;
    h.cas = ~uint64_t{opaque};
    std::string req;
    AppendBinaryRequestHeader(req, h);
    req += std::string(20, '\0') + "ctr1";
    const BinaryFrame f = ParseBinaryFrame(req);
    ASSERT_EQ(f.status, Status::kOk);
    EXPECT_EQ(f.header.vbucket, 0x1234);
    EXPECT_EQ(f.header.opaque, opaque);
    EXPECT_EQ(f.header.cas, ~uint64_t{opaque});
    EXPECT_EQ(f.key, "ctr1");
    EXPECT_EQ(f.extras.size(), 20u);
    EXPECT_EQ(f.consumed, req.size());
  }
}

}  // namespace
}  // namespace slabd::proto
