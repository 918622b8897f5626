// ReadBuffer (see read_buffer.h).
#include "src/read_buffer.h"

#include <cstring>

namespace slabd::server {

void ReadBuffer::Allocate(size_t capacity) {
  std::unique_ptr<char[]> fresh(new char[capacity]);
  size_t n = end_ - start_;
  if (n > 0) std::memcpy(fresh.get(), buf_.get() + start_, n);
  buf_ = std::move(fresh);
  capacity_ = capacity;
  start_ = 0;
  end_ = n;
}

void ReadBuffer::Compact() {
  if (start_ == 0) return;
  size_t n = end_ - start_;
  std::memmove(buf_.get(), buf_.get() + start_, n);
  start_ = 0;
  end_ = n;
}

char* ReadBuffer::WritePtr() {
  if (buf_ == nullptr) Allocate(kBaseSize);
  if (start_ > 0 && capacity_ - end_ < kBaseSize / 4) Compact();
  return buf_.get() + end_;
}

bool ReadBuffer::Grow(size_t limit) {
  if (capacity_ >= limit) return false;
  Compact();
  Allocate(capacity_ * 2 < limit ? capacity_ * 2 : limit);
  return true;
}

void ReadBuffer::Shrink() {
  if (capacity_ > kBaseSize && end_ - start_ <= kBaseSize) Allocate(kBaseSize);
}

}  // namespace slabd::server
