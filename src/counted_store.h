// CountedLookup: the read half of every retrieval command (get/gets/gat/gats, binary
// GET/GETK/TOUCH/GAT/GATK and their quiet forms), with memcached's counters.
//
// Both protocol dispatchers call it, so a hit, miss, expiry or flush counts the same
// whichever protocol asked: cmd_get or cmd_touch, get_hits/get_misses (+ get_expired,
// get_flushed) or touch_hits/touch_misses, the per-class hit counters, and the
// `stats detail` prefix record.
//
// Thread safety: call on the worker thread that owns `stats`.
#ifndef SLABD_SRC_COUNTED_LOOKUP_H_
#define SLABD_SRC_COUNTED_LOOKUP_H_

#include <string_view>

#include "slab/store.h"
#include "src/server_context.h"

namespace slabd::server {

// `touch`: a get-and-touch setting `exptime`; otherwise a plain get.
[[nodiscard]] slab::LookupResult CountedLookup(ServerContext& ctx, ThreadStats& stats,
                                               std::string_view key, bool touch,
                                               slab::RelTime exptime);

}  // namespace slabd::server

#endif  // SLABD_SRC_COUNTED_LOOKUP_H_
