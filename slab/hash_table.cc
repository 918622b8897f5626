// HashTable with incremental doubling (see hash_table.h for the protocol and why it is safe).
#include "slab/hash_table.h"

#include <sys/mman.h>

#include <atomic>
#include <cassert>
#include <new>

#include "slab/murmur3.h"

namespace slabd::slab {
namespace {

// Every write of a bucket (and of a chain link, where the same code may write either) is a
// release store, because HeadForPrefetch reads buckets without the item lock.
void SetLink(ItemHandle* link, ItemHandle h) {
  std::atomic_ref<uint32_t>(link->v).store(h.v, std::memory_order_release);
}

}  // namespace

HashTable::HashTable(int initial_power, const ItemLocks* locks, const SlabAllocator* allocator)
    : locks_(locks), allocator_(allocator) {
  assert(initial_power >= 0 && initial_power <= kMaxPower);
  assert(locks_->count() <= (uint64_t{1} << initial_power));
  cur_buckets_ = MapBuckets(initial_power);
  if (cur_buckets_ == nullptr) throw std::bad_alloc();
  gen_.store(Publish(cur_buckets_, initial_power, nullptr, 0), std::memory_order_release);
}

HashTable::~HashTable() {
  for (const Mapping& m : mappings_) munmap(m.base, m.bytes);
}

ItemHandle* HashTable::MapBuckets(int power) {
  const size_t bytes = (size_t{1} << power) * sizeof(ItemHandle);
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return nullptr;
  mappings_.push_back({p, bytes});
  return static_cast<ItemHandle*>(p);
}

HashTable::Generation* HashTable::Publish(ItemHandle* cur, int cur_power, ItemHandle* old,
                                          int old_power) {
  auto g = std::make_unique<Generation>();
  g->cur = cur;
  g->cur_power = cur_power;
  g->cur_mask = static_cast<uint32_t>((uint64_t{1} << cur_power) - 1);
  g->old = old;
  g->old_mask = old ? static_cast<uint32_t>((uint64_t{1} << old_power) - 1) : 0;
  generations_.push_back(std::move(g));
  return generations_.back().get();
}

ItemHandle& HashTable::BucketFor(uint32_t hash) const {
  const Generation* g = gen_.load(std::memory_order_acquire);
  if (g->old != nullptr) {
    const uint32_t b = hash & g->old_mask;
    if (b >= g->migrated.load(std::memory_order_acquire)) return g->old[b];
  }
  return g->cur[hash & g->cur_mask];
}

ItemHandle HashTable::HeadForPrefetch(uint32_t hash) const {
  uint32_t& slot = BucketFor(hash).v;
  return ItemHandle{std::atomic_ref<uint32_t>(slot).load(std::memory_order_acquire)};
}

ItemHandle HashTable::Find(uint32_t hash, std::string_view key) const {
  for (ItemHandle h = BucketFor(hash); h;) {
    const ItemHeader* it = allocator_->Resolve(h);
    if (it->HasKey(key)) return h;
    h = it->h_next;
  }
  return {};
}

void HashTable::Insert(uint32_t hash, ItemHandle h) {
  ItemHandle& bucket = BucketFor(hash);
  allocator_->Resolve(h)->h_next = bucket;
  SetLink(&bucket, h);
}

void HashTable::Remove(uint32_t hash, ItemHandle h) {
  ItemHandle* link = &BucketFor(hash);
  while (*link != h) {
    assert(*link);
    link = &allocator_->Resolve(*link)->h_next;
  }
  ItemHeader* it = allocator_->Resolve(h);
  SetLink(link, it->h_next);
  it->h_next = ItemHandle{};
}

void HashTable::Replace(uint32_t hash, ItemHandle old_h, ItemHandle new_h) {
  ItemHandle* link = &BucketFor(hash);
  while (*link != old_h) {
    assert(*link);
    link = &allocator_->Resolve(*link)->h_next;
  }
  ItemHeader* old_it = allocator_->Resolve(old_h);
  allocator_->Resolve(new_h)->h_next = old_it->h_next;
  SetLink(link, new_h);
  old_it->h_next = ItemHandle{};
}

bool HashTable::StartExpansion() {
  std::lock_guard lock(expand_mu_);
  const Generation* g = gen_.load(std::memory_order_acquire);
  if (g->old != nullptr || g->cur_power >= kMaxPower) return false;
  const int power = g->cur_power + 1;
  ItemHandle* bigger = MapBuckets(power);
  if (bigger == nullptr) return false;
  old_buckets_ = cur_buckets_;
  cur_buckets_ = bigger;
  gen_.store(Publish(cur_buckets_, power, old_buckets_, g->cur_power), std::memory_order_release);
  return true;
}

// REQUIRES: expand_mu_ held, b == g.migrated.
void HashTable::MoveBucket(Generation& g, uint32_t b) {
  std::lock_guard lock(locks_->ForHash(b));
  ItemHandle h = g.old[b];
  while (h) {
    ItemHeader* it = allocator_->Resolve(h);
    const ItemHandle next = it->h_next;
    ItemHandle& dst = g.cur[HashKey(it->key()) & g.cur_mask];
    it->h_next = dst;
    SetLink(&dst, h);
    h = next;
  }
  SetLink(&g.old[b], ItemHandle{});
  // Still under the stripe lock: readers of bucket b switch to the new table atomically.
  g.migrated.store(b + 1, std::memory_order_release);
}

uint64_t HashTable::Migrate(uint64_t max_buckets, bool wait) {
  std::unique_lock lock(expand_mu_, std::defer_lock);
  if (wait) {
    lock.lock();
  } else if (migrating_.load(std::memory_order_relaxed) || !lock.try_lock()) {
    return 0;
  }
  Generation* g = gen_.load(std::memory_order_acquire);
  if (g->old == nullptr) return 0;
  migrating_.store(true, std::memory_order_relaxed);
  const uint64_t old_size = uint64_t{g->old_mask} + 1;
  uint64_t moved = 0;
  uint64_t b = g->migrated.load(std::memory_order_relaxed);
  for (; moved < max_buckets && b < old_size; ++moved, ++b) {
    MoveBucket(*g, static_cast<uint32_t>(b));
  }
  if (b == old_size) {
    gen_.store(Publish(g->cur, g->cur_power, nullptr, 0), std::memory_order_release);
    // No locked reader can be inside old_buckets_: every bucket was moved under its stripe
    // lock, and readers that still hold `g` see migrated == old_size and go to the new table.
    // HeadForPrefetch may still read it, so the pages go back but the addresses stay mapped.
    madvise(old_buckets_, old_size * sizeof(ItemHandle), MADV_DONTNEED);
    old_buckets_ = nullptr;
  }
  migrating_.store(false, std::memory_order_relaxed);
  return moved;
}

}  // namespace slabd::slab
