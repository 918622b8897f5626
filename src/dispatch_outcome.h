// What a protocol dispatcher tells its connection to do next, and the storage command
// a connection is filling. Shared by the text and binary dispatchers.
#ifndef SLABD_SRC_DISPATCH_OUTCOME_H_
#define SLABD_SRC_DISPATCH_OUTCOME_H_

#include <cstddef>
#include <cstdint>

#include "proto/binary_header.h"
#include "proto/binary_writer.h"
#include "proto/meta_parser.h"
#include "slab/store.h"

namespace slabd::server {

// A storage command between Reserve and Link: the connection reads the value into
// `reservation`, then hands it back to the dispatcher that started it.
struct PendingStore {
  slab::Reservation reservation;
  slab::StoreMode mode = slab::StoreMode::kSet;
  uint64_t cas = 0;
  bool noreply = false;  // text noreply, binary quiet
  // Binary only: the value has no "\r\n" tail, and the reply names the request.
  bool binary = false;
  proto::BinaryOpcode binary_op = proto::BinaryOpcode::kSet;
  proto::BinaryReplyTo reply_to;
  // Meta (ms) only: the reply's return flags, copied out of the request line (which is
  // gone by the time the data block has been read).
  bool meta = false;
  bool meta_base64_key = false;  // `b`: print the key base64-encoded
  bool meta_allow_stale = false; // `I`
  uint64_t meta_explicit_cas = 0;  // `E`
  uint8_t meta_flag_count = 0;
  char meta_flags[proto::kMetaMaxTokens] = {};  // 'O', 'k', 'c' in request order
  uint8_t meta_opaque_len = 0;
  char meta_opaque[proto::kMetaMaxOpaqueToken] = {};
};

// kSuspend: a multiget stopped because the connection's queued output reached its
// limit; call Execute() again with the same request and `resume` once it drains.
enum class NextStep { kContinue, kReadValue, kSwallow, kClose, kSuspend };

struct DispatchOutcome {
  NextStep next = NextStep::kContinue;
  uint64_t swallow = 0;  // kSwallow: bytes of the data block to discard
  size_t resume = 0;     // kSuspend: keys already answered
};

}  // namespace slabd::server

#endif  // SLABD_SRC_DISPATCH_OUTCOME_H_
