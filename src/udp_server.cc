// UdpServer (see udp_server.h).
#include "src/udp_server.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace slabd::server {
namespace {

// memcached's -l entries: "host", "host:port", "[v6]" or "[v6]:port"; a bare v6
// address has several colons and no port.
struct ListenEntry {
  std::string host;
  std::string port;
  bool ok = true;
};

ListenEntry SplitEntry(const std::string& entry, const std::string& default_port) {
  ListenEntry e{entry, default_port};
  if (entry.front() == '[') {
    const size_t close = entry.find(']');
    if (close == std::string::npos) return {entry, "", false};
    e.host = entry.substr(1, close - 1);
    if (close + 1 < entry.size() && entry[close + 1] == ':') e.port = entry.substr(close + 2);
  } else if (entry.find(':') != std::string::npos && entry.find(':') == entry.rfind(':')) {
    e.host = entry.substr(0, entry.find(':'));
    e.port = entry.substr(entry.find(':') + 1);
  }
  return e;
}

std::vector<std::string> SplitList(const std::string& listen) {
  std::vector<std::string> out;
  const std::string list = listen.empty() ? "0.0.0.0" : listen;
  size_t pos = 0;
  while (pos <= list.size()) {
    const size_t end = list.find_first_of(",;", pos);
    std::string entry = list.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    pos = end == std::string::npos ? list.size() + 1 : end + 1;
    if (!entry.empty()) out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace

int UdpServer::ThreadsPerSocket(const std::string& listen, int threads) {
  return listen.find_first_of(",;") != std::string::npos ? 1 : threads;
}

UdpServer::~UdpServer() {
  for (const auto& c : conns_) ctx_.conns.Remove(c->fd());
  conns_.clear();
}

std::string UdpServer::Open(const std::string& listen, int port,
                            const std::vector<std::unique_ptr<Worker>>& workers) {
  std::vector<int> fds;
  for (const std::string& entry : SplitList(listen)) {
    const ListenEntry e = SplitEntry(entry, std::to_string(port));
    if (!e.ok) return "invalid listen address: " + entry;
    std::string err = BindOne(e.host, e.port, &fds);
    if (!err.empty()) {
      for (int fd : fds) ::close(fd);
      return err;
    }
  }
  const int per_socket = ThreadsPerSocket(listen, static_cast<int>(workers.size()));
  size_t next = 0;
  for (int fd : fds) {
    for (int i = 0; i < per_socket; ++i) {
      // The last reader takes the bound socket itself, the others a dup of it.
      const int reader = i + 1 == per_socket ? fd : fcntl(fd, F_DUPFD_CLOEXEC, 0);
      if (reader < 0) return std::string("dup of the UDP socket failed: ") + std::strerror(errno);
      std::string err = AddReader(reader, *workers[next++ % workers.size()]);
      if (!err.empty()) return err;
    }
  }
  return "";
}

std::string UdpServer::BindOne(const std::string& host, const std::string& port,
                               std::vector<int>* fds) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* res = nullptr;
  const int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &res);
  if (rc != 0) return "getaddrinfo(" + host + "): " + gai_strerror(rc);
  std::string err;
  int bound = 0;
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    ai->ai_protocol);
    if (fd < 0) continue;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (ai->ai_family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
      err = "failed to listen on UDP port " + port + ": " + std::strerror(errno);
      ::close(fd);
      continue;
    }
    fds->push_back(fd);
    ++bound;
  }
  freeaddrinfo(res);
  return bound > 0 ? "" : (err.empty() ? "no usable address for " + host : err);
}

std::string UdpServer::AddReader(int fd, Worker& worker) {
  sockaddr_storage local{};
  socklen_t local_len = sizeof(local);
  getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len);
  // FormatAddress names the transport "tcp"/"tcp6"; memcached prints "udp"/"udp6".
  std::string addr = ConnRegistry::FormatAddress(reinterpret_cast<sockaddr*>(&local));
  if (addr.compare(0, 3, "tcp") == 0) addr.replace(0, 3, "udp");
  auto conn = std::make_unique<UdpConn>(fd, worker);
  if (!conn->Start()) return "could not register the UDP socket with a worker";
  ctx_.conns.Add(fd, std::move(addr), "", ConnState::kRead, ctx_.clock.Now());
  conns_.push_back(std::move(conn));
  return "";
}

}  // namespace slabd::server
