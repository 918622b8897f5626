// memcached's binary protocol: the 24-byte packet header, opcodes, status codes and
// the per-opcode request shapes (protocol_binary.h and proto_bin.c of memcached 1.6).
//
// Pure codec: decodes request headers from bytes and encodes response headers into a
// caller's buffer. No I/O, no storage, no globals; thread-compatible.
//
// Wire layout, big-endian (request magic 0x80, response magic 0x81):
//
//   0      1      2      3      4      5      6      7
//   +------+------+------+------+------+------+------+------+
//   |magic |opcode|  key length | ext  | data |  vbucket /  |
//   |      |      |             | len  | type |  status     |
//   +------+------+------+------+------+------+------+------+
//   8                           12                          16
//   |  total body length        |  opaque (echoed)          |
//   +------+------+------+------+------+------+------+------+
//   16                                                      24
//   |  CAS                                                  |
//   +------+------+------+------+------+------+------+------+
//   24: extras (ext len), key (key length), value (body - ext - key)
#ifndef SLABD_PROTO_BINARY_HEADER_H_
#define SLABD_PROTO_BINARY_HEADER_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace slabd::proto {

inline constexpr size_t kBinaryHeaderSize = 24;
inline constexpr uint8_t kBinaryRequestMagic = 0x80;
inline constexpr uint8_t kBinaryResponseMagic = 0x81;

// Every opcode memcached 1.6 implements; anything else is answered "Unknown command".
enum class BinaryOpcode : uint8_t {
  kGet = 0x00, kSet = 0x01, kAdd = 0x02, kReplace = 0x03, kDelete = 0x04,
  kIncrement = 0x05, kDecrement = 0x06, kQuit = 0x07, kFlush = 0x08, kGetQ = 0x09,
  kNoop = 0x0a, kVersion = 0x0b, kGetK = 0x0c, kGetKQ = 0x0d, kAppend = 0x0e,
  kPrepend = 0x0f, kStat = 0x10, kSetQ = 0x11, kAddQ = 0x12, kReplaceQ = 0x13,
  kDeleteQ = 0x14, kIncrementQ = 0x15, kDecrementQ = 0x16, kQuitQ = 0x17, kFlushQ = 0x18,
  kAppendQ = 0x19, kPrependQ = 0x1a, kTouch = 0x1c, kGat = 0x1d, kGatQ = 0x1e,
  kSaslListMechs = 0x20, kSaslAuth = 0x21, kSaslStep = 0x22, kGatK = 0x23, kGatKQ = 0x24,
};

enum class BinaryStatus : uint16_t {
  kOk = 0x00,
  kKeyNotFound = 0x01,
  kKeyExists = 0x02,
  kTooLarge = 0x03,
  kInvalidArguments = 0x04,
  kNotStored = 0x05,
  kNonNumeric = 0x06,
  kAuthError = 0x20,
  kAuthContinue = 0x21,
  kUnknownCommand = 0x81,
  kOutOfMemory = 0x82,
};

// The reply text memcached sends as the body of an error with this status.
[[nodiscard]] std::string_view BinaryStatusText(BinaryStatus status);

// A request header in host byte order.
struct BinaryRequestHeader {
  uint8_t magic = 0;
  uint8_t opcode = 0;
  uint16_t key_len = 0;
  uint8_t extras_len = 0;
  uint8_t data_type = 0;
  uint16_t vbucket = 0;
  uint32_t body_len = 0;
  uint32_t opaque = 0;  // kept in wire order: it is only ever echoed
  uint64_t cas = 0;

  // Value bytes after extras and key. REQUIRES: key_len + extras_len <= body_len.
  uint32_t value_len() const { return body_len - key_len - extras_len; }
};

// REQUIRES: `bytes` holds at least kBinaryHeaderSize bytes.
[[nodiscard]] BinaryRequestHeader DecodeBinaryRequestHeader(const char* bytes);
// Encodes a request header (test clients and the fuzzer build requests with it).
void AppendBinaryRequestHeader(std::string& out, const BinaryRequestHeader& h);

// The command a request opcode stands for: quiet variants map onto their loud opcode
// with `quiet` set, as memcached's dispatch does.
struct BinaryCommand {
  BinaryOpcode op;
  bool quiet;
  bool known;  // false: not an opcode memcached implements
};
[[nodiscard]] BinaryCommand ClassifyBinaryOpcode(uint8_t opcode);

// Whether extras/key/body lengths fit the opcode (memcached's dispatch_bin_command);
// a misfit is answered "Invalid arguments" and the connection closed.
// REQUIRES: ClassifyBinaryOpcode(h.opcode).known.
[[nodiscard]] bool BinaryShapeOk(const BinaryRequestHeader& h);

// Decodes big-endian integers from extras.
[[nodiscard]] uint32_t LoadBe32(const char* p);
[[nodiscard]] uint64_t LoadBe64(const char* p);
void AppendBe32(std::string& out, uint32_t v);
void AppendBe64(std::string& out, uint64_t v);
// The same written at `p` (4 and 8 bytes), for writers that fill a reply in place.
void StoreBe32(char* p, uint32_t v);
void StoreBe64(char* p, uint64_t v);

}  // namespace slabd::proto

#endif  // SLABD_PROTO_BINARY_HEADER_H_
