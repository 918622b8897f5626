// MetaDispatcher: joins memcached's meta commands (mg ms md ma mn me) to the Store.
//
// The one place where meta requests become Store calls and results become meta replies,
// as memcached 1.6.18's proto_text.c produces them: return codes VA/HD/EN/NF/NS/EX/MN/ME,
// return flags in request order, W/Z/X after them, `q` hiding only the nominal code of
// each command (mg EN, ms HD, md HD, ma HD/VA), errors never hidden. The same counters as
// the classic commands move (cmd_get, get_hits, cmd_touch, cmd_set, delete_hits, ...).
//
// ms is two-phase like set: Execute() reserves the item and returns kReadValue; the
// connection fills it and calls FinishStore() with whether the data ended in "\r\n".
//
// Thread safety: one per worker thread (owned by its TextDispatcher).
#ifndef SLABD_SRC_META_DISPATCH_H_
#define SLABD_SRC_META_DISPATCH_H_

#include <string>
#include <string_view>

#include "proto/meta_parser.h"
#include "src/dispatch_outcome.h"
#include "src/output_queue.h"
#include "src/server_context.h"

namespace slabd::server {

class MetaDispatcher {
 public:
  MetaDispatcher(ServerContext& ctx, WorkerShared& worker) : ctx_(ctx), worker_(worker) {}

  // Executes one meta command line (the text parser's kMeta `line`).
  DispatchOutcome Execute(std::string_view line, OutputQueue& out, PendingStore* pending);
  // Completes an ms once its data block has been read.
  void FinishStore(PendingStore& pending, bool chunk_ok, OutputQueue& out);

 private:
  void Get(const proto::MetaRequest& r, std::string_view key, OutputQueue& out);
  DispatchOutcome Set(const proto::MetaRequest& r, std::string_view key, OutputQueue& out,
                      PendingStore* pending);
  void Delete(const proto::MetaRequest& r, std::string_view key, OutputQueue& out);
  void Arith(const proto::MetaRequest& r, std::string_view key, OutputQueue& out);
  void Debug(const proto::MetaRequest& r, std::string_view key, OutputQueue& out);

  // Appends " O..." and " k..." for the flags that ask for them (the replies that carry
  // no item: EN, NF, NS, EX).
  void AppendOpaqueAndKey(const proto::MetaRequest& r, std::string_view key, bool binary_key,
                          std::string& line);
  slab::RelTime Exptime(int32_t ttl) const;
  ClassCounters& Class(slab::ClassId id) { return worker_.stats.classes[id.v]; }

  ServerContext& ctx_;
  WorkerShared& worker_;
};

}  // namespace slabd::server

#endif  // SLABD_SRC_META_DISPATCH_H_
