// PrefixStats: memcached's per-key-prefix counters (`stats detail on|off|dump`).
//
// When enabled, every get, set and delete records the bytes of its key before the
// first delimiter (':' by default); keys without the delimiter are not counted.
// `stats detail dump` prints one `PREFIX <p> get <n> hit <n> set <n> del <n>` line
// per prefix in first-seen order. Off by default: the request path then pays one
// relaxed atomic load.
//
// Thread safety: all methods may be called from any thread (one mutex, taken only
// while enabled).
#ifndef SLABD_SRC_PREFIX_STATS_H_
#define SLABD_SRC_PREFIX_STATS_H_

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace slabd::server {

class PrefixStats {
 public:
  // memcached caps the number of prefixes it tracks.
  static constexpr size_t kMaxPrefixes = 65536;

  bool enabled() const { return enabled_.load(std::memory_order_relaxed); }
  void SetEnabled(bool on) { enabled_.store(on, std::memory_order_relaxed); }

  void RecordGet(std::string_view key, bool hit);
  void RecordSet(std::string_view key);
  void RecordDelete(std::string_view key);
  // Appends the dump lines and END.
  void Dump(std::string& out) const;
  void Clear();

 private:
  struct Counts {
    uint64_t gets = 0, hits = 0, sets = 0, deletes = 0;
  };
  Counts* Find(std::string_view key);  // REQUIRES: mu_ held

  std::atomic<bool> enabled_{false};
  mutable std::mutex mu_;
  std::unordered_map<std::string, size_t> index_;  // GUARDED_BY(mu_)
  std::vector<std::pair<std::string, Counts>> prefixes_;  // GUARDED_BY(mu_)
  char delimiter_ = ':';
};

}  // namespace slabd::server

#endif  // SLABD_SRC_PREFIX_STATS_H_
