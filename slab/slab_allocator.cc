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
                             uint32_t page_size, uint32_t item_size_max)
    : classes_(classes), page_size_(page_size), max_bytes_(max_bytes) {
  assert(classes_->slab_chunk_max() <= page_size_);
  const uint32_t most_chunks = std::max<uint32_t>(1, page_size_ / classes_->sizes()[0]);
  chunk_bits_ = static_cast<uint32_t>(std::bit_width(most_chunks - 1));
  assert(chunk_bits_ < 32);
  chunk_mask_ = (1u << chunk_bits_) - 1;

  // Enough slots for every page the budget allows, one first page per class beyond it, and
  // every large item the budget allows; capped by what the slot bits can address.
  uint64_t needed = 1 + max_bytes_ / page_size_ + classes_->num_slab_classes();
  if (item_size_max > classes_->slab_chunk_max()) {
    needed += max_bytes_ / RoundUp(classes_->slab_chunk_max() + 1ull, kLargeItemGranularity) + 1;
  }
  const uint64_t addressable = 1ull << (32 - chunk_bits_);
  addressable_slots_ = static_cast<uint32_t>(std::min<uint64_t>(addressable, UINT32_MAX));
  slot_capacity_ = static_cast<uint32_t>(std::min(needed, addressable));
  tables_.push_back(std::make_unique<PageEntry[]>(slot_capacity_));
  pages_.store(tables_.back().get(), std::memory_order_release);
  pools_.resize(classes_->num_slab_classes() + 2);
}

SlabAllocator::~SlabAllocator() {
  for (uint32_t slot = 1; slot < next_slot_; ++slot) std::free(table()[slot].base);
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

bool SlabAllocator::NewPageLocked(ClassId cls, ClassPool& pool) {
  if (pool.pages > 0 && malloced_ + page_size_ > max_bytes_) return false;
  const uint32_t slot = TakeSlotLocked();
  if (slot == 0) return false;
  void* mem = std::malloc(page_size_);
  if (mem == nullptr) {
    ++malloc_fails_;
    free_slots_.push_back(slot);
    return false;
  }
  table()[slot] = PageEntry{static_cast<char*>(mem), classes_->chunk_size(cls), cls};
  malloced_ += page_size_;
  ++pool.pages;
  pool.carve_slot = slot;
  pool.carve_next = 0;
  return true;
}

ItemHandle SlabAllocator::AllocChunk(ClassId cls) {
  assert(classes_->IsSlabClass(cls));
  std::lock_guard lock(mu_);
  ClassPool& pool = pools_[cls.v];
  if (pool.free_head) {
    const ItemHandle h = pool.free_head;
    ItemHeader* it = Resolve(h);
    assert(it->bits & kItemFree);
    pool.free_head = it->h_next;
    --pool.free_count;
    ResetHeader(it);
    return h;
  }
  const uint32_t per_page = page_size_ / classes_->chunk_size(cls);
  if ((pool.pages == 0 || pool.carve_next >= per_page) && !NewPageLocked(cls, pool)) return {};
  const ItemHandle h = MakeHandle(pool.carve_slot, pool.carve_next++);
  ResetHeader(Resolve(h));
  return h;
}

ItemHandle SlabAllocator::AllocLarge(uint64_t total) {
  const uint64_t charge = RoundUp(total, kLargeItemGranularity);
  const ClassId large = classes_->large_class();
  uint32_t slot;
  {
    std::lock_guard lock(mu_);
    ClassPool& pool = pools_[large.v];
    // Over budget only while no large item exists (see the header): at most one is over.
    if (malloced_ + charge > max_bytes_ && pool.pages > 0) return {};
    slot = TakeSlotLocked();
    if (slot == 0) return {};
    // Reserved while malloc runs outside the lock; counting the item now keeps a concurrent
    // AllocLarge from taking the over-budget exception too.
    malloced_ += charge;
    ++pool.pages;
    pool.large_bytes += charge;
  }
  void* mem = std::malloc(total);
  std::lock_guard lock(mu_);
  if (mem == nullptr) {
    ClassPool& pool = pools_[large.v];
    malloced_ -= charge;
    --pool.pages;
    pool.large_bytes -= charge;
    ++malloc_fails_;
    free_slots_.push_back(slot);
    return {};
  }
  table()[slot] = PageEntry{static_cast<char*>(mem), static_cast<uint32_t>(charge), large};
  ResetHeader(mem);
  return MakeHandle(slot, 0);
}

void SlabAllocator::Free(ItemHandle h) {
  const uint32_t slot = h.v >> chunk_bits_;
  void* release = nullptr;
  {
    std::lock_guard lock(mu_);
    PageEntry& e = table()[slot];
    ClassPool& pool = pools_[e.cls.v];
    ItemHeader* it = Resolve(h);
    assert(it->refcount.load(std::memory_order_relaxed) == 0);
    assert(!(it->bits & (kItemLinked | kItemFree)));
    if (e.cls == classes_->large_class()) {
      release = e.base;
      malloced_ -= e.chunk_size;
      pool.large_bytes -= e.chunk_size;
      --pool.pages;
      e = PageEntry{};
      free_slots_.push_back(slot);
    } else {
      it->bits = kItemFree;
      it->h_next = pool.free_head;
      pool.free_head = h;
      ++pool.free_count;
    }
  }
  std::free(release);
}

void SlabAllocator::Unref(ItemHandle h, ItemHeader* it) {
  if (it->refcount.fetch_sub(1, std::memory_order_acq_rel) == 1) Free(h);
}

uint32_t SlabAllocator::ChunksPerPage(ClassId cls) const {
  return classes_->IsSlabClass(cls) ? page_size_ / classes_->chunk_size(cls) : 1;
}

SlabAllocator::Usage SlabAllocator::UsageOf(ClassId cls) const {
  std::lock_guard lock(mu_);
  const ClassPool& pool = pools_[cls.v];
  Usage u;
  u.total_pages = pool.pages;
  if (!classes_->IsSlabClass(cls)) {
    u.total_chunks = pool.pages;
    u.bytes = pool.large_bytes;
    return u;
  }
  const uint32_t per_page = ChunksPerPage(cls);
  u.total_chunks = static_cast<uint64_t>(pool.pages) * per_page;
  u.free_chunks = pool.free_count + (pool.pages > 0 ? per_page - pool.carve_next : 0);
  u.bytes = static_cast<uint64_t>(pool.pages) * page_size_;
  return u;
}

uint64_t SlabAllocator::total_malloced() const {
  std::lock_guard lock(mu_);
  return malloced_;
}

void SlabAllocator::SetMaxBytes(uint64_t max_bytes) {
  std::lock_guard lock(mu_);
  max_bytes_ = max_bytes;
}

uint64_t SlabAllocator::max_bytes() const {
  std::lock_guard lock(mu_);
  return max_bytes_;
}

uint64_t SlabAllocator::BytesOverBudget() const {
  std::lock_guard lock(mu_);
  return malloced_ > max_bytes_ ? malloced_ - max_bytes_ : 0;
}

uint64_t SlabAllocator::malloc_fails() const {
  std::lock_guard lock(mu_);
  return malloc_fails_;
}

}  // namespace slabd::slab
