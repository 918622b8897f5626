// Decimal values for incr/decr: parsing a stored value and formatting the result.
//
// ParseStoredDecimal follows memcached's safe_strtoull on the stored bytes, made deterministic:
// optional leading whitespace, optional '+', then at least one digit; the digits must end the
// value or be followed by whitespace (anything after that is ignored, as memcached does). A '-'
// sign, no digits, or a number >= 2^64 is non-numeric. It reads exactly value.size() bytes (the
// stored value has no NUL or "\r\n" after it), so whitespace-only values and values >= 2^63,
// where memcached 1.6.18 reads past the value, get well-defined answers.
//
// Pure functions; thread-safe.
#ifndef SLABD_SLAB_NUMERIC_VALUE_H_
#define SLABD_SLAB_NUMERIC_VALUE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace slabd::slab {

inline constexpr size_t kMaxDecimalLength = 20;  // digits of UINT64_MAX

[[nodiscard]] std::optional<uint64_t> ParseStoredDecimal(std::string_view value);

// Writes `v` in decimal to `out` (at least kMaxDecimalLength bytes, no NUL); returns the length.
size_t FormatDecimal(uint64_t v, char* out);

// incr wraps modulo 2^64; decr saturates at 0.
[[nodiscard]] inline uint64_t ApplyDelta(uint64_t value, bool incr, uint64_t delta) {
  if (incr) return value + delta;
  return delta > value ? 0 : value - delta;
}

}  // namespace slabd::slab

#endif  // SLABD_SLAB_NUMERIC_VALUE_H_
