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
// Shards: each slab class's free chunks are kept in 2^shard_power freelists (the Store's LRU
// shards: it passes the shard of the key's hash), so sets of one value size on different cores
// do not meet on one lock. A freed chunk goes to the freelist of the shard it is freed for (the
// key's, so an overwrite returns the old chunk to the list its replacement came from); frees
// that do not know their key (the last ItemRef of an overwritten item) pick a shard by page.
// AllocChunk tries its shard's list, then takes a chunk from any other shard's list that has
// one (so no free chunk is ever left unused while the class takes a page or the Store evicts),
// then carves. With shard_power 0 this is the single freelist of before.
//
// Thread safety: three levels of locks, all inside every other lock of the engine (item lock ->
// LRU lock -> freelist lock -> class lock -> mu_).
//  * Each (class, shard) freelist has its own spin lock (FreeList::mu, on its own cache line)
//    guarding its list; its count is atomic so other shards can skip an empty list unlocked.
//    AllocChunk that finds a chunk and Free of a slab chunk take only that lock.
//  * Each slab class has its own lock (ClassPool::mu, its own cache line) guarding its page
//    count and carve position, taken only to carve (the lists were empty).
//  * mu_ guards the budget, malloced_/malloc_fails_, page-table writes, slot recycling and the
//    large-item counts. AllocChunk takes it (nested, class lock -> mu_) only when its class needs
//    a new page and an unlocked read of the budget says one may fit; AllocLarge, Free of a large
//    item and the budget/counter accessors take it alone. Never take a class or freelist lock
//    while holding mu_, and never two freelist locks at once.
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

  // Free with no shard known: the allocator picks one by page.
  static constexpr uint32_t kAnyShard = UINT32_MAX;
  static constexpr int kMaxShardPower = 6;

  // shard_power: 2^n freelists per slab class (clamped to 0..kMaxShardPower).
  SlabAllocator(const SizeClassTable* classes, uint64_t max_bytes, uint32_t page_size,
                uint32_t item_size_max, int shard_power = 0);
  ~SlabAllocator();
  SlabAllocator(const SlabAllocator&) = delete;
  SlabAllocator& operator=(const SlabAllocator&) = delete;

  // A chunk of slab class `cls`, from `shard`'s freelist first (shard < shards()), or a null
  // handle if the class has no free chunk in any shard and may not take a page. The header is
  // reset (refcount 0, bits 0).
  [[nodiscard]] ItemHandle AllocChunk(ClassId cls, uint32_t shard = 0);
  // A large item of `total` bytes, or a null handle if it does not fit the budget while another
  // large item is allocated, or malloc failed. With no large item allocated it is allowed over
  // the budget (the large class's "first page").
  [[nodiscard]] ItemHandle AllocLarge(uint64_t total);
  // Returns the memory of an item whose refcount reached 0, to `shard`'s freelist.
  void Free(ItemHandle h, uint32_t shard = kAnyShard);
  // Drops one reference; frees the item (to `shard`) when it was the last one.
  void Unref(ItemHandle h, ItemHeader* it, uint32_t shard = kAnyShard) {
    if (it->refcount.fetch_sub(1, std::memory_order_acq_rel) == 1) Free(h, shard);
  }
  // Drops one reference to a slab chunk; when it was the last one, returns the chunk reset as
  // if AllocChunk had handed it out (the evictor gives its victim straight to the allocation
  // that needed it, without a trip through a freelist). Null if a reference remains.
  [[nodiscard]] ItemHandle UnrefForReuse(ItemHandle h, ItemHeader* it);
  uint32_t shards() const { return shard_mask_ + 1; }
  // The shard of a key whose HashKey() is `hash`: its top shard_power bits. The Store's LRU
  // shards use the same function, so a key's chunk and its LRU entry share a shard.
  uint32_t ShardOfHash(uint32_t hash) const {
    return static_cast<uint32_t>((uint64_t{hash} << shard_power_) >> 32);
  }

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
  // One shard of a slab class's free chunks, on its own 64-byte cache line. head is
  // GUARDED_BY(mu); count is written under mu and read without it as a hint.
  struct alignas(64) FreeList {
    mutable SpinLock mu;  // slab/spin_lock.h: why not std::mutex
    ItemHandle head;      // linked through ItemHeader::h_next
    std::atomic<uint64_t> count{0};
  };
  // One slab class's pages and carve position, on its own cache line. Fields other than mu and
  // per_page are GUARDED_BY(mu); per_page is set at construction.
  struct alignas(64) ClassPool {
    mutable SpinLock mu;
    uint32_t pages = 0;
    uint32_t carve_slot = 0;  // newest page; chunks [carve_next, per_page) never handed out
    uint32_t carve_next = 0;
    uint32_t per_page = 0;    // chunks per page
  };

  ItemHandle MakeHandle(uint32_t slot, uint32_t chunk) const {
    return ItemHandle{(slot << chunk_bits_) | chunk};
  }
  FreeList& ListOf(ClassId cls, uint32_t shard) const {
    return lists_[(static_cast<size_t>(cls.v) << shard_power_) + shard];
  }
  // Pops one chunk from `list` (under its lock); null if it is empty.
  ItemHandle PopFree(FreeList& list);
  // AllocChunk's slow path: `shard`'s list was empty.
  ItemHandle AllocFromOtherShardsOrCarve(ClassId cls, uint32_t shard);
  // REQUIRES: pool.mu held, mu_ not held (takes it).
  bool NewPage(ClassId cls, ClassPool& pool);
  void FreeLarge(uint32_t slot);  // REQUIRES: mu_ not held (takes it)
  uint32_t TakeSlotLocked();      // REQUIRES: mu_ held; 0 if full
  bool GrowPageTableLocked();     // REQUIRES: mu_ held; false if at the cap
  PageEntry* table() const { return pages_.load(std::memory_order_relaxed); }

  const SizeClassTable* classes_;
  const uint32_t page_size_;
  const int shard_power_;
  const uint32_t shard_mask_;
  uint32_t chunk_bits_ = 0;
  uint32_t chunk_mask_ = 0;
  uint32_t addressable_slots_ = 0;  // what the slot bits can name: the page table's cap
  // The current page table (the last of tables_). Entries GUARDED_BY(mu_) for writes.
  std::atomic<PageEntry*> pages_{nullptr};

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<PageEntry[]>> tables_;  // GUARDED_BY(mu_), every generation
  uint32_t slot_capacity_ = 0;            // GUARDED_BY(mu_), entries in the current table
  // Written under mu_; NewPage reads both unlocked first, so a full cache sends every
  // allocation that found no free chunk to the evictor without taking mu_.
  std::atomic<uint64_t> max_bytes_;
  uint64_t large_items_ = 0;              // GUARDED_BY(mu_), live large items
  uint64_t large_bytes_ = 0;              // GUARDED_BY(mu_), their charges
  std::vector<uint32_t> free_slots_;      // GUARDED_BY(mu_), recycled large-item slots
  uint32_t next_slot_ = 1;                // GUARDED_BY(mu_)
  std::atomic<uint64_t> malloced_{0};
  PageArena arena_;                       // GUARDED_BY(mu_)
  uint64_t malloc_fails_ = 0;             // GUARDED_BY(mu_)

  // Indexed by ClassId::v (slab classes 1..n; entry 0 unused). Each entry has its own lock.
  std::unique_ptr<ClassPool[]> pools_;
  // Indexed by ClassId::v << shard_power_ | shard. Each entry has its own lock.
  std::unique_ptr<FreeList[]> lists_;
};

}  // namespace slabd::slab

#endif  // SLABD_SLAB_SLAB_ALLOCATOR_H_
