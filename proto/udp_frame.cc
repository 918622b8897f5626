// UDP framing (see udp_frame.h).
#include "proto/udp_frame.h"

namespace slabd::proto {
namespace {
uint16_t Load16(const char* p) {
  return static_cast<uint16_t>((static_cast<uint8_t>(p[0]) << 8) | static_cast<uint8_t>(p[1]));
}
void Store16(uint16_t v, char* p) {
  p[0] = static_cast<char>(v >> 8);
  p[1] = static_cast<char>(v & 0xff);
}
}  // namespace

UdpFrameHeader ReadUdpHeader(std::string_view bytes) {
  const char* p = bytes.data();
  return {Load16(p), Load16(p + 2), Load16(p + 4), Load16(p + 6)};
}

void WriteUdpHeader(const UdpFrameHeader& h, char* out) {
  Store16(h.request_id, out);
  Store16(h.sequence, out + 2);
  Store16(h.total, out + 4);
  Store16(h.reserved, out + 6);
}

UdpRequest ParseUdpRequest(std::string_view datagram) {
  UdpRequest r;
  if (datagram.size() <= kUdpHeaderSize) return r;
  r.header = ReadUdpHeader(datagram);
  if (r.header.total != 1) {
    r.status = UdpRequestStatus::kMultiDatagram;
    return r;
  }
  r.status = UdpRequestStatus::kOk;
  r.payload = datagram.substr(kUdpHeaderSize);
  return r;
}

void PlanUdpReply(uint16_t request_id, std::span<const UdpMessage> messages,
                  std::vector<UdpDatagram>* out) {
  uint64_t offset = 0;
  bool sent_any = false;
  for (const UdpMessage& m : messages) {
    const uint64_t start = offset;
    offset += m.length;
    if (m.skip) continue;
    if (m.length == 0) {
      // memcached sends an empty response at the head of its queue as a bare header
      // (total 0); after a datagram, the same write completes it unsent.
      if (!sent_any) out->push_back({{request_id, 0, 0, 0}, start, 0});
      sent_any = true;
      continue;
    }
    sent_any = true;
    uint64_t total = (m.length + kUdpMaxPayload - 1) / kUdpMaxPayload;
    if (total > UINT16_MAX) total = UINT16_MAX;  // as memcached: the field saturates
    uint16_t seq = 0;
    for (uint64_t done = 0; done < m.length; done += kUdpMaxPayload) {
      const uint64_t n = m.length - done < kUdpMaxPayload ? m.length - done : kUdpMaxPayload;
      out->push_back({{request_id, seq++, static_cast<uint16_t>(total), 0}, start + done,
                      static_cast<uint32_t>(n)});
    }
  }
}

}  // namespace slabd::proto
