// CountedLookup, CountedLink (see counted_store.h).
#include "src/counted_store.h"

namespace slabd::server {

slab::LookupResult CountedLookup(ServerContext& ctx, ThreadStats& st, std::string_view key,
                                 uint32_t hash, bool touch, slab::RelTime exptime) {
  slab::LookupResult r;
  if (touch) {
    st.cmd_touch.Add();
    r = ctx.store.GetAndTouch(key, hash, exptime);
  } else {
    st.cmd_get.Add();
    r = ctx.store.Get(key, hash);
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

slab::LinkResult CountedLink(ServerContext& ctx, ThreadStats& st, PendingStore& pending,
                             const slab::LinkOptions& options) {
  const bool is_cas = pending.mode == slab::StoreMode::kCas;
  slab::LinkResult r =
      ctx.store.Link(std::move(pending.reservation), pending.mode, pending.cas, options);
  if (!is_cas) return r;
  switch (r.status) {
    case slab::StoreStatus::kStored:
      st.cas_hits.Add();
      st.classes[r.cls.v].cas_hits.Add();
      break;
    case slab::StoreStatus::kExists:
      st.cas_badval.Add();
      st.classes[r.cls.v].cas_badval.Add();
      break;
    case slab::StoreStatus::kNotFound:
      st.cas_misses.Add();
      break;
    case slab::StoreStatus::kNotStored:
      break;
  }
  return r;
}

}  // namespace slabd::server
