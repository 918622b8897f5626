// TextDispatcher: joins the classic text protocol to the Store.
//
// The one place where text requests become Store calls and Store results become
// wire replies (STYLE.md: storage errors map to wire errors in exactly one
// function per protocol). It also counts what memcached counts, in the worker's
// ThreadStats.
//
// Storage commands are two-phase: Execute() reserves an item and returns
// kReadValue; the connection fills the reservation as the data block arrives and
// calls FinishStore() with whether the block ended in "\r\n".
//
// Thread safety: one per connection, used on its worker thread only.
#ifndef SLABD_SRC_TEXT_DISPATCH_H_
#define SLABD_SRC_TEXT_DISPATCH_H_

#include <cstdint>
#include <span>
#include <string_view>

#include "proto/text_request.h"
#include "slab/store.h"
#include "src/dispatch_outcome.h"
#include "src/meta_dispatch.h"
#include "src/output_queue.h"
#include "src/server_context.h"

namespace slabd::server {

class TextDispatcher {
 public:
  TextDispatcher(ServerContext& ctx, WorkerShared& worker)
      : ctx_(ctx), worker_(worker), meta_(ctx, worker) {}

  // Executes one request, appending its reply to `out`. For storage commands that
  // got memory, fills `*pending` and returns kReadValue. A multiget answers its keys
  // from `resume_from` on and suspends when `out` holds more than `output_limit`
  // bytes, so one command line cannot queue unbounded output.
  DispatchOutcome Execute(const proto::TextRequest& req, OutputQueue& out,
                          PendingStore* pending, size_t resume_from = 0,
                          uint64_t output_limit = UINT64_MAX);
  // Completes a storage command once its data block has been read.
  void FinishStore(PendingStore& pending, bool chunk_ok, OutputQueue& out);
  // A request the parser rejected: `line` (without CRLF) unless noreply.
  void Reject(std::string_view line, bool noreply, OutputQueue& out);
  // A hint, called with the unparsed input after a read: the keys of the pipelined
  // one-key commands at its start (PipelinedKeys, up to Store::kPrefetchBatch) are
  // prefetched together (Store::Prefetch), so the lookups that follow find them in the
  // cache; nothing is done for fewer than `min_keys` keys. Changes nothing observable; any
  // bytes are safe (data blocks scanned as lines are harmless).
  void PrefetchPipelined(std::string_view input, size_t min_keys);
  // The keys of the complete one-key command lines at the start of `input` (single-key
  // get/gets, the storage commands, delete, incr/decr, touch, mg/ms/md/ma), at most
  // room.size() of them, stopping at the first multiget; returns how many. Other lines are
  // skipped.
  static size_t PipelinedKeys(std::string_view input, std::span<std::string_view> room);

 private:
  DispatchOutcome Retrieve(const proto::TextRequest& req, OutputQueue& out, size_t resume_from,
                           uint64_t output_limit);
  DispatchOutcome BeginStore(const proto::TextRequest& req, OutputQueue& out,
                             PendingStore* pending);
  void Arithmetic(const proto::TextRequest& req, OutputQueue& out);
  void Touch(const proto::TextRequest& req, OutputQueue& out);
  void Delete(const proto::TextRequest& req, OutputQueue& out);
  void FlushAll(const proto::TextRequest& req, OutputQueue& out);
  DispatchOutcome Shutdown(const proto::TextRequest& req, OutputQueue& out);
  void Verbosity(const proto::TextRequest& req, OutputQueue& out);
  void CacheMemlimit(const proto::TextRequest& req, OutputQueue& out);
  void Reply(std::string_view line_with_crlf, bool noreply, OutputQueue& out);
  ClassCounters& Class(slab::ClassId id) { return worker_.stats.classes[id.v]; }

  ServerContext& ctx_;
  WorkerShared& worker_;
  MetaDispatcher meta_;  // the meta commands (mg ms md ma mn me)
};

}  // namespace slabd::server

#endif  // SLABD_SRC_TEXT_DISPATCH_H_
