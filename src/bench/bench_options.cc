// ParseBenchOptions: getopt_long over the long options of the spec; every value is
// range-checked here so the driver never sees an option it cannot honour.
#include "src/bench/bench_options.h"

#include <getopt.h>
#include <sysexits.h>

#include <charconv>
#include <cmath>
#include <string_view>

#include "src/bench/key_table.h"
#include "src/bench/zipf_generator.h"

namespace slabd::bench {
namespace {

enum OptionId {
  kServer = 1000, kSocket, kProtocol, kMode, kConnections, kPipeline, kRate, kThreads,
  kGetRatio, kMultiget, kKeys, kDistribution, kZipfTheta, kValueSize, kPrefill, kWarmup,
  kDuration, kServerPid, kSeed, kJson, kEngine, kScaling, kMemoryMb, kSpin, kHelp,
};

constexpr struct option kLongOptions[] = {
    {"server", required_argument, nullptr, kServer},
    {"socket", required_argument, nullptr, kSocket},
    {"protocol", required_argument, nullptr, kProtocol},
    {"mode", required_argument, nullptr, kMode},
    {"connections", required_argument, nullptr, kConnections},
    {"pipeline", required_argument, nullptr, kPipeline},
    {"rate", required_argument, nullptr, kRate},
    {"threads", required_argument, nullptr, kThreads},
    {"get-ratio", required_argument, nullptr, kGetRatio},
    {"multiget", required_argument, nullptr, kMultiget},
    {"keys", required_argument, nullptr, kKeys},
    {"distribution", required_argument, nullptr, kDistribution},
    {"zipf-theta", required_argument, nullptr, kZipfTheta},
    {"value-size", required_argument, nullptr, kValueSize},
    {"prefill", no_argument, nullptr, kPrefill},
    {"warmup", required_argument, nullptr, kWarmup},
    {"duration", required_argument, nullptr, kDuration},
    {"server-pid", required_argument, nullptr, kServerPid},
    {"seed", required_argument, nullptr, kSeed},
    {"json", no_argument, nullptr, kJson},
    {"engine", no_argument, nullptr, kEngine},
    {"scaling", no_argument, nullptr, kScaling},
    {"memory-mb", required_argument, nullptr, kMemoryMb},
    {"spin", no_argument, nullptr, kSpin},
    {"help", no_argument, nullptr, kHelp},
    {nullptr, 0, nullptr, 0},
};

// The value limit memcached accepts by default (-I 1m) is the largest a set may carry.
constexpr uint64_t kMaxValueSize = 1 << 20;
constexpr uint64_t kMaxMultiget = 1000;
constexpr uint64_t kMaxConnections = 100000;

template <typename T>
bool ParseUnsigned(std::string_view s, uint64_t min, uint64_t max, T* out) {
  uint64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < min || v > max) return false;
  *out = static_cast<T>(v);
  return true;
}

bool ParseDouble(std::string_view s, double min, double max, double* out) {
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v) || v < min ||
      v > max) {
    return false;
  }
  *out = v;
  return true;
}

// "HOST:PORT", "[V6]:PORT" or ":PORT" (host stays the default).
bool ParseServer(std::string_view s, BenchOptions* o) {
  const size_t colon = s.rfind(':');
  if (colon == std::string_view::npos || colon + 1 == s.size()) return false;
  std::string_view host = s.substr(0, colon);
  uint32_t port;
  if (!ParseUnsigned(s.substr(colon + 1), 1, 65535, &port)) return false;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (!host.empty()) o->host = std::string(host);
  o->port = std::to_string(port);
  return true;
}

// "N" or "A-B".
bool ParseValueSize(std::string_view s, BenchOptions* o) {
  const size_t dash = s.find('-');
  if (dash == std::string_view::npos) {
    if (!ParseUnsigned(s, 0, kMaxValueSize, &o->value_min)) return false;
    o->value_max = o->value_min;
    return true;
  }
  return ParseUnsigned(s.substr(0, dash), 0, kMaxValueSize, &o->value_min) &&
         ParseUnsigned(s.substr(dash + 1), 0, kMaxValueSize, &o->value_max) &&
         o->value_min <= o->value_max;
}

// Applies one option; false if its argument is out of range.
bool Apply(int id, std::string_view arg, BenchOptions* o) {
  switch (id) {
    case kServer: return ParseServer(arg, o);
    case kSocket: o->socket_path = std::string(arg); return !arg.empty();
    case kProtocol:
      if (arg == "text") o->protocol = Protocol::kText;
      else if (arg == "meta") o->protocol = Protocol::kMeta;
      else if (arg == "binary") o->protocol = Protocol::kBinary;
      else return false;
      return true;
    case kMode:
      if (arg != "closed" && arg != "open") return false;
      o->open_loop = arg == "open";
      return true;
    case kConnections: return ParseUnsigned(arg, 1, kMaxConnections, &o->connections);
    case kPipeline: return ParseUnsigned(arg, 1, 100000, &o->pipeline);
    case kRate: return ParseDouble(arg, 0, 1e9, &o->rate);
    case kThreads: return ParseUnsigned(arg, 1, 1024, &o->threads);
    case kGetRatio: return ParseDouble(arg, 0, 1, &o->get_ratio);
    case kMultiget: return ParseUnsigned(arg, 1, kMaxMultiget, &o->multiget);
    case kKeys: return ParseUnsigned(arg, 1, KeyTable::kMaxKeys, &o->keys);
    case kDistribution:
      if (arg != "uniform" && arg != "zipf") return false;
      o->zipf = arg == "zipf";
      return true;
    case kZipfTheta: return ParseDouble(arg, 0, 1e3, &o->zipf_theta);
    case kValueSize: return ParseValueSize(arg, o);
    case kPrefill: o->prefill = true; return true;
    case kWarmup: return ParseDouble(arg, 0, 86400, &o->warmup_s);
    case kDuration: return ParseDouble(arg, 0.001, 86400, &o->duration_s);
    case kServerPid: return ParseUnsigned(arg, 1, 0x7fffffff, &o->server_pid);
    case kSeed: return ParseUnsigned(arg, 0, UINT64_MAX, &o->seed);
    case kJson: o->json = true; return true;
    case kEngine: o->engine = true; return true;
    case kScaling: o->scaling = true; return true;
    case kMemoryMb: return ParseUnsigned(arg, 1, 1 << 20, &o->memory_mb);
    case kSpin: o->spin = true; return true;
    default: return false;
  }
}

ParsedBenchOptions UsageError(std::string message) {
  ParsedBenchOptions p;
  p.exit_code = EX_USAGE;
  p.message = "slabd-bench: " + message + " (see --help)\n";
  return p;
}

// Cross-option rules, after every option has been read.
std::string Validate(const BenchOptions& o) {
  if (o.zipf && !(o.zipf_theta > 0 && o.zipf_theta <= ZipfGenerator::kMaxTheta)) {
    return "--zipf-theta must be > 0 and <= 100 (0.99 is the usual skew)";
  }
  if (o.engine) return "";
  if (o.scaling) return "--scaling needs --engine";
  if (o.open_loop && o.rate <= 0) return "--mode open needs --rate R (requests/s, > 0)";
  if (o.spin && !o.open_loop) return "--spin needs --mode open";
  if (o.threads > o.connections) return "--threads must not exceed --connections";
  return "";
}

}  // namespace

std::string BenchUsage() {
  return "usage: slabd-bench [options]   (network load driver for memcached-compatible servers)\n"
         "  --server HOST:PORT | --socket PATH   target (default 127.0.0.1:11211)\n"
         "  --protocol text|meta|binary          (default text)\n"
         "  --mode closed|open                   (default closed)\n"
         "  --connections N                      (default 50)\n"
         "  --pipeline D                         closed: requests outstanding per connection (1)\n"
         "  --rate R                             open: requests/s over all connections (required)\n"
         "  --spin                               open: never sleep between sends; poll (a whole\n"
         "                                       core per driver thread), so replies never wait\n"
         "                                       for the driver to wake\n"
         "  --threads T                          driver threads (default 1)\n"
         "  --get-ratio F                        fraction of gets; the rest are sets (0.9)\n"
         "  --multiget K                         keys per get (default 1)\n"
         "  --keys N                             key space, keys \"key:%010d\" (default 100000)\n"
         "  --distribution uniform|zipf          (default uniform)\n"
         "  --zipf-theta F                       skew, > 0 (default 0.99)\n"
         "  --value-size N | A-B                 value bytes, fixed or uniform (default 100)\n"
         "  --prefill                            set every key once before the warm-up\n"
         "  --warmup S  --duration S             (defaults 2 and 10)\n"
         "  --server-pid PID                     report the server's CPU seconds (/proc/PID/stat)\n"
         "  --seed N                             (default 1)\n"
         "  --json                               one JSON line on stdout (text report to stderr)\n"
         "  --engine                             storage-only benchmark, no network (uses\n"
         "                                       --threads --keys --value-size --get-ratio\n"
         "                                       --distribution --zipf-theta --warmup --duration\n"
         "                                       --seed --json)\n"
         "  --scaling                            --engine: run 1 thread first, then --threads,\n"
         "                                       and report the ratio\n"
         "  --memory-mb N                        --engine: the store's -m (default 1024)\n";
}

ParsedBenchOptions ParseBenchOptions(int argc, char** argv) {
  ParsedBenchOptions parsed;
  optind = 0;  // glibc: 0 re-initialises getopt, so the parser can run again
  opterr = 0;   // errors are reported here, once, in our words
  // "+": stop at the first non-option instead of permuting argv.
  for (;;) {
    const int before = optind;
    const int id = getopt_long(argc, argv, "+", kLongOptions, nullptr);
    if (id == -1) break;
    if (id == kHelp) {
      parsed.exit_code = 0;
      parsed.message = BenchUsage();
      return parsed;
    }
    const std::string flag = argv[before > 0 ? before : 1];
    if (id == '?' || id == ':') return UsageError("unknown option or missing value: " + flag);
    if (!Apply(id, optarg ? optarg : "", &parsed.options)) {
      return UsageError("bad value for " + flag.substr(0, flag.find('=')) +
                        (optarg ? std::string(": ") + optarg : std::string()));
    }
  }
  if (optind < argc) return UsageError(std::string("unexpected argument: ") + argv[optind]);
  if (std::string error = Validate(parsed.options); !error.empty()) return UsageError(error);
  return parsed;
}

}  // namespace slabd::bench
