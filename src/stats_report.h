// The `stats` command family: formats memcached's stats replies from the Store's
// snapshot, the workers' counters and process information.
//
// Key names, order and value formats follow memcached 1.6.18 as run with the
// features slabd has (a flat LRU, no crawler, no page mover), so the Prometheus
// memcached_exporter and other scrapers read them unchanged. The groups write into a
// StatsSink, so the text and binary protocols report the very same pairs.
#ifndef SLABD_SRC_STATS_REPORT_H_
#define SLABD_SRC_STATS_REPORT_H_

#include <string>
#include <string_view>

#include "src/server_context.h"
#include "src/stats_sink.h"

namespace slabd::server {

// Appends the full reply to `stats <args>` (ending in END, RESET or ERROR).
void WriteStatsReply(ServerContext& ctx, std::string_view args, std::string& out);

// Writes the pairs of one group: "" (general), "settings", "items", "slabs" or
// "sizes". False (nothing written) for any other name.
bool WriteStatsGroup(ServerContext& ctx, std::string_view group, StatsSink& out);

// `stats reset`: zeroes the counters memcached zeroes.
void ResetAllStats(ServerContext& ctx);

}  // namespace slabd::server

#endif  // SLABD_SRC_STATS_REPORT_H_
