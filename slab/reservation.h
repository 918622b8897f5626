// Reservation: an allocated, not yet linked item being filled (the first phase of a two-phase
// store: Store::Reserve -> write the value as it arrives -> Store::Link).
//
// The key, flags and exptime are already in place; value() is the contiguous span of exactly
// value_len bytes to fill. Store::Link consumes the reservation; destroying one that was never
// linked (bad data chunk, closed connection) frees its memory. The reservation is invisible to
// every other thread until linked.
//
// Movable, not copyable; used by one thread at a time.
#ifndef SLABD_SLAB_RESERVATION_H_
#define SLABD_SLAB_RESERVATION_H_

#include <cstdint>
#include <span>
#include <string_view>

#include "slab/item_header.h"
#include "slab/size_class_table.h"

namespace slabd::slab {

class SlabAllocator;

class Reservation {
 public:
  Reservation() = default;
  Reservation(Reservation&& other) noexcept;
  Reservation& operator=(Reservation&& other) noexcept;
  Reservation(const Reservation&) = delete;
  Reservation& operator=(const Reservation&) = delete;
  ~Reservation() { Reset(); }

  explicit operator bool() const { return item_ != nullptr; }

  // REQUIRE: *this.
  std::span<char> value() { return {item_->value_data(), item_->value_len}; }
  std::string_view key() const { return item_->key(); }
  ClassId class_id() const { return class_id_; }
  uint32_t hash() const { return hash_; }  // HashKey(key()), computed once by Reserve
  uint32_t total_size() const { return static_cast<uint32_t>(item_->total_size()); }

  // Frees the unlinked item.
  void Reset();

 private:
  friend class Store;
  Reservation(SlabAllocator* allocator, ItemHandle handle, ItemHeader* item, ClassId cls,
              uint32_t hash)
      : allocator_(allocator), handle_(handle), item_(item), class_id_(cls), hash_(hash) {}
  // Gives up ownership without freeing (the hash table now holds the reference).
  void Release();

  SlabAllocator* allocator_ = nullptr;
  ItemHandle handle_;
  ItemHeader* item_ = nullptr;
  ClassId class_id_;
  uint32_t hash_ = 0;  // Reset frees the chunk to this key's shard
};

}  // namespace slabd::slab

#endif  // SLABD_SLAB_RESERVATION_H_
