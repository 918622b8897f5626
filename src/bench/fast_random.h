// FastRandom: the driver's per-connection pseudo-random source (SplitMix64).
//
// The hot path draws 2-3 numbers per request (get or set, key, value size); SplitMix64 is
// one add and two multiply-xorshift rounds (~1 ns), passes BigCrush, and needs 8 bytes of
// state, so every connection owns one and its request sequence depends only on --seed
// and the connection's index, never on timing. std::uniform_int_distribution is avoided:
// Below() maps with one 64x64->128 multiply (Lemire), whose bias of at most n/2^64 is far
// below anything a benchmark can see.
//
// Not thread-safe: one instance per connection or thread.
#ifndef SLABD_SRC_BENCH_FAST_RANDOM_H_
#define SLABD_SRC_BENCH_FAST_RANDOM_H_

#include <cstdint>

namespace slabd::bench {

// One SplitMix64 output step as a pure function: a good 64-bit bijective mixer, also
// used to derive independent seeds (Mix64(seed ^ index)).
[[nodiscard]] inline uint64_t Mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

class FastRandom {
 public:
  explicit FastRandom(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    state_ += 0x9e3779b97f4a7c15ULL;
    return Mix64(state_);
  }

  // Uniform in [0, n). REQUIRES: n > 0.
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }

  // Uniform in [0, 1) with 53 random bits.
  double NextDouble() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

 private:
  uint64_t state_;
};

}  // namespace slabd::bench

#endif  // SLABD_SRC_BENCH_FAST_RANDOM_H_
