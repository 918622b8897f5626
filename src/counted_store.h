// Store calls that also move memcached's counters, shared by the protocol dispatchers so
// a command counts the same whichever protocol asked:
//   CountedLookup  (and CountedGetCopy, its copying form) the read half of every retrieval command (get/gets/gat/gats, binary
//                  GET/GETK/TOUCH/GAT/GATK and their quiet forms): cmd_get or cmd_touch,
//                  get_hits/get_misses (+ get_expired, get_flushed) or
//                  touch_hits/touch_misses, the per-class hit counters, `stats detail`.
//   CountedLink    the second half of every storage command (text, binary, ms): the
//                  Link and, for compare-and-swap, cas_hits/cas_badval/cas_misses.
//
// Thread safety: call on the worker thread that owns `stats`.
#ifndef SLABD_SRC_COUNTED_STORE_H_
#define SLABD_SRC_COUNTED_STORE_H_

#include <string_view>

#include "slab/store.h"
#include "src/dispatch_outcome.h"
#include "src/server_context.h"

namespace slabd::server {

// `touch`: a get-and-touch setting `exptime`; otherwise a plain get. `hash` is the key's
// slab::HashKey (from Store::Prefetch).
[[nodiscard]] slab::LookupResult CountedLookup(ServerContext& ctx, ThreadStats& stats,
                                               std::string_view key, uint32_t hash, bool touch,
                                               slab::RelTime exptime);
[[nodiscard]] inline slab::LookupResult CountedLookup(ServerContext& ctx, ThreadStats& stats,
                                                      std::string_view key, bool touch,
                                                      slab::RelTime exptime) {
  return CountedLookup(ctx, stats, key, slab::HashKey(key), touch, exptime);
}

// Store::GetCopy with the same counters as CountedLookup.
[[nodiscard]] slab::Store::CopyLookupResult CountedGetCopy(
    ServerContext& ctx, ThreadStats& stats, std::string_view key, uint32_t hash, bool touch,
    slab::RelTime exptime, uint32_t copy_limit, slab::Store::CopyFn copy, void* arg);

// Links `pending.reservation` (consumed) with its mode and CAS.
[[nodiscard]] slab::LinkResult CountedLink(ServerContext& ctx, ThreadStats& stats,
                                           PendingStore& pending,
                                           const slab::LinkOptions& options = {});

}  // namespace slabd::server

#endif  // SLABD_SRC_COUNTED_STORE_H_
