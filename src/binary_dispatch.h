// BinaryDispatcher: joins memcached's binary protocol to the Store.
//
// The one place where binary requests become Store calls and Store results become
// binary responses (the text protocol's counterpart is TextDispatcher; both count
// into the same ThreadStats, so `stats` is the same whichever protocol clients use).
//
// Order of checks for a framed request, as memcached's dispatch_bin_command:
//   1. with -S, an unauthenticated connection may only list mechanisms, authenticate
//      or ask the version: anything else is "Auth error" and the connection closes;
//   2. a key over 250 bytes is "Invalid arguments", then close;
//   3. an opcode memcached does not implement is "Unknown command" and its body is
//      skipped (exactly the body: memcached also skips the next request's first
//      extras+key bytes, which desynchronises the stream; slabd does not copy that);
//   4. extras/key/body lengths that do not fit the opcode are "Invalid arguments",
//      then close;
//   5. the command runs. Quiet variants send nothing on success (quiet gets: nothing
//      on a miss), but always send errors.
//
// Thread safety: one per worker thread; per-connection state is passed in.
#ifndef SLABD_SRC_BINARY_DISPATCH_H_
#define SLABD_SRC_BINARY_DISPATCH_H_

#include <cstdint>
#include <span>
#include <string_view>

#include "proto/binary_header.h"
#include "proto/binary_parser.h"
#include "proto/binary_writer.h"
#include "src/dispatch_outcome.h"
#include "src/output_queue.h"
#include "src/server_context.h"

namespace slabd::server {

// Per-connection SASL state.
struct SaslState {
  bool authenticated = false;
  bool started = false;  // a SASL_AUTH answered "continue": a SASL_STEP may finish it
};

class BinaryDispatcher {
 public:
  // SASL payloads above this are refused as memcached refuses ones it cannot allocate.
  static constexpr uint32_t kMaxSaslPayload = 64 * 1024;

  BinaryDispatcher(ServerContext& ctx, WorkerShared& worker) : ctx_(ctx), worker_(worker) {}

  // Value bytes of `f` that must be in the read buffer, after the head, before Execute()
  // is called (a SASL payload); 0 for every other request.
  uint32_t BufferedValueLength(const proto::BinaryFrame& f) const;

  // Runs one request whose head ParseBinaryFrame() accepted. `value` holds the first
  // BufferedValueLength(f) value bytes. Storage commands that got memory fill `*pending`
  // and return kReadValue (the connection reads header.value_len() bytes into it);
  // kSwallow skips that many bytes of value; kClose closes once the reply is written.
  DispatchOutcome Execute(const proto::BinaryFrame& f, std::string_view value,
                          OutputQueue& out, PendingStore* pending, SaslState& sasl);
  // Completes a storage command once its value has been read.
  void FinishStore(PendingStore& pending, OutputQueue& out);
  // Replies to a frame ParseBinaryFrame() refused (kBodyTooLarge, kLengthMismatch); the
  // connection closes after the write.
  void RejectFrame(const proto::BinaryFrame& f, OutputQueue& out);
  // The keys of the complete request frames at the start of `input`, in order, at most
  // room.size() of them; returns how many. For the worker's batch plan (HashHints), like
  // TextDispatcher::PipelinedKeys: a hint only, so any bytes are safe; it stops at the first
  // frame that is incomplete or malformed.
  static size_t PipelinedKeys(std::string_view input, std::span<std::string_view> room);

 private:
  using Op = proto::BinaryOpcode;

  DispatchOutcome Dispatch(const proto::BinaryFrame& f, proto::BinaryCommand cmd,
                           std::string_view value, OutputQueue& out, PendingStore* pending,
                           SaslState& sasl);
  void Retrieve(const proto::BinaryFrame& f, proto::BinaryCommand cmd, OutputQueue& out);
  DispatchOutcome BeginStore(const proto::BinaryFrame& f, proto::BinaryCommand cmd,
                             OutputQueue& out, PendingStore* pending);
  void Delete(const proto::BinaryFrame& f, bool quiet, OutputQueue& out);
  void Arithmetic(const proto::BinaryFrame& f, proto::BinaryCommand cmd, OutputQueue& out);
  void CreateCounter(const proto::BinaryFrame& f, bool quiet, uint64_t initial,
                     uint32_t exptime, OutputQueue& out);
  void Flush(const proto::BinaryFrame& f, bool quiet, OutputQueue& out);
  void Stat(const proto::BinaryFrame& f, OutputQueue& out);
  DispatchOutcome SaslAuth(const proto::BinaryFrame& f, std::string_view value,
                           OutputQueue& out, SaslState& sasl);

  void Success(const proto::BinaryFrame& f, bool quiet, OutputQueue& out, uint64_t cas = 0,
               std::string_view body = {});
  static void Error(const proto::BinaryFrame& f, proto::BinaryStatus status, OutputQueue& out,
                    std::string_view text = {});
  ClassCounters& Class(slab::ClassId id) { return worker_.stats.classes[id.v]; }

  ServerContext& ctx_;
  WorkerShared& worker_;
};

}  // namespace slabd::server

#endif  // SLABD_SRC_BINARY_DISPATCH_H_
