// KeyList splitting. memchr finds the end of each key so a 10000-key multiget is split at
// memory speed; no state besides three pointers is kept.
#include "proto/key_list.h"

#include <cstring>

namespace slabd::proto {

void KeyList::Iterator::Seek(const char* from) {
  while (from != end_ && *from == ' ') ++from;
  token_ = from;
  if (from == end_) {
    length_ = 0;
    return;
  }
  const void* space = std::memchr(from, ' ', static_cast<size_t>(end_ - from));
  const char* stop = space != nullptr ? static_cast<const char*>(space) : end_;
  length_ = static_cast<size_t>(stop - from);
}

size_t KeyList::Count() const {
  size_t count = 0;
  for (auto it = begin(); it != end(); ++it) ++count;
  return count;
}

}  // namespace slabd::proto
