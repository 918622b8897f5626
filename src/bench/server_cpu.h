// Server CPU time from /proc/PID/stat: utime + stime (fields 14 and 15, in clock ticks of
// sysconf(_SC_CLK_TCK), normally 100 per second). Sampled by the main thread at the start
// and end of the measured window to give the server's CPU seconds and ops per CPU-second.
#ifndef SLABD_SRC_BENCH_SERVER_CPU_H_
#define SLABD_SRC_BENCH_SERVER_CPU_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace slabd::bench {

// utime + stime in ticks from the text of /proc/PID/stat, or nullopt if it does not parse.
// The command name (field 2) may hold spaces and ')', so fields are counted after the
// last ')'.
[[nodiscard]] std::optional<uint64_t> ParseStatCpuTicks(std::string_view stat);

// The CPU seconds process `pid` has used so far; nullopt and *error if unreadable.
[[nodiscard]] std::optional<double> ReadProcessCpuSeconds(int pid, std::string* error);

}  // namespace slabd::bench

#endif  // SLABD_SRC_BENCH_SERVER_CPU_H_
