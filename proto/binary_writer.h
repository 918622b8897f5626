// Binary protocol response writer: appends response packets to a caller-owned buffer.
//
// Every response echoes the request's opcode (the original one: a SETQ is answered
// as 0x11) and opaque. Errors carry memcached's text as the value, with no extras and
// no key (proto_bin.c write_bin_error). Large values may be appended by the caller
// after the header (zero copy), so the header and the value are written separately.
// No I/O, no globals; thread-compatible.
#ifndef SLABD_PROTO_BINARY_WRITER_H_
#define SLABD_PROTO_BINARY_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "proto/binary_header.h"

namespace slabd::proto {

// What every response to one request shares.
struct BinaryReplyTo {
  uint8_t opcode = 0;
  uint32_t opaque = 0;  // as decoded by DecodeBinaryRequestHeader
};

// A response header announcing `extras_len + key_len + value_len` body bytes; the
// caller appends extras, key and value (in that order) itself.
void AppendBinaryResponseHeader(std::string& out, BinaryReplyTo to, BinaryStatus status,
                                uint8_t extras_len, uint16_t key_len, uint32_t value_len,
                                uint64_t cas);
// A hit of GET/GETK/GAT/GATK (and their quiet forms): status OK, 4 bytes of extras holding
// `flags`, then `key` (empty for GET and GAT) and `value`; one growth of `out`.
void AppendBinaryValue(std::string& out, BinaryReplyTo to, uint64_t cas, uint32_t flags,
                       std::string_view key, std::string_view value);
// A complete response with the given body parts.
void AppendBinaryResponse(std::string& out, BinaryReplyTo to, BinaryStatus status,
                          uint64_t cas, std::string_view extras, std::string_view key,
                          std::string_view value);
// An error response whose body is `text` (BinaryStatusText(status) when empty).
void AppendBinaryError(std::string& out, BinaryReplyTo to, BinaryStatus status,
                       std::string_view text = {});
// One STAT packet (key = name, value = value); an empty name and value is the
// terminating packet.
void AppendBinaryStat(std::string& out, BinaryReplyTo to, std::string_view name,
                      std::string_view value);

}  // namespace slabd::proto

#endif  // SLABD_PROTO_BINARY_WRITER_H_
