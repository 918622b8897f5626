// ZipfGenerator and KeyPermutation: see zipf_generator.h.
#include "src/bench/zipf_generator.h"

#include <algorithm>
#include <cmath>

namespace slabd::bench {
namespace {

// expm1(t) / t and log1p(t) / t, both -> 1 as t -> 0: they keep the integral of x^-theta
// accurate when theta is at or near 1 (where (x^(1-theta) - 1) / (1-theta) is 0/0).
double Expm1OverT(double t) { return std::abs(t) > 1e-8 ? std::expm1(t) / t : 1.0 + t / 2; }
double Log1pOverT(double t) { return std::abs(t) > 1e-8 ? std::log1p(t) / t : 1.0 - t / 2; }

}  // namespace

std::optional<ZipfGenerator> ZipfGenerator::Create(uint64_t n, double theta,
                                                   std::string* error) {
  if (n == 0) {
    *error = "zipf: the key space is empty";
    return std::nullopt;
  }
  if (!(theta > 0.0 && theta <= kMaxTheta)) {
    *error = "--zipf-theta must be > 0 and <= 100 (0.99 is the usual skew)";
    return std::nullopt;
  }
  return ZipfGenerator(n, theta);
}

ZipfGenerator::ZipfGenerator(uint64_t n, double theta) : n_(n), theta_(theta) {
  const uint64_t head = std::min(n, kHead);
  head_cdf_.resize(head);
  double sum = 0.0;
  for (uint64_t i = 0; i < head; ++i) {
    sum += std::pow(static_cast<double>(i + 1), -theta);
    head_cdf_[i] = sum;
  }
  zeta_n_ = sum;
  if (n > head) {
    zeta_n_ += Integral(static_cast<double>(head) + 0.5, static_cast<double>(n) + 0.5);
  }
}

double ZipfGenerator::Zeta(uint64_t n, double theta) {
  double sum = 0.0;  // smallest terms first
  for (uint64_t i = n; i >= 1; --i) sum += std::pow(static_cast<double>(i), -theta);
  return sum;
}

// integral_from^x t^-theta dt = from^(1-theta) * ln(x/from) * expm1(s)/s,
// s = (1-theta) ln(x/from).
double ZipfGenerator::Integral(double from, double x) const {
  const double log_ratio = std::log(x / from);
  return std::pow(from, 1.0 - theta_) * log_ratio * Expm1OverT((1.0 - theta_) * log_ratio);
}

// Solves Integral(from, x) == y: ln(x/from) = q * log1p((1-theta) q) / ((1-theta) q),
// q = y * from^(theta-1).
double ZipfGenerator::InverseIntegral(double from, double y) const {
  const double q = y * std::pow(from, theta_ - 1.0);
  return from * std::exp(q * Log1pOverT((1.0 - theta_) * q));
}

uint64_t ZipfGenerator::Rank(double u) const {
  const double target = u * zeta_n_;
  if (target < head_cdf_.back() || head_cdf_.size() == n_) {
    const auto it = std::upper_bound(head_cdf_.begin(), head_cdf_.end(), target);
    const uint64_t rank = static_cast<uint64_t>(it - head_cdf_.begin());
    return std::min(rank, static_cast<uint64_t>(head_cdf_.size()) - 1);
  }
  // Rank r (1-based) owns [r - 0.5, r + 0.5) of the integral's x axis.
  const double from = static_cast<double>(head_cdf_.size()) + 0.5;
  const double x = InverseIntegral(from, target - head_cdf_.back());
  const double one_based = std::floor(x + 0.5);
  if (!(one_based <= static_cast<double>(n_))) return n_ - 1;  // also catches NaN
  const uint64_t rank = static_cast<uint64_t>(one_based) - 1;
  return std::max<uint64_t>(rank, head_cdf_.size());
}

double ZipfGenerator::Probability(uint64_t rank) const {
  return std::pow(static_cast<double>(rank + 1), -theta_) / zeta_n_;
}

KeyPermutation::KeyPermutation(uint64_t n) : n_(n) {
  int bits = 1;
  while (bits < 64 && (uint64_t{1} << bits) < n) ++bits;
  mask_ = bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
  shift_ = (bits + 1) / 2;
}

}  // namespace slabd::bench
