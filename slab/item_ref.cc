// ItemRef (see item_ref.h).
#include "slab/item_ref.h"

#include <utility>

#include "slab/slab_allocator.h"

namespace slabd::slab {

ItemRef::ItemRef(ItemRef&& other) noexcept
    : allocator_(std::exchange(other.allocator_, nullptr)),
      handle_(std::exchange(other.handle_, ItemHandle{})),
      item_(std::exchange(other.item_, nullptr)),
      snap_(other.snap_) {}

ItemRef& ItemRef::operator=(ItemRef&& other) noexcept {
  if (this != &other) {
    Reset();
    allocator_ = std::exchange(other.allocator_, nullptr);
    handle_ = std::exchange(other.handle_, ItemHandle{});
    item_ = std::exchange(other.item_, nullptr);
    snap_ = other.snap_;
  }
  return *this;
}

void ItemRef::Reset() {
  if (item_ == nullptr) return;
  allocator_->Unref(handle_, item_);
  allocator_ = nullptr;
  handle_ = ItemHandle{};
  item_ = nullptr;
}

}  // namespace slabd::slab
