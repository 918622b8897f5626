// Base64 (RFC 4648, standard alphabet, '=' padding) for the meta protocol's binary keys
// (the `b` flag), matching memcached's base64.c: decoding skips bytes outside the
// alphabet, needs a non-zero multiple of 4 alphabet bytes ('=' included) and stops after
// the first padded quad.
//
// Pure functions over caller buffers; no allocation.
#ifndef SLABD_PROTO_BASE64_H_
#define SLABD_PROTO_BASE64_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace slabd::proto {

// Bytes Base64Encode writes for `n` input bytes.
constexpr size_t Base64EncodedLength(size_t n) { return (n + 2) / 3 * 4; }

// Appends the encoding of `in` to `out`.
void AppendBase64(std::string& out, std::string_view in);

// Decodes `in` into `out`. Returns the decoded length, or 0 when `in` has no quad to
// decode, bad padding, or more than `out_size` bytes to write (memcached's "error
// decoding key").
[[nodiscard]] size_t Base64Decode(std::string_view in, char* out, size_t out_size);

}  // namespace slabd::proto

#endif  // SLABD_PROTO_BASE64_H_
