// `stats` replies (see stats_report.h).
#include "src/stats_report.h"

#include <dirent.h>
#include <event2/event.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>

#include "proto/text_writer.h"
#include "src/options.h"

namespace slabd::server {
namespace {

using proto::AppendStat;

// Sums one counter over every worker.
uint64_t Sum(const ServerContext& ctx, Counter ThreadStats::*field) {
  uint64_t total = 0;
  for (const WorkerShared& w : ctx.workers) total += (w.stats.*field).Get();
  return total;
}

uint64_t SumClass(const ServerContext& ctx, int cls, const Counter ClassCounters::*field) {
  uint64_t total = 0;
  for (const WorkerShared& w : ctx.workers) total += (w.stats.classes[cls].*field).Get();
  return total;
}

void WriteRusage(std::string& out) {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  proto::AppendStatRusage(out, "rusage_user", ru.ru_utime.tv_sec, ru.ru_utime.tv_usec);
  proto::AppendStatRusage(out, "rusage_system", ru.ru_stime.tv_sec, ru.ru_stime.tv_usec);
}

// Descriptors open in this process now (one readdir of /proc/self/fd).
int64_t CountOpenFds() {
  int64_t n = 0;
  if (DIR* d = opendir("/proc/self/fd")) {
    while (dirent* e = readdir(d))
      if (e->d_name[0] != '.') ++n;
    closedir(d);
    --n;  // the directory stream's own descriptor
  }
  return n;
}

void WriteGeneral(ServerContext& ctx, std::string& out) {
  const slab::StoreStats s = ctx.store.Stats();
  int64_t read_bufs = 0, read_bytes = 0, out_bufs = 0, out_bytes = 0;
  for (const WorkerShared& w : ctx.workers) {
    read_bufs += w.gauges.read_buf_count.load(std::memory_order_relaxed);
    read_bytes += w.gauges.read_buf_bytes.load(std::memory_order_relaxed);
    out_bufs += w.gauges.output_count.load(std::memory_order_relaxed);
    out_bytes += w.gauges.output_bytes.load(std::memory_order_relaxed);
  }
  const int64_t conns = ctx.curr_connections.load();
  AppendStat(out, "pid", static_cast<uint64_t>(getpid()));
  AppendStat(out, "uptime", static_cast<uint64_t>(ctx.clock.Now()));
  AppendStat(out, "time", static_cast<uint64_t>(ctx.clock.EpochUnix() + ctx.clock.Now()));
  AppendStat(out, "version", std::string_view(kCompatVersion));
  AppendStat(out, "libevent", std::string_view(event_get_version()));
  AppendStat(out, "pointer_size", static_cast<uint64_t>(8 * sizeof(void*)));
  WriteRusage(out);
  AppendStat(out, "max_connections", static_cast<uint64_t>(ctx.options.max_connections));
  // memcached counts its listening sockets as connections, minus one.
  AppendStat(out, "curr_connections", static_cast<uint64_t>(conns + ctx.listeners - 1));
  AppendStat(out, "total_connections", ctx.total_connections.load() + ctx.listeners);
  AppendStat(out, "rejected_connections", ctx.rejected_connections.load());
  AppendStat(out, "connection_structures",
             static_cast<uint64_t>(ctx.max_conn_structures.load() + ctx.listeners));
  AppendStat(out, "response_obj_oom", uint64_t{0});
  // slabd has one reply buffer per connection instead of response objects.
  AppendStat(out, "response_obj_count", static_cast<uint64_t>(out_bufs));
  AppendStat(out, "response_obj_bytes", static_cast<uint64_t>(out_bytes));
  AppendStat(out, "read_buf_count", static_cast<uint64_t>(read_bufs));
  AppendStat(out, "read_buf_bytes", static_cast<uint64_t>(read_bytes));
  AppendStat(out, "read_buf_bytes_free", uint64_t{0});
  AppendStat(out, "read_buf_oom", uint64_t{0});
  // Descriptors the server holds for itself (event loops, wake-ups, stdio).
  AppendStat(out, "reserved_fds",
             static_cast<uint64_t>(std::max<int64_t>(0, CountOpenFds() - conns - ctx.listeners)));
  AppendStat(out, "cmd_get", Sum(ctx, &ThreadStats::cmd_get));
  AppendStat(out, "cmd_set", Sum(ctx, &ThreadStats::cmd_set));
  AppendStat(out, "cmd_flush", Sum(ctx, &ThreadStats::cmd_flush));
  AppendStat(out, "cmd_touch", Sum(ctx, &ThreadStats::cmd_touch));
  AppendStat(out, "cmd_meta", uint64_t{0});
  AppendStat(out, "get_hits", Sum(ctx, &ThreadStats::get_hits));
  AppendStat(out, "get_misses", Sum(ctx, &ThreadStats::get_misses));
  AppendStat(out, "get_expired", Sum(ctx, &ThreadStats::get_expired));
  AppendStat(out, "get_flushed", Sum(ctx, &ThreadStats::get_flushed));
  AppendStat(out, "delete_misses", Sum(ctx, &ThreadStats::delete_misses));
  AppendStat(out, "delete_hits", Sum(ctx, &ThreadStats::delete_hits));
  AppendStat(out, "incr_misses", Sum(ctx, &ThreadStats::incr_misses));
  AppendStat(out, "incr_hits", Sum(ctx, &ThreadStats::incr_hits));
  AppendStat(out, "decr_misses", Sum(ctx, &ThreadStats::decr_misses));
  AppendStat(out, "decr_hits", Sum(ctx, &ThreadStats::decr_hits));
  AppendStat(out, "cas_misses", Sum(ctx, &ThreadStats::cas_misses));
  AppendStat(out, "cas_hits", Sum(ctx, &ThreadStats::cas_hits));
  AppendStat(out, "cas_badval", Sum(ctx, &ThreadStats::cas_badval));
  AppendStat(out, "touch_hits", Sum(ctx, &ThreadStats::touch_hits));
  AppendStat(out, "touch_misses", Sum(ctx, &ThreadStats::touch_misses));
  AppendStat(out, "store_too_large", Sum(ctx, &ThreadStats::store_too_large));
  AppendStat(out, "store_no_memory", Sum(ctx, &ThreadStats::store_no_memory));
  AppendStat(out, "auth_cmds", uint64_t{0});
  AppendStat(out, "auth_errors", uint64_t{0});
  AppendStat(out, "bytes_read", Sum(ctx, &ThreadStats::bytes_read));
  AppendStat(out, "bytes_written", Sum(ctx, &ThreadStats::bytes_written));
  AppendStat(out, "limit_maxbytes", ctx.store.max_bytes());
  AppendStat(out, "accepting_conns", uint64_t{ctx.accepting.load() ? 1u : 0u});
  AppendStat(out, "listen_disabled_num", ctx.listen_disabled_num.load());
  AppendStat(out, "time_in_listen_disabled_us", ctx.time_in_listen_disabled_us.load());
  AppendStat(out, "threads", static_cast<uint64_t>(ctx.options.threads));
  AppendStat(out, "conn_yields", Sum(ctx, &ThreadStats::conn_yields));
  AppendStat(out, "hash_power_level", static_cast<uint64_t>(s.hash_power_level));
  AppendStat(out, "hash_bytes", static_cast<uint64_t>(s.hash_bytes));
  AppendStat(out, "hash_is_expanding", static_cast<uint64_t>(s.hash_is_expanding ? 1 : 0));
  AppendStat(out, "malloc_fails", static_cast<uint64_t>(s.malloc_fails));
  for (const char* name : {"log_worker_dropped", "log_worker_written", "log_watcher_skipped",
                           "log_watcher_sent", "log_watchers", "unexpected_napi_ids",
                           "round_robin_fallback"})
    AppendStat(out, name, uint64_t{0});
  AppendStat(out, "bytes", static_cast<uint64_t>(s.bytes));
  AppendStat(out, "curr_items", static_cast<uint64_t>(s.curr_items));
  AppendStat(out, "total_items", static_cast<uint64_t>(s.total_items));
  AppendStat(out, "slab_global_page_pool", static_cast<uint64_t>(s.slab_global_page_pool));
  AppendStat(out, "expired_unfetched", static_cast<uint64_t>(s.expired_unfetched));
  AppendStat(out, "evicted_unfetched", static_cast<uint64_t>(s.evicted_unfetched));
  AppendStat(out, "evictions", static_cast<uint64_t>(s.evictions));
  AppendStat(out, "reclaimed", static_cast<uint64_t>(s.reclaimed));
  AppendStat(out, "crawler_reclaimed", uint64_t{0});
  AppendStat(out, "crawler_items_checked", uint64_t{0});
  AppendStat(out, "lrutail_reflocked", uint64_t{0});
  out.append(proto::kEnd);
}

// memcached prints factors with "%.2f"; slabd's default 1.125 needs a third digit.
std::string FormatFactor(double f) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f", f);
  double back = std::strtod(buf, nullptr);
  if (back != f) std::snprintf(buf, sizeof(buf), "%.3f", f);
  return buf;
}

void WriteSettings(ServerContext& ctx, std::string& out) {
  const ServerOptions& o = ctx.options;
  const slab::StoreStats s = ctx.store.Stats();
  auto u = [](auto v) { return static_cast<uint64_t>(v); };
  AppendStat(out, "maxbytes", ctx.store.max_bytes());
  AppendStat(out, "maxconns", u(o.max_connections));
  AppendStat(out, "tcpport", u(o.port));
  AppendStat(out, "udpport", u(o.udp_port));
  AppendStat(out, "inter", std::string_view(o.listen.empty() ? "NULL" : o.listen));
  AppendStat(out, "verbosity", u(ctx.verbosity.load()));
  AppendStat(out, "oldest", u(s.oldest_live));
  AppendStat(out, "evictions", std::string_view(o.store.evict ? "on" : "off"));
  AppendStat(out, "domain_socket", std::string_view("NULL"));
  AppendStat(out, "umask", std::string_view("700"));
  AppendStat(out, "shutdown_command", std::string_view("no"));
  AppendStat(out, "growth_factor", std::string_view(FormatFactor(o.store.growth_factor)));
  AppendStat(out, "chunk_size", u(o.store.min_chunk));
  AppendStat(out, "num_threads", u(o.threads));
  AppendStat(out, "num_threads_per_udp", u(o.threads));
  AppendStat(out, "stat_key_prefix", std::string_view(":"));
  AppendStat(out, "detail_enabled", std::string_view("no"));
  AppendStat(out, "reqs_per_event", u(o.reqs_per_event));
  AppendStat(out, "cas_enabled", std::string_view(o.store.use_cas ? "yes" : "no"));
  AppendStat(out, "tcp_backlog", u(o.backlog));
  AppendStat(out, "binding_protocol", std::string_view("ascii"));
  AppendStat(out, "auth_enabled_sasl", std::string_view("no"));
  AppendStat(out, "auth_enabled_ascii", std::string_view("no"));
  AppendStat(out, "item_size_max", u(o.store.item_size_max));
  AppendStat(out, "maxconns_fast", std::string_view("yes"));
  AppendStat(out, "hashpower_init", u(o.store.hashpower == 16 ? 0 : o.store.hashpower));
  AppendStat(out, "slab_reassign", std::string_view("no"));
  AppendStat(out, "slab_automove", uint64_t{0});
  AppendStat(out, "slab_automove_ratio", std::string_view("0.80"));
  AppendStat(out, "slab_automove_window", uint64_t{30});
  AppendStat(out, "slab_chunk_max", u(o.store.slab_chunk_max));
  AppendStat(out, "lru_crawler", std::string_view("no"));
  AppendStat(out, "lru_crawler_sleep", uint64_t{100});
  AppendStat(out, "lru_crawler_tocrawl", uint64_t{0});
  AppendStat(out, "tail_repair_time", uint64_t{0});
  AppendStat(out, "flush_enabled", std::string_view("yes"));
  AppendStat(out, "dump_enabled", std::string_view("yes"));
  AppendStat(out, "hash_algorithm", std::string_view("murmur3"));
  AppendStat(out, "lru_maintainer_thread", std::string_view("no"));
  AppendStat(out, "lru_segmented", std::string_view("no"));
  AppendStat(out, "hot_lru_pct", uint64_t{20});
  AppendStat(out, "warm_lru_pct", uint64_t{40});
  AppendStat(out, "hot_max_factor", std::string_view("0.20"));
  AppendStat(out, "warm_max_factor", std::string_view("2.00"));
  AppendStat(out, "temp_lru", std::string_view("no"));
  AppendStat(out, "temporary_ttl", uint64_t{61});
  AppendStat(out, "idle_timeout", uint64_t{0});
  AppendStat(out, "watcher_logbuf_size", uint64_t{262144});
  AppendStat(out, "worker_logbuf_size", uint64_t{65536});
  AppendStat(out, "read_buf_mem_limit", uint64_t{0});
  AppendStat(out, "track_sizes", std::string_view("no"));
  AppendStat(out, "inline_ascii_response", std::string_view("no"));
  AppendStat(out, "num_napi_ids", std::string_view("(null)"));
  AppendStat(out, "memory_file", std::string_view("(null)"));
  out.append(proto::kEnd);
}

void WriteItems(ServerContext& ctx, std::string& out) {
  char name[64];
  for (const slab::ClassStats& c : ctx.store.ClassStatsSnapshot()) {
    if (c.number == 0) continue;
    auto stat = [&](const char* key, uint64_t v) {
      std::snprintf(name, sizeof(name), "items:%d:%s", static_cast<int>(c.id.v), key);
      AppendStat(out, name, v);
    };
    stat("number", c.number);
    stat("age", c.age);
    stat("mem_requested", c.mem_requested);
    stat("evicted", c.evicted);
    stat("evicted_nonzero", c.evicted_nonzero);
    stat("evicted_time", c.evicted_time);
    stat("outofmemory", c.outofmemory);
    stat("tailrepairs", 0);
    stat("reclaimed", c.reclaimed);
    stat("expired_unfetched", c.expired_unfetched);
    stat("evicted_unfetched", c.evicted_unfetched);
    stat("crawler_reclaimed", 0);
    stat("crawler_items_checked", 0);
    stat("lrutail_reflocked", 0);
  }
  out.append(proto::kEnd);
}

void WriteSlabs(ServerContext& ctx, std::string& out) {
  char name[64];
  uint64_t active = 0;
  for (const slab::ClassStats& c : ctx.store.ClassStatsSnapshot()) {
    if (c.total_pages == 0) continue;
    ++active;
    const int id = c.id.v;
    auto stat = [&](const char* key, uint64_t v) {
      std::snprintf(name, sizeof(name), "%d:%s", id, key);
      AppendStat(out, name, v);
    };
    stat("chunk_size", c.chunk_size);
    stat("chunks_per_page", c.chunks_per_page);
    stat("total_pages", c.total_pages);
    stat("total_chunks", c.total_chunks);
    stat("used_chunks", c.used_chunks);
    stat("free_chunks", c.free_chunks);
    stat("free_chunks_end", 0);
    stat("get_hits", SumClass(ctx, id, &ClassCounters::get_hits));
    stat("cmd_set", SumClass(ctx, id, &ClassCounters::cmd_set));
    stat("delete_hits", SumClass(ctx, id, &ClassCounters::delete_hits));
    stat("incr_hits", SumClass(ctx, id, &ClassCounters::incr_hits));
    stat("decr_hits", SumClass(ctx, id, &ClassCounters::decr_hits));
    stat("cas_hits", SumClass(ctx, id, &ClassCounters::cas_hits));
    stat("cas_badval", SumClass(ctx, id, &ClassCounters::cas_badval));
    stat("touch_hits", SumClass(ctx, id, &ClassCounters::touch_hits));
  }
  AppendStat(out, "active_slabs", active);
  AppendStat(out, "total_malloced", static_cast<uint64_t>(ctx.store.Stats().total_malloced));
  out.append(proto::kEnd);
}

// Splits off the first space-separated token of `rest`.
std::string_view NextToken(std::string_view* rest) {
  size_t start = rest->find_first_not_of(' ');
  if (start == std::string_view::npos) {
    *rest = {};
    return {};
  }
  *rest = rest->substr(start);
  size_t end = rest->find(' ');
  std::string_view token = rest->substr(0, end);
  *rest = end == std::string_view::npos ? std::string_view() : rest->substr(end);
  return token;
}

// memcached caps a cachedump reply at 2 MB.
constexpr size_t kCachedumpMaxBytes = 2u << 20;

// Parses a decimal id or limit as memcached's safe_strtoul does (no sign, no junk).
bool ParseUint(std::string_view token, uint32_t* value) {
  if (token.empty() || token.size() > 10) return false;
  uint64_t v = 0;
  for (char c : token) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > UINT32_MAX) return false;
  *value = static_cast<uint32_t>(v);
  return true;
}

// `stats cachedump <class> <limit>`: `ITEM <key> [<bytes> b; <unix exptime or 0> s]`
// for the class's items, most recently used first.
void WriteCachedump(ServerContext& ctx, std::string_view rest, std::string& out) {
  std::string_view id_token = NextToken(&rest);
  std::string_view limit_token = NextToken(&rest);
  uint32_t id = 0;
  uint32_t limit = 0;
  if (limit_token.empty()) {
    out.append(proto::kClientErrorBadCommandLine);
    return;
  }
  if (!ParseUint(id_token, &id) || !ParseUint(limit_token, &limit)) {
    out.append(proto::kClientErrorBadCommandLineFormat);
    return;
  }
  if (id > ctx.store.large_class_id().v) {  // memcached: id >= 64 (its class limit)
    out.append("CLIENT_ERROR Illegal slab id\r\n");
    return;
  }
  const size_t start = out.size();
  const int64_t epoch = ctx.clock.EpochUnix();
  // Captures by reference (one pointer): std::function stores it without allocating.
  ctx.store.DumpClass(slab::ClassId{static_cast<uint8_t>(id)}, limit,
                      [&](std::string_view key, uint32_t len, slab::RelTime exp) {
                        char tail[64];
                        int n = std::snprintf(tail, sizeof(tail), " [%u b; %lld s]\r\n", len,
                                              exp == 0 ? 0LL : static_cast<long long>(exp + epoch));
                        // Like memcached, stop before a line would pass the cap.
                        if (out.size() - start + 5 + key.size() + n > kCachedumpMaxBytes)
                          return false;
                        out.append("ITEM ").append(key).append(tail, static_cast<size_t>(n));
                        return true;
                      });
  out.append(proto::kEnd);
}

// `stats detail on|off|dump`.
void WriteDetail(ServerContext& ctx, std::string_view rest, std::string& out) {
  std::string_view what = NextToken(&rest);
  if (what == "on") {
    ctx.prefix_stats.SetEnabled(true);
    out.append(proto::kOk);
  } else if (what == "off") {
    ctx.prefix_stats.SetEnabled(false);
    out.append(proto::kOk);
  } else if (what == "dump") {
    ctx.prefix_stats.Dump(out);
  } else {
    out.append(proto::kClientErrorStatsDetailUsage);
  }
}

}  // namespace

// 1.6.18 matches the subcommand name exactly (the reference's prefix matching is
// a later release's); extra tokens after it are ignored.
void WriteStatsReply(ServerContext& ctx, std::string_view args, std::string& out) {
  std::string_view rest = args;
  std::string_view sub = NextToken(&rest);
  if (sub.empty()) {
    WriteGeneral(ctx, out);
  } else if (sub == "reset") {
    for (WorkerShared& w : ctx.workers) w.stats.Reset();
    ctx.store.ResetStats();
    ctx.prefix_stats.Clear();
    ctx.total_connections.store(0);
    ctx.rejected_connections.store(0);
    out.append(proto::kReset);
  } else if (sub == "detail") {
    WriteDetail(ctx, rest, out);
  } else if (sub == "cachedump") {
    WriteCachedump(ctx, rest, out);
  } else if (sub == "conns") {
    ctx.conns.Dump(out, ctx.clock.Now());
    out.append(proto::kEnd);
  } else if (sub == "settings") {
    WriteSettings(ctx, out);
  } else if (sub == "items") {
    WriteItems(ctx, out);
  } else if (sub == "slabs") {
    WriteSlabs(ctx, out);
  } else if (sub == "sizes") {
    AppendStat(out, "sizes_status", std::string_view("disabled"));
    out.append(proto::kEnd);
  } else {
    out.append(proto::kError);
  }
}

}  // namespace slabd::server
