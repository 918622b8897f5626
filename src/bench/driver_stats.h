// DriverStats: what one driver thread counts inside the measured window, mergeable
// across threads after they join.
//
// A request counts when its last reply arrives inside [window_start_ns, window_end_ns):
// its latency is that arrival time minus PendingRequest::start_ns (the send time, or in
// the open loop the intended send time). Replies outside the window (warm-up, prefill)
// are not counted.
//
// Thread-compatible: one per thread.
#ifndef SLABD_SRC_BENCH_DRIVER_STATS_H_
#define SLABD_SRC_BENCH_DRIVER_STATS_H_

#include <algorithm>
#include <cstdint>

#include "src/bench/histogram.h"
#include "src/bench/request_queue.h"

namespace slabd::bench {

struct DriverStats {
  int64_t window_start_ns = INT64_MIN;
  int64_t window_end_ns = INT64_MAX;

  uint64_t completed_total = 0;  // in or out of the window (progress checks)
  uint64_t requests = 0;
  uint64_t get_keys = 0;  // keys asked by gets
  uint64_t hits = 0;      // of those, found
  uint64_t sets = 0;
  uint64_t errors = 0;    // error replies (ERROR, CLIENT_ERROR, SERVER_ERROR, binary errors)
  uint64_t sent = 0;      // open loop: requests sent in the window
  uint64_t max_send_lag_ns = 0;  // open loop: latest send behind its intended time
  uint64_t sum_send_lag_ns = 0;
  Histogram latency;

  bool InWindow(int64_t t) const { return t >= window_start_ns && t < window_end_ns; }

  void Complete(const PendingRequest& r, int64_t now, uint32_t hits_seen, uint32_t errors_seen) {
    ++completed_total;
    if (!InWindow(now)) return;
    ++requests;
    latency.Record(now > r.start_ns ? static_cast<uint64_t>(now - r.start_ns) : 0);
    if (r.kind == RequestKind::kSet) {
      ++sets;
    } else {
      get_keys += r.keys;
      hits += hits_seen;
    }
    errors += errors_seen;
  }

  // One write carried `requests_sent` open-loop requests, together `sum_lag_ns` behind
  // their intended times, the oldest `max_lag_ns`.
  void RecordSends(uint64_t requests_sent, uint64_t sum_lag_ns, uint64_t max_lag_ns) {
    sent += requests_sent;
    sum_send_lag_ns += sum_lag_ns;
    max_send_lag_ns = std::max(max_send_lag_ns, max_lag_ns);
  }

  void Merge(const DriverStats& o) {
    completed_total += o.completed_total;
    requests += o.requests;
    get_keys += o.get_keys;
    hits += o.hits;
    sets += o.sets;
    errors += o.errors;
    sent += o.sent;
    max_send_lag_ns = std::max(max_send_lag_ns, o.max_send_lag_ns);
    sum_send_lag_ns += o.sum_send_lag_ns;
    latency.Merge(o.latency);
  }
};

}  // namespace slabd::bench

#endif  // SLABD_SRC_BENCH_DRIVER_STATS_H_
