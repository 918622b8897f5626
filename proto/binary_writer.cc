// Binary protocol response writer (see binary_writer.h).
#include "proto/binary_writer.h"

namespace slabd::proto {

void AppendBinaryResponseHeader(std::string& out, BinaryReplyTo to, BinaryStatus status,
                                uint8_t extras_len, uint16_t key_len, uint32_t value_len,
                                uint64_t cas) {
  const auto st = static_cast<uint16_t>(status);
  const char head[8] = {static_cast<char>(kBinaryResponseMagic),
                        static_cast<char>(to.opcode),
                        static_cast<char>(key_len >> 8),
                        static_cast<char>(key_len),
                        static_cast<char>(extras_len),
                        0,
                        static_cast<char>(st >> 8),
                        static_cast<char>(st)};
  out.append(head, sizeof(head));
  AppendBe32(out, uint32_t{extras_len} + key_len + value_len);
  AppendBe32(out, to.opaque);
  AppendBe64(out, cas);
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
