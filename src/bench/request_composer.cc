// RequestComposer: see request_composer.h. Binary layouts follow proto/binary_header.h.
#include "src/bench/request_composer.h"

#include <cstring>

#include "proto/text_numbers.h"

namespace slabd::bench {
namespace {

constexpr size_t kKeyLen = KeyTable::kKeyLength;
constexpr size_t kBinaryHeader = 24;
constexpr uint8_t kOpGet = 0x00;
constexpr uint8_t kOpSet = 0x01;
constexpr uint8_t kOpNoop = 0x0a;
constexpr uint8_t kOpGetKQ = 0x0d;
constexpr uint8_t kSetExtras = 8;  // flags (4) + exptime (4), both 0

inline char* Put(char* p, const char* s, size_t n) {
  std::memcpy(p, s, n);
  return p + n;
}

inline void StoreBe32(char* p, uint32_t v) {
  p[0] = static_cast<char>(v >> 24);
  p[1] = static_cast<char>(v >> 16);
  p[2] = static_cast<char>(v >> 8);
  p[3] = static_cast<char>(v);
}

// A request header with magic 0x80, the key length, opaque 0 and CAS 0.
inline char* PutBinaryHeader(char* p, uint8_t opcode, uint16_t key_len, uint8_t extras_len,
                             uint32_t body_len) {
  std::memset(p, 0, kBinaryHeader);
  p[0] = static_cast<char>(0x80);
  p[1] = static_cast<char>(opcode);
  p[2] = static_cast<char>(key_len >> 8);
  p[3] = static_cast<char>(key_len);
  p[4] = static_cast<char>(extras_len);
  StoreBe32(p + 8, body_len);
  return p + kBinaryHeader;
}

}  // namespace

RequestComposer::RequestComposer(Protocol protocol, const KeyTable* keys,
                                 std::string_view values)
    : protocol_(protocol), keys_(keys), values_(values) {}

void RequestComposer::AppendGet(ByteBuffer& out, uint64_t key) const {
  const char* k = keys_->KeyData(key);
  switch (protocol_) {
    case Protocol::kText: {
      char* p = out.Reserve(4 + kKeyLen + 2);
      p = Put(p, "get ", 4);
      p = Put(p, k, kKeyLen);
      Put(p, "\r\n", 2);
      out.Commit(4 + kKeyLen + 2);
      return;
    }
    case Protocol::kMeta: {
      char* p = out.Reserve(3 + kKeyLen + 4);
      p = Put(p, "mg ", 3);
      p = Put(p, k, kKeyLen);
      Put(p, " v\r\n", 4);
      out.Commit(3 + kKeyLen + 4);
      return;
    }
    case Protocol::kBinary: {
      char* p = out.Reserve(kBinaryHeader + kKeyLen);
      p = PutBinaryHeader(p, kOpGet, kKeyLen, 0, kKeyLen);
      Put(p, k, kKeyLen);
      out.Commit(kBinaryHeader + kKeyLen);
      return;
    }
  }
}

void RequestComposer::AppendMultiGet(ByteBuffer& out, std::span<const uint64_t> keys) const {
  switch (protocol_) {
    case Protocol::kText: {
      const size_t n = 3 + keys.size() * (1 + kKeyLen) + 2;
      char* p = out.Reserve(n);
      p = Put(p, "get", 3);
      for (uint64_t key : keys) {
        *p++ = ' ';
        p = Put(p, keys_->KeyData(key), kKeyLen);
      }
      Put(p, "\r\n", 2);
      out.Commit(n);
      return;
    }
    case Protocol::kMeta: {
      constexpr size_t kPerKey = 3 + kKeyLen + 8;
      const size_t n = keys.size() * kPerKey + 4;
      char* p = out.Reserve(n);
      for (uint64_t key : keys) {
        p = Put(p, "mg ", 3);
        p = Put(p, keys_->KeyData(key), kKeyLen);
        p = Put(p, " v q k\r\n", 8);
      }
      Put(p, "mn\r\n", 4);
      out.Commit(n);
      return;
    }
    case Protocol::kBinary: {
      const size_t n = keys.size() * (kBinaryHeader + kKeyLen) + kBinaryHeader;
      char* p = out.Reserve(n);
      for (uint64_t key : keys) {
        p = PutBinaryHeader(p, kOpGetKQ, kKeyLen, 0, kKeyLen);
        p = Put(p, keys_->KeyData(key), kKeyLen);
      }
      PutBinaryHeader(p, kOpNoop, 0, 0, 0);
      out.Commit(n);
      return;
    }
  }
}

void RequestComposer::AppendSet(ByteBuffer& out, uint64_t key, uint32_t value_len) const {
  const char* k = keys_->KeyData(key);
  switch (protocol_) {
    case Protocol::kText:
    case Protocol::kMeta: {
      // "set <key> 0 0 <n>\r\n<value>\r\n" or "ms <key> <n>\r\n<value>\r\n"
      char* const start = out.Reserve(4 + kKeyLen + 5 + 10 + 2 + value_len + 2);
      char* p = start;
      if (protocol_ == Protocol::kText) {
        p = Put(p, "set ", 4);
        p = Put(p, k, kKeyLen);
        p = Put(p, " 0 0 ", 5);
      } else {
        p = Put(p, "ms ", 3);
        p = Put(p, k, kKeyLen);
        *p++ = ' ';
      }
      p = proto::WriteDecimal(p, value_len);
      p = Put(p, "\r\n", 2);
      p = Put(p, values_.data(), value_len);
      p = Put(p, "\r\n", 2);
      out.Commit(static_cast<size_t>(p - start));
      return;
    }
    case Protocol::kBinary: {
      const size_t n = kBinaryHeader + kSetExtras + kKeyLen + value_len;
      char* p = out.Reserve(n);
      p = PutBinaryHeader(p, kOpSet, kKeyLen, kSetExtras,
                          static_cast<uint32_t>(kSetExtras + kKeyLen + value_len));
      std::memset(p, 0, kSetExtras);
      p += kSetExtras;
      p = Put(p, k, kKeyLen);
      Put(p, values_.data(), value_len);
      out.Commit(n);
      return;
    }
  }
}

}  // namespace slabd::bench
