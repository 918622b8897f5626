// ThreadStats (see thread_stats.h).
#include "src/thread_stats.h"

namespace slabd::server {

void ThreadStats::Reset() {
  for (Counter* c : {&cmd_get, &cmd_touch, &cmd_flush, &get_hits, &get_misses, &get_expired,
                     &get_flushed, &delete_misses, &delete_hits, &incr_misses, &incr_hits,
                     &decr_misses, &decr_hits, &cas_misses, &cas_hits, &cas_badval,
                     &touch_hits, &touch_misses, &store_too_large, &store_no_memory,
                     &bytes_read, &bytes_written, &conn_yields, &cmd_set, &idle_kicks})
    c->Reset();
  for (ClassCounters& k : classes)
    for (Counter* c : {&k.get_hits, &k.cmd_set, &k.delete_hits, &k.incr_hits, &k.decr_hits,
                       &k.cas_hits, &k.cas_badval, &k.touch_hits})
      c->Reset();
}

}  // namespace slabd::server
