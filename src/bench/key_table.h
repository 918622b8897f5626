// KeyTable: every key of the key space, formatted once ("key:%010d", 14 bytes each).
//
// The request composer copies keys out of one contiguous array instead of formatting a
// number per request; 10^6 keys take 14 MB. Immutable after construction: one table is
// shared by all driver threads.
#ifndef SLABD_SRC_BENCH_KEY_TABLE_H_
#define SLABD_SRC_BENCH_KEY_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

namespace slabd::bench {

class KeyTable {
 public:
  static constexpr size_t kKeyLength = 14;     // "key:" + 10 digits
  static constexpr uint64_t kMaxKeys = 100'000'000;  // 1.4 GB of keys

  // REQUIRES: 1 <= count <= kMaxKeys.
  explicit KeyTable(uint64_t count);

  uint64_t count() const { return count_; }
  // REQUIRES: index < count().
  const char* KeyData(uint64_t index) const { return keys_.get() + index * kKeyLength; }
  std::string_view Key(uint64_t index) const { return {KeyData(index), kKeyLength}; }

 private:
  uint64_t count_;
  std::unique_ptr<char[]> keys_;
};

}  // namespace slabd::bench

#endif  // SLABD_SRC_BENCH_KEY_TABLE_H_
