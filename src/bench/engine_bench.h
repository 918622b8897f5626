// RunEngineBench: `slabd-bench --engine`, the storage-only benchmark (issue 6, "Scale").
//
// Drives a slab::Store in-process from `threads` std::threads, with no network, protocol or
// event loop, so what it measures is the engine's own cost per operation and how that cost
// holds up when threads share the Store: the item-lock stripes, the allocator and LRU locks,
// the CAS counter and the cache lines they live on. On a 2-core machine this (with the lock
// audit in slab/README.md) is how the project shows that nothing serializes `-t 8` and more.
//
// A run: build a Store as the server would (-m memory_mb, the server's lock_power for
// `threads`), prefill every key "key:%010d" once, grow the hash table to its steady size,
// then every thread loops for warmup_s + duration_s doing gets (Store::Get, then reading the
// value as a reply would copy it) and sets (Reserve, fill the value, Link as kSet) in the
// ratio get_ratio, over uniform or Zipf(theta) keys. Only the last duration_s seconds count.
// The report gives total and per-thread ops/s, each thread's CPU share and ops per thread
// CPU-second (on a noisy shared VM a descheduled thread shows as CPU < 1.0, not as a lock),
// and, with `scaling`, the same run with one thread first and the ratio between the two.
//
// Thread safety: call from one thread; it creates and joins its own threads.
#ifndef SLABD_SRC_BENCH_ENGINE_BENCH_H_
#define SLABD_SRC_BENCH_ENGINE_BENCH_H_

#include <cstdint>

namespace slabd::bench {

struct EngineBenchOptions {
  int threads = 1;
  uint64_t keys = 100000;
  uint32_t value_min = 100, value_max = 100;  // value bytes, uniform in [min, max]
  double get_ratio = 0.9;                     // the rest are sets
  bool zipf = false;                          // else uniform keys
  double zipf_theta = 0.99;                   // as ZipfGenerator::Create accepts
  double warmup_s = 1, duration_s = 10;
  uint64_t memory_mb = 1024;                  // the Store's -m
  uint64_t seed = 1;
  bool json = false;                          // one JSON line instead of the text report
  bool scaling = false;  // also run 1 thread first and report threads / 1-thread ratios
};

// Prints the report on stdout (errors on stderr). Returns 0, or EX_USAGE (64) for options
// that cannot run (with a one-line message).
int RunEngineBench(const EngineBenchOptions& options);

}  // namespace slabd::bench

#endif  // SLABD_SRC_BENCH_ENGINE_BENCH_H_
