// Report formatting: see report.h. ops = completed requests (a K-key multiget is one op
// and K keys); keys_per_s counts keys asked by gets plus one per set; hit_ratio = keys
// found / keys asked by gets.
#include "src/bench/report.h"

#include <cstdarg>
#include <cstdio>

namespace slabd::bench {
namespace {

std::string Printf(const char* format, ...) __attribute__((format(printf, 1, 2)));
std::string Printf(const char* format, ...) {
  char buf[512];
  va_list args;
  va_start(args, format);
  const int n = std::vsnprintf(buf, sizeof buf, format, args);
  va_end(args);
  return std::string(buf, n < 0 ? 0 : std::min<size_t>(static_cast<size_t>(n), sizeof buf - 1));
}

double PerSecond(uint64_t n, double seconds) {
  return seconds > 0 ? static_cast<double>(n) / seconds : 0.0;
}

double Micros(uint64_t ns) { return static_cast<double>(ns) / 1000.0; }

struct Derived {
  double ops_per_s;
  double keys_per_s;
  double hit_ratio;
  double p50, p90, p99, p999, max;  // microseconds
};

Derived Derive(const RunSummary& s) {
  const DriverStats& st = s.stats;
  const Histogram& h = st.latency;
  return {
      PerSecond(st.requests, s.duration_s),
      PerSecond(st.get_keys + st.sets, s.duration_s),
      st.get_keys ? static_cast<double>(st.hits) / static_cast<double>(st.get_keys) : 0.0,
      Micros(h.ValueAtPercentile(50)), Micros(h.ValueAtPercentile(90)),
      Micros(h.ValueAtPercentile(99)), Micros(h.ValueAtPercentile(99.9)), Micros(h.max()),
  };
}

}  // namespace

std::string FormatJson(const BenchOptions& o, const RunSummary& s) {
  const Derived d = Derive(s);
  std::string out = Printf(
      "{\"mode\":\"%s\",\"protocol\":\"%s\",\"connections\":%u,\"pipeline\":%u,"
      "\"multiget\":%u,\"rate\":%.17g,\"duration_s\":%.3f,\"requests\":%llu,",
      o.open_loop ? "open" : "closed", std::string(ProtocolName(o.protocol)).c_str(),
      o.connections, o.pipeline, o.multiget, o.open_loop ? o.rate : 0.0, s.duration_s,
      static_cast<unsigned long long>(s.stats.requests));
  out += Printf("\"ops_per_s\":%.1f,\"keys_per_s\":%.1f,\"hit_ratio\":%.6f,\"errors\":%llu,",
                d.ops_per_s, d.keys_per_s, d.hit_ratio,
                static_cast<unsigned long long>(s.stats.errors));
  out += Printf("\"p50_us\":%.3f,\"p90_us\":%.3f,\"p99_us\":%.3f,\"p999_us\":%.3f,\"max_us\":%.3f,"
                "\"driver_cpu_s\":%.3f",
                d.p50, d.p90, d.p99, d.p999, d.max, s.driver_cpu_s);
  if (s.server_cpu_s) {
    const double per_cpu = *s.server_cpu_s > 0 ? static_cast<double>(s.stats.requests) /
                                                     *s.server_cpu_s
                                               : 0.0;
    out += Printf(",\"server_cpu_s\":%.3f,\"ops_per_server_cpu_s\":%.1f", *s.server_cpu_s,
                  per_cpu);
  }
  out += "}\n";
  return out;
}

std::string FormatText(const BenchOptions& o, const RunSummary& s) {
  const Derived d = Derive(s);
  const DriverStats& st = s.stats;
  std::string out;
  if (o.open_loop) {
    out += Printf("slabd-bench: %s protocol, open loop at %.0f requests/s over %u connections",
                  std::string(ProtocolName(o.protocol)).c_str(), o.rate, o.connections);
  } else {
    out += Printf("slabd-bench: %s protocol, closed loop, %u connections x %u outstanding",
                  std::string(ProtocolName(o.protocol)).c_str(), o.connections, o.pipeline);
  }
  out += Printf(", %u thread%s\n", o.threads, o.threads == 1 ? "" : "s");
  const std::string values = o.value_min == o.value_max
                                 ? Printf("%u B", o.value_min)
                                 : Printf("%u-%u B", o.value_min, o.value_max);
  const std::string dist = o.zipf ? Printf("zipf %.3g", o.zipf_theta) : std::string("uniform");
  out += Printf("  workload   %llu keys (%s), values %s, %.0f%% gets of %u key%s\n",
                static_cast<unsigned long long>(o.keys), dist.c_str(), values.c_str(),
                o.get_ratio * 100, o.multiget, o.multiget == 1 ? "" : "s");
  if (o.prefill) {
    out += Printf("  prefill    %llu keys in %.2f s, %llu errors\n",
                  static_cast<unsigned long long>(s.prefill_keys), s.prefill_s,
                  static_cast<unsigned long long>(s.prefill_errors));
  }
  out += Printf("  window     %.2f s after %.2f s of warm-up\n", s.duration_s, o.warmup_s);
  out += Printf("  throughput %.0f ops/s, %.0f keys/s (%llu requests: %llu gets, %llu sets)\n",
                d.ops_per_s, d.keys_per_s, static_cast<unsigned long long>(st.requests),
                static_cast<unsigned long long>(st.requests - st.sets),
                static_cast<unsigned long long>(st.sets));
  out += Printf("  hits       %.4f of %llu keys asked; %llu errors\n", d.hit_ratio,
                static_cast<unsigned long long>(st.get_keys),
                static_cast<unsigned long long>(st.errors));
  out += Printf("  latency us p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f  (mean %.1f)\n",
                d.p50, d.p90, d.p99, d.p999, d.max, st.latency.Mean() / 1000.0);
  if (o.open_loop) {
    out += Printf("  sent       %.0f requests/s; behind schedule by %.1f us on average, %.1f us "
                  "at most\n",
                  PerSecond(st.sent, s.duration_s),
                  st.sent ? static_cast<double>(st.sum_send_lag_ns) / st.sent / 1000.0 : 0.0,
                  Micros(st.max_send_lag_ns));
  }
  out += Printf("  open       %llu requests unanswered when the window closed\n",
                static_cast<unsigned long long>(s.open_at_end));
  if (s.server_cpu_s) {
    out += Printf("  server cpu %.2f s (%.0f%% of the window), %.0f ops per CPU-second\n",
                  *s.server_cpu_s, s.duration_s > 0 ? 100 * *s.server_cpu_s / s.duration_s : 0.0,
                  *s.server_cpu_s > 0 ? static_cast<double>(st.requests) / *s.server_cpu_s : 0.0);
  }
  out += Printf("  driver cpu %.2f s (%.0f%% of one core)\n", s.driver_cpu_s,
                s.duration_s > 0 ? 100 * s.driver_cpu_s / s.duration_s : 0.0);
  return out;
}

}  // namespace slabd::bench
