// Connection (see connection.h).
#include "src/connection.h"

#include <glog/logging.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <string>

#include "proto/ascii_auth.h"
#include "proto/binary_parser.h"
#include "proto/text_parser.h"
#include "proto/text_writer.h"
#include "src/worker.h"

namespace slabd::server {
namespace {
// One command line may grow the read buffer to this size (long multigets); a line
// that does not fit closes the connection. memcached has no limit; 64 MB is
// over 250 000 maximal keys.
constexpr size_t kMaxLineBuffer = 64u << 20;
// Values at least this large are read straight into the item, not via the buffer.
constexpr uint64_t kDirectReadMin = 4096;
constexpr int kMaxReadsPerEvent = 4;

int64_t MonotonicMs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}
}  // namespace

Connection::Connection(int fd, ConnEntry* entry, Worker& worker)
    : fd_(fd), entry_(entry), worker_(worker), dispatcher_(worker.dispatcher()),
      binary_dispatcher_(worker.binary_dispatcher()), in_(&worker.read_buffers()) {
  event_ = event_new(worker_.base(), fd_, EV_READ | EV_PERSIST, &Connection::OnEvent, this);
  WantEvents(EV_READ);
  worker_.shared().gauges.connections.fetch_add(1, std::memory_order_relaxed);
}

Connection::~Connection() {
  if (fd_ >= 0) Close();
}

void Connection::Close() {
  if (fd_ < 0) return;
  if (event_ != nullptr) {
    event_free(event_);
    event_ = nullptr;
  }
  // Unregister before close(): the fd number may be reused by the next accept.
  worker_.context().conns.Remove(fd_);
  entry_ = nullptr;
  ::close(fd_);
  fd_ = -1;
  pending_ = PendingStore();
  in_.Consume(in_.size());
  in_.Release();
  out_ = OutputQueue();
  PublishGauges();
  worker_.shared().gauges.connections.fetch_sub(1, std::memory_order_relaxed);
  worker_.context().curr_connections.fetch_sub(1, std::memory_order_relaxed);
}

void Connection::WantEvents(short what) {
  if (armed_ == what) return;
  event_del(event_);
  // Reads are edge-triggered and watch for the peer's FIN (see connection.h); EV_WRITE is
  // only armed while blocked.
  const short et = (what & EV_READ) ? worker_.edge_read_flags() : 0;
  event_assign(event_, worker_.base(), fd_, what | EV_PERSIST | et, &Connection::OnEvent, this);
  event_add(event_, nullptr);
  armed_ = what;
}

void Connection::OnEvent(evutil_socket_t, short what, void* arg) {
  auto* self = static_cast<Connection*>(arg);
  // Made active again (an -R yield's EV_WRITE) after it read in this turn: its deferred
  // processing, still to come this turn, runs whatever is buffered.
  if (self->deferred_) return;
  if (what & EV_CLOSED) self->peer_closed_ = true;
  self->requests_left_ = self->worker_.context().options.reqs_per_event;
  self->yielded_ = false;
  if (what & EV_WRITE) self->HandleWritable();
  if (!self->closed() && (what & EV_READ) && self->yielded_) {
    // Requests are still buffered (-R): read after they have run. Reading now could see the
    // peer's FIN and close with them unanswered (memcached answers them); the readiness is
    // kept for the turn that reads (an edge is not raised twice).
    event_active(self->event_, EV_READ, 0);
    return;
  }
  if (!self->closed() && (what & EV_READ) && self->ReadAndDefer()) {
    self->worker_.Defer(self);  // may process (and release) it at once: touch nothing after
    return;
  }
  if (self->closed()) self->worker_.Release(self);
}

ssize_t Connection::ReadOnce(bool* filled) {
  char* dst;
  size_t want;
  const bool direct = state_ == State::kReadValue && in_.size() == 0 &&
                      pending_.reservation.value().size() - value_filled_ >= kDirectReadMin;
  if (direct) {
    dst = pending_.reservation.value().data() + value_filled_;
    want = pending_.reservation.value().size() - value_filled_;
  } else {
    dst = in_.WritePtr();
    want = in_.WriteSpace();
  }
  ssize_t n = ::read(fd_, dst, want);
  if (n < 0) return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? -1 : -2;
  if (n == 0) return 0;
  *filled = static_cast<size_t>(n) == want;
  worker_.shared().stats.bytes_read.Add(static_cast<uint64_t>(n));
  if (direct) {
    value_filled_ += static_cast<uint64_t>(n);
  } else {
    in_.Commit(static_cast<size_t>(n));
  }
  return n;
}

bool Connection::ReadAndDefer() {
  bool filled = false;
  const ssize_t n = ReadOnce(&filled);
  if (n == 0 || n == -2) {
    Close();
    return false;
  }
  if (n == -1) {
    PublishGauges();
    return false;
  }
  read_filled_ = filled;
  deferred_ = true;
  DecideProtocol();
  return true;
}

size_t Connection::PlanKeys(std::span<std::string_view> room) const {
  if (AwaitsTextCommand()) return TextDispatcher::PipelinedKeys(in_.data(), room);
  if (protocol_ == Protocol::kBinary && state_ == State::kParse) {
    return BinaryDispatcher::PipelinedKeys(in_.data(), room);
  }
  return 0;
}

void Connection::PrefetchPipelined() {
  if (AwaitsTextCommand()) dispatcher_.PrefetchPipelined(in_.data(), 2);
}

void Connection::ExecuteDeferred(std::span<const std::string_view> keys, const uint32_t* hashes) {
  if (closed()) return;
  MarkExecuting();
  if (close_after_write_) return;
  worker_.shared().hints.Set(keys, hashes);
  Process();
  worker_.shared().hints.Clear();
}

void Connection::FlushDeferred() {
  deferred_ = false;
  bool filled = read_filled_;
  for (int reads = 1;; ++reads) {
    if (!Run(/*executed=*/reads == 1)) return;
    if (!filled) break;  // the socket was emptied: the next bytes raise a new edge
    if (yielded_ || reads == kMaxReadsPerEvent) {
      // Bytes may be left in the socket and raise no new edge: come back for them next turn.
      event_active(event_, EV_READ, 0);
      break;
    }
    const ssize_t n = ReadOnce(&filled);
    if (n == 0 || n == -2) {
      Close();
      return;
    }
    if (n == -1) break;
    PrefetchPipelined();
  }
  PublishGauges();
}

void Connection::HandleWritable() {
  Run();  // re-arms EV_READ itself once the queue has drained
}

void Connection::MarkExecuting() {
  SetState(ConnState::kParseCmd);
  entry_->last_cmd.store(worker_.context().clock.Now(), std::memory_order_relaxed);
}

bool Connection::Run(bool executed) {
  if (!executed) MarkExecuting();
  for (;; executed = false) {
    if (!executed && !close_after_write_) Process();
    if (closed()) return false;
    uint64_t written = 0;
    OutputQueue::WriteStatus s = out_.WriteTo(fd_, &written);
    worker_.shared().stats.bytes_written.Add(written);
    if (s == OutputQueue::WriteStatus::kError) {
      Close();
      return false;
    }
    if (s == OutputQueue::WriteStatus::kBlocked) {
      SetState(ConnState::kMwrite);
      WantEvents(EV_WRITE);
      PublishGauges();
      return false;
    }
    out_.Trim();
    if (close_after_write_) {
      Close();
      return false;
    }
    if (!output_full_) break;
    output_full_ = false;  // drained: go on parsing what is buffered
  }
  in_.Release();  // idle connections hold no read buffer
  SetState(state_ == State::kReadValue ? ConnState::kNread
            : state_ == State::kSwallow  ? ConnState::kSwallow
                                         : ConnState::kWaiting);
  WantEvents(EV_READ);
  if (yielded_) {
    // -R: the rest of the buffered requests runs on the next loop turn (EV_WRITE
    // routes the callback to Run() without a read).
    worker_.shared().stats.conn_yields.Add();
    event_active(event_, EV_WRITE, 0);
  } else if (peer_closed_) {
    // The FIN came with bytes already read, so no new edge will report it: read again next
    // turn to see the end of the stream (and close, as memcached does on a read of 0).
    event_active(event_, EV_READ, 0);
  }
  return true;
}

bool Connection::KickIfIdle(uint32_t now, int timeout) {
  if (closed() || deferred_ || state_ != State::kParse || armed_ != EV_READ || !out_.empty() ||
      close_after_write_ || output_full_ || yielded_)
    return false;
  const uint32_t last = entry_->last_cmd.load(std::memory_order_relaxed);
  if (now < last || now - last <= static_cast<uint32_t>(timeout)) return false;
  worker_.shared().stats.idle_kicks.Add();
  Close();
  return true;
}

void Connection::Drain(int64_t deadline_ms) {
  requests_left_ = std::numeric_limits<int>::max();
  bool eof = false;
  while (!closed()) {
    const bool was_paused = output_full_;
    output_full_ = false;
    ssize_t n = -1;
    if (!eof && !was_paused && !close_after_write_) {
      bool filled = false;
      n = ReadOnce(&filled);
      if (n == 0 || n == -2) eof = true;
    }
    if (!close_after_write_) Process();
    if (closed()) return;
    uint64_t written = 0;
    OutputQueue::WriteStatus s = out_.WriteTo(fd_, &written);
    worker_.shared().stats.bytes_written.Add(written);
    if (s == OutputQueue::WriteStatus::kError) break;
    if (s == OutputQueue::WriteStatus::kBlocked) {
      const int64_t left = deadline_ms - MonotonicMs();
      pollfd p{fd_, POLLOUT, 0};
      if (left <= 0 || poll(&p, 1, static_cast<int>(left)) <= 0) break;
      output_full_ = was_paused || output_full_;
      continue;
    }
    out_.Trim();
    if (close_after_write_) break;
    if (n <= 0 && !was_paused && !output_full_) break;
  }
  Close();
}

void Connection::Process() {
  const uint64_t limit = worker_.context().options.max_pending_output;
  bool progress = true;
  while (progress && !closed() && !close_after_write_) {
    if (out_.pending_bytes() > limit) {
      output_full_ = true;
      return;
    }
    switch (state_) {
      case State::kParse:
        if (requests_left_ <= 0 && in_.size() > 0) {  // -R: yield to other connections
          yielded_ = true;
          return;
        }
        progress = StepParse();
        if (progress) --requests_left_;
        break;
      case State::kReadValue: progress = StepReadValue(); break;
      case State::kSwallow: progress = StepSwallow(); break;
    }
  }
}

void Connection::DecideProtocol() {
  if (protocol_ != Protocol::kUndecided || in_.size() == 0) return;
  switch (worker_.context().options.protocol) {
    case BindingProtocol::kAscii: protocol_ = Protocol::kText; break;
    case BindingProtocol::kBinary: protocol_ = Protocol::kBinary; break;
    case BindingProtocol::kAuto:
      protocol_ = static_cast<uint8_t>(in_.data()[0]) == proto::kBinaryRequestMagic
                      ? Protocol::kBinary
                      : Protocol::kText;
      break;
  }
}

bool Connection::StepParse() {
  if (in_.size() == 0) return false;
  DecideProtocol();
  if (protocol_ == Protocol::kBinary) return StepParseBinary();
  if (!ascii_authenticated_ && worker_.context().ascii_auth != nullptr) return StepAsciiAuth();
  return StepParseText();
}

// -Y: nothing but the authentication exchange is read until it succeeds. Each rejected
// line gets its own reply (memcached 1.6.18 keeps only the last reply of one read).
bool Connection::StepAsciiAuth() {
  if (auth_block_len_ == 0) {
    const proto::AsciiAuthLine l = proto::ParseAsciiAuthLine(in_.data());
    switch (l.status) {
      case proto::AsciiAuthLineStatus::kNeedMore:
        return false;
      case proto::AsciiAuthLineStatus::kClose:
        Close();
        return false;
      case proto::AsciiAuthLineStatus::kRejected:
        in_.Consume(l.consumed);
        out_.Append(proto::kClientErrorUnauthenticated);
        return true;
      case proto::AsciiAuthLineStatus::kBlock:
        in_.Consume(l.consumed);
        auth_block_len_ = l.block_len;
        return true;
    }
  }
  if (in_.size() < auth_block_len_) {
    // memcached reads the block into its 16 KB buffer: a block that cannot fit closes
    // the connection once that much is pending.
    if (auth_block_len_ > ReadBuffer::kBaseSize && in_.size() >= ReadBuffer::kBaseSize) Close();
    return false;
  }
  const std::string_view block = in_.data().substr(0, auth_block_len_);
  const proto::AsciiAuthBlock b = proto::ParseAsciiAuthBlock(block);
  ThreadStats& st = worker_.shared().stats;
  switch (b.status) {
    case proto::AsciiAuthBlockStatus::kBadTermination:
      out_.Append(proto::kClientErrorBadTermination);
      break;
    case proto::AsciiAuthBlockStatus::kBadFormat:
      out_.Append(proto::kClientErrorBadTokenFormat);
      break;
    case proto::AsciiAuthBlockStatus::kCredentials:
      st.auth_cmds.Add();
      if (worker_.context().ascii_auth->Check(b.user, b.password)) {
        ascii_authenticated_ = true;
        out_.Append(proto::kStored);
      } else {
        st.auth_errors.Add();
        out_.Append(proto::kClientErrorAuthFailure);
      }
      break;
  }
  in_.Consume(auth_block_len_);
  auth_block_len_ = 0;
  return true;
}

bool Connection::StepParseText() {
  proto::ParseResult r = proto::ParseTextCommand(in_.data());
  switch (r.status) {
    case proto::ParseStatus::kNeedMore:
      // Only a long get/gets line can fill the buffer (the parser closes on other
      // lines over 2048 bytes); make room for the rest of it.
      if (in_.size() == in_.capacity() && !in_.Grow(kMaxLineBuffer)) Close();
      return false;
    case proto::ParseStatus::kClose:
      Close();
      return false;
    case proto::ParseStatus::kError:
      if (worker_.context().verbosity.load(std::memory_order_relaxed) >= 2)
        LogCommand(in_.data().substr(0, r.consumed));
      in_.Consume(r.consumed);
      dispatcher_.Reject(r.error, r.noreply, out_);
      if (r.swallow > 0) {
        swallow_left_ = r.swallow;
        state_ = State::kSwallow;
      }
      return true;
    case proto::ParseStatus::kOk:
      break;
  }
  if (resume_keys_ == 0 && worker_.context().verbosity.load(std::memory_order_relaxed) >= 2)
    LogCommand(in_.data().substr(0, r.consumed));
  // Dispatch before consuming: keys are views into the buffer.
  DispatchOutcome o = dispatcher_.Execute(r.request, out_, &pending_, resume_keys_,
                                          worker_.context().options.max_pending_output);
  if (o.next == NextStep::kSuspend) {
    // Keep the line: it is parsed again and answered from key `resume` once the
    // queued output has drained.
    resume_keys_ = o.resume;
    output_full_ = true;
    return false;
  }
  resume_keys_ = 0;
  in_.Consume(r.consumed);
  return FollowOutcome(o);
}

bool Connection::StepParseBinary() {
  const proto::BinaryFrame f = proto::ParseBinaryFrame(in_.data());
  switch (f.status) {
    case proto::BinaryFrameStatus::kNeedMore:
      // Extras and key are at most 255 + 65535 bytes: always within the buffer limit.
      if (in_.size() == in_.capacity() && !in_.Grow(kMaxLineBuffer)) Close();
      return false;
    case proto::BinaryFrameStatus::kBadMagic:
      // No reply, but the replies of earlier requests still go out (as memcached).
      close_after_write_ = true;
      return false;
    case proto::BinaryFrameStatus::kBodyTooLarge:
    case proto::BinaryFrameStatus::kLengthMismatch:
      binary_dispatcher_.RejectFrame(f, out_);
      close_after_write_ = true;
      return true;
    case proto::BinaryFrameStatus::kOk:
      break;
  }
  const size_t head = f.consumed + binary_dispatcher_.BufferedValueLength(f);
  if (in_.size() < head) {
    if (in_.size() == in_.capacity() && !in_.Grow(kMaxLineBuffer)) Close();
    return false;
  }
  if (worker_.context().verbosity.load(std::memory_order_relaxed) >= 2) {
    char line[64];
    std::snprintf(line, sizeof(line), "binary opcode 0x%02x key ", f.header.opcode);
    LogCommand(std::string(line) + std::string(f.key));
  }
  // Dispatch before consuming: the key is a view into the buffer.
  DispatchOutcome o = binary_dispatcher_.Execute(
      f, in_.data().substr(f.consumed, head - f.consumed), out_, &pending_, sasl_);
  in_.Consume(head);
  return FollowOutcome(o);
}

bool Connection::FollowOutcome(const DispatchOutcome& o) {
  switch (o.next) {
    case NextStep::kContinue:
      break;
    case NextStep::kReadValue:
      value_filled_ = 0;
      tail_filled_ = 0;
      state_ = State::kReadValue;
      break;
    case NextStep::kSwallow:
      if (o.swallow > 0) {
        swallow_left_ = o.swallow;
        state_ = State::kSwallow;
      }
      break;
    case NextStep::kClose:
      close_after_write_ = true;
      break;
    case NextStep::kSuspend:
      break;
  }
  return true;
}

bool Connection::StepReadValue() {
  std::span<char> value = pending_.reservation.value();
  if (value_filled_ < value.size()) {
    size_t n = std::min<uint64_t>(value.size() - value_filled_, in_.size());
    if (n == 0) return false;
    std::memcpy(value.data() + value_filled_, in_.data().data(), n);
    in_.Consume(n);
    value_filled_ += n;
    if (value_filled_ < value.size()) return false;
  }
  if (pending_.binary) {
    binary_dispatcher_.FinishStore(pending_, out_);
    state_ = State::kParse;
    return true;
  }
  while (tail_filled_ < 2) {
    if (in_.size() == 0) return false;
    tail_[tail_filled_++] = in_.data()[0];
    in_.Consume(1);
  }
  const bool ok = tail_[0] == '\r' && tail_[1] == '\n';
  dispatcher_.FinishStore(pending_, ok, out_);
  state_ = State::kParse;
  return true;
}

bool Connection::StepSwallow() {
  size_t n = std::min<uint64_t>(swallow_left_, in_.size());
  in_.Consume(n);
  swallow_left_ -= n;
  if (swallow_left_ > 0) return false;
  state_ = State::kParse;
  return true;
}

void Connection::LogCommand(std::string_view line) const {
  // Keys may hold any byte: log a bounded, escaped copy (never assume a NUL).
  std::string shown;
  for (char c : line.substr(0, 512)) {
    if (c == '\r' || c == '\n') continue;
    if (c >= 0x20 && c < 0x7f) {
      shown.push_back(c);
    } else {
      char hex[5];
      std::snprintf(hex, sizeof(hex), "\\x%02x", static_cast<unsigned char>(c));
      shown += hex;
    }
  }
  LOG(INFO) << "<" << fd_ << " " << shown;
}

void Connection::PublishGauges() {
  WorkerGauges& g = worker_.shared().gauges;
  int64_t rb = static_cast<int64_t>(in_.capacity());
  int64_t ob = static_cast<int64_t>(out_.capacity_bytes());
  if (rb == published_read_bytes_ && ob == published_out_bytes_) return;
  g.read_buf_bytes.fetch_add(rb - published_read_bytes_, std::memory_order_relaxed);
  g.output_bytes.fetch_add(ob - published_out_bytes_, std::memory_order_relaxed);
  if ((rb > 0) != (published_read_bytes_ > 0))
    g.read_buf_count.fetch_add(rb > 0 ? 1 : -1, std::memory_order_relaxed);
  if ((ob > 0) != (published_out_bytes_ > 0))
    g.output_count.fetch_add(ob > 0 ? 1 : -1, std::memory_order_relaxed);
  published_read_bytes_ = rb;
  published_out_bytes_ = ob;
}

}  // namespace slabd::server
