// RunEngineBench (see engine_bench.h).
//
// Measurement: every worker thread counts its operations in plain locals and looks at one
// shared phase word (relaxed load, read-only for workers) every kOpsPerPhaseCheck operations;
// at the warm-up -> measure and measure -> stop transitions it records its counts, the wall
// clock and its own CPU clock. Workers write nothing shared while running, so the benchmark
// adds no cache-line traffic of its own to what the Store does.
#include "src/bench/engine_bench.h"

#include <sysexits.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "slab/store.h"
#include "src/bench/fast_random.h"
#include "src/bench/key_table.h"
#include "src/bench/zipf_generator.h"
#include "src/options.h"
#include "src/system_clock.h"

namespace slabd::bench {
namespace {

constexpr uint64_t kOpsPerPhaseCheck = 256;
enum Phase : int { kWarmup, kMeasure, kStop };

using SteadyClock = std::chrono::steady_clock;

double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec * 1e-9;
}

double SecondsBetween(SteadyClock::time_point a, SteadyClock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// What the threads share, immutable: the keys and how they and value sizes are drawn.
class Workload {
 public:
  Workload(const EngineBenchOptions& o, const KeyTable& keys) : o_(o), keys_(keys) {}
  bool Init(std::string* error) {
    if (!o_.zipf) return true;
    zipf_ = ZipfGenerator::Create(keys_.count(), o_.zipf_theta, error);
    perm_.emplace(keys_.count());
    return zipf_.has_value();
  }
  std::string_view Key(FastRandom& rng) const {
    const uint64_t i =
        zipf_ ? perm_->Map(zipf_->Rank(rng.NextDouble())) : rng.Below(keys_.count());
    return keys_.Key(i);
  }
  uint32_t ValueLen(FastRandom& rng) const {
    const uint32_t span = o_.value_max - o_.value_min;
    return o_.value_min + (span == 0 ? 0 : static_cast<uint32_t>(rng.Below(span + 1ull)));
  }
  bool IsGet(FastRandom& rng) const { return rng.NextDouble() < o_.get_ratio; }

 private:
  const EngineBenchOptions& o_;
  const KeyTable& keys_;
  std::optional<ZipfGenerator> zipf_;
  std::optional<KeyPermutation> perm_;
};

// A set as the server does one: reserve, fill the value, link. The status of the Reserve.
slab::AllocStatus Set(slab::Store& store, std::string_view key, uint32_t len, char fill) {
  slab::ReserveResult r = store.Reserve(key, 0, 0, len);
  if (r.status != slab::AllocStatus::kOk) return r.status;
  std::span<char> v = r.reservation.value();
  std::memset(v.data(), fill, v.size());
  (void)store.Link(std::move(r.reservation), slab::StoreMode::kSet);
  return slab::AllocStatus::kOk;
}

struct Counts {
  uint64_t gets = 0, hits = 0, sets = 0, set_failures = 0;
  uint64_t ops() const { return gets + sets; }
};

// One thread's measured window.
struct ThreadResult {
  Counts counts;
  double wall_s = 0, cpu_s = 0;
  uint64_t checksum = 0;  // of the values read, so the copies cannot be optimized away
  double ops_per_s() const { return wall_s > 0 ? counts.ops() / wall_s : 0; }
  double ops_per_cpu_s() const { return cpu_s > 0 ? counts.ops() / cpu_s : 0; }
};

void Drive(slab::Store& store, const Workload& w, uint32_t value_max, uint64_t seed,
           const std::atomic<int>& phase, ThreadResult* out) {
  FastRandom rng(seed);
  std::string sink(value_max, '\0');  // a get copies the value here, as a reply would
  Counts c, at_start;
  uint64_t checksum = 0;
  SteadyClock::time_point t0 = SteadyClock::now();
  double cpu0 = 0;
  int seen = kWarmup;
  for (;;) {
    for (uint64_t i = 0; i < kOpsPerPhaseCheck; ++i) {
      const std::string_view key = w.Key(rng);
      if (w.IsGet(rng)) {
        ++c.gets;
        slab::LookupResult r = store.Get(key);
        if (!r.item) continue;
        ++c.hits;
        const std::string_view v = r.item.value();
        std::memcpy(sink.data(), v.data(), v.size());
        checksum += v.empty() ? 0 : static_cast<uint8_t>(sink[v.size() - 1]);
      } else {
        ++c.sets;
        if (Set(store, key, w.ValueLen(rng), static_cast<char>('a' + (c.sets & 15))) !=
            slab::AllocStatus::kOk)
          ++c.set_failures;
      }
    }
    const int p = phase.load(std::memory_order_relaxed);
    if (p == seen) continue;
    if (seen == kWarmup) {  // the window opens (also if this thread only sees kStop)
      at_start = c;
      t0 = SteadyClock::now();
      cpu0 = ThreadCpuSeconds();
    }
    seen = p;
    if (p != kStop) continue;
    out->counts = {c.gets - at_start.gets, c.hits - at_start.hits, c.sets - at_start.sets,
                   c.set_failures - at_start.set_failures};
    out->wall_s = SecondsBetween(t0, SteadyClock::now());
    out->cpu_s = ThreadCpuSeconds() - cpu0;
    out->checksum = checksum;
    return;
  }
}

struct RunResult {
  int threads = 0;
  double prefill_s = 0, wall_s = 0;
  uint32_t stripes = 0;
  uint32_t shards = 0;  // LRU and freelist shards per class
  std::vector<ThreadResult> per_thread;

  Counts Total() const {
    Counts t;
    for (const ThreadResult& r : per_thread) {
      t.gets += r.counts.gets;
      t.hits += r.counts.hits;
      t.sets += r.counts.sets;
      t.set_failures += r.counts.set_failures;
    }
    return t;
  }
  double ops_per_s() const { return wall_s > 0 ? Total().ops() / wall_s : 0; }
  // Mean over threads of ops per thread CPU-second: falls only if an operation costs more.
  double ops_per_cpu_s() const {
    double sum = 0;
    for (const ThreadResult& r : per_thread) sum += r.ops_per_cpu_s();
    return per_thread.empty() ? 0 : sum / per_thread.size();
  }
  double hit_ratio() const {
    const Counts t = Total();
    return t.gets > 0 ? static_cast<double>(t.hits) / t.gets : 0;
  }
};

slab::StoreOptions StoreOptionsFor(const EngineBenchOptions& o, int threads) {
  slab::StoreOptions so;
  so.max_bytes = o.memory_mb << 20;
  // The stripes and shards the server gives `-t threads`, so the bench contends as it would.
  server::SizeStoreForThreads(threads, &so);
  const uint64_t largest = slab::ItemHeader::TotalSize(KeyTable::kKeyLength, o.value_max);
  so.item_size_max = static_cast<uint32_t>(std::max<uint64_t>(so.item_size_max, largest));
  return so;
}

// Sets every key once, then lets Maintain() grow the hash table to its steady size, as a
// server's maintenance thread would have by the time it is warm.
double Prefill(slab::Store& store, const KeyTable& keys, const Workload& w, uint64_t seed) {
  const SteadyClock::time_point t0 = SteadyClock::now();
  FastRandom rng(Mix64(seed));
  for (uint64_t i = 0; i < keys.count(); ++i) Set(store, keys.Key(i), w.ValueLen(rng), 'p');
  for (int quiet = 0; quiet < 2;) {
    store.Maintain();
    quiet = store.IsExpanding() ? 0 : quiet + 1;
  }
  return SecondsBetween(t0, SteadyClock::now());
}

RunResult RunOnce(const EngineBenchOptions& o, int threads, const KeyTable& keys,
                  const Workload& w) {
  server::SystemClock clock;
  slab::Store store(StoreOptionsFor(o, threads), &clock);
  RunResult result;
  result.threads = threads;
  result.stripes = 1u << store.options().lock_power;
  result.shards = 1u << store.options().shard_power;
  result.prefill_s = Prefill(store, keys, w, o.seed);
  result.per_thread.resize(threads);

  std::atomic<int> phase{kWarmup};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back(Drive, std::ref(store), std::cref(w), o.value_max,
                         Mix64(o.seed ^ (0x100000001b3ull * (t + 1))), std::cref(phase),
                         &result.per_thread[t]);
  }
  // The main thread does what the server's does: tick the clock, call Maintain().
  auto wait = [&](double seconds) {
    const SteadyClock::time_point end =
        SteadyClock::now() + std::chrono::duration_cast<SteadyClock::duration>(
                                 std::chrono::duration<double>(seconds));
    while (SteadyClock::now() < end) {
      std::this_thread::sleep_until(std::min(end, SteadyClock::now() + std::chrono::seconds(1)));
      clock.Tick();
      store.Maintain();
    }
  };
  wait(o.warmup_s);
  const SteadyClock::time_point t0 = SteadyClock::now();
  phase.store(kMeasure, std::memory_order_relaxed);
  wait(o.duration_s);
  phase.store(kStop, std::memory_order_relaxed);
  result.wall_s = SecondsBetween(t0, SteadyClock::now());
  for (std::thread& t : workers) t.join();
  return result;
}

std::string Validate(const EngineBenchOptions& o) {
  if (o.threads < 1 || o.threads > 1024) return "--threads must be in 1..1024";
  if (o.keys < 1 || o.keys > KeyTable::kMaxKeys) return "--keys must be in 1..100000000";
  if (o.value_min > o.value_max) return "--value-size A-B needs A <= B";
  if (o.value_max > (1u << 30) - 64) return "--value-size must stay below 1 GB";
  if (!(o.get_ratio >= 0 && o.get_ratio <= 1)) return "--get-ratio must be in [0, 1]";
  if (!(o.warmup_s >= 0) || !(o.duration_s > 0)) return "--duration must be > 0, --warmup >= 0";
  if (o.memory_mb < 1 || o.memory_mb > (1u << 20)) return "--memory must be in 1..1048576 MB";
  return {};
}

void PrintThreads(const RunResult& r) {
  for (size_t t = 0; t < r.per_thread.size(); ++t) {
    const ThreadResult& tr = r.per_thread[t];
    std::printf("  thread %-3zu %8.3f M ops/s   CPU %.2f   %8.3f M ops/CPU-s   %6.0f ns/op\n", t,
                tr.ops_per_s() / 1e6, tr.wall_s > 0 ? tr.cpu_s / tr.wall_s : 0,
                tr.ops_per_cpu_s() / 1e6,
                tr.counts.ops() > 0 ? tr.cpu_s * 1e9 / tr.counts.ops() : 0);
  }
}

void PrintText(const EngineBenchOptions& o, const RunResult& r) {
  const Counts t = r.Total();
  std::printf("engine: %d thread%s, %llu keys, value %u", r.threads, r.threads == 1 ? "" : "s",
              static_cast<unsigned long long>(o.keys), o.value_min);
  if (o.value_max != o.value_min) std::printf("-%u", o.value_max);
  std::printf(" B, %.0f%% gets, ", o.get_ratio * 100);
  if (o.zipf) {
    std::printf("zipf %.2f", o.zipf_theta);
  } else {
    std::printf("uniform");
  }
  std::printf(", %.1f s (+%.1f s warm-up), -m %llu, %u item-lock stripes, %u LRU shards, "
              "prefill %.2f s\n",
              r.wall_s, o.warmup_s, static_cast<unsigned long long>(o.memory_mb), r.stripes,
              r.shards, r.prefill_s);
  std::printf("  total      %8.3f M ops/s   gets %.3f M/s  sets %.3f M/s  hit ratio %.4f"
              "  set failures %llu\n",
              r.ops_per_s() / 1e6, t.gets / r.wall_s / 1e6, t.sets / r.wall_s / 1e6,
              r.hit_ratio(), static_cast<unsigned long long>(t.set_failures));
  PrintThreads(r);
}

std::string JsonDoubles(const RunResult& r, double (ThreadResult::*f)() const) {
  std::string s = "[";
  char buf[32];
  for (size_t i = 0; i < r.per_thread.size(); ++i) {
    std::snprintf(buf, sizeof(buf), "%s%.1f", i ? "," : "", (r.per_thread[i].*f)());
    s += buf;
  }
  return s + "]";
}

void PrintJson(const EngineBenchOptions& o, const RunResult& r, const RunResult* one) {
  const Counts t = r.Total();
  std::string cpu = "[";
  for (size_t i = 0; i < r.per_thread.size(); ++i) {
    const ThreadResult& tr = r.per_thread[i];
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%s%.3f", i ? "," : "",
                  tr.wall_s > 0 ? tr.cpu_s / tr.wall_s : 0);
    cpu += buf;
  }
  cpu += "]";
  std::printf(
      "{\"engine\":true,\"threads\":%d,\"keys\":%llu,\"value_min\":%u,\"value_max\":%u,"
      "\"get_ratio\":%g,\"distribution\":\"%s\",\"zipf_theta\":%g,\"memory_mb\":%llu,"
      "\"stripes\":%u,\"shards\":%u,\"duration_s\":%.3f,\"ops\":%llu,\"ops_per_s\":%.1f,\"gets_per_s\":%.1f,"
      "\"sets_per_s\":%.1f,\"hit_ratio\":%.6f,\"set_failures\":%llu,"
      "\"per_thread_ops_per_s\":%s,\"per_thread_cpu\":%s,\"per_thread_ops_per_cpu_s\":%s",
      r.threads, static_cast<unsigned long long>(o.keys), o.value_min, o.value_max, o.get_ratio,
      o.zipf ? "zipf" : "uniform", o.zipf_theta, static_cast<unsigned long long>(o.memory_mb),
      r.stripes, r.shards, r.wall_s, static_cast<unsigned long long>(t.ops()), r.ops_per_s(),
      t.gets / r.wall_s, t.sets / r.wall_s, r.hit_ratio(),
      static_cast<unsigned long long>(t.set_failures),
      JsonDoubles(r, &ThreadResult::ops_per_s).c_str(), cpu.c_str(),
      JsonDoubles(r, &ThreadResult::ops_per_cpu_s).c_str());
  if (one != nullptr) {
    std::printf(",\"one_thread_ops_per_s\":%.1f,\"one_thread_ops_per_cpu_s\":%.1f,"
                "\"scaling\":%.4f,\"cpu_scaling\":%.4f",
                one->ops_per_s(), one->ops_per_cpu_s(), r.ops_per_s() / one->ops_per_s(),
                r.ops_per_cpu_s() / one->ops_per_cpu_s());
  }
  std::printf("}\n");
}

}  // namespace

int RunEngineBench(const EngineBenchOptions& o) {
  if (const std::string error = Validate(o); !error.empty()) {
    std::fprintf(stderr, "slabd-bench --engine: %s\n", error.c_str());
    return EX_USAGE;
  }
  const KeyTable keys(o.keys);
  Workload w(o, keys);
  if (std::string error; !w.Init(&error)) {
    std::fprintf(stderr, "slabd-bench --engine: %s\n", error.c_str());
    return EX_USAGE;
  }
  std::optional<RunResult> one;
  if (o.scaling && o.threads > 1) {
    one = RunOnce(o, 1, keys, w);
    if (!o.json) PrintText(o, *one);
  }
  const RunResult r = RunOnce(o, o.threads, keys, w);
  if (o.json) {
    PrintJson(o, r, one ? &*one : nullptr);
    return 0;
  }
  PrintText(o, r);
  if (one) {
    std::printf("  scaling %d threads / 1 thread: %.2fx ops/s; ops per thread CPU-second "
                "%.2fx (1.00 = no cost from sharing the Store)\n",
                o.threads, r.ops_per_s() / one->ops_per_s(),
                r.ops_per_cpu_s() / one->ops_per_cpu_s());
  }
  return 0;
}

}  // namespace slabd::bench
