// Listener (see listener.h).
#include "src/listener.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

namespace slabd::server {
namespace {
constexpr char kTooMany[] = "ERROR Too many open connections\r\n";
}  // namespace

Listener::~Listener() {
  if (retry_ != nullptr) event_free(retry_);
  for (evconnlistener* l : listeners_) {
    ctx_.conns.Remove(evconnlistener_get_fd(l));
    evconnlistener_free(l);
  }
}

std::string Listener::Open(const std::string& listen, int port, int backlog) {
  std::string list = listen.empty() ? "0.0.0.0" : listen;
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t end = list.find_first_of(",;", pos);
    std::string entry = list.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    pos = end == std::string::npos ? list.size() + 1 : end + 1;
    if (entry.empty()) continue;
    std::string host = entry;
    std::string port_text = std::to_string(port);
    if (entry.front() == '[') {  // [v6addr] or [v6addr]:port
      size_t close = entry.find(']');
      if (close == std::string::npos) return "invalid listen address: " + entry;
      host = entry.substr(1, close - 1);
      if (close + 1 < entry.size() && entry[close + 1] == ':') port_text = entry.substr(close + 2);
    } else if (entry.find(':') != std::string::npos &&
               entry.find(':') == entry.rfind(':')) {  // host:port (not a bare v6 address)
      host = entry.substr(0, entry.find(':'));
      port_text = entry.substr(entry.find(':') + 1);
    }
    std::string err = OpenOne(host, port_text, backlog);
    if (!err.empty()) return err;
  }
  return "";
}

std::string Listener::OpenOne(const std::string& host, const std::string& port, int backlog) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &res);
  if (rc != 0) return "getaddrinfo(" + host + "): " + gai_strerror(rc);
  std::string err;
  int bound = 0;
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (ai->ai_family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || ::listen(fd, backlog) != 0) {
      err = "failed to listen on TCP port " + port + ": " + std::strerror(errno);
      ::close(fd);
      continue;
    }
    std::string adopt_err = Adopt(fd, backlog);
    if (!adopt_err.empty()) {
      err = adopt_err;
      continue;
    }
    ++bound;
  }
  freeaddrinfo(res);
  return bound > 0 ? "" : (err.empty() ? "no usable address for " + host : err);
}

std::string Listener::Adopt(int fd, int backlog) {
  evconnlistener* l = evconnlistener_new(base_, &Listener::OnAccept, this,
                                         LEV_OPT_CLOSE_ON_FREE, backlog, fd);
  if (l == nullptr) {
    ::close(fd);
    return "evconnlistener_new failed";
  }
  sockaddr_storage local{};
  socklen_t local_len = sizeof(local);
  getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len);
  addresses_.push_back(ConnRegistry::FormatAddress(reinterpret_cast<sockaddr*>(&local)));
  ctx_.conns.Add(fd, addresses_.back(), "", ConnState::kListening, ctx_.clock.Now());
  evconnlistener_set_error_cb(l, &Listener::OnAcceptError);
  listeners_.push_back(l);
  return "";
}

void Listener::OnAcceptError(evconnlistener*, void* arg) {
  auto* self = static_cast<Listener*>(arg);
  const int err = EVUTIL_SOCKET_ERROR();
  if (err != EMFILE && err != ENFILE && err != ENOBUFS && err != ENOMEM) return;
  if (!self->ctx_.accepting.exchange(false)) return;
  for (evconnlistener* l : self->listeners_) evconnlistener_disable(l);
  self->ctx_.listen_disabled_num.fetch_add(1);
  clock_gettime(CLOCK_MONOTONIC, &self->disabled_since_);
  if (self->retry_ == nullptr) self->retry_ = evtimer_new(self->base_, &Listener::OnRetry, self);
  timeval ten_ms{0, 10000};
  evtimer_add(self->retry_, &ten_ms);
}

void Listener::OnRetry(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<Listener*>(arg);
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  const int64_t us = (now.tv_sec - self->disabled_since_.tv_sec) * 1000000 +
                     (now.tv_nsec - self->disabled_since_.tv_nsec) / 1000;
  self->ctx_.time_in_listen_disabled_us.fetch_add(static_cast<uint64_t>(us));
  self->ctx_.accepting.store(true);
  for (evconnlistener* l : self->listeners_) evconnlistener_enable(l);
}

void Listener::OnAccept(evconnlistener* l, evutil_socket_t fd, sockaddr* peer, int, void* arg) {
  auto* self = static_cast<Listener*>(arg);
  ServerContext& ctx = self->ctx_;
  // memcached counts listening sockets against -c as well.
  if (ctx.curr_connections.load() + self->count() >= ctx.options.max_connections) {
    ssize_t n = ::write(fd, kTooMany, sizeof(kTooMany) - 1);
    (void)n;
    ::close(fd);
    ctx.rejected_connections.fetch_add(1);
    return;
  }
  int one = 1;
  if (peer->sa_family != AF_UNIX) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  int64_t now = ctx.curr_connections.fetch_add(1) + 1;
  ctx.total_connections.fetch_add(1);
  int64_t seen = ctx.max_conn_structures.load();
  while (now > seen && !ctx.max_conn_structures.compare_exchange_weak(seen, now)) {
  }
  std::string listen_addr;
  for (size_t i = 0; i < self->listeners_.size(); ++i)
    if (self->listeners_[i] == l) listen_addr = self->addresses_[i];
  ConnEntry* entry = ctx.conns.Add(fd, ConnRegistry::FormatAddress(peer), std::move(listen_addr),
                                   ConnState::kWaiting, ctx.clock.Now());
  self->on_accept_(fd, entry);
}

}  // namespace slabd::server
