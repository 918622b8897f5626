// MurmurHash3_x86_32, the 32-bit hash the item hash table and the item-lock stripes are keyed by
// (memcached's default `hash_algorithm murmur3`). Written from the algorithm's public
// description; little-endian block reads, seed 0 unless given.
//
// Pure function: no state, safe from any thread, reads exactly `len` bytes.
#ifndef SLABD_SLAB_MURMUR3_H_
#define SLABD_SLAB_MURMUR3_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace slabd::slab {

[[nodiscard]] uint32_t Murmur3Hash32(const void* data, size_t len, uint32_t seed = 0);

[[nodiscard]] inline uint32_t HashKey(std::string_view key) {
  return Murmur3Hash32(key.data(), key.size());
}

}  // namespace slabd::slab

#endif  // SLABD_SLAB_MURMUR3_H_
