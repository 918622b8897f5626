// LruList: one intrusive doubly-linked recency list of items, linked through
// ItemHeader::lru_prev/lru_next handles. The head is the most recently linked or rescued item,
// the tail the eviction candidate.
//
// This is a flat LRU with second chance: reads never touch the list (they only set the item's
// ACTIVE bit under the item lock); the evictor, walking from the tail, moves ACTIVE items back to
// the head once and clears the bit. There are no HOT/WARM/COLD segments and no maintainer or
// crawler thread (yet); expired items are reclaimed lazily or when they reach the tail.
//
// Thread safety: not synchronized. Every call REQUIRES the owning class's LRU lock (the Store
// keeps one list and one mutex per class). Items on the list are linked, so they stay allocated.
#ifndef SLABD_SLAB_LRU_LIST_H_
#define SLABD_SLAB_LRU_LIST_H_

#include <cstdint>

#include "slab/item_header.h"
#include "slab/slab_allocator.h"

namespace slabd::slab {

class LruList {
 public:
  explicit LruList(const SlabAllocator* allocator) : allocator_(allocator) {}

  void PushHead(ItemHandle h);
  void Remove(ItemHandle h);
  void MoveToHead(ItemHandle h);

  ItemHandle head() const { return head_; }
  ItemHandle tail() const { return tail_; }
  // The neighbour toward the head (the next eviction candidate after `h`).
  ItemHandle Prev(ItemHandle h) const { return allocator_->Resolve(h)->lru_prev; }
  // The neighbour toward the tail (the next older item, as `stats cachedump` walks).
  ItemHandle Next(ItemHandle h) const { return allocator_->Resolve(h)->lru_next; }
  uint64_t size() const { return size_; }

 private:
  const SlabAllocator* allocator_;
  ItemHandle head_;
  ItemHandle tail_;
  uint64_t size_ = 0;
};

}  // namespace slabd::slab

#endif  // SLABD_SLAB_LRU_LIST_H_
