// HashTable: key -> item handle, open hashing with chains linked through ItemHeader::h_next.
// Buckets are 4-byte ItemHandles; 2^power buckets, keyed by Murmur3 of the key.
//
// Online growth. When the Store decides the table is too loaded it calls StartExpansion(), which
// allocates a table twice the size and publishes a new Generation {cur = new, old = previous}.
// Old buckets are then moved one at a time, in index order, by Migrate() (from Store::Maintain and
// from a sample of the stores that add a key: Store::HelpMigrate). Old bucket b splits into new buckets b and b + old_size; both hash to the
// same item-lock stripe as b (stripes <= the smallest table), so a bucket moves under one stripe
// lock and no thread is ever stopped. A key's authoritative bucket is old[h & old_mask] while that
// index is >= the generation's `migrated` counter, else cur[h & cur_mask].
//
// Why readers never see a half-moved bucket: a bucket only changes state under its stripe lock,
// and readers hold that lock. A reader that loaded a stale generation cannot have missed a
// migration of its own bucket, because that migration released the same lock the reader then
// acquired, and the generation it belongs to was published before the migration started. An old
// bucket array's memory is given back (MADV_DONTNEED) only after every bucket moved, and its
// addresses stay mapped until the table is destroyed; a generation object lives as long as the
// table, because stale readers may still look at its counter.
//
// One reader takes no lock: HeadForPrefetch, which only needs an address to prefetch. It may
// read a bucket while a store relinks it, so every bucket is written with a release store and
// read there with an acquire load (plain moves on x86); and it may read an old array after
// its migration ended, which is why arrays are never unmapped early: it then reads zero (no
// item) from the released pages.
//
// `hash` is always HashKey(key): migration recomputes it from the stored key.
//
// Thread safety: Find/Insert/Remove/Replace REQUIRE the item lock of `hash` (ItemLocks::ForHash).
// StartExpansion/Migrate take expand_mu_ and then stripe locks one at a time, so they must be
// called holding no item lock. Stats accessors are lock-free snapshots.
#ifndef SLABD_SLAB_HASH_TABLE_H_
#define SLABD_SLAB_HASH_TABLE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "slab/item_header.h"
#include "slab/item_locks.h"
#include "slab/slab_allocator.h"

namespace slabd::slab {

class HashTable {
 public:
  static constexpr int kMaxPower = 30;

  // REQUIRES: locks->count() <= 2^initial_power.
  HashTable(int initial_power, const ItemLocks* locks, const SlabAllocator* allocator);
  ~HashTable();
  HashTable(const HashTable&) = delete;
  HashTable& operator=(const HashTable&) = delete;

  // REQUIRE: the item lock of `hash` is held.
  ItemHandle Find(uint32_t hash, std::string_view key) const;
  void Insert(uint32_t hash, ItemHandle h);
  void Remove(uint32_t hash, ItemHandle h);
  void Replace(uint32_t hash, ItemHandle old_h, ItemHandle new_h);
  // The first item of `hash`'s chain (none if empty). REQUIRES: the item lock of `hash`.
  ItemHandle Head(uint32_t hash) const { return BucketFor(hash); }
  // Head() without the item lock, for a prefetch only: the handle was `hash`'s first item at
  // some moment, or none; the item may be gone by the time it is used. Any handle a bucket
  // held resolves to an address inside the allocator's memory (a slab chunk, or a large
  // item that may have been freed): fit for __builtin_prefetch, never for a dereference.
  ItemHandle HeadForPrefetch(uint32_t hash) const;
  // Asks the CPU to fetch `hash`'s bucket into the cache. Takes no lock and reads nothing
  // but the generation pointer: a prefetch never faults, even on an old array whose pages
  // were given back meanwhile.
  void PrefetchBucket(uint32_t hash) const { __builtin_prefetch(&BucketFor(hash)); }

  // Starts doubling the table. False if already expanding, at kMaxPower, or out of memory.
  bool StartExpansion();
  // Moves up to `max_buckets` old buckets; when `wait` is false and another thread is migrating,
  // returns 0 at once, after a relaxed load only: a helper never writes the migration lock's line
  // while the lock is held. Returns how many buckets moved. Finishes the expansion after the last
  // one.
  uint64_t Migrate(uint64_t max_buckets, bool wait);

  bool IsExpanding() const { return gen_.load(std::memory_order_acquire)->old != nullptr; }
  int power() const { return gen_.load(std::memory_order_acquire)->cur_power; }
  uint64_t bucket_count() const { return uint64_t{1} << power(); }
  uint64_t bytes() const { return bucket_count() * sizeof(ItemHandle); }

 private:
  // Immutable once published, except `migrated`.
  struct Generation {
    ItemHandle* cur = nullptr;
    uint32_t cur_mask = 0;
    int cur_power = 0;
    ItemHandle* old = nullptr;  // null when not expanding
    uint32_t old_mask = 0;
    std::atomic<uint64_t> migrated{0};  // old buckets [0, migrated) have moved
  };

  ItemHandle& BucketFor(uint32_t hash) const;
  // A zeroed array of 2^power buckets (an anonymous mapping, kept in mappings_), or nullptr.
  ItemHandle* MapBuckets(int power);
  void MoveBucket(Generation& g, uint32_t b);
  Generation* Publish(ItemHandle* cur, int cur_power, ItemHandle* old, int old_power);

  const ItemLocks* locks_;
  const SlabAllocator* allocator_;
  std::atomic<Generation*> gen_;

  std::mutex expand_mu_;  // serializes StartExpansion/Migrate
  // True while a Migrate holds expand_mu_ (a hint: read relaxed before try_lock).
  std::atomic<bool> migrating_{false};
  std::vector<std::unique_ptr<Generation>> generations_;  // GUARDED_BY(expand_mu_)
  struct Mapping {
    void* base;
    size_t bytes;
  };
  std::vector<Mapping> mappings_;  // every bucket array ever mapped; GUARDED_BY(expand_mu_)
  ItemHandle* cur_buckets_ = nullptr;  // GUARDED_BY(expand_mu_)
  ItemHandle* old_buckets_ = nullptr;  // GUARDED_BY(expand_mu_)
};

}  // namespace slabd::slab

#endif  // SLABD_SLAB_HASH_TABLE_H_
