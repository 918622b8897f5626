// Workload: see workload.h.
#include "src/bench/workload.h"

#include <cmath>

namespace slabd::bench {

Workload::Workload(const BenchOptions& options, std::optional<ZipfGenerator> zipf)
    : keys_(options.keys),
      multiget_(options.multiget),
      value_min_(options.value_min),
      value_span_(uint64_t{options.value_max} - options.value_min + 1),
      all_gets_(options.get_ratio >= 1.0),
      get_threshold_(all_gets_ ? 0
                               : static_cast<uint64_t>(std::ldexp(options.get_ratio, 64))),
      zipf_(std::move(zipf)),
      permutation_(options.keys) {}

void Workload::QueueNext(Connection& conn, int64_t start_ns) const {
  FastRandom& rng = conn.rng();
  if (!NextIsGet(rng)) {
    const uint64_t key = NextKey(rng);
    conn.QueueSet(key, NextValueSize(rng), start_ns);
    return;
  }
  if (multiget_ == 1) {
    conn.QueueGet(NextKey(rng), start_ns);
    return;
  }
  uint64_t keys[kMaxMultiget];
  for (uint32_t i = 0; i < multiget_; ++i) keys[i] = NextKey(rng);
  conn.QueueMultiGet({keys, multiget_}, start_ns);
}

}  // namespace slabd::bench
