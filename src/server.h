// Server: the composition root. Builds the modules in dependency order (clock,
// store, shared context, workers, listeners, timers), runs the main event loop, and
// tears everything down in reverse on SIGINT/SIGTERM.
//
// The main thread owns the listening sockets and the one-second clock; accepted
// sockets go round-robin to the workers. A maintenance thread drives the store's
// background steps (online hash-table growth) through Store::Maintain().
#ifndef SLABD_SRC_SERVER_H_
#define SLABD_SRC_SERVER_H_

#include "src/server_options.h"

namespace slabd::server {

// Runs the server until a termination signal; returns the process exit code
// (0 after a clean shutdown, a sysexits code when start-up fails).
int RunServer(const ServerOptions& options);

}  // namespace slabd::server

#endif  // SLABD_SRC_SERVER_H_
