// PageArena: the memory of slab pages, taken from the OS in regions that transparent huge
// pages can back.
//
// A slab page (1 MB by default) is one or a few 4 KB pages short of what a random item lookup
// needs: with 100k small items spread over 20 MB of pages, nearly every lookup also misses the
// TLB, and under a hypervisor a TLB miss is a two-level page walk. So pages are carved from
// 2 MB-aligned regions marked MADV_HUGEPAGE (the kernel's default THP mode, "madvise", backs
// exactly those with 2 MB pages; with THP "never" the advice is ignored and nothing else
// changes). A region holds RoundUp(page_size, 2 MB) / page_size slab pages; when page_size
// neither divides 2 MB nor is a multiple of it, regions are page_size long and not advised
// (a huge page would then straddle memory no slab page uses).
//
// Memory is committed by the kernel on first touch, as before, but in 2 MB steps: RSS may run
// up to one region ahead of the pages handed out. Pages are never returned one by one (slab
// pages never leave their class); every region is unmapped at destruction.
//
// Thread safety: none; the allocator calls Take() under its global lock.
#ifndef SLABD_SLAB_PAGE_ARENA_H_
#define SLABD_SLAB_PAGE_ARENA_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace slabd::slab {

class PageArena {
 public:
  static constexpr size_t kHugePage = 2u << 20;

  explicit PageArena(uint32_t page_size);
  ~PageArena();
  PageArena(const PageArena&) = delete;
  PageArena& operator=(const PageArena&) = delete;

  // A page_size block aligned to at least 4 KB (to 2 MB when it starts a region), or
  // nullptr when the OS refuses memory.
  void* Take();

  bool huge_advised() const { return huge_; }
  size_t region_bytes() const { return region_bytes_; }

 private:
  struct Region {
    void* base;
    size_t bytes;
  };
  bool NewRegion();

  const size_t page_size_;
  bool huge_;
  size_t region_bytes_;
  size_t pages_per_region_;
  char* current_ = nullptr;  // the newest region
  size_t taken_ = 0;         // pages handed out from it
  std::vector<Region> regions_;
};

}  // namespace slabd::slab

#endif  // SLABD_SLAB_PAGE_ARENA_H_
