// Base64: RFC 4648 vectors, round trips over every byte value, and the decoder's answers on the
// inputs memcached 1.6.18's base64.c (the `b` flag's decoder) handles specially.
#include "proto/base64.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace slabd::proto {
namespace {

std::string Encode(std::string_view in) {
  std::string out;
  AppendBase64(out, in);
  return out;
}

constexpr std::string_view kError = "<error>";

// The decoded bytes, or kError when Base64Decode reports an error (0). Decodes into a buffer
// of exactly `room` bytes followed by guard bytes that must stay untouched.
std::string Decode(std::string_view in, size_t room = 1024) {
  std::string buf(room + 16, '#');
  const size_t n = Base64Decode(in, buf.data(), room);
  EXPECT_EQ(buf.substr(room), std::string(16, '#')) << "wrote past out_size for " << in;
  EXPECT_LE(n, room);
  if (n == 0) return std::string(kError);
  return buf.substr(0, n);
}

TEST(Base64Test, EncodesTheRfc4648Vectors) {
  EXPECT_EQ(Encode(""), "");
  EXPECT_EQ(Encode("f"), "Zg==");
  EXPECT_EQ(Encode("fo"), "Zm8=");
  EXPECT_EQ(Encode("foo"), "Zm9v");
  EXPECT_EQ(Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(Encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Encode("foobar"), "Zm9vYmFy");
}

TEST(Base64Test, DecodesTheRfc4648Vectors) {
  EXPECT_EQ(Decode("Zg=="), "f");
  EXPECT_EQ(Decode("Zm8="), "fo");
  EXPECT_EQ(Decode("Zm9v"), "foo");
  EXPECT_EQ(Decode("Zm9vYg=="), "foob");
  EXPECT_EQ(Decode("Zm9vYmE="), "fooba");
  EXPECT_EQ(Decode("Zm9vYmFy"), "foobar");
}

TEST(Base64Test, AppendKeepsWhatIsAlreadyThere) {
  std::string out = "k";
  AppendBase64(out, "foo");
  AppendBase64(out, "f");
  EXPECT_EQ(out, "kZm9vZg==");
}

TEST(Base64Test, UsesTheStandardAlphabetWithPlusAndSlash) {
  EXPECT_EQ(Encode(std::string("\xfb\xff\xbf", 3)), "+/+/");
  EXPECT_EQ(Decode("+/+/"), std::string("\xfb\xff\xbf", 3));
  EXPECT_EQ(Encode(std::string("\x00\x00\x00", 3)), "AAAA");
  EXPECT_EQ(Decode("AAAA"), std::string(3, '\0'));
}

TEST(Base64Test, EncodedLengthRoundsUpToWholeQuads) {
  EXPECT_EQ(Base64EncodedLength(0), 0u);
  EXPECT_EQ(Base64EncodedLength(1), 4u);
  EXPECT_EQ(Base64EncodedLength(3), 4u);
  EXPECT_EQ(Base64EncodedLength(4), 8u);
  EXPECT_EQ(Base64EncodedLength(250), 336u);  // the longest meta key, encoded
  for (size_t n = 0; n < 64; ++n) EXPECT_EQ(Encode(std::string(n, 'x')).size(), Base64EncodedLength(n));
}

TEST(Base64Test, EveryByteValueRoundTrips) {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  EXPECT_EQ(Decode(Encode(all)), all);
  EXPECT_EQ(Decode(Encode(all), 258), all);
  // Every length, so each padding shape meets every byte value.
  for (size_t n = 1; n <= 260; ++n) {
    std::string in;
    for (size_t i = 0; i < n; ++i) in.push_back(static_cast<char>((i * 131 + n) & 0xff));
    EXPECT_EQ(Decode(Encode(in)), in) << "length " << n;
  }
}

// As memcached's base64_decode, the room needed is three bytes per quad, padding included.
TEST(Base64Test, NeedsRoomForThreeBytesPerQuad) {
  EXPECT_EQ(Decode("Zm9v", 3), "foo");
  EXPECT_EQ(Decode("Zm9vYg==", 6), "foob");
  EXPECT_EQ(Decode("Zg==", 3), "f");
  const std::string key(250, 'k');
  EXPECT_EQ(Decode(Encode(key), 252), key);  // the longest meta key: 336 bytes encoded
}

TEST(Base64Test, TooLittleRoomIsAnErrorAndNothingIsWrittenPastTheBuffer) {
  EXPECT_EQ(Decode("Zm9v", 2), kError);
  EXPECT_EQ(Decode("Zm9vYg==", 5), kError);
  EXPECT_EQ(Decode("Zg==", 2), kError);
  EXPECT_EQ(Decode("Zm9vYmFy", 5), kError);
  EXPECT_EQ(Decode("Zm9v", 0), kError);
  EXPECT_EQ(Decode(Encode(std::string(250, 'k')), 251), kError);
}

TEST(Base64Test, EmptyInputIsAnError) { EXPECT_EQ(Decode(""), kError); }

TEST(Base64Test, IncompleteQuadsAreErrors) {
  EXPECT_EQ(Decode("Z"), kError);
  EXPECT_EQ(Decode("Zm"), kError);
  EXPECT_EQ(Decode("Zm9"), kError);
  EXPECT_EQ(Decode("Zm9vY"), kError);
  EXPECT_EQ(Decode("Zg="), kError);
}

TEST(Base64Test, ThreePadBytesAreAnError) {
  EXPECT_EQ(Decode("Z==="), kError);
  EXPECT_EQ(Decode("===="), kError);
}

TEST(Base64Test, InputWithNothingFromTheAlphabetIsAnError) {
  EXPECT_EQ(Decode("!!!!"), kError);
  EXPECT_EQ(Decode(std::string_view("\0\0\0\0", 4)), kError);
  EXPECT_EQ(Decode("\xff\xff\xff\xff"), kError);
}

// memcached's decoder (base64.c, used by the meta `b` flag) skips every byte outside the
// alphabet before grouping quads: 1.6.18 answers `mg Zm9v! b v` and `mg !Zm9v b v` with the
// value of key "foo", exactly like `mg Zm9v b v`.
TEST(Base64Test, BytesOutsideTheAlphabetAreSkippedAsMemcachedDoes) {
  EXPECT_EQ(Decode("Zm9v!"), "foo");
  EXPECT_EQ(Decode("!Zm9v"), "foo");
  EXPECT_EQ(Decode("Zm9v\xff"), "foo");
  EXPECT_EQ(Decode("Zm\r9v"), "foo");
  EXPECT_EQ(Decode("Zm9v!!"), "foo");
  EXPECT_EQ(Decode("Zm9v Zg"), kError);  // six alphabet bytes: not whole quads
  EXPECT_EQ(Decode("Zg==\xff"), "f");
}

// memcached counts '=' as a zero-valued symbol wherever it appears and stops after the first
// quad holding one: 1.6.18 echoes `mg Zg==Zm9v b k` as `EN kZg== b` and `mg Zm=v b k` as
// `EN kZmA= b` (the two bytes "f`").
TEST(Base64Test, PaddingEndsTheDecodeAsMemcachedDoes) {
  EXPECT_EQ(Decode("Zg==Zm9v"), "f");
  EXPECT_EQ(Decode("Zm=v"), "f`");
  EXPECT_EQ(Decode("=Zm9"), std::string("\x01\x99", 2));
}

}  // namespace
}  // namespace slabd::proto
