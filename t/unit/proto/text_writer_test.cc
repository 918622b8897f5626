// Reply writer: exact bytes of every function and constant, and no reallocation once the
// output string has capacity.
#include "proto/text_writer.h"

#include <cstdint>
#include <limits>
#include <string>

#include <gtest/gtest.h>

namespace slabd::proto {
namespace {

class TextWriterTest : public ::testing::Test {
 protected:
  std::string out_;
};

TEST_F(TextWriterTest, ValueHeader) {
  AppendValueHeader(out_, "foo", 5, 3);
  EXPECT_EQ(out_, "VALUE foo 5 3\r\n");
}

TEST_F(TextWriterTest, ValueHeaderWithLimits) {
  AppendValueHeader(out_, "k", std::numeric_limits<uint32_t>::max(), 0);
  EXPECT_EQ(out_, "VALUE k 4294967295 0\r\n");
}

TEST_F(TextWriterTest, ValueHeaderCas) {
  AppendValueHeaderCas(out_, "foo", 0, 1, std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(out_, "VALUE foo 0 1 18446744073709551615\r\n");
}

// The whole reply to one key. Values up to 512 bytes are written in place after one resize,
// longer ones appended: both sides of that boundary, the empty value, and data holding the
// bytes a reply is framed by.
TEST_F(TextWriterTest, ValueIsHeaderDataAndCrlf) {
  using namespace std::string_literals;
  out_ = "before";
  AppendValue(out_, "foo", 5, "bar");
  AppendValueCas(out_, "k", 0, "", 18446744073709551615u);
  AppendValue(out_, "bin", 4294967295u, "a\r\nEND\r\n\0z"s);
  EXPECT_EQ(out_,
            "beforeVALUE foo 5 3\r\nbar\r\n"
            "VALUE k 0 0 18446744073709551615\r\n\r\n"
            "VALUE bin 4294967295 10\r\na\r\nEND\r\n\0z\r\n"s);
}

TEST_F(TextWriterTest, ValueAtAndPastTheInPlaceLimit) {
  const std::string key(250, 'k');
  for (size_t size : {size_t{0}, size_t{1}, size_t{511}, size_t{512}, size_t{513}, size_t{5000}}) {
    const std::string data(size, 'v');
    std::string expected = "VALUE " + key + " 7 " + std::to_string(size) + "\r\n" + data + "\r\n";
    out_.clear();
    AppendValue(out_, key, 7, data);
    EXPECT_EQ(out_, expected) << size;
    out_.clear();
    AppendValueCas(out_, key, 7, data, 99);
    expected.insert(expected.find("\r\n"), " 99");
    EXPECT_EQ(out_, expected) << size;
  }
}

TEST_F(TextWriterTest, LineEndAndNumber) {
  AppendLine(out_, "VERSION 1.6.18");
  AppendNumberLine(out_, 0);
  AppendNumberLine(out_, 18446744073709551615u);
  AppendEnd(out_);
  EXPECT_EQ(out_, "VERSION 1.6.18\r\n0\r\n18446744073709551615\r\nEND\r\n");
}

TEST_F(TextWriterTest, StatOverloads) {
  AppendStat(out_, "pid", uint64_t{3941});
  AppendStat(out_, "neg", int64_t{-5});
  AppendStat(out_, "u32", uint32_t{7});
  AppendStat(out_, "i32", -7);
  AppendStat(out_, "size", size_t{8});
  AppendStat(out_, "version", std::string_view("1.6.18"));
  AppendStat(out_, "cas_enabled", "yes");
  EXPECT_EQ(out_,
            "STAT pid 3941\r\nSTAT neg -5\r\nSTAT u32 7\r\nSTAT i32 -7\r\nSTAT size 8\r\n"
            "STAT version 1.6.18\r\nSTAT cas_enabled yes\r\n");
}

TEST_F(TextWriterTest, RusageIsSecondsDotSixDigitMicroseconds) {
  AppendStatRusage(out_, "rusage_user", 0, 103463);
  AppendStatRusage(out_, "rusage_system", 12, 5);
  AppendStatRusage(out_, "x", 1, 0);
  AppendStatRusage(out_, "n", 0, -5);  // printf("%06ld", -5l) == "-00005"
  EXPECT_EQ(out_,
            "STAT rusage_user 0.103463\r\nSTAT rusage_system 12.000005\r\nSTAT x 1.000000\r\n"
            "STAT n 0.-00005\r\n");
}

TEST_F(TextWriterTest, FixedRepliesAreExact) {
  EXPECT_EQ(kStored, "STORED\r\n");
  EXPECT_EQ(kNotStored, "NOT_STORED\r\n");
  EXPECT_EQ(kExists, "EXISTS\r\n");
  EXPECT_EQ(kNotFound, "NOT_FOUND\r\n");
  EXPECT_EQ(kDeleted, "DELETED\r\n");
  EXPECT_EQ(kTouched, "TOUCHED\r\n");
  EXPECT_EQ(kOk, "OK\r\n");
  EXPECT_EQ(kEnd, "END\r\n");
  EXPECT_EQ(kReset, "RESET\r\n");
  EXPECT_EQ(kError, "ERROR\r\n");
  EXPECT_EQ(kClientErrorBadDataChunk, "CLIENT_ERROR bad data chunk\r\n");
  EXPECT_EQ(kClientErrorBadCommandLineFormat, "CLIENT_ERROR bad command line format\r\n");
  EXPECT_EQ(kServerErrorObjectTooLarge, "SERVER_ERROR object too large for cache\r\n");
  EXPECT_EQ(kServerErrorOutOfMemoryStoring, "SERVER_ERROR out of memory storing object\r\n");
  EXPECT_EQ(kClientErrorNonNumericValue,
            "CLIENT_ERROR cannot increment or decrement non-numeric value\r\n");
  EXPECT_EQ(kServerErrorOutOfMemory, "SERVER_ERROR out of memory\r\n");
  EXPECT_EQ(kErrorShutdownNotEnabled, "ERROR: shutdown not enabled\r\n");
  EXPECT_EQ(kClientErrorDeleteUsage,
            "CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]\r\n");
  EXPECT_EQ(WithoutCrlf(kStored), "STORED");
}

TEST_F(TextWriterTest, AppendingDoesNotReallocateOnceCapacityExists) {
  out_.reserve(4096);
  const char* before = out_.data();
  for (int i = 0; i < 20; ++i) {
    AppendValueHeaderCas(out_, "some_key", 123, 456, 789);
    AppendValue(out_, "some_key", 123, "value");
    AppendStat(out_, "curr_items", uint64_t{12345});
    AppendStatRusage(out_, "rusage_user", 1, 2);
    AppendNumberLine(out_, 42);
  }
  EXPECT_EQ(out_.data(), before);
}

}  // namespace
}  // namespace slabd::proto
