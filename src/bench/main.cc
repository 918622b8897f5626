// slabd-bench entry point: parse the command line, then run either the network load driver
// (bench_runner.h) or, with --engine, the storage-only benchmark (engine_bench.h).
#include <csignal>
#include <cstdio>

#include "src/bench/bench_options.h"
#include "src/bench/bench_runner.h"
#include "src/bench/engine_bench.h"

namespace {

slabd::bench::EngineBenchOptions ToEngineOptions(const slabd::bench::BenchOptions& o) {
  slabd::bench::EngineBenchOptions e;
  e.threads = static_cast<int>(o.threads);
  e.keys = o.keys;
  e.value_min = o.value_min;
  e.value_max = o.value_max;
  e.get_ratio = o.get_ratio;
  e.zipf = o.zipf;
  e.zipf_theta = o.zipf_theta;
  e.warmup_s = o.warmup_s;
  e.duration_s = o.duration_s;
  e.seed = o.seed;
  e.json = o.json;
  e.scaling = o.scaling;
  e.memory_mb = o.memory_mb;
  return e;
}

}  // namespace

int main(int argc, char** argv) {
  const slabd::bench::ParsedBenchOptions parsed = slabd::bench::ParseBenchOptions(argc, argv);
  if (parsed.exit_code >= 0) {
    std::fputs(parsed.message.c_str(), parsed.exit_code == 0 ? stdout : stderr);
    return parsed.exit_code;
  }
  if (parsed.options.engine) return slabd::bench::RunEngineBench(ToEngineOptions(parsed.options));
  std::signal(SIGPIPE, SIG_IGN);  // a vanished server is a failed send, not a killed driver
  return slabd::bench::RunNetworkBench(parsed.options);
}
