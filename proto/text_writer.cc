// Reply formatting. Integers go through std::to_chars into a 24-byte stack buffer (enough for
// any 64-bit value with sign), so a reply is built with appends only.
#include "proto/text_writer.h"

#include <charconv>
#include <cstring>

#include "proto/text_numbers.h"

namespace slabd::proto {
namespace {

template <typename Int>
void AppendDecimal(std::string& out, Int value) {
  char digits[24];
  const std::to_chars_result r = std::to_chars(digits, digits + sizeof(digits), value);
  out.append(digits, static_cast<size_t>(r.ptr - digits));
}

void AppendStatName(std::string& out, std::string_view name) {
  out.append("STAT ");
  out.append(name);
  out.push_back(' ');
}

template <typename Int>
void AppendIntegerStat(std::string& out, std::string_view name, Int value) {
  AppendStatName(out, name);
  AppendDecimal(out, value);
  out.append("\r\n");
}

// "VALUE <key> <flags> <bytes>[ <cas>]\r\n", composed in a stack buffer and appended once:
// the header of every hit, so one capacity check instead of seven.
void AppendValueLine(std::string& out, std::string_view key, uint32_t flags, uint32_t value_len,
                     const uint64_t* cas) {
  constexpr std::string_view kValue = "VALUE ";
  char tail[64];  // " <flags> <bytes> <cas>\r\n": at most 1 + 10 + 1 + 10 + 1 + 20 + 2 bytes
  char* q = tail;
  *q++ = ' ';
  q = WriteDecimal(q, flags);
  *q++ = ' ';
  q = WriteDecimal(q, value_len);
  if (cas != nullptr) {
    *q++ = ' ';
    q = WriteDecimal(q, *cas);
  }
  *q++ = '\r';
  *q++ = '\n';
  const size_t tail_len = static_cast<size_t>(q - tail);
  char line[320];
  if (kValue.size() + key.size() + tail_len > sizeof(line)) {  // keys are at most 250 bytes
    out.append(kValue);
    out.append(key);
    out.append(tail, tail_len);
    return;
  }
  std::memcpy(line, kValue.data(), kValue.size());
  std::memcpy(line + kValue.size(), key.data(), key.size());
  std::memcpy(line + kValue.size() + key.size(), tail, tail_len);
  out.append(line, kValue.size() + key.size() + tail_len);
}

}  // namespace

void AppendValueHeader(std::string& out, std::string_view key, uint32_t flags,
                       uint32_t value_len) {
  AppendValueLine(out, key, flags, value_len, nullptr);
}

void AppendValueHeaderCas(std::string& out, std::string_view key, uint32_t flags,
                          uint32_t value_len, uint64_t cas) {
  AppendValueLine(out, key, flags, value_len, &cas);
}

void AppendLine(std::string& out, std::string_view line) {
  out.append(line);
  out.append("\r\n");
}

void AppendEnd(std::string& out) { out.append(kEnd); }

void AppendNumberLine(std::string& out, uint64_t value) {
  AppendDecimal(out, value);
  out.append("\r\n");
}

void AppendStat(std::string& out, std::string_view name, uint64_t value) {
  AppendIntegerStat(out, name, value);
}

void AppendStat(std::string& out, std::string_view name, int64_t value) {
  AppendIntegerStat(out, name, value);
}

void AppendStat(std::string& out, std::string_view name, uint32_t value) {
  AppendIntegerStat(out, name, value);
}

void AppendStat(std::string& out, std::string_view name, int32_t value) {
  AppendIntegerStat(out, name, value);
}

void AppendStat(std::string& out, std::string_view name, std::string_view value) {
  AppendStatName(out, name);
  out.append(value);
  out.append("\r\n");
}

void AppendStatRusage(std::string& out, std::string_view name, int64_t sec, int64_t usec) {
  AppendStatName(out, name);
  AppendDecimal(out, sec);
  out.push_back('.');
  // %06ld: at least six characters, the sign counting as one and zeros going after it.
  char digits[24];
  const std::to_chars_result r = std::to_chars(digits, digits + sizeof(digits), usec);
  std::string_view text(digits, static_cast<size_t>(r.ptr - digits));
  const size_t width = text.size();
  if (text.front() == '-') {
    out.push_back('-');
    text.remove_prefix(1);
  }
  if (width < 6) out.append(6 - width, '0');
  out.append(text);
  out.append("\r\n");
}

}  // namespace slabd::proto
