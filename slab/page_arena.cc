// PageArena (see page_arena.h).
#include "slab/page_arena.h"

#include <sys/mman.h>

#include <cstdint>

namespace slabd::slab {

PageArena::PageArena(uint32_t page_size) : page_size_(page_size) {
  huge_ = page_size_ > 0 && (kHugePage % page_size_ == 0 || page_size_ % kHugePage == 0);
  region_bytes_ = huge_ ? (page_size_ + kHugePage - 1) / kHugePage * kHugePage : page_size_;
  pages_per_region_ = page_size_ == 0 ? 0 : region_bytes_ / page_size_;
}

PageArena::~PageArena() {
  for (const Region& r : regions_) munmap(r.base, r.bytes);
}

bool PageArena::NewRegion() {
  if (!huge_) {
    void* mem = mmap(nullptr, region_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                     -1, 0);
    if (mem == MAP_FAILED) return false;
    regions_.push_back({mem, region_bytes_});
    current_ = static_cast<char*>(mem);
    taken_ = 0;
    return true;
  }
  // Over-map by one huge page and trim both ends to get 2 MB alignment.
  const size_t span = region_bytes_ + kHugePage;
  void* raw = mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return false;
  const uintptr_t start = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = (start + kHugePage - 1) & ~(uintptr_t{kHugePage} - 1);
  if (aligned > start) munmap(raw, aligned - start);
  const uintptr_t end = start + span;
  if (end > aligned + region_bytes_) munmap(reinterpret_cast<void*>(aligned + region_bytes_),
                                            end - aligned - region_bytes_);
  void* mem = reinterpret_cast<void*>(aligned);
  // Only advice: an error (a kernel without THP) leaves ordinary pages.
  madvise(mem, region_bytes_, MADV_HUGEPAGE);
  regions_.push_back({mem, region_bytes_});
  current_ = static_cast<char*>(mem);
  taken_ = 0;
  return true;
}

void* PageArena::Take() {
  if (page_size_ == 0) return nullptr;
  if (current_ == nullptr || taken_ == pages_per_region_) {
    if (!NewRegion()) return nullptr;
  }
  return current_ + page_size_ * taken_++;
}

}  // namespace slabd::slab
