// KeyTable: see key_table.h.
#include "src/bench/key_table.h"

#include <cstring>

namespace slabd::bench {

KeyTable::KeyTable(uint64_t count)
    : count_(count), keys_(std::make_unique<char[]>(count * kKeyLength)) {
  char* p = keys_.get();
  for (uint64_t i = 0; i < count; ++i, p += kKeyLength) {
    std::memcpy(p, "key:", 4);
    uint64_t v = i;
    for (int d = 13; d >= 4; --d) {
      p[d] = static_cast<char>('0' + v % 10);
      v /= 10;
    }
  }
}

}  // namespace slabd::bench
