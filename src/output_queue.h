// OutputQueue: the replies of one connection waiting to be written, sent with writev.
//
// Reply text (VALUE lines, status lines, small values) is appended to one byte
// buffer; large values are referenced in place inside the item (zero copy) while an
// ItemRef keeps the item alive until the bytes have left. Everything produced from
// one read goes out in one writev (more only past IOV_MAX segments or when the
// kernel takes a partial write).
//
// Segments into the byte buffer are stored as offsets, not pointers, because the
// buffer may reallocate while replies are appended. Capacity is kept between
// requests, so steady-state traffic allocates nothing.
//
// Thread safety: owned by one connection on one worker thread.
#ifndef SLABD_SRC_OUTPUT_QUEUE_H_
#define SLABD_SRC_OUTPUT_QUEUE_H_

#include <sys/uio.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "proto/udp_frame.h"
#include "slab/store.h"

namespace slabd::server {

class OutputQueue {
 public:
  // Values up to this size are copied into the buffer; larger ones are sent from the
  // item. Copying a few KB costs less than holding a reference and an extra iovec.
  static constexpr size_t kCopyLimit = 4096;

  // The byte buffer; proto writers append to it directly.
  std::string& text() { return buf_; }
  void Append(std::string_view bytes) { buf_.append(bytes); }
  // Appends `value`, which lives inside `item`: copied when small, else referenced.
  void AppendValue(std::string_view value, slab::ItemRef&& item);
  bool empty() const { return pending_bytes() == 0; }
  uint64_t pending_bytes() const;

  enum class WriteStatus { kDone, kBlocked, kError };
  // writev()s as much as the socket takes. kBlocked: wait for EV_WRITE and call again.
  WriteStatus WriteTo(int fd, uint64_t* bytes_written);
  // Releases buffer memory above a threshold (after a large reply) once drained.
  void Trim();
  size_t capacity_bytes() const { return buf_.capacity(); }

  // Message boundaries, for UDP: memcached sends each response object as its own
  // series of datagrams. Off unless TrackMessages() was called; EndMessage() is then a
  // no-op, so the dispatchers may mark boundaries unconditionally.
  void TrackMessages() { track_messages_ = true; }
  // Ends the message holding everything appended since the previous one. An empty
  // message is a skip (noreply: nothing at all is sent) when `empty_is_skip`.
  void EndMessage(bool empty_is_skip = false) {
    if (track_messages_) CloseMessage(empty_is_skip);  // TCP: one test, no call
  }
  const std::vector<proto::UdpMessage>& messages() const { return messages_; }
  // Appends iovecs covering bytes [offset, offset + length) of everything appended
  // since the queue was last empty. REQUIRES: nothing written yet (WriteTo not called).
  void Gather(uint64_t offset, uint64_t length, std::vector<iovec>* iov);
  // Drops everything queued (and the message boundaries) without writing it.
  void Discard() { Clear(); }

 private:
  struct Segment {
    const char* external;  // nullptr: bytes [offset, offset+length) of buf_
    size_t offset;
    size_t length;
  };
  void CloseTextRun();
  void CloseMessage(bool empty_is_skip);
  void Clear();

  std::string buf_;
  size_t run_start_ = 0;  // start of the buf_ bytes not yet covered by a Segment
  std::vector<Segment> segments_;
  std::vector<slab::ItemRef> refs_;
  size_t seg_index_ = 0;   // first segment not fully written
  size_t seg_offset_ = 0;  // bytes of it already written
  uint64_t external_bytes_ = 0;
  uint64_t written_ = 0;   // bytes written since the queue was last empty
  std::vector<iovec> iov_;
  bool track_messages_ = false;
  uint64_t message_start_ = 0;  // appended bytes before the open message
  std::vector<proto::UdpMessage> messages_;
};

}  // namespace slabd::server

#endif  // SLABD_SRC_OUTPUT_QUEUE_H_
