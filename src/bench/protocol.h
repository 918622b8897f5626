// The wire protocols the driver speaks and the kinds of request it sends.
//
//   kGet       text "get k", meta "mg k v", binary GET          (one key)
//   kMultiGet  text "get k1 .. kK", meta K x "mg k v q k" + "mn", binary K x GETKQ + NOOP
//   kSet       text "set k 0 0 n", meta "ms k n", binary SET     (one key)
#ifndef SLABD_SRC_BENCH_PROTOCOL_H_
#define SLABD_SRC_BENCH_PROTOCOL_H_

#include <cstdint>
#include <string_view>

namespace slabd::bench {

enum class Protocol : uint8_t { kText, kMeta, kBinary };

enum class RequestKind : uint8_t { kGet, kMultiGet, kSet };

[[nodiscard]] constexpr std::string_view ProtocolName(Protocol p) {
  switch (p) {
    case Protocol::kText: return "text";
    case Protocol::kMeta: return "meta";
    case Protocol::kBinary: return "binary";
  }
  return "?";
}

}  // namespace slabd::bench

#endif  // SLABD_SRC_BENCH_PROTOCOL_H_
