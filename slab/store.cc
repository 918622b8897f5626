// Store operations: reserve/link, lookups, touch, delete, incr/decr, flush, maintenance, stats.
// Allocation, eviction and the validity check live in store_memory.cc. See store.h for the
// contracts and slab/README.md for the lifecycle and lock order.
#include "slab/store.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <mutex>

#include "slab/murmur3.h"
#include "slab/numeric_value.h"

namespace slabd::slab {
namespace {

// The LRU bump of a read: fetched + active bits and the access time. Writes only what changes
// (the clock ticks once a second), so a hot item read on several cores keeps its header line
// shared instead of bouncing it. REQUIRES: the item's stripe lock.
void MarkAccessed(ItemHeader& it, RelTime now) {
  constexpr uint8_t kBits = kItemFetched | kItemActive;
  if ((it.bits & kBits) != kBits) it.bits |= kBits;
  if (it.last_access.load(std::memory_order_relaxed) != now)
    it.last_access.store(now, std::memory_order_relaxed);
}

constexpr uint32_t kMaxItemSizeMax = 1u << 30;

StoreOptions Sanitize(StoreOptions o) {
  o.page_size = std::max<uint32_t>(o.page_size, 1024);
  o.slab_chunk_max = std::min(o.slab_chunk_max, o.page_size) / kChunkAlign * kChunkAlign;
  o.slab_chunk_max = std::max(o.slab_chunk_max, 2 * kItemHeaderSize);
  o.min_chunk = std::min(o.min_chunk, o.slab_chunk_max - kItemHeaderSize);
  o.item_size_max = std::min(o.item_size_max, kMaxItemSizeMax);
  assert(o.growth_factor > 1.0);
  if (!(o.growth_factor > 1.0)) o.growth_factor = 1.125;
  o.hashpower = std::clamp(o.hashpower, 1, HashTable::kMaxPower);
  o.lock_power = std::clamp(o.lock_power, 0, o.hashpower);
  o.shard_power = std::clamp(o.shard_power, 0, SlabAllocator::kMaxShardPower);
  return o;
}

// Fills a freshly allocated item (refcount 1, owned by the caller) with key and metadata.
ItemHeader* InitItem(ItemHeader* it, std::string_view key, uint32_t flags, RelTime exptime,
                     uint32_t value_len, RelTime now) {
  it->refcount.store(1, std::memory_order_relaxed);
  it->key_len = static_cast<uint8_t>(key.size());
  it->client_flags = flags;
  it->exptime.store(exptime, std::memory_order_relaxed);
  it->value_len = value_len;
  it->last_access.store(now, std::memory_order_relaxed);
  std::memcpy(it->key_data(), key.data(), key.size());
  return it;
}

}  // namespace

Store::Store(const StoreOptions& options, const Clock* clock)
    : options_(Sanitize(options)),
      clock_(clock),
      classes_(kItemHeaderSize + options_.min_chunk, options_.slab_chunk_max,
               options_.growth_factor),
      allocator_(&classes_, options_.max_bytes, options_.page_size, options_.item_size_max,
                 options_.shard_power),
      locks_(options_.lock_power),
      table_(options_.hashpower, &locks_, &allocator_),
      lrus_(std::make_unique<ClassLru[]>(LruCount())) {
  for (size_t i = 0; i < LruCount(); ++i) lrus_[i].list = LruList(&allocator_);
}

Store::~Store() = default;

ReserveResult Store::Reserve(std::string_view key, uint32_t flags, RelTime exptime,
                             uint32_t value_len) {
  if (key.size() > kMaxKeyLength) return {AllocStatus::kTooLarge, {}};
  // Sharded, the allocation needs the key's shard, so the hash comes first. Unsharded it is
  // taken from the item's copy of the key afterwards: a caller's key that is not in the cache
  // then costs a miss the CPU overlaps with the eviction's, instead of one the eviction waits
  // for (measured: a 2M-key fill of 64 MB in slabd-bench --engine, ~15% of a set).
  uint32_t hash = options_.shard_power != 0 ? HashKey(key) : 0;
  const Alloc a = AllocItem(ItemHeader::TotalSize(key.size(), value_len), hash, kNoStripe);
  if (a.status != AllocStatus::kOk) return {a.status, {}};
  ItemHeader* it = InitItem(allocator_.Resolve(a.handle), key, flags, exptime, value_len,
                            clock_->Now());
  if (options_.shard_power == 0) hash = HashKey(it->key());
  return {AllocStatus::kOk,
          Reservation(&allocator_, a.handle, it, allocator_.ClassOf(a.handle), hash)};
}

LinkResult Store::Link(Reservation&& reservation, StoreMode mode, uint64_t cas,
                       const LinkOptions& options) {
  Reservation r = std::move(reservation);  // freed on return unless linked
  assert(r && r.allocator_ == &allocator_);
  const ClassId cls = r.class_id();
  const uint32_t hash = r.hash();
  const RelTime now = clock_->Now();
  uint64_t new_cas = 0;
  bool added = false;
  StoreStatus status;
  {
    std::lock_guard lock(locks_.ForHash(hash));
    status = LinkLocked(hash, r, mode, cas, options, now, &new_cas, &added);
  }
  if (status != StoreStatus::kStored) return {status, 0, cls};
  if (added) HelpMigrate(hash);
  return {status, ReportedCas(new_cas), cls};
}

StoreStatus Store::LinkLocked(uint32_t hash, Reservation& r, StoreMode mode, uint64_t cas,
                              const LinkOptions& options, RelTime now, uint64_t* new_cas,
                              bool* added) {
  MissReason why;
  const ItemHandle old = FindLiveLocked(hash, r.key(), now, &why);
  ItemHandle h = r.handle_;
  bool make_stale = false;
  switch (mode) {
    case StoreMode::kSet:
      break;
    case StoreMode::kAdd:
      if (old) {
        ItemHeader* it = allocator_.Resolve(old);
        it->last_access.store(now, std::memory_order_relaxed);
        it->bits |= kItemActive;
        return StoreStatus::kNotStored;
      }
      break;
    case StoreMode::kReplace:
      if (!old) return StoreStatus::kNotStored;
      break;
    case StoreMode::kCas: {
      if (!old) return StoreStatus::kNotFound;
      const uint64_t item_cas = ReportedCas(allocator_.Resolve(old)->cas);
      if (cas == 0) return StoreStatus::kExists;  // 0 never matches, stale or not
      if (item_cas == cas) break;
      if (!options.allow_stale || cas > item_cas) return StoreStatus::kExists;
      make_stale = true;
      break;
    }
    case StoreMode::kAppend:
    case StoreMode::kPrepend:
      if (!old) return StoreStatus::kNotStored;
      if (CasMismatch(*allocator_.Resolve(old), cas)) return StoreStatus::kExists;
      h = CombineLocked(hash, old, *r.item_, mode == StoreMode::kAppend);
      if (!h) return StoreStatus::kNotStored;
      break;
  }
  ItemHeader* it = allocator_.Resolve(h);
  it->cas = *new_cas =
      options.explicit_cas != 0 ? options.explicit_cas : NextCas(locks_.StripeOf(hash));
  // A combined (append/prepend) item keeps the old item's base64-key mark (memcached's
  // fresh item drops it and then prints the raw key bytes; README "Differences" 12).
  if (options.key_binary) it->bits |= kItemKeyBinary;
  if (h != r.handle_) it->bits |= allocator_.Resolve(old)->bits & kItemKeyBinary;
  if (make_stale) {
    const ItemHeader* prev = allocator_.Resolve(old);
    it->bits |= kItemStale | (prev->bits & kItemTokenSent);
    it->exptime.store(prev->exptime.load(std::memory_order_relaxed), std::memory_order_relaxed);
  }
  if (old) {
    ReplaceLocked(hash, old, h, now);
  } else {
    InsertLocked(hash, h, now);
    *added = true;
  }
  if (h == r.handle_) r.Release();  // the table owns the reservation's reference now
  return StoreStatus::kStored;
}

ItemHandle Store::CombineLocked(uint32_t hash, ItemHandle old_h, const ItemHeader& addition,
                                bool append) {
  // `old` stays valid: it is linked and its stripe (held) is never try-locked by the evictor.
  const ItemHeader* old = allocator_.Resolve(old_h);
  const uint64_t value_len = uint64_t{old->value_len} + addition.value_len;
  const uint64_t total = ItemHeader::TotalSize(old->key_len, value_len);
  if (total > options_.item_size_max) return {};
  const Alloc a = AllocItem(total, hash, locks_.StripeOf(hash));
  if (a.status != AllocStatus::kOk) return {};
  ItemHeader* it = InitItem(allocator_.Resolve(a.handle), old->key(), old->client_flags,
                            old->exptime.load(std::memory_order_relaxed),
                            static_cast<uint32_t>(value_len), clock_->Now());
  const ItemHeader& first = append ? *old : addition;
  const ItemHeader& second = append ? addition : *old;
  std::memcpy(it->value_data(), first.value_data(), first.value_len);
  std::memcpy(it->value_data() + first.value_len, second.value_data(), second.value_len);
  return a.handle;
}

ItemHandle Store::FindLiveLocked(uint32_t hash, std::string_view key, RelTime now,
                                 MissReason* why) {
  const ItemHandle h = table_.Find(hash, key);
  if (!h) {
    *why = MissReason::kMissing;
    return {};
  }
  const Validity v = Check(*allocator_.Resolve(h), now);
  if (v == Validity::kValid) {
    *why = MissReason::kNone;
    return h;
  }
  UnlinkLocked(hash, h);
  *why = v == Validity::kExpired ? MissReason::kExpired : MissReason::kFlushed;
  return {};
}

namespace {

// Header and key, and the value of a small item.
void PrefetchItem(const ItemHeader* it) {
  const char* item = reinterpret_cast<const char*>(it);
  __builtin_prefetch(item);
  __builtin_prefetch(item + 64);
  __builtin_prefetch(item + 128);
  __builtin_prefetch(item + 191);  // chunks are 8-byte aligned: 192 bytes may span 4 lines
}

}  // namespace

void Store::PrefetchBucket(uint32_t hash) const { table_.PrefetchBucket(hash); }

// No lock: the bucket is read as HashTable::HeadForPrefetch allows, and Resolve only computes
// an address (slab pages are never unmapped, and the page table an acquired handle needs was
// published before it). This took the item lock until P7: a third locked round trip per key.
void Store::PrefetchHead(uint32_t hash) const {
  const ItemHandle h = table_.HeadForPrefetch(hash);
  if (h) PrefetchItem(allocator_.Resolve(h));
}

// At the table's load (0.75 to 1.5 items per bucket) a quarter to a half of the keys are not
// first in their chain. By now the head has arrived, so checking it costs no miss.
void Store::PrefetchSecond(uint32_t hash, std::string_view key) const {
  std::lock_guard lock(locks_.ForHash(hash));
  const ItemHandle h = table_.Head(hash);
  if (!h) return;
  const ItemHeader* head = allocator_.Resolve(h);
  if (!head->HasKey(key) && head->h_next) PrefetchItem(allocator_.Resolve(head->h_next));
}

void Store::Prefetch(std::span<const std::string_view> keys, uint32_t* hashes) const {
  for (size_t i = 0; i < keys.size(); ++i) {
    hashes[i] = HashKey(keys[i]);
    PrefetchBucket(hashes[i]);
  }
  for (size_t i = 0; i < keys.size(); ++i) PrefetchHead(hashes[i]);
  for (size_t i = 0; i < keys.size(); ++i) PrefetchSecond(hashes[i], keys[i]);
}

LookupResult Store::Lookup(std::string_view key, uint32_t hash, Access access, RelTime exptime) {
  const RelTime now = clock_->Now();
  std::lock_guard lock(locks_.ForHash(hash));
  MissReason why;
  const ItemHandle h = FindLiveLocked(hash, key, now, &why);
  if (!h) return {ItemRef(), why};
  ItemHeader* it = allocator_.Resolve(h);
  if (it->refcount.load(std::memory_order_relaxed) >= kMaxItemRefs) {
    return {ItemRef(), MissReason::kMissing};
  }
  it->refcount.fetch_add(1, std::memory_order_relaxed);
  ItemSnapshot snap = Snapshot(h, *it);
  if (access != Access::kPeek) {
    MarkAccessed(*it, now);
  }
  if (access == Access::kFetchAndTouch) {
    it->exptime.store(exptime, std::memory_order_relaxed);
    snap.exptime = exptime;
  }
  return {ItemRef(&allocator_, h, it, snap), MissReason::kNone};
}

Store::CopyLookupResult Store::GetCopy(std::string_view key, uint32_t hash, bool touch,
                                       RelTime exptime, uint32_t copy_limit, CopyFn copy,
                                       void* arg) {
  const RelTime now = clock_->Now();
  CopyLookupResult result;
  std::lock_guard lock(locks_.ForHash(hash));
  const ItemHandle h = FindLiveLocked(hash, key, now, &result.ref.reason);
  if (!h) return result;
  ItemHeader* it = allocator_.Resolve(h);
  const bool small = it->value_len <= copy_limit;
  if (!small && it->refcount.load(std::memory_order_relaxed) >= kMaxItemRefs) {
    result.ref.reason = MissReason::kMissing;
    return result;
  }
  ItemSnapshot snap = Snapshot(h, *it);
  MarkAccessed(*it, now);
  if (touch) {
    it->exptime.store(exptime, std::memory_order_relaxed);
    snap.exptime = exptime;
  }
  result.class_id = snap.class_id;
  if (small) {
    copy(arg, snap, it->value());
    result.copied = true;
    return result;
  }
  it->refcount.fetch_add(1, std::memory_order_relaxed);
  result.ref.item = ItemRef(&allocator_, h, it, snap);
  return result;
}

MetaGetResult Store::MetaGet(std::string_view key, uint32_t hash, const MetaGetOptions& o,
                             uint32_t copy_limit, MetaCopyFn copy, void* arg) {
  MetaGetResult result = MetaGetInStripe(key, hash, o, copy_limit, copy, arg);
  if (result.created) HelpMigrate(hash);  // a vivified key is a new key, as Link's
  return result;
}

MetaGetResult Store::MetaGetInStripe(std::string_view key, uint32_t hash, const MetaGetOptions& o,
                                     uint32_t copy_limit, MetaCopyFn copy, void* arg) {
  const RelTime now = clock_->Now();
  MetaGetResult result;
  std::lock_guard lock(locks_.ForHash(hash));
  ItemHandle h = FindLiveLocked(hash, key, now, &result.reason);
  if (!h && o.Has(MetaGetOptions::Op::kVivify)) {
    // An empty placeholder; its exptime is set below, where N stands among the flags.
    const Alloc a =
        AllocItem(ItemHeader::TotalSize(key.size(), 0), hash, locks_.StripeOf(hash));
    if (a.status == AllocStatus::kOk) {
      ItemHeader* fresh = InitItem(allocator_.Resolve(a.handle), key, 0, 0, 0, now);
      fresh->cas = o.explicit_cas != 0 ? o.explicit_cas : NextCas(locks_.StripeOf(hash));
      if (o.key_binary) fresh->bits |= kItemKeyBinary;
      InsertLocked(hash, a.handle, now);  // the table owns the allocation's reference
      h = a.handle;
      result.created = true;
      result.reason = MissReason::kNone;
    }
  }
  if (!h) return result;
  ItemHeader* it = allocator_.Resolve(h);
  const bool copying = copy != nullptr && it->value_len <= copy_limit;
  if (!copying) {
    if (it->refcount.load(std::memory_order_relaxed) >= kMaxItemRefs) {
      result.overflow = true;
      return result;
    }
    it->refcount.fetch_add(1, std::memory_order_relaxed);
  }
  const ItemSnapshot snap = Snapshot(h, *it);
  result.class_id = snap.class_id;
  bool won = false;
  for (int i = 0; i < o.op_count && !result.aborted; ++i) {
    switch (o.order[i]) {
      case MetaGetOptions::Op::kAbort:
        result.aborted = true;
        break;
      case MetaGetOptions::Op::kTouch:
        it->exptime.store(o.touch_exptime, std::memory_order_relaxed);
        break;
      case MetaGetOptions::Op::kVivify:
        if (result.created) {
          it->exptime.store(o.vivify_exptime, std::memory_order_relaxed);
          won = true;
        }
        break;
      case MetaGetOptions::Op::kRecache: {
        const RelTime exp = it->exptime.load(std::memory_order_relaxed);
        if ((it->bits & kItemTokenSent) == 0 && !result.created && exp != 0 &&
            exp < o.recache_time)
          won = true;
        break;
      }
    }
  }
  if (!result.aborted) {
    result.token_sent = (it->bits & kItemTokenSent) != 0;
    result.stale = (it->bits & kItemStale) != 0;
    if (result.stale && !result.token_sent) won = true;
    if (won) it->bits |= kItemTokenSent;
    result.won = won;
  }
  if (!o.no_update && !(result.aborted && o.delay_bump)) {
    MarkAccessed(*it, now);
  }
  if (copying) {
    if (!result.aborted) {
      copy(arg, result, snap, it->value());
      result.copied = true;
    }
    return result;
  }
  result.item = ItemRef(&allocator_, h, it, snap);
  return result;
}

DeleteResult Store::MarkStale(std::string_view key, uint64_t cas, bool check_cas,
                              bool set_exptime, RelTime exptime) {
  const uint32_t hash = HashKey(key);
  const RelTime now = clock_->Now();
  std::lock_guard lock(locks_.ForHash(hash));
  MissReason why;
  const ItemHandle h = FindLiveLocked(hash, key, now, &why);
  if (!h) return {DeleteStatus::kNotFound, ClassId{}};
  ItemHeader* it = allocator_.Resolve(h);
  const ClassId cls = allocator_.ClassOf(h);
  if (CasMismatch(*it, cas, check_cas)) return {DeleteStatus::kExists, cls};
  if (set_exptime) it->exptime.store(exptime, std::memory_order_relaxed);
  it->bits = static_cast<uint8_t>((it->bits | kItemStale) & ~kItemTokenSent);
  it->cas = NextCas(locks_.StripeOf(hash));
  return {DeleteStatus::kDeleted, cls};
}

TouchResult Store::Touch(std::string_view key, RelTime exptime) {
  const uint32_t hash = HashKey(key);
  const RelTime now = clock_->Now();
  std::lock_guard lock(locks_.ForHash(hash));
  MissReason why;
  const ItemHandle h = FindLiveLocked(hash, key, now, &why);
  if (!h) return {false, ClassId{}};
  ItemHeader* it = allocator_.Resolve(h);
  it->exptime.store(exptime, std::memory_order_relaxed);
  MarkAccessed(*it, now);
  return {true, allocator_.ClassOf(h)};
}

DeleteResult Store::Delete(std::string_view key, uint64_t cas, bool check_cas) {
  const uint32_t hash = HashKey(key);
  const RelTime now = clock_->Now();
  std::lock_guard lock(locks_.ForHash(hash));
  MissReason why;
  const ItemHandle h = FindLiveLocked(hash, key, now, &why);
  if (!h) return {DeleteStatus::kNotFound, ClassId{}};
  const ClassId cls = allocator_.ClassOf(h);
  if (CasMismatch(*allocator_.Resolve(h), cas, check_cas))
    return {DeleteStatus::kExists, cls};
  UnlinkLocked(hash, h);
  return {DeleteStatus::kDeleted, cls};
}

bool Store::Unlink(std::string_view key) {
  const uint32_t hash = HashKey(key);
  std::lock_guard lock(locks_.ForHash(hash));
  const ItemHandle h = table_.Find(hash, key);
  if (!h) return false;
  UnlinkLocked(hash, h);
  return true;
}

ArithResult Store::Arith(std::string_view key, bool incr, uint64_t delta, uint64_t cas,
                         bool check_cas, const RelTime* new_exptime) {
  const uint32_t hash = HashKey(key);
  const RelTime now = clock_->Now();
  ArithResult result;
  {
    std::lock_guard lock(locks_.ForHash(hash));
    MissReason why;
    const ItemHandle h = FindLiveLocked(hash, key, now, &why);
    if (!h) return {ArithStatus::kNotFound, 0, 0, ClassId{}};
    result = ArithLocked(hash, h, incr, delta, cas, check_cas, new_exptime, now);
  }
  return result;
}

ArithResult Store::ArithLocked(uint32_t hash, ItemHandle h, bool incr, uint64_t delta,
                               uint64_t cas, bool check_cas, const RelTime* new_exptime,
                               RelTime now) {
  ItemHeader* it = allocator_.Resolve(h);
  const ClassId cls = allocator_.ClassOf(h);
  // Large items are never numeric (memcached refuses chunked values the same way). As in
  // memcached's do_add_delta, an empty or large value is non-numeric before the CAS check,
  // and the CAS is checked before the digits are.
  if (cls == classes_.large_class() || it->value_len == 0)
    return {ArithStatus::kNonNumeric, 0, 0, cls};
  if (CasMismatch(*it, cas, check_cas))
    return {ArithStatus::kExists, 0, 0, cls};
  const auto parsed = ParseStoredDecimal(it->value());
  if (!parsed) return {ArithStatus::kNonNumeric, 0, 0, cls};
  const uint64_t value = ApplyDelta(*parsed, incr, delta);
  const RelTime exptime_before = it->exptime.load(std::memory_order_relaxed);
  char digits[kMaxDecimalLength];
  const size_t len = FormatDecimal(value, digits);
  // In place only when no ItemRef can observe the rewrite (the table holds the only reference;
  // new references need the item lock we hold).
  if (len <= it->value_len && it->refcount.load(std::memory_order_acquire) == 1) {
    std::memset(it->value_data(), ' ', it->value_len);
    std::memcpy(it->value_data(), digits, len);
    it->cas = NextCas(locks_.StripeOf(hash));
    if (new_exptime != nullptr) it->exptime.store(*new_exptime, std::memory_order_relaxed);
    return {ArithStatus::kOk, value, ReportedCas(it->cas), cls, exptime_before};
  }
  const Alloc a =
      AllocItem(ItemHeader::TotalSize(it->key_len, len), hash, locks_.StripeOf(hash));
  if (a.status != AllocStatus::kOk) return {ArithStatus::kNoMemory, 0, 0, cls};
  ItemHeader* fresh = InitItem(allocator_.Resolve(a.handle), it->key(), it->client_flags,
                               it->exptime.load(std::memory_order_relaxed),
                               static_cast<uint32_t>(len), now);
  std::memcpy(fresh->value_data(), digits, len);
  fresh->cas = NextCas(locks_.StripeOf(hash));
  // Like memcached's do_add_delta, the replacement is a fresh item without the stale and
  // token bits; unlike it, it keeps the base64-key mark (README "Differences" 12).
  fresh->bits = it->bits & kItemKeyBinary;
  if (new_exptime != nullptr) fresh->exptime.store(*new_exptime, std::memory_order_relaxed);
  const uint64_t new_cas = fresh->cas;
  ReplaceLocked(hash, h, a.handle, now);
  return {ArithStatus::kOk, value, ReportedCas(new_cas), cls, exptime_before};
}

void Store::FlushAll(RelTime deadline) {
  const RelTime now = clock_->Now();
  if (deadline == 0 || deadline <= now) {
    // The CAS watermark hides items linked earlier in this very second, which the 1-second
    // time comparison alone cannot. cas_counter_ is the top of every CasBlock reserved so far,
    // so the watermark covers values stripes have not handed out yet; bumping the epoch makes
    // each stripe drop its block before its next CAS, and the new block lies above the
    // watermark (NextCas reads the epoch with acquire before it reserves). A store whose
    // stripe has not seen the new epoch yet still uses the old block: it races with the flush
    // exactly as a store racing with the watermark read does with a single counter, and is
    // invalid when its value lies at or below the watermark. The watermark only rises (of two
    // concurrent flushes the later reader of cas_counter_ wins).
    const uint64_t watermark = cas_counter_.load(std::memory_order_relaxed);
    uint64_t prev = oldest_cas_.load(std::memory_order_relaxed);
    while (prev < watermark &&
           !oldest_cas_.compare_exchange_weak(prev, watermark, std::memory_order_relaxed)) {
    }
    cas_epoch_.fetch_add(1, std::memory_order_release);
    oldest_live_.store(now > 0 ? now - 1 : 0, std::memory_order_relaxed);
  } else {
    oldest_live_.store(deadline - 1, std::memory_order_relaxed);
  }
}

void Store::Maintain() {
  if (!table_.IsExpanding() && LinkedItems() > table_.bucket_count() * 3 / 2) {
    table_.StartExpansion();
  }
  if (table_.IsExpanding()) table_.Migrate(kMigrateBucketsPerStep, /*wait=*/true);
}

void Store::HelpMigrate(uint32_t hash) {
  static_assert((kMigrateHelpEvery & (kMigrateHelpEvery - 1)) == 0);
  if ((hash & (kMigrateHelpEvery - 1)) != 0 || !table_.IsExpanding()) return;
  table_.Migrate(kMigrateBucketsPerHelp, /*wait=*/false);
}

StoreStats Store::Stats() const {
  StoreStats s;
  for (int id = 1; id <= classes_.large_class().v; ++id) {
    const ClassCounters c = ClassTotals(ClassId{static_cast<uint8_t>(id)}).counters;
    s.curr_items += c.number;
    s.bytes += c.mem_requested;
    s.total_items += c.total_items;
    s.evictions += c.evicted;
    s.reclaimed += c.reclaimed;
    s.expired_unfetched += c.expired_unfetched;
    s.evicted_unfetched += c.evicted_unfetched;
    s.evicted_active += c.evicted_active;
  }
  s.total_malloced = allocator_.total_malloced();
  s.malloc_fails = allocator_.malloc_fails();
  s.hash_power_level = static_cast<uint32_t>(table_.power());
  s.hash_bytes = table_.bytes();
  s.hash_is_expanding = table_.IsExpanding();
  s.slab_global_page_pool = 0;
  s.limit_maxbytes = allocator_.max_bytes();
  s.oldest_live = oldest_live();
  return s;
}

std::vector<ClassStats> Store::ClassStatsSnapshot() const {
  std::vector<ClassStats> out;
  const RelTime now = clock_->Now();
  for (int id = 1; id <= classes_.large_class().v; ++id) {
    const ClassId cls{static_cast<uint8_t>(id)};
    const SlabAllocator::Usage u = allocator_.UsageOf(cls);
    const ClassTotalsResult totals = ClassTotals(cls);
    const ClassCounters& c = totals.counters;
    if (u.total_pages == 0 && c.number == 0) continue;
    ClassStats st;
    st.id = cls;
    st.is_large = !classes_.IsSlabClass(cls);
    st.chunk_size = st.is_large ? 0 : classes_.chunk_size(cls);
    st.chunks_per_page = allocator_.ChunksPerPage(cls);
    st.total_pages = u.total_pages;
    st.total_chunks = u.total_chunks;
    st.free_chunks = u.free_chunks;
    st.used_chunks = u.total_chunks - u.free_chunks;
    st.memory_bytes = u.bytes;
    if (totals.has_items) st.age = now > totals.oldest_access ? now - totals.oldest_access : 0;
    st.number = c.number;
    st.mem_requested = c.mem_requested;
    st.total_items = c.total_items;
    st.evicted = c.evicted;
    st.evicted_nonzero = c.evicted_nonzero;
    st.evicted_time = c.evicted_time;
    st.outofmemory = c.outofmemory;
    st.reclaimed = c.reclaimed;
    st.expired_unfetched = c.expired_unfetched;
    st.evicted_unfetched = c.evicted_unfetched;
    st.evicted_active = c.evicted_active;
    out.push_back(st);
  }
  return out;
}

uint64_t Store::LinkedItems() const {
  uint64_t n = 0;
  for (size_t i = 0; i < LruCount(); ++i) {
    std::lock_guard lock(lrus_[i].mu);
    n += lrus_[i].counters.number;
  }
  return n;
}

Store::ClassTotalsResult Store::ClassTotals(ClassId cls) const {
  ClassTotalsResult r;
  ClassCounters& t = r.counters;
  for (uint32_t shard = 0; shard < shards(); ++shard) {
    ClassLru& cs = LruOf(cls, shard);
    std::lock_guard lock(cs.mu);
    const ClassCounters& c = cs.counters;
    t.number += c.number;
    t.mem_requested += c.mem_requested;
    t.total_items += c.total_items;
    t.evicted += c.evicted;
    t.evicted_nonzero += c.evicted_nonzero;
    if (c.evicted != 0 && (t.evicted_at == 0 || c.evicted_at >= t.evicted_at)) {
      t.evicted_at = c.evicted_at;  // the class's latest eviction, whichever shard made it
      t.evicted_time = c.evicted_time;
    }
    t.outofmemory += c.outofmemory;
    t.reclaimed += c.reclaimed;
    t.expired_unfetched += c.expired_unfetched;
    t.evicted_unfetched += c.evicted_unfetched;
    t.evicted_active += c.evicted_active;
    // The tail is linked, so the table's reference keeps it allocated while the lock is held.
    if (const ItemHandle tail = cs.list.tail()) {
      const RelTime seen = allocator_.Resolve(tail)->last_access.load(std::memory_order_relaxed);
      if (!r.has_items || seen < r.oldest_access) r.oldest_access = seen;
      r.has_items = true;
    }
  }
  return r;
}

void Store::DumpClass(ClassId cls, uint32_t limit, const DumpVisitor& visit) const {
  if (cls.v == 0 || cls.v > classes_.large_class().v) return;
  // Every shard's lock, in shard order (nothing else holds two of a class's LRU locks). Every
  // item on a list is linked, so the table's reference keeps it allocated while the locks are
  // held; its key and value_len never change once linked, and exptime is atomic.
  const uint32_t n = shards();
  std::vector<std::unique_lock<SpinLock>> locks;
  std::vector<ItemHandle> next(n);
  locks.reserve(n);
  for (uint32_t shard = 0; shard < n; ++shard) {
    ClassLru& cs = LruOf(cls, shard);
    locks.emplace_back(cs.mu);
    next[shard] = cs.list.head();
  }
  // Newest first across shards: merge the shards' lists (each newest first) by last access.
  // Within one shard the list's own order stands; across shards, items touched in the same
  // second come shard by shard.
  uint32_t shown = 0;
  while (limit == 0 || shown < limit) {
    uint32_t pick = n;
    RelTime newest = 0;
    for (uint32_t shard = 0; shard < n; ++shard) {
      if (!next[shard]) continue;
      const RelTime seen =
          allocator_.Resolve(next[shard])->last_access.load(std::memory_order_relaxed);
      if (pick == n || seen > newest) {
        pick = shard;
        newest = seen;
      }
    }
    if (pick == n) return;
    const ItemHandle h = next[pick];
    next[pick] = LruOf(cls, pick).list.Next(h);
    const ItemHeader* it = allocator_.Resolve(h);
    if (!visit(it->key(), it->value_len, it->exptime.load(std::memory_order_relaxed))) return;
    ++shown;
  }
}

void Store::ResetStats() {
  for (size_t i = 0; i < LruCount(); ++i) {
    std::lock_guard lock(lrus_[i].mu);
    lrus_[i].counters.ResetResettable();
  }
}

}  // namespace slabd::slab
