// Histogram: see histogram.h for the bucket layout.
#include "src/bench/histogram.h"

#include <algorithm>
#include <cmath>

namespace slabd::bench {

Histogram::Histogram() : counts_(kBuckets, 0) {}

void Histogram::Merge(const Histogram& other) {
  for (size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  max_ = std::max(max_, other.max_);
  min_ = std::min(min_, other.min_);
}

void Histogram::Reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = 0;
  sum_ = 0;
  max_ = 0;
  min_ = UINT64_MAX;
}

double Histogram::Mean() const {
  return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0.0;
}

// Indices below 2 * kSubBuckets hold one value each; above, index i holds the values
// whose top 8 bits are (i % 128) | 128, shifted left by i / 128 - 1.
uint64_t Histogram::LowestEquivalent(size_t index) {
  if (index < 2 * kSubBuckets) return index;
  const int e = static_cast<int>(index >> kSubBucketBits) - 1;
  const uint64_t mantissa = (index & (kSubBuckets - 1)) | kSubBuckets;
  return mantissa << e;
}

uint64_t Histogram::HighestEquivalent(size_t index) {
  if (index < 2 * kSubBuckets) return index;
  const int e = static_cast<int>(index >> kSubBucketBits) - 1;
  return LowestEquivalent(index) + ((uint64_t{1} << e) - 1);  // no overflow at the top
}

uint64_t Histogram::ValueAtPercentile(double percentile) const {
  if (count_ == 0) return 0;
  if (percentile >= 100.0) return max_;
  // The relative epsilon keeps 99.9% of 1000 at rank 999 despite 99.9 not being exact.
  const double exact = std::max(percentile, 0.0) / 100.0 * static_cast<double>(count_);
  uint64_t rank = static_cast<uint64_t>(std::ceil(exact * (1.0 - 1e-12)));
  rank = std::clamp<uint64_t>(rank, 1, count_);
  uint64_t seen = 0;
  for (size_t i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::min(HighestEquivalent(i), max_);
  }
  return max_;
}

}  // namespace slabd::bench
