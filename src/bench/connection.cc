// Connection: see connection.h.
#include "src/bench/connection.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "src/bench/bench_clock.h"
#include "src/bench/reply_match.h"

namespace slabd::bench {
namespace {

// Replies handled per scanner call; the scan loop continues until the read is used up.
constexpr size_t kEventBatch = 256;

// Up to 40 bytes of `bytes`, printable, for an error message.
std::string Excerpt(std::string_view bytes) {
  std::string out;
  for (char c : bytes.substr(0, 40)) {
    if (c >= 0x20 && c < 0x7f) {
      out += c;
    } else {
      static const char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[static_cast<uint8_t>(c) >> 4];
      out += kHex[static_cast<uint8_t>(c) & 15];
    }
  }
  return out;
}

}  // namespace

Connection::Connection(int fd, uint32_t index, const RequestComposer* composer, uint64_t seed)
    : fd_(fd),
      index_(index),
      composer_(composer),
      scanner_(composer->protocol()),
      rng_(seed) {}

Connection::~Connection() { ::close(fd_); }

void Connection::QueueGet(uint64_t key, int64_t start_ns) {
  composer_->AppendGet(out_, key);
  pending_.Push({start_ns, 1, RequestKind::kGet});
}

void Connection::QueueMultiGet(std::span<const uint64_t> keys, int64_t start_ns) {
  composer_->AppendMultiGet(out_, keys);
  pending_.Push({start_ns, static_cast<uint32_t>(keys.size()), RequestKind::kMultiGet});
}

void Connection::QueueSet(uint64_t key, uint32_t value_len, int64_t start_ns) {
  composer_->AppendSet(out_, key, value_len);
  pending_.Push({start_ns, 1, RequestKind::kSet});
}

IoStatus Connection::Fail(std::string what) {
  error_ = "connection " + std::to_string(index_) + ": " + std::move(what);
  return IoStatus::kFailed;
}

void Connection::ArmWrite(bool on) {
  if (on == write_armed_ || epoll_fd_ < 0) return;
  epoll_event ev{};
  ev.events = EPOLLIN | (on ? EPOLLOUT : 0u);
  ev.data.u64 = epoll_token_;
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd_, &ev);
  write_armed_ = on;
}

IoStatus Connection::Flush() {
  while (!out_.empty()) {
    const ssize_t n = ::send(fd_, out_.data(), out_.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      return Fail(std::string("send: ") + std::strerror(errno));
    }
    out_.Consume(static_cast<size_t>(n));
    break;  // a short write means the socket buffer is full: wait for EPOLLOUT
  }
  ArmWrite(!out_.empty());
  return IoStatus::kOk;
}

IoStatus Connection::Read(char* buf, size_t capacity, DriverStats& stats) {
  std::memcpy(buf, carry_, carry_len_);
  ssize_t n;
  do {
    n = ::read(fd_, buf + carry_len_, capacity - carry_len_);
  } while (n < 0 && errno == EINTR);
  if (n == 0) {
    return Fail(pending_.empty() ? "closed by the server"
                                 : "closed by the server with " +
                                       std::to_string(pending_.size()) + " requests open");
  }
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return IoStatus::kOk;
    return Fail(std::string("read: ") + std::strerror(errno));
  }
  const int64_t now = NowNs();
  const size_t len = carry_len_ + static_cast<size_t>(n);
  size_t pos = 0;
  ReplyKind events[kEventBatch];
  for (;;) {
    const ScanResult r = scanner_.Scan({buf + pos, len - pos}, events);
    for (size_t i = 0; i < r.events; ++i) {
      if (!OnReply(events[i], now, stats)) return IoStatus::kFailed;
    }
    pos += r.consumed;
    if (r.malformed) {
      ++stats.errors;
      return Fail("unexpected reply bytes: \"" + Excerpt({buf + pos, len - pos}) + "\"");
    }
    if (r.events < kEventBatch) break;
  }
  carry_len_ = static_cast<uint32_t>(len - pos);
  std::memcpy(carry_, buf + pos, carry_len_);
  return IoStatus::kOk;
}

bool Connection::OnReply(ReplyKind reply, int64_t now, DriverStats& stats) {
  if (pending_.empty()) {
    Fail("a " + std::string(ReplyKindName(reply)) + " reply with no request open");
    return false;
  }
  const PendingRequest& head = pending_.front();
  if (reply == ReplyKind::kValue) ++head_hits_;
  if (reply == ReplyKind::kError) ++head_errors_;
  MatchStep step = MatchReply(composer_->protocol(), head.kind, reply);
  // A meta or binary multiget to a server that knows neither gets one error per key and
  // one for the closing mn / NOOP: that ends the request too.
  if (step == MatchStep::kContinue && head_errors_ > head.keys) step = MatchStep::kComplete;
  if (step == MatchStep::kUnexpected) {
    static constexpr const char* kNames[] = {"get", "multiget", "set"};
    Fail("a " + std::string(ReplyKindName(reply)) + " reply to a " +
         kNames[static_cast<int>(head.kind)] + " request");
    return false;
  }
  if (step == MatchStep::kComplete) {
    stats.Complete(head, now, head_hits_, head_errors_);
    pending_.Pop();
    head_hits_ = 0;
    head_errors_ = 0;
  }
  return true;
}

}  // namespace slabd::bench
