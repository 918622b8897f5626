// RunNetworkBench: see bench_runner.h.
#include "src/bench/bench_runner.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sysexits.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "src/bench/bench_clock.h"
#include "src/bench/driver_thread.h"
#include "src/bench/key_table.h"
#include "src/bench/report.h"
#include "src/bench/request_composer.h"
#include "src/bench/server_cpu.h"
#include "src/bench/workload.h"

namespace slabd::bench {
namespace {

constexpr int kConnectTimeoutS = 5;

// Where to connect: one resolved address, reused for every connection.
struct Target {
  sockaddr_storage addr{};
  socklen_t addr_len = 0;
  int family = AF_UNSPEC;
  std::string name;
};

bool Resolve(const BenchOptions& o, Target* t, std::string* error) {
  if (!o.socket_path.empty()) {
    sockaddr_un un{};
    if (o.socket_path.size() >= sizeof un.sun_path) {
      *error = "--socket path too long: " + o.socket_path;
      return false;
    }
    un.sun_family = AF_UNIX;
    std::memcpy(un.sun_path, o.socket_path.data(), o.socket_path.size());
    std::memcpy(&t->addr, &un, sizeof un);
    t->addr_len = sizeof un;
    t->family = AF_UNIX;
    t->name = o.socket_path;
    return true;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  t->name = o.host + ":" + o.port;
  if (const int rc = getaddrinfo(o.host.c_str(), o.port.c_str(), &hints, &res); rc != 0) {
    *error = t->name + ": " + gai_strerror(rc);
    return false;
  }
  std::memcpy(&t->addr, res->ai_addr, res->ai_addrlen);
  t->addr_len = res->ai_addrlen;
  t->family = res->ai_family;
  freeaddrinfo(res);
  return true;
}

// A connected, non-blocking socket (TCP_NODELAY for TCP), or -1 and *error.
int Connect(const Target& t, std::string* error) {
  const int fd = ::socket(t.family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *error = std::string("socket: ") + std::strerror(errno);
    return -1;
  }
  const timeval timeout{kConnectTimeoutS, 0};  // Linux bounds a blocking connect by it
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&t.addr), t.addr_len) != 0) {
    *error = "connect to " + t.name + ": " + std::strerror(errno);
    ::close(fd);
    return -1;
  }
  const timeval none{0, 0};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &none, sizeof none);
  if (t.family != AF_UNIX) {
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

double ProcessCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Sleeps until `deadline_ns` or an abort, whichever is first; false on abort.
bool SleepUntil(int64_t deadline_ns, const RunControl& control) {
  for (;;) {
    if (control.abort.load()) return false;
    const int64_t left = deadline_ns - NowNs();
    if (left <= 0) return true;
    std::this_thread::sleep_for(std::chrono::nanoseconds(std::min<int64_t>(left, 10'000'000)));
  }
}

// Value bytes every set copies from: a readable repeating pattern.
std::string MakeValueBytes(uint32_t size) {
  std::string v(size, '\0');
  for (uint32_t i = 0; i < size; ++i) v[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[i % 36];
  return v;
}

}  // namespace

int RunNetworkBench(const BenchOptions& o) {
  std::string error;
  std::optional<ZipfGenerator> zipf;
  if (o.zipf) {
    zipf = ZipfGenerator::Create(o.keys, o.zipf_theta, &error);
    if (!zipf) {
      std::fprintf(stderr, "slabd-bench: %s\n", error.c_str());
      return EX_USAGE;
    }
  }
  if (o.server_pid != 0 && !ReadProcessCpuSeconds(o.server_pid, &error)) {
    std::fprintf(stderr, "slabd-bench: --server-pid %d: %s\n", o.server_pid, error.c_str());
    return EX_USAGE;
  }
  Target target;
  if (!Resolve(o, &target, &error)) {
    std::fprintf(stderr, "slabd-bench: %s\n", error.c_str());
    return EX_UNAVAILABLE;
  }

  const KeyTable keys(o.keys);
  const std::string values = MakeValueBytes(o.value_max);
  const RequestComposer composer(o.protocol, &keys, values);
  const Workload workload(o, std::move(zipf));

  std::vector<std::vector<std::unique_ptr<Connection>>> shares(o.threads);
  for (uint32_t i = 0; i < o.connections; ++i) {
    const int fd = Connect(target, &error);
    if (fd < 0) {
      std::fprintf(stderr, "slabd-bench: connection %u: %s\n", i, error.c_str());
      return EX_UNAVAILABLE;
    }
    shares[i % o.threads].push_back(
        std::make_unique<Connection>(fd, i, &composer, Mix64(o.seed ^ Mix64(i + 1))));
  }

  RunControl control;
  std::vector<std::unique_ptr<DriverThread>> drivers;
  for (auto& share : shares) {
    drivers.push_back(std::make_unique<DriverThread>(&o, &workload, &control, std::move(share)));
  }
  const int64_t prefill_start = NowNs();
  std::vector<std::thread> threads;
  for (auto& d : drivers) threads.emplace_back([&d] { d->Run(); });

  while (control.prefilled.load() < o.threads && !control.abort.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  RunSummary summary;
  summary.prefill_s = static_cast<double>(NowNs() - prefill_start) * 1e-9;
  const int64_t start = NowNs();
  control.start_ns.store(start);
  const int64_t window_start = start + SecondsToNs(o.warmup_s);
  const int64_t window_end = window_start + SecondsToNs(o.duration_s);

  std::optional<double> server_cpu_start;
  double driver_cpu_start = 0;
  if (SleepUntil(window_start, control)) {
    if (o.server_pid) server_cpu_start = ReadProcessCpuSeconds(o.server_pid, &error);
    driver_cpu_start = ProcessCpuSeconds();
  }
  if (SleepUntil(window_end, control)) {
    if (server_cpu_start) {
      const std::optional<double> end = ReadProcessCpuSeconds(o.server_pid, &error);
      if (end) summary.server_cpu_s = *end - *server_cpu_start;
    }
    summary.driver_cpu_s = ProcessCpuSeconds() - driver_cpu_start;
  }
  for (auto& t : threads) t.join();
  if (control.abort.load()) {
    std::fprintf(stderr, "slabd-bench: run failed: %s\n", control.FirstError().c_str());
    return 1;
  }
  if (o.server_pid && !summary.server_cpu_s) {
    std::fprintf(stderr, "slabd-bench: --server-pid %d: %s\n", o.server_pid, error.c_str());
    return 1;
  }

  summary.duration_s = o.duration_s;
  for (const auto& d : drivers) {
    summary.stats.Merge(d->stats());
    summary.open_at_end += d->open_at_end();
    summary.prefill_errors += d->prefill_stats().errors;
  }
  if (o.prefill) summary.prefill_keys = o.keys;
  if (summary.stats.requests == 0) {
    std::fprintf(stderr,
                 "slabd-bench: run failed: no request completed in the window (%llu open): "
                 "the server is not answering\n",
                 static_cast<unsigned long long>(summary.open_at_end));
    return 1;
  }
  const std::string text = FormatText(o, summary);
  if (o.json) {
    std::fputs(text.c_str(), stderr);
    std::fputs(FormatJson(o, summary).c_str(), stdout);
  } else {
    std::fputs(text.c_str(), stdout);
  }
  return 0;
}

}  // namespace slabd::bench
