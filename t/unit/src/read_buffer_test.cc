// ReadBuffer: consumed prefixes, compaction and growth for long command lines.
#include "src/read_buffer.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace slabd::server {
namespace {

void Put(ReadBuffer& b, const std::string& s) {
  char* p = b.WritePtr();
  ASSERT_GE(b.WriteSpace(), s.size());
  std::memcpy(p, s.data(), s.size());
  b.Commit(s.size());
}

TEST(ReadBufferTest, ConsumeAdvancesAndEmptyResets) {
  ReadBuffer b;
  Put(b, "get a\r\nget b\r\n");
  EXPECT_EQ(b.data(), "get a\r\nget b\r\n");
  b.Consume(7);
  EXPECT_EQ(b.data(), "get b\r\n");
  b.Consume(7);
  EXPECT_EQ(b.size(), 0u);
  EXPECT_EQ(b.WriteSpace(), ReadBuffer::kBaseSize);
}

TEST(ReadBufferTest, GrowKeepsUnparsedBytesAndStopsAtLimit) {
  ReadBuffer b;
  std::string line(ReadBuffer::kBaseSize, 'k');
  Put(b, line);
  EXPECT_EQ(b.WriteSpace(), 0u);
  ASSERT_TRUE(b.Grow(4 * ReadBuffer::kBaseSize));
  EXPECT_EQ(b.capacity(), 2 * ReadBuffer::kBaseSize);
  EXPECT_EQ(b.data(), line);
  ASSERT_TRUE(b.Grow(4 * ReadBuffer::kBaseSize));
  EXPECT_FALSE(b.Grow(4 * ReadBuffer::kBaseSize));
  b.Consume(b.size());
  b.Release();
  EXPECT_EQ(b.capacity(), 0u);
  Put(b, "x");
  EXPECT_EQ(b.capacity(), ReadBuffer::kBaseSize);
}

TEST(ReadBufferTest, ReleaseKeepsUnparsedBytes) {
  ReadBufferPool pool;
  ReadBuffer b(&pool);
  Put(b, "get a");
  b.Release();
  EXPECT_EQ(b.data(), "get a");
  EXPECT_EQ(pool.spare(), 0u);
}

TEST(ReadBufferTest, IdleBuffersGoBackToThePoolAndAreReused) {
  ReadBufferPool pool;
  ReadBuffer a(&pool);
  Put(a, "version\r\n");
  const char* first = a.data().data();
  a.Consume(a.size());
  a.Release();
  EXPECT_EQ(a.capacity(), 0u);
  EXPECT_EQ(pool.spare(), 1u);
  ReadBuffer b(&pool);
  Put(b, "get k\r\n");
  EXPECT_EQ(b.data().data(), first);  // the same memory, no new allocation
  EXPECT_EQ(pool.spare(), 0u);
}

TEST(ReadBufferTest, CompactsWhenTailIsShort) {
  ReadBuffer b;
  Put(b, std::string(ReadBuffer::kBaseSize - 10, 'x'));
  b.Consume(ReadBuffer::kBaseSize - 20);
  char* p = b.WritePtr();
  EXPECT_EQ(b.data(), std::string(10, 'x'));
  EXPECT_EQ(p, b.data().data() + 10);
  EXPECT_EQ(b.WriteSpace(), ReadBuffer::kBaseSize - 10);
}

}  // namespace
}  // namespace slabd::server
