// OutputQueue (see output_queue.h).
#include "src/output_queue.h"

#include <algorithm>
#include <cerrno>
#include <climits>

namespace slabd::server {
namespace {
constexpr size_t kMaxIov = IOV_MAX < 1024 ? IOV_MAX : 1024;
constexpr size_t kKeepCapacity = 64 * 1024;
}  // namespace

void OutputQueue::AppendValue(std::string_view value, slab::ItemRef&& item) {
  if (value.size() <= kCopyLimit) {
    buf_.append(value);
    return;  // `item` is released by its destructor here
  }
  CloseTextRun();
  segments_.push_back({value.data(), 0, value.size()});
  external_bytes_ += value.size();
  refs_.push_back(std::move(item));
}

void OutputQueue::CloseTextRun() {
  if (buf_.size() > run_start_) {
    segments_.push_back({nullptr, run_start_, buf_.size() - run_start_});
    run_start_ = buf_.size();
  }
}

uint64_t OutputQueue::pending_bytes() const {
  return buf_.size() + external_bytes_ - written_;
}

OutputQueue::WriteStatus OutputQueue::WriteTo(int fd, uint64_t* bytes_written) {
  CloseTextRun();
  while (seg_index_ < segments_.size()) {
    iov_.clear();
    for (size_t i = seg_index_; i < segments_.size() && iov_.size() < kMaxIov; ++i) {
      const Segment& s = segments_[i];
      const char* base = s.external != nullptr ? s.external : buf_.data() + s.offset;
      size_t skip = i == seg_index_ ? seg_offset_ : 0;
      iov_.push_back({const_cast<char*>(base + skip), s.length - skip});
    }
    ssize_t n = writev(fd, iov_.data(), static_cast<int>(iov_.size()));
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return WriteStatus::kBlocked;
      return WriteStatus::kError;
    }
    *bytes_written += static_cast<uint64_t>(n);
    written_ += static_cast<uint64_t>(n);
    size_t left = static_cast<size_t>(n);
    while (left > 0) {
      size_t rest = segments_[seg_index_].length - seg_offset_;
      if (left < rest) {
        seg_offset_ += left;
        left = 0;
      } else {
        left -= rest;
        ++seg_index_;
        seg_offset_ = 0;
      }
    }
    if (seg_index_ < segments_.size()) {
      // A short write means the socket buffer is full; another writev now would
      // only return EAGAIN.
      size_t offered = 0;
      for (const iovec& v : iov_) offered += v.iov_len;
      if (static_cast<size_t>(n) < offered) return WriteStatus::kBlocked;
    }
  }
  Clear();
  return WriteStatus::kDone;
}

void OutputQueue::CloseMessage(bool empty_is_skip) {
  const uint64_t end = buf_.size() + external_bytes_;
  const uint64_t length = end - message_start_;
  messages_.push_back({length, empty_is_skip && length == 0});
  message_start_ = end;
}

void OutputQueue::Gather(uint64_t offset, uint64_t length, std::vector<iovec>* iov) {
  CloseTextRun();
  uint64_t pos = 0;
  for (const Segment& s : segments_) {
    if (length == 0) break;
    if (pos + s.length <= offset) {
      pos += s.length;
      continue;
    }
    const uint64_t skip = offset > pos ? offset - pos : 0;
    const uint64_t n = std::min<uint64_t>(s.length - skip, length);
    const char* base = s.external != nullptr ? s.external : buf_.data() + s.offset;
    iov->push_back({const_cast<char*>(base + skip), static_cast<size_t>(n)});
    offset += n;
    length -= n;
    pos += s.length;
  }
}

void OutputQueue::Clear() {
  messages_.clear();
  message_start_ = 0;
  buf_.clear();
  run_start_ = 0;
  segments_.clear();
  refs_.clear();
  seg_index_ = 0;
  seg_offset_ = 0;
  external_bytes_ = 0;
  written_ = 0;
}

void OutputQueue::Trim() {
  if (empty() && buf_.capacity() > kKeepCapacity) {
    std::string().swap(buf_);
    std::vector<Segment>().swap(segments_);
  }
}

}  // namespace slabd::server
