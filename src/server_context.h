// ServerContext: what every worker shares, built by Server in dependency order.
//
// Holds references to the long-lived modules (options, clock, store) and the few
// counters that are process-wide rather than per thread (connection counts,
// verbosity). Workers reach everything through this object: there are no mutable
// globals.
//
// Thread safety: the references are immutable after start-up; the counters are
// atomics; `workers` is filled before any worker thread starts and never resized.
#ifndef SLABD_SRC_SERVER_CONTEXT_H_
#define SLABD_SRC_SERVER_CONTEXT_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <string>

#include "slab/store.h"
#include "src/conn_registry.h"
#include "src/hash_hints.h"
#include "src/password_file.h"
#include "src/prefix_stats.h"
#include "src/server_options.h"
#include "src/thread_stats.h"

namespace slabd::server {

// Gauges a worker publishes about its connections' buffers (`stats` read_buf_*).
struct WorkerGauges {
  std::atomic<int64_t> read_buf_count{0};
  std::atomic<int64_t> read_buf_bytes{0};
  std::atomic<int64_t> output_count{0};   // connections holding a reply buffer
  std::atomic<int64_t> output_bytes{0};
  std::atomic<int64_t> connections{0};
};

struct WorkerShared {
  ThreadStats stats;
  WorkerGauges gauges;
  HashHints hints;  // the worker's own: not read by other threads
};

struct ServerContext {
  ServerContext(const ServerOptions& o, const slab::Clock& c, slab::Store& s)
      : options(o), clock(c), store(s) {}

  const ServerOptions& options;
  const slab::Clock& clock;  // SystemClock in the server, a fake in tests
  slab::Store& store;

  std::atomic<int> verbosity{0};
  std::atomic<int64_t> curr_connections{0};   // client connections open now
  std::atomic<uint64_t> total_connections{0}; // client connections ever accepted
  std::atomic<uint64_t> rejected_connections{0};
  std::atomic<int64_t> max_conn_structures{0};
  int listeners = 0;  // listening sockets (memcached counts them as connections)
  std::atomic<bool> accepting{true};          // false while accept is paused (out of fds)
  std::atomic<uint64_t> listen_disabled_num{0};
  std::atomic<uint64_t> time_in_listen_disabled_us{0};

  ReloadablePasswordFile* ascii_auth = nullptr;  // -Y tokens; null when -Y is off
  std::deque<WorkerShared> workers;           // one per worker thread
  PrefixStats prefix_stats;                   // `stats detail`
  ConnRegistry conns;                         // `stats conns`
};

}  // namespace slabd::server

#endif  // SLABD_SRC_SERVER_CONTEXT_H_
