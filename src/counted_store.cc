// CountedLookup (see counted_lookup.h).
#include "src/counted_lookup.h"

namespace slabd::server {

slab::LookupResult CountedLookup(ServerContext& ctx, ThreadStats& st, std::string_view key,
                                 bool touch, slab::RelTime exptime) {
  slab::LookupResult r;
  if (touch) {
    st.cmd_touch.Add();
    r = ctx.store.GetAndTouch(key, exptime);
  } else {
    st.cmd_get.Add();
    r = ctx.store.Get(key);
  }
  if (ctx.prefix_stats.enabled()) ctx.prefix_stats.RecordGet(key, bool(r.item));
  if (!r.item) {
    if (touch) {
      st.touch_misses.Add();
    } else {
      st.get_misses.Add();
      if (r.reason == slab::MissReason::kExpired) st.get_expired.Add();
      if (r.reason == slab::MissReason::kFlushed) st.get_flushed.Add();
    }
    return r;
  }
  ClassCounters& cls = st.classes[r.item.class_id().v];
  if (touch) {
    st.touch_hits.Add();
    cls.touch_hits.Add();
  } else {
    st.get_hits.Add();
    cls.get_hits.Add();
  }
  return r;
}

}  // namespace slabd::server
