// Workload: the request mix. Decides, per request, get or set, which keys and how big a
// value, from the connection's own FastRandom, and queues it on the connection.
//
//   get with probability --get-ratio: --multiget K keys (K == 1: a plain get)
//   otherwise a set of one key, value size uniform in [value_min, value_max]
//   keys: uniform over [0, --keys), or Zipf(theta) ranks scattered by KeyPermutation
//
// A draw costs 2 + K random numbers (plus a pow() per key for Zipf); nothing allocates.
// Immutable after construction; shared by all driver threads.
#ifndef SLABD_SRC_BENCH_WORKLOAD_H_
#define SLABD_SRC_BENCH_WORKLOAD_H_

#include <cstdint>
#include <optional>

#include "src/bench/bench_options.h"
#include "src/bench/connection.h"
#include "src/bench/fast_random.h"
#include "src/bench/zipf_generator.h"

namespace slabd::bench {

class Workload {
 public:
  static constexpr uint32_t kMaxMultiget = 1000;

  // REQUIRES: options validated (ParseBenchOptions); `zipf` set iff options.zipf.
  Workload(const BenchOptions& options, std::optional<ZipfGenerator> zipf);

  // Queues the next request of the mix on `conn`, stamped `start_ns`.
  void QueueNext(Connection& conn, int64_t start_ns) const;

  uint64_t NextKey(FastRandom& rng) const {
    if (zipf_) return permutation_.Map(zipf_->Rank(rng.NextDouble()));
    return rng.Below(keys_);
  }
  uint32_t NextValueSize(FastRandom& rng) const {
    return value_min_ + static_cast<uint32_t>(rng.Below(value_span_));
  }
  // True with probability get_ratio.
  bool NextIsGet(FastRandom& rng) const { return all_gets_ || rng.Next() < get_threshold_; }

 private:
  uint64_t keys_;
  uint32_t multiget_;
  uint32_t value_min_;
  uint64_t value_span_;  // value_max - value_min + 1
  bool all_gets_;
  uint64_t get_threshold_;  // get_ratio * 2^64
  std::optional<ZipfGenerator> zipf_;
  KeyPermutation permutation_;
};

}  // namespace slabd::bench

#endif  // SLABD_SRC_BENCH_WORKLOAD_H_
