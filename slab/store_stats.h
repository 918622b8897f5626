// Stats snapshots of the storage engine, named after memcached's `stats`, `stats slabs` and
// `stats items` keys (reference 5.1, 5.3, 5.4). Per-class op counters (get_hits, cmd_set,
// delete_hits, ...) are not here: src/ counts those per thread by the ClassId in each result.
#ifndef SLABD_SLAB_STORE_STATS_H_
#define SLABD_SLAB_STORE_STATS_H_

#include <cstdint>

#include "slab/clock.h"
#include "slab/size_class_table.h"

namespace slabd::slab {

struct StoreStats {
  uint64_t curr_items = 0;         // linked items, expired-but-unreaped included
  uint64_t bytes = 0;              // sum of total_size of linked items
  uint64_t total_items = 0;        // items ever linked (resettable)
  uint64_t evictions = 0;          // valid items evicted (resettable)
  uint64_t reclaimed = 0;          // expired/flushed items reclaimed at LRU tails (resettable)
  uint64_t expired_unfetched = 0;  // reclaimed items never fetched (resettable)
  uint64_t evicted_unfetched = 0;  // evicted items never fetched (resettable)
  uint64_t evicted_active = 0;     // evicted items still marked active (resettable)
  uint64_t total_malloced = 0;     // bytes of pages + large items allocated
  uint64_t malloc_fails = 0;
  uint32_t hash_power_level = 0;
  uint64_t hash_bytes = 0;
  bool hash_is_expanding = false;
  uint64_t slab_global_page_pool = 0;  // always 0: no rebalancer, pages never return to a pool
  uint64_t limit_maxbytes = 0;
  RelTime oldest_live = 0;             // `stats settings` oldest
};

struct ClassStats {
  ClassId id;
  bool is_large = false;      // the large-item class (see below for its chunk fields)
  uint32_t chunk_size = 0;    // large class: 0
  uint32_t chunks_per_page = 0;  // large class: 1 (each item is its own "page")
  uint64_t total_pages = 0;   // large class: live large items
  uint64_t total_chunks = 0;
  uint64_t used_chunks = 0;
  uint64_t free_chunks = 0;
  uint64_t memory_bytes = 0;  // pages x page_size, or the large items' charged bytes
  // `stats items`
  uint64_t number = 0;
  RelTime age = 0;            // seconds since the LRU tail item's last access
  uint64_t mem_requested = 0;
  uint64_t evicted = 0;
  uint64_t evicted_nonzero = 0;
  RelTime evicted_time = 0;   // idle seconds of the last evicted item
  uint64_t outofmemory = 0;
  uint64_t reclaimed = 0;
  uint64_t expired_unfetched = 0;
  uint64_t evicted_unfetched = 0;
  uint64_t evicted_active = 0;
  uint64_t total_items = 0;
};

}  // namespace slabd::slab

#endif  // SLABD_SLAB_STORE_STATS_H_
