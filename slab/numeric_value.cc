// ParseStoredDecimal / FormatDecimal (see numeric_value.h).
#include "slab/numeric_value.h"

#include <charconv>

namespace slabd::slab {
namespace {

// The C locale's isspace set, without depending on the locale.
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

}  // namespace

std::optional<uint64_t> ParseStoredDecimal(std::string_view value) {
  size_t i = 0;
  while (i < value.size() && IsSpace(value[i])) ++i;
  if (i < value.size() && value[i] == '+') ++i;
  const char* first = value.data() + i;
  const char* last = value.data() + value.size();
  uint64_t v = 0;
  const auto [end, ec] = std::from_chars(first, last, v, 10);
  if (ec != std::errc() || end == first) return std::nullopt;  // no digits, or >= 2^64
  if (end != last && !IsSpace(*end)) return std::nullopt;      // e.g. "12a"
  return v;
}

size_t FormatDecimal(uint64_t v, char* out) {
  const auto [end, ec] = std::to_chars(out, out + kMaxDecimalLength, v);
  (void)ec;  // cannot fail: 20 bytes hold any u64
  return static_cast<size_t>(end - out);
}

}  // namespace slabd::slab
