// ReadBuffer and ReadBufferPool (see read_buffer.h).
#include "src/read_buffer.h"

#include <cstring>

namespace slabd::server {

std::unique_ptr<char[]> ReadBufferPool::Take() {
  if (spare_.empty()) return std::unique_ptr<char[]>(new char[ReadBuffer::kBaseSize]);
  std::unique_ptr<char[]> b = std::move(spare_.back());
  spare_.pop_back();
  return b;
}

void ReadBufferPool::Give(std::unique_ptr<char[]> buffer) {
  if (spare_.size() < kMaxSpare) spare_.push_back(std::move(buffer));
}

void ReadBuffer::Allocate(size_t capacity) {
  std::unique_ptr<char[]> fresh;
  if (capacity == kBaseSize && pool_ != nullptr) {
    fresh = pool_->Take();
  } else {
    fresh.reset(new char[capacity]);
  }
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

void ReadBuffer::Release() {
  if (buf_ == nullptr || size() > 0) return;
  if (capacity_ == kBaseSize && pool_ != nullptr) {
    pool_->Give(std::move(buf_));
  } else {
    buf_.reset();
  }
  capacity_ = 0;
  start_ = end_ = 0;
}

}  // namespace slabd::server
