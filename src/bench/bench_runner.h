// RunNetworkBench: the composition root of a network run. Builds the shared read-only
// pieces (key table, value bytes, composer, workload), connects every connection up front
// (a refused connection fails the run before any load), hands the connections out to
// the driver threads round-robin, and steps the run through prefill, warm-up and the
// measured window, sampling server and driver CPU time at the window's edges.
#ifndef SLABD_SRC_BENCH_BENCH_RUNNER_H_
#define SLABD_SRC_BENCH_BENCH_RUNNER_H_

#include "src/bench/bench_options.h"

namespace slabd::bench {

// Runs the benchmark and prints the report (--json: the JSON line on stdout, the text
// report on stderr). Returns the process exit code: 0 after a complete run (error
// replies are counted, not fatal), EX_UNAVAILABLE if a connection cannot be made,
// EX_USAGE for an unusable --server-pid or --zipf-theta, 1 if the run failed
// (a connection broke, the server sent something that is not a reply, or no request
// completed in the window).
[[nodiscard]] int RunNetworkBench(const BenchOptions& options);

}  // namespace slabd::bench

#endif  // SLABD_SRC_BENCH_BENCH_RUNNER_H_
