// The in-memory layout of one item, and the 32-bit handles that name items.
//
// An item is an ItemHeader immediately followed by the key bytes and then the value bytes: no key
// NUL, no trailing "\r\n", no optional suffix. Total size = 40 + key_len + value_len, which is
// what `bytes`, `mem_requested` and ItemRef::total_size() count. The item lives in a slab chunk
// (or, for large items, in its own allocation); its class comes from the page table entry that
// its handle names, not from the header.
//
// Links between items are 32-bit ItemHandles rather than 8-byte pointers (see slab_allocator.h
// for the encoding), which is what keeps the header at 40 bytes including the CAS.
//
// Field ownership (who may touch what, see slab/README.md):
//   h_next                 hash chain; guarded by the item lock (stripe) of the item's hash.
//                          While the chunk is free it links the allocator's freelist instead.
//   lru_prev, lru_next     guarded by the LRU lock of the item's class.
//   last_access, exptime   written under the item lock; atomic (relaxed) because LRU-side
//                          readers (`stats items`, `stats cachedump`) read them holding only
//                          the LRU lock.
//   bits, cas              guarded by the item lock once linked.
//   client_flags, value_len, key bytes
//                          immutable once linked (except an in-place incr/decr rewrite, which
//                          happens only under the item lock with refcount == 1).
//   refcount               atomic; increments only under the item lock, decrements anywhere.
#ifndef SLABD_SLAB_ITEM_HEADER_H_
#define SLABD_SLAB_ITEM_HEADER_H_

#include <atomic>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

namespace slabd::slab {

// Names an item: (page-table slot << chunk_bits) | chunk index. 0 is "no item" (slot 0 is never
// used). Large items own a whole page-table slot and use chunk index 0.
struct ItemHandle {
  uint32_t v = 0;
  explicit operator bool() const { return v != 0; }
  friend bool operator==(ItemHandle, ItemHandle) = default;
};

// ItemHeader::bits
inline constexpr uint8_t kItemLinked = 1;   // in the hash table and an LRU; owns one ref
inline constexpr uint8_t kItemFetched = 2;  // read at least once since it was linked
inline constexpr uint8_t kItemActive = 4;   // read since the evictor last looked (second chance)
inline constexpr uint8_t kItemFree = 8;     // chunk is on a freelist (debug aid)
// Meta protocol state (memcached's ITEM_STALE, ITEM_TOKEN_SENT, ITEM_KEY_BINARY); kept when
// the item is linked.
inline constexpr uint8_t kItemStale = 16;      // marked stale (md I, ms I): serve, ask to recache
inline constexpr uint8_t kItemTokenSent = 32;  // a client was given the win token (W)
inline constexpr uint8_t kItemKeyBinary = 64;  // key was sent base64-encoded (b)
inline constexpr uint8_t kItemMetaBits = kItemStale | kItemTokenSent | kItemKeyBinary;

// Byte layout (little-endian, 40 bytes):
//
//   0        4        8        12       16       20       24       28   30  31  32
//   +--------+--------+--------+--------+--------+--------+--------+----+---+---+----------------+
//   | h_next |lru_prev|lru_next|last_acc|exptime | client | value  |ref |key|bit|   cas (u64)    |
//   | handle | handle | handle |RelTime |RelTime | flags  |  len   |cnt |len|s  |                |
//   +--------+--------+--------+--------+--------+--------+--------+----+---+---+----------------+
//   40: key bytes (key_len), then value bytes (value_len)
struct ItemHeader {
  ItemHandle h_next;
  ItemHandle lru_prev;  // toward the LRU head (more recent)
  ItemHandle lru_next;  // toward the LRU tail (older)
  std::atomic<uint32_t> last_access{0};
  std::atomic<uint32_t> exptime{0};
  uint32_t client_flags = 0;
  uint32_t value_len = 0;
  std::atomic<uint16_t> refcount{0};
  uint8_t key_len = 0;
  uint8_t bits = 0;
  uint64_t cas = 0;

  char* key_data() { return reinterpret_cast<char*>(this + 1); }
  const char* key_data() const { return reinterpret_cast<const char*>(this + 1); }
  char* value_data() { return key_data() + key_len; }
  const char* value_data() const { return key_data() + key_len; }
  std::string_view key() const { return {key_data(), key_len}; }
  std::string_view value() const { return {value_data(), value_len}; }
  bool HasKey(std::string_view k) const;
  uint64_t total_size() const { return TotalSize(key_len, value_len); }

  static constexpr uint64_t TotalSize(uint64_t key_len, uint64_t value_len) {
    return sizeof(ItemHeader) + key_len + value_len;
  }
};

static_assert(sizeof(ItemHeader) == 40, "item header must stay 40 bytes (CAS included)");
static_assert(std::is_standard_layout_v<ItemHeader>);
static_assert(std::atomic<uint32_t>::is_always_lock_free &&
              std::atomic<uint16_t>::is_always_lock_free);

inline constexpr uint32_t kItemHeaderSize = sizeof(ItemHeader);
inline constexpr uint32_t kMaxKeyLength = 250;     // KEY_MAX_LENGTH; key_len is a u8
inline constexpr uint16_t kMaxItemRefs = 60000;    // memcached limited_get: above -> miss

// Key equality without a call: keys are short (at most 250 bytes, typically under 32), where
// calling memcmp costs more than comparing. Up to 32 bytes, two or four overlapping 8-byte loads
// (never outside either key); shorter than 8 bytes, two overlapping 4-byte loads or bytes.
inline bool KeyEquals(std::string_view a, std::string_view b) {
  const size_t n = a.size();
  if (n != b.size()) return false;
  const char* p = a.data();
  const char* q = b.data();
  auto load8 = [](const char* s) {
    uint64_t v;
    std::memcpy(&v, s, 8);
    return v;
  };
  if (n >= 8) {
    if (n > 32) return std::memcmp(p, q, n) == 0;
    uint64_t diff = (load8(p) ^ load8(q)) | (load8(p + n - 8) ^ load8(q + n - 8));
    if (n > 16) diff |= (load8(p + 8) ^ load8(q + 8)) | (load8(p + n - 16) ^ load8(q + n - 16));
    return diff == 0;
  }
  if (n >= 4) {
    uint32_t a0, b0, a1, b1;
    std::memcpy(&a0, p, 4);
    std::memcpy(&b0, q, 4);
    std::memcpy(&a1, p + n - 4, 4);
    std::memcpy(&b1, q + n - 4, 4);
    return ((a0 ^ b0) | (a1 ^ b1)) == 0;
  }
  for (size_t i = 0; i < n; ++i)
    if (p[i] != q[i]) return false;
  return true;
}

inline bool ItemHeader::HasKey(std::string_view k) const { return KeyEquals(key(), k); }

}  // namespace slabd::slab

#endif  // SLABD_SLAB_ITEM_HEADER_H_
