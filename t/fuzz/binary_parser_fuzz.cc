// libFuzzer target for the binary protocol codec.
//
// Walks the input as a connection would: frame a request head, skip its value, and continue
// until the framer needs more bytes or refuses the stream (bad magic, body too large, lengths
// that do not fit). Checks the framer's contract on every step (views inside the input and in
// wire order, consumed == 24 + extras + key, a verdict only once the bytes it depends on have
// arrived, the same verdict for every longer prefix), that opcode classification and the shape
// rules hold for any header and guarantee the extras the dispatcher reads, and that headers and
// responses round-trip through the writer.
//
// Build: clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -I. proto/*.cc \
//          t/fuzz/binary_parser_fuzz.cc -o /tmp/binary_parser_fuzz
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "proto/binary_header.h"
#include "proto/binary_parser.h"
#include "proto/binary_writer.h"

namespace {

using slabd::proto::BinaryCommand;
using slabd::proto::BinaryFrame;
using slabd::proto::BinaryFrameStatus;
using slabd::proto::BinaryOpcode;
using slabd::proto::BinaryRequestHeader;
using slabd::proto::BinaryStatus;
using slabd::proto::kBinaryHeaderSize;

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

bool Inside(std::string_view part, std::string_view whole) {
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

bool SameHeader(const BinaryRequestHeader& a, const BinaryRequestHeader& b) {
  return a.magic == b.magic && a.opcode == b.opcode && a.key_len == b.key_len &&
         a.extras_len == b.extras_len && a.data_type == b.data_type && a.vbucket == b.vbucket &&
         a.body_len == b.body_len && a.opaque == b.opaque && a.cas == b.cas;
}

bool SameFrame(const BinaryFrame& a, const BinaryFrame& b) {
  if (a.status != b.status) return false;
  if (a.status == BinaryFrameStatus::kNeedMore) return true;
  return SameHeader(a.header, b.header) && a.consumed == b.consumed && a.extras == b.extras &&
         a.key == b.key;
}

// Classification and shape rules for any header: no crash, quiet maps onto a loud known
// opcode, and an accepted shape gives the dispatcher every extras byte it reads.
void CheckCommand(const BinaryRequestHeader& h, bool framed) {
  using Op = BinaryOpcode;
  const BinaryCommand cmd = slabd::proto::ClassifyBinaryOpcode(h.opcode);
  if (!cmd.known) {
    Check(!cmd.quiet);
    return;
  }
  const BinaryCommand loud = slabd::proto::ClassifyBinaryOpcode(static_cast<uint8_t>(cmd.op));
  Check(loud.known && !loud.quiet && loud.op == cmd.op);
  Check(cmd.quiet == (static_cast<uint8_t>(cmd.op) != h.opcode));
  if (!slabd::proto::BinaryShapeOk(h)) return;
  switch (cmd.op) {
    case Op::kSet: case Op::kAdd: case Op::kReplace:
      Check(h.extras_len == 8 && h.key_len > 0);
      break;
    case Op::kIncrement: case Op::kDecrement:
      Check(h.extras_len == 20 && h.key_len > 0);
      break;
    case Op::kTouch: case Op::kGat: case Op::kGatK:
      Check(h.extras_len == 4 && h.key_len > 0);
      break;
    case Op::kFlush:
      Check(h.extras_len == 0 || h.extras_len == 4);
      break;
    case Op::kGet: case Op::kGetK: case Op::kDelete: case Op::kAppend: case Op::kPrepend:
    case Op::kSaslAuth: case Op::kSaslStep:
      Check(h.extras_len == 0 && h.key_len > 0);
      break;
    default:
      Check(h.extras_len == 0);
      break;
  }
  if (!framed) return;
  // Commands that take no value leave nothing to be parsed as the next request.
  switch (cmd.op) {
    case Op::kGet: case Op::kGetK: case Op::kDelete: case Op::kIncrement: case Op::kDecrement:
    case Op::kFlush: case Op::kNoop: case Op::kVersion: case Op::kQuit:
    case Op::kSaslListMechs:
      Check(h.value_len() == 0);
      break;
    default:
      break;
  }
}

// The verdict on `input` against every prefix: need-more until the bytes it depends on are
// there, then the same verdict.
void CheckPrefixes(std::string_view input, const BinaryFrame& whole) {
  size_t decided_at = kBinaryHeaderSize;  // kBadMagic, kBodyTooLarge
  if (whole.status == BinaryFrameStatus::kOk) {
    decided_at = whole.consumed;
  } else if (whole.status == BinaryFrameStatus::kLengthMismatch) {
    decided_at = kBinaryHeaderSize + whole.header.extras_len + whole.header.key_len;
  } else if (whole.status == BinaryFrameStatus::kNeedMore) {
    decided_at = input.size() + 1;
  }
  const size_t last = input.size() < decided_at + 2 ? input.size() : decided_at + 2;
  for (size_t n = 0; n <= last; ++n) {
    const BinaryFrame f = slabd::proto::ParseBinaryFrame(input.substr(0, n));
    if (n < decided_at) {
      Check(f.status == BinaryFrameStatus::kNeedMore);
    } else {
      Check(SameFrame(f, whole));
    }
  }
}

void CheckFrame(std::string_view input, const BinaryFrame& f) {
  const BinaryRequestHeader& h = f.header;
  switch (f.status) {
    case BinaryFrameStatus::kNeedMore:
      Check(input.size() < kBinaryHeaderSize ||
            input.size() < kBinaryHeaderSize + h.extras_len + h.key_len);
      return;
    case BinaryFrameStatus::kBadMagic:
      Check(static_cast<uint8_t>(input[0]) != slabd::proto::kBinaryRequestMagic);
      return;
    case BinaryFrameStatus::kBodyTooLarge:
      Check(h.magic == slabd::proto::kBinaryRequestMagic &&
            h.body_len > slabd::proto::kBinaryMaxBody);
      return;
    case BinaryFrameStatus::kLengthMismatch:
      Check(h.magic == slabd::proto::kBinaryRequestMagic);
      Check(h.body_len <= slabd::proto::kBinaryMaxBody);
      Check(uint32_t{h.key_len} + h.extras_len > h.body_len);
      return;
    case BinaryFrameStatus::kOk:
      break;
  }
  Check(h.magic == slabd::proto::kBinaryRequestMagic);
  Check(h.body_len <= slabd::proto::kBinaryMaxBody);
  Check(uint32_t{h.key_len} + h.extras_len <= h.body_len);
  Check(f.consumed == kBinaryHeaderSize + h.extras_len + h.key_len);
  Check(f.consumed <= input.size());
  Check(f.extras.size() == h.extras_len && f.key.size() == h.key_len);
  Check(Inside(f.extras, input) && Inside(f.key, input));
  Check(f.extras.data() == input.data() + kBinaryHeaderSize);
  Check(f.key.data() == f.extras.data() + f.extras.size());
  Check(h.value_len() <= h.body_len);
  // The header re-encodes to the bytes it was decoded from.
  std::string again;
  slabd::proto::AppendBinaryRequestHeader(again, h);
  Check(again.size() == kBinaryHeaderSize &&
        std::memcmp(again.data(), input.data(), kBinaryHeaderSize) == 0);
}

// A response built from the input's bytes decodes back into its parts.
void CheckWriter(std::string_view data) {
  if (data.size() < 16) return;
  const auto* u = reinterpret_cast<const unsigned char*>(data.data());
  const slabd::proto::BinaryReplyTo to{u[0], slabd::proto::LoadBe32(data.data() + 1)};
  const auto status = static_cast<BinaryStatus>((u[5] << 8) | u[6]);
  const uint64_t cas = slabd::proto::LoadBe64(data.data() + 7);
  std::string_view rest = data.substr(16);
  const size_t ext_len = rest.empty() ? 0 : u[15] % (rest.size() < 255 ? rest.size() + 1 : 256);
  const std::string_view extras = rest.substr(0, ext_len);
  rest.remove_prefix(ext_len);
  const size_t key_len = rest.size() / 2;
  const std::string_view key = rest.substr(0, key_len);
  const std::string_view value = rest.substr(key_len);

  std::string out = "x";  // appends after what is there
  slabd::proto::AppendBinaryResponse(out, to, status, cas, extras, key, value);
  Check(out.size() == 1 + kBinaryHeaderSize + extras.size() + key.size() + value.size());
  const BinaryRequestHeader h = slabd::proto::DecodeBinaryRequestHeader(out.data() + 1);
  Check(h.magic == slabd::proto::kBinaryResponseMagic && h.opcode == to.opcode);
  Check(h.vbucket == static_cast<uint16_t>(status) && h.data_type == 0);
  Check(h.opaque == to.opaque && h.cas == cas);
  Check(h.extras_len == extras.size() && h.key_len == key.size());
  Check(h.body_len == extras.size() + key.size() + value.size());
  const std::string_view body = std::string_view(out).substr(1 + kBinaryHeaderSize);
  Check(body.substr(0, extras.size()) == extras);
  Check(body.substr(extras.size(), key.size()) == key);
  Check(body.substr(extras.size() + key.size()) == value);

  std::string err;
  slabd::proto::AppendBinaryError(err, to, status, value);
  const BinaryRequestHeader e = slabd::proto::DecodeBinaryRequestHeader(err.data());
  const std::string_view text = value.empty() ? slabd::proto::BinaryStatusText(status) : value;
  Check(e.extras_len == 0 && e.key_len == 0 && e.cas == 0 && e.body_len == text.size());
  Check(std::string_view(err).substr(kBinaryHeaderSize) == text);

  std::string stat;
  slabd::proto::AppendBinaryStat(stat, to, key, value);
  const BinaryRequestHeader s = slabd::proto::DecodeBinaryRequestHeader(stat.data());
  Check(s.vbucket == 0 && s.key_len == key.size() && s.body_len == key.size() + value.size());

  std::string be;
  slabd::proto::AppendBe64(be, cas);
  slabd::proto::AppendBe32(be, to.opaque);
  Check(slabd::proto::LoadBe64(be.data()) == cas);
  Check(slabd::proto::LoadBe32(be.data() + 8) == to.opaque);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  std::string_view rest = all;
  while (!rest.empty()) {
    const BinaryFrame f = slabd::proto::ParseBinaryFrame(rest);
    CheckFrame(rest, f);
    CheckPrefixes(rest, f);
    if (rest.size() >= kBinaryHeaderSize) {
      CheckCommand(slabd::proto::DecodeBinaryRequestHeader(rest.data()), false);
    }
    if (f.status != BinaryFrameStatus::kOk) break;
    CheckCommand(f.header, true);
    const uint64_t skip = uint64_t{f.consumed} + f.header.value_len();
    if (skip >= rest.size()) break;
    rest.remove_prefix(static_cast<size_t>(skip));
  }
  CheckWriter(all);
  return 0;
}
