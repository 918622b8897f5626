// Binary protocol response writer (see binary_writer.h).
#include "proto/binary_writer.h"

#include <cstring>

namespace slabd::proto {

namespace {

void StoreResponseHeader(char* p, BinaryReplyTo to, BinaryStatus status, uint8_t extras_len,
                         uint16_t key_len, uint32_t value_len, uint64_t cas) {
  const auto st = static_cast<uint16_t>(status);
  p[0] = static_cast<char>(kBinaryResponseMagic);
  p[1] = static_cast<char>(to.opcode);
  p[2] = static_cast<char>(key_len >> 8);
  p[3] = static_cast<char>(key_len);
  p[4] = static_cast<char>(extras_len);
  p[5] = 0;
  p[6] = static_cast<char>(st >> 8);
  p[7] = static_cast<char>(st);
  StoreBe32(p + 8, uint32_t{extras_len} + key_len + value_len);
  StoreBe32(p + 12, to.opaque);
  StoreBe64(p + 16, cas);
}

}  // namespace

void AppendBinaryResponseHeader(std::string& out, BinaryReplyTo to, BinaryStatus status,
                                uint8_t extras_len, uint16_t key_len, uint32_t value_len,
                                uint64_t cas) {
  char head[kBinaryHeaderSize];
  StoreResponseHeader(head, to, status, extras_len, key_len, value_len, cas);
  out.append(head, sizeof(head));
}

void AppendBinaryValue(std::string& out, BinaryReplyTo to, uint64_t cas, uint32_t flags,
                       std::string_view key, std::string_view value) {
  // Sized once and filled in place, as the text writer's AppendValue; a large value is
  // appended instead so that the resize does not zero-fill it first.
  constexpr size_t kInPlaceValue = 512;
  const size_t head = kBinaryHeaderSize + 4 + key.size();
  const bool in_place = value.size() <= kInPlaceValue;
  const size_t at = out.size();
  out.resize(at + head + (in_place ? value.size() : 0));
  char* p = out.data() + at;
  StoreResponseHeader(p, to, BinaryStatus::kOk, 4, static_cast<uint16_t>(key.size()),
                      static_cast<uint32_t>(value.size()), cas);
  StoreBe32(p + kBinaryHeaderSize, flags);
  std::memcpy(p + kBinaryHeaderSize + 4, key.data(), key.size());
  if (in_place) {
    std::memcpy(p + head, value.data(), value.size());
  } else {
    out.append(value);
  }
}

void AppendBinaryResponse(std::string& out, BinaryReplyTo to, BinaryStatus status,
                          uint64_t cas, std::string_view extras, std::string_view key,
                          std::string_view value) {
  AppendBinaryResponseHeader(out, to, status, static_cast<uint8_t>(extras.size()),
                             static_cast<uint16_t>(key.size()),
                             static_cast<uint32_t>(value.size()), cas);
  out.append(extras).append(key).append(value);
}

void AppendBinaryError(std::string& out, BinaryReplyTo to, BinaryStatus status,
                       std::string_view text) {
  if (text.empty()) text = BinaryStatusText(status);
  AppendBinaryResponse(out, to, status, 0, {}, {}, text);
}

void AppendBinaryStat(std::string& out, BinaryReplyTo to, std::string_view name,
                      std::string_view value) {
  AppendBinaryResponse(out, to, BinaryStatus::kOk, 0, {}, name, value);
}

}  // namespace slabd::proto
