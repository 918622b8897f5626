// CountedLookup, CountedLink (see counted_store.h).
#include "src/counted_store.h"

namespace slabd::server {

namespace {

// The counters of one retrieval: a hit of class `cls`, or a miss for `reason`.
void CountLookup(ServerContext& ctx, ThreadStats& st, std::string_view key, bool touch,
                 bool hit, slab::MissReason reason, slab::ClassId cls) {
  if (touch) {
    st.cmd_touch.Add();
  } else {
    st.cmd_get.Add();
  }
  if (ctx.prefix_stats.enabled()) ctx.prefix_stats.RecordGet(key, hit);
  if (!hit) {
    if (touch) {
      st.touch_misses.Add();
    } else {
      st.get_misses.Add();
      if (reason == slab::MissReason::kExpired) st.get_expired.Add();
      if (reason == slab::MissReason::kFlushed) st.get_flushed.Add();
    }
    return;
  }
  ClassCounters& counters = st.classes[cls.v];
  if (touch) {
    st.touch_hits.Add();
    counters.touch_hits.Add();
  } else {
    st.get_hits.Add();
    counters.get_hits.Add();
  }
}

}  // namespace

slab::LookupResult CountedLookup(ServerContext& ctx, ThreadStats& st, std::string_view key,
                                 uint32_t hash, bool touch, slab::RelTime exptime) {
  slab::LookupResult r =
      touch ? ctx.store.GetAndTouch(key, hash, exptime) : ctx.store.Get(key, hash);
  CountLookup(ctx, st, key, touch, bool(r.item), r.reason,
              r.item ? r.item.class_id() : slab::ClassId{});
  return r;
}

slab::Store::CopyLookupResult CountedGetCopy(ServerContext& ctx, ThreadStats& st,
                                             std::string_view key, uint32_t hash, bool touch,
                                             slab::RelTime exptime, uint32_t copy_limit,
                                             slab::Store::CopyFn copy, void* arg) {
  slab::Store::CopyLookupResult r =
      ctx.store.GetCopy(key, hash, touch, exptime, copy_limit, copy, arg);
  CountLookup(ctx, st, key, touch, r.copied || bool(r.ref.item), r.ref.reason, r.class_id);
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
