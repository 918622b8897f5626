// OutputQueue: text and zero-copy segments leave in order, across partial writes.
#include "src/output_queue.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace slabd::server {
namespace {

class OutputQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds_), 0);
    fcntl(fds_[0], F_SETFL, O_NONBLOCK);
  }
  void TearDown() override {
    close(fds_[0]);
    close(fds_[1]);
  }
  std::string Drain() {
    std::string got;
    char buf[65536];
    fcntl(fds_[1], F_SETFL, O_NONBLOCK);
    for (;;) {
      ssize_t n = read(fds_[1], buf, sizeof(buf));
      if (n <= 0) break;
      got.append(buf, static_cast<size_t>(n));
    }
    return got;
  }
  int fds_[2];
};

TEST_F(OutputQueueTest, SmallValuesAreCopiedAndWrittenInOrder) {
  OutputQueue q;
  q.Append("VALUE a 0 3\r\n");
  q.AppendValue("abc", slab::ItemRef());
  q.Append("\r\nEND\r\n");
  EXPECT_EQ(q.pending_bytes(), 23u);
  uint64_t written = 0;
  EXPECT_EQ(q.WriteTo(fds_[0], &written), OutputQueue::WriteStatus::kDone);
  EXPECT_EQ(written, 23u);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(Drain(), "VALUE a 0 3\r\nabc\r\nEND\r\n");
}

TEST_F(OutputQueueTest, LargeValueIsReferencedAndSurvivesPartialWrites) {
  std::string big(1 << 20, 'v');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  OutputQueue q;
  q.Append("VALUE big 0 1048576\r\n");
  q.AppendValue(big, slab::ItemRef());
  q.Append("\r\nEND\r\n");
  std::string expect = "VALUE big 0 1048576\r\n" + big + "\r\nEND\r\n";
  std::string got;
  uint64_t written = 0;
  for (int rounds = 0; rounds < 10000; ++rounds) {
    OutputQueue::WriteStatus s = q.WriteTo(fds_[0], &written);
    ASSERT_NE(s, OutputQueue::WriteStatus::kError);
    got += Drain();
    if (s == OutputQueue::WriteStatus::kDone) break;
    // Appending more text while a write is pending must not disturb queued bytes.
  }
  got += Drain();
  EXPECT_EQ(written, expect.size());
  EXPECT_TRUE(got == expect);
}

TEST_F(OutputQueueTest, TextAppendedAfterPartialWriteKeepsOrder) {
  int small = 4096;
  setsockopt(fds_[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
  OutputQueue q;
  std::string first(200000, 'x');
  q.Append(first);
  uint64_t written = 0;
  ASSERT_EQ(q.WriteTo(fds_[0], &written), OutputQueue::WriteStatus::kBlocked);
  q.Append("tail");  // may reallocate the buffer under the pending segment
  std::string got = Drain();
  while (q.WriteTo(fds_[0], &written) != OutputQueue::WriteStatus::kDone) got += Drain();
  got += Drain();
  EXPECT_EQ(got, first + "tail");
}

std::string Gathered(OutputQueue& q, uint64_t offset, uint64_t length) {
  std::vector<iovec> iov;
  q.Gather(offset, length, &iov);
  std::string out;
  for (const iovec& v : iov) out.append(static_cast<const char*>(v.iov_base), v.iov_len);
  return out;
}

TEST_F(OutputQueueTest, MessagesAreIgnoredUnlessTracked) {
  OutputQueue q;
  q.Append("STORED\r\n");
  q.EndMessage();
  EXPECT_TRUE(q.messages().empty());
}

TEST_F(OutputQueueTest, TrackedMessagesRecordLengthsAndSkips) {
  OutputQueue q;
  q.TrackMessages();
  q.Append("STORED\r\n");
  q.EndMessage(/*empty_is_skip=*/true);
  q.EndMessage(/*empty_is_skip=*/true);   // noreply: nothing appended
  q.EndMessage(/*empty_is_skip=*/false);  // quit: an empty message that is not a skip
  ASSERT_EQ(q.messages().size(), 3u);
  EXPECT_EQ(q.messages()[0].length, 8u);
  EXPECT_FALSE(q.messages()[0].skip);
  EXPECT_EQ(q.messages()[1].length, 0u);
  EXPECT_TRUE(q.messages()[1].skip);
  EXPECT_FALSE(q.messages()[2].skip);
  q.Discard();
  EXPECT_TRUE(q.messages().empty());
  EXPECT_TRUE(q.empty());
}

TEST_F(OutputQueueTest, GatherSlicesAcrossCopiedAndReferencedSegments) {
  std::string big(5000, 'x');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  OutputQueue q;
  q.TrackMessages();
  q.Append("VALUE big 0 5000\r\n");
  q.AppendValue(big, slab::ItemRef());  // referenced, not copied
  q.Append("\r\nEND\r\n");
  q.EndMessage();
  const std::string all = "VALUE big 0 5000\r\n" + big + "\r\nEND\r\n";
  ASSERT_EQ(q.messages()[0].length, all.size());
  EXPECT_EQ(Gathered(q, 0, all.size()), all);
  EXPECT_EQ(Gathered(q, 0, 1392), all.substr(0, 1392));
  EXPECT_EQ(Gathered(q, 1392, 1392), all.substr(1392, 1392));
  EXPECT_EQ(Gathered(q, 4176, all.size() - 4176), all.substr(4176));
  EXPECT_EQ(Gathered(q, 10, 5), all.substr(10, 5));
  EXPECT_EQ(Gathered(q, all.size() - 3, 3), "D\r\n");
}

}  // namespace
}  // namespace slabd::server
