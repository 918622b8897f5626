// SlabAllocator (see slab_allocator.h for the design and the handle encoding).
#include "slab/slab_allocator.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstdlib>
#include <new>

namespace slabd::slab {
namespace {

uint64_t RoundUp(uint64_t n, uint64_t unit) { return (n + unit - 1) / unit * unit; }

ItemHeader* ResetHeader(void* mem) { return new (mem) ItemHeader(); }

}  // namespace

SlabAllocator::SlabAllocator(const SizeClassTable* classes, uint64_t max_bytes,
                             uint32_t page_size, uint32_t item_size_max, int shard_power)
    : classes_(classes),
      page_size_(page_size),
      shard_power_(std::clamp(shard_power, 0, kMaxShardPower)),
      shard_mask_((1u << shard_power_) - 1),
      max_bytes_(max_bytes),
      arena_(page_size) {
  assert(classes_->slab_chunk_max() <= page_size_);
  const uint32_t most_chunks = std::max<uint32_t>(1, page_size_ / classes_->sizes()[0]);
  chunk_bits_ = static_cast<uint32_t>(std::bit_width(most_chunks - 1));
  assert(chunk_bits_ < 32);
  chunk_mask_ = (1u << chunk_bits_) - 1;

  // Enough slots for every page the budget allows, one first page per class beyond it, and
  // every large item the budget allows; capped by what the slot bits can address.
  uint64_t needed = 1 + max_bytes / page_size_ + classes_->num_slab_classes();
  if (item_size_max > classes_->slab_chunk_max()) {
    needed += max_bytes / RoundUp(classes_->slab_chunk_max() + 1ull, kLargeItemGranularity) + 1;
  }
  const uint64_t addressable = 1ull << (32 - chunk_bits_);
  addressable_slots_ = static_cast<uint32_t>(std::min<uint64_t>(addressable, UINT32_MAX));
  slot_capacity_ = static_cast<uint32_t>(std::min(needed, addressable));
  tables_.push_back(std::make_unique<PageEntry[]>(slot_capacity_));
  pages_.store(tables_.back().get(), std::memory_order_release);
  pools_ = std::make_unique<ClassPool[]>(classes_->num_slab_classes() + 1);
  for (int id = 1; id <= classes_->num_slab_classes(); ++id) {
    pools_[id].per_page = page_size_ / classes_->chunk_size(ClassId{static_cast<uint8_t>(id)});
  }
  lists_ = std::make_unique<FreeList[]>(
      (static_cast<size_t>(classes_->num_slab_classes()) + 1) << shard_power_);
}

SlabAllocator::~SlabAllocator() {
  // Slab pages go with arena_; large items were malloc'd one by one.
  for (uint32_t slot = 1; slot < next_slot_; ++slot) {
    const PageEntry& e = table()[slot];
    if (e.base != nullptr && e.cls == classes_->large_class()) std::free(e.base);
  }
}

uint32_t SlabAllocator::TakeSlotLocked() {
  if (!free_slots_.empty()) {
    const uint32_t slot = free_slots_.back();
    free_slots_.pop_back();
    return slot;
  }
  if (next_slot_ >= slot_capacity_ && !GrowPageTableLocked()) return 0;
  return next_slot_++;
}

bool SlabAllocator::GrowPageTableLocked() {
  if (slot_capacity_ >= addressable_slots_) return false;
  const uint32_t capacity =
      static_cast<uint32_t>(std::min<uint64_t>(2ull * slot_capacity_, addressable_slots_));
  std::unique_ptr<PageEntry[]> grown(new (std::nothrow) PageEntry[capacity]());
  if (!grown) return false;
  std::copy_n(table(), slot_capacity_, grown.get());
  // Release: a reader that acquires the new pointer sees the copied entries.
  pages_.store(grown.get(), std::memory_order_release);
  tables_.push_back(std::move(grown));  // older generations stay readable until destruction
  slot_capacity_ = capacity;
  return true;
}

// Called with the class lock held, so no other thread of this class carves or takes a page
// meanwhile: a class never takes two pages for one exhausted one.
bool SlabAllocator::NewPage(ClassId cls, ClassPool& pool) {
  const auto full = [&] {
    return pool.pages > 0 && malloced_.load(std::memory_order_relaxed) + page_size_ >
                                 max_bytes_.load(std::memory_order_relaxed);
  };
  // In a full cache every allocation that found no free chunk gets here: answer from the
  // unlocked read, so they do not all meet on mu_. A budget raised a moment ago may be missed
  // once (one eviction that was not needed); a page is never taken over the budget, because
  // the check is repeated under mu_.
  if (full()) return false;
  std::lock_guard lock(mu_);
  if (full()) return false;
  const uint32_t slot = TakeSlotLocked();
  if (slot == 0) return false;
  void* mem = arena_.Take();
  if (mem == nullptr) {
    ++malloc_fails_;
    free_slots_.push_back(slot);
    return false;
  }
  table()[slot] = PageEntry{static_cast<char*>(mem), classes_->chunk_size(cls), cls};
  malloced_.store(malloced_.load(std::memory_order_relaxed) + page_size_,
                  std::memory_order_relaxed);
  ++pool.pages;
  pool.carve_slot = slot;
  pool.carve_next = 0;
  return true;
}

inline ItemHandle SlabAllocator::PopFree(FreeList& list) {
  std::lock_guard lock(list.mu);
  const ItemHandle h = list.head;
  if (!h) return h;
  const ItemHeader* it = Resolve(h);
  assert(it->bits & kItemFree);
  list.head = it->h_next;
  list.count.store(list.count.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
  return h;
}

ItemHandle SlabAllocator::AllocChunk(ClassId cls, uint32_t shard) {
  assert(classes_->IsSlabClass(cls) && shard <= shard_mask_);
  ItemHandle h = PopFree(ListOf(cls, shard));
  if (!h) h = AllocFromOtherShardsOrCarve(cls, shard);
  if (h) ResetHeader(Resolve(h));  // the chunk is ours alone now: no lock needed
  return h;
}

ItemHandle SlabAllocator::AllocFromOtherShardsOrCarve(ClassId cls, uint32_t shard) {
  // Another shard's free chunk before a new page or an eviction: the class's memory is used
  // as fully as with one list. The unlocked count skips empty lists without taking their lock.
  for (uint32_t i = 1; i <= shard_mask_; ++i) {
    FreeList& other = ListOf(cls, (shard + i) & shard_mask_);
    if (other.count.load(std::memory_order_relaxed) == 0) continue;
    if (const ItemHandle h = PopFree(other)) return h;
  }
  ClassPool& pool = pools_[cls.v];
  std::lock_guard lock(pool.mu);
  if ((pool.pages == 0 || pool.carve_next >= pool.per_page) && !NewPage(cls, pool)) return {};
  return MakeHandle(pool.carve_slot, pool.carve_next++);
}

ItemHandle SlabAllocator::AllocLarge(uint64_t total) {
  const uint64_t charge = RoundUp(total, kLargeItemGranularity);
  uint32_t slot;
  {
    std::lock_guard lock(mu_);
    // Over budget only while no large item exists (see the header): at most one is over.
    if (malloced_.load(std::memory_order_relaxed) + charge >
            max_bytes_.load(std::memory_order_relaxed) &&
        large_items_ > 0) {
      return {};
    }
    slot = TakeSlotLocked();
    if (slot == 0) return {};
    // Reserved while malloc runs outside the lock; counting the item now keeps a concurrent
    // AllocLarge from taking the over-budget exception too.
    malloced_.fetch_add(charge, std::memory_order_relaxed);
    ++large_items_;
    large_bytes_ += charge;
  }
  void* mem = std::malloc(total);
  std::lock_guard lock(mu_);
  if (mem == nullptr) {
    malloced_.fetch_sub(charge, std::memory_order_relaxed);
    --large_items_;
    large_bytes_ -= charge;
    ++malloc_fails_;
    free_slots_.push_back(slot);
    return {};
  }
  table()[slot] =
      PageEntry{static_cast<char*>(mem), static_cast<uint32_t>(charge), classes_->large_class()};
  ResetHeader(mem);
  return MakeHandle(slot, 0);
}

void SlabAllocator::FreeLarge(uint32_t slot) {
  void* release;
  {
    std::lock_guard lock(mu_);
    PageEntry& e = table()[slot];
    release = e.base;
    malloced_.fetch_sub(e.chunk_size, std::memory_order_relaxed);
    large_bytes_ -= e.chunk_size;
    --large_items_;
    e = PageEntry{};
    free_slots_.push_back(slot);
  }
  std::free(release);
}

// The caller owns the item (refcount 0), so its page-table entry cannot change under this
// lock-free read; a slab chunk then needs only its class's lock.
void SlabAllocator::Free(ItemHandle h, uint32_t shard) {
  const ClassId cls = ClassOf(h);
  ItemHeader* it = Resolve(h);
  assert(it->refcount.load(std::memory_order_relaxed) == 0);
  assert(!(it->bits & (kItemLinked | kItemFree)));
  if (cls == classes_->large_class()) {
    FreeLarge(h.v >> chunk_bits_);
    return;
  }
  if (shard == kAnyShard) shard = (h.v >> chunk_bits_) & shard_mask_;
  assert(shard <= shard_mask_);
  FreeList& list = ListOf(cls, shard);
  it->bits = kItemFree;
  std::lock_guard lock(list.mu);
  it->h_next = list.head;
  list.head = h;
  list.count.store(list.count.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

ItemHandle SlabAllocator::UnrefForReuse(ItemHandle h, ItemHeader* it) {
  assert(classes_->IsSlabClass(ClassOf(h)));
  if (it->refcount.fetch_sub(1, std::memory_order_acq_rel) != 1) return {};
  assert(!(it->bits & (kItemLinked | kItemFree)));
  ResetHeader(it);
  return h;
}

uint32_t SlabAllocator::ChunksPerPage(ClassId cls) const {
  return classes_->IsSlabClass(cls) ? page_size_ / classes_->chunk_size(cls) : 1;
}

SlabAllocator::Usage SlabAllocator::UsageOf(ClassId cls) const {
  Usage u;
  if (cls == classes_->large_class()) {
    std::lock_guard lock(mu_);
    u.total_pages = large_items_;
    u.total_chunks = large_items_;
    u.bytes = large_bytes_;
    return u;
  }
  if (!classes_->IsSlabClass(cls)) return u;
  for (uint32_t shard = 0; shard <= shard_mask_; ++shard) {
    const FreeList& list = ListOf(cls, shard);
    std::lock_guard lock(list.mu);
    u.free_chunks += list.count.load(std::memory_order_relaxed);
  }
  const ClassPool& pool = pools_[cls.v];
  std::lock_guard lock(pool.mu);
  u.total_pages = pool.pages;
  u.total_chunks = static_cast<uint64_t>(pool.pages) * pool.per_page;
  u.free_chunks += pool.pages > 0 ? pool.per_page - pool.carve_next : 0;
  u.bytes = static_cast<uint64_t>(pool.pages) * page_size_;
  return u;
}

uint64_t SlabAllocator::total_malloced() const {
  std::lock_guard lock(mu_);
  return malloced_.load(std::memory_order_relaxed);
}

void SlabAllocator::SetMaxBytes(uint64_t max_bytes) {
  std::lock_guard lock(mu_);
  max_bytes_.store(max_bytes, std::memory_order_relaxed);
}

uint64_t SlabAllocator::max_bytes() const {
  std::lock_guard lock(mu_);
  return max_bytes_.load(std::memory_order_relaxed);
}

uint64_t SlabAllocator::BytesOverBudget() const {
  std::lock_guard lock(mu_);
  const uint64_t malloced = malloced_.load(std::memory_order_relaxed);
  const uint64_t max_bytes = max_bytes_.load(std::memory_order_relaxed);
  return malloced > max_bytes ? malloced - max_bytes : 0;
}

uint64_t SlabAllocator::malloc_fails() const {
  std::lock_guard lock(mu_);
  return malloc_fails_;
}

}  // namespace slabd::slab
