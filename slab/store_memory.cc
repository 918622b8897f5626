// Store internals shared by every operation: the validity check (expiry and flush), linking
// bookkeeping (hash table + LRU + counters), allocation with eviction, and the LRU-tail walk.
//
// Shards: with shard_power n > 0 each class has 2^n LRUs, one per shard of the key hash's top n
// bits (src/ sets n from -t, so that sets of one value size on different cores take different
// locks). Each shard is an exact LRU over its keys; the class as a whole is LRU in distribution,
// not item by item: the evictor walks the allocating key's shard first and the other shards only
// when that one frees nothing, so of two items in different shards the older one may outlive the
// newer. With n = 0 (one worker thread) there is one exact LRU per class, as before.
//
// Eviction policy (flat LRU with second chance): when a class has no free chunk and may not take
// a page, PullTail walks up to kTailSearchDepth items from a shard's LRU tail. Items held by a reader
// (refcount > 1) or whose item lock is busy are skipped; an expired or flushed item is reclaimed
// (`reclaimed`); an ACTIVE item (read since the evictor last saw it) has its bit cleared and goes
// back to the head, at most kMaxSecondChances times per walk so a class whose items are all hot
// still evicts; otherwise the item is evicted (never with evict off). AllocItem retries up to
// kAllocAttempts walks (more for large items, where one eviction may not free enough budget).
// A slab class's freed victim is handed straight to the allocation that walked the tail (it is
// of the class that allocation needs), so it skips the freelist and no other thread can take it
// in between.
//
// Large items are never starved: once the large LRU has been emptied (or was empty because slab
// pages hold the whole budget), SlabAllocator::AllocLarge lets one large item exist over the
// budget, the large class's "first page". This holds with evict off too, as memcached gives
// every class its first page with -M.
#include <cassert>
#include <mutex>

#include "slab/murmur3.h"
#include "slab/store.h"

namespace slabd::slab {
namespace {

constexpr int kTailSearchDepth = 20;
constexpr int kMaxSecondChances = 10;
constexpr uint64_t kAllocAttempts = 10;

enum class TailVerdict { kSkip, kFreed };

// REQUIRES: the class's LRU lock and the item's lock held. Decides the fate of one tail item.
TailVerdict JudgeTailItem(const StoreOptions& options, ClassCounters& c, LruList& list,
                          ItemHandle h, ItemHeader* it, bool invalid, RelTime now,
                          int* second_chances) {
  if (it->refcount.load(std::memory_order_acquire) != 1) return TailVerdict::kSkip;  // in use
  const bool fetched = (it->bits & kItemFetched) != 0;
  if (invalid) {
    ++c.reclaimed;
    if (!fetched) ++c.expired_unfetched;
    return TailVerdict::kFreed;
  }
  if (!options.evict) return TailVerdict::kSkip;
  const bool active = (it->bits & kItemActive) != 0;
  if (active && *second_chances < kMaxSecondChances) {
    it->bits &= ~kItemActive;
    list.MoveToHead(h);
    ++*second_chances;
    return TailVerdict::kSkip;
  }
  ++c.evicted;
  if (it->exptime.load(std::memory_order_relaxed) != 0) ++c.evicted_nonzero;
  if (!fetched) ++c.evicted_unfetched;
  if (active) ++c.evicted_active;
  const RelTime seen = it->last_access.load(std::memory_order_relaxed);
  c.evicted_time = now > seen ? now - seen : 0;
  c.evicted_at = now;
  return TailVerdict::kFreed;
}

}  // namespace

Store::Validity Store::Check(const ItemHeader& it, RelTime now) const {
  const uint64_t flushed_cas = oldest_cas_.load(std::memory_order_relaxed);
  if (flushed_cas != 0 && it.cas <= flushed_cas) return Validity::kFlushed;
  const RelTime oldest = oldest_live_.load(std::memory_order_relaxed);
  if (oldest != 0 && oldest <= now && it.last_access.load(std::memory_order_relaxed) <= oldest) {
    return Validity::kFlushed;
  }
  return IsExpiredAt(it.exptime.load(std::memory_order_relaxed), now) ? Validity::kExpired
                                                                   : Validity::kValid;
}

ClassLru& Store::LruOf(ClassId cls, uint32_t shard) const {
  return lrus_[(static_cast<size_t>(cls.v) << options_.shard_power) + shard];
}

ItemSnapshot Store::Snapshot(ItemHandle h, const ItemHeader& it) const {
  ItemSnapshot s;
  s.flags = it.client_flags;
  s.cas = ReportedCas(it.cas);
  s.exptime = it.exptime.load(std::memory_order_relaxed);
  s.last_access = it.last_access.load(std::memory_order_relaxed);
  s.fetched_before = (it.bits & kItemFetched) != 0;
  s.key_binary = (it.bits & kItemKeyBinary) != 0;
  s.class_id = allocator_.ClassOf(h);
  s.total_size = static_cast<uint32_t>(it.total_size());
  return s;
}

void Store::AddToLru(uint32_t hash, ItemHandle h, const ItemHeader& it) {
  ClassLru& cs = LruOf(allocator_.ClassOf(h), ShardOf(hash));
  std::lock_guard lock(cs.mu);
  cs.list.PushHead(h);
  ++cs.counters.number;
  cs.counters.mem_requested += it.total_size();
  ++cs.counters.total_items;
}

void Store::RemoveFromLru(uint32_t hash, ItemHandle h, const ItemHeader& it) {
  ClassLru& cs = LruOf(allocator_.ClassOf(h), ShardOf(hash));
  std::lock_guard lock(cs.mu);
  cs.list.Remove(h);
  --cs.counters.number;
  cs.counters.mem_requested -= it.total_size();
}

void Store::InsertLocked(uint32_t hash, ItemHandle h, RelTime now) {
  ItemHeader* it = allocator_.Resolve(h);
  it->last_access.store(now, std::memory_order_relaxed);
  it->bits = (it->bits & kItemMetaBits) | kItemLinked;
  table_.Insert(hash, h);
  AddToLru(hash, h, *it);
}

void Store::ReplaceLocked(uint32_t hash, ItemHandle old_h, ItemHandle new_h, RelTime now) {
  ItemHeader* old = allocator_.Resolve(old_h);
  ItemHeader* it = allocator_.Resolve(new_h);
  it->last_access.store(now, std::memory_order_relaxed);
  it->bits = (it->bits & kItemMetaBits) | kItemLinked;
  table_.Replace(hash, old_h, new_h);
  const ClassId cls = allocator_.ClassOf(new_h);
  const uint32_t shard = ShardOf(hash);
  if (allocator_.ClassOf(old_h) == cls) {
    // The usual overwrite (same size class, and the same key, so the same shard): one LRU
    // lock round trip instead of two.
    ClassLru& cs = LruOf(cls, shard);
    std::lock_guard lock(cs.mu);
    cs.list.Remove(old_h);
    cs.list.PushHead(new_h);
    cs.counters.mem_requested += it->total_size();
    cs.counters.mem_requested -= old->total_size();
    ++cs.counters.total_items;
  } else {
    RemoveFromLru(hash, old_h, *old);
    AddToLru(hash, new_h, *it);
  }
  old->bits &= ~kItemLinked;
  allocator_.Unref(old_h, old, shard);  // readers holding ItemRefs keep the old copy alive
}

void Store::UnlinkLocked(uint32_t hash, ItemHandle h) {
  ItemHeader* it = allocator_.Resolve(h);
  table_.Remove(hash, h);
  RemoveFromLru(hash, h, *it);
  it->bits &= ~kItemLinked;
  allocator_.Unref(h, it, ShardOf(hash));
}

void Store::UnlinkWithLruHeldLocked(ClassLru& cs, uint32_t hash, ItemHandle h, ItemHeader* it) {
  table_.Remove(hash, h);
  cs.list.Remove(h);
  --cs.counters.number;
  cs.counters.mem_requested -= it->total_size();
  it->bits &= ~kItemLinked;
}

Store::Alloc Store::AllocItem(uint64_t total, uint32_t hash, int64_t held_stripe) {
  if (total > options_.item_size_max) return {AllocStatus::kTooLarge, {}};
  const ClassId cls = classes_.ClassFor(total);
  const bool large = cls == classes_.large_class();
  // Each large eviction frees more than slab_chunk_max bytes of budget; after a lowered
  // budget (cache_memlimit) the excess has to go as well.
  const uint64_t attempts =
      kAllocAttempts +
      (large ? (total + allocator_.BytesOverBudget()) / classes_.slab_chunk_max() : 0);
  const uint32_t shard = ShardOf(hash);
  for (uint64_t i = 0;; ++i) {
    const ItemHandle h = large ? allocator_.AllocLarge(total) : allocator_.AllocChunk(cls, shard);
    if (h) return {AllocStatus::kOk, h};
    // A slab class's victim is exactly the chunk this allocation needs: take it directly.
    ItemHandle reused;
    if (i >= attempts || !PullTail(cls, shard, held_stripe, large ? nullptr : &reused)) break;
    if (reused) return {AllocStatus::kOk, reused};
  }
  ClassLru& cs = LruOf(cls, shard);
  std::lock_guard lock(cs.mu);
  ++cs.counters.outofmemory;
  return {AllocStatus::kNoMemory, {}};
}

bool Store::PullTail(ClassId cls, uint32_t shard, int64_t held_stripe, ItemHandle* reuse) {
  const uint32_t mask = shards() - 1;
  for (uint32_t i = 0; i <= mask; ++i) {
    if (PullShardTail(cls, (shard + i) & mask, held_stripe, reuse)) return true;
  }
  return false;
}

bool Store::PullShardTail(ClassId cls, uint32_t shard, int64_t held_stripe, ItemHandle* reuse) {
  ClassLru& cs = LruOf(cls, shard);
  const RelTime now = clock_->Now();
  ItemHandle freed;
  ItemHeader* freed_it = nullptr;
  {
    std::lock_guard lru_lock(cs.mu);
    int second_chances = 0;
    ItemHandle h = cs.list.tail();
    for (int searched = 0; h && searched < kTailSearchDepth; ++searched) {
      const ItemHandle prev = cs.list.Prev(h);
      ItemHeader* it = allocator_.Resolve(h);
      const uint32_t hash = HashKey(it->key());  // keys of linked items never change
      const uint32_t stripe = locks_.StripeOf(hash);
      // Against the lock order (LRU -> item), hence try_lock; never our own stripe.
      if (stripe == held_stripe || !locks_.Stripe(stripe).try_lock()) {
        h = prev;
        continue;
      }
      std::lock_guard item_lock(locks_.Stripe(stripe), std::adopt_lock);
      const bool invalid = Check(*it, now) != Validity::kValid;
      if (JudgeTailItem(options_, cs.counters, cs.list, h, it, invalid, now, &second_chances) ==
          TailVerdict::kFreed) {
        UnlinkWithLruHeldLocked(cs, hash, h, it);
        freed = h;
        freed_it = it;
        break;
      }
      h = prev;
    }
  }
  // Unlinked with refcount 1 (the table's), so nobody else can reach it: hand it to the
  // allocation that asked, or free it without locks to the shard's freelist.
  if (freed && reuse != nullptr) {
    *reuse = allocator_.UnrefForReuse(freed, freed_it);
  } else if (freed) {
    allocator_.Unref(freed, freed_it, shard);
  }
  return static_cast<bool>(freed);
}

}  // namespace slabd::slab
