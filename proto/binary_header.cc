// Binary protocol header codec (see binary_header.h).
#include "proto/binary_header.h"

namespace slabd::proto {
namespace {

uint16_t LoadBe16(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return static_cast<uint16_t>((u[0] << 8) | u[1]);
}

}  // namespace

uint32_t LoadBe32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) | (uint32_t{u[2]} << 8) | u[3];
}

uint64_t LoadBe64(const char* p) {
  return (uint64_t{LoadBe32(p)} << 32) | LoadBe32(p + 4);
}

void StoreBe32(char* p, uint32_t v) {
  p[0] = static_cast<char>(v >> 24);
  p[1] = static_cast<char>(v >> 16);
  p[2] = static_cast<char>(v >> 8);
  p[3] = static_cast<char>(v);
}

void StoreBe64(char* p, uint64_t v) {
  StoreBe32(p, static_cast<uint32_t>(v >> 32));
  StoreBe32(p + 4, static_cast<uint32_t>(v));
}

void AppendBe32(std::string& out, uint32_t v) {
  char b[4];
  StoreBe32(b, v);
  out.append(b, sizeof(b));
}

void AppendBe64(std::string& out, uint64_t v) {
  char b[8];
  StoreBe64(b, v);
  out.append(b, sizeof(b));
}

std::string_view BinaryStatusText(BinaryStatus status) {
  switch (status) {
    case BinaryStatus::kOk: return "";
    case BinaryStatus::kKeyNotFound: return "Not found";
    case BinaryStatus::kKeyExists: return "Data exists for key.";
    case BinaryStatus::kTooLarge: return "Too large.";
    case BinaryStatus::kInvalidArguments: return "Invalid arguments";
    case BinaryStatus::kNotStored: return "Not stored.";
    case BinaryStatus::kNonNumeric: return "Non-numeric server-side value for incr or decr";
    case BinaryStatus::kAuthError: return "Auth failure.";
    case BinaryStatus::kAuthContinue: return "";
    case BinaryStatus::kUnknownCommand: return "Unknown command";
    case BinaryStatus::kOutOfMemory: return "Out of memory";
  }
  return "";
}

BinaryRequestHeader DecodeBinaryRequestHeader(const char* b) {
  BinaryRequestHeader h;
  h.magic = static_cast<uint8_t>(b[0]);
  h.opcode = static_cast<uint8_t>(b[1]);
  h.key_len = LoadBe16(b + 2);
  h.extras_len = static_cast<uint8_t>(b[4]);
  h.data_type = static_cast<uint8_t>(b[5]);
  h.vbucket = LoadBe16(b + 6);
  h.body_len = LoadBe32(b + 8);
  h.opaque = LoadBe32(b + 12);
  h.cas = LoadBe64(b + 16);
  return h;
}

void AppendBinaryRequestHeader(std::string& out, const BinaryRequestHeader& h) {
  char b[kBinaryHeaderSize];
  b[0] = static_cast<char>(h.magic);
  b[1] = static_cast<char>(h.opcode);
  b[2] = static_cast<char>(h.key_len >> 8);
  b[3] = static_cast<char>(h.key_len);
  b[4] = static_cast<char>(h.extras_len);
  b[5] = static_cast<char>(h.data_type);
  b[6] = static_cast<char>(h.vbucket >> 8);
  b[7] = static_cast<char>(h.vbucket);
  StoreBe32(b + 8, h.body_len);
  StoreBe32(b + 12, h.opaque);
  StoreBe64(b + 16, h.cas);
  out.append(b, sizeof(b));
}

BinaryCommand ClassifyBinaryOpcode(uint8_t opcode) {
  using Op = BinaryOpcode;
  const auto op = static_cast<Op>(opcode);
  switch (op) {
    case Op::kGetQ: return {Op::kGet, true, true};
    case Op::kGetKQ: return {Op::kGetK, true, true};
    case Op::kSetQ: return {Op::kSet, true, true};
    case Op::kAddQ: return {Op::kAdd, true, true};
    case Op::kReplaceQ: return {Op::kReplace, true, true};
    case Op::kDeleteQ: return {Op::kDelete, true, true};
    case Op::kIncrementQ: return {Op::kIncrement, true, true};
    case Op::kDecrementQ: return {Op::kDecrement, true, true};
    case Op::kQuitQ: return {Op::kQuit, true, true};
    case Op::kFlushQ: return {Op::kFlush, true, true};
    case Op::kAppendQ: return {Op::kAppend, true, true};
    case Op::kPrependQ: return {Op::kPrepend, true, true};
    case Op::kGatQ: return {Op::kGat, true, true};
    case Op::kGatKQ: return {Op::kGatK, true, true};
    case Op::kGet: case Op::kSet: case Op::kAdd: case Op::kReplace: case Op::kDelete:
    case Op::kIncrement: case Op::kDecrement: case Op::kQuit: case Op::kFlush: case Op::kNoop:
    case Op::kVersion: case Op::kGetK: case Op::kAppend: case Op::kPrepend: case Op::kStat:
    case Op::kTouch: case Op::kGat: case Op::kGatK: case Op::kSaslListMechs: case Op::kSaslAuth:
    case Op::kSaslStep:
      return {op, false, true};
  }
  return {op, false, false};
}

bool BinaryShapeOk(const BinaryRequestHeader& h) {
  const uint32_t ext = h.extras_len;
  const uint32_t key = h.key_len;
  const uint32_t body = h.body_len;
  using Op = BinaryOpcode;
  switch (ClassifyBinaryOpcode(h.opcode).op) {
    case Op::kVersion:
    case Op::kNoop:
    case Op::kQuit:
    case Op::kSaslListMechs:
      return ext == 0 && key == 0 && body == 0;
    case Op::kFlush:
      return key == 0 && body == ext && (ext == 0 || ext == 4);
    case Op::kSet:
    case Op::kAdd:
    case Op::kReplace:
      return ext == 8 && key != 0 && body >= key + 8;
    case Op::kGet:
    case Op::kGetK:
      return ext == 0 && key > 0 && body == key;
    case Op::kDelete:
      return key > 0 && ext == 0 && body == key;
    case Op::kIncrement:
    case Op::kDecrement:
      return key > 0 && ext == 20 && body == key + ext;
    case Op::kAppend:
    case Op::kPrepend:
      return key > 0 && ext == 0;
    case Op::kStat:
      return ext == 0;
    case Op::kSaslAuth:
    case Op::kSaslStep:
      return ext == 0 && key != 0;
    case Op::kTouch:
    case Op::kGat:
    case Op::kGatK:
      return ext == 4 && key != 0;
    default:
      return false;
  }
}

}  // namespace slabd::proto
