// Binary request framing (see binary_parser.h).
#include "proto/binary_parser.h"

namespace slabd::proto {

BinaryFrame ParseBinaryFrame(std::string_view input) {
  BinaryFrame f;
  if (input.size() < kBinaryHeaderSize) return f;
  f.header = DecodeBinaryRequestHeader(input.data());
  const BinaryRequestHeader& h = f.header;
  if (h.magic != kBinaryRequestMagic) {
    f.status = BinaryFrameStatus::kBadMagic;
    return f;
  }
  if (h.body_len > kBinaryMaxBody) {
    f.status = BinaryFrameStatus::kBodyTooLarge;
    return f;
  }
  const size_t head = kBinaryHeaderSize + h.extras_len + h.key_len;
  if (input.size() < head) return f;  // kNeedMore
  if (uint32_t{h.key_len} + h.extras_len > h.body_len) {
    f.status = BinaryFrameStatus::kLengthMismatch;
    return f;
  }
  f.status = BinaryFrameStatus::kOk;
  f.extras = input.substr(kBinaryHeaderSize, h.extras_len);
  f.key = input.substr(kBinaryHeaderSize + h.extras_len, h.key_len);
  f.consumed = head;
  return f;
}

}  // namespace slabd::proto
