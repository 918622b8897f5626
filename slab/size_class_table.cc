// SizeClassTable construction and lookup (see size_class_table.h).
#include "slab/size_class_table.h"

#include <algorithm>
#include <cassert>

namespace slabd::slab {
namespace {

uint64_t RoundUp8(uint64_t n) { return (n + kChunkAlign - 1) / kChunkAlign * kChunkAlign; }

}  // namespace

SizeClassTable::SizeClassTable(uint32_t first_size, uint32_t slab_chunk_max,
                               double growth_factor) {
  assert(growth_factor > 1.0);
  assert(slab_chunk_max % kChunkAlign == 0);
  uint64_t size = RoundUp8(first_size);
  while (sizes_.size() + 1 < static_cast<size_t>(kMaxSlabClasses) &&
         static_cast<double>(size) <= slab_chunk_max / growth_factor) {
    sizes_.push_back(static_cast<uint32_t>(size));
    const double scaled = static_cast<double>(size) * growth_factor;
    const uint64_t grown = RoundUp8(static_cast<uint64_t>(scaled));
    size = std::max(grown, size + kChunkAlign);
  }
  sizes_.push_back(slab_chunk_max);
}

ClassId SizeClassTable::ClassFor(uint64_t total) const {
  if (total > sizes_.back()) return large_class();
  const auto it = std::lower_bound(sizes_.begin(), sizes_.end(), total);
  return ClassId{static_cast<uint8_t>(it - sizes_.begin() + 1)};
}

}  // namespace slabd::slab
