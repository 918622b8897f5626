// Histogram: a log-linear latency histogram in nanoseconds (HdrHistogram's bucket layout).
//
// Values below 256 ns have a bucket each. Above, every power-of-two range [2^k, 2^(k+1)) is
// split into 128 equal sub-buckets, so a bucket is at most 1/128 (0.78%) of the values it
// holds wide, at any magnitude up to UINT64_MAX:
//
//   index = e * 128 + (v >> e)   where e = max(0, msb(v) - 7)
//
//   v:      0 .. 255 | 256 .. 511 (width 2) | 512 .. 1023 (width 4) | ... | 2^63 .. 2^64-1
//   index:  0 .. 255 | 256 .. 383           | 384 .. 511            | ... | 7296 .. 7423
//
// Recording is a count-leading-zeros, a shift and an increment (no search, no allocation);
// 7,424 counters (58 KiB) per histogram. Histograms of different threads are merged by
// adding counters. A percentile is reported as the highest value its bucket can hold,
// clamped to the exact maximum, so it never understates and is at most 0.78% high.
//
// Thread-compatible: one per driver thread, merged after the threads have joined.
#ifndef SLABD_SRC_BENCH_HISTOGRAM_H_
#define SLABD_SRC_BENCH_HISTOGRAM_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace slabd::bench {

class Histogram {
 public:
  static constexpr int kSubBucketBits = 7;
  static constexpr size_t kSubBuckets = size_t{1} << kSubBucketBits;
  static constexpr size_t kBuckets = (64 - kSubBucketBits + 1) * kSubBuckets;

  Histogram();

  void Record(uint64_t value) {
    ++counts_[IndexOf(value)];
    ++count_;
    sum_ += value;
    if (value > max_) max_ = value;
    if (value < min_) min_ = value;
  }

  // Adds every value recorded in `other`.
  void Merge(const Histogram& other);
  void Reset();

  uint64_t count() const { return count_; }
  // 0 when empty.
  uint64_t max() const { return max_; }
  uint64_t min() const { return count_ ? min_ : 0; }
  double Mean() const;

  // The value at or below which `percentile` percent (0..100) of the recorded values lie:
  // the highest value of the bucket holding the ceil(percentile/100 * count)-th smallest
  // value (at least the 1st), clamped to max(). 100 gives max(); empty gives 0.
  [[nodiscard]] uint64_t ValueAtPercentile(double percentile) const;

  [[nodiscard]] static size_t IndexOf(uint64_t value) {
    const int msb = 63 - __builtin_clzll(value | 1);
    const int e = msb > kSubBucketBits ? msb - kSubBucketBits : 0;
    return (static_cast<size_t>(e) << kSubBucketBits) + static_cast<size_t>(value >> e);
  }
  // The smallest and largest value that IndexOf maps to `index`. REQUIRES: index < kBuckets.
  [[nodiscard]] static uint64_t LowestEquivalent(size_t index);
  [[nodiscard]] static uint64_t HighestEquivalent(size_t index);

 private:
  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  uint64_t sum_ = 0;  // wraps only past 584 years of summed latency
  uint64_t max_ = 0;
  uint64_t min_ = UINT64_MAX;
};

}  // namespace slabd::bench

#endif  // SLABD_SRC_BENCH_HISTOGRAM_H_
