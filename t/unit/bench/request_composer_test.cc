// RequestComposer, KeyTable and ByteBuffer: the exact request bytes of each protocol.
#include "src/bench/request_composer.h"

#include <gtest/gtest.h>

#include <string>

#include "proto/binary_header.h"
#include "src/bench/byte_buffer.h"
#include "src/bench/key_table.h"

namespace slabd::bench {
namespace {

class RequestComposerTest : public ::testing::Test {
 protected:
  std::string Get(Protocol p, uint64_t key) {
    ByteBuffer out(8);
    RequestComposer(p, &keys_, values_).AppendGet(out, key);
    return std::string(out.view());
  }
  std::string MultiGet(Protocol p, std::vector<uint64_t> keys) {
    ByteBuffer out(8);
    RequestComposer(p, &keys_, values_).AppendMultiGet(out, keys);
    return std::string(out.view());
  }
  std::string Set(Protocol p, uint64_t key, uint32_t len) {
    ByteBuffer out(8);
    RequestComposer(p, &keys_, values_).AppendSet(out, key, len);
    return std::string(out.view());
  }
  // A binary request header as proto/ encodes it.
  static std::string Header(uint8_t opcode, uint16_t key_len, uint8_t extras, uint32_t body) {
    std::string h;
    proto::BinaryRequestHeader header;
    header.magic = proto::kBinaryRequestMagic;
    header.opcode = opcode;
    header.key_len = key_len;
    header.extras_len = extras;
    header.body_len = body;
    proto::AppendBinaryRequestHeader(h, header);
    return h;
  }

  KeyTable keys_{123456};
  std::string values_ = "0123456789abcdef";
};

TEST_F(RequestComposerTest, KeysAreFormattedOnce) {
  EXPECT_EQ(keys_.Key(0), "key:0000000000");
  EXPECT_EQ(keys_.Key(123455), "key:0000123455");
  EXPECT_EQ(KeyTable(1).count(), 1u);
}

TEST_F(RequestComposerTest, Text) {
  EXPECT_EQ(Get(Protocol::kText, 7), "get key:0000000007\r\n");
  EXPECT_EQ(MultiGet(Protocol::kText, {1, 22, 333}),
            "get key:0000000001 key:0000000022 key:0000000333\r\n");
  EXPECT_EQ(Set(Protocol::kText, 5, 10), "set key:0000000005 0 0 10\r\n0123456789\r\n");
  EXPECT_EQ(Set(Protocol::kText, 5, 0), "set key:0000000005 0 0 0\r\n\r\n");
}

TEST_F(RequestComposerTest, Meta) {
  EXPECT_EQ(Get(Protocol::kMeta, 7), "mg key:0000000007 v\r\n");
  EXPECT_EQ(MultiGet(Protocol::kMeta, {1, 2}),
            "mg key:0000000001 v q k\r\nmg key:0000000002 v q k\r\nmn\r\n");
  EXPECT_EQ(Set(Protocol::kMeta, 9, 3), "ms key:0000000009 3\r\n012\r\n");
}

TEST_F(RequestComposerTest, Binary) {
  EXPECT_EQ(Get(Protocol::kBinary, 7), Header(0x00, 14, 0, 14) + "key:0000000007");
  EXPECT_EQ(MultiGet(Protocol::kBinary, {1, 2}),
            Header(0x0d, 14, 0, 14) + "key:0000000001" + Header(0x0d, 14, 0, 14) +
                "key:0000000002" + Header(0x0a, 0, 0, 0));
  EXPECT_EQ(Set(Protocol::kBinary, 3, 4),
            Header(0x01, 14, 8, 26) + std::string(8, '\0') + "key:0000000003" + "0123");
}

TEST_F(RequestComposerTest, RequestsAppendAndGrowTheBuffer) {
  ByteBuffer out(4);
  const RequestComposer c(Protocol::kText, &keys_, values_);
  for (int i = 0; i < 100; ++i) c.AppendGet(out, 1);
  EXPECT_EQ(out.size(), 100u * 20);
  out.Consume(20 * 99);
  EXPECT_EQ(out.view(), "get key:0000000001\r\n");
  c.AppendSet(out, 2, 1);
  EXPECT_EQ(out.view(), "get key:0000000001\r\nset key:0000000002 0 0 1\r\n0\r\n");
  out.Consume(out.size());
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace slabd::bench
