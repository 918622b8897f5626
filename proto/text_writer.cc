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

// "VALUE <key> <flags> <bytes>[ <cas>]\r\n", then `data` and "\r\n" when `data` is given:
// the reply to every hit, so it is sized first and written in place after one growth of
// `out` instead of a capacity check and a copy per field. A large value is appended
// separately, so that it is not zero-filled by the resize before it is copied over.
void AppendValueLine(std::string& out, std::string_view key, uint32_t flags, uint32_t value_len,
                     const uint64_t* cas, const std::string_view* data) {
  constexpr size_t kInPlaceData = 512;
  const size_t flags_len = DecimalLength(flags);
  const size_t value_len_len = DecimalLength(value_len);
  const size_t cas_len = cas != nullptr ? DecimalLength(*cas) : 0;
  const size_t header = 6 + key.size() + 1 + flags_len + 1 + value_len_len +
                        (cas != nullptr ? 1 + cas_len : 0) + 2;
  const bool data_in_place = data != nullptr && data->size() <= kInPlaceData;
  const size_t at = out.size();
  out.resize(at + header + (data_in_place ? data->size() + 2 : 0));
  char* p = out.data() + at;
  std::memcpy(p, "VALUE ", 6);
  p += 6;
  std::memcpy(p, key.data(), key.size());
  p += key.size();
  *p++ = ' ';
  WriteDecimalDigits(p, flags_len, flags);
  p += flags_len;
  *p++ = ' ';
  WriteDecimalDigits(p, value_len_len, value_len);
  p += value_len_len;
  if (cas != nullptr) {
    *p++ = ' ';
    WriteDecimalDigits(p, cas_len, *cas);
    p += cas_len;
  }
  std::memcpy(p, "\r\n", 2);
  if (data == nullptr) return;
  if (data_in_place) {
    std::memcpy(p + 2, data->data(), data->size());
    std::memcpy(p + 2 + data->size(), "\r\n", 2);
    return;
  }
  out.append(*data);
  out.append("\r\n", 2);
}

}  // namespace

void AppendValueHeader(std::string& out, std::string_view key, uint32_t flags,
                       uint32_t value_len) {
  AppendValueLine(out, key, flags, value_len, nullptr, nullptr);
}

void AppendValueHeaderCas(std::string& out, std::string_view key, uint32_t flags,
                          uint32_t value_len, uint64_t cas) {
  AppendValueLine(out, key, flags, value_len, &cas, nullptr);
}

void AppendValue(std::string& out, std::string_view key, uint32_t flags, std::string_view data) {
  AppendValueLine(out, key, flags, static_cast<uint32_t>(data.size()), nullptr, &data);
}

void AppendValueCas(std::string& out, std::string_view key, uint32_t flags, std::string_view data,
                    uint64_t cas) {
  AppendValueLine(out, key, flags, static_cast<uint32_t>(data.size()), &cas, &data);
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
