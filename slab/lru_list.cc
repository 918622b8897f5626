// LruList (see lru_list.h).
#include "slab/lru_list.h"

#include <cassert>

namespace slabd::slab {

void LruList::PushHead(ItemHandle h) {
  ItemHeader* it = allocator_->Resolve(h);
  it->lru_prev = ItemHandle{};
  it->lru_next = head_;
  if (head_) allocator_->Resolve(head_)->lru_prev = h;
  head_ = h;
  if (!tail_) tail_ = h;
  ++size_;
}

void LruList::Remove(ItemHandle h) {
  assert(size_ > 0);
  ItemHeader* it = allocator_->Resolve(h);
  if (it->lru_prev) {
    allocator_->Resolve(it->lru_prev)->lru_next = it->lru_next;
  } else {
    assert(head_ == h);
    head_ = it->lru_next;
  }
  if (it->lru_next) {
    allocator_->Resolve(it->lru_next)->lru_prev = it->lru_prev;
  } else {
    assert(tail_ == h);
    tail_ = it->lru_prev;
  }
  it->lru_prev = it->lru_next = ItemHandle{};
  --size_;
}

void LruList::MoveToHead(ItemHandle h) {
  if (head_ == h) return;
  Remove(h);
  PushHead(h);
}

}  // namespace slabd::slab
