// SystemClock: the server's one-second clock, shared by every thread.
//
// Like memcached's current_time, it is a relative time in whole seconds that the
// main thread advances once per second (Tick()); readers load one atomic. Relative
// time starts at 2 so that 1 ("already expired") is always in the past, and the
// epoch is the unix time of relative 0. Elapsed time comes from CLOCK_MONOTONIC so
// wall-clock jumps do not expire or revive items.
#ifndef SLABD_SRC_SYSTEM_CLOCK_H_
#define SLABD_SRC_SYSTEM_CLOCK_H_

#include <atomic>
#include <cstdint>
#include <ctime>

#include "slab/store.h"

namespace slabd::server {

class SystemClock final : public slab::Clock {
 public:
  SystemClock();
  slab::RelTime Now() const override { return now_.load(std::memory_order_relaxed); }
  int64_t EpochUnix() const override { return epoch_unix_; }
  // Re-reads the monotonic clock. Called by the main thread's 1 s timer.
  void Tick();

 private:
  static constexpr uint32_t kStartOffset = 2;
  std::atomic<uint32_t> now_{kStartOffset};
  int64_t epoch_unix_;
  timespec start_{};
};

}  // namespace slabd::server

#endif  // SLABD_SRC_SYSTEM_CLOCK_H_
