// RequestQueue: the requests a connection has sent (or queued) and not yet seen answered,
// oldest first, as a ring buffer.
//
// Closed loop holds at most --pipeline entries; open loop holds whatever the server has
// not answered yet. The ring doubles when full (amortised: no allocation once it has
// reached the connection's high-water mark). 16 bytes per entry.
//
// Thread-compatible: owned by one connection.
#ifndef SLABD_SRC_BENCH_REQUEST_QUEUE_H_
#define SLABD_SRC_BENCH_REQUEST_QUEUE_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "src/bench/protocol.h"

namespace slabd::bench {

struct PendingRequest {
  int64_t start_ns;  // closed loop: when it was sent; open loop: when it was meant to be
  uint32_t keys;     // keys asked (gets) or 1 (sets)
  RequestKind kind;
};
static_assert(sizeof(PendingRequest) == 16);

class RequestQueue {
 public:
  explicit RequestQueue(size_t initial_capacity = 16) : ring_(RoundUp(initial_capacity)) {}

  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }

  void Push(const PendingRequest& r) {
    if (size_ == ring_.size()) Grow();
    ring_[(head_ + size_) & (ring_.size() - 1)] = r;
    ++size_;
  }
  // REQUIRES: !empty().
  const PendingRequest& front() const { return ring_[head_]; }
  void Pop() {
    head_ = (head_ + 1) & (ring_.size() - 1);
    --size_;
  }
  void Clear() { head_ = size_ = 0; }

 private:
  static size_t RoundUp(size_t n) {
    size_t c = 1;
    while (c < n) c *= 2;
    return c;
  }
  void Grow() {
    std::vector<PendingRequest> grown(ring_.size() * 2);
    for (size_t i = 0; i < size_; ++i) grown[i] = ring_[(head_ + i) & (ring_.size() - 1)];
    ring_.swap(grown);
    head_ = 0;
  }

  std::vector<PendingRequest> ring_;  // size is a power of two
  size_t head_ = 0;
  size_t size_ = 0;
};

}  // namespace slabd::bench

#endif  // SLABD_SRC_BENCH_REQUEST_QUEUE_H_
