// Reservation (see reservation.h).
#include "slab/reservation.h"

#include <utility>

#include "slab/slab_allocator.h"

namespace slabd::slab {

Reservation::Reservation(Reservation&& other) noexcept
    : allocator_(std::exchange(other.allocator_, nullptr)),
      handle_(std::exchange(other.handle_, ItemHandle{})),
      item_(std::exchange(other.item_, nullptr)),
      class_id_(other.class_id_),
      hash_(other.hash_) {}

Reservation& Reservation::operator=(Reservation&& other) noexcept {
  if (this != &other) {
    Reset();
    allocator_ = std::exchange(other.allocator_, nullptr);
    handle_ = std::exchange(other.handle_, ItemHandle{});
    item_ = std::exchange(other.item_, nullptr);
    class_id_ = other.class_id_;
    hash_ = other.hash_;
  }
  return *this;
}

void Reservation::Reset() {
  if (item_ == nullptr) return;
  allocator_->Unref(handle_, item_, allocator_->ShardOfHash(hash_));
  Release();
}

void Reservation::Release() {
  allocator_ = nullptr;
  handle_ = ItemHandle{};
  item_ = nullptr;
}

}  // namespace slabd::slab
