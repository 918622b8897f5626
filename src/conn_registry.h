// ConnRegistry: every open socket (listeners and clients) for `stats conns`.
//
// Entries are added when a socket opens (listener set-up, accept) and removed when
// it closes. A client connection keeps a pointer to its entry and publishes its
// state and last-command time with relaxed stores, once per event, so the request
// path takes no lock. The reply lists sockets by fd, as memcached does:
//   STAT <fd>:addr tcp:<ip>:<port>
//   STAT <fd>:listen_addr tcp:<ip>:<port>      (clients only)
//   STAT <fd>:state conn_<state>
//   STAT <fd>:secs_since_last_cmd <n>
//
// Thread safety: Add/Remove/Dump may be called from any thread (one mutex).
#ifndef SLABD_SRC_CONN_REGISTRY_H_
#define SLABD_SRC_CONN_REGISTRY_H_

#include <sys/socket.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace slabd::server {

enum class ConnState : uint8_t {
  kListening, kWaiting, kParseCmd, kNread, kSwallow, kMwrite, kClosing,
  kRead,  // a UDP reader (memcached: conn_read, and a "UDP" line)
};

struct ConnEntry {
  std::string addr;
  std::string listen_addr;  // empty for listeners
  std::atomic<ConnState> state{ConnState::kWaiting};
  std::atomic<uint32_t> last_cmd{0};  // RelTime of the last command
};

class ConnRegistry {
 public:
  // Formats a socket address as memcached does: tcp:1.2.3.4:5 or tcp6:[::1]:5.
  static std::string FormatAddress(const sockaddr* addr);

  ConnEntry* Add(int fd, std::string addr, std::string listen_addr, ConnState state,
                 uint32_t now);
  void Remove(int fd);
  // Appends the STAT lines (no END).
  void Dump(std::string& out, uint32_t now) const;

 private:
  mutable std::mutex mu_;
  std::map<int, std::unique_ptr<ConnEntry>> entries_;  // GUARDED_BY(mu_)
};

}  // namespace slabd::server

#endif  // SLABD_SRC_CONN_REGISTRY_H_
