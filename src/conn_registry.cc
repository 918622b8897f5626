// ConnRegistry (see conn_registry.h).
#include "src/conn_registry.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <cstring>

#include "proto/text_writer.h"

namespace slabd::server {
namespace {

std::string_view StateName(ConnState s) {
  switch (s) {
    case ConnState::kListening: return "conn_listening";
    case ConnState::kWaiting: return "conn_waiting";
    case ConnState::kParseCmd: return "conn_parse_cmd";
    case ConnState::kNread: return "conn_nread";
    case ConnState::kSwallow: return "conn_swallow";
    case ConnState::kMwrite: return "conn_mwrite";
    case ConnState::kClosing: return "conn_closing";
    case ConnState::kRead: return "conn_read";
  }
  return "conn_closed";
}

}  // namespace

std::string ConnRegistry::FormatAddress(const sockaddr* addr) {
  char host[INET6_ADDRSTRLEN] = {0};
  if (addr->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(addr);
    inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
    return std::string("tcp:") + host + ":" + std::to_string(ntohs(in->sin_port));
  }
  if (addr->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(addr);
    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
    return std::string("tcp6:[") + host + "]:" + std::to_string(ntohs(in6->sin6_port));
  }
  if (addr->sa_family == AF_UNIX) {  // memcached: the socket path, for client and listener
    const auto* un = reinterpret_cast<const sockaddr_un*>(addr);
    return "unix:" + std::string(un->sun_path, strnlen(un->sun_path, sizeof(un->sun_path)));
  }
  return "unknown";
}

ConnEntry* ConnRegistry::Add(int fd, std::string addr, std::string listen_addr,
                             ConnState state, uint32_t now) {
  auto entry = std::make_unique<ConnEntry>();
  entry->addr = std::move(addr);
  entry->listen_addr = std::move(listen_addr);
  entry->state.store(state, std::memory_order_relaxed);
  entry->last_cmd.store(now, std::memory_order_relaxed);
  ConnEntry* raw = entry.get();
  std::lock_guard<std::mutex> lock(mu_);
  entries_[fd] = std::move(entry);
  return raw;
}

void ConnRegistry::Remove(int fd) {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.erase(fd);
}

void ConnRegistry::Dump(std::string& out, uint32_t now) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [fd, e] : entries_) {
    const std::string id = std::to_string(fd) + ":";
    if (e->addr.compare(0, 3, "udp") == 0)
      proto::AppendStat(out, id + "UDP", std::string_view("UDP"));
    proto::AppendStat(out, id + "addr", std::string_view(e->addr));
    if (!e->listen_addr.empty())
      proto::AppendStat(out, id + "listen_addr", std::string_view(e->listen_addr));
    proto::AppendStat(out, id + "state", StateName(e->state.load(std::memory_order_relaxed)));
    uint32_t last = e->last_cmd.load(std::memory_order_relaxed);
    proto::AppendStat(out, id + "secs_since_last_cmd",
                      static_cast<uint64_t>(now > last ? now - last : 0));
  }
}

}  // namespace slabd::server
