// ItemRef: an RAII read reference to a linked (or just unlinked) item.
//
// Holding an ItemRef holds one refcount on the item, so its key and value bytes stay valid and
// unchanged after the item is deleted, overwritten or evicted, until the ItemRef is destroyed
// or Reset(). Values are immutable while any ItemRef exists (incr/decr rewrites in place only
// when nobody holds one). The metadata accessors return a snapshot taken when the reference was
// acquired (under the item lock), so they never race with a concurrent touch.
//
// Movable, not copyable. Thread safety: one ItemRef is used by one thread at a time; different
// ItemRefs to the same item may be used and destroyed concurrently.
#ifndef SLABD_SLAB_ITEM_REF_H_
#define SLABD_SLAB_ITEM_REF_H_

#include <cstdint>
#include <string_view>

#include "slab/clock.h"
#include "slab/item_header.h"
#include "slab/size_class_table.h"

namespace slabd::slab {

class SlabAllocator;

// Item metadata as seen at the moment the reference was taken.
struct ItemSnapshot {
  uint32_t flags = 0;
  uint64_t cas = 0;            // 0 when the store runs without CAS (-C)
  RelTime exptime = 0;         // 0 = never (after a gat: the new exptime)
  RelTime last_access = 0;     // before this access
  bool fetched_before = false; // before this access
  ClassId class_id;
  uint32_t total_size = 0;     // header + key + value, as counted in `bytes`
  bool key_binary = false;     // the key came base64-encoded (meta `b`)
};

class ItemRef {
 public:
  ItemRef() = default;
  ItemRef(ItemRef&& other) noexcept;
  ItemRef& operator=(ItemRef&& other) noexcept;
  ItemRef(const ItemRef&) = delete;
  ItemRef& operator=(const ItemRef&) = delete;
  ~ItemRef() { Reset(); }

  explicit operator bool() const { return item_ != nullptr; }

  // REQUIRE: *this.
  std::string_view key() const { return item_->key(); }
  std::string_view value() const { return item_->value(); }  // contiguous
  uint32_t flags() const { return snap_.flags; }
  uint64_t cas() const { return snap_.cas; }
  RelTime exptime() const { return snap_.exptime; }
  RelTime last_access() const { return snap_.last_access; }
  bool fetched_before() const { return snap_.fetched_before; }
  ClassId class_id() const { return snap_.class_id; }
  uint32_t total_size() const { return snap_.total_size; }
  bool key_binary() const { return snap_.key_binary; }
  const ItemSnapshot& snapshot() const { return snap_; }

  // Drops the reference (frees the item if it was unlinked and this was the last one).
  void Reset();

 private:
  friend class Store;
  ItemRef(SlabAllocator* allocator, ItemHandle handle, ItemHeader* item, const ItemSnapshot& snap)
      : allocator_(allocator), handle_(handle), item_(item), snap_(snap) {}

  SlabAllocator* allocator_ = nullptr;
  ItemHandle handle_;
  ItemHeader* item_ = nullptr;
  ItemSnapshot snap_;
};

}  // namespace slabd::slab

#endif  // SLABD_SLAB_ITEM_REF_H_
