// SlabAllocator: item memory. Slab pages cut into per-class chunks, large items in their own
// allocations, the memory budget (-m, changeable at run time), and the page table that turns
// ItemHandles into pointers.
//
// Pages (page_size, 1 MB by default) are taken lazily from a PageArena (2 MB regions that
// transparent huge pages may back, for fewer TLB misses per lookup; see page_arena.h) and
// each belongs to one slab class for life (there is no rebalancer yet, so pages are never
// returned before destruction). A class carves chunks from its newest page on demand (so
// untouched memory costs no RSS, counted in 2 MB steps where huge pages back it) and reuses
// freed chunks from its freelist first. A new page is taken while total_malloced + page_size <=
// max_bytes; a class with no page yet always gets its first one (as memcached does).
//
// Large items (bigger than the last slab class) are one contiguous malloc each, charged at their
// size rounded up to 4096, allowed while total_malloced + charge <= max_bytes. The large class's
// equivalent of "the first page": while no large item is allocated at all, one is allowed over
// the budget, so a budget filled by slab pages (which never move) cannot starve large items
// forever. At most one large item is ever over budget this way (at most item_size_max bytes).
//
// SetMaxBytes changes the budget (cache_memlimit). Raising it lets new pages be taken; lowering
// it frees nothing (pages holding items never move) but stops new pages and makes large items
// evict to fit, because every check above reads the current value.
//
// Handles: slot << chunk_bits | chunk, where chunk_bits is just wide enough for the most chunks
// any page holds (14 bits for 1 MB pages and 88-byte chunks) and the slot indexes the page table
// (one entry per page, one per live large item). Slot 0 is never used, so handle 0 is "none".
// The page table starts sized for the initial budget and doubles when a slot is needed beyond
// it (after a budget raise), up to what the slot bits address (2^18 slots with the defaults);
// past that allocation fails as OOM. A doubling copies the entries into a
// new array and publishes it with a release store; old arrays stay alive (unchanged) until
// destruction, so a lock-free reader holding a stale array still reads correct entries for
// every handle it can know, and they cost at most as much as the current one.
//
// The allocator never evicts: it answers "no memory" and the Store decides what to evict.
//
// Thread safety: two levels of locks, both inside every other lock of the engine (item lock ->
// LRU lock -> class lock -> mu_).
//  * Each slab class has its own mutex (ClassPool::mu, on its own cache lines) guarding its
//    freelist, free count, page count and carve position. AllocChunk and Free/Unref of a slab
//    chunk take only that lock, so a set that reuses or carves a chunk of its class never touches
//    a global line.
//  * mu_ guards the budget, malloced_/malloc_fails_, page-table writes, slot recycling and the
//    large-item counts. AllocChunk takes it (nested, class lock -> mu_) only when its class needs
//    a new page; AllocLarge, Free of a large item and the budget/counter accessors take it alone.
//    Never take a class lock while holding mu_.
// Resolve/ClassOf read the page table without a lock: an entry is written (under mu_) before its
// handle is handed out, and every handle reaches another thread through a lock hand-off, which
// also orders the load of the current table after the store that published it. Free uses the
// same lock-free read to find the class of the chunk it returns.
#ifndef SLABD_SLAB_SLAB_ALLOCATOR_H_
#define SLABD_SLAB_SLAB_ALLOCATOR_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "slab/item_header.h"
#include "slab/page_arena.h"
#include "slab/size_class_table.h"
#include "slab/spin_lock.h"

namespace slabd::slab {

inline constexpr uint32_t kLargeItemGranularity = 4096;

class SlabAllocator {
 public:
  // Per-class view for stats.
  struct Usage {
    uint64_t total_pages = 0;   // large class: live large items
    uint64_t total_chunks = 0;  // large class: live large items
    uint64_t free_chunks = 0;   // freelist + not yet carved chunks of the newest page
    uint64_t bytes = 0;         // memory held by this class (pages or large charges)
  };

  SlabAllocator(const SizeClassTable* classes, uint64_t max_bytes, uint32_t page_size,
                uint32_t item_size_max);
  ~SlabAllocator();
  SlabAllocator(const SlabAllocator&) = delete;
  SlabAllocator& operator=(const SlabAllocator&) = delete;

  // A chunk of slab class `cls`, or a null handle if the class has no free chunk and may not
  // take a page. The header is reset (refcount 0, bits 0).
  [[nodiscard]] ItemHandle AllocChunk(ClassId cls);
  // A large item of `total` bytes, or a null handle if it does not fit the budget while another
  // large item is allocated, or malloc failed. With no large item allocated it is allowed over
  // the budget (the large class's "first page").
  [[nodiscard]] ItemHandle AllocLarge(uint64_t total);
  // Returns the memory of an item whose refcount reached 0.
  void Free(ItemHandle h);
  // Drops one reference; frees the item when it was the last one.
  void Unref(ItemHandle h, ItemHeader* it);

  ItemHeader* Resolve(ItemHandle h) const {
    const PageEntry& e = pages_.load(std::memory_order_acquire)[h.v >> chunk_bits_];
    return reinterpret_cast<ItemHeader*>(e.base + static_cast<uint64_t>(h.v & chunk_mask_) *
                                                      e.chunk_size);
  }
  ClassId ClassOf(ItemHandle h) const {
    return pages_.load(std::memory_order_acquire)[h.v >> chunk_bits_].cls;
  }

  Usage UsageOf(ClassId cls) const;
  uint32_t ChunksPerPage(ClassId cls) const;
  uint64_t total_malloced() const;
  uint64_t malloc_fails() const;
  // The budget (-m / cache_memlimit). Takes effect for the next allocation.
  void SetMaxBytes(uint64_t max_bytes);
  uint64_t max_bytes() const;
  // How far total_malloced is above the budget (0 if within it).
  uint64_t BytesOverBudget() const;
  uint32_t page_size() const { return page_size_; }

 private:
  struct PageEntry {
    char* base = nullptr;
    uint32_t chunk_size = 0;  // large items: the charged size
    ClassId cls;
  };
  // One slab class's chunks, aligned to a 64-byte cache line so that no two classes share
  // one (the freelists of different classes do not false-share). Fields other than mu and per_page are GUARDED_BY(mu);
  // per_page is set at construction.
  struct alignas(64) ClassPool {
    mutable SpinLock mu;  // slab/spin_lock.h: why not std::mutex
    ItemHandle free_head;     // freelist linked through ItemHeader::h_next
    uint32_t pages = 0;
    uint64_t free_count = 0;
    uint32_t carve_slot = 0;  // newest page; chunks [carve_next, per_page) never handed out
    uint32_t carve_next = 0;
    uint32_t per_page = 0;    // chunks per page
  };

  ItemHandle MakeHandle(uint32_t slot, uint32_t chunk) const {
    return ItemHandle{(slot << chunk_bits_) | chunk};
  }
  // REQUIRES: pool.mu held, mu_ not held (takes it).
  bool NewPage(ClassId cls, ClassPool& pool);
  void FreeLarge(uint32_t slot);  // REQUIRES: mu_ not held (takes it)
  uint32_t TakeSlotLocked();      // REQUIRES: mu_ held; 0 if full
  bool GrowPageTableLocked();     // REQUIRES: mu_ held; false if at the cap
  PageEntry* table() const { return pages_.load(std::memory_order_relaxed); }

  const SizeClassTable* classes_;
  const uint32_t page_size_;
  uint32_t chunk_bits_ = 0;
  uint32_t chunk_mask_ = 0;
  uint32_t addressable_slots_ = 0;  // what the slot bits can name: the page table's cap
  // The current page table (the last of tables_). Entries GUARDED_BY(mu_) for writes.
  std::atomic<PageEntry*> pages_{nullptr};

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<PageEntry[]>> tables_;  // GUARDED_BY(mu_), every generation
  uint32_t slot_capacity_ = 0;            // GUARDED_BY(mu_), entries in the current table
  uint64_t max_bytes_;                    // GUARDED_BY(mu_)
  uint64_t large_items_ = 0;              // GUARDED_BY(mu_), live large items
  uint64_t large_bytes_ = 0;              // GUARDED_BY(mu_), their charges
  std::vector<uint32_t> free_slots_;      // GUARDED_BY(mu_), recycled large-item slots
  uint32_t next_slot_ = 1;                // GUARDED_BY(mu_)
  uint64_t malloced_ = 0;                 // GUARDED_BY(mu_)
  PageArena arena_;                       // GUARDED_BY(mu_)
  uint64_t malloc_fails_ = 0;             // GUARDED_BY(mu_)

  // Indexed by ClassId::v (slab classes 1..n; entry 0 unused). Each entry has its own lock.
  std::unique_ptr<ClassPool[]> pools_;
};

}  // namespace slabd::slab

#endif  // SLABD_SLAB_SLAB_ALLOCATOR_H_
