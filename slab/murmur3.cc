// MurmurHash3_x86_32 (see murmur3.h). Blocks are read with memcpy so unaligned keys are fine and
// the result does not depend on alignment; the byte order is little-endian as on every target
// slabd builds for (checked below).
#include "slab/murmur3.h"

#include <bit>
#include <cstring>

namespace slabd::slab {
namespace {

static_assert(std::endian::native == std::endian::little,
              "Murmur3Hash32 reads blocks in native order; add a byte swap for big-endian");

constexpr uint32_t kC1 = 0xcc9e2d51;
constexpr uint32_t kC2 = 0x1b873593;

uint32_t MixBlock(uint32_t k) {
  k *= kC1;
  k = std::rotl(k, 15);
  return k * kC2;
}

uint32_t FinalMix(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  h ^= h >> 16;
  return h;
}

}  // namespace

uint32_t Murmur3Hash32(const void* data, size_t len, uint32_t seed) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  const size_t nblocks = len / 4;
  uint32_t h = seed;
  for (size_t i = 0; i < nblocks; ++i) {
    uint32_t k;
    std::memcpy(&k, bytes + i * 4, sizeof(k));
    h ^= MixBlock(k);
    h = std::rotl(h, 13);
    h = h * 5 + 0xe6546b64;
  }
  const unsigned char* tail = bytes + nblocks * 4;
  uint32_t k = 0;
  switch (len & 3) {
    case 3:
      k ^= static_cast<uint32_t>(tail[2]) << 16;
      [[fallthrough]];
    case 2:
      k ^= static_cast<uint32_t>(tail[1]) << 8;
      [[fallthrough]];
    case 1:
      k ^= tail[0];
      h ^= MixBlock(k);
  }
  h ^= static_cast<uint32_t>(len);
  return FinalMix(h);
}

}  // namespace slabd::slab
