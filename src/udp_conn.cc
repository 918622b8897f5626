// UdpConn (see udp_conn.h).
#include "src/udp_conn.h"

#include <glog/logging.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "proto/binary_parser.h"
#include "proto/text_parser.h"
#include "src/worker.h"

namespace slabd::server {
namespace {
// Datagrams read per readiness event before other events get a turn (memcached reads
// one per event; a few more save wake-ups under load).
constexpr int kMaxDatagramsPerEvent = 16;
// sendmmsg takes at most this many messages per call (UIO_MAXIOV).
constexpr size_t kMaxBatch = 1024;
// How long one send may wait for room in a full socket buffer before the rest of the
// reply is dropped.
constexpr int kSendWaitMs = 50;
}  // namespace

UdpConn::UdpConn(int fd, Worker& worker)
    : fd_(fd), worker_(worker), dispatcher_(worker.dispatcher()),
      binary_dispatcher_(worker.binary_dispatcher()), buf_(kReadBufferSize) {
  out_.TrackMessages();
}

UdpConn::~UdpConn() {
  if (event_ != nullptr) event_free(event_);
  ::close(fd_);
}

bool UdpConn::Start() {
  event_ = event_new(worker_.base(), fd_, EV_READ | EV_PERSIST, &UdpConn::OnReadable, this);
  return event_ != nullptr && event_add(event_, nullptr) == 0;
}

void UdpConn::OnReadable(evutil_socket_t, short, void* arg) {
  static_cast<UdpConn*>(arg)->HandleReadable();
}

void UdpConn::HandleReadable() {
  for (int i = 0; i < kMaxDatagramsPerEvent; ++i) {
    sockaddr_storage peer{};
    socklen_t peer_len = sizeof(peer);
    ssize_t n = ::recvfrom(fd_, buf_.data(), buf_.size(), 0,
                           reinterpret_cast<sockaddr*>(&peer), &peer_len);
    if (n < 0) return;  // EAGAIN (another worker took it) or a transient error
    worker_.shared().stats.bytes_read.Add(static_cast<uint64_t>(n));
    HandleDatagram(std::string_view(buf_.data(), static_cast<size_t>(n)),
                   reinterpret_cast<sockaddr*>(&peer), peer_len);
  }
}

void UdpConn::HandleDatagram(std::string_view datagram, const sockaddr* peer,
                             socklen_t peer_len) {
  const proto::UdpRequest req = proto::ParseUdpRequest(datagram);
  if (req.status != proto::UdpRequestStatus::kOk) return;  // dropped, as memcached
  const bool keep = RunCommands(req.payload);
  pending_ = PendingStore();
  if (keep) SendReply(req.header.request_id, peer, peer_len);
  out_.Discard();
  out_.Trim();  // a large reply (stats, a big value) does not pin its buffer
}

bool UdpConn::RunCommands(std::string_view in) {
  bool binary = false;
  switch (worker_.context().options.protocol) {
    case BindingProtocol::kAscii: binary = false; break;
    case BindingProtocol::kBinary: binary = true; break;
    case BindingProtocol::kAuto:
      binary = static_cast<uint8_t>(in[0]) == proto::kBinaryRequestMagic;
      break;
  }
  while (!in.empty()) {
    const Step s = binary ? StepBinary(&in) : StepText(&in);
    if (s == Step::kStop) break;
    if (s == Step::kDrop) return false;
  }
  return true;
}

UdpConn::Step UdpConn::StepText(std::string_view* in) {
  proto::ParseResult r = proto::ParseTextCommand(*in);
  switch (r.status) {
    case proto::ParseStatus::kNeedMore:
      return Step::kStop;  // cut by the end of the datagram: never answered
    case proto::ParseStatus::kClose:
      return Step::kDrop;  // memcached resets its UDP conn, freeing queued replies
    case proto::ParseStatus::kError:
      in->remove_prefix(r.consumed);
      dispatcher_.Reject(r.error, r.noreply, out_);
      if (r.swallow > in->size()) return Step::kDrop;
      in->remove_prefix(r.swallow);
      out_.EndMessage(/*empty_is_skip=*/true);
      return Step::kNext;
    case proto::ParseStatus::kOk:
      break;
  }
  // The datagram buffer outlives the command: keys stay valid after the prefix moves.
  const DispatchOutcome o = dispatcher_.Execute(r.request, out_, &pending_);
  in->remove_prefix(r.consumed);
  return Follow(o, in, /*text=*/true);
}

// What a dispatcher asked for, within one datagram. An empty text reply (noreply, a
// quiet miss) is skipped; quit's empty response and binary replies are not: memcached
// sends those as a bare header when they lead the datagram's replies.
UdpConn::Step UdpConn::Follow(const DispatchOutcome& o, std::string_view* in, bool text) {
  switch (o.next) {
    case NextStep::kReadValue:
      if (FillValue(in, text) == Step::kDrop) return Step::kDrop;
      break;
    case NextStep::kSwallow:
      if (o.swallow > in->size()) return Step::kDrop;
      in->remove_prefix(o.swallow);
      break;
    case NextStep::kClose:
      // quit: memcached sends its (empty) response, then resets the conn.
      out_.EndMessage(/*empty_is_skip=*/false);
      return Step::kStop;
    case NextStep::kContinue:
    case NextStep::kSuspend:  // not asked for: no output limit is given
      break;
  }
  out_.EndMessage(/*empty_is_skip=*/text);
  return Step::kNext;
}

UdpConn::Step UdpConn::StepBinary(std::string_view* in) {
  const proto::BinaryFrame f = proto::ParseBinaryFrame(*in);
  switch (f.status) {
    case proto::BinaryFrameStatus::kNeedMore:
      return Step::kStop;
    case proto::BinaryFrameStatus::kBadMagic:
    case proto::BinaryFrameStatus::kBodyTooLarge:
    case proto::BinaryFrameStatus::kLengthMismatch:
      // memcached answers nothing for these over UDP; earlier replies still go out.
      return Step::kStop;
    case proto::BinaryFrameStatus::kOk:
      break;
  }
  const size_t head = f.consumed + binary_dispatcher_.BufferedValueLength(f);
  if (in->size() < head) return Step::kStop;
  const DispatchOutcome o = binary_dispatcher_.Execute(
      f, in->substr(f.consumed, head - f.consumed), out_, &pending_, sasl_);
  in->remove_prefix(head);
  return Follow(o, in, /*text=*/false);
}

UdpConn::Step UdpConn::FillValue(std::string_view* in, bool text) {
  std::span<char> value = pending_.reservation.value();
  const size_t need = value.size() + (text ? 2 : 0);
  if (in->size() < need) return Step::kDrop;
  std::memcpy(value.data(), in->data(), value.size());
  if (text) {
    const bool ok = (*in)[value.size()] == '\r' && (*in)[value.size() + 1] == '\n';
    dispatcher_.FinishStore(pending_, ok, out_);
  } else {
    binary_dispatcher_.FinishStore(pending_, out_);
  }
  in->remove_prefix(need);
  pending_ = PendingStore();
  return Step::kNext;
}

void UdpConn::SendReply(uint16_t request_id, const sockaddr* peer, socklen_t peer_len) {
  plan_.clear();
  proto::PlanUdpReply(request_id, out_.messages(), &plan_);
  if (plan_.empty()) return;
  headers_.resize(plan_.size());
  iov_.clear();
  iov_start_.clear();
  for (size_t i = 0; i < plan_.size(); ++i) {
    const proto::UdpDatagram& d = plan_[i];
    proto::WriteUdpHeader(d.header, headers_[i].data());
    iov_start_.push_back(iov_.size());
    iov_.push_back({headers_[i].data(), proto::kUdpHeaderSize});
    out_.Gather(d.offset, d.length, &iov_);
  }
  iov_start_.push_back(iov_.size());
  SendPlanned(peer, peer_len);
}

void UdpConn::SendPlanned(const sockaddr* peer, socklen_t peer_len) {
  std::vector<mmsghdr>& msgs = msgs_;
  msgs.resize(std::min(plan_.size(), kMaxBatch));
  size_t next = 0;
  uint64_t written = 0;
  while (next < plan_.size()) {
    const size_t batch = std::min(plan_.size() - next, kMaxBatch);
    for (size_t i = 0; i < batch; ++i) {
      msghdr& m = msgs[i].msg_hdr;
      m = msghdr{};
      m.msg_name = const_cast<sockaddr*>(peer);
      m.msg_namelen = peer_len;
      m.msg_iov = &iov_[iov_start_[next + i]];
      m.msg_iovlen = iov_start_[next + i + 1] - iov_start_[next + i];
      msgs[i].msg_len = 0;
    }
    const int sent = sendmmsg(fd_, msgs.data(), static_cast<unsigned>(batch), 0);
    if (sent > 0) {
      for (int i = 0; i < sent; ++i) written += msgs[i].msg_len;
      next += static_cast<size_t>(sent);
      continue;
    }
    if (sent < 0 && errno == EINTR) continue;
    if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{fd_, POLLOUT, 0};
      if (::poll(&p, 1, kSendWaitMs) > 0) continue;
    }
    break;  // send error: the rest of the reply is dropped, the socket stays
  }
  worker_.shared().stats.bytes_written.Add(written);
}

}  // namespace slabd::server
