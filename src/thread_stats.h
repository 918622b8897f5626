// ThreadStats: the request counters of one worker thread.
//
// Each worker owns one ThreadStats and is its only writer, so a counter update is a
// relaxed load and store of a thread-local cache line, never a locked instruction.
// `stats` readers on other threads sum relaxed loads. `stats reset` does not write
// the counters (that would race with the owner); it records a baseline that later
// reads subtract (Counter::Reset).
//
// Per slab-class counters (memcached's `stats slabs` get_hits, cmd_set, ...) are
// indexed by the ClassId that every Store result carries.
#ifndef SLABD_SRC_THREAD_STATS_H_
#define SLABD_SRC_THREAD_STATS_H_

#include <array>
#include <atomic>
#include <cstdint>

namespace slabd::server {

class Counter {
 public:
  void Add(uint64_t n = 1) {
    value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  uint64_t Get() const {
    return value_.load(std::memory_order_relaxed) - base_.load(std::memory_order_relaxed);
  }
  void Reset() { base_.store(value_.load(std::memory_order_relaxed), std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
  std::atomic<uint64_t> base_{0};
};

// Counters kept per slab class, in `stats slabs` order.
struct ClassCounters {
  Counter get_hits, cmd_set, delete_hits, incr_hits, decr_hits, cas_hits, cas_badval,
      touch_hits;
};

inline constexpr int kMaxClassIds = 256;

struct ThreadStats {
  Counter cmd_get, cmd_touch, cmd_flush, get_hits, get_misses, get_expired, get_flushed,
      delete_misses, delete_hits, incr_misses, incr_hits, decr_misses, decr_hits,
      cas_misses, cas_hits, cas_badval, touch_hits, touch_misses, store_too_large,
      store_no_memory, bytes_read, bytes_written, conn_yields, cmd_set, auth_cmds,
      auth_errors, cmd_meta, idle_kicks;
  std::array<ClassCounters, kMaxClassIds> classes;

  void Reset();
};

}  // namespace slabd::server

#endif  // SLABD_SRC_THREAD_STATS_H_
