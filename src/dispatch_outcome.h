// What a protocol dispatcher tells its connection to do next, and the storage command
// a connection is filling. Shared by the text and binary dispatchers.
#ifndef SLABD_SRC_DISPATCH_OUTCOME_H_
#define SLABD_SRC_DISPATCH_OUTCOME_H_

#include <cstddef>
#include <cstdint>

#include "proto/binary_header.h"
#include "proto/binary_writer.h"
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
