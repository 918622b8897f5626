// ServerOptions: every setting of the server process as one plain struct.
//
// Built once at start-up by ParseOptions() (options.cc, the only file that reads
// gflags) and then passed down by const reference. Nothing in it changes while the
// server runs; runtime-adjustable knobs (verbosity) live in ServerState.
#ifndef SLABD_SRC_SERVER_OPTIONS_H_
#define SLABD_SRC_SERVER_OPTIONS_H_

#include <cstdint>
#include <string>

#include "slab/store.h"

namespace slabd::server {

// -B: which protocol a connection may speak. kAuto decides per connection from the
// first byte (0x80: binary).
enum class BindingProtocol { kAuto, kAscii, kBinary };

struct ServerOptions {
  int port = 11211;                 // -p; 0 disables TCP
  int udp_port = 0;                 // -U; 0 = off (UDP invites amplification attacks)
  std::string listen = "127.0.0.1"; // -l; memcached listens on every interface
  int threads = 4;                  // -t
  int max_connections = 1024;       // -c
  int reqs_per_event = 20;          // -R: requests per connection before it yields
  int backlog = 1024;               // -b
  int verbose = 0;                  // -v / -vv
  std::string user;                 // -u: required as root; privileges drop after binding
  BindingProtocol protocol = BindingProtocol::kAuto;  // -B (-S forces binary, -Y ascii)
  bool sasl = false;                // -S: binary SASL authentication required
  std::string sasl_pwdb;            // user:password file for SASL PLAIN ($MEMCACHED_SASL_PWDB)
  std::string auth_file;            // -Y: ASCII authentication tokens (user:password lines)
  bool flush_enabled = true;        // -F turns flush_all off
  bool dump_enabled = true;         // -X turns stats cachedump off
  bool shutdown_enabled = false;    // -A allows the `shutdown` command
  std::string unix_socket;          // -s: listen here instead of TCP (and UDP)
  int unix_mask = 0700;             // -a: permissions of the socket file
  bool daemonize = false;           // -d
  std::string pid_file;             // -P
  bool lock_memory = false;         // -k: mlockall
  bool enable_coredumps = false;    // -r: raise RLIMIT_CORE
  int idle_timeout = 0;             // -o idle_timeout=N: seconds; 0 = never kick
  std::string log_file;             // `logfile` line of --config: stdout/stderr appended
  slab::StoreOptions store;         // -m -n -f -I -M -C -o hashpower=
  // Bytes of replies queued on one connection above which it stops parsing input
  // until the client reads: bounds memory for clients that send and never read.
  uint64_t max_pending_output = 1u << 20;
};

}  // namespace slabd::server

#endif  // SLABD_SRC_SERVER_OPTIONS_H_
