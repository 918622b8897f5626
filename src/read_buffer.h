// ReadBuffer: bytes received on a connection and not yet parsed.
//
// A flat array with a consumed prefix: parsing hands out string_views into it (keys
// are views, never copies), consuming advances `start_`, and Compact() moves the
// unparsed tail to the front before the next read. It starts at 16 KB and grows only
// for one long command line (large multigets); Shrink() returns to the base size
// once idle.
//
// Thread safety: owned by one connection on one worker thread.
#ifndef SLABD_SRC_READ_BUFFER_H_
#define SLABD_SRC_READ_BUFFER_H_

#include <cstddef>
#include <memory>
#include <string_view>

namespace slabd::server {

class ReadBuffer {
 public:
  static constexpr size_t kBaseSize = 16 * 1024;

  std::string_view data() const { return {buf_.get() + start_, end_ - start_}; }
  size_t size() const { return end_ - start_; }
  void Consume(size_t n) {
    start_ += n;
    if (start_ == end_) start_ = end_ = 0;
  }
  // Space to read into; Compact()s first when the tail is short.
  char* WritePtr();
  size_t WriteSpace() const { return capacity_ - end_; }
  void Commit(size_t n) { end_ += n; }
  // Doubles the capacity (keeping the data), up to `limit`; false at the limit.
  bool Grow(size_t limit);
  void Shrink();
  size_t capacity() const { return capacity_; }

 private:
  void Compact();
  void Allocate(size_t capacity);

  std::unique_ptr<char[]> buf_;
  size_t capacity_ = 0;
  size_t start_ = 0;
  size_t end_ = 0;
};

}  // namespace slabd::server

#endif  // SLABD_SRC_READ_BUFFER_H_
