// memcached's UDP framing: the 8-byte header in front of every datagram, and how a
// reply is cut into datagrams (memcached.c: try_read_udp, transmit_udp,
// build_udp_header; behaviour of memcached 1.6.18).
//
// Pure codec: parses a request datagram's header and plans the reply datagrams of
// one request datagram from its response "messages" (memcached's response objects).
// No I/O, no clock, no globals; thread-compatible.
//
// Wire layout, four big-endian u16s:
//
//   0       1       2       3       4       5       6       7
//   +-------+-------+-------+-------+-------+-------+-------+-------+
//   |  request id   |  sequence no  | total datagrams |  reserved   |
//   +-------+-------+-------+-------+-------+-------+-------+-------+
//   8: payload (request: text or binary commands; reply: a slice of one message)
//
// Requests: more than 8 bytes, total == 1 (requests never span datagrams); sequence
// and reserved are ignored. Anything else is dropped without a reply.
//
// Replies: each message (one per command; a multi-key get has one per key, the last
// carrying END) is cut into datagrams of at most kUdpMaxDatagram bytes including the
// header: the header echoes the request id, sequence 0..n-1, total n. memcached's
// quirks are kept, so the bytes match: a "skip" message (noreply, a meta `q` that
// suppressed its reply) sends nothing; an empty message that is not skipped (quit, a
// quiet binary command, a get key that missed) is sent as a header-only datagram with
// total 0 when it is the first message of the request datagram, and dropped otherwise
// (memcached completes empty responses together with the previous datagram).
#ifndef SLABD_PROTO_UDP_FRAME_H_
#define SLABD_PROTO_UDP_FRAME_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace slabd::proto {

inline constexpr size_t kUdpHeaderSize = 8;
// Largest reply datagram, header included (memcached UDP_MAX_PAYLOAD_SIZE).
inline constexpr size_t kUdpMaxDatagram = 1400;
inline constexpr size_t kUdpMaxPayload = kUdpMaxDatagram - kUdpHeaderSize;

// The header, in host byte order.
struct UdpFrameHeader {
  uint16_t request_id = 0;
  uint16_t sequence = 0;
  uint16_t total = 0;
  uint16_t reserved = 0;
};
static_assert(sizeof(UdpFrameHeader) == kUdpHeaderSize);

enum class UdpRequestStatus {
  kOk,
  kTooShort,       // 8 bytes or fewer: no command at all
  kMultiDatagram,  // total != 1: memcached accepts single-datagram requests only
};

struct UdpRequest {
  UdpRequestStatus status = UdpRequestStatus::kTooShort;
  UdpFrameHeader header;
  std::string_view payload;  // view into the datagram; valid when kOk
};

[[nodiscard]] UdpRequest ParseUdpRequest(std::string_view datagram);

// Writes `h` big-endian into out[0..8).
void WriteUdpHeader(const UdpFrameHeader& h, char* out);
[[nodiscard]] UdpFrameHeader ReadUdpHeader(std::string_view bytes);  // REQUIRES: size >= 8

// One response message: the next `length` bytes of the reply stream.
struct UdpMessage {
  uint64_t length = 0;
  bool skip = false;  // noreply: nothing is sent (its bytes, if any, are passed over)
};

// One datagram to send: header, then reply-stream bytes [offset, offset + length).
struct UdpDatagram {
  UdpFrameHeader header;
  uint64_t offset = 0;
  uint32_t length = 0;  // <= kUdpMaxPayload
};

// Plans the datagrams answering one request datagram whose replies are `messages`, in
// order, laid end to end in one byte stream. Appends to `*out`.
void PlanUdpReply(uint16_t request_id, std::span<const UdpMessage> messages,
                  std::vector<UdpDatagram>* out);

}  // namespace slabd::proto

#endif  // SLABD_PROTO_UDP_FRAME_H_
