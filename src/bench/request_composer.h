// RequestComposer: appends the bytes of one request to a connection's output queue.
//
// Keys come preformatted from a KeyTable and value bytes from one prefilled buffer, so
// composing a request is a few memcpys of constant pieces plus, for a set, formatting the
// value length (binary: filling a precomposed 24-byte header). Nothing is allocated unless
// the output queue has to grow. Request shapes per protocol are listed in protocol.h;
// sets always use flags 0 and no expiry.
//
// Immutable after construction; shared by all driver threads. Does no I/O.
#ifndef SLABD_SRC_BENCH_REQUEST_COMPOSER_H_
#define SLABD_SRC_BENCH_REQUEST_COMPOSER_H_

#include <cstdint>
#include <span>
#include <string_view>

#include "src/bench/byte_buffer.h"
#include "src/bench/key_table.h"
#include "src/bench/protocol.h"

namespace slabd::bench {

class RequestComposer {
 public:
  // `keys` and `values` must outlive the composer; every value length passed to
  // AppendSet must be <= values.size().
  RequestComposer(Protocol protocol, const KeyTable* keys, std::string_view values);

  Protocol protocol() const { return protocol_; }

  // REQUIRES for all: key indexes < keys->count().
  void AppendGet(ByteBuffer& out, uint64_t key) const;
  // A multiget of keys.size() >= 1 keys (text sends "get k1 .. kK" even for one key).
  void AppendMultiGet(ByteBuffer& out, std::span<const uint64_t> keys) const;
  void AppendSet(ByteBuffer& out, uint64_t key, uint32_t value_len) const;

 private:
  Protocol protocol_;
  const KeyTable* keys_;
  std::string_view values_;
};

}  // namespace slabd::bench

#endif  // SLABD_SRC_BENCH_REQUEST_COMPOSER_H_
