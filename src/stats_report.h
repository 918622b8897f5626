// The `stats` command family: formats memcached's stats replies from the Store's
// snapshot, the workers' counters and process information.
//
// Key names, order and value formats follow memcached 1.6.18 as run with the
// features slabd has (a flat LRU, no crawler, no page mover), so the Prometheus
// memcached_exporter and other scrapers read them unchanged.
#ifndef SLABD_SRC_STATS_REPORT_H_
#define SLABD_SRC_STATS_REPORT_H_

#include <string>
#include <string_view>

#include "src/server_context.h"

namespace slabd::server {

// Appends the full reply to `stats <args>` (ending in END, RESET or ERROR).
void WriteStatsReply(ServerContext& ctx, std::string_view args, std::string& out);

}  // namespace slabd::server

#endif  // SLABD_SRC_STATS_REPORT_H_
