// ReadBuffer: bytes received on a connection and not yet parsed.
//
// A flat array with a consumed prefix: parsing hands out string_views into it (keys
// are views, never copies), consuming advances `start_`, and Compact() moves the
// unparsed tail to the front before the next read. It is 16 KB and grows only for
// one long command line (large multigets).
//
// An idle connection holds no buffer: Release() hands an empty buffer back to its
// worker's ReadBufferPool and the next read takes one again (a pointer pop, no
// allocation in steady state). So 10 000 idle clients cost no read-buffer memory,
// as in memcached, whose connections borrow a per-thread buffer the same way.
//
// Thread safety: owned by one connection on one worker thread; the pool belongs to
// that worker.
#ifndef SLABD_SRC_READ_BUFFER_H_
#define SLABD_SRC_READ_BUFFER_H_

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

namespace slabd::server {

// Spare base-size buffers of one worker thread.
class ReadBufferPool {
 public:
  static constexpr size_t kMaxSpare = 64;
  std::unique_ptr<char[]> Take();
  void Give(std::unique_ptr<char[]> buffer);
  size_t spare() const { return spare_.size(); }

 private:
  std::vector<std::unique_ptr<char[]>> spare_;
};

class ReadBuffer {
 public:
  static constexpr size_t kBaseSize = 16 * 1024;

  // `pool` may be null (buffers are then allocated and freed directly).
  explicit ReadBuffer(ReadBufferPool* pool = nullptr) : pool_(pool) {}
  ~ReadBuffer() { Release(); }
  ReadBuffer(ReadBuffer&&) = delete;
  ReadBuffer& operator=(ReadBuffer&&) = delete;

  std::string_view data() const { return {buf_.get() + start_, end_ - start_}; }
  size_t size() const { return end_ - start_; }
  void Consume(size_t n) {
    start_ += n;
    if (start_ == end_) start_ = end_ = 0;
  }
  // Space to read into; takes a buffer when none is held and Compact()s first when
  // the tail is short.
  char* WritePtr();
  size_t WriteSpace() const { return capacity_ - end_; }
  void Commit(size_t n) { end_ += n; }
  // Doubles the capacity (keeping the data), up to `limit`; false at the limit.
  bool Grow(size_t limit);
  // Gives the buffer up if it holds no unparsed bytes (grown buffers are freed,
  // base-size ones go back to the pool). Unparsed bytes are always kept.
  void Release();
  size_t capacity() const { return capacity_; }

 private:
  void Compact();
  void Allocate(size_t capacity);

  ReadBufferPool* pool_;
  std::unique_ptr<char[]> buf_;
  size_t capacity_ = 0;
  size_t start_ = 0;
  size_t end_ = 0;
};

}  // namespace slabd::server

#endif  // SLABD_SRC_READ_BUFFER_H_
