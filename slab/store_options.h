// StoreOptions: the storage engine's configuration, filled by src/ from the command line.
// Plain data; the Store copies it and clamps inconsistent combinations (documented per field).
#ifndef SLABD_SLAB_STORE_OPTIONS_H_
#define SLABD_SLAB_STORE_OPTIONS_H_

#include <cstdint>

namespace slabd::slab {

struct StoreOptions {
  uint64_t max_bytes = 64ull << 20;      // -m: item memory budget (pages + large items)
  uint32_t min_chunk = 48;               // -n: key+value space of the smallest class
  double growth_factor = 1.125;          // -f: see slab/README.md for why not 1.25
  uint32_t item_size_max = 1u << 20;     // -I: header+key+value must be <= this (<= 1 GB)
  uint32_t page_size = 1u << 20;         // slab page size
  uint32_t slab_chunk_max = 512u << 10;  // largest slab chunk (clamped to page_size); bigger
                                         // items are large items
  bool evict = true;                     // false with -M: OOM instead of evicting
  bool use_cas = true;                   // false with -C: CAS advances internally, items report 0
  int hashpower = 16;                    // initial 2^n hash buckets
  int lock_power = 12;                   // 2^n item-lock stripes (clamped to <= hashpower)
  // 2^n shards of every class's LRU and freelist, chosen by the key hash's top bits (clamped
  // to 0..6). src/ sets it from the worker count (-t); 0 keeps one exact LRU per class.
  int shard_power = 0;
};

}  // namespace slabd::slab

#endif  // SLABD_SLAB_STORE_OPTIONS_H_
