// Connection: one driver socket, its unsent request bytes, its open requests and its
// reply scanner.
//
// Requests are appended to the output queue as they are generated and leave in ONE
// write per Flush(), however many there are. Read() does one read into the thread's
// big shared buffer, scans whole replies out of it, matches each to the oldest open
// request (reply_match.h) and reports each completed request to the caller's
// DriverStats; an incomplete header line is carried over in a small per-connection
// buffer, so idle connections own no big buffer. When the socket will not take every
// byte, the rest waits for EPOLLOUT (armed only then: no epoll_ctl per request).
//
// Failures (the server closed the socket, a read or write error, bytes that are not a
// reply or a reply to no request) are returned as kFailed with error() set; the driver
// treats every one as fatal for the run.
//
// Thread-compatible: owned and used by one driver thread.
#ifndef SLABD_SRC_BENCH_CONNECTION_H_
#define SLABD_SRC_BENCH_CONNECTION_H_

#include <cstdint>
#include <span>
#include <string>

#include "src/bench/byte_buffer.h"
#include "src/bench/driver_stats.h"
#include "src/bench/fast_random.h"
#include "src/bench/reply_scanner.h"
#include "src/bench/request_composer.h"
#include "src/bench/request_queue.h"

namespace slabd::bench {

enum class IoStatus : uint8_t { kOk, kFailed };

class Connection {
 public:
  // Takes ownership of `fd`, a connected non-blocking stream socket. `index` is the
  // connection's number in the whole run (messages, seeding, prefill slice).
  Connection(int fd, uint32_t index, const RequestComposer* composer, uint64_t seed);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  int fd() const { return fd_; }
  uint32_t index() const { return index_; }
  FastRandom& rng() { return rng_; }
  size_t outstanding() const { return pending_.size(); }
  const std::string& error() const { return error_; }

  // The epoll set the connection arms EPOLLOUT in when a write blocks. The caller has
  // added fd() to it for EPOLLIN, with data.u64 == token.
  void SetEpoll(int epoll_fd, uint64_t token) {
    epoll_fd_ = epoll_fd;
    epoll_token_ = token;
  }

  // Queue one request; it goes out with the next Flush().
  void QueueGet(uint64_t key, int64_t start_ns);
  void QueueMultiGet(std::span<const uint64_t> keys, int64_t start_ns);
  void QueueSet(uint64_t key, uint32_t value_len, int64_t start_ns);

  // Writes the queued bytes with one send(); what the socket does not take waits for
  // EPOLLOUT (then call Flush again).
  [[nodiscard]] IoStatus Flush();

  // One read() into buf[0, capacity), then every whole reply in it is matched and each
  // completed request reported to `stats`. REQUIRES: capacity > ReplyScanner::kMaxLine.
  [[nodiscard]] IoStatus Read(char* buf, size_t capacity, DriverStats& stats);

 private:
  // Applies one reply to the oldest open request; false (error_ set) if it cannot be one.
  bool OnReply(ReplyKind reply, int64_t now, DriverStats& stats);
  IoStatus Fail(std::string what);
  void ArmWrite(bool on);

  int fd_;
  uint32_t index_;
  int epoll_fd_ = -1;
  uint64_t epoll_token_ = 0;
  bool write_armed_ = false;
  const RequestComposer* composer_;
  ReplyScanner scanner_;
  FastRandom rng_;
  ByteBuffer out_;
  RequestQueue pending_;
  uint32_t head_hits_ = 0;    // kValue replies seen for pending_.front()
  uint32_t head_errors_ = 0;  // kError replies seen for pending_.front()
  uint32_t carry_len_ = 0;
  char carry_[ReplyScanner::kMaxLine];  // an incomplete header line from the last read
  std::string error_;
};

}  // namespace slabd::bench

#endif  // SLABD_SRC_BENCH_CONNECTION_H_
