// Service-manager notification (see service_notify.h).
#include "src/service_notify.h"

#include <glog/logging.h>
#include <systemd/sd-daemon.h>

#include <cstring>

namespace slabd::server {
namespace {

// sd_notify returns > 0 when sent, 0 when $NOTIFY_SOCKET is unset, < 0 on error. A
// failure is only logged: the server works without its manager knowing.
void Send(const std::string& message) {
  int rc = sd_notify(/*unset_environment=*/0, message.c_str());
  if (rc < 0) LOG(WARNING) << "sd_notify failed: " << std::strerror(-rc);
}

}  // namespace

std::string ServiceStatus(const ServerOptions& options) {
  std::string where = !options.unix_socket.empty() ? options.unix_socket
                      : options.port != 0 ? options.listen + ":" + std::to_string(options.port)
                                          : std::string("no TCP port");
  if (options.unix_socket.empty() && options.udp_port != 0)
    where += " (UDP " + std::to_string(options.udp_port) + ")";
  return "serving " + where + ", " + std::to_string(options.threads) + " threads, " +
         std::to_string(options.store.max_bytes >> 20) + " MB";
}

void NotifyReady(const ServerOptions& options) {
  Send("READY=1\nSTATUS=" + ServiceStatus(options));
}

void NotifyStopping() { Send("STOPPING=1\nSTATUS=stopping"); }

}  // namespace slabd::server
