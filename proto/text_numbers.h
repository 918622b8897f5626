// Numeric fields of the classic text protocol, parsed exactly as memcached 1.6.18 parses them.
//
// 1.6.18 feeds every numeric token of a classic command to libc (strtoul/strtol/strtoull, base 10,
// 64-bit long) through its util.c wrappers, and the wire behaviour depends on libc's quirks:
// leading C-locale whitespace is skipped, a leading '+' or '-' is accepted, "-0" is 0, a negated
// unsigned magnitude wraps ("-18446744073709551615" is 1), the token may end in any whitespace
// byte ("1\t" is 1), and results are truncated to 32 bits after a 64-bit range check
// (flags 4294967296 -> 0, exptime 2147483648 -> INT32_MIN). Those outcomes were checked byte for
// byte against the 1.6.18 binary; the tests in t/unit/proto/text_numbers_test.cc pin them.
//
// Pure functions: no locale, no errno, no allocation, thread-safe. `token` is one space-delimited
// token (never contains ' '); it need not be NUL-terminated.
#ifndef SLABD_PROTO_TEXT_NUMBERS_H_
#define SLABD_PROTO_TEXT_NUMBERS_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

namespace slabd::proto {

// safe_strtoul: strtoul, rejected on no digits, overflow of 64 bits, trailing garbage, or a '-'
// sign whose wrapped result has the top bit set; then truncated to 32 bits. Used for <flags>,
// verbosity level and cache_memlimit.
[[nodiscard]] std::optional<uint32_t> ParseLibcUint32(std::string_view token);

// safe_strtol: strtol (64-bit), rejected on no digits, ERANGE or trailing garbage; then
// truncated to 32 bits. Used for <exptime>, <bytes>, touch/gat exptime and flush_all delay.
[[nodiscard]] std::optional<int32_t> ParseLibcInt32(std::string_view token);

// safe_strtoull: strtoull, rejected like ParseLibcUint32 but kept at 64 bits. Used for
// <cas unique> and the incr/decr delta.
[[nodiscard]] std::optional<uint64_t> ParseLibcUint64(std::string_view token);

// The other direction: writes `value` in decimal at `out` (at most 20 bytes, no NUL) and
// returns the end. For writers that compose a line in a buffer of their own.
char* WriteDecimal(char* out, uint64_t value);

// The number of decimal digits of `value` (1 for 0), and the digits themselves written to
// [out, out + length) where length == DecimalLength(value): for writers that size a reply
// before they fill it. Two digits per step from a table, from the last digit backwards.
inline constexpr char kDigitPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

[[nodiscard]] inline size_t DecimalLength(uint64_t value) {
  size_t length = 1;
  for (; value >= 100; value /= 100) length += 2;
  return length + (value >= 10 ? 1 : 0);
}

inline void WriteDecimalDigits(char* out, size_t length, uint64_t value) {
  char* p = out + length;
  for (; value >= 100; value /= 100) {
    p -= 2;
    std::memcpy(p, kDigitPairs + 2 * (value % 100), 2);
  }
  if (value >= 10) {
    std::memcpy(p - 2, kDigitPairs + 2 * value, 2);
  } else {
    p[-1] = static_cast<char>('0' + value);
  }
}

}  // namespace slabd::proto

#endif  // SLABD_PROTO_TEXT_NUMBERS_H_
