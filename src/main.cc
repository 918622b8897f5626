// slabd entry point: parse options, set up logging, run the server.
#include <glog/logging.h>

#include <sysexits.h>

#include <cstdio>

#include "src/config_file.h"
#include "src/options.h"
#include "src/server.h"

// jemalloc's start-up configuration (read once by jemalloc, never written). Freed
// pages go back to the kernel at once instead of after jemalloc's default 10 s: the
// server frees memory rarely (a grown hash table, a drained output buffer) and its
// RSS should track the -m budget (measured: 1.8 MB less RSS at -m 64 after a
// hash-table growth, scripts/bench/memfill).
extern "C" {
const char* malloc_conf = "dirty_decay_ms:0,muzzy_decay_ms:0";
}

int main(int argc, char** argv) {
  slabd::server::ParsedOptions parsed = slabd::server::ParseOptions(argc, argv);
  if (parsed.exit_code >= 0) {
    std::fputs(parsed.message.c_str(), parsed.exit_code == 0 ? stdout : stderr);
    return parsed.exit_code;
  }
  if (!parsed.options.log_file.empty()) {  // Debian's `logfile` line, before any log
    std::string error;
    if (!slabd::server::AppendOutputTo(parsed.options.log_file, &error)) {
      std::fprintf(stderr, "slabd: %s\n", error.c_str());
      return EX_CANTCREAT;
    }
  }
  FLAGS_logtostderr = true;
  // What is logged is decided by the verbosity (-v, -vv, or the `verbosity` command at
  // run time), checked at each log site; glog itself passes everything.
  FLAGS_minloglevel = google::GLOG_INFO;
  google::InitGoogleLogging(argv[0]);
  return slabd::server::RunServer(parsed.options);
}
