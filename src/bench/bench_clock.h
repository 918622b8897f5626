// NowNs: the driver's one clock, CLOCK_MONOTONIC in nanoseconds (a vDSO call, ~20 ns).
// Every send time, intended send time, reply time and phase boundary uses it.
#ifndef SLABD_SRC_BENCH_BENCH_CLOCK_H_
#define SLABD_SRC_BENCH_BENCH_CLOCK_H_

#include <time.h>

#include <cstdint>

namespace slabd::bench {

inline int64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

inline constexpr int64_t SecondsToNs(double s) { return static_cast<int64_t>(s * 1e9); }

}  // namespace slabd::bench

#endif  // SLABD_SRC_BENCH_BENCH_CLOCK_H_
