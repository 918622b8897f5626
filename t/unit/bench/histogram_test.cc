// Histogram: bucket layout, percentiles against exact sorted data, edge cases, merging.
#include "src/bench/histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "src/bench/fast_random.h"

namespace slabd::bench {
namespace {

// The percentile the histogram must report for `sorted` data: the highest value of the
// bucket holding the ceil(p% * n)-th smallest value, clamped to the maximum.
uint64_t Expected(const std::vector<uint64_t>& sorted, double p) {
  const uint64_t n = sorted.size();
  uint64_t rank = static_cast<uint64_t>(std::ceil(p / 100.0 * static_cast<double>(n) - 1e-9));
  rank = std::clamp<uint64_t>(rank, 1, n);
  const uint64_t exact = sorted[rank - 1];
  return std::min(Histogram::HighestEquivalent(Histogram::IndexOf(exact)), sorted.back());
}

TEST(HistogramTest, EmptyReportsZeros) {
  Histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.ValueAtPercentile(50), 0u);
  EXPECT_EQ(h.ValueAtPercentile(100), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.Mean(), 0.0);
}

TEST(HistogramTest, OneValueIsEveryPercentile) {
  Histogram h;
  h.Record(123457);
  for (double p : {0.0, 1.0, 50.0, 99.0, 99.9, 100.0}) EXPECT_EQ(h.ValueAtPercentile(p), 123457u);
  EXPECT_EQ(h.min(), 123457u);
  EXPECT_EQ(h.max(), 123457u);
  EXPECT_EQ(h.Mean(), 123457.0);
}

TEST(HistogramTest, ValuesBelow256AreExact) {
  Histogram h;
  for (uint64_t v = 1; v <= 200; ++v) h.Record(v);
  EXPECT_EQ(h.ValueAtPercentile(50), 100u);
  EXPECT_EQ(h.ValueAtPercentile(90), 180u);
  EXPECT_EQ(h.ValueAtPercentile(99), 198u);
  EXPECT_EQ(h.ValueAtPercentile(99.9), 200u);
  EXPECT_EQ(h.ValueAtPercentile(100), 200u);
  EXPECT_EQ(h.ValueAtPercentile(0), 1u);
}

TEST(HistogramTest, OneToThousandReportsBucketTops) {
  Histogram h;
  for (uint64_t v = 1; v <= 1000; ++v) h.Record(v);
  EXPECT_EQ(h.ValueAtPercentile(50), 501u);   // 500 in [500, 501] (width 2 in 256..511)
  EXPECT_EQ(h.ValueAtPercentile(90), 903u);   // 900 in [900, 903] (width 4 in 512..1023)
  EXPECT_EQ(h.ValueAtPercentile(99), 991u);   // 990 in [988, 991]
  EXPECT_EQ(h.ValueAtPercentile(99.9), 999u); // 999 in [996, 999]
  EXPECT_EQ(h.ValueAtPercentile(100), 1000u);
  EXPECT_EQ(h.Mean(), 500.5);
}

TEST(HistogramTest, PercentilesMatchSortedDataWithinOneBucket) {
  FastRandom rng(7);
  std::vector<uint64_t> values;
  Histogram h;
  for (int i = 0; i < 200000; ++i) {
    // Log-uniform from 1 ns to ~1 s, as latencies spread.
    const uint64_t v = static_cast<uint64_t>(std::exp(rng.NextDouble() * std::log(1e9)));
    values.push_back(v);
    h.Record(v);
  }
  std::sort(values.begin(), values.end());
  for (double p : {1.0, 25.0, 50.0, 90.0, 99.0, 99.9, 99.99}) {
    const uint64_t got = h.ValueAtPercentile(p);
    EXPECT_EQ(got, Expected(values, p)) << p;
    const uint64_t exact = values[static_cast<size_t>(std::ceil(p / 100 * values.size())) - 1];
    EXPECT_GE(got, exact) << p;
    EXPECT_LE(got - exact, exact / 128) << p;  // 0.78% relative error at most
  }
  EXPECT_EQ(h.ValueAtPercentile(100), values.back());
  EXPECT_EQ(h.min(), values.front());
}

TEST(HistogramTest, HugeValuesHaveBuckets) {
  Histogram h;
  h.Record(0);
  h.Record(UINT64_MAX);
  EXPECT_EQ(Histogram::IndexOf(UINT64_MAX), Histogram::kBuckets - 1);
  EXPECT_EQ(Histogram::HighestEquivalent(Histogram::kBuckets - 1), UINT64_MAX);
  EXPECT_EQ(h.ValueAtPercentile(50), 0u);
  EXPECT_EQ(h.ValueAtPercentile(99.9), UINT64_MAX);
  EXPECT_EQ(h.max(), UINT64_MAX);

  Histogram big;
  big.Record(uint64_t{1} << 63);
  big.Record((uint64_t{1} << 63) + (uint64_t{1} << 56));
  EXPECT_EQ(big.ValueAtPercentile(50), (uint64_t{1} << 63) + (uint64_t{1} << 56) - 1);
  EXPECT_EQ(big.ValueAtPercentile(100), (uint64_t{1} << 63) + (uint64_t{1} << 56));
}

TEST(HistogramTest, BucketsTileTheWholeRange) {
  EXPECT_EQ(Histogram::LowestEquivalent(0), 0u);
  for (size_t i = 0; i < Histogram::kBuckets; ++i) {
    const uint64_t lo = Histogram::LowestEquivalent(i);
    const uint64_t hi = Histogram::HighestEquivalent(i);
    ASSERT_EQ(Histogram::IndexOf(lo), i);
    ASSERT_EQ(Histogram::IndexOf(hi), i);
    ASSERT_LE(hi - lo, lo / 128) << i;
    if (i + 1 < Histogram::kBuckets) {
      ASSERT_EQ(hi + 1, Histogram::LowestEquivalent(i + 1)) << i;
    }
  }
}

TEST(HistogramTest, MergeEqualsRecordingEverythingInOne) {
  Histogram a, b, all;
  for (uint64_t v = 0; v < 5000; ++v) {
    const uint64_t x = v * v * 37;
    (v % 3 ? a : b).Record(x);
    all.Record(x);
  }
  a.Merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.min(), all.min());
  EXPECT_EQ(a.max(), all.max());
  EXPECT_EQ(a.Mean(), all.Mean());
  for (double p : {10.0, 50.0, 99.0, 99.9}) {
    EXPECT_EQ(a.ValueAtPercentile(p), all.ValueAtPercentile(p)) << p;
  }
  a.Reset();
  EXPECT_EQ(a.count(), 0u);
  EXPECT_EQ(a.ValueAtPercentile(50), 0u);
}

}  // namespace
}  // namespace slabd::bench
