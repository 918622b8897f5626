// ZipfGenerator and KeyPermutation: determinism, range, and rank frequencies against the
// exact Zipf probabilities.
#include "src/bench/zipf_generator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "src/bench/fast_random.h"

namespace slabd::bench {
namespace {

ZipfGenerator Make(uint64_t n, double theta) {
  std::string error;
  std::optional<ZipfGenerator> z = ZipfGenerator::Create(n, theta, &error);
  EXPECT_TRUE(z.has_value()) << error;
  return *z;
}

// Draw counts per rank for `samples` draws seeded with `seed`.
std::vector<uint64_t> Histogram(const ZipfGenerator& z, uint64_t samples, uint64_t seed) {
  std::vector<uint64_t> counts(z.n());
  FastRandom rng(seed);
  for (uint64_t i = 0; i < samples; ++i) ++counts[z.Rank(rng.NextDouble())];
  return counts;
}

// Observed share of ranks [lo, hi) must be within `tolerance` (relative) of the exact one.
void ExpectShare(const ZipfGenerator& z, const std::vector<uint64_t>& counts, uint64_t samples,
                 uint64_t lo, uint64_t hi, double tolerance) {
  const double zeta = ZipfGenerator::Zeta(z.n(), z.theta());
  double observed = 0, expected = 0;
  for (uint64_t r = lo; r < hi; ++r) {
    observed += static_cast<double>(counts[r]);
    expected += std::pow(static_cast<double>(r + 1), -z.theta()) / zeta;
  }
  observed /= static_cast<double>(samples);
  EXPECT_NEAR(observed / expected, 1.0, tolerance)
      << "theta " << z.theta() << " ranks [" << lo << ", " << hi << ")";
}

TEST(ZipfGeneratorTest, RejectsEmptyKeySpaceAndBadTheta) {
  std::string error;
  EXPECT_FALSE(ZipfGenerator::Create(0, 0.99, &error));
  EXPECT_EQ(error, "zipf: the key space is empty");
  for (double theta : {0.0, -0.5, 101.0, std::nan("")}) {
    error.clear();
    EXPECT_FALSE(ZipfGenerator::Create(1000, theta, &error)) << theta;
    EXPECT_EQ(error, "--zipf-theta must be > 0 and <= 100 (0.99 is the usual skew)");
  }
}

TEST(ZipfGeneratorTest, ZetaSums) {
  EXPECT_DOUBLE_EQ(ZipfGenerator::Zeta(1, 0.99), 1.0);
  EXPECT_DOUBLE_EQ(ZipfGenerator::Zeta(2, 0.5), 1.0 + 1.0 / std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(ZipfGenerator::Zeta(4, 1.0), 1.0 + 0.5 + 1.0 / 3 + 0.25);
}

TEST(ZipfGeneratorTest, PrecomputedZetaMatchesTheExactSum) {
  // All 1000 ranks in the exact table: equal up to summation order.
  EXPECT_NEAR(Make(1000, 0.99).zeta(), ZipfGenerator::Zeta(1000, 0.99), 1e-13);
  for (double theta : {0.5, 0.99, 1.0, 1.5}) {
    const double exact = ZipfGenerator::Zeta(1000000, theta);
    EXPECT_NEAR(Make(1000000, theta).zeta() / exact, 1.0, 1e-8) << theta;
  }
}

TEST(ZipfGeneratorTest, RanksStayInRange) {
  for (uint64_t n : {uint64_t{1}, uint64_t{2}, uint64_t{3}, uint64_t{1024}, uint64_t{1025},
                     uint64_t{100000}}) {
    for (double theta : {0.01, 0.5, 0.99, 1.0, 3.0}) {
      const ZipfGenerator z = Make(n, theta);
      EXPECT_EQ(z.Rank(0.0), 0u);
      EXPECT_EQ(z.Rank(std::nextafter(1.0, 0.0)), n - 1) << n << " " << theta;
      FastRandom rng(n);
      for (int i = 0; i < 20000; ++i) ASSERT_LT(z.Rank(rng.NextDouble()), n);
    }
  }
}

TEST(ZipfGeneratorTest, SameSeedSameRanks) {
  const ZipfGenerator z = Make(100000, 0.99);
  EXPECT_EQ(Histogram(z, 10000, 5), Histogram(z, 10000, 5));
  EXPECT_NE(Histogram(z, 10000, 5), Histogram(z, 10000, 6));
  FastRandom a(9), b(9);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(z.Rank(a.NextDouble()), z.Rank(b.NextDouble()));
}

// 2M draws: a rank with probability p is counted within ~1/sqrt(2M p) relative (one
// standard deviation), so the tolerances below are over 5 sigma.
TEST(ZipfGeneratorTest, RankFrequenciesFollowZipf099) {
  const uint64_t samples = 2000000;
  const ZipfGenerator z = Make(100000, 0.99);
  const std::vector<uint64_t> counts = Histogram(z, samples, 1);
  for (uint64_t r = 0; r < 10; ++r) ExpectShare(z, counts, samples, r, r + 1, 0.03);
  ExpectShare(z, counts, samples, 10, 100, 0.01);
  ExpectShare(z, counts, samples, 100, 1024, 0.01);
  ExpectShare(z, counts, samples, 1024, 4096, 0.02);   // the tail past the exact table
  ExpectShare(z, counts, samples, 4096, 100000, 0.01);
}

TEST(ZipfGeneratorTest, RankFrequenciesFollowZipf05) {
  const uint64_t samples = 2000000;
  const ZipfGenerator z = Make(10000, 0.5);
  const std::vector<uint64_t> counts = Histogram(z, samples, 2);
  for (uint64_t r = 0; r < 5; ++r) ExpectShare(z, counts, samples, r, r + 1, 0.08);
  ExpectShare(z, counts, samples, 0, 100, 0.02);
  ExpectShare(z, counts, samples, 100, 1024, 0.01);
  ExpectShare(z, counts, samples, 1024, 4096, 0.01);
  ExpectShare(z, counts, samples, 4096, 10000, 0.01);
}

TEST(ZipfGeneratorTest, ThetaAboveOneWorks) {
  const uint64_t samples = 1000000;
  const ZipfGenerator z = Make(50000, 1.5);
  const std::vector<uint64_t> counts = Histogram(z, samples, 3);
  for (uint64_t r = 0; r < 3; ++r) ExpectShare(z, counts, samples, r, r + 1, 0.02);
  ExpectShare(z, counts, samples, 1024, 50000, 0.05);
}

TEST(KeyPermutationTest, IsABijection) {
  for (uint64_t n : {uint64_t{1}, uint64_t{2}, uint64_t{3}, uint64_t{7}, uint64_t{1000},
                     uint64_t{65536}, uint64_t{100003}}) {
    const KeyPermutation p(n);
    std::vector<bool> seen(n);
    for (uint64_t r = 0; r < n; ++r) {
      const uint64_t k = p.Map(r);
      ASSERT_LT(k, n);
      ASSERT_FALSE(seen[k]) << "n " << n << " rank " << r;
      seen[k] = true;
    }
  }
}

TEST(KeyPermutationTest, HotRanksAreNotAdjacentKeys) {
  const KeyPermutation p(100000);
  int adjacent = 0;
  for (uint64_t r = 0; r < 1000; ++r) {
    const int64_t a = static_cast<int64_t>(p.Map(r));
    const int64_t b = static_cast<int64_t>(p.Map(r + 1));
    if (std::llabs(a - b) <= 1) ++adjacent;
  }
  EXPECT_EQ(adjacent, 0);
  EXPECT_EQ(p.Map(0), KeyPermutation(100000).Map(0));  // fixed: no seed, no state
}

TEST(FastRandomTest, BelowAndNextDoubleStayInRange) {
  FastRandom rng(1);
  for (int i = 0; i < 100000; ++i) {
    ASSERT_LT(rng.Below(7), 7u);
    const double d = rng.NextDouble();
    ASSERT_GE(d, 0.0);
    ASSERT_LT(d, 1.0);
  }
  FastRandom a(3), b(3);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(a.Next(), b.Next());
}

}  // namespace
}  // namespace slabd::bench
