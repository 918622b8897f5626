// UdpServer: memcached's UDP transport (-U <port>), off by default.
//
// Binds one UDP socket per -l address (memcached's syntax: comma or semicolon
// separated, `host:port` and `[v6]:port` allowed; an address's own port overrides
// -U) and gives the worker threads their readers, as memcached does: with one socket,
// every worker reads a dup() of it (num_threads_per_udp = -t); with several, each
// socket goes to one worker, round robin (num_threads_per_udp = 1). The readers are
// UdpConns (udp_conn.h) living on their worker's event loop; each counts as a
// connection in `stats`, `stats conns` lists it, as memcached does.
//
// UDP is off by default because a tiny spoofed request (`get` of a large value,
// `stats`) is answered with many large datagrams: internet-facing servers were used
// for reflection/amplification attacks (memcached 1.5.6 disabled it by default).
//
// Thread safety: Open() and the destructor run on the main thread; destroy only after
// the workers' threads have been joined (the readers' events belong to their loops).
#ifndef SLABD_SRC_UDP_SERVER_H_
#define SLABD_SRC_UDP_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include "src/server_context.h"
#include "src/udp_conn.h"
#include "src/worker.h"

namespace slabd::server {

class UdpServer {
 public:
  explicit UdpServer(ServerContext& ctx) : ctx_(ctx) {}
  ~UdpServer();
  UdpServer(const UdpServer&) = delete;
  UdpServer& operator=(const UdpServer&) = delete;

  // Binds every address of `listen` on UDP `port` and starts the readers on `workers`
  // (already started). Returns "" or an error line.
  std::string Open(const std::string& listen, int port,
                   const std::vector<std::unique_ptr<Worker>>& workers);
  // Readers registered (memcached counts each as a connection).
  int count() const { return static_cast<int>(conns_.size()); }

  // memcached's num_threads_per_udp: 1 when -l names several addresses.
  static int ThreadsPerSocket(const std::string& listen, int threads);

 private:
  std::string BindOne(const std::string& host, const std::string& port, std::vector<int>* fds);
  std::string AddReader(int fd, Worker& worker);

  ServerContext& ctx_;
  std::vector<std::unique_ptr<UdpConn>> conns_;
};

}  // namespace slabd::server

#endif  // SLABD_SRC_UDP_SERVER_H_
