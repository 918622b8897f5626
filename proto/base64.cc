// Base64 (see base64.h).
#include "proto/base64.h"

#include <array>
#include <cstdint>

namespace slabd::proto {
namespace {

constexpr char kAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int8_t, 256> MakeDecodeTable() {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int8_t>(i);
  return t;
}
constexpr std::array<int8_t, 256> kDecode = MakeDecodeTable();

}  // namespace

void AppendBase64(std::string& out, std::string_view in) {
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const uint32_t v = (uint32_t{static_cast<unsigned char>(in[i])} << 16) |
                       (uint32_t{static_cast<unsigned char>(in[i + 1])} << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  const size_t rest = in.size() - i;
  if (rest == 0) return;
  uint32_t v = uint32_t{static_cast<unsigned char>(in[i])} << 16;
  if (rest == 2) v |= uint32_t{static_cast<unsigned char>(in[i + 1])} << 8;
  out.push_back(kAlphabet[(v >> 18) & 63]);
  out.push_back(kAlphabet[(v >> 12) & 63]);
  out.push_back(rest == 2 ? kAlphabet[(v >> 6) & 63] : '=');
  out.push_back('=');
}

size_t Base64Decode(std::string_view in, char* out, size_t out_size) {
  // memcached's decoder: bytes outside the alphabet are skipped, the remaining count
  // ('=' included) must be a non-zero multiple of 4, and decoding stops after the first
  // padded quad.
  size_t count = 0;
  for (char c : in)
    if (c == '=' || kDecode[static_cast<unsigned char>(c)] >= 0) ++count;
  if (count == 0 || count % 4 != 0 || count / 4 * 3 > out_size) return 0;
  size_t n = 0;
  uint8_t block[4];
  int filled = 0;
  int pad = 0;
  for (char c : in) {
    const int8_t v = c == '=' ? 0 : kDecode[static_cast<unsigned char>(c)];
    if (v < 0) continue;
    if (c == '=') ++pad;
    block[filled++] = static_cast<uint8_t>(v);
    if (filled < 4) continue;
    out[n++] = static_cast<char>((block[0] << 2) | (block[1] >> 4));
    out[n++] = static_cast<char>((block[1] << 4) | (block[2] >> 2));
    out[n++] = static_cast<char>((block[2] << 6) | block[3]);
    filled = 0;
    if (pad > 0) {
      if (pad > 2) return 0;  // invalid padding
      n -= static_cast<size_t>(pad);
      break;
    }
  }
  return n;
}

}  // namespace slabd::proto
