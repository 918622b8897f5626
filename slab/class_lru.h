// ClassLru: what the Store keeps per class shard (each slab class and the large-item class,
// split 2^shard_power ways by key hash) under one LRU lock: the recency list of the shard's
// keys and their memory-side counters (`stats items` sums a class's shards).
//
// Thread safety: `list` and `counters` are GUARDED_BY(mu). Lock order: an item lock may be held
// when taking mu; mu may be held when taking the allocator lock; never the reverse (the evictor,
// holding mu, only try_locks item locks).
#ifndef SLABD_SLAB_CLASS_LRU_H_
#define SLABD_SLAB_CLASS_LRU_H_

#include <cstdint>
#include <mutex>

#include "slab/clock.h"
#include "slab/lru_list.h"
#include "slab/spin_lock.h"

namespace slabd::slab {

struct ClassCounters {
  uint64_t number = 0;         // linked items
  uint64_t mem_requested = 0;  // sum of their total_size
  // Cleared by `stats reset`:
  uint64_t total_items = 0;    // items ever linked
  uint64_t evicted = 0;
  uint64_t evicted_nonzero = 0;  // evicted items that had an exptime
  RelTime evicted_time = 0;      // idle seconds of the last evicted item ...
  RelTime evicted_at = 0;        // ... evicted at this time (picks the class's latest shard)
  uint64_t outofmemory = 0;
  uint64_t reclaimed = 0;
  uint64_t expired_unfetched = 0;
  uint64_t evicted_unfetched = 0;
  uint64_t evicted_active = 0;

  void ResetResettable() {
    const uint64_t keep_number = number;
    const uint64_t keep_mem = mem_requested;
    *this = ClassCounters{};
    number = keep_number;
    mem_requested = keep_mem;
  }
};

struct alignas(64) ClassLru {  // shards of one class on separate cache lines
  SpinLock mu;              // slab/spin_lock.h: why not std::mutex
  LruList list{nullptr};    // GUARDED_BY(mu)
  ClassCounters counters;   // GUARDED_BY(mu)
};

}  // namespace slabd::slab

#endif  // SLABD_SLAB_CLASS_LRU_H_
