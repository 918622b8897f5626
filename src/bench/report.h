// The run's results and their two renderings: a human-readable text report and the one-line
// JSON object of the spec (keys and order fixed; consumed by scripts/bench/compare).
//
// Pure formatting: no I/O.
#ifndef SLABD_SRC_BENCH_REPORT_H_
#define SLABD_SRC_BENCH_REPORT_H_

#include <cstdint>
#include <optional>
#include <string>

#include "src/bench/bench_options.h"
#include "src/bench/driver_stats.h"

namespace slabd::bench {

struct RunSummary {
  double duration_s = 0;      // the measured window
  DriverStats stats;          // merged over all threads
  uint64_t open_at_end = 0;   // requests sent but unanswered when the window closed
  std::optional<double> server_cpu_s;  // with --server-pid
  double driver_cpu_s = 0;    // this process, over the window
  uint64_t prefill_keys = 0;
  double prefill_s = 0;
  uint64_t prefill_errors = 0;
};

[[nodiscard]] std::string FormatJson(const BenchOptions& options, const RunSummary& summary);
[[nodiscard]] std::string FormatText(const BenchOptions& options, const RunSummary& summary);

}  // namespace slabd::bench

#endif  // SLABD_SRC_BENCH_REPORT_H_
