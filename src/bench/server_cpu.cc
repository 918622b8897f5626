// Server CPU time: see server_cpu.h.
#include "src/bench/server_cpu.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace slabd::bench {

std::optional<uint64_t> ParseStatCpuTicks(std::string_view stat) {
  const size_t paren = stat.rfind(')');
  if (paren == std::string_view::npos) return std::nullopt;
  // After ") ": field 3 (state) is the first token; utime and stime are fields 14 and 15.
  std::string_view rest = stat.substr(paren + 1);
  uint64_t ticks = 0;
  int field = 2;
  size_t i = 0;
  while (field < 15) {
    while (i < rest.size() && rest[i] == ' ') ++i;
    if (i == rest.size()) return std::nullopt;
    const size_t end = std::min(rest.find(' ', i), rest.size());
    ++field;
    if (field >= 14) {
      uint64_t v = 0;
      const auto [p, ec] = std::from_chars(rest.data() + i, rest.data() + end, v);
      if (ec != std::errc() || p != rest.data() + end) return std::nullopt;
      ticks += v;
    }
    i = end;
  }
  return ticks;
}

std::optional<double> ReadProcessCpuSeconds(int pid, std::string* error) {
  const std::string path = "/proc/" + std::to_string(pid) + "/stat";
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *error = path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  char buf[1024];
  const ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  const std::optional<uint64_t> ticks =
      n > 0 ? ParseStatCpuTicks({buf, static_cast<size_t>(n)}) : std::nullopt;
  if (!ticks) {
    *error = path + ": cannot parse utime and stime";
    return std::nullopt;
  }
  return static_cast<double>(*ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

}  // namespace slabd::bench
