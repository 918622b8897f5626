// SizeClassTable: the slab class chunk sizes, and which class an item of a given size uses.
//
// Class ids: 0 means "no class". Slab classes are 1..n, chunk sizes strictly increasing, each a
// multiple of 8: the first is roundup8(sizeof(ItemHeader) + min_chunk) (88 by default), each next
// is roundup8(previous * growth_factor) (at least previous + 8), stopping once a size would
// reach slab_chunk_max / growth_factor; the last class is exactly slab_chunk_max. Items bigger
// than slab_chunk_max are "large items": they all share the id n + 1 (large_class()), which has
// no chunk size. At most kMaxSlabClasses slab classes, so every id (large included) fits a u8
// and arrays indexed by ClassId::v need kMaxClassIds entries.
//
// Immutable after construction; safe to read from any thread.
#ifndef SLABD_SLAB_SIZE_CLASS_TABLE_H_
#define SLABD_SLAB_SIZE_CLASS_TABLE_H_

#include <cstdint>
#include <span>
#include <vector>

namespace slabd::slab {

struct ClassId {
  uint8_t v = 0;
  friend bool operator==(ClassId, ClassId) = default;
};

inline constexpr int kMaxClassIds = 256;     // array size for anything indexed by ClassId::v
inline constexpr int kMaxSlabClasses = 254;  // slab ids 1..254, large id <= 255
inline constexpr uint32_t kChunkAlign = 8;

class SizeClassTable {
 public:
  // REQUIRES: growth_factor > 1, first_size <= slab_chunk_max.
  SizeClassTable(uint32_t first_size, uint32_t slab_chunk_max, double growth_factor);

  int num_slab_classes() const { return static_cast<int>(sizes_.size()); }
  ClassId large_class() const { return ClassId{static_cast<uint8_t>(sizes_.size() + 1)}; }
  bool IsSlabClass(ClassId c) const { return c.v >= 1 && c.v <= sizes_.size(); }
  uint32_t slab_chunk_max() const { return sizes_.back(); }

  // REQUIRES: IsSlabClass(c).
  uint32_t chunk_size(ClassId c) const { return sizes_[c.v - 1]; }

  // The smallest slab class whose chunk holds `total` bytes, or large_class() if none does.
  ClassId ClassFor(uint64_t total) const;

  // sizes()[i] is the chunk size of class i + 1.
  std::span<const uint32_t> sizes() const { return sizes_; }

 private:
  std::vector<uint32_t> sizes_;
};

}  // namespace slabd::slab

#endif  // SLABD_SLAB_SIZE_CLASS_TABLE_H_
