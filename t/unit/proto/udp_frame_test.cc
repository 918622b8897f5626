// UDP framing: request header parsing (what is dropped) and how replies are cut into
// datagrams, with the header values memcached 1.6.18 sends.
#include "proto/udp_frame.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace slabd::proto {
namespace {

std::string Frame(uint16_t id, uint16_t seq, uint16_t total, uint16_t reserved,
                  std::string_view payload) {
  std::string d(kUdpHeaderSize, '\0');
  WriteUdpHeader({id, seq, total, reserved}, d.data());
  d.append(payload);
  return d;
}

std::vector<UdpDatagram> Plan(uint16_t id, std::vector<UdpMessage> messages) {
  std::vector<UdpDatagram> out;
  PlanUdpReply(id, messages, &out);
  return out;
}

void ExpectDatagram(const UdpDatagram& d, uint16_t id, uint16_t seq, uint16_t total,
                    uint64_t offset, uint32_t length) {
  EXPECT_EQ(d.header.request_id, id);
  EXPECT_EQ(d.header.sequence, seq);
  EXPECT_EQ(d.header.total, total);
  EXPECT_EQ(d.header.reserved, 0);
  EXPECT_EQ(d.offset, offset);
  EXPECT_EQ(d.length, length);
}

TEST(UdpFrameTest, HeaderIsFourBigEndianShorts) {
  char out[8];
  WriteUdpHeader({0x0102, 0x0304, 0x0506, 0x0708}, out);
  EXPECT_EQ(std::string(out, 8), std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  UdpFrameHeader h = ReadUdpHeader(std::string_view(out, 8));
  EXPECT_EQ(h.request_id, 0x0102);
  EXPECT_EQ(h.sequence, 0x0304);
  EXPECT_EQ(h.total, 0x0506);
  EXPECT_EQ(h.reserved, 0x0708);
}

TEST(UdpFrameTest, HeaderRoundTripsExtremeValues) {
  for (uint16_t v : {uint16_t{0}, uint16_t{1}, uint16_t{255}, uint16_t{256}, uint16_t{65535}}) {
    char out[8];
    WriteUdpHeader({v, v, v, v}, out);
    UdpFrameHeader h = ReadUdpHeader(std::string_view(out, 8));
    EXPECT_EQ(h.request_id, v);
    EXPECT_EQ(h.total, v);
  }
}

TEST(UdpFrameTest, ParsesSingleDatagramRequest) {
  const std::string frame = Frame(0xbeef, 0, 1, 0, "get a\r\n");
  UdpRequest r = ParseUdpRequest(frame);
  ASSERT_EQ(r.status, UdpRequestStatus::kOk);
  EXPECT_EQ(r.header.request_id, 0xbeef);
  EXPECT_EQ(r.payload, "get a\r\n");
}

TEST(UdpFrameTest, IgnoresSequenceAndReserved) {
  const std::string frame = Frame(7, 5, 1, 0xabcd, "version\r\n");
  UdpRequest r = ParseUdpRequest(frame);
  ASSERT_EQ(r.status, UdpRequestStatus::kOk);
  EXPECT_EQ(r.payload, "version\r\n");
}

TEST(UdpFrameTest, DropsDatagramsOfEightBytesOrLess) {
  EXPECT_EQ(ParseUdpRequest("").status, UdpRequestStatus::kTooShort);
  EXPECT_EQ(ParseUdpRequest(std::string("\x00\x07\x00", 3)).status, UdpRequestStatus::kTooShort);
  EXPECT_EQ(ParseUdpRequest(Frame(7, 0, 1, 0, "")).status, UdpRequestStatus::kTooShort);
  EXPECT_EQ(ParseUdpRequest(Frame(7, 0, 1, 0, "\n")).status, UdpRequestStatus::kOk);
}

TEST(UdpFrameTest, DropsMultiDatagramRequests) {
  EXPECT_EQ(ParseUdpRequest(Frame(7, 0, 0, 0, "get a\r\n")).status,
            UdpRequestStatus::kMultiDatagram);
  EXPECT_EQ(ParseUdpRequest(Frame(7, 0, 2, 0, "get a\r\n")).status,
            UdpRequestStatus::kMultiDatagram);
  EXPECT_EQ(ParseUdpRequest(Frame(7, 1, 0x100, 0, "get a\r\n")).status,
            UdpRequestStatus::kMultiDatagram);
}

TEST(UdpFrameTest, SmallMessageIsOneDatagram) {
  auto d = Plan(7, {{8, false}});
  ASSERT_EQ(d.size(), 1u);
  ExpectDatagram(d[0], 7, 0, 1, 0, 8);
}

TEST(UdpFrameTest, EachMessageStartsAtSequenceZero) {
  // get a a: "VALUE a 0 1\r\n1\r\n" then the same plus "END\r\n".
  auto d = Plan(7, {{16, false}, {21, false}});
  ASSERT_EQ(d.size(), 2u);
  ExpectDatagram(d[0], 7, 0, 1, 0, 16);
  ExpectDatagram(d[1], 7, 0, 1, 16, 21);
}

TEST(UdpFrameTest, SplitsAt1392PayloadBytes) {
  // A 3000-byte value: 18 + 3000 + 7 = 3025 bytes -> 1400, 1400, 249 on the wire.
  auto d = Plan(9, {{3025, false}});
  ASSERT_EQ(d.size(), 3u);
  ExpectDatagram(d[0], 9, 0, 3, 0, 1392);
  ExpectDatagram(d[1], 9, 1, 3, 1392, 1392);
  ExpectDatagram(d[2], 9, 2, 3, 2784, 241);
  EXPECT_EQ(d[2].length + kUdpHeaderSize, 249u);
}

TEST(UdpFrameTest, ExactMultipleOfPayloadHasNoEmptyTail) {
  auto d = Plan(1, {{kUdpMaxPayload * 2, false}});
  ASSERT_EQ(d.size(), 2u);
  ExpectDatagram(d[0], 1, 0, 2, 0, 1392);
  ExpectDatagram(d[1], 1, 1, 2, 1392, 1392);
  d = Plan(1, {{kUdpMaxPayload + 1, false}});
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[1].length, 1u);
}

TEST(UdpFrameTest, TotalSaturatesAt65535) {
  auto d = Plan(1, {{uint64_t{kUdpMaxPayload} * 70000, false}});
  ASSERT_EQ(d.size(), 70000u);
  EXPECT_EQ(d[0].header.total, 65535);
  EXPECT_EQ(d[65535].header.sequence, 65535);
}

TEST(UdpFrameTest, SkippedMessagesSendNothing) {
  auto d = Plan(7, {{0, true}, {8, false}, {0, true}});
  ASSERT_EQ(d.size(), 1u);
  ExpectDatagram(d[0], 7, 0, 1, 0, 8);
}

TEST(UdpFrameTest, LeadingEmptyMessageIsABareHeader) {
  // get b a (b misses): memcached sends (7,0,0,0) then the VALUE ... END message.
  auto d = Plan(7, {{0, false}, {0, false}, {21, false}});
  ASSERT_EQ(d.size(), 2u);
  ExpectDatagram(d[0], 7, 0, 0, 0, 0);
  ExpectDatagram(d[1], 7, 0, 1, 0, 21);
}

TEST(UdpFrameTest, EmptyMessageAfterASentOneIsDropped) {
  // get a b b: VALUE a, two empty per-key messages, END.
  auto d = Plan(7, {{16, false}, {0, false}, {5, false}});
  ASSERT_EQ(d.size(), 2u);
  ExpectDatagram(d[0], 7, 0, 1, 0, 16);
  ExpectDatagram(d[1], 7, 0, 1, 16, 5);
}

TEST(UdpFrameTest, SkipBeforeEmptyKeepsItAtTheHead) {
  auto d = Plan(3, {{0, true}, {0, false}});
  ASSERT_EQ(d.size(), 1u);
  ExpectDatagram(d[0], 3, 0, 0, 0, 0);
}

TEST(UdpFrameTest, NothingToSend) {
  EXPECT_TRUE(Plan(3, {}).empty());
  EXPECT_TRUE(Plan(3, {{0, true}}).empty());
}

}  // namespace
}  // namespace slabd::proto
