// UdpConn: one worker thread's view of a UDP socket (memcached's per-thread UDP conn).
//
// Each worker that serves a UDP socket owns a dup() of it, registered in the worker's
// event loop; the kernel hands each datagram to exactly one reader. A datagram is
// handled start to finish on that worker:
//   1. the 8-byte frame header is checked (proto/udp_frame.h: > 8 bytes, total == 1,
//      else dropped without a reply);
//   2. the payload is parsed like a TCP read: every complete command is executed by
//      the worker's TextDispatcher/BinaryDispatcher (first byte 0x80: binary, or -B);
//      each command's reply is one message in the OutputQueue, a multi-key get one
//      message per key;
//   3. the messages are cut into framed datagrams and sent back with sendmmsg.
// Nothing carries over from one datagram to the next. A command line cut at the end of
// the datagram is not answered; a data block cut short (or a rejected block that does
// not fit) drops every reply of the datagram, as memcached 1.6.18 never sends them
// (its conn waits for the rest of the block, eating whatever datagram comes next).
// `quit`, a bad binary magic and an oversized binary body stop the datagram; a text
// line that would close a TCP connection drops its replies.
//
// Send errors drop the rest of the reply; the socket stays open. A full send buffer is
// waited for briefly (memcached waits on EV_WRITE).
//
// Thread safety: constructed and destroyed while the worker's loop is not running its
// events (start-up, or after the worker thread has joined); events run on the worker.
#ifndef SLABD_SRC_UDP_CONN_H_
#define SLABD_SRC_UDP_CONN_H_

#include <event2/event.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "proto/udp_frame.h"
#include "src/binary_dispatch.h"
#include "src/dispatch_outcome.h"
#include "src/output_queue.h"
#include "src/text_dispatch.h"

namespace slabd::server {

class Worker;

class UdpConn {
 public:
  // memcached reads UDP requests into a 64 KB buffer; larger datagrams cannot exist.
  static constexpr size_t kReadBufferSize = 64 * 1024;

  // Takes ownership of `fd` (non-blocking, bound). Call Start() to begin reading.
  UdpConn(int fd, Worker& worker);
  ~UdpConn();
  UdpConn(const UdpConn&) = delete;
  UdpConn& operator=(const UdpConn&) = delete;

  // Registers the socket with the worker's loop. False if libevent refused.
  bool Start();
  int fd() const { return fd_; }

 private:
  // What the rest of the datagram's commands come to.
  enum class Step { kNext, kStop, kDrop };

  static void OnReadable(evutil_socket_t fd, short what, void* arg);
  void HandleReadable();
  void HandleDatagram(std::string_view datagram, const sockaddr* peer, socklen_t peer_len);
  // Runs every command of `payload`. False: the replies must be dropped.
  bool RunCommands(std::string_view payload);
  Step StepText(std::string_view* in);
  Step StepBinary(std::string_view* in);
  // Fills the pending reservation from `*in` (plus "\r\n" for text) and finishes it.
  Step FillValue(std::string_view* in, bool text);
  Step Follow(const DispatchOutcome& o, std::string_view* in, bool text);
  void SendReply(uint16_t request_id, const sockaddr* peer, socklen_t peer_len);
  void SendPlanned(const sockaddr* peer, socklen_t peer_len);

  int fd_;
  Worker& worker_;
  TextDispatcher& dispatcher_;
  BinaryDispatcher& binary_dispatcher_;
  event* event_ = nullptr;
  std::vector<char> buf_;
  OutputQueue out_;
  PendingStore pending_;
  SaslState sasl_;
  // Reply scratch, kept between datagrams so steady traffic allocates nothing.
  std::vector<proto::UdpDatagram> plan_;
  std::vector<std::array<char, proto::kUdpHeaderSize>> headers_;
  std::vector<iovec> iov_;
  std::vector<size_t> iov_start_;  // first iovec of each planned datagram
  std::vector<mmsghdr> msgs_;
};

}  // namespace slabd::server

#endif  // SLABD_SRC_UDP_CONN_H_
