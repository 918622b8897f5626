// Implementation of the libc-compatible number parsers; see text_numbers.h for the contract.
// Everything is computed on a 64-bit magnitude plus a sign, which is what glibc does for
// strtoul/strtol/strtoull on LP64.
#include "proto/text_numbers.h"

#include <limits>

namespace slabd::proto {
namespace {

// isspace() in the "C" locale; memcached never calls setlocale().
constexpr bool IsCSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

struct DecimalScan {
  bool valid = false;      // at least one digit, and the token ends there or at whitespace
  bool overflow = false;   // magnitude does not fit in 64 bits (libc: ERANGE)
  bool negative = false;
  uint64_t magnitude = 0;
};

DecimalScan ScanDecimal(std::string_view token) {
  DecimalScan scan;
  size_t i = 0;
  while (i < token.size() && IsCSpace(token[i])) ++i;
  if (i < token.size() && (token[i] == '+' || token[i] == '-')) {
    scan.negative = token[i] == '-';
    ++i;
  }
  const size_t first_digit = i;
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  for (; i < token.size() && token[i] >= '0' && token[i] <= '9'; ++i) {
    const uint64_t digit = static_cast<uint64_t>(token[i] - '0');
    if (scan.magnitude > (kMax - digit) / 10) {
      scan.overflow = true;  // libc keeps consuming digits; so do we
    } else {
      scan.magnitude = scan.magnitude * 10 + digit;
    }
  }
  const bool has_digits = i > first_digit;
  const bool clean_end = i == token.size() || IsCSpace(token[i]);
  scan.valid = has_digits && clean_end;
  return scan;
}

// strtoull + the safe_strtoull/safe_strtoul checks, before any truncation.
std::optional<uint64_t> UnsignedValue(std::string_view token) {
  const DecimalScan scan = ScanDecimal(token);
  if (!scan.valid || scan.overflow) return std::nullopt;
  const uint64_t value = scan.negative ? 0 - scan.magnitude : scan.magnitude;
  // memcached rejects a '-' only when the wrapped value looks negative as a signed number.
  if (scan.negative && static_cast<int64_t>(value) < 0) return std::nullopt;
  return value;
}

}  // namespace

std::optional<uint32_t> ParseLibcUint32(std::string_view token) {
  const std::optional<uint64_t> value = UnsignedValue(token);
  if (!value) return std::nullopt;
  return static_cast<uint32_t>(*value);
}

std::optional<uint64_t> ParseLibcUint64(std::string_view token) {
  return UnsignedValue(token);
}

std::optional<int32_t> ParseLibcInt32(std::string_view token) {
  const DecimalScan scan = ScanDecimal(token);
  if (!scan.valid || scan.overflow) return std::nullopt;
  constexpr uint64_t kLongMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (scan.magnitude > kLongMax + (scan.negative ? 1 : 0)) return std::nullopt;  // ERANGE
  const uint64_t bits = scan.negative ? 0 - scan.magnitude : scan.magnitude;
  return static_cast<int32_t>(static_cast<uint32_t>(bits));  // int32_t = long, as 1.6.18 does
}

char* WriteDecimal(char* out, uint64_t value) {
  const size_t length = DecimalLength(value);
  WriteDecimalDigits(out, length, value);
  return out + length;
}

}  // namespace slabd::proto
