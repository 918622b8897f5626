// MetaDispatcher (see meta_dispatch.h).
#include "src/meta_dispatch.h"

#include <charconv>
#include <cstring>

#include "proto/base64.h"
#include "proto/text_writer.h"
#include "src/counted_store.h"

namespace slabd::server {

using proto::MetaCommand;
using proto::MetaRequest;

namespace {

constexpr size_t kMaxKeyLength = 250;
constexpr std::string_view kErrOpaque = "CLIENT_ERROR opaque token too long\r\n";

template <typename T>
void AppendNumber(std::string& line, T value) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), value);
  line.append(buf, static_cast<size_t>(r.ptr - buf));
}

// " <letter><number>"
template <typename T>
void AppendFlag(std::string& line, char letter, T value) {
  line.push_back(' ');
  line.push_back(letter);
  AppendNumber(line, value);
}

// " t<seconds left>", "-1" for items that never expire.
void AppendTtl(std::string& line, slab::RelTime exptime, slab::RelTime now) {
  if (exptime == 0) {
    line.append(" t-1");
  } else {
    AppendFlag(line, 't', static_cast<int64_t>(exptime) - static_cast<int64_t>(now));
  }
}

// " k<key>", or " k<base64> b" for keys that came base64-encoded.
void AppendKey(std::string& line, std::string_view key, bool binary) {
  line.append(" k");
  if (binary) {
    proto::AppendBase64(line, key);
    line.append(" b");
  } else {
    line.append(key);
  }
}

// A hit's reply line, through its "\r\n" (the data block of `v` follows it): VA/HD, the
// return flags in request order, then Z, X and W. `key` is the item's key (a hit's key is
// the requested one, byte for byte); `snap` is from before T/N took effect.
void AppendHitLine(std::string& text, const MetaRequest& r, const slab::MetaGetOptions& o,
                   const slab::MetaGetResult& g, const slab::ItemSnapshot& snap,
                   std::string_view key, size_t value_size, slab::RelTime now) {
  if (r.Has('v')) {
    text.append("VA ");
    AppendNumber(text, value_size);
  } else {
    text.append("HD");
  }
  slab::RelTime exptime = snap.exptime;  // what `t` reports where it stands
  for (size_t i = 0; i < r.flag_count; ++i) {
    const std::string_view f = r.flag(i);
    switch (f[0]) {
      case 'T': exptime = o.touch_exptime; break;
      case 'N':
        if (g.created) exptime = o.vivify_exptime;
        break;
      case 's': AppendFlag(text, 's', value_size); break;
      case 't': AppendTtl(text, exptime, now); break;
      case 'c': AppendFlag(text, 'c', snap.cas); break;
      case 'f': AppendFlag(text, 'f', snap.flags); break;
      case 'l': AppendFlag(text, 'l', now - snap.last_access); break;
      case 'h': text.append(snap.fetched_before ? " h1" : " h0"); break;
      case 'O': text.push_back(' '); text.append(f); break;
      case 'k': AppendKey(text, key, snap.key_binary); break;
      default: break;
    }
  }
  if (g.token_sent) text.append(" Z");
  if (g.stale) text.append(" X");
  if (g.won) text.append(" W");
  text.append("\r\n");
}

// Store::MetaGet's copy function: a hit's whole reply, written under the item lock.
struct MetaHitReply {
  std::string* text;
  const MetaRequest* r;
  const slab::MetaGetOptions* o;
  std::string_view key;
  slab::RelTime now;

  static void Append(void* arg, const slab::MetaGetResult& g, const slab::ItemSnapshot& snap,
                     std::string_view value) {
    const auto* self = static_cast<const MetaHitReply*>(arg);
    AppendHitLine(*self->text, *self->r, *self->o, g, snap, self->key, value.size(), self->now);
    if (self->r->Has('v')) {
      self->text->append(value);
      self->text->append("\r\n");
    }
  }
};

bool OpaqueTooLong(const MetaRequest& r) {
  for (size_t i = 0; i < r.flag_count; ++i)
    if (r.flag(i)[0] == 'O' && r.flag(i).size() > proto::kMetaMaxOpaqueToken) return true;
  return false;
}

void Reply(OutputQueue& out, std::string_view line_with_crlf) { out.Append(line_with_crlf); }

void ReplyError(OutputQueue& out, std::string_view line) {
  out.Append(line);
  out.Append("\r\n");
}

}  // namespace

slab::RelTime MetaDispatcher::Exptime(int32_t ttl) const {
  return slab::ToRelExptime(ttl, ctx_.clock);
}

void MetaDispatcher::AppendOpaqueAndKey(const MetaRequest& r, std::string_view key,
                                        bool binary_key, std::string& line) {
  for (size_t i = 0; i < r.flag_count; ++i) {
    const std::string_view f = r.flag(i);
    if (f[0] == 'O') {
      line.push_back(' ');
      line.append(f);
    } else if (f[0] == 'k') {
      AppendKey(line, key, binary_key);
    }
  }
}

DispatchOutcome MetaDispatcher::Execute(std::string_view line, OutputQueue& out,
                                        PendingStore* pending) {
  const proto::MetaParseResult p = proto::ParseMetaCommand(line);
  if (p.status != proto::MetaParseStatus::kOk) {
    ReplyError(out, p.error);
    if (p.swallow > 0) return {NextStep::kSwallow, p.swallow};
    return {};
  }
  const MetaRequest& r = p.request;
  if (r.command == MetaCommand::kNoop) {
    Reply(out, "MN\r\n");
    return {};
  }
  // A base64 key is used decoded; the parser checked that it decodes to 1..250 bytes.
  char decoded[kMaxKeyLength + 3];
  std::string_view key = r.key;
  if (r.Has('b')) {
    const size_t n = proto::Base64Decode(r.key, decoded, sizeof(decoded));
    if (n == 0) {
      ReplyError(out, r.command == MetaCommand::kDebug ? "CLIENT_ERROR bad command line format"
                                                       : "CLIENT_ERROR error decoding key");
      return {};
    }
    key = std::string_view(decoded, n);
  }
  switch (r.command) {
    case MetaCommand::kGet: Get(r, key, out); break;
    case MetaCommand::kSet: return Set(r, key, out, pending);
    case MetaCommand::kDelete: Delete(r, key, out); break;
    case MetaCommand::kArith: Arith(r, key, out); break;
    case MetaCommand::kDebug: Debug(r, key, out); break;
    case MetaCommand::kNoop: break;
  }
  return {};
}

// mg: memcached's process_mget_command.
void MetaDispatcher::Get(const MetaRequest& r, std::string_view key, OutputQueue& out) {
  slab::MetaGetOptions o;
  for (size_t i = 0; i < r.flag_count && o.op_count < 4; ++i) {
    const std::string_view f = r.flag(i);
    switch (f[0]) {
      case 'T': o.Add(slab::MetaGetOptions::Op::kTouch); break;
      case 'N': o.Add(slab::MetaGetOptions::Op::kVivify); break;
      case 'R': o.Add(slab::MetaGetOptions::Op::kRecache); break;
      case 'O':
        if (f.size() > proto::kMetaMaxOpaqueToken && !o.Has(slab::MetaGetOptions::Op::kAbort))
          o.Add(slab::MetaGetOptions::Op::kAbort);
        break;
      default: break;
    }
  }
  o.delay_bump = r.Has('T') || r.Has('N') || r.Has('R') || r.Has('l') || r.Has('h');
  o.touch_exptime = Exptime(r.ttl);
  o.vivify_exptime = Exptime(r.vivify_ttl);
  o.recache_time = Exptime(r.recache_ttl);
  o.no_update = r.Has('u');
  o.key_binary = r.Has('b');
  o.explicit_cas = r.Has('E') ? r.explicit_cas : 0;
  // A hit's reply is written under the item lock, with no reference taken, unless its value
  // is larger than OutputQueue::kCopyLimit (then it goes out from the item, zero copy).
  const slab::RelTime now = ctx_.clock.Now();
  MetaHitReply reply{&out.text(), &r, &o, key, now};
  slab::MetaGetResult g = ctx_.store.MetaGet(key, worker_.hints.HashOf(key), o,
                                             OutputQueue::kCopyLimit, &MetaHitReply::Append,
                                             &reply);
  if (g.overflow) {
    ReplyError(out, "SERVER_ERROR refcount overflow during fetch");
    return;
  }
  ThreadStats& st = worker_.stats;
  if (g.aborted) {  // an over-long opaque on a hit: memcached counts nothing
    Reply(out, kErrOpaque);
    return;
  }
  const bool hit = g.copied || g.item;
  if (ctx_.prefix_stats.enabled()) ctx_.prefix_stats.RecordGet(key, hit);
  if (!hit) {
    // memcached counts a miss as a get, T or not.
    st.cmd_get.Add();
    st.get_misses.Add();
    if (g.reason == slab::MissReason::kExpired) st.get_expired.Add();
    if (g.reason == slab::MissReason::kFlushed) st.get_flushed.Add();
    if (OpaqueTooLong(r)) {
      Reply(out, kErrOpaque);
      return;
    }
    if (r.Has('q')) return;
    std::string& text = out.text();
    text.append("EN");
    AppendOpaqueAndKey(r, key, r.Has('b'), text);
    text.append("\r\n");
    return;
  }
  if (r.Has('T')) {
    st.cmd_touch.Add();
    st.touch_hits.Add();
    Class(g.class_id).touch_hits.Add();
  } else {
    st.cmd_get.Add();
    st.get_hits.Add();
    Class(g.class_id).get_hits.Add();
  }
  if (g.copied) return;
  const std::string_view value = g.item.value();
  AppendHitLine(out.text(), r, o, g, g.item.snapshot(), g.item.key(), value.size(), now);
  if (r.Has('v')) {
    out.AppendValue(value, std::move(g.item));
    out.Append("\r\n");
  }
}

// ms: memcached's process_mset_command; the reply is written by FinishStore.
DispatchOutcome MetaDispatcher::Set(const MetaRequest& r, std::string_view key,
                                    OutputQueue& out, PendingStore* pending) {
  slab::StoreMode mode = slab::StoreMode::kSet;
  bool concat = false;
  switch (r.mode) {
    case 'E': mode = slab::StoreMode::kAdd; break;
    case 'A': mode = slab::StoreMode::kAppend; concat = true; break;
    case 'P': mode = slab::StoreMode::kPrepend; concat = true; break;
    case 'R': mode = slab::StoreMode::kReplace; break;
    default: break;
  }
  uint64_t cas = 0;
  if (r.Has('C')) {
    // memcached: C turns set/replace into a compare-and-swap; append/prepend compare too;
    // add ignores it.
    if (mode == slab::StoreMode::kSet || mode == slab::StoreMode::kReplace) {
      mode = slab::StoreMode::kCas;
      cas = r.compare_cas;
    } else if (concat) {
      cas = r.compare_cas;
    }
  }
  // 1.6.18 has no vivifying append: N is accepted and ignored on ms.
  const slab::RelTime exptime = r.Has('T') ? Exptime(r.ttl) : 0;
  const uint64_t swallow = static_cast<uint64_t>(r.datalen) + 2;
  if (ctx_.prefix_stats.enabled()) ctx_.prefix_stats.RecordSet(key);
  slab::ReserveResult res = ctx_.store.Reserve(key, r.client_flags, exptime,
                                               static_cast<uint32_t>(r.datalen));
  if (res.status != slab::AllocStatus::kOk) {
    if (res.status == slab::AllocStatus::kTooLarge) {
      worker_.stats.store_too_large.Add();
      Reply(out, proto::kServerErrorObjectTooLarge);
    } else {
      worker_.stats.store_no_memory.Add();
      Reply(out, proto::kServerErrorOutOfMemoryStoring);
    }
    // memcached unlinks the old item whatever the mode.
    ctx_.store.Unlink(key);
    return {NextStep::kSwallow, swallow};
  }
  worker_.stats.cmd_set.Add();
  Class(res.reservation.class_id()).cmd_set.Add();
  PendingStore& ps = *pending;
  ps.reservation = std::move(res.reservation);
  ps.mode = mode;
  ps.cas = cas;
  ps.noreply = r.Has('q');
  ps.binary = false;
  ps.meta = true;
  ps.meta_base64_key = r.Has('b');
  ps.meta_allow_stale = r.Has('I') && mode == slab::StoreMode::kCas;
  ps.meta_explicit_cas = r.Has('E') ? r.explicit_cas : 0;
  ps.meta_flag_count = 0;
  ps.meta_opaque_len = 0;
  for (size_t i = 0; i < r.flag_count; ++i) {
    const char c = r.flag(i)[0];
    if (c != 'O' && c != 'k' && c != 'c') continue;
    ps.meta_flags[ps.meta_flag_count++] = c;
    if (c == 'O') {
      ps.meta_opaque_len = static_cast<uint8_t>(r.flag(i).size());
      std::memcpy(ps.meta_opaque, r.flag(i).data(), r.flag(i).size());
    }
  }
  return {NextStep::kReadValue};
}

void MetaDispatcher::FinishStore(PendingStore& ps, bool chunk_ok, OutputQueue& out) {
  ps.meta = false;
  if (!chunk_ok) {
    ps.reservation = slab::Reservation();
    Reply(out, proto::kClientErrorBadDataChunk);  // even with q
    return;
  }
  char key_buf[kMaxKeyLength];
  const std::string_view res_key = ps.reservation.key();
  std::memcpy(key_buf, res_key.data(), res_key.size());
  const std::string_view key(key_buf, res_key.size());
  const slab::LinkResult lr = CountedLink(ctx_, worker_.stats, ps,
                                          {.explicit_cas = ps.meta_explicit_cas,
                                           .allow_stale = ps.meta_allow_stale,
                                           .key_binary = ps.meta_base64_key});
  std::string_view code;
  switch (lr.status) {
    case slab::StoreStatus::kStored:
      if (ps.noreply) return;
      code = "HD";
      break;
    case slab::StoreStatus::kExists:
      code = "EX";
      break;
    case slab::StoreStatus::kNotFound:
      code = "NF";
      break;
    case slab::StoreStatus::kNotStored:
      code = "NS";
      break;
  }
  std::string& text = out.text();
  text.append(code);
  for (uint8_t i = 0; i < ps.meta_flag_count; ++i) {
    switch (ps.meta_flags[i]) {
      case 'O':
        text.push_back(' ');
        text.append(ps.meta_opaque, ps.meta_opaque_len);
        break;
      case 'k':
        AppendKey(text, key, ps.meta_base64_key);
        break;
      case 'c':
        AppendFlag(text, 'c', lr.cas);
        break;
      default:
        break;
    }
  }
  text.append("\r\n");
}

// md: memcached's process_mdelete_command (plus `x` of later releases).
void MetaDispatcher::Delete(const MetaRequest& r, std::string_view key, OutputQueue& out) {
  if (OpaqueTooLong(r)) {
    Reply(out, kErrOpaque);
    return;
  }
  const bool check_cas = r.Has('C');
  const uint64_t cas = r.compare_cas;
  slab::DeleteResult d;
  if (r.Has('I')) {
    d = ctx_.store.MarkStale(key, cas, check_cas, r.Has('T'), Exptime(r.ttl));
  } else if (r.Has('x')) {
    // Keep the key with an empty value, flags F and TTL T (both default 0).
    slab::ReserveResult res =
        ctx_.store.Reserve(key, r.client_flags, r.Has('T') ? Exptime(r.ttl) : 0, 0);
    if (res.status != slab::AllocStatus::kOk) {
      Reply(out, proto::kServerErrorOutOfMemory);
      return;
    }
    slab::LinkResult lr =
        ctx_.store.Link(std::move(res.reservation),
                        check_cas ? slab::StoreMode::kCas : slab::StoreMode::kReplace, cas,
                        slab::LinkOptions{.key_binary = r.Has('b')});
    d.cls = lr.cls;
    d.status = lr.status == slab::StoreStatus::kStored ? slab::DeleteStatus::kDeleted
               : lr.status == slab::StoreStatus::kExists ? slab::DeleteStatus::kExists
                                                          : slab::DeleteStatus::kNotFound;
  } else {
    if (ctx_.prefix_stats.enabled()) ctx_.prefix_stats.RecordDelete(key);
    d = ctx_.store.Delete(key, cas, check_cas);
    if (d.status == slab::DeleteStatus::kDeleted) {
      worker_.stats.delete_hits.Add();
      Class(d.cls).delete_hits.Add();
    }
  }
  std::string_view code = "HD";
  if (d.status == slab::DeleteStatus::kDeleted) {
    if (r.Has('q')) return;
  } else {
    worker_.stats.delete_misses.Add();  // memcached counts a CAS mismatch as a miss too
    code = d.status == slab::DeleteStatus::kExists ? "EX" : "NF";
  }
  std::string& text = out.text();
  text.append(code);
  AppendOpaqueAndKey(r, key, r.Has('b'), text);
  text.append("\r\n");
}

// ma: memcached's process_marithmetic_command.
void MetaDispatcher::Arith(const MetaRequest& r, std::string_view key, OutputQueue& out) {
  bool incr = true;
  switch (r.mode) {
    case 0: case 'I': case '+': break;
    case 'D': case '-': incr = false; break;
    default:
      ReplyError(out, "CLIENT_ERROR invalid mode for ma M token");
      return;
  }
  const slab::RelTime ttl = Exptime(r.ttl);
  // memcached applies T and N while it writes the reply flags and stops at an over-long
  // opaque, so only those before it take effect.
  size_t effective = r.flag_count;
  for (size_t i = 0; i < r.flag_count && effective == r.flag_count; ++i)
    if (r.flag(i)[0] == 'O' && r.flag(i).size() > proto::kMetaMaxOpaqueToken) effective = i;
  bool touch = false;
  for (size_t i = 0; i < effective; ++i) touch |= r.flag(i)[0] == 'T';
  // ma compares a CAS only when it is nonzero (md compares C0 too).
  slab::ArithResult a = ctx_.store.Arith(key, incr, r.delta, r.compare_cas, false,
                                         touch ? &ttl : nullptr);
  ThreadStats& st = worker_.stats;
  uint64_t value = a.value;
  bool have_item = false;
  bool created = false;
  bool hide = false;
  std::string_view code;
  switch (a.status) {
    case slab::ArithStatus::kOk:
      (incr ? st.incr_hits : st.decr_hits).Add();
      (incr ? Class(a.cls).incr_hits : Class(a.cls).decr_hits).Add();
      have_item = true;
      hide = r.Has('q');
      break;
    case slab::ArithStatus::kNonNumeric:
      ReplyError(out, "CLIENT_ERROR cannot increment or decrement non-numeric value");
      return;
    case slab::ArithStatus::kNoMemory:
      Reply(out, proto::kServerErrorOutOfMemory);
      return;
    case slab::ArithStatus::kExists:
      code = "EX";
      break;
    case slab::ArithStatus::kNotFound: {
      if (!r.Has('N')) {
        (incr ? st.incr_misses : st.decr_misses).Add();
        code = "NF";
        break;
      }
      // Vivify with the initial value (not initial +/- delta); T and N set the TTL in the
      // order they were given.
      slab::RelTime exptime = 0;
      for (size_t i = 0; i < effective; ++i) {
        if (r.flag(i)[0] == 'T') exptime = ttl;
        if (r.flag(i)[0] == 'N') exptime = Exptime(r.vivify_ttl);
      }
      char digits[24];
      const auto end = std::to_chars(digits, digits + sizeof(digits), r.initial).ptr;
      const auto len = static_cast<uint32_t>(end - digits);
      slab::ReserveResult res = ctx_.store.Reserve(key, 0, exptime, len);
      if (res.status != slab::AllocStatus::kOk) {
        ReplyError(out, "SERVER_ERROR Out of memory allocating new item");
        return;
      }
      std::memcpy(res.reservation.value().data(), digits, len);
      slab::LinkResult lr = ctx_.store.Link(std::move(res.reservation), slab::StoreMode::kAdd,
                                            0, slab::LinkOptions{.key_binary = r.Has('b')});
      if (lr.status != slab::StoreStatus::kStored) {
        code = "NS";
        break;
      }
      have_item = true;
      value = r.initial;
      a.cas = lr.cas;
      a.exptime = 0;  // as allocated; T and N apply where they stand among the flags
      created = true;
      break;
    }
  }
  // An over-long opaque is an error even for a quiet success (errors are never hidden).
  if (OpaqueTooLong(r)) {
    Reply(out, kErrOpaque);
    return;
  }
  if (hide) return;
  std::string& text = out.text();
  if (!have_item) {
    text.append(code);
    AppendOpaqueAndKey(r, key, r.Has('b'), text);
    text.append("\r\n");
    return;
  }
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof(digits), value).ptr;
  const std::string_view number(digits, static_cast<size_t>(end - digits));
  if (r.Has('v')) {
    text.append("VA ");
    AppendNumber(text, number.size());
  } else {
    text.append("HD");
  }
  const slab::RelTime now = ctx_.clock.Now();
  slab::RelTime exptime = a.exptime;  // what `t` reports where it stands
  for (size_t i = 0; i < r.flag_count; ++i) {
    const std::string_view f = r.flag(i);
    switch (f[0]) {
      case 'c': AppendFlag(text, 'c', a.cas); break;
      case 't': AppendTtl(text, exptime, now); break;
      case 'T': exptime = ttl; break;
      case 'N':
        if (created) exptime = Exptime(r.vivify_ttl);
        break;
      case 'O':
        text.push_back(' ');
        text.append(f);
        break;
      case 'k': AppendKey(text, key, r.Has('b')); break;
      default: break;
    }
  }
  text.append("\r\n");
  if (r.Has('v')) {
    text.append(number);
    text.append("\r\n");
  }
}

// me: memcached's process_meta_command (a debug line about the item).
void MetaDispatcher::Debug(const MetaRequest& r, std::string_view key, OutputQueue& out) {
  worker_.stats.cmd_meta.Add();
  slab::LookupResult l = ctx_.store.Peek(key);
  if (!l.item) {
    Reply(out, "EN\r\n");
    return;
  }
  const slab::ItemRef& it = l.item;
  const slab::RelTime now = ctx_.clock.Now();
  std::string& text = out.text();
  text.append("ME ");
  if (it.key_binary()) {
    proto::AppendBase64(text, it.key());
  } else {
    text.append(it.key());
  }
  char buf[160];
  const int n = std::snprintf(
      buf, sizeof(buf), " exp=%d la=%llu cas=%llu fetch=%s cls=%u size=%u\r\n",
      // 1.6.18 prints current_time - exptime: negative for items that have time left.
      it.exptime() == 0 ? -1 : static_cast<int>(now - it.exptime()),
      static_cast<unsigned long long>(now - it.last_access()),
      static_cast<unsigned long long>(it.cas()), it.fetched_before() ? "yes" : "no",
      static_cast<unsigned>(it.class_id().v), it.total_size());
  text.append(buf, static_cast<size_t>(n));
}

}  // namespace slabd::server
