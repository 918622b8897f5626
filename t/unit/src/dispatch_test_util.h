// Shared by the dispatcher unit tests (text, binary, meta): a clock the test moves by hand,
// and a socket pair that reads an OutputQueue back as a client would. Values over
// OutputQueue::kCopyLimit are referenced from the item, not copied into the queue's text,
// so only writing the queue out shows every reply byte.
#ifndef SLABD_T_UNIT_SRC_DISPATCH_TEST_UTIL_H_
#define SLABD_T_UNIT_SRC_DISPATCH_TEST_UTIL_H_

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <string>

#include "slab/clock.h"
#include "src/output_queue.h"

namespace slabd::server {

// Starts at 100 s of uptime, epoch 1700000000.
class ManualClock : public slab::Clock {
 public:
  slab::RelTime Now() const override { return now_.load(); }
  int64_t EpochUnix() const override { return 1700000000; }
  void Advance(uint32_t s) { now_ += s; }

 private:
  std::atomic<slab::RelTime> now_{100};
};

// A non-blocking AF_UNIX socket pair standing in for the client connection.
class ReplyPipe {
 public:
  ReplyPipe() {
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds_), 0);
    fcntl(fds_[0], F_SETFL, O_NONBLOCK);
    fcntl(fds_[1], F_SETFL, O_NONBLOCK);
  }
  ~ReplyPipe() {
    close(fds_[0]);
    close(fds_[1]);
  }
  ReplyPipe(const ReplyPipe&) = delete;
  ReplyPipe& operator=(const ReplyPipe&) = delete;

  // Writes everything `out` holds and returns the bytes the client end reads.
  std::string Drain(OutputQueue& out) {
    std::string got;
    uint64_t written = 0;
    char buf[65536];
    for (int rounds = 0; rounds < 100000; ++rounds) {
      const OutputQueue::WriteStatus s = out.WriteTo(fds_[0], &written);
      EXPECT_NE(s, OutputQueue::WriteStatus::kError);
      for (ssize_t n; (n = read(fds_[1], buf, sizeof(buf))) > 0;) got.append(buf, size_t(n));
      if (s != OutputQueue::WriteStatus::kBlocked) break;
    }
    return got;
  }

 private:
  int fds_[2] = {-1, -1};
};

}  // namespace slabd::server

#endif  // SLABD_T_UNIT_SRC_DISPATCH_TEST_UTIL_H_
