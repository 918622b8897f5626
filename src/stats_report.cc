// `stats` replies (see stats_report.h).
#include "src/stats_report.h"

#include <dirent.h>
#include <event2/event.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>

#include "proto/text_writer.h"
#include "src/options.h"
#include "src/udp_server.h"

namespace slabd::server {
namespace {

std::string_view BindingProtocolName(BindingProtocol p) {
  switch (p) {
    case BindingProtocol::kAscii: return "ascii";
    case BindingProtocol::kBinary: return "binary";
    case BindingProtocol::kAuto: break;
  }
  return "auto-negotiate";
}

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

void WriteRusage(StatsSink& out) {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  char buf[48];
  auto add = [&](std::string_view name, const timeval& tv) {
    int n = std::snprintf(buf, sizeof(buf), "%ld.%06ld", static_cast<long>(tv.tv_sec),
                          static_cast<long>(tv.tv_usec));
    out.Add(name, std::string_view(buf, static_cast<size_t>(n)));
  };
  add("rusage_user", ru.ru_utime);
  add("rusage_system", ru.ru_stime);
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

void WriteGeneral(ServerContext& ctx, StatsSink& out) {
  const slab::StoreStats s = ctx.store.Stats();
  int64_t read_bufs = 0, read_bytes = 0, out_bufs = 0, out_bytes = 0;
  for (const WorkerShared& w : ctx.workers) {
    read_bufs += w.gauges.read_buf_count.load(std::memory_order_relaxed);
    read_bytes += w.gauges.read_buf_bytes.load(std::memory_order_relaxed);
    out_bufs += w.gauges.output_count.load(std::memory_order_relaxed);
    out_bytes += w.gauges.output_bytes.load(std::memory_order_relaxed);
  }
  const int64_t conns = ctx.curr_connections.load();
  out.Add("pid", static_cast<uint64_t>(getpid()));
  out.Add("uptime", static_cast<uint64_t>(ctx.clock.Now()));
  out.Add("time", static_cast<uint64_t>(ctx.clock.EpochUnix() + ctx.clock.Now()));
  out.Add("version", std::string_view(kCompatVersion));
  out.Add("libevent", std::string_view(event_get_version()));
  out.Add("pointer_size", static_cast<uint64_t>(8 * sizeof(void*)));
  WriteRusage(out);
  out.Add("max_connections", static_cast<uint64_t>(ctx.options.max_connections));
  // memcached counts its listening sockets as connections, minus one.
  out.Add("curr_connections", static_cast<uint64_t>(conns + ctx.listeners - 1));
  out.Add("total_connections", ctx.total_connections.load() + ctx.listeners);
  out.Add("rejected_connections", ctx.rejected_connections.load());
  out.Add("connection_structures",
             static_cast<uint64_t>(ctx.max_conn_structures.load() + ctx.listeners));
  out.Add("response_obj_oom", uint64_t{0});
  // slabd has one reply buffer per connection instead of response objects.
  out.Add("response_obj_count", static_cast<uint64_t>(out_bufs));
  out.Add("response_obj_bytes", static_cast<uint64_t>(out_bytes));
  out.Add("read_buf_count", static_cast<uint64_t>(read_bufs));
  out.Add("read_buf_bytes", static_cast<uint64_t>(read_bytes));
  out.Add("read_buf_bytes_free", uint64_t{0});
  out.Add("read_buf_oom", uint64_t{0});
  // Descriptors the server holds for itself (event loops, wake-ups, stdio).
  out.Add("reserved_fds",
             static_cast<uint64_t>(std::max<int64_t>(0, CountOpenFds() - conns - ctx.listeners)));
  out.Add("cmd_get", Sum(ctx, &ThreadStats::cmd_get));
  out.Add("cmd_set", Sum(ctx, &ThreadStats::cmd_set));
  out.Add("cmd_flush", Sum(ctx, &ThreadStats::cmd_flush));
  out.Add("cmd_touch", Sum(ctx, &ThreadStats::cmd_touch));
  out.Add("cmd_meta", Sum(ctx, &ThreadStats::cmd_meta));
  out.Add("get_hits", Sum(ctx, &ThreadStats::get_hits));
  out.Add("get_misses", Sum(ctx, &ThreadStats::get_misses));
  out.Add("get_expired", Sum(ctx, &ThreadStats::get_expired));
  out.Add("get_flushed", Sum(ctx, &ThreadStats::get_flushed));
  out.Add("delete_misses", Sum(ctx, &ThreadStats::delete_misses));
  out.Add("delete_hits", Sum(ctx, &ThreadStats::delete_hits));
  out.Add("incr_misses", Sum(ctx, &ThreadStats::incr_misses));
  out.Add("incr_hits", Sum(ctx, &ThreadStats::incr_hits));
  out.Add("decr_misses", Sum(ctx, &ThreadStats::decr_misses));
  out.Add("decr_hits", Sum(ctx, &ThreadStats::decr_hits));
  out.Add("cas_misses", Sum(ctx, &ThreadStats::cas_misses));
  out.Add("cas_hits", Sum(ctx, &ThreadStats::cas_hits));
  out.Add("cas_badval", Sum(ctx, &ThreadStats::cas_badval));
  out.Add("touch_hits", Sum(ctx, &ThreadStats::touch_hits));
  out.Add("touch_misses", Sum(ctx, &ThreadStats::touch_misses));
  out.Add("store_too_large", Sum(ctx, &ThreadStats::store_too_large));
  out.Add("store_no_memory", Sum(ctx, &ThreadStats::store_no_memory));
  out.Add("auth_cmds", Sum(ctx, &ThreadStats::auth_cmds));
  out.Add("auth_errors", Sum(ctx, &ThreadStats::auth_errors));
  if (ctx.options.idle_timeout > 0)  // memcached prints it only with -o idle_timeout
    out.Add("idle_kicks", Sum(ctx, &ThreadStats::idle_kicks));
  out.Add("bytes_read", Sum(ctx, &ThreadStats::bytes_read));
  out.Add("bytes_written", Sum(ctx, &ThreadStats::bytes_written));
  out.Add("limit_maxbytes", ctx.store.max_bytes());
  out.Add("accepting_conns", uint64_t{ctx.accepting.load() ? 1u : 0u});
  out.Add("listen_disabled_num", ctx.listen_disabled_num.load());
  out.Add("time_in_listen_disabled_us", ctx.time_in_listen_disabled_us.load());
  out.Add("threads", static_cast<uint64_t>(ctx.options.threads));
  out.Add("conn_yields", Sum(ctx, &ThreadStats::conn_yields));
  out.Add("hash_power_level", static_cast<uint64_t>(s.hash_power_level));
  out.Add("hash_bytes", static_cast<uint64_t>(s.hash_bytes));
  out.Add("hash_is_expanding", static_cast<uint64_t>(s.hash_is_expanding ? 1 : 0));
  out.Add("malloc_fails", static_cast<uint64_t>(s.malloc_fails));
  for (const char* name : {"log_worker_dropped", "log_worker_written", "log_watcher_skipped",
                           "log_watcher_sent", "log_watchers", "unexpected_napi_ids",
                           "round_robin_fallback"})
    out.Add(name, uint64_t{0});
  out.Add("bytes", static_cast<uint64_t>(s.bytes));
  out.Add("curr_items", static_cast<uint64_t>(s.curr_items));
  out.Add("total_items", static_cast<uint64_t>(s.total_items));
  out.Add("slab_global_page_pool", static_cast<uint64_t>(s.slab_global_page_pool));
  out.Add("expired_unfetched", static_cast<uint64_t>(s.expired_unfetched));
  out.Add("evicted_unfetched", static_cast<uint64_t>(s.evicted_unfetched));
  out.Add("evictions", static_cast<uint64_t>(s.evictions));
  out.Add("reclaimed", static_cast<uint64_t>(s.reclaimed));
  out.Add("crawler_reclaimed", uint64_t{0});
  out.Add("crawler_items_checked", uint64_t{0});
  out.Add("lrutail_reflocked", uint64_t{0});
}

// memcached prints factors with "%.2f"; slabd's default 1.125 needs a third digit.
std::string FormatFactor(double f) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f", f);
  double back = std::strtod(buf, nullptr);
  if (back != f) std::snprintf(buf, sizeof(buf), "%.3f", f);
  return buf;
}

void WriteSettings(ServerContext& ctx, StatsSink& out) {
  const ServerOptions& o = ctx.options;
  const slab::StoreStats s = ctx.store.Stats();
  auto u = [](auto v) { return static_cast<uint64_t>(v); };
  out.Add("maxbytes", ctx.store.max_bytes());
  out.Add("maxconns", u(o.max_connections));
  out.Add("tcpport", u(o.port));
  out.Add("udpport", u(o.udp_port));
  out.Add("inter", std::string_view(o.listen.empty() ? "NULL" : o.listen));
  out.Add("verbosity", u(ctx.verbosity.load()));
  out.Add("oldest", u(s.oldest_live));
  out.Add("evictions", std::string_view(o.store.evict ? "on" : "off"));
  out.Add("domain_socket", o.unix_socket.empty() ? std::string_view("NULL")
                                                 : std::string_view(o.unix_socket));
  char mask[16];
  std::snprintf(mask, sizeof(mask), "%o", static_cast<unsigned>(o.unix_mask));
  out.Add("umask", std::string_view(mask));
  out.Add("shutdown_command", std::string_view(o.shutdown_enabled ? "yes" : "no"));
  out.Add("growth_factor", std::string_view(FormatFactor(o.store.growth_factor)));
  out.Add("chunk_size", u(o.store.min_chunk));
  out.Add("num_threads", u(o.threads));
  out.Add("num_threads_per_udp", u(UdpServer::ThreadsPerSocket(o.listen, o.threads)));
  out.Add("stat_key_prefix", std::string_view(":"));
  out.Add("detail_enabled", std::string_view("no"));
  out.Add("reqs_per_event", u(o.reqs_per_event));
  out.Add("cas_enabled", std::string_view(o.store.use_cas ? "yes" : "no"));
  out.Add("tcp_backlog", u(o.backlog));
  out.Add("binding_protocol", BindingProtocolName(o.protocol));
  out.Add("auth_enabled_sasl", std::string_view(o.sasl ? "yes" : "no"));
  out.Add("auth_enabled_ascii", std::string_view(o.auth_file.empty() ? "no" : o.auth_file));
  out.Add("item_size_max", u(o.store.item_size_max));
  out.Add("maxconns_fast", std::string_view("yes"));
  out.Add("hashpower_init", u(o.store.hashpower == 16 ? 0 : o.store.hashpower));
  out.Add("slab_reassign", std::string_view("no"));
  out.Add("slab_automove", uint64_t{0});
  out.Add("slab_automove_ratio", std::string_view("0.80"));
  out.Add("slab_automove_window", uint64_t{30});
  out.Add("slab_chunk_max", u(o.store.slab_chunk_max));
  out.Add("lru_crawler", std::string_view("no"));
  out.Add("lru_crawler_sleep", uint64_t{100});
  out.Add("lru_crawler_tocrawl", uint64_t{0});
  out.Add("tail_repair_time", uint64_t{0});
  out.Add("flush_enabled", std::string_view(o.flush_enabled ? "yes" : "no"));
  out.Add("dump_enabled", std::string_view(o.dump_enabled ? "yes" : "no"));
  out.Add("hash_algorithm", std::string_view("murmur3"));
  out.Add("lru_maintainer_thread", std::string_view("no"));
  out.Add("lru_segmented", std::string_view("no"));
  out.Add("hot_lru_pct", uint64_t{20});
  out.Add("warm_lru_pct", uint64_t{40});
  out.Add("hot_max_factor", std::string_view("0.20"));
  out.Add("warm_max_factor", std::string_view("2.00"));
  out.Add("temp_lru", std::string_view("no"));
  out.Add("temporary_ttl", uint64_t{61});
  out.Add("idle_timeout", u(o.idle_timeout));
  out.Add("watcher_logbuf_size", uint64_t{262144});
  out.Add("worker_logbuf_size", uint64_t{65536});
  out.Add("read_buf_mem_limit", uint64_t{0});
  out.Add("track_sizes", std::string_view("no"));
  out.Add("inline_ascii_response", std::string_view("no"));
  out.Add("num_napi_ids", std::string_view("(null)"));
  out.Add("memory_file", std::string_view("(null)"));
}

void WriteItems(ServerContext& ctx, StatsSink& out) {
  char name[64];
  for (const slab::ClassStats& c : ctx.store.ClassStatsSnapshot()) {
    if (c.number == 0) continue;
    auto stat = [&](const char* key, uint64_t v) {
      std::snprintf(name, sizeof(name), "items:%d:%s", static_cast<int>(c.id.v), key);
      out.Add(name, v);
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
}

void WriteSlabs(ServerContext& ctx, StatsSink& out) {
  char name[64];
  uint64_t active = 0;
  for (const slab::ClassStats& c : ctx.store.ClassStatsSnapshot()) {
    if (c.total_pages == 0) continue;
    ++active;
    const int id = c.id.v;
    auto stat = [&](const char* key, uint64_t v) {
      std::snprintf(name, sizeof(name), "%d:%s", id, key);
      out.Add(name, v);
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
  out.Add("active_slabs", active);
  out.Add("total_malloced", static_cast<uint64_t>(ctx.store.Stats().total_malloced));
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

void ResetAllStats(ServerContext& ctx) {
  for (WorkerShared& w : ctx.workers) w.stats.Reset();
  ctx.store.ResetStats();
  ctx.prefix_stats.Clear();
  ctx.total_connections.store(0);
  ctx.rejected_connections.store(0);
}

bool WriteStatsGroup(ServerContext& ctx, std::string_view group, StatsSink& out) {
  if (group.empty()) {
    WriteGeneral(ctx, out);
  } else if (group == "settings") {
    WriteSettings(ctx, out);
  } else if (group == "items") {
    WriteItems(ctx, out);
  } else if (group == "slabs") {
    WriteSlabs(ctx, out);
  } else if (group == "sizes") {
    out.Add("sizes_status", std::string_view("disabled"));
  } else {
    return false;
  }
  return true;
}

// 1.6.18 matches the subcommand name exactly (the reference's prefix matching is
// a later release's); extra tokens after it are ignored.
void WriteStatsReply(ServerContext& ctx, std::string_view args, std::string& out) {
  std::string_view rest = args;
  std::string_view sub = NextToken(&rest);
  if (sub == "reset") {
    ResetAllStats(ctx);
    out.append(proto::kReset);
  } else if (sub == "detail") {
    WriteDetail(ctx, rest, out);
  } else if (sub == "cachedump") {
    if (ctx.options.dump_enabled) {
      WriteCachedump(ctx, rest, out);
    } else {
      out.append("CLIENT_ERROR stats cachedump not allowed\r\n");
    }
  } else if (sub == "conns") {
    ctx.conns.Dump(out, ctx.clock.Now());
    out.append(proto::kEnd);
  } else {
    TextStatsSink sink(out);
    if (WriteStatsGroup(ctx, sub, sink)) {
      out.append(proto::kEnd);
    } else {
      out.append(proto::kError);
    }
  }
}

}  // namespace slabd::server
