// Listener: the listening sockets of the main thread (TCP, or the -s UNIX socket).
//
// Parses memcached's -l syntax (a comma or semicolon separated list of addresses,
// each optionally `host:port` or `[v6]:port`), binds each with SO_REUSEADDR, and
// hands every accepted socket (non-blocking, TCP_NODELAY) to a callback. Above
// the connection limit it answers `ERROR Too many open connections` and closes,
// as memcached does with maxconns_fast. When accept() fails for want of file
// descriptors, accepting pauses and is retried every 10 ms (memcached's
// listen_disabled_num / accepting_conns), instead of spinning on a readable socket.
//
// Thread safety: main thread only.
#ifndef SLABD_SRC_LISTENER_H_
#define SLABD_SRC_LISTENER_H_

#include <event2/listener.h>

#include <functional>
#include <string>
#include <vector>

#include "src/server_context.h"

namespace slabd::server {

class Listener {
 public:
  using AcceptFn = std::function<void(int fd, ConnEntry* entry)>;
  Listener(event_base* base, ServerContext& ctx, AcceptFn on_accept)
      : base_(base), ctx_(ctx), on_accept_(std::move(on_accept)) {}
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // Binds every address of `listen` on `port`. Returns "" or an error line.
  std::string Open(const std::string& listen, int port, int backlog);
  // Serves an already listening socket (the -s UNIX socket); takes ownership of `fd`.
  std::string Adopt(int fd, int backlog);
  int count() const { return static_cast<int>(listeners_.size()); }

 private:
  static void OnAccept(evconnlistener* l, evutil_socket_t fd, sockaddr* addr, int len,
                       void* arg);
  static void OnAcceptError(evconnlistener* l, void* arg);
  static void OnRetry(evutil_socket_t, short, void* arg);
  std::string OpenOne(const std::string& host, const std::string& port, int backlog);

  event_base* base_;
  ServerContext& ctx_;
  AcceptFn on_accept_;
  std::vector<evconnlistener*> listeners_;
  std::vector<std::string> addresses_;  // `stats conns` form, parallel to listeners_
  event* retry_ = nullptr;              // re-enables accepting after an fd shortage
  timespec disabled_since_{};
};

}  // namespace slabd::server

#endif  // SLABD_SRC_LISTENER_H_
