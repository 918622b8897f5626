// bench-ceiling: the measured syscall floor of the machine, NOT a cache (issue 6).
//
// One thread, one epoll set, level-triggered. Per readiness event a connection does exactly
// one read() and, if that produced replies, exactly one write() carrying every reply of every
// complete command in the bytes read so far; a partial command waits for the next read. No
// second read that only returns EAGAIN, no per-request epoll_ctl (only when the socket blocks),
// no storage: every get is a hit for a constant value of -v bytes, so the figures compare with
// a prefilled server at a 100% hit ratio.
//
// Understood: get/gets (VALUE per key, then END; gets adds CAS 1), set (data block ->
// STORED), mg (VA <N> or HD, echoing k O f s c t return flags in order), ms (data -> HD;
// q -> nothing), mn, version. Anything else is ERROR. noreply on set is honoured.
//
// Usage: bench-ceiling [-p PORT (11211)] [-l ADDR (127.0.0.1)] [-v VALUE_BYTES (100)]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace {

std::string g_value;  // the value every get returns (-v bytes of 'x')
std::string g_vlen;   // its length in decimal

struct Conn {
  size_t cap = 64 * 1024, len = 0;  // unparsed input: buf[0, len)
  std::unique_ptr<char[]> buf = std::make_unique<char[]>(cap);
  std::string out;                  // replies not yet accepted by the socket
  bool want_out = false;            // EPOLLOUT armed (the socket blocked)
};

// Tokens of one line, into a vector reused across commands (no allocation in steady state).
const std::vector<std::string_view>& Split(std::string_view line) {
  static std::vector<std::string_view> t;
  t.clear();
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    size_t j = line.find(' ', i);
    if (j == std::string_view::npos) j = line.size();
    if (j > i) t.push_back(line.substr(i, j - i));
    i = j;
  }
  return t;
}

// Appends memcached's meta return flags (k O f s c t, in request order) for a hit.
void MetaFlags(const std::vector<std::string_view>& t, size_t first, std::string& out) {
  for (size_t i = first; i < t.size(); ++i) {
    switch (t[i][0]) {
      case 'k': out += " k"; out += t[1]; break;
      case 'O': out += ' '; out += t[i]; break;
      case 'f': out += " f0"; break;
      case 's': out += " s"; out += g_vlen; break;
      case 'c': out += " c1"; break;
      case 't': out += " t-1"; break;
    }
  }
}

// Answers one command starting at `p`. Returns bytes consumed, 0 if incomplete.
size_t Command(const char* p, size_t n, std::string& out) {
  const char* nl = static_cast<const char*>(memchr(p, '\n', n));
  if (nl == nullptr) return 0;
  size_t used = nl - p + 1;
  std::string_view line(p, nl - p);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  const std::vector<std::string_view>& t = Split(line);
  const std::string_view cmd = t.empty() ? "" : t[0];
  if ((cmd == "get" || cmd == "gets") && t.size() > 1) {
    for (size_t i = 1; i < t.size(); ++i) {
      out += "VALUE "; out += t[i]; out += " 0 "; out += g_vlen;
      out += cmd == "gets" ? " 1\r\n" : "\r\n";
      out += g_value; out += "\r\n";
    }
    out += "END\r\n";
  } else if ((cmd == "set" && t.size() >= 5) || (cmd == "ms" && t.size() >= 3)) {
    const std::string_view len = t[cmd == "set" ? 4 : 2];
    size_t data = 0;
    std::from_chars(len.data(), len.data() + len.size(), data);
    if (n - used < data + 2) return 0;  // wait for the whole data block
    used += data + 2;
    if (cmd == "set") {
      if (t.size() < 6 || t[5] != "noreply") out += "STORED\r\n";
    } else {
      bool quiet = false;
      for (size_t i = 3; i < t.size(); ++i) quiet |= t[i] == "q";
      if (!quiet) { out += "HD"; MetaFlags(t, 3, out); out += "\r\n"; }
    }
  } else if (cmd == "mg" && t.size() >= 2) {
    bool v = false;
    for (size_t i = 2; i < t.size(); ++i) v |= t[i] == "v";
    if (v) { out += "VA "; out += g_vlen; } else { out += "HD"; }
    MetaFlags(t, 2, out);
    out += "\r\n";
    if (v) { out += g_value; out += "\r\n"; }
  } else if (cmd == "mn") {
    out += "MN\r\n";
  } else if (cmd == "version") {
    out += "VERSION ceiling\r\n";
  } else {
    out += "ERROR\r\n";
  }
  return used;
}

void Arm(int ep, int fd, Conn& c, bool want_out) {
  if (c.want_out == want_out) return;
  c.want_out = want_out;
  epoll_event ev{};
  ev.events = want_out ? EPOLLOUT : EPOLLIN;
  ev.data.fd = fd;
  epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
}

// One read, every complete command answered, one write. False: close the connection.
bool OnReadable(int ep, int fd, Conn& c) {
  if (c.len == c.cap) {  // one command longer than the buffer (a huge multiget line)
    if (c.cap >= (64u << 20)) return false;
    auto bigger = std::make_unique<char[]>(c.cap * 2);
    memcpy(bigger.get(), c.buf.get(), c.len);
    c.buf = std::move(bigger);
    c.cap *= 2;
  }
  const ssize_t n = read(fd, c.buf.get() + c.len, c.cap - c.len);
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return false;
  if (n < 0) return true;
  c.len += n;
  size_t pos = 0;
  while (size_t used = Command(c.buf.get() + pos, c.len - pos, c.out)) pos += used;
  memmove(c.buf.get(), c.buf.get() + pos, c.len - pos);
  c.len -= pos;
  if (c.out.empty()) return true;
  const ssize_t w = write(fd, c.out.data(), c.out.size());
  if (w < 0 && errno != EAGAIN) return false;
  c.out.erase(0, w < 0 ? 0 : w);
  Arm(ep, fd, c, !c.out.empty());  // blocked: stop reading until the replies have left
  return true;
}

bool OnWritable(int ep, int fd, Conn& c) {
  const ssize_t w = write(fd, c.out.data(), c.out.size());
  if (w < 0 && errno != EAGAIN) return false;
  c.out.erase(0, w < 0 ? 0 : w);
  Arm(ep, fd, c, !c.out.empty());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  int port = 11211, opt;
  const char* addr = "127.0.0.1";
  size_t value_size = 100;
  while ((opt = getopt(argc, argv, "p:l:v:")) != -1) {
    if (opt == 'p') port = atoi(optarg);
    else if (opt == 'l') addr = optarg;
    else if (opt == 'v') value_size = strtoull(optarg, nullptr, 10);
    else { fprintf(stderr, "usage: %s [-p PORT] [-l ADDR] [-v VALUE_BYTES]\n", argv[0]); return 64; }
  }
  signal(SIGPIPE, SIG_IGN);  // a client that vanished is a failed write, not a dead server
  g_value.assign(value_size, 'x');
  g_vlen = std::to_string(value_size);
  const int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  const int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1 ||
      bind(lfd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0 || listen(lfd, 1024) != 0) {
    fprintf(stderr, "bench-ceiling: cannot listen on %s:%d: %s\n", addr, port, strerror(errno));
    return 71;  // EX_OSERR
  }
  const int ep = epoll_create1(0);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = lfd;
  epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
  std::vector<std::unique_ptr<Conn>> conns;
  epoll_event events[256];
  for (;;) {
    const int k = epoll_wait(ep, events, 256, -1);
    for (int i = 0; i < k; ++i) {
      const int fd = events[i].data.fd;
      if (fd == lfd) {
        int c;
        while ((c = accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK)) >= 0) {
          setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
          if (conns.size() <= static_cast<size_t>(c)) conns.resize(c + 1);
          conns[c] = std::make_unique<Conn>();
          epoll_event cev{};
          cev.events = EPOLLIN;
          cev.data.fd = c;
          epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
        }
        continue;
      }
      Conn& c = *conns[fd];
      const bool ok = (events[i].events & EPOLLOUT) ? OnWritable(ep, fd, c)
                      : (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) ? OnReadable(ep, fd, c)
                                                                            : true;
      if (!ok) {
        close(fd);  // closing removes it from the epoll set
        conns[fd].reset();
      }
    }
  }
}
