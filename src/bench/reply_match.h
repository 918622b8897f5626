// MatchReply: which reply completes which request.
//
// A connection's requests are answered in order, so each reply belongs to the oldest
// request still open. Whether it ends that request depends on the protocol and the
// request kind (protocol.h):
//
//   request      text                    meta                    binary
//   kGet         VALUE.. then END        VA | EN                 GET hit | miss
//   kMultiGet    VALUE.. then END        VA.. then MN            GETKQ hits.. then NOOP
//   kSet         STORED | NOT_STORED | EXISTS | NOT_FOUND  (meta HD NS EX NF; binary statuses)
//
// An error reply ends a kGet or kSet (and a text multiget, which the server answers with
// one line); for meta and binary multigets it belongs to one key and the request still
// ends at MN / NOOP. A reply that cannot belong to the request (END to a set, a miss to a
// set) means the stream is out of step.
//
// Pure function; no state.
#ifndef SLABD_SRC_BENCH_REPLY_MATCH_H_
#define SLABD_SRC_BENCH_REPLY_MATCH_H_

#include <cstdint>

#include "src/bench/protocol.h"
#include "src/bench/reply_scanner.h"

namespace slabd::bench {

enum class MatchStep : uint8_t {
  kContinue,    // part of the request's reply; more follows
  kComplete,    // the request's last reply
  kUnexpected,  // cannot be a reply to this request
};

[[nodiscard]] MatchStep MatchReply(Protocol protocol, RequestKind request, ReplyKind reply);

}  // namespace slabd::bench

#endif  // SLABD_SRC_BENCH_REPLY_MATCH_H_
