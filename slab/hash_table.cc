// HashTable with incremental doubling (see hash_table.h for the protocol and why it is safe).
#include "slab/hash_table.h"

#include <cassert>
#include <new>

#include "slab/murmur3.h"

namespace slabd::slab {

HashTable::HashTable(int initial_power, const ItemLocks* locks, const SlabAllocator* allocator)
    : locks_(locks), allocator_(allocator) {
  assert(initial_power >= 0 && initial_power <= kMaxPower);
  assert(locks_->count() <= (uint64_t{1} << initial_power));
  cur_buckets_ = std::make_unique<ItemHandle[]>(uint64_t{1} << initial_power);
  gen_.store(Publish(cur_buckets_.get(), initial_power, nullptr, 0), std::memory_order_release);
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
  bucket = h;
}

void HashTable::Remove(uint32_t hash, ItemHandle h) {
  ItemHandle* link = &BucketFor(hash);
  while (*link != h) {
    assert(*link);
    link = &allocator_->Resolve(*link)->h_next;
  }
  ItemHeader* it = allocator_->Resolve(h);
  *link = it->h_next;
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
  *link = new_h;
  old_it->h_next = ItemHandle{};
}

bool HashTable::StartExpansion() {
  std::lock_guard lock(expand_mu_);
  const Generation* g = gen_.load(std::memory_order_acquire);
  if (g->old != nullptr || g->cur_power >= kMaxPower) return false;
  const int power = g->cur_power + 1;
  std::unique_ptr<ItemHandle[]> bigger(new (std::nothrow) ItemHandle[uint64_t{1} << power]());
  if (!bigger) return false;
  old_buckets_ = std::move(cur_buckets_);
  cur_buckets_ = std::move(bigger);
  gen_.store(Publish(cur_buckets_.get(), power, old_buckets_.get(), g->cur_power),
             std::memory_order_release);
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
    dst = h;
    h = next;
  }
  g.old[b] = ItemHandle{};
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
    // No reader can be inside old_buckets_: every bucket was moved under its stripe lock, and
    // readers that still hold `g` see migrated == old_size and go to the new table.
    old_buckets_.reset();
  }
  migrating_.store(false, std::memory_order_relaxed);
  return moved;
}

}  // namespace slabd::slab
