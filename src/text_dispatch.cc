// TextDispatcher (see text_dispatch.h).
#include "src/text_dispatch.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <span>

#include "proto/text_writer.h"
#include "src/counted_store.h"
#include "src/options.h"
#include "src/stats_report.h"

namespace slabd::server {

using proto::TextCommand;
using proto::TextRequest;

void TextDispatcher::Reply(std::string_view line_with_crlf, bool noreply, OutputQueue& out) {
  if (!noreply) out.Append(line_with_crlf);
}

void TextDispatcher::Reject(std::string_view line, bool noreply, OutputQueue& out) {
  if (noreply) return;
  proto::AppendLine(out.text(), line);
}

DispatchOutcome TextDispatcher::Execute(const TextRequest& req, OutputQueue& out,
                                        PendingStore* pending, size_t resume_from,
                                        uint64_t output_limit) {
  switch (req.command) {
    case TextCommand::kGet:
    case TextCommand::kGets:
    case TextCommand::kGat:
    case TextCommand::kGats:
      return Retrieve(req, out, resume_from, output_limit);
    case TextCommand::kSet:
    case TextCommand::kAdd:
    case TextCommand::kReplace:
    case TextCommand::kAppend:
    case TextCommand::kPrepend:
    case TextCommand::kCas:
      return BeginStore(req, out, pending);
    case TextCommand::kIncr:
    case TextCommand::kDecr:
      Arithmetic(req, out);
      break;
    case TextCommand::kTouch:
      Touch(req, out);
      break;
    case TextCommand::kDelete:
      Delete(req, out);
      break;
    case TextCommand::kFlushAll:
      FlushAll(req, out);
      break;
    case TextCommand::kVersion:
      out.Append("VERSION ");
      out.Append(kCompatVersion);
      out.Append("\r\n");
      break;
    case TextCommand::kVerbosity:
      Verbosity(req, out);
      break;
    case TextCommand::kQuit:
      return {NextStep::kClose, 0};
    case TextCommand::kStats:
      WriteStatsReply(ctx_, req.args, out.text());
      break;
    case TextCommand::kShutdown:
      return Shutdown(req, out);
    case TextCommand::kCacheMemlimit:
      CacheMemlimit(req, out);
      break;
    case TextCommand::kMeta:
      return meta_.Execute(req.line, out, pending);
    case TextCommand::kSlabs:
    case TextCommand::kLru:
    case TextCommand::kLruCrawler:
    case TextCommand::kWatch:
    case TextCommand::kRefreshCerts:
    case TextCommand::kExtstore:
      // Not implemented yet (README: what is missing); memcached builds without a
      // feature answer ERROR the same way.
      Reply(proto::kError, req.noreply, out);
      break;
  }
  return {};
}

namespace {

// The length of the name and space of a command whose first argument is its one key
// (besides get/gets: the storage commands, delete, incr/decr, touch, mg/ms/md/ma) that `line`
// starts with, or 0. One branch on the first byte, then one comparison: every planned line
// passes through here. Meta keys may be base64 (flag b): then the prefetch is merely useless.
size_t KeyedCommandPrefix(std::string_view line) {
  auto is = [line](std::string_view name) { return line.starts_with(name) ? name.size() : 0; };
  if (line.size() < 3) return 0;
  switch (line[0]) {
    case 's': return is("set ");
    case 'd': return line[2] == 'l' ? is("delete ") : is("decr ");
    case 'i': return is("incr ");
    case 't': return is("touch ");
    case 'a': return line[1] == 'd' ? is("add ") : is("append ");
    case 'r': return is("replace ");
    case 'p': return is("prepend ");
    case 'c': return is("cas ");
    case 'm':
      if (line[2] != ' ') return 0;
      return line[1] == 'g' || line[1] == 's' || line[1] == 'd' || line[1] == 'a' ? 3 : 0;
    default: return 0;
  }
}

}  // namespace

size_t TextDispatcher::PipelinedKeys(std::string_view input, std::span<std::string_view> room) {
  size_t n = 0;
  while (n < room.size()) {
    const void* newline = std::memchr(input.data(), '\n', input.size());
    if (newline == nullptr) break;
    const size_t length = static_cast<size_t>(static_cast<const char*>(newline) - input.data());
    std::string_view line = input.substr(0, length);
    input.remove_prefix(length + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::string_view key;
    if (line.starts_with("get ") || line.starts_with("gets ")) {
      key = line.substr(line[3] == ' ' ? 4 : 5);
      // One key only: a multiget prefetches its own keys in batches (Retrieve).
      if (key.find(' ') != std::string_view::npos) break;
    } else if (const size_t prefix = KeyedCommandPrefix(line); prefix != 0) {
      key = line.substr(prefix);
      key = key.substr(0, key.find(' '));
    }
    // Anything else (another command, a data block) is skipped.
    if (key.empty() || key.size() > slab::kMaxKeyLength) continue;
    room[n++] = key;
  }
  return n;
}

void TextDispatcher::PrefetchPipelined(std::string_view input, size_t min_keys) {
  std::array<std::string_view, slab::Store::kPrefetchBatch> keys;
  const size_t n = PipelinedKeys(input, keys);
  if (n == 0 || n < min_keys) return;
  std::array<uint32_t, slab::Store::kPrefetchBatch> hashes;
  ctx_.store.Prefetch(std::span(keys.data(), n), hashes.data());
}

namespace {

// "VALUE <key> <flags> <bytes>[ <cas>]\r\n<data>\r\n", appended by Store::GetCopy under the
// item lock.
struct ValueReply {
  std::string* text;
  std::string_view key;
  bool with_cas;

  static void Append(void* arg, const slab::ItemSnapshot& snap, std::string_view value) {
    const auto* self = static_cast<const ValueReply*>(arg);
    if (self->with_cas) {
      proto::AppendValueCas(*self->text, self->key, snap.flags, value, snap.cas);
    } else {
      proto::AppendValue(*self->text, self->key, snap.flags, value);
    }
  }
};

}  // namespace

DispatchOutcome TextDispatcher::Retrieve(const TextRequest& req, OutputQueue& out,
                                         size_t resume_from, uint64_t output_limit) {
  const bool touch = req.command == TextCommand::kGat || req.command == TextCommand::kGats;
  const bool with_cas = req.command == TextCommand::kGets || req.command == TextCommand::kGats;
  const slab::RelTime exptime = touch ? slab::ToRelExptime(req.exptime, ctx_.clock) : 0;
  // The keys' cache misses overlap: each key's bucket, first item and second item are
  // prefetched 3 x kStage, 2 x kStage and kStage keys before its lookup (a software
  // pipeline, so the misses are spread over the run instead of queueing up in one burst).
  constexpr size_t kStage = 4;
  constexpr size_t kRing = 16;  // > 3 * kStage
  struct Pending {
    std::string_view key;
    uint32_t hash;
  };
  std::array<Pending, kRing> ring;
  size_t index = 0;
  auto it = req.keys.begin();
  const auto end = req.keys.end();
  for (; it != end && index < resume_from; ++it) ++index;
  if (it == end) {
    out.Append(proto::kEnd);
    return {};
  }
  slab::Store& store = ctx_.store;
  size_t hashed = 0, headed = 0, seconded = 0, done = 0;
  ring[0] = {*it, worker_.hints.HashOf(*it)};
  ++it;
  ++hashed;
  if (it == end) {
    headed = seconded = 1;  // a single key: nothing to overlap, look it up at once
  } else {
    store.PrefetchBucket(ring[0].hash);
  }
  while (done < hashed) {
    for (; hashed < done + 3 * kStage && it != end; ++it, ++hashed) {
      ring[hashed % kRing] = {*it, worker_.hints.HashOf(*it)};
      store.PrefetchBucket(ring[hashed % kRing].hash);
    }
    for (; headed < done + 2 * kStage && headed < hashed; ++headed) {
      store.PrefetchHead(ring[headed % kRing].hash);
    }
    for (; seconded < done + kStage && seconded < headed; ++seconded) {
      store.PrefetchSecond(ring[seconded % kRing].hash, ring[seconded % kRing].key);
    }
    {
      const Pending& p = ring[done % kRing];
      ++done;
      const std::string_view key = p.key;
      const uint32_t hash = p.hash;
      // UDP: memcached answers each key of a multiget as its own response object (the
      // last one carries END); TCP ignores the boundary.
      if (index++ > 0) out.EndMessage();
      if (out.pending_bytes() > output_limit) return {NextStep::kSuspend, 0, index - 1};
      // Values up to OutputQueue::kCopyLimit are copied into the reply under the item lock
      // (no reference taken); larger ones come back referenced and go out from the item.
      ValueReply reply{&out.text(), key, with_cas};
      slab::Store::CopyLookupResult c =
          CountedGetCopy(ctx_, worker_.stats, key, hash, touch, exptime,
                         OutputQueue::kCopyLimit, &ValueReply::Append, &reply);
      if (c.copied) continue;
      slab::LookupResult& r = c.ref;
      if (!r.item) continue;
      std::string_view value = r.item.value();
      if (with_cas) {
        proto::AppendValueHeaderCas(out.text(), key, r.item.flags(), value.size(),
                                    r.item.cas());
      } else {
        proto::AppendValueHeader(out.text(), key, r.item.flags(), value.size());
      }
      out.AppendValue(value, std::move(r.item));
      out.Append("\r\n");
    }
  }
  out.Append(proto::kEnd);
  return {};
}

DispatchOutcome TextDispatcher::BeginStore(const TextRequest& req, OutputQueue& out,
                                           PendingStore* pending) {
  slab::StoreMode mode = slab::StoreMode::kSet;
  switch (req.command) {
    case TextCommand::kAdd: mode = slab::StoreMode::kAdd; break;
    case TextCommand::kReplace: mode = slab::StoreMode::kReplace; break;
    case TextCommand::kAppend: mode = slab::StoreMode::kAppend; break;
    case TextCommand::kPrepend: mode = slab::StoreMode::kPrepend; break;
    case TextCommand::kCas: mode = slab::StoreMode::kCas; break;
    default: break;
  }
  if (ctx_.prefix_stats.enabled()) ctx_.prefix_stats.RecordSet(req.key);
  slab::ReserveResult r = ctx_.store.Reserve(
      req.key, req.flags, slab::ToRelExptime(req.exptime, ctx_.clock), req.value_len);
  if (r.status != slab::AllocStatus::kOk) {
    if (r.status == slab::AllocStatus::kTooLarge) {
      worker_.stats.store_too_large.Add();
      Reply(proto::kServerErrorObjectTooLarge, req.noreply, out);
    } else {
      worker_.stats.store_no_memory.Add();
      Reply(proto::kServerErrorOutOfMemoryStoring, req.noreply, out);
    }
    // memcached unlinks the old value of a failed set so stale data is not served.
    if (mode == slab::StoreMode::kSet) ctx_.store.Unlink(req.key);
    return {NextStep::kSwallow, static_cast<uint64_t>(req.value_len) + 2};
  }
  // memcached counts cmd_set when the item is allocated, whatever the outcome.
  worker_.stats.cmd_set.Add();
  Class(r.reservation.class_id()).cmd_set.Add();
  pending->reservation = std::move(r.reservation);
  pending->mode = mode;
  pending->cas = req.cas_unique;
  pending->noreply = req.noreply;
  pending->meta = false;
  return {NextStep::kReadValue, 0};
}

void TextDispatcher::FinishStore(PendingStore& pending, bool chunk_ok, OutputQueue& out) {
  if (pending.meta) {
    meta_.FinishStore(pending, chunk_ok, out);
    return;
  }
  if (!chunk_ok) {
    pending.reservation = slab::Reservation();
    Reply(proto::kClientErrorBadDataChunk, pending.noreply, out);
    return;
  }
  const slab::LinkResult r = CountedLink(ctx_, worker_.stats, pending);
  switch (r.status) {
    case slab::StoreStatus::kStored: Reply(proto::kStored, pending.noreply, out); break;
    case slab::StoreStatus::kNotStored: Reply(proto::kNotStored, pending.noreply, out); break;
    case slab::StoreStatus::kExists: Reply(proto::kExists, pending.noreply, out); break;
    case slab::StoreStatus::kNotFound: Reply(proto::kNotFound, pending.noreply, out); break;
  }
}

void TextDispatcher::Arithmetic(const TextRequest& req, OutputQueue& out) {
  const bool incr = req.command == TextCommand::kIncr;
  slab::ArithResult r = ctx_.store.Arith(req.key, incr, req.delta);
  ThreadStats& st = worker_.stats;
  switch (r.status) {
    case slab::ArithStatus::kOk:
      (incr ? st.incr_hits : st.decr_hits).Add();
      (incr ? Class(r.cls).incr_hits : Class(r.cls).decr_hits).Add();
      if (!req.noreply) proto::AppendNumberLine(out.text(), r.value);
      break;
    case slab::ArithStatus::kNotFound:
      (incr ? st.incr_misses : st.decr_misses).Add();
      Reply(proto::kNotFound, req.noreply, out);
      break;
    case slab::ArithStatus::kNonNumeric:
      Reply(proto::kClientErrorNonNumericValue, req.noreply, out);
      break;
    case slab::ArithStatus::kNoMemory:
      Reply(proto::kServerErrorOutOfMemory, req.noreply, out);
      break;
    case slab::ArithStatus::kExists:  // text incr/decr carries no CAS
      Reply(proto::kExists, req.noreply, out);
      break;
  }
}

void TextDispatcher::Touch(const TextRequest& req, OutputQueue& out) {
  ThreadStats& st = worker_.stats;
  st.cmd_touch.Add();
  slab::TouchResult r =
      ctx_.store.Touch(req.key, slab::ToRelExptime(req.exptime, ctx_.clock));
  if (r.found) {
    st.touch_hits.Add();
    Class(r.cls).touch_hits.Add();
    Reply(proto::kTouched, req.noreply, out);
  } else {
    st.touch_misses.Add();
    Reply(proto::kNotFound, req.noreply, out);
  }
}

void TextDispatcher::Delete(const TextRequest& req, OutputQueue& out) {
  if (ctx_.prefix_stats.enabled()) ctx_.prefix_stats.RecordDelete(req.key);
  slab::DeleteResult r = ctx_.store.Delete(req.key);
  if (r.status == slab::DeleteStatus::kDeleted) {
    worker_.stats.delete_hits.Add();
    Class(r.cls).delete_hits.Add();
    Reply(proto::kDeleted, req.noreply, out);
  } else {
    worker_.stats.delete_misses.Add();
    Reply(proto::kNotFound, req.noreply, out);
  }
}

// `shutdown [graceful]` (-A): the connection closes without a reply and the process stops
// as on SIGINT (graceful: SIGUSR1), as memcached raises those signals.
DispatchOutcome TextDispatcher::Shutdown(const TextRequest& req, OutputQueue& out) {
  if (!ctx_.options.shutdown_enabled) {
    Reply(proto::kErrorShutdownNotEnabled, false, out);
    return {};
  }
  const std::string_view mode = req.args;
  if (mode.empty()) {
    kill(getpid(), SIGINT);
  } else if (mode == "graceful") {
    kill(getpid(), SIGUSR1);
  } else {
    Reply(proto::kClientErrorInvalidShutdownMode, false, out);
    return {};
  }
  return {NextStep::kClose};
}

void TextDispatcher::FlushAll(const TextRequest& req, OutputQueue& out) {
  worker_.stats.cmd_flush.Add();  // memcached counts it even when -F refuses it
  if (!ctx_.options.flush_enabled) {
    Reply(proto::kClientErrorFlushAllNotAllowed, req.noreply, out);
    return;
  }
  if (req.has_exptime && req.exptime > 0) {
    ctx_.store.FlushAll(slab::ToRelExptime(req.exptime, ctx_.clock));
  } else {
    ctx_.store.FlushAll(0);
  }
  Reply(proto::kOk, req.noreply, out);
}

void TextDispatcher::Verbosity(const TextRequest& req, OutputQueue& out) {
  ctx_.verbosity.store(static_cast<int>(std::min<uint32_t>(req.level, 2)),
                       std::memory_order_relaxed);
  Reply(proto::kOk, req.noreply, out);
}

void TextDispatcher::CacheMemlimit(const TextRequest& req, OutputQueue& out) {
  // memcached's limits: below 8 MB nothing fits, above 10^9 the client meant bytes.
  if (req.memlimit_mb < 8) {
    Reply(proto::kMemlimitTooSmall, req.noreply, out);
  } else if (req.memlimit_mb > 1000000000u) {
    Reply(proto::kMemlimitNotBytes, req.noreply, out);
  } else {
    ctx_.store.SetMaxBytes(static_cast<uint64_t>(req.memlimit_mb) << 20);
    Reply(proto::kOk, req.noreply, out);
  }
}

}  // namespace slabd::server
