// Binary protocol header codec: the 24-byte header decodes and encodes big-endian, every opcode
// classifies as memcached's dispatch does (quiet onto loud), and the per-opcode shape rules are
// memcached's dispatch_bin_command.
#include "proto/binary_header.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace slabd::proto {
namespace {

using Op = BinaryOpcode;

BinaryRequestHeader Header(Op op, uint8_t extras, uint16_t key, uint32_t body) {
  BinaryRequestHeader h;
  h.magic = kBinaryRequestMagic;
  h.opcode = static_cast<uint8_t>(op);
  h.extras_len = extras;
  h.key_len = key;
  h.body_len = body;
  return h;
}

bool ShapeOk(Op op, uint8_t extras, uint16_t key, uint32_t body) {
  return BinaryShapeOk(Header(op, extras, key, body));
}

void ExpectSameHeader(const BinaryRequestHeader& a, const BinaryRequestHeader& b) {
  EXPECT_EQ(a.magic, b.magic);
  EXPECT_EQ(a.opcode, b.opcode);
  EXPECT_EQ(a.key_len, b.key_len);
  EXPECT_EQ(a.extras_len, b.extras_len);
  EXPECT_EQ(a.data_type, b.data_type);
  EXPECT_EQ(a.vbucket, b.vbucket);
  EXPECT_EQ(a.body_len, b.body_len);
  EXPECT_EQ(a.opaque, b.opaque);
  EXPECT_EQ(a.cas, b.cas);
}

TEST(BinaryHeaderTest, DecodeReadsEveryFieldBigEndian) {
  const unsigned char bytes[24] = {
      0x80, 0x01, 0x01, 0x02,  // magic, opcode, key length 0x0102
      0x08, 0x00, 0xab, 0xcd,  // extras 8, data type 0, vbucket 0xabcd
      0x00, 0x01, 0x02, 0x10,  // body 0x00010210
      0xde, 0xad, 0xbe, 0xef,  // opaque
      0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,  // cas
  };
  const BinaryRequestHeader h = DecodeBinaryRequestHeader(reinterpret_cast<const char*>(bytes));
  EXPECT_EQ(h.magic, 0x80);
  EXPECT_EQ(h.opcode, 0x01);
  EXPECT_EQ(h.key_len, 0x0102);
  EXPECT_EQ(h.extras_len, 8);
  EXPECT_EQ(h.data_type, 0);
  EXPECT_EQ(h.vbucket, 0xabcd);
  EXPECT_EQ(h.body_len, 0x00010210u);
  EXPECT_EQ(h.opaque, 0xdeadbeefu);
  EXPECT_EQ(h.cas, 0x0102030405060708ull);
  EXPECT_EQ(h.value_len(), 0x00010210u - 0x0102 - 8);
}

TEST(BinaryHeaderTest, DecodeTreatsHighBitBytesAsUnsigned) {
  std::string bytes(24, '\xff');
  const BinaryRequestHeader h = DecodeBinaryRequestHeader(bytes.data());
  EXPECT_EQ(h.magic, 0xff);
  EXPECT_EQ(h.opcode, 0xff);
  EXPECT_EQ(h.key_len, 0xffff);
  EXPECT_EQ(h.extras_len, 0xff);
  EXPECT_EQ(h.data_type, 0xff);
  EXPECT_EQ(h.vbucket, 0xffff);
  EXPECT_EQ(h.body_len, 0xffffffffu);
  EXPECT_EQ(h.opaque, 0xffffffffu);
  EXPECT_EQ(h.cas, ~uint64_t{0});
}

TEST(BinaryHeaderTest, AppendWritesTheWireLayout) {
  BinaryRequestHeader h = Header(Op::kIncrement, 20, 3, 23);
  h.vbucket = 0x0102;
  h.data_type = 0x7f;
  h.opaque = 0x11223344;
  h.cas = 0xa1a2a3a4a5a6a7a8ull;
  std::string out = "prefix";
  AppendBinaryRequestHeader(out, h);
  ASSERT_EQ(out.size(), 6 + kBinaryHeaderSize);
  EXPECT_EQ(out.substr(6), std::string("\x80\x05\x00\x03\x14\x7f\x01\x02"
                                       "\x00\x00\x00\x17\x11\x22\x33\x44"
                                       "\xa1\xa2\xa3\xa4\xa5\xa6\xa7\xa8",
                                       24));
}

TEST(BinaryHeaderTest, AppendThenDecodeRoundTrips) {
  BinaryRequestHeader zero;
  BinaryRequestHeader max;
  max.magic = 0xff;
  max.opcode = 0xff;
  max.key_len = 0xffff;
  max.extras_len = 0xff;
  max.data_type = 0xff;
  max.vbucket = 0xffff;
  max.body_len = 0xffffffff;
  max.opaque = 0xffffffff;
  max.cas = ~uint64_t{0};
  BinaryRequestHeader typical = Header(Op::kSetQ, 8, 5, 18);
  typical.opaque = 0x01000080;
  typical.cas = 0x0000000100000002ull;
  for (const BinaryRequestHeader& h : {zero, max, typical}) {
    std::string out;
    AppendBinaryRequestHeader(out, h);
    ASSERT_EQ(out.size(), kBinaryHeaderSize);
    ExpectSameHeader(DecodeBinaryRequestHeader(out.data()), h);
  }
}

TEST(BinaryHeaderTest, Be32And64RoundTripAndAreBigEndian) {
  std::string out;
  AppendBe32(out, 0x01020304);
  AppendBe64(out, 0x1112131415161718ull);
  EXPECT_EQ(out, std::string("\x01\x02\x03\x04\x11\x12\x13\x14\x15\x16\x17\x18", 12));
  EXPECT_EQ(LoadBe32(out.data()), 0x01020304u);
  EXPECT_EQ(LoadBe64(out.data() + 4), 0x1112131415161718ull);
  char in_place[12];
  StoreBe32(in_place, 0x01020304);
  StoreBe64(in_place + 4, 0x1112131415161718ull);
  EXPECT_EQ(std::string(in_place, sizeof(in_place)), out);
  for (uint64_t v : {uint64_t{0}, uint64_t{1}, uint64_t{0x80}, uint64_t{0xffffffff},
                     uint64_t{0x8000000000000000ull}, ~uint64_t{0}}) {
    std::string b;
    AppendBe64(b, v);
    AppendBe32(b, static_cast<uint32_t>(v));
    EXPECT_EQ(LoadBe64(b.data()), v);
    EXPECT_EQ(LoadBe32(b.data() + 8), static_cast<uint32_t>(v));
  }
}

TEST(BinaryHeaderTest, QuietOpcodesMapOntoTheirLoudCommand) {
  const std::pair<Op, Op> quiet_to_loud[] = {
      {Op::kGetQ, Op::kGet},           {Op::kGetKQ, Op::kGetK},
      {Op::kSetQ, Op::kSet},           {Op::kAddQ, Op::kAdd},
      {Op::kReplaceQ, Op::kReplace},   {Op::kDeleteQ, Op::kDelete},
      {Op::kIncrementQ, Op::kIncrement}, {Op::kDecrementQ, Op::kDecrement},
      {Op::kQuitQ, Op::kQuit},         {Op::kFlushQ, Op::kFlush},
      {Op::kAppendQ, Op::kAppend},     {Op::kPrependQ, Op::kPrepend},
      {Op::kGatQ, Op::kGat},           {Op::kGatKQ, Op::kGatK},
  };
  for (auto [quiet, loud] : quiet_to_loud) {
    const BinaryCommand cmd = ClassifyBinaryOpcode(static_cast<uint8_t>(quiet));
    EXPECT_TRUE(cmd.known) << int(quiet);
    EXPECT_TRUE(cmd.quiet) << int(quiet);
    EXPECT_EQ(cmd.op, loud) << int(quiet);
  }
}

TEST(BinaryHeaderTest, LoudOpcodesMapOntoThemselves) {
  const Op loud[] = {Op::kGet,   Op::kSet,     Op::kAdd,    Op::kReplace,       Op::kDelete,
                     Op::kIncrement, Op::kDecrement, Op::kQuit, Op::kFlush,   Op::kNoop,
                     Op::kVersion, Op::kGetK, Op::kAppend,  Op::kPrepend,       Op::kStat,
                     Op::kTouch, Op::kGat,     Op::kGatK,   Op::kSaslListMechs, Op::kSaslAuth,
                     Op::kSaslStep};
  for (Op op : loud) {
    const BinaryCommand cmd = ClassifyBinaryOpcode(static_cast<uint8_t>(op));
    EXPECT_TRUE(cmd.known) << int(op);
    EXPECT_FALSE(cmd.quiet) << int(op);
    EXPECT_EQ(cmd.op, op) << int(op);
  }
}

TEST(BinaryHeaderTest, ExactlyMemcachedsOpcodesAreKnown) {
  // 0x00-0x1a, 0x1c-0x1e, 0x20-0x24: memcached 1.6's dispatch table.
  std::set<int> known;
  for (int op = 0x00; op <= 0x1a; ++op) known.insert(op);
  for (int op = 0x1c; op <= 0x1e; ++op) known.insert(op);
  for (int op = 0x20; op <= 0x24; ++op) known.insert(op);
  for (int op = 0; op < 256; ++op) {
    const BinaryCommand cmd = ClassifyBinaryOpcode(static_cast<uint8_t>(op));
    EXPECT_EQ(cmd.known, known.count(op) == 1) << "opcode " << op;
    if (!cmd.known) {
      EXPECT_FALSE(cmd.quiet) << "opcode " << op;
      EXPECT_EQ(static_cast<int>(cmd.op), op) << "opcode " << op;
    }
  }
}

TEST(BinaryHeaderTest, NoBodyCommandsTakeNothing) {
  for (Op op : {Op::kVersion, Op::kNoop, Op::kQuit, Op::kQuitQ, Op::kSaslListMechs}) {
    EXPECT_TRUE(ShapeOk(op, 0, 0, 0)) << int(op);
    EXPECT_FALSE(ShapeOk(op, 1, 0, 1)) << int(op);
    EXPECT_FALSE(ShapeOk(op, 0, 1, 1)) << int(op);
    EXPECT_FALSE(ShapeOk(op, 0, 0, 1)) << int(op);
  }
}

TEST(BinaryHeaderTest, FlushTakesNoExtrasOrAFourByteDelay) {
  for (Op op : {Op::kFlush, Op::kFlushQ}) {
    EXPECT_TRUE(ShapeOk(op, 0, 0, 0));
    EXPECT_TRUE(ShapeOk(op, 4, 0, 4));
    EXPECT_FALSE(ShapeOk(op, 8, 0, 8));
    EXPECT_FALSE(ShapeOk(op, 4, 0, 5));  // a value
    EXPECT_FALSE(ShapeOk(op, 0, 1, 1));  // a key
    EXPECT_FALSE(ShapeOk(op, 0, 0, 4));
  }
}

TEST(BinaryHeaderTest, SetAddReplaceNeedEightExtrasAndAKey) {
  for (Op op : {Op::kSet, Op::kAdd, Op::kReplace, Op::kSetQ, Op::kAddQ, Op::kReplaceQ}) {
    EXPECT_TRUE(ShapeOk(op, 8, 1, 9)) << int(op);      // empty value
    EXPECT_TRUE(ShapeOk(op, 8, 3, 1000)) << int(op);
    EXPECT_FALSE(ShapeOk(op, 8, 0, 8)) << int(op);     // no key
    EXPECT_FALSE(ShapeOk(op, 4, 3, 1000)) << int(op);  // wrong extras
    EXPECT_FALSE(ShapeOk(op, 0, 3, 1000)) << int(op);
    EXPECT_FALSE(ShapeOk(op, 8, 3, 10)) << int(op);    // body < key + 8
  }
}

TEST(BinaryHeaderTest, GetsTakeAKeyOnly) {
  for (Op op : {Op::kGet, Op::kGetQ, Op::kGetK, Op::kGetKQ}) {
    EXPECT_TRUE(ShapeOk(op, 0, 5, 5)) << int(op);
    EXPECT_FALSE(ShapeOk(op, 0, 0, 0)) << int(op);
    EXPECT_FALSE(ShapeOk(op, 0, 5, 6)) << int(op);
    EXPECT_FALSE(ShapeOk(op, 4, 5, 9)) << int(op);
  }
}

TEST(BinaryHeaderTest, DeleteTakesAKeyOnly) {
  for (Op op : {Op::kDelete, Op::kDeleteQ}) {
    EXPECT_TRUE(ShapeOk(op, 0, 1, 1));
    EXPECT_FALSE(ShapeOk(op, 0, 0, 0));
    EXPECT_FALSE(ShapeOk(op, 0, 1, 2));
    EXPECT_FALSE(ShapeOk(op, 4, 1, 5));
  }
}

TEST(BinaryHeaderTest, IncrDecrTakeTwentyExtrasAndAKeyAndNoValue) {
  for (Op op : {Op::kIncrement, Op::kDecrement, Op::kIncrementQ, Op::kDecrementQ}) {
    EXPECT_TRUE(ShapeOk(op, 20, 3, 23)) << int(op);
    EXPECT_FALSE(ShapeOk(op, 20, 0, 20)) << int(op);
    EXPECT_FALSE(ShapeOk(op, 20, 3, 24)) << int(op);
    EXPECT_FALSE(ShapeOk(op, 8, 3, 11)) << int(op);
    EXPECT_FALSE(ShapeOk(op, 0, 3, 3)) << int(op);
  }
}

TEST(BinaryHeaderTest, AppendPrependTakeAKeyAnyValueAndNoExtras) {
  for (Op op : {Op::kAppend, Op::kPrepend, Op::kAppendQ, Op::kPrependQ}) {
    EXPECT_TRUE(ShapeOk(op, 0, 1, 1)) << int(op);
    EXPECT_TRUE(ShapeOk(op, 0, 1, 100)) << int(op);
    EXPECT_FALSE(ShapeOk(op, 0, 0, 100)) << int(op);
    EXPECT_FALSE(ShapeOk(op, 8, 1, 100)) << int(op);
  }
}

TEST(BinaryHeaderTest, StatForbidsOnlyExtras) {
  EXPECT_TRUE(ShapeOk(Op::kStat, 0, 0, 0));
  EXPECT_TRUE(ShapeOk(Op::kStat, 0, 5, 5));
  EXPECT_TRUE(ShapeOk(Op::kStat, 0, 5, 9));  // memcached does not forbid a value
  EXPECT_FALSE(ShapeOk(Op::kStat, 4, 0, 4));
}

TEST(BinaryHeaderTest, SaslAuthAndStepNeedAMechanismAndNoExtras) {
  for (Op op : {Op::kSaslAuth, Op::kSaslStep}) {
    EXPECT_TRUE(ShapeOk(op, 0, 5, 5));
    EXPECT_TRUE(ShapeOk(op, 0, 5, 20));
    EXPECT_FALSE(ShapeOk(op, 0, 0, 20));
    EXPECT_FALSE(ShapeOk(op, 4, 5, 20));
  }
}

TEST(BinaryHeaderTest, TouchAndGatNeedFourExtrasAndAKey) {
  for (Op op : {Op::kTouch, Op::kGat, Op::kGatQ, Op::kGatK, Op::kGatKQ}) {
    EXPECT_TRUE(ShapeOk(op, 4, 1, 5)) << int(op);
    EXPECT_TRUE(ShapeOk(op, 4, 1, 9)) << int(op);  // memcached does not forbid a value
    EXPECT_FALSE(ShapeOk(op, 4, 0, 4)) << int(op);
    EXPECT_FALSE(ShapeOk(op, 0, 1, 1)) << int(op);
    EXPECT_FALSE(ShapeOk(op, 8, 1, 9)) << int(op);
  }
}

TEST(BinaryHeaderTest, ShapeRulesAreOverflowSafeAtMaximumLengths) {
  EXPECT_TRUE(ShapeOk(Op::kSet, 8, 0xffff, 0xffffu + 8));
  EXPECT_FALSE(ShapeOk(Op::kSet, 8, 0xffff, 0xffffu + 7));
  EXPECT_TRUE(ShapeOk(Op::kIncrement, 20, 0xffff, 0xffffu + 20));
  EXPECT_FALSE(ShapeOk(Op::kNoop, 0, 0, 0xffffffff));
}

TEST(BinaryHeaderTest, StatusTextIsMemcachedsErrorText) {
  EXPECT_EQ(BinaryStatusText(BinaryStatus::kOk), "");
  EXPECT_EQ(BinaryStatusText(BinaryStatus::kKeyNotFound), "Not found");
  EXPECT_EQ(BinaryStatusText(BinaryStatus::kKeyExists), "Data exists for key.");
  EXPECT_EQ(BinaryStatusText(BinaryStatus::kTooLarge), "Too large.");
  EXPECT_EQ(BinaryStatusText(BinaryStatus::kInvalidArguments), "Invalid arguments");
  EXPECT_EQ(BinaryStatusText(BinaryStatus::kNotStored), "Not stored.");
  EXPECT_EQ(BinaryStatusText(BinaryStatus::kNonNumeric),
            "Non-numeric server-side value for incr or decr");
  EXPECT_EQ(BinaryStatusText(BinaryStatus::kAuthError), "Auth failure.");
  EXPECT_EQ(BinaryStatusText(BinaryStatus::kAuthContinue), "");
  EXPECT_EQ(BinaryStatusText(BinaryStatus::kUnknownCommand), "Unknown command");
  EXPECT_EQ(BinaryStatusText(BinaryStatus::kOutOfMemory), "Out of memory");
}

TEST(BinaryHeaderTest, StatusCodesAreTheWireValues) {
  EXPECT_EQ(static_cast<int>(BinaryStatus::kKeyNotFound), 0x01);
  EXPECT_EQ(static_cast<int>(BinaryStatus::kKeyExists), 0x02);
  EXPECT_EQ(static_cast<int>(BinaryStatus::kTooLarge), 0x03);
  EXPECT_EQ(static_cast<int>(BinaryStatus::kInvalidArguments), 0x04);
  EXPECT_EQ(static_cast<int>(BinaryStatus::kNotStored), 0x05);
  EXPECT_EQ(static_cast<int>(BinaryStatus::kNonNumeric), 0x06);
  EXPECT_EQ(static_cast<int>(BinaryStatus::kAuthError), 0x20);
  EXPECT_EQ(static_cast<int>(BinaryStatus::kAuthContinue), 0x21);
  EXPECT_EQ(static_cast<int>(BinaryStatus::kUnknownCommand), 0x81);
  EXPECT_EQ(static_cast<int>(BinaryStatus::kOutOfMemory), 0x82);
}

}  // namespace
}  // namespace slabd::proto
