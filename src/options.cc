// Command-line parsing (see options.h).
//
// memcached's short options are rewritten to gflags long names first
// (`-m 64` -> `--memory_limit=64`), then gflags parses everything, then the flags are
// validated and copied into ServerOptions with memcached's error messages.
#include "src/options.h"

#include <gflags/gflags.h>
#include <sysexits.h>

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <vector>

#include "src/config_file.h"

DEFINE_int32(port, 11211, "TCP port to listen on (0 = off)");
DEFINE_int32(udp_port, 0, "UDP port (0 = off, the default: see README)");
DEFINE_string(listen, "127.0.0.1", "interface to listen on (memcached: all interfaces)");
DEFINE_int32(threads, 4, "number of worker threads");
DEFINE_int32(conn_limit, 1024, "max simultaneous connections");
DEFINE_int32(memory_limit, 64, "item memory in megabytes");
DEFINE_double(slab_growth_factor, 1.125, "chunk size growth factor between slab classes");
DEFINE_int32(slab_min_size, 48, "key+value+flags space of the smallest chunk");
DEFINE_string(max_item_size, "1m", "largest item (k/m suffix), 1k..1024m");
DEFINE_bool(disable_evictions, false, "return errors on memory exhausted instead of evicting");
DEFINE_bool(disable_cas, false, "disable use of CAS");
DEFINE_int32(verbose, 0, "verbosity: 1 errors and warnings, 2 also client commands");
DEFINE_int32(max_reqs_per_event, 20, "requests served per connection per event");
DEFINE_int32(listen_backlog, 1024, "listen backlog");
DEFINE_string(user, "", "user to run as (required when started as root)");
DEFINE_string(extended, "", "comma separated memcached -o options");
DEFINE_string(protocol, "auto", "protocol: auto, ascii or binary");
DEFINE_bool(enable_sasl, false, "require binary SASL authentication (PLAIN)");
DEFINE_string(sasl_pwdb, "",
              "user:password file for SASL PLAIN (default: $MEMCACHED_SASL_PWDB)");
DEFINE_string(auth_file, "", "ASCII authentication: file of user:password lines");
DEFINE_bool(disable_flush_all, false, "refuse flush_all");
DEFINE_bool(disable_dumping, false, "refuse stats cachedump");
DEFINE_bool(enable_shutdown, false, "allow the shutdown command");
DEFINE_string(unix_socket, "", "UNIX socket path to listen on (turns TCP and UDP off)");
DEFINE_string(unix_mask, "0700", "octal permission mask of the UNIX socket");
DEFINE_bool(daemon, false, "run as a daemon");
DEFINE_string(pidfile, "", "file to write the process id to");
DEFINE_bool(lock_memory, false, "lock all paged memory (mlockall)");
DEFINE_bool(enable_coredumps, false, "maximize the core file limit");

namespace slabd::server {
namespace {

// memcached's option letters: those taking an argument map to a gflags name.
struct ShortOption {
  char letter;
  const char* flag;
  bool takes_value;
};
constexpr ShortOption kShortOptions[] = {
    {'p', "port", true},           {'U', "udp_port", true},
    {'l', "listen", true},         {'t', "threads", true},
    {'c', "conn_limit", true},     {'m', "memory_limit", true},
    {'f', "slab_growth_factor", true}, {'n', "slab_min_size", true},
    {'I', "max_item_size", true},  {'R', "max_reqs_per_event", true},
    {'b', "listen_backlog", true}, {'u', "user", true},
    {'o', "extended", true},       {'M', "disable_evictions", false},
    {'C', "disable_cas", false},   {'B', "protocol", true},
    {'S', "enable_sasl", false},   {'Y', "auth_file", true},
    {'F', "disable_flush_all", false}, {'X', "disable_dumping", false},
    {'A', "enable_shutdown", false}, {'s', "unix_socket", true},
    {'a', "unix_mask", true},      {'d', "daemon", false},
    {'P', "pidfile", true},        {'k', "lock_memory", false},
    {'r', "enable_coredumps", false},
};

// memcached's long option names that differ from ours after '-' -> '_'.
struct LongAlias {
  const char* memcached;
  const char* ours;
};
constexpr LongAlias kLongAliases[] = {
    {"udp-port", "udp_port"}, {"conn-limit", "conn_limit"},
    {"memory-limit", "memory_limit"}, {"memory_limit_mb", "memory_limit"},
    {"slab-growth-factor", "slab_growth_factor"},
    {"slab-min-size", "slab_min_size"}, {"max-item-size", "max_item_size"},
    {"disable-evictions", "disable_evictions"}, {"disable-cas", "disable_cas"},
    {"max-reqs-per-event", "max_reqs_per_event"}, {"listen-backlog", "listen_backlog"},
    {"extended", "extended"}, {"enable-sasl", "enable_sasl"}, {"auth-file", "auth_file"},
    {"disable-flush-all", "disable_flush_all"}, {"disable-dumping", "disable_dumping"},
    {"enable-shutdown", "enable_shutdown"}, {"unix-socket", "unix_socket"},
    {"unix-mask", "unix_mask"}, {"lock-memory", "lock_memory"},
    {"enable-coredumps", "enable_coredumps"},
};

// memcached options slabd does not implement: refused with one line naming them, never
// silently ignored (-W needs no code: slabd has no `watch` to disable, so it is accepted).
struct Unsupported {
  char letter;
  const char* long_name;
  const char* what;
};
constexpr Unsupported kUnsupported[] = {
    {'L', "enable-largepages", "large memory pages"},
    {'D', nullptr, "a stats detail prefix delimiter other than ':'"},
    {'e', "memory-file", "the restartable memory file"},
    {'Z', "enable-ssl", "TLS"},
    {'N', "napi_ids", "NAPI ids"},
    {'i', "license", "printing licenses"},
};

std::string UnsupportedMessage(const Unsupported& u) {
  std::string opt = std::string("-") + u.letter;
  if (u.long_name != nullptr) opt += std::string(" (--") + u.long_name + ")";
  return opt + " is not supported by slabd (" + u.what + ")";
}

const ShortOption* FindShort(char c) {
  for (const auto& o : kShortOptions)
    if (o.letter == c) return &o;
  return nullptr;
}

std::string Usage() {
  return std::string("slabd ") + kSlabdVersion +
         " (memcached " + kCompatVersion + " compatible)\n"
         "-p, --port=<num>          TCP port to listen on (default: 11211)\n"
         "-U, --udp-port=<num>      UDP port (default: 0, off)\n"
         "-l, --listen=<addr>       interface to listen on (default: 127.0.0.1)\n"
         "-t, --threads=<num>       number of worker threads (default: 4)\n"
         "-c, --conn-limit=<num>    max simultaneous connections (default: 1024)\n"
         "-m, --memory-limit=<mb>   item memory in megabytes (default: 64)\n"
         "-M, --disable-evictions   return errors when memory is full\n"
         "-f, --slab-growth-factor=<f>  chunk size growth factor (default: 1.125)\n"
         "-n, --slab-min-size=<n>   min key+value+flags space (default: 48)\n"
         "-I, --max-item-size=<sz>  largest item, k/m suffix (default: 1m)\n"
         "-C, --disable-cas         disable use of CAS\n"
         "-R, --max-reqs-per-event=<n>  requests per event per connection (default: 20)\n"
         "-b, --listen-backlog=<n>  listen backlog (default: 1024)\n"
         "-u, --user=<name>         user to run as (required when started as root)\n"
         "-s, --unix-socket=<file>  UNIX socket to listen on (turns TCP and UDP off)\n"
         "-a, --unix-mask=<mask>    octal permissions of the UNIX socket (default: 0700)\n"
         "-d, --daemon              run as a daemon\n"
         "-P, --pidfile=<file>      write the process id to <file>\n"
         "-k, --lock-memory         lock all paged memory (mlockall)\n"
         "-r, --enable-coredumps    maximize the core file limit\n"
         "-o, --extended=<opts>     hashpower=<n>, slab_chunk_max=<bytes>, idle_timeout=<s>\n"
         "-B, --protocol=<name>     auto, ascii or binary (default: auto-negotiate)\n"
         "-S, --enable-sasl         require binary SASL authentication (PLAIN)\n"
         "    --sasl_pwdb=<file>    SASL user:password file (default: $MEMCACHED_SASL_PWDB)\n"
         "-Y, --auth-file=<file>    ASCII authentication tokens, user:password lines\n"
         "-F, --disable-flush-all   refuse flush_all\n"
         "-X, --disable-dumping     refuse stats cachedump\n"
         "-A, --enable-shutdown     allow the shutdown command\n"
         "-W, --disable-watch       accepted: slabd has no watch command\n"
         "-v, -vv                   verbose (errors; also client commands; -vvv as -vv)\n"
         "    --config=<file>       options from a memcached.conf-style file first\n"
         "-h, --help                this text\n"
         "-V, --version             print version and exit\n";
}

// Rewrites memcached-style arguments to gflags' --name=value form. Returns an error
// message for an unknown short option or a missing value.
std::string Rewrite(int argc, char** argv, std::vector<std::string>* out, bool* help,
                    bool* version) {
  int verbose = 0;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help") { *help = true; continue; }
    if (arg == "--version") { *version = true; continue; }
    if (arg.substr(0, 2) == "--") {
      std::string a(arg.substr(2));
      size_t eq = a.find('=');
      std::string name = a.substr(0, eq);
      for (const auto& u : kUnsupported)
        if (u.long_name != nullptr && name == u.long_name) return UnsupportedMessage(u);
      if (name == "disable-watch" || name == "disable_watch") continue;
      for (const auto& alias : kLongAliases)
        if (name == alias.memcached) name = alias.ours;
      for (char& c : name)
        if (c == '-') c = '_';
      if (eq == std::string::npos && i + 1 < argc && argv[i + 1][0] != '-' &&
          name != "disable_evictions" && name != "disable_cas" && name != "enable_sasl" &&
          name != "disable_flush_all" && name != "disable_dumping" &&
          name != "enable_shutdown" && name != "daemon" && name != "lock_memory" &&
          name != "enable_coredumps") {
        out->push_back("--" + name + "=" + argv[++i]);
      } else {
        out->push_back("--" + name + (eq == std::string::npos ? "" : a.substr(eq)));
      }
      continue;
    }
    if (arg.size() < 2 || arg[0] != '-') return "unexpected argument: " + std::string(arg);
    for (size_t j = 1; j < arg.size(); ++j) {
      char c = arg[j];
      if (c == 'v') { ++verbose; continue; }
      if (c == 'h') { *help = true; continue; }
      if (c == 'V') { *version = true; continue; }
      if (c == 'W') continue;  // watch does not exist, so it is always "disabled"
      for (const auto& u : kUnsupported)
        if (u.letter == c) return UnsupportedMessage(u);
      const ShortOption* o = FindShort(c);
      if (o == nullptr) return std::string("invalid option -- '") + c + "'";
      if (!o->takes_value) { out->push_back(std::string("--") + o->flag); continue; }
      std::string value;
      if (j + 1 < arg.size()) value = std::string(arg.substr(j + 1));
      else if (i + 1 < argc) value = argv[++i];
      else return std::string("option requires an argument -- '") + c + "'";
      out->push_back(std::string("--") + o->flag + "=" + value);
      break;
    }
  }
  if (verbose > 0) out->push_back("--verbose=" + std::to_string(verbose));
  return "";
}

// Checks one rewritten --name[=value] from a config file against gflags: the name must
// exist and the value parse. REQUIRES: a gflags::FlagSaver in scope (values are set).
std::string CheckConfigFlag(const std::string& flag) {
  size_t eq = flag.find('=');
  std::string name = flag.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
  gflags::CommandLineFlagInfo info;
  if (name == "config") return "--config cannot be used inside a config file";
  if (!gflags::GetCommandLineFlagInfo(name.c_str(), &info)) {
    if (name.rfind("no", 0) == 0 && eq == std::string::npos &&
        gflags::GetCommandLineFlagInfo(name.c_str() + 2, &info) && info.type == "bool")
      return "";
    return "unknown option --" + name;
  }
  std::string value = eq == std::string::npos ? "true" : flag.substr(eq + 1);
  if (gflags::SetCommandLineOption(name.c_str(), value.c_str()).empty())
    return "invalid value for --" + name + ": " + value;
  return "";
}

// --config FILE / --config=FILE: taken out of argv (the rest goes to `command_line`);
// the file's options are rewritten into `out` first, so the command line, parsed after
// them, wins. Errors name the file and line.
std::string ApplyConfigFile(int argc, char** argv, std::vector<char*>* command_line,
                            std::vector<std::string>* out, std::string* log_file) {
  std::string path;
  command_line->push_back(argv[0]);
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--config") {
      if (i + 1 >= argc) return "--config needs a file name";
      path = argv[++i];
    } else if (arg.substr(0, 9) == "--config=") {
      path = std::string(arg.substr(9));
    } else {
      command_line->push_back(argv[i]);
    }
  }
  if (path.empty()) return "";
  std::string error;
  std::optional<ConfigFile> file = LoadConfigFile(path, &error);
  if (!file) return error;
  gflags::FlagSaver saver;  // CheckConfigFlag sets values; gflags parses them for real later
  for (ConfigLine& line : file->lines) {
    std::vector<char*> line_argv{argv[0]};
    for (std::string& word : line.args) line_argv.push_back(word.data());
    std::vector<std::string> flags;
    bool help = false;
    bool version = false;
    std::string err = Rewrite(static_cast<int>(line_argv.size()), line_argv.data(), &flags,
                              &help, &version);
    if (err.empty() && (help || version)) err = "-V does not belong in a config file";
    for (size_t k = 0; err.empty() && k < flags.size(); ++k) err = CheckConfigFlag(flags[k]);
    if (!err.empty()) return path + ":" + std::to_string(line.line_number) + ": " + err;
    out->insert(out->end(), flags.begin(), flags.end());
  }
  *log_file = file->log_file;
  return "";
}

// memcached applies every -o in turn; gflags keeps only the last --extended. Joins them
// all, in order, so a config file's -o and the command line's both count (a sub-option
// given twice: the later wins, as in memcached).
void MergeExtended(std::vector<std::string>* flags) {
  const std::string prefix = "--extended=";
  std::string joined;
  for (const std::string& f : *flags) {
    if (f.compare(0, prefix.size(), prefix) != 0 || f.size() == prefix.size()) continue;
    joined += (joined.empty() ? "" : ",") + f.substr(prefix.size());
  }
  if (!joined.empty()) flags->push_back(prefix + joined);
}

// memcached -o suboptions that ask for what slabd always does or never has (no crawler,
// no maintainer thread, no page mover, fast maxconns, murmur3): accepted, so tuned
// memcached configurations start unchanged.
bool AlreadyTrue(const std::string& key, const std::string& val) {
  for (const char* k : {"maxconns_fast", "no_lru_crawler", "no_lru_maintainer",
                        "no_slab_reassign", "no_drop_privileges", "modern"})
    if (key == k) return true;
  return (key == "slab_automove" && val == "0") ||
         (key == "hash_algorithm" && val == "murmur3");
}

// memcached -o suboptions slabd does not implement: refused by name.
bool KnownButUnsupported(const std::string& key) {
  for (const char* k :
       {"tail_repair_time", "hash_algorithm", "lru_crawler", "lru_crawler_sleep",
        "lru_crawler_tocrawl", "read_buf_mem_limit", "lru_maintainer", "hot_lru_pct",
        "warm_lru_pct", "hot_max_factor", "warm_max_factor", "temporary_ttl",
        "watcher_logbuf_size", "worker_logbuf_size", "track_sizes", "no_hashexpand",
        "no_modern", "sock_cookie_id", "slab_reassign", "slab_automove",
        "slab_automove_ratio", "slab_automove_window", "slab_automove_freeratio",
        "drop_privileges", "no_maxconns_fast", "lru_segmented", "no_lru_segmented",
        "resp_obj_mem_limit", "proxy_config", "ssl_chain_cert"})
    if (key == k) return true;
  return key.rfind("ext_", 0) == 0 || key.rfind("ssl_", 0) == 0;
}

// -o: comma separated suboptions.
std::string ApplyExtended(const std::string& list, ServerOptions* o) {
  size_t pos = 0;
  while (pos <= list.size() && !list.empty()) {
    size_t comma = list.find(',', pos);
    std::string item = list.substr(pos, comma == std::string::npos ? std::string::npos
                                                                    : comma - pos);
    size_t eq = item.find('=');
    std::string key = item.substr(0, eq);
    std::string val = eq == std::string::npos ? "" : item.substr(eq + 1);
    char* end = nullptr;
    long n = std::strtol(val.c_str(), &end, 10);
    bool numeric = !val.empty() && *end == '\0';
    if (key == "hashpower" && numeric) {
      if (n < 12 || n > 32) return "Initial hashtable multiplier of " + val + " is too low or high";
      o->store.hashpower = static_cast<int>(n);
    } else if (key == "slab_chunk_max" && numeric) {
      // Bytes, as memcached 1.6.18 reads it (its documentation says kilobytes).
      o->store.slab_chunk_max = static_cast<uint32_t>(n);
    } else if (key == "idle_timeout") {
      if (eq == std::string::npos) return "Missing numeric argument for idle_timeout";
      o->idle_timeout = std::max(0, std::atoi(val.c_str()));  // memcached: atoi
    } else if (AlreadyTrue(key, val)) {
      // nothing to do
    } else if (KnownButUnsupported(key)) {
      return "-o " + item + " is not supported by slabd";
    } else {
      return "Illegal suboption \"" + item + "\"";
    }
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return "";
}

// -B, -S and -Y, with memcached's messages and precedence.
std::string ValidateProtocol(ServerOptions* o) {
  if (FLAGS_protocol == "auto") {
    o->protocol = BindingProtocol::kAuto;
  } else if (FLAGS_protocol == "ascii") {
    o->protocol = BindingProtocol::kAscii;
  } else if (FLAGS_protocol == "binary") {
    o->protocol = BindingProtocol::kBinary;
  } else {
    return "Invalid value for binding protocol: " + FLAGS_protocol +
           "\n -- should be one of auto, binary, or ascii";
  }
  // memcached refuses an explicit -B that contradicts -S or -Y (even -B auto).
  const bool explicit_protocol = !gflags::GetCommandLineFlagInfoOrDie("protocol").is_default;
  if (o->sasl) {
    if (explicit_protocol && o->protocol != BindingProtocol::kBinary)
      return "ERROR: You cannot allow the ASCII protocol while using SASL.";
    o->protocol = BindingProtocol::kBinary;
    if (o->udp_port != 0) return "ERROR: Cannot enable UDP while using binary SASL authentication.";
  }
  if (!o->auth_file.empty()) {
    if (explicit_protocol && o->protocol != BindingProtocol::kAscii)
      return "ERROR: You cannot allow the BINARY protocol while using ascii authentication "
             "tokens.";
    o->protocol = BindingProtocol::kAscii;
    if (o->udp_port != 0)
      return "Cannot use UDP with ascii authentication enabled (-U 0 to disable)";
  }
  return "";
}

std::string Validate(ServerOptions* o) {
  if (o->port < 0 || o->port > 65535) return "Invalid port number: " + std::to_string(o->port);
  if (std::string err = ValidateProtocol(o); !err.empty()) return err;
  if (o->udp_port < 0 || o->udp_port > 65535)
    return "Invalid UDP port number: " + std::to_string(o->udp_port);
  // memcached: -U without -p serves TCP on the UDP port too.
  if (o->udp_port != 0 && gflags::GetCommandLineFlagInfoOrDie("port").is_default)
    o->port = o->udp_port;
  if (o->threads <= 0) return "Number of threads must be greater than 0";
  if (o->reqs_per_event <= 0) return "Number of requests per event must be greater than 0";
  if (o->max_connections <= 0) return "Maximum connections must be greater than 0";
  if (FLAGS_memory_limit <= 0) return "Memory limit must be greater than 0";
  if (o->store.growth_factor <= 1.0) return "Factor must be greater than 1";
  if (FLAGS_slab_min_size <= 0) return "Chunk size must be greater than 0";
  auto item_max = ParseSize(FLAGS_max_item_size);
  if (!item_max) return "Invalid -I value: " + FLAGS_max_item_size;
  if (*item_max < 1024) return "Item max size cannot be less than 1024 bytes.";
  if (*item_max > (1ull << 30)) return "Cannot set item size limit higher than a gigabyte.";
  if (*item_max > o->store.max_bytes / 2)
    return "Cannot set item size limit higher than 1/2 of memory max.";
  o->store.item_size_max = static_cast<uint32_t>(*item_max);
  if (o->store.slab_chunk_max > o->store.page_size ||
      o->store.slab_chunk_max < 1024 || o->store.page_size % o->store.slab_chunk_max != 0)
    return "slab_chunk_max must be between 1k and the 1m page size and divide it";
  SizeStoreForThreads(o->threads, &o->store);
  return "";
}

}  // namespace

void SizeStoreForThreads(int threads, slab::StoreOptions* store) {
  // memcached sizes the item-lock table by thread count; it must stay below hashpower.
  const int lock_power = threads <= 2 ? 10 : threads <= 4 ? 12 : threads <= 10 ? 13 : 14;
  store->lock_power = std::min(lock_power, store->hashpower);
  // Shards: twice the workers, so two of them meet on one lock half as often (2 threads of
  // 100% sets: 1.13-1.38x one thread with 4 shards, 0.92-1.23x with 2); none with one worker.
  const unsigned shards = threads <= 1 ? 1u : 2u * static_cast<unsigned>(threads);
  store->shard_power = std::min(static_cast<int>(std::bit_width(shards - 1)),
                                slab::SlabAllocator::kMaxShardPower);
}

std::optional<uint64_t> ParseSize(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  unsigned long long n = std::strtoull(text.c_str(), &end, 10);
  if (end == text.c_str()) return std::nullopt;
  std::string_view rest(end);
  if (rest == "k" || rest == "K") n *= 1024;
  else if (rest == "m" || rest == "M") n *= 1024 * 1024;
  else if (!rest.empty()) return std::nullopt;
  return n;
}

ParsedOptions ParseOptions(int argc, char** argv) {
  ParsedOptions result;
  std::vector<std::string> rewritten;
  bool help = false;
  bool version = false;
  std::vector<char*> command_line;
  std::string err = ApplyConfigFile(argc, argv, &command_line, &rewritten,
                                    &result.options.log_file);
  if (!err.empty()) {
    result.exit_code = EX_CONFIG;
    result.message = "slabd: " + err + "\n";
    return result;
  }
  err = Rewrite(static_cast<int>(command_line.size()), command_line.data(), &rewritten, &help,
                &version);
  if (!err.empty()) {
    result.exit_code = EX_USAGE;
    result.message = "slabd: " + err + "\nTry 'slabd -h' for more information.\n";
    return result;
  }
  if (help || version) {
    result.exit_code = 0;
    result.message = help ? Usage() : std::string("slabd ") + kSlabdVersion + "\n";
    return result;
  }
  MergeExtended(&rewritten);
  std::vector<char*> args;
  std::string prog = argv[0];
  args.push_back(prog.data());
  for (auto& s : rewritten) args.push_back(s.data());
  int n = static_cast<int>(args.size());
  char** p = args.data();
  gflags::SetUsageMessage("slabd: a memcached-compatible cache server (slabd -h)");
  gflags::ParseCommandLineNonHelpFlags(&n, &p, /*remove_flags=*/true);
  if (n > 1) {
    result.exit_code = EX_USAGE;
    result.message = std::string("slabd: unexpected argument: ") + p[1] + "\n";
    return result;
  }
  ServerOptions& o = result.options;
  o.port = FLAGS_port;
  o.udp_port = FLAGS_udp_port;
  o.listen = FLAGS_listen;
  o.threads = FLAGS_threads;
  o.max_connections = FLAGS_conn_limit;
  o.reqs_per_event = FLAGS_max_reqs_per_event;
  o.backlog = FLAGS_listen_backlog;
  o.verbose = FLAGS_verbose;
  o.user = FLAGS_user;
  o.store.max_bytes = static_cast<uint64_t>(std::max(FLAGS_memory_limit, 0)) << 20;
  o.store.min_chunk = static_cast<uint32_t>(std::max(FLAGS_slab_min_size, 0));
  o.store.growth_factor = FLAGS_slab_growth_factor;
  o.store.evict = !FLAGS_disable_evictions;
  o.store.use_cas = !FLAGS_disable_cas;
  o.sasl = FLAGS_enable_sasl;
  o.sasl_pwdb = FLAGS_sasl_pwdb;
  if (o.sasl_pwdb.empty()) {
    // memcached's pwdb build reads the same variable.
    if (const char* env = std::getenv("MEMCACHED_SASL_PWDB")) o.sasl_pwdb = env;
  }
  o.auth_file = FLAGS_auth_file;
  o.flush_enabled = !FLAGS_disable_flush_all;
  o.dump_enabled = !FLAGS_disable_dumping;
  o.shutdown_enabled = FLAGS_enable_shutdown;
  o.unix_socket = FLAGS_unix_socket;
  o.unix_mask = static_cast<int>(std::strtol(FLAGS_unix_mask.c_str(), nullptr, 8));  // as memcached
  o.daemonize = FLAGS_daemon;
  o.pid_file = FLAGS_pidfile;
  o.lock_memory = FLAGS_lock_memory;
  o.enable_coredumps = FLAGS_enable_coredumps;
  err = ApplyExtended(FLAGS_extended, &o);
  if (err.empty()) err = Validate(&o);
  if (!err.empty()) {
    result.exit_code = EX_USAGE;
    result.message = "slabd: " + err + "\n";
  }
  return result;
}

}  // namespace slabd::server
