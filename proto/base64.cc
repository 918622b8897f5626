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
  if (in.empty() || in.size() % 4 != 0) return 0;
  size_t n = 0;
  for (size_t i = 0; i < in.size(); i += 4) {
    const bool last = i + 4 == in.size();
    int v[4];
    int pad = 0;
    for (int j = 0; j < 4; ++j) {
      const char c = in[i + j];
      if (c == '=' && last && j >= 2) {
        v[j] = 0;
        ++pad;
        continue;
      }
      if (pad > 0) return 0;  // data after padding
      v[j] = kDecode[static_cast<unsigned char>(c)];
      if (v[j] < 0) return 0;
    }
    const uint32_t bits = (uint32_t(v[0]) << 18) | (uint32_t(v[1]) << 12) |
                          (uint32_t(v[2]) << 6) | uint32_t(v[3]);
    const int bytes = 3 - pad;
    if (n + bytes > out_size) return 0;
    out[n++] = static_cast<char>(bits >> 16);
    if (bytes > 1) out[n++] = static_cast<char>(bits >> 8);
    if (bytes > 2) out[n++] = static_cast<char>(bits);
  }
  return n;
}

}  // namespace slabd::proto
