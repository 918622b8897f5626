// HashHints: hashes computed ahead of time for keys of the input a worker is about to execute.
//
// Worker::RunDeferred plans the keys of every connection that read in a loop turn, hashes
// each once and prefetches them; while a connection executes, its planned keys and their
// hashes are set here, in input order. A lookup (text, meta or binary) whose key is one of
// these views, at the same address and with the same length, takes the hash instead of
// hashing again; any other key is hashed. The views are only compared, never read, so a
// stale or wrong view can cost a hash but never change a result. Hinted keys that no lookup
// asks for (a set's key, a command after a yield) are passed over by address.
//
// Thread safety: one per worker (in its WorkerShared), used on the worker thread only.
#ifndef SLABD_SRC_HASH_HINTS_H_
#define SLABD_SRC_HASH_HINTS_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "slab/murmur3.h"

namespace slabd::server {

class HashHints {
 public:
  // `hashes[i]` is HashKey(keys[i]); both outlive the hints. Cleared with an empty span
  // before the input can change.
  void Set(std::span<const std::string_view> keys, const uint32_t* hashes) {
    keys_ = keys;
    hashes_ = hashes;
    next_ = 0;
  }
  void Clear() { Set({}, nullptr); }

  // HashKey(key), from the hints when `key` is the next hinted view.
  uint32_t HashOf(std::string_view key) {
    while (next_ < keys_.size() && keys_[next_].data() < key.data()) ++next_;
    if (next_ < keys_.size() && keys_[next_].data() == key.data() &&
        keys_[next_].size() == key.size()) {
      return hashes_[next_++];
    }
    return slab::HashKey(key);
  }

 private:
  std::span<const std::string_view> keys_;
  const uint32_t* hashes_ = nullptr;
  size_t next_ = 0;
};

}  // namespace slabd::server

#endif  // SLABD_SRC_HASH_HINTS_H_
