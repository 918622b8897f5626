// ByteBuffer: a growable byte queue for a connection's unsent requests.
//
// Requests are appended at the tail and the socket drains the head, so a partial write
// only moves the head. The storage grows geometrically and is never shrunk or zeroed: in
// steady state appending is a bounds check and a memcpy, with no allocation. The queue
// rewinds to the start of its storage whenever it drains.
//
// Thread-compatible: owned by one connection.
#ifndef SLABD_SRC_BENCH_BYTE_BUFFER_H_
#define SLABD_SRC_BENCH_BYTE_BUFFER_H_

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

namespace slabd::bench {

class ByteBuffer {
 public:
  explicit ByteBuffer(size_t initial_capacity = 4096)
      : data_(std::make_unique<char[]>(initial_capacity)), capacity_(initial_capacity) {}

  // Room for at least `n` more bytes at the tail; write them, then Commit(n).
  char* Reserve(size_t n) {
    if (capacity_ - tail_ < n) MakeRoom(n);
    return data_.get() + tail_;
  }
  void Commit(size_t n) { tail_ += n; }

  void Append(const char* p, size_t n) {
    std::memcpy(Reserve(n), p, n);
    tail_ += n;
  }
  void Append(std::string_view s) { Append(s.data(), s.size()); }

  // Unsent bytes.
  const char* data() const { return data_.get() + head_; }
  size_t size() const { return tail_ - head_; }
  bool empty() const { return head_ == tail_; }
  std::string_view view() const { return {data(), size()}; }

  // Drops `n` sent bytes from the head. REQUIRES: n <= size().
  void Consume(size_t n) {
    head_ += n;
    if (head_ == tail_) head_ = tail_ = 0;
  }
  void Clear() { head_ = tail_ = 0; }

 private:
  // Moves the unsent bytes to the front, growing (doubling) the storage if still short.
  void MakeRoom(size_t n);

  std::unique_ptr<char[]> data_;
  size_t capacity_;
  size_t head_ = 0;
  size_t tail_ = 0;
};

inline void ByteBuffer::MakeRoom(size_t n) {
  const size_t used = tail_ - head_;
  size_t capacity = capacity_;
  while (capacity - used < n) capacity *= 2;
  if (capacity == capacity_) {
    std::memmove(data_.get(), data_.get() + head_, used);
  } else {
    auto grown = std::make_unique<char[]>(capacity);
    std::memcpy(grown.get(), data_.get() + head_, used);
    data_ = std::move(grown);
    capacity_ = capacity;
  }
  head_ = 0;
  tail_ = used;
}

}  // namespace slabd::bench

#endif  // SLABD_SRC_BENCH_BYTE_BUFFER_H_
