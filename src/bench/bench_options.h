// BenchOptions: slabd-bench's command line (the shared benchmark spec, issue 6), parsed
// into a plain struct that the rest of the driver takes by const&.
//
// ParseBenchOptions is pure apart from getopt_long's globals (it resets them, so it can be
// called again, as the tests do); it prints nothing. Nothing else reads argv.
#ifndef SLABD_SRC_BENCH_BENCH_OPTIONS_H_
#define SLABD_SRC_BENCH_BENCH_OPTIONS_H_

#include <cstdint>
#include <string>

#include "src/bench/protocol.h"

namespace slabd::bench {

struct BenchOptions {
  std::string host = "127.0.0.1";
  std::string port = "11211";
  std::string socket_path;  // --socket: a unix socket instead of host:port
  Protocol protocol = Protocol::kText;
  bool open_loop = false;
  uint32_t connections = 50;
  uint32_t pipeline = 1;  // closed loop: requests outstanding per connection
  double rate = 0;        // open loop: requests/s over all connections
  bool spin = false;      // open loop: poll without sleeping (driver_thread.cc)
  uint32_t threads = 1;
  double get_ratio = 0.9;
  uint32_t multiget = 1;
  uint64_t keys = 100000;
  bool zipf = false;
  double zipf_theta = 0.99;
  uint32_t value_min = 100;
  uint32_t value_max = 100;
  bool prefill = false;
  double warmup_s = 2;
  double duration_s = 10;
  int server_pid = 0;  // 0: not given
  uint64_t seed = 1;
  bool json = false;
  bool engine = false;
  bool scaling = false;      // --engine: run 1 thread first and report the ratio
  uint64_t memory_mb = 1024; // --engine: the Store's -m
};

struct ParsedBenchOptions {
  BenchOptions options;
  // -1: run with `options`. Otherwise exit with this code after printing `message`
  // (0 for --help, to stdout; EX_USAGE for a bad command line, to stderr).
  int exit_code = -1;
  std::string message;
};

[[nodiscard]] ParsedBenchOptions ParseBenchOptions(int argc, char** argv);

// The usage text printed by --help.
[[nodiscard]] std::string BenchUsage();

}  // namespace slabd::bench

#endif  // SLABD_SRC_BENCH_BENCH_OPTIONS_H_
