// Incremental framing of binary-protocol requests.
//
// ParseBinaryFrame() looks at the bytes buffered for a connection and says whether a
// whole request head (header, extras and key) is there, and whether its lengths can
// be trusted. The value, if any, is not consumed: storage commands read it straight
// into an item, other commands have none (or have it skipped), so it need not fit in
// the read buffer.
//
// The checks and their order follow memcached 1.6's try_read_command_binary and
// dispatch_bin_command: bad magic first, then (a later release's safety fix) a body
// over 1 GiB, then wait for extras and key, then key + extras longer than the body.
// Whether the lengths fit the opcode (BinaryShapeOk) is checked by the caller after
// authentication, as memcached does.
//
// Pure: no I/O, no allocation, no state between calls; safe to fuzz.
#ifndef SLABD_PROTO_BINARY_PARSER_H_
#define SLABD_PROTO_BINARY_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "proto/binary_header.h"

namespace slabd::proto {

// Bodies above this are refused ("Invalid arguments", close) rather than read or
// skipped: no real request is that large, and a bogus length would otherwise leave the
// connection swallowing gigabytes or, in old memcached, overflow a signed length.
inline constexpr uint32_t kBinaryMaxBody = 1u << 30;

enum class BinaryFrameStatus {
  kNeedMore,       // fewer than 24 bytes, or extras/key not yet complete
  kOk,             // `header`, `extras`, `key` valid; `consumed` bytes are the head
  kBadMagic,       // not a request packet: close without a reply
  kBodyTooLarge,   // body over kBinaryMaxBody: "Invalid arguments", then close
  kLengthMismatch, // key or key + extras longer than the body: "Unknown command", then close
};

struct BinaryFrame {
  BinaryFrameStatus status = BinaryFrameStatus::kNeedMore;
  BinaryRequestHeader header;  // valid unless kNeedMore
  std::string_view extras;     // kOk: views into the input
  std::string_view key;
  size_t consumed = 0;         // kOk: header + extras + key
};

[[nodiscard]] BinaryFrame ParseBinaryFrame(std::string_view input);

}  // namespace slabd::proto

#endif  // SLABD_PROTO_BINARY_PARSER_H_
