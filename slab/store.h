// Store: the storage engine facade. Two-phase stores (Reserve, fill, Link), lookups, touch,
// delete, incr/decr, flush_all, stats, and the bounded background step Maintain().
//
// Composition: SizeClassTable (chunk sizes) -> SlabAllocator (pages, large items, budget,
// handles) -> LruList per class (recency, eviction order) and HashTable (key -> handle, online
// growth), with ItemLocks striping every item operation. The Store owns the policy that joins
// them: lazy expiry and flush checks, CAS assignment, LRU-tail eviction with second chance, and
// the memcached store semantics. See slab/README.md for the item lifecycle and lock order.
//
// Item lifecycle: Reserve -> (unlinked, refcount 1 held by the Reservation) -> Link (linked,
// the table's reference) -> Get hands out ItemRefs (+1 each) -> unlink by delete / overwrite /
// expiry / flush / eviction (table reference dropped) -> freed when the count reaches 0.
//
// CAS: each item-lock stripe hands out values from its own block of kCasBlock values, reserved
// from one global counter, so a store does no global RMW (NextCas). CAS values are unique over
// all keys and strictly increasing per key, the first is 2, but they are not consecutive across
// keys. An immediate flush_all retires every stripe's block through a flush epoch.
//
// Time: every call reads clock->Now() once. Expired (exptime != 0 && exptime <= Now()) and
// flushed items are unlinked when an operation finds them and reported as misses.
//
// Thread safety: every public method may be called from any thread concurrently. Lock order is
// item lock -> LRU lock -> allocator lock; nothing here creates a thread or blocks on I/O, and
// nothing throws on the request path.
#ifndef SLABD_SLAB_STORE_H_
#define SLABD_SLAB_STORE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "slab/class_lru.h"
#include "slab/clock.h"
#include "slab/hash_table.h"
#include "slab/item_header.h"
#include "slab/item_locks.h"
#include "slab/murmur3.h"
#include "slab/item_ref.h"
#include "slab/reservation.h"
#include "slab/size_class_table.h"
#include "slab/slab_allocator.h"
#include "slab/store_options.h"
#include "slab/store_results.h"
#include "slab/store_stats.h"

namespace slabd::slab {

class Store {
 public:
  // DumpClass's visitor: one linked item's key, value length and exptime (RelTime, 0 = never).
  // `key` is valid only during the call. Return false to stop the walk.
  using DumpVisitor =
      std::function<bool(std::string_view key, uint32_t value_len, RelTime exptime)>;

  // Buckets Maintain() migrates per call while the hash table grows (~0.1-0.5 ms of work).
  static constexpr uint64_t kMigrateBucketsPerStep = 4096;
  // While the table grows, one store of a new key in kMigrateHelpEvery (those whose hash has
  // the low bits 0) also migrates kMigrateBucketsPerHelp buckets, without waiting: four buckets
  // per new key on average, so the N old buckets of a doubling have moved after about N / 4 new
  // keys even if the maintenance thread never runs, while the migration lock is touched by 1 in
  // 64 new keys and never by an overwrite or an incr (P6; before, every store tried it).
  static constexpr uint32_t kMigrateHelpEvery = 64;
  static constexpr uint64_t kMigrateBucketsPerHelp = 4 * kMigrateHelpEvery;
  // CAS values a stripe reserves from the global counter at a time (NextCas). 64 makes the
  // global RMW 1/64 of the stores that take a CAS (an RMW on a line that bounces between
  // cores costs on the order of 100 ns: ~2 ns per store, against ~500 ns for a set in
  // `slabd-bench --engine`) while the values stay close to the number of stores: at most
  // 64 x stripes (64 K at lock_power 10) are reserved and unused at any time, and an
  // immediate flush_all abandons at most that many. A larger block buys nothing measurable;
  // a smaller one brings the contended RMW back.
  static constexpr uint64_t kCasBlock = 64;

  // `clock` must outlive the Store; every ItemRef and Reservation must be destroyed before it.
  Store(const StoreOptions& options, const Clock* clock);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Allocates an unlinked item for `key` with room for `value_len` value bytes, evicting if
  // needed. kTooLarge when 40 + key + value > item_size_max (or the key is longer than 250
  // bytes); kNoMemory when no memory could be found (always with evict off and memory full).
  ReserveResult Reserve(std::string_view key, uint32_t flags, RelTime exptime,
                        uint32_t value_len);

  // Links a filled reservation according to `mode` (memcached do_store_item):
  //   kSet always stores; kAdd only if missing (else kNotStored, and the existing item is
  //   bumped); kReplace only if present; kAppend/kPrepend only if present, into a newly
  //   allocated combined item that keeps the OLD item's flags and exptime (kNotStored on miss,
  //   OOM, or a combined size over item_size_max; kExists when `cas` is nonzero and differs);
  //   kCas only if present (else kNotFound) and its CAS equals `cas` (else kExists; 0 never
  //   matches). Every success takes a new CAS. With use_cas off every item's CAS reads as 0,
  //   so a nonzero `cas` never matches (memcached -C).
  //   The reservation is consumed either way.
  LinkResult Link(Reservation&& reservation, StoreMode mode, uint64_t cas = 0) {
    return Link(std::move(reservation), mode, cas, LinkOptions{});
  }
  // The meta protocol's store: LinkOptions as documented there. With allow_stale and kCas,
  // a `cas` lower than the item's stores too, but the new item is marked stale and keeps
  // the old exptime and win-token state (memcached's CAS_STALE).
  LinkResult Link(Reservation&& reservation, StoreMode mode, uint64_t cas,
                  const LinkOptions& options);

  // mg: lookup with the meta semantics (memcached process_mget_command), all under the item
  // lock: vivify a miss (N), touch (T), the recache/win/stale token logic (R, W, Z, X), and
  // access marking unless no_update. The snapshot's last_access and fetched_before are from
  // before this access (the `l` and `h` flags).
  MetaGetResult MetaGet(std::string_view key, const MetaGetOptions& options) {
    return MetaGet(key, HashKey(key), options);
  }
  // The same for a key whose HashKey() is `hash` (computed ahead: HashHints).
  MetaGetResult MetaGet(std::string_view key, uint32_t hash, const MetaGetOptions& options) {
    return MetaGet(key, hash, options, 0, nullptr, nullptr);
  }
  // MetaGet that copies instead of referencing (P4, as GetCopy): on a hit that no over-long
  // opaque aborted and whose value is at most `copy_limit` bytes, calls copy(arg, result,
  // snapshot, value) under the item lock once every flag has taken effect (so `result` holds
  // created/won/token_sent/stale), takes no reference and sets result.copied. `copy` must
  // only copy. An aborted hit comes back without a reference; a larger value comes back
  // referenced in result.item, exactly as from MetaGet.
  using MetaCopyFn = void (*)(void* arg, const MetaGetResult& result, const ItemSnapshot& snap,
                              std::string_view value);
  MetaGetResult MetaGet(std::string_view key, uint32_t hash, const MetaGetOptions& options,
                        uint32_t copy_limit, MetaCopyFn copy, void* arg);
  // md I: instead of deleting, mark the item stale, take back its win token, give it a new
  // CAS and, if `set_exptime`, a new exptime. CAS checked as Delete's.
  DeleteResult MarkStale(std::string_view key, uint64_t cas, bool check_cas, bool set_exptime,
                         RelTime exptime);

  // get/gets: marks the item fetched and active and records the access time.
  LookupResult Get(std::string_view key) { return Lookup(key, HashKey(key), Access::kFetch, 0); }
  // gat/gats: Get plus a new exptime; the CAS is unchanged.
  LookupResult GetAndTouch(std::string_view key, RelTime exptime) {
    return Lookup(key, HashKey(key), Access::kFetchAndTouch, exptime);
  }

  // Multigets. A lookup costs two cache misses (the bucket, then the item), ~100 ns each,
  // more than the rest of the lookup; taken one key after another they never overlap.
  // Prefetch() hashes a batch of keys into `hashes` and asks the CPU for every bucket, then
  // (under each key's item lock) for the first item of every chain, then, where that head
  // is another key, for the second, so the misses of the batch overlap; Get/GetAndTouch
  // with the hash then find them in the cache. It changes no state and no result: only
  // timing. REQUIRES: hashes has room for keys.size().
  static constexpr size_t kPrefetchBatch = 16;
  void Prefetch(std::span<const std::string_view> keys, uint32_t* hashes) const;
  // Prefetch's three steps for one key, for callers that pipeline a long run of keys (spread
  // out, the misses never queue up behind each other): the bucket; some keys later the
  // chain's first item (takes the item lock to read the bucket); some keys later again, the
  // second item if the first holds another key.
  void PrefetchBucket(uint32_t hash) const;
  void PrefetchHead(uint32_t hash) const;
  void PrefetchSecond(uint32_t hash, std::string_view key) const;
  // Get/GetAndTouch for a key whose HashKey() is `hash` (from Prefetch).
  LookupResult Get(std::string_view key, uint32_t hash) {
    return Lookup(key, hash, Access::kFetch, 0);
  }
  LookupResult GetAndTouch(std::string_view key, uint32_t hash, RelTime exptime) {
    return Lookup(key, hash, Access::kFetchAndTouch, exptime);
  }
  // A Get/GetAndTouch (`touch`) that copies instead of referencing (slab/README.md, P4). On
  // a hit whose value is at most `copy_limit` bytes, calls copy(arg, snapshot, value) under
  // the item lock and hands back no reference: the caller's copy is the reply, so the item's
  // refcount is never touched (two atomic read-modify-writes fewer per hit, and no release).
  // `copy` must only copy: it runs under the item lock. A larger value comes back referenced
  // in `ref`, exactly as from Get/GetAndTouch. Same state changes and results as those.
  using CopyFn = void (*)(void* arg, const ItemSnapshot& snap, std::string_view value);
  struct CopyLookupResult {
    LookupResult ref{ItemRef(), MissReason::kNone};  // a miss (reason), or a hit too large
                                                     // to copy (item)
    bool copied = false;  // a hit handed to `copy`
    ClassId class_id;     // of a hit, either way
  };
  CopyLookupResult GetCopy(std::string_view key, uint32_t hash, bool touch, RelTime exptime,
                           uint32_t copy_limit, CopyFn copy, void* arg);
  // Like Get without access marking (still reports and reaps expired/flushed items).
  LookupResult Peek(std::string_view key) { return Lookup(key, HashKey(key), Access::kPeek, 0); }
  // touch: new exptime, access marking; CAS unchanged.
  TouchResult Touch(std::string_view key, RelTime exptime);
  // delete; a nonzero `cas` must match the item's CAS (else kExists).
  // With check_cas the CAS is compared even when it is 0 (meta `C0`).
  DeleteResult Delete(std::string_view key, uint64_t cas = 0, bool check_cas = false);
  // Drops the key silently (a failed `set` unlinks the old value). True if something was linked.
  bool Unlink(std::string_view key);
  // incr/decr (memcached do_add_delta): see numeric_value.h for what parses; incr wraps at 2^64,
  // decr floors at 0. A result not longer than the stored value is written in place, right-
  // padded with spaces, when no reader holds the item; otherwise a new item with the old flags
  // and exptime is linked (kNoMemory if none can be had). Large items are non-numeric. A nonzero
  // `cas` must equal the item's CAS (else kExists; the binary protocol's incr/decr).
  // `new_exptime`, if given, becomes the item's exptime on success (meta `ma T`).
  ArithResult Arith(std::string_view key, bool incr, uint64_t delta, uint64_t cas = 0,
                    bool check_cas = false, const RelTime* new_exptime = nullptr);

  // flush_all. deadline 0 (or <= Now()): every item linked before the call becomes invalid at
  // once, including items stored in the current second, and every item linked after it
  // returns stays valid (a store running concurrently with the call may fall either way).
  // Otherwise memcached's oldest_live semantics: oldest_live = deadline - 1, and once
  // Now() >= oldest_live every item whose last link/access time is <= oldest_live is invalid,
  // including items stored after the call.
  // Memory is reclaimed lazily.
  void FlushAll(RelTime deadline);

  // Bounded background step (src/ calls it from its maintenance thread, every 1 ms while
  // IsExpanding(), else every 100 ms): starts a hash-table doubling when curr_items > 1.5 x
  // buckets and migrates up to kMigrateBucketsPerStep buckets. Never blocks other threads for
  // more than one bucket move. curr_items is counted there, from the shards' `number` (P5), so
  // that a store of a new key does no global RMW.
  void Maintain();
  bool IsExpanding() const { return table_.IsExpanding(); }

  StoreStats Stats() const;
  // One entry per class that has pages or items, in class-id order (large class last).
  std::vector<ClassStats> ClassStatsSnapshot() const;
  // `stats cachedump <cls> <limit>`: calls `visit` for the items linked in class `cls` (a slab
  // class or large_class_id(); any other id visits nothing), newest first, for at most `limit`
  // items (0 = all) or until `visit` returns false. Lists what is linked, expired or flushed
  // items included (memcached 1.6.18 does not check either; it walks only its COLD segment,
  // slabd's flat LRU is all of it). The caller formats `ITEM <key> [<value_len> b; <exptime as
  // unix time, or 0> s]` and stops at its reply cap (memcached: 2 MB).
  // The walk holds the class's LRU lock, so items cannot be unlinked or freed under it, and
  // stores, deletes and evictions in that class wait until it returns: `visit` must be quick
  // (copy the key out) and must NOT call into the Store (it would deadlock or break the lock
  // order). A visitor capturing up to two pointers is stored without allocation (libstdc++).
  void DumpClass(ClassId cls, uint32_t limit, const DumpVisitor& visit) const;

  // `cache_memlimit`: the new item memory budget, effective for the next allocation
  // (memcached do_slabs_adjust_mem_limit). Raising it lets classes take new pages. Lowering it
  // frees nothing (pages holding items never move; slabd has no global page pool to trim) but
  // stops new pages beyond each class's first and makes large items evict to fit. The caller
  // validates the value (memcached refuses < 8 MB at the protocol level).
  void SetMaxBytes(uint64_t max_bytes) { allocator_.SetMaxBytes(max_bytes); }
  // The current budget: options().max_bytes until SetMaxBytes changes it.
  uint64_t max_bytes() const { return allocator_.max_bytes(); }

  // `stats reset`: clears total_items, evictions, reclaimed, *_unfetched, evicted_*,
  // outofmemory; keeps curr_items, bytes, memory counters.
  void ResetStats();

  // chunk_sizes()[i] is the chunk size of class i + 1.
  std::span<const uint32_t> chunk_sizes() const { return classes_.sizes(); }
  int num_slab_classes() const { return classes_.num_slab_classes(); }
  ClassId large_class_id() const { return classes_.large_class(); }
  uint32_t item_size_max() const { return options_.item_size_max; }
  RelTime oldest_live() const { return oldest_live_.load(std::memory_order_relaxed); }
  // The options as constructed (sanitized). max_bytes here is the initial budget; see max_bytes().
  const StoreOptions& options() const { return options_; }
  // The class an item of this key and value length would use (large_class_id() if large).
  ClassId ClassFor(size_t key_len, uint64_t value_len) const {
    return classes_.ClassFor(ItemHeader::TotalSize(key_len, value_len));
  }

 private:
  enum class Validity { kValid, kExpired, kFlushed };
  struct Alloc {
    AllocStatus status;
    ItemHandle handle;
  };
  enum class Access { kPeek, kFetch, kFetchAndTouch };

  // --- store.cc: operations. Functions named *Locked REQUIRE the item lock of `hash`.
  LookupResult Lookup(std::string_view key, uint32_t hash, Access access, RelTime exptime);
  ItemHandle FindLiveLocked(uint32_t hash, std::string_view key, RelTime now, MissReason* why);
  StoreStatus LinkLocked(uint32_t hash, Reservation& r, StoreMode mode, uint64_t cas,
                         const LinkOptions& options, RelTime now, uint64_t* new_cas,
                         bool* added);
  ItemHandle CombineLocked(uint32_t hash, ItemHandle old_h, const ItemHeader& addition,
                           bool append);
  ArithResult ArithLocked(uint32_t hash, ItemHandle h, bool incr, uint64_t delta, uint64_t cas,
                          bool check_cas, const RelTime* new_exptime, RelTime now);
  void InsertLocked(uint32_t hash, ItemHandle h, RelTime now);
  void ReplaceLocked(uint32_t hash, ItemHandle old_h, ItemHandle new_h, RelTime now);
  void UnlinkLocked(uint32_t hash, ItemHandle h);
  // After a store that added the key `hash` (no item lock held): see kMigrateHelpEvery.
  void HelpMigrate(uint32_t hash);
  // MetaGet's work, under the item lock of `hash` (taken and released here).
  MetaGetResult MetaGetInStripe(std::string_view key, uint32_t hash, const MetaGetOptions& options,
                                uint32_t copy_limit, MetaCopyFn copy, void* arg);

  // --- store_memory.cc: allocation, eviction, validity, bookkeeping shared with eviction.
  Validity Check(const ItemHeader& it, RelTime now) const;
  // An item of `total` bytes (header reset) for a key of `hash`, from the key's shard first,
  // evicting from its class's LRU tails as needed. `held_stripe` is the item lock the caller
  // holds (kNoStripe if none); it is never try-locked.
  Alloc AllocItem(uint64_t total, uint32_t hash, int64_t held_stripe);
  // Frees one item at the tail of one of `cls`'s shards, `shard`'s first (reclaim an
  // expired/flushed one, else evict when allowed). False if nothing could be freed within the
  // search bounds of every shard. With `reuse` (slab classes only) the freed chunk is not
  // freed but stored there, reset, for the caller's allocation.
  bool PullTail(ClassId cls, uint32_t shard, int64_t held_stripe, ItemHandle* reuse);
  bool PullShardTail(ClassId cls, uint32_t shard, int64_t held_stripe, ItemHandle* reuse);
  // REQUIRES: the item lock of `hash` and cs.mu held. Unlinks from table + LRU; the caller
  // drops the table's reference.
  void UnlinkWithLruHeldLocked(ClassLru& cs, uint32_t hash, ItemHandle h, ItemHeader* it);
  // The LRU and freelist shard of a key (the allocator's function, so both agree).
  uint32_t ShardOf(uint32_t hash) const { return allocator_.ShardOfHash(hash); }
  uint32_t shards() const { return allocator_.shards(); }
  // ClassLrus in lrus_: every class (slab classes and the large class, id 0 unused) x shards.
  size_t LruCount() const {
    return (classes_.large_class().v + size_t{1}) << options_.shard_power;
  }
  ClassLru& LruOf(ClassId cls, uint32_t shard) const;
  // A class's counters summed over its shards (evicted_time from the latest eviction), and the
  // last access of its least recently used item.
  struct ClassTotalsResult {
    ClassCounters counters;
    bool has_items = false;
    RelTime oldest_access = 0;
  };
  ClassTotalsResult ClassTotals(ClassId cls) const;
  // Linked items: every shard's `number`, each read under its LRU lock.
  uint64_t LinkedItems() const;
  // Takes the key's shard's LRU lock.
  void AddToLru(uint32_t hash, ItemHandle h, const ItemHeader& it);
  void RemoveFromLru(uint32_t hash, ItemHandle h, const ItemHeader& it);
  // A new CAS for an item of `stripe`'s keys, from the stripe's CasBlock; takes a fresh block
  // of kCasBlock values from cas_counter_ (one global RMW) when the block is used up or was
  // taken before the latest immediate flush_all. REQUIRES: locks_.Stripe(stripe) held.
  // Guarantees: unique over all keys (blocks are disjoint, and a block is used under one lock);
  // strictly increasing for one key (a key's stripe never changes and every block lies above
  // all earlier ones); the first value ever is 2; advances with use_cas off too (flush uses it).
  // Not dense: consecutive stores to different keys get values from different blocks.
  uint64_t NextCas(uint32_t stripe) {
    CasBlock& b = locks_.CasBlockOf(stripe);
    // Acquire pairs with FlushAll's release: seeing its epoch means its oldest_cas_ read of
    // cas_counter_ happened before our fetch_add, so the new block lies above the watermark.
    const uint64_t epoch = cas_epoch_.load(std::memory_order_acquire);
    if (b.next == b.end || b.epoch != epoch) {
      b.next = cas_counter_.fetch_add(kCasBlock, std::memory_order_relaxed) + 1;
      b.end = b.next + kCasBlock;
      b.epoch = epoch;  // the epoch read BEFORE the reservation (see FlushAll)
    }
    return b.next++;
  }
  uint64_t ReportedCas(uint64_t cas) const { return options_.use_cas ? cas : 0; }
  // The request's CAS rules out `it`: compared when nonzero, or always with check_cas
  // (meta C0); with use_cas off every item's CAS reads as 0.
  bool CasMismatch(const ItemHeader& it, uint64_t cas, bool check_cas = false) const {
    return (check_cas || cas != 0) && ReportedCas(it.cas) != cas;
  }
  ItemSnapshot Snapshot(ItemHandle h, const ItemHeader& it) const;

  const StoreOptions options_;
  const Clock* const clock_;
  const SizeClassTable classes_;
  SlabAllocator allocator_;
  ItemLocks locks_;
  HashTable table_;
  std::unique_ptr<ClassLru[]> lrus_;  // indexed by ClassId::v << shard_power | shard

  // Written once per CAS block (1/kCasBlock of the stores), on its own line.
  alignas(64) std::atomic<uint64_t> cas_counter_{1};  // last reserved value; first CAS is 2
  // Read on every operation, written only by flush_all: a read-mostly line of its own.
  alignas(64) std::atomic<RelTime> oldest_live_{0};  // flush_all: items with time <= this ...
  std::atomic<uint64_t> oldest_cas_{0};  // ... and, after an immediate flush, CAS <= this
  std::atomic<uint64_t> cas_epoch_{0};   // immediate flushes so far; retires older CasBlocks
};

}  // namespace slabd::slab

#endif  // SLABD_SLAB_STORE_H_
