// BinaryDispatcher (see binary_dispatch.h).
#include "src/binary_dispatch.h"

#include <charconv>

#include "src/counted_store.h"
#include "src/options.h"
#include "src/sasl_auth.h"
#include "src/stats_report.h"
#include "src/stats_sink.h"

namespace slabd::server {

using proto::BinaryCommand;
using proto::BinaryFrame;
using proto::BinaryStatus;

namespace {

constexpr size_t kMaxKeyLength = 250;
// The binary increment/decrement "do not create" expiration.
constexpr uint32_t kNoCreate = 0xffffffffu;

proto::BinaryReplyTo ReplyTo(const BinaryFrame& f) {
  return {f.header.opcode, f.header.opaque};
}

bool AllowedBeforeAuth(BinaryCommand cmd) {
  if (!cmd.known) return false;
  switch (cmd.op) {
    case proto::BinaryOpcode::kSaslListMechs:
    case proto::BinaryOpcode::kSaslAuth:
    case proto::BinaryOpcode::kSaslStep:
    case proto::BinaryOpcode::kVersion:
      return true;
    default:
      return false;
  }
}

bool IsStorage(proto::BinaryOpcode op) {
  using Op = proto::BinaryOpcode;
  return op == Op::kSet || op == Op::kAdd || op == Op::kReplace || op == Op::kAppend ||
         op == Op::kPrepend;
}

}  // namespace

void BinaryDispatcher::Success(const BinaryFrame& f, bool quiet, OutputQueue& out,
                               uint64_t cas, std::string_view body) {
  if (quiet) return;
  proto::AppendBinaryResponse(out.text(), ReplyTo(f), BinaryStatus::kOk, cas, {}, {}, body);
}

void BinaryDispatcher::Error(const BinaryFrame& f, BinaryStatus status, OutputQueue& out,
                             std::string_view text) {
  proto::AppendBinaryError(out.text(), ReplyTo(f), status, text);
}

void BinaryDispatcher::RejectFrame(const BinaryFrame& f, OutputQueue& out) {
  Error(f,
        f.status == proto::BinaryFrameStatus::kBodyTooLarge ? BinaryStatus::kInvalidArguments
                                                             : BinaryStatus::kUnknownCommand,
        out);
}

uint32_t BinaryDispatcher::BufferedValueLength(const BinaryFrame& f) const {
  const BinaryCommand cmd = proto::ClassifyBinaryOpcode(f.header.opcode);
  if (!ctx_.options.sasl || !cmd.known) return 0;
  if (cmd.op != Op::kSaslAuth && cmd.op != Op::kSaslStep) return 0;
  if (f.header.key_len > kMaxSaslMechLength || !proto::BinaryShapeOk(f.header)) return 0;
  const uint32_t n = f.header.value_len();
  return n <= kMaxSaslPayload ? n : 0;
}

DispatchOutcome BinaryDispatcher::Execute(const BinaryFrame& f, std::string_view value,
                                          OutputQueue& out, PendingStore* pending,
                                          SaslState& sasl) {
  const proto::BinaryRequestHeader& h = f.header;
  const BinaryCommand cmd = proto::ClassifyBinaryOpcode(h.opcode);
  if (ctx_.options.sasl && !sasl.authenticated && !AllowedBeforeAuth(cmd)) {
    Error(f, BinaryStatus::kAuthError, out);
    return {NextStep::kClose};
  }
  if (h.key_len > kMaxKeyLength) {
    Error(f, BinaryStatus::kInvalidArguments, out);
    return {NextStep::kClose};
  }
  if (!cmd.known) {
    Error(f, BinaryStatus::kUnknownCommand, out);
    return {NextStep::kSwallow, h.value_len()};
  }
  if (!proto::BinaryShapeOk(h)) {
    Error(f, BinaryStatus::kInvalidArguments, out);
    return {NextStep::kClose};
  }
  DispatchOutcome o = Dispatch(f, cmd, value, out, pending, sasl);
  // A value the command does not use (STAT, TOUCH and GAT do not forbid one) is skipped,
  // never parsed as the next request.
  if (o.next == NextStep::kContinue && !IsStorage(cmd.op) && h.value_len() > value.size())
    return {NextStep::kSwallow, h.value_len() - value.size()};
  return o;
}

DispatchOutcome BinaryDispatcher::Dispatch(const BinaryFrame& f, BinaryCommand cmd,
                                           std::string_view value, OutputQueue& out,
                                           PendingStore* pending, SaslState& sasl) {
  switch (cmd.op) {
    case Op::kGet:
    case Op::kGetK:
    case Op::kTouch:
    case Op::kGat:
    case Op::kGatK:
      Retrieve(f, cmd, out);
      break;
    case Op::kSet:
    case Op::kAdd:
    case Op::kReplace:
    case Op::kAppend:
    case Op::kPrepend:
      return BeginStore(f, cmd, out, pending);
    case Op::kDelete:
      Delete(f, cmd.quiet, out);
      break;
    case Op::kIncrement:
    case Op::kDecrement:
      Arithmetic(f, cmd, out);
      break;
    case Op::kQuit:
      Success(f, cmd.quiet, out);
      return {NextStep::kClose};
    case Op::kFlush:
      Flush(f, cmd.quiet, out);
      break;
    case Op::kNoop:
      Success(f, false, out);
      break;
    case Op::kVersion:
      Success(f, false, out, 0, kCompatVersion);
      break;
    case Op::kStat:
      Stat(f, out);
      break;
    case Op::kSaslListMechs:
      if (!ctx_.options.sasl) {
        Error(f, BinaryStatus::kUnknownCommand, out);
      } else {
        Success(f, false, out, 0, kSaslMechanisms);
      }
      break;
    case Op::kSaslAuth:
    case Op::kSaslStep:
      return SaslAuth(f, value, out, sasl);
    default:
      // Quiet opcodes were mapped onto their loud ones by ClassifyBinaryOpcode.
      Error(f, BinaryStatus::kUnknownCommand, out);
      break;
  }
  return {};
}

size_t BinaryDispatcher::PipelinedKeys(std::string_view input, std::span<std::string_view> room) {
  size_t n = 0;
  while (n < room.size()) {
    const BinaryFrame f = proto::ParseBinaryFrame(input);
    if (f.status != proto::BinaryFrameStatus::kOk) break;
    if (!f.key.empty() && f.key.size() <= slab::kMaxKeyLength) room[n++] = f.key;
    const uint64_t frame = f.consumed + uint64_t{f.header.value_len()};
    if (frame > input.size()) break;
    input.remove_prefix(frame);
  }
  return n;
}

namespace {

// A hit's whole response, appended by Store::GetCopy under the item lock (values up to
// OutputQueue::kCopyLimit: no reference taken, as the text gets).
struct BinaryValueReply {
  std::string* text;
  proto::BinaryReplyTo to;
  std::string_view key;  // empty unless GETK/GATK
  bool with_value;       // false for TOUCH

  static void Append(void* arg, const slab::ItemSnapshot& snap, std::string_view value) {
    const auto* self = static_cast<const BinaryValueReply*>(arg);
    proto::AppendBinaryValue(*self->text, self->to, snap.cas, snap.flags, self->key,
                             self->with_value ? value : std::string_view());
  }
};

}  // namespace

void BinaryDispatcher::Retrieve(const BinaryFrame& f, BinaryCommand cmd, OutputQueue& out) {
  const bool touch = cmd.op == Op::kTouch || cmd.op == Op::kGat || cmd.op == Op::kGatK;
  const bool with_key = cmd.op == Op::kGetK || cmd.op == Op::kGatK;
  const bool with_value = cmd.op != Op::kTouch;
  const slab::RelTime exptime =
      touch ? slab::ToRelExptime(proto::LoadBe32(f.extras.data()), ctx_.clock) : 0;
  const std::string_view key = with_key ? f.key : std::string_view();
  BinaryValueReply reply{&out.text(), ReplyTo(f), key, with_value};
  slab::Store::CopyLookupResult c =
      CountedGetCopy(ctx_, worker_.stats, f.key, worker_.hints.HashOf(f.key), touch, exptime,
                     OutputQueue::kCopyLimit, &BinaryValueReply::Append, &reply);
  if (c.copied) return;
  slab::LookupResult& r = c.ref;
  if (!r.item) {
    if (cmd.quiet) return;
    if (with_key) {
      // GETK/GATK misses return the key, with no error text (memcached does the same).
      proto::AppendBinaryResponse(out.text(), ReplyTo(f), BinaryStatus::kKeyNotFound, 0, {},
                                  f.key, {});
    } else {
      Error(f, BinaryStatus::kKeyNotFound, out);
    }
    return;
  }
  // A value too large to copy goes out from the item (zero copy), which the ref keeps alive.
  const std::string_view value = with_value ? r.item.value() : std::string_view();
  std::string& text = out.text();
  proto::AppendBinaryResponseHeader(text, ReplyTo(f), BinaryStatus::kOk, 4,
                                    static_cast<uint16_t>(key.size()),
                                    static_cast<uint32_t>(value.size()), r.item.cas());
  proto::AppendBe32(text, r.item.flags());
  text.append(key);
  if (!value.empty()) out.AppendValue(value, std::move(r.item));
}

DispatchOutcome BinaryDispatcher::BeginStore(const BinaryFrame& f, BinaryCommand cmd,
                                             OutputQueue& out, PendingStore* pending) {
  const proto::BinaryRequestHeader& h = f.header;
  const bool concat = cmd.op == Op::kAppend || cmd.op == Op::kPrepend;
  slab::StoreMode mode = slab::StoreMode::kSet;
  switch (cmd.op) {
    case Op::kAdd: mode = slab::StoreMode::kAdd; break;
    case Op::kReplace: mode = slab::StoreMode::kReplace; break;
    case Op::kAppend: mode = slab::StoreMode::kAppend; break;
    case Op::kPrepend: mode = slab::StoreMode::kPrepend; break;
    default: break;
  }
  // memcached: a set/add/replace carrying a CAS is a compare-and-swap, and append/prepend
  // compare it too. With -C items have no CAS to set or compare, so it is ignored.
  const uint64_t cas = ctx_.options.store.use_cas ? h.cas : 0;
  if (!concat && cas != 0) mode = slab::StoreMode::kCas;
  const uint32_t flags = concat ? 0 : proto::LoadBe32(f.extras.data());
  const uint32_t exptime = concat ? 0 : proto::LoadBe32(f.extras.data() + 4);
  const uint32_t value_len = h.value_len();
  if (ctx_.prefix_stats.enabled()) ctx_.prefix_stats.RecordSet(f.key);
  slab::ReserveResult r = ctx_.store.Reserve(
      f.key, flags, concat ? 0 : slab::ToRelExptime(exptime, ctx_.clock), value_len);
  if (r.status != slab::AllocStatus::kOk) {
    if (r.status == slab::AllocStatus::kTooLarge) {
      worker_.stats.store_too_large.Add();
      Error(f, BinaryStatus::kTooLarge, out);
    } else {
      worker_.stats.store_no_memory.Add();
      Error(f, BinaryStatus::kOutOfMemory, out, "Out of memory allocating item");
    }
    // As memcached: a failed set must not leave the old value to be served.
    if (cmd.op == Op::kSet) ctx_.store.Unlink(f.key);
    return {NextStep::kSwallow, value_len};
  }
  worker_.stats.cmd_set.Add();
  Class(r.reservation.class_id()).cmd_set.Add();
  pending->reservation = std::move(r.reservation);
  pending->mode = mode;
  pending->cas = cas;
  pending->noreply = cmd.quiet;
  pending->binary = true;
  pending->binary_op = cmd.op;
  pending->reply_to = ReplyTo(f);
  return {NextStep::kReadValue};
}

void BinaryDispatcher::FinishStore(PendingStore& pending, OutputQueue& out) {
  const slab::LinkResult r = CountedLink(ctx_, worker_.stats, pending);
  BinaryStatus status = BinaryStatus::kOk;
  switch (r.status) {
    case slab::StoreStatus::kStored:
      if (!pending.noreply)
        proto::AppendBinaryResponse(out.text(), pending.reply_to, BinaryStatus::kOk, r.cas, {},
                                    {}, {});
      return;
    case slab::StoreStatus::kExists:
      status = BinaryStatus::kKeyExists;
      break;
    case slab::StoreStatus::kNotFound:
      status = BinaryStatus::kKeyNotFound;
      break;
    case slab::StoreStatus::kNotStored:
      // memcached's mapping: add -> exists, replace -> not found, append/prepend -> not stored.
      status = pending.binary_op == Op::kAdd       ? BinaryStatus::kKeyExists
               : pending.binary_op == Op::kReplace ? BinaryStatus::kKeyNotFound
                                                   : BinaryStatus::kNotStored;
      break;
  }
  proto::AppendBinaryError(out.text(), pending.reply_to, status);
}

void BinaryDispatcher::Delete(const BinaryFrame& f, bool quiet, OutputQueue& out) {
  if (ctx_.prefix_stats.enabled()) ctx_.prefix_stats.RecordDelete(f.key);
  slab::DeleteResult r = ctx_.store.Delete(f.key, f.header.cas);
  switch (r.status) {
    case slab::DeleteStatus::kDeleted:
      worker_.stats.delete_hits.Add();
      Class(r.cls).delete_hits.Add();
      Success(f, quiet, out);
      break;
    case slab::DeleteStatus::kExists:
      Error(f, BinaryStatus::kKeyExists, out);
      break;
    case slab::DeleteStatus::kNotFound:
      worker_.stats.delete_misses.Add();
      Error(f, BinaryStatus::kKeyNotFound, out);
      break;
  }
}

void BinaryDispatcher::Arithmetic(const BinaryFrame& f, BinaryCommand cmd, OutputQueue& out) {
  const bool incr = cmd.op == Op::kIncrement;
  const uint64_t delta = proto::LoadBe64(f.extras.data());
  const uint64_t initial = proto::LoadBe64(f.extras.data() + 8);
  const uint32_t exptime = proto::LoadBe32(f.extras.data() + 16);
  slab::ArithResult r = ctx_.store.Arith(f.key, incr, delta, f.header.cas);
  ThreadStats& st = worker_.stats;
  switch (r.status) {
    case slab::ArithStatus::kOk: {
      (incr ? st.incr_hits : st.decr_hits).Add();
      (incr ? Class(r.cls).incr_hits : Class(r.cls).decr_hits).Add();
      if (cmd.quiet) return;
      std::string& text = out.text();
      proto::AppendBinaryResponseHeader(text, ReplyTo(f), BinaryStatus::kOk, 0, 0, 8, r.cas);
      proto::AppendBe64(text, r.value);
      return;
    }
    case slab::ArithStatus::kNonNumeric:
      Error(f, BinaryStatus::kNonNumeric, out);
      return;
    case slab::ArithStatus::kNoMemory:
      Error(f, BinaryStatus::kOutOfMemory, out, "Out of memory incrementing value");
      return;
    case slab::ArithStatus::kExists:
      Error(f, BinaryStatus::kKeyExists, out);
      return;
    case slab::ArithStatus::kNotFound:
      // Creating the counter counts as neither hit nor miss (memcached 1.6.18).
      if (exptime != kNoCreate) {
        CreateCounter(f, cmd.quiet, initial, exptime, out);
        return;
      }
      (incr ? st.incr_misses : st.decr_misses).Add();
      Error(f, BinaryStatus::kKeyNotFound, out);
      return;
  }
}

// An increment/decrement miss with an expiration other than 0xffffffff stores `initial`
// (not initial +/- delta) and returns it, as memcached does.
void BinaryDispatcher::CreateCounter(const BinaryFrame& f, bool quiet, uint64_t initial,
                                     uint32_t exptime, OutputQueue& out) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof(digits), initial).ptr;
  const auto len = static_cast<uint32_t>(end - digits);
  slab::ReserveResult r =
      ctx_.store.Reserve(f.key, 0, slab::ToRelExptime(exptime, ctx_.clock), len);
  if (r.status != slab::AllocStatus::kOk) {
    Error(f, BinaryStatus::kOutOfMemory, out, "Out of memory allocating new item");
    return;
  }
  std::copy(digits, end, r.reservation.value().data());
  slab::LinkResult link = ctx_.store.Link(std::move(r.reservation), slab::StoreMode::kAdd);
  if (link.status != slab::StoreStatus::kStored) {
    Error(f, BinaryStatus::kNotStored, out);
    return;
  }
  if (quiet) return;
  std::string& text = out.text();
  proto::AppendBinaryResponseHeader(text, ReplyTo(f), BinaryStatus::kOk, 0, 0, 8, link.cas);
  proto::AppendBe64(text, initial);
}

void BinaryDispatcher::Flush(const BinaryFrame& f, bool quiet, OutputQueue& out) {
  if (!ctx_.options.flush_enabled) {  // -F: memcached answers "Auth error", uncounted
    Error(f, BinaryStatus::kAuthError, out);
    return;
  }
  const uint32_t delay = f.extras.size() == 4 ? proto::LoadBe32(f.extras.data()) : 0;
  ctx_.store.FlushAll(delay > 0 ? slab::ToRelExptime(delay, ctx_.clock) : 0);
  // memcached counts a binary flush only once it has succeeded.
  worker_.stats.cmd_flush.Add();
  Success(f, quiet, out);
}

// STAT: memcached's process_bin_stat. "reset", "settings" and "detail" match as
// prefixes of the key (strncmp), the other groups exactly; unknown groups are
// "Not found". Every group ends with an empty packet, except errors.
void BinaryDispatcher::Stat(const BinaryFrame& f, OutputQueue& out) {
  const std::string_view key = f.key;
  std::string& text = out.text();
  BinaryStatsSink sink(text, ReplyTo(f));
  if (key.empty()) {
    WriteStatsGroup(ctx_, "", sink);
  } else if (key.starts_with("reset")) {
    ResetAllStats(ctx_);
  } else if (key.starts_with("settings")) {
    WriteStatsGroup(ctx_, "settings", sink);
  } else if (key.starts_with("detail")) {
    const std::string_view sub = key.substr(6);
    if (sub.starts_with(" dump")) {
      std::string dump;
      ctx_.prefix_stats.Dump(dump);
      sink.Add("detailed", dump);
    } else if (sub.starts_with(" on")) {
      ctx_.prefix_stats.SetEnabled(true);
    } else if (sub.starts_with(" off")) {
      ctx_.prefix_stats.SetEnabled(false);
    } else {
      Error(f, BinaryStatus::kKeyNotFound, out);
      return;
    }
  } else if (!WriteStatsGroup(ctx_, key, sink)) {
    Error(f, BinaryStatus::kKeyNotFound, out);
    return;
  }
  proto::AppendBinaryStat(text, ReplyTo(f), {}, {});
}

DispatchOutcome BinaryDispatcher::SaslAuth(const BinaryFrame& f, std::string_view value,
                                           OutputQueue& out, SaslState& sasl) {
  const uint32_t value_len = f.header.value_len();
  if (!ctx_.options.sasl) {
    Error(f, BinaryStatus::kUnknownCommand, out);
    return {NextStep::kSwallow, value_len};
  }
  if (f.key.size() > kMaxSaslMechLength) {
    Error(f, BinaryStatus::kInvalidArguments, out);
    return {NextStep::kSwallow, value_len};
  }
  if (value.size() != value_len) {  // over kMaxSaslPayload: not buffered
    Error(f, BinaryStatus::kOutOfMemory, out);
    return {NextStep::kSwallow, value_len};
  }
  const bool step = proto::ClassifyBinaryOpcode(f.header.opcode).op == Op::kSaslStep;
  SaslOutcome result = SaslOutcome::kFail;
  if (!step) {
    result = SaslStart(f.key, value, ctx_.options.sasl_pwdb);
    sasl.started = result == SaslOutcome::kContinue;
  } else if (sasl.started) {
    // Only an empty PLAIN start leaves a step to take; its key is not looked at.
    result = SaslStep(value, ctx_.options.sasl_pwdb);
    sasl.started = false;
  }
  if (result == SaslOutcome::kContinue) {
    // Not counted, as memcached counts only finished exchanges.
    proto::AppendBinaryResponse(out.text(), ReplyTo(f), BinaryStatus::kAuthContinue, 0, {}, {},
                                {});
    return {NextStep::kContinue};
  }
  // As memcached 1.6.18 does, any failure (even after an earlier success) leaves the
  // connection unauthenticated.
  sasl.authenticated = result == SaslOutcome::kOk;
  worker_.stats.auth_cmds.Add();
  if (sasl.authenticated) {
    Success(f, false, out, 0, "Authenticated");
  } else {
    worker_.stats.auth_errors.Add();
    Error(f, BinaryStatus::kAuthError, out);
  }
  return {NextStep::kContinue};
}

}  // namespace slabd::server
