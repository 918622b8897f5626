// Reply formatting. Integers go through std::to_chars into a 24-byte stack buffer (enough for
// any 64-bit value with sign), so a reply is built with appends only.
#include "proto/text_writer.h"

#include <charconv>

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

void AppendValuePrefix(std::string& out, std::string_view key, uint32_t flags,
                       uint32_t value_len) {
  out.append("VALUE ");
  out.append(key);
  out.push_back(' ');
  AppendDecimal(out, flags);
  out.push_back(' ');
  AppendDecimal(out, value_len);
}

}  // namespace

void AppendValueHeader(std::string& out, std::string_view key, uint32_t flags,
                       uint32_t value_len) {
  AppendValuePrefix(out, key, flags, value_len);
  out.append("\r\n");
}

void AppendValueHeaderCas(std::string& out, std::string_view key, uint32_t flags,
                          uint32_t value_len, uint64_t cas) {
  AppendValuePrefix(out, key, flags, value_len);
  out.push_back(' ');
  AppendDecimal(out, cas);
  out.append("\r\n");
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
