// Service-manager notification: sd_notify(3) for systemd `Type=notify` units
// (scripts/slabd.service).
//
// The only file that talks to libsystemd. Every call is a no-op unless the service
// manager set $NOTIFY_SOCKET, so slabd started by hand or by a test behaves exactly as
// without systemd. Messages: READY=1 once the listeners are open and the workers run,
// STATUS= a one-line summary, STOPPING=1 when shutdown begins (signal or `shutdown`).
//
// Thread safety: call from the main thread (start-up and shutdown only).
#ifndef SLABD_SRC_SERVICE_NOTIFY_H_
#define SLABD_SRC_SERVICE_NOTIFY_H_

#include <string>

#include "src/server_options.h"

namespace slabd::server {

// "serving 127.0.0.1:11211, 4 threads, 64 MB": what systemctl status shows.
std::string ServiceStatus(const ServerOptions& options);

// READY=1 with STATUS=ServiceStatus(options).
void NotifyReady(const ServerOptions& options);

// STOPPING=1 with STATUS=stopping.
void NotifyStopping();

}  // namespace slabd::server

#endif  // SLABD_SRC_SERVICE_NOTIFY_H_
