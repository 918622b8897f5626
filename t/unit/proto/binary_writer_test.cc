// Binary response writer: exact header bytes, and every packet decodes back (the response
// header has the request header's layout, with the status where the vbucket is) into the
// opcode, opaque, CAS and body parts it was written with.
#include "proto/binary_writer.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace slabd::proto {
namespace {

// A response read back from bytes.
struct Packet {
  BinaryRequestHeader header;  // vbucket holds the status
  std::string extras, key, value;
  BinaryStatus status() const { return static_cast<BinaryStatus>(header.vbucket); }
};

// Splits `bytes` into packets; fails the test on a truncated one.
std::vector<Packet> Decode(std::string_view bytes) {
  std::vector<Packet> out;
  while (!bytes.empty()) {
    EXPECT_GE(bytes.size(), kBinaryHeaderSize);
    if (bytes.size() < kBinaryHeaderSize) break;
    Packet p;
    p.header = DecodeBinaryRequestHeader(bytes.data());
    const BinaryRequestHeader& h = p.header;
    const size_t total = kBinaryHeaderSize + h.body_len;
    EXPECT_GE(bytes.size(), total);
    EXPECT_LE(size_t{h.extras_len} + h.key_len, h.body_len);
    if (bytes.size() < total) break;
    std::string_view body = bytes.substr(kBinaryHeaderSize, h.body_len);
    p.extras = body.substr(0, h.extras_len);
    p.key = body.substr(h.extras_len, h.key_len);
    p.value = body.substr(h.extras_len + h.key_len);
    out.push_back(std::move(p));
    bytes.remove_prefix(total);
  }
  return out;
}

Packet DecodeOne(std::string_view bytes) {
  std::vector<Packet> packets = Decode(bytes);
  EXPECT_EQ(packets.size(), 1u);
  return packets.empty() ? Packet{} : packets.front();
}

constexpr BinaryReplyTo kSetQ{0x11, 0xa0b0c0d0};

// A GET hit's packet in one piece: the same bytes as the header, the flags and the parts
// appended one by one, with and without the key, on both sides of the size where the value
// stops being written in place and is appended instead.
TEST(BinaryWriterTest, ValueIsTheHitPacketInOnePiece) {
  const std::string key250(250, 'k');
  for (size_t size : {size_t{0}, size_t{1}, size_t{100}, size_t{512}, size_t{513}, size_t{9000}}) {
    for (std::string_view key : {std::string_view(), std::string_view("foo"),
                                 std::string_view(key250)}) {
      SCOPED_TRACE(std::to_string(size) + " value bytes, key of " + std::to_string(key.size()));
      std::string value(size, '\0');
      for (size_t i = 0; i < size; ++i) value[i] = static_cast<char>(i * 7);
      std::string expected = "prefix";
      AppendBinaryResponseHeader(expected, {0x0c, 0x01020304}, BinaryStatus::kOk, 4,
                                 static_cast<uint16_t>(key.size()),
                                 static_cast<uint32_t>(size), 0x1112131415161718ull);
      AppendBe32(expected, 0xdeadbeef);
      expected.append(key).append(value);
      std::string out = "prefix";
      AppendBinaryValue(out, {0x0c, 0x01020304}, 0x1112131415161718ull, 0xdeadbeef, key, value);
      EXPECT_EQ(out, expected);
      const Packet p = DecodeOne(std::string_view(out).substr(6));
      EXPECT_EQ(p.status(), BinaryStatus::kOk);
      EXPECT_EQ(p.extras, std::string("\xde\xad\xbe\xef", 4));
      EXPECT_EQ(p.key, key);
      EXPECT_EQ(p.value, value);
    }
  }
}

TEST(BinaryWriterTest, ResponseHeaderHasTheWireLayout) {
  std::string out;
  AppendBinaryResponseHeader(out, {0x0c, 0x01020304}, BinaryStatus::kKeyExists, 4, 0x0102, 5,
                             0x1112131415161718ull);
  EXPECT_EQ(out, std::string("\x81\x0c\x01\x02\x04\x00\x00\x02"
                             "\x00\x00\x01\x0b\x01\x02\x03\x04"
                             "\x11\x12\x13\x14\x15\x16\x17\x18",
                             24));
}

TEST(BinaryWriterTest, HeaderAnnouncesExtrasKeyAndValueLengths) {
  std::string out;
  AppendBinaryResponseHeader(out, kSetQ, BinaryStatus::kOk, 255, 65535, 0xffff0000u, 0);
  const BinaryRequestHeader h = DecodeBinaryRequestHeader(out.data());
  EXPECT_EQ(h.magic, kBinaryResponseMagic);
  EXPECT_EQ(h.extras_len, 255);
  EXPECT_EQ(h.key_len, 65535);
  EXPECT_EQ(h.body_len, 255u + 65535u + 0xffff0000u);
  EXPECT_EQ(h.value_len(), 0xffff0000u);
}

TEST(BinaryWriterTest, HeaderIsAppendedAfterExistingBytes) {
  std::string out = "earlier reply";
  AppendBinaryResponseHeader(out, kSetQ, BinaryStatus::kOk, 0, 0, 0, 0);
  ASSERT_EQ(out.size(), 13 + kBinaryHeaderSize);
  EXPECT_EQ(out.substr(0, 13), "earlier reply");
  EXPECT_EQ(static_cast<uint8_t>(out[13]), kBinaryResponseMagic);
}

TEST(BinaryWriterTest, ResponseRoundTripsEveryPart) {
  std::string out;
  AppendBinaryResponse(out, {0x0c, 0x01000000}, BinaryStatus::kOk, 0xfeedfacecafebeefull,
                       std::string_view("\x00\x00\x00\x07", 4), "the-key", "the value");
  ASSERT_EQ(out.size(), 24u + 4 + 7 + 9);
  const Packet p = DecodeOne(out);
  EXPECT_EQ(p.header.magic, 0x81);
  EXPECT_EQ(p.header.opcode, 0x0c);
  EXPECT_EQ(p.header.data_type, 0);
  EXPECT_EQ(p.status(), BinaryStatus::kOk);
  EXPECT_EQ(p.header.opaque, 0x01000000u);
  EXPECT_EQ(p.header.cas, 0xfeedfacecafebeefull);
  EXPECT_EQ(p.extras, std::string("\x00\x00\x00\x07", 4));
  EXPECT_EQ(LoadBe32(p.extras.data()), 7u);
  EXPECT_EQ(p.key, "the-key");
  EXPECT_EQ(p.value, "the value");
}

TEST(BinaryWriterTest, ValueMayContainAnyBytes) {
  const std::string value("\x00\x80\xff\r\n\x81", 6);
  std::string out;
  AppendBinaryResponse(out, kSetQ, BinaryStatus::kOk, 0, {}, {}, value);
  EXPECT_EQ(DecodeOne(out).value, value);
}

TEST(BinaryWriterTest, OpaqueIsEchoedExactlyAsDecoded) {
  // A request's opaque bytes come back in the same order on the wire.
  std::string request(24, '\0');
  request[0] = '\x80';
  request[12] = '\xde';
  request[13] = '\xad';
  request[14] = '\xbe';
  request[15] = '\xef';
  const BinaryRequestHeader h = DecodeBinaryRequestHeader(request.data());
  std::string out;
  AppendBinaryResponse(out, {h.opcode, h.opaque}, BinaryStatus::kOk, 0, {}, {}, {});
  EXPECT_EQ(out.substr(12, 4), "\xde\xad\xbe\xef");
}

TEST(BinaryWriterTest, ErrorCarriesTheStatusTextAsValue) {
  std::string out;
  AppendBinaryError(out, kSetQ, BinaryStatus::kKeyNotFound);
  const Packet p = DecodeOne(out);
  EXPECT_EQ(p.header.opcode, 0x11);  // the original (quiet) opcode
  EXPECT_EQ(p.header.opaque, kSetQ.opaque);
  EXPECT_EQ(p.status(), BinaryStatus::kKeyNotFound);
  EXPECT_EQ(p.header.cas, 0u);
  EXPECT_TRUE(p.extras.empty());
  EXPECT_TRUE(p.key.empty());
  EXPECT_EQ(p.value, "Not found");
}

TEST(BinaryWriterTest, ErrorBytesForUnknownCommand) {
  std::string out;
  AppendBinaryError(out, {0x1b, 0}, BinaryStatus::kUnknownCommand);
  EXPECT_EQ(out, std::string("\x81\x1b\x00\x00\x00\x00\x00\x81"
                             "\x00\x00\x00\x0f\x00\x00\x00\x00"
                             "\x00\x00\x00\x00\x00\x00\x00\x00",
                             24) +
                     "Unknown command");
}

TEST(BinaryWriterTest, ErrorWithExplicitTextUsesIt) {
  std::string out;
  AppendBinaryError(out, kSetQ, BinaryStatus::kOutOfMemory, "Out of memory allocating item");
  const Packet p = DecodeOne(out);
  EXPECT_EQ(p.status(), BinaryStatus::kOutOfMemory);
  EXPECT_EQ(p.value, "Out of memory allocating item");
}

TEST(BinaryWriterTest, EveryErrorStatusRoundTripsWithItsText) {
  for (BinaryStatus status :
       {BinaryStatus::kKeyNotFound, BinaryStatus::kKeyExists, BinaryStatus::kTooLarge,
        BinaryStatus::kInvalidArguments, BinaryStatus::kNotStored, BinaryStatus::kNonNumeric,
        BinaryStatus::kAuthError, BinaryStatus::kUnknownCommand, BinaryStatus::kOutOfMemory}) {
    std::string out;
    AppendBinaryError(out, kSetQ, status);
    const Packet p = DecodeOne(out);
    EXPECT_EQ(p.status(), status);
    EXPECT_EQ(p.value, BinaryStatusText(status));
    EXPECT_FALSE(p.value.empty());
  }
}

TEST(BinaryWriterTest, StatPacketsCarryNameAsKeyAndAnEmptyOneEndsTheGroup) {
  std::string out;
  const BinaryReplyTo stat{0x10, 42};
  AppendBinaryStat(out, stat, "pid", "1234");
  AppendBinaryStat(out, stat, "uptime", "5");
  AppendBinaryStat(out, stat, {}, {});
  const std::vector<Packet> packets = Decode(out);
  ASSERT_EQ(packets.size(), 3u);
  EXPECT_EQ(packets[0].key, "pid");
  EXPECT_EQ(packets[0].value, "1234");
  EXPECT_EQ(packets[1].key, "uptime");
  EXPECT_EQ(packets[1].value, "5");
  EXPECT_TRUE(packets[2].key.empty());
  EXPECT_TRUE(packets[2].value.empty());
  EXPECT_EQ(out.size(), 3 * 24u + 3 + 4 + 6 + 1);
  for (const Packet& p : packets) {
    EXPECT_EQ(p.header.opcode, 0x10);
    EXPECT_EQ(p.header.opaque, 42u);
    EXPECT_EQ(p.status(), BinaryStatus::kOk);
    EXPECT_TRUE(p.extras.empty());
  }
}

TEST(BinaryWriterTest, HeaderPlusCallerAppendedPartsEqualsAWholeResponse) {
  // The zero-copy path (header, then the value from the item) and the one-call path agree.
  std::string whole;
  AppendBinaryResponse(whole, {0x00, 9}, BinaryStatus::kOk, 77,
                       std::string_view("\x00\x00\x00\x01", 4), {}, "value");
  std::string parts;
  AppendBinaryResponseHeader(parts, {0x00, 9}, BinaryStatus::kOk, 4, 0, 5, 77);
  AppendBe32(parts, 1);
  parts += "value";
  EXPECT_EQ(parts, whole);
}

}  // namespace
}  // namespace slabd::proto
