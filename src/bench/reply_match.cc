// MatchReply: see reply_match.h for the table.
#include "src/bench/reply_match.h"

namespace slabd::bench {

MatchStep MatchReply(Protocol protocol, RequestKind request, ReplyKind reply) {
  switch (request) {
    case RequestKind::kSet:
      switch (reply) {
        case ReplyKind::kStored:
        case ReplyKind::kNotStored:
        case ReplyKind::kExists:
        case ReplyKind::kNotFound:
        case ReplyKind::kError:
          return MatchStep::kComplete;
        default:
          return MatchStep::kUnexpected;
      }
    case RequestKind::kGet:
    case RequestKind::kMultiGet:
      break;
  }
  if (protocol == Protocol::kText) {
    switch (reply) {
      case ReplyKind::kValue: return MatchStep::kContinue;
      case ReplyKind::kEnd:
      case ReplyKind::kError: return MatchStep::kComplete;
      default: return MatchStep::kUnexpected;
    }
  }
  if (request == RequestKind::kGet) {
    switch (reply) {
      case ReplyKind::kValue:
      case ReplyKind::kMiss:
      case ReplyKind::kError: return MatchStep::kComplete;
      default: return MatchStep::kUnexpected;
    }
  }
  switch (reply) {  // meta or binary multiget
    case ReplyKind::kValue:
    case ReplyKind::kMiss:
    case ReplyKind::kError: return MatchStep::kContinue;
    case ReplyKind::kEnd: return MatchStep::kComplete;
    default: return MatchStep::kUnexpected;
  }
}

}  // namespace slabd::bench
