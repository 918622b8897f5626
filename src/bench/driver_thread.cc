// DriverThread: see driver_thread.h for the phases and the two loops.
//
// Timing of the open loop: the thread sleeps in epoll_pwait2 (Linux 5.11, glibc 2.35),
// whose timeout is a timespec served by an hrtimer, not rounded to milliseconds as
// epoll_wait's, with the thread's timer slack cut from 50 us to 1 ns (PR_SET_TIMERSLACK).
// Even so a wake-up comes late: measured on the 2-core dev VM, 40 us at the median and
// 100+ us at p99 (85 us median with the default slack); bare metal is nearer 5 us. So
// the thread sleeps only until `margin` before the next send is due and spins (epoll_pwait2
// with a zero timeout, handling replies meanwhile) for the rest. `margin` is twice a
// running average of the oversleep measured on every sleep that timed out, so the spin is
// short where wake-ups are prompt. The cost is CPU: the driver shows as busy in its report.
// Sends that still leave late are measured (DriverStats::max_send_lag_ns) and reported.
//
// A sleeping driver also delays the replies: one that arrives while the thread sleeps waits
// for the driver's CPU to wake (on the dev VM an inter-processor interrupt into a halted
// vCPU) and that wait is counted as the server's latency. How often it happens depends on
// the margin, which settles differently from run to run, so the tail moved by more than the
// servers differ. --spin never sleeps: the thread polls with a zero timeout and takes a
// whole core, and the latency is the network's and the server's alone.
#include "src/bench/driver_thread.h"

#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <numeric>
#include <thread>

#include "src/bench/bench_clock.h"

namespace slabd::bench {
namespace {

constexpr int64_t kMaxPollNs = 100'000'000;  // notice an abort within 100 ms
constexpr int64_t kMinSpinMarginNs = 2'000;
constexpr int64_t kMaxSpinMarginNs = 500'000;
constexpr int64_t kPrefillStallNs = 30'000'000'000;
// Prefill keeps at most this many value bytes outstanding per connection (and at most
// kMaxPrefillDepth sets): deep enough to stream, shallow enough for any socket buffer.
constexpr uint64_t kPrefillBytesInFlight = 256 * 1024;
constexpr uint32_t kMaxPrefillDepth = 128;

}  // namespace

int64_t DriverThread::OpenSchedule::Due(const Slot& s) const {
  return start_ns + s.phase_ns + static_cast<int64_t>(static_cast<double>(s.sends) * interval_ns);
}

void DriverThread::WakeupMargin::Overslept(int64_t ns) {
  average_ns_ += (static_cast<double>(ns) - average_ns_) / 16;
  margin_ns_ = std::clamp(static_cast<int64_t>(2 * average_ns_), kMinSpinMarginNs,
                          kMaxSpinMarginNs);
}

DriverThread::DriverThread(const BenchOptions* options, const Workload* workload,
                           RunControl* control,
                           std::vector<std::unique_ptr<Connection>> connections)
    : options_(options),
      workload_(workload),
      control_(control),
      connections_(std::move(connections)),
      current_stats_(&prefill_stats_),
      read_buffer_(std::make_unique<char[]>(kReadBufferSize)),
      slots_(connections_.size()) {}

DriverThread::~DriverThread() {
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
}

bool DriverThread::Failed(const Connection& conn) {
  control_->Fail(conn.error());
  return false;
}

bool DriverThread::Setup() {
  prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) {
    control_->Fail(std::string("epoll_create1: ") + std::strerror(errno));
    return false;
  }
  for (size_t i = 0; i < connections_.size(); ++i) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = i;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, connections_[i]->fd(), &ev) != 0) {
      control_->Fail(std::string("epoll_ctl: ") + std::strerror(errno));
      return false;
    }
    connections_[i]->SetEpoll(epoll_fd_, i);
  }
  return true;
}

void DriverThread::Run() {
  bool ok = Setup();
  if (ok && options_->prefill) ok = Prefill();
  control_->prefilled.fetch_add(1);
  if (!ok) return;
  int64_t start;
  while ((start = control_->start_ns.load()) == 0) {
    if (control_->abort.load()) return;
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  stats_.window_start_ns = start + SecondsToNs(options_->warmup_s);
  stats_.window_end_ns = stats_.window_start_ns + SecondsToNs(options_->duration_s);
  current_stats_ = &stats_;
  if (options_->open_loop) {
    RunOpen(start, stats_.window_end_ns);
  } else {
    RunClosed(stats_.window_end_ns);
  }
  for (const auto& conn : connections_) open_at_end_ += conn->outstanding();
}

bool DriverThread::Prefill() {
  phase_ = Phase::kPrefill;
  current_stats_ = &prefill_stats_;
  const uint64_t keys = options_->keys;
  const uint64_t conns = options_->connections;
  prefill_depth_ = static_cast<uint32_t>(std::clamp<uint64_t>(
      kPrefillBytesInFlight / (uint64_t{options_->value_max} + 64), 1, kMaxPrefillDepth));
  for (size_t i = 0; i < connections_.size(); ++i) {
    const uint64_t index = connections_[i]->index();
    slots_[i].prefill_next = index * keys / conns;
    slots_[i].prefill_end = (index + 1) * keys / conns;
    ++prefill_unfinished_;
  }
  for (size_t i = 0; i < connections_.size(); ++i) {
    if (!Refill(i)) return false;
  }
  int64_t last_progress_ns = NowNs();
  uint64_t last_completed = 0;
  while (prefill_unfinished_ > 0) {
    if (control_->abort.load() || Poll(kMaxPollNs) < 0) return false;
    const int64_t now = NowNs();
    if (prefill_stats_.completed_total != last_completed) {
      last_completed = prefill_stats_.completed_total;
      last_progress_ns = now;
    } else if (now - last_progress_ns > kPrefillStallNs) {
      control_->Fail("prefill stalled: no reply for 30 s");
      return false;
    }
  }
  return true;
}

bool DriverThread::Refill(size_t slot) {
  Connection& conn = *connections_[slot];
  Slot& s = slots_[slot];
  switch (phase_) {
    case Phase::kPrefill: {
      const int64_t now = NowNs();
      while (conn.outstanding() < prefill_depth_ && s.prefill_next < s.prefill_end) {
        conn.QueueSet(s.prefill_next++, workload_->NextValueSize(conn.rng()), now);
      }
      if (!s.prefill_done && s.prefill_next == s.prefill_end && conn.outstanding() == 0) {
        s.prefill_done = true;
        --prefill_unfinished_;
      }
      break;
    }
    case Phase::kClosed:
      if (conn.outstanding() < options_->pipeline) {
        const int64_t now = NowNs();
        while (conn.outstanding() < options_->pipeline) workload_->QueueNext(conn, now);
      }
      break;
    case Phase::kOpen:
      break;  // the schedule sends, not the replies
  }
  return conn.Flush() == IoStatus::kOk || Failed(conn);
}

int DriverThread::Poll(int64_t timeout_ns) {
  const timespec timeout{static_cast<time_t>(timeout_ns / 1'000'000'000),
                         static_cast<long>(timeout_ns % 1'000'000'000)};
  const int n = epoll_pwait2(epoll_fd_, events_, kMaxEvents, &timeout, nullptr);
  if (n < 0) {
    if (errno == EINTR) return 0;
    control_->Fail(std::string("epoll_pwait2: ") + std::strerror(errno));
    return -1;
  }
  for (int i = 0; i < n; ++i) {
    const size_t slot = events_[i].data.u64;
    Connection& conn = *connections_[slot];
    const uint32_t ev = events_[i].events;
    if ((ev & EPOLLOUT) && conn.Flush() != IoStatus::kOk) {
      Failed(conn);
      return -1;
    }
    if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
      if (conn.Read(read_buffer_.get(), kReadBufferSize, *current_stats_) != IoStatus::kOk) {
        Failed(conn);
        return -1;
      }
      if (!Refill(slot)) return -1;
    }
  }
  return n;
}

bool DriverThread::RunClosed(int64_t end_ns) {
  phase_ = Phase::kClosed;
  for (size_t i = 0; i < connections_.size(); ++i) {
    if (!Refill(i)) return false;
  }
  for (;;) {
    const int64_t now = NowNs();
    if (now >= end_ns) return true;
    if (control_->abort.load()) return false;
    if (Poll(std::min(end_ns - now, kMaxPollNs)) < 0) return false;
  }
}

bool DriverThread::RunOpen(int64_t start_ns, int64_t end_ns) {
  phase_ = Phase::kOpen;
  OpenSchedule schedule;
  schedule.start_ns = start_ns;
  // Every connection sends every `interval` ns, so the total is --rate.
  schedule.interval_ns = static_cast<double>(options_->connections) / options_->rate * 1e9;
  FastRandom phases(Mix64(options_->seed ^ 0x6f70656e6c6f6f70ULL) + connections_[0]->index());
  for (Slot& s : slots_) {
    s.phase_ns = static_cast<int64_t>(phases.NextDouble() * schedule.interval_ns);
  }
  schedule.order.resize(slots_.size());
  std::iota(schedule.order.begin(), schedule.order.end(), 0);
  std::sort(schedule.order.begin(), schedule.order.end(),
            [this](size_t a, size_t b) { return slots_[a].phase_ns < slots_[b].phase_ns; });
  schedule.dirty.reserve(slots_.size());

  WakeupMargin margin;
  int64_t now = NowNs();
  while (now < end_ns) {
    if (control_->abort.load()) return false;
    QueueDue(schedule, now, end_ns);
    if (!FlushDue(schedule)) return false;
    // Sleep until `margin` before the next send, or spin (see the top of the file).
    const int64_t next = std::min(schedule.Due(slots_[schedule.order[schedule.cursor]]), end_ns);
    now = NowNs();
    const int64_t sleep = options_->spin ? 0 : std::min(next - now - margin.ns(), kMaxPollNs);
    const int events = Poll(std::max<int64_t>(sleep, 0));
    if (events < 0) return false;
    const int64_t woke = NowNs();
    if (sleep > 0 && events == 0) margin.Overslept(woke - (now + sleep));
    now = woke;
  }
  return true;
}

void DriverThread::QueueDue(OpenSchedule& schedule, int64_t now, int64_t end_ns) {
  const size_t n = schedule.order.size();
  for (;;) {  // one request per visit: the cycle keeps intended-time order
    const size_t slot = schedule.order[schedule.cursor];
    Slot& s = slots_[slot];
    const int64_t t = schedule.Due(s);
    if (t > now || t >= end_ns) return;
    workload_->QueueNext(*connections_[slot], t);
    if (s.batch++ == 0) {
      s.batch_oldest_ns = t;
      s.batch_sum_ns = 0;
      schedule.dirty.push_back(slot);
    } else {
      s.batch_sum_ns += t - s.batch_oldest_ns;
    }
    ++s.sends;
    schedule.cursor = schedule.cursor + 1 == n ? 0 : schedule.cursor + 1;
  }
}

bool DriverThread::FlushDue(OpenSchedule& schedule) {
  for (size_t slot : schedule.dirty) {
    Slot& s = slots_[slot];
    const int64_t sent_ns = NowNs();
    if (connections_[slot]->Flush() != IoStatus::kOk) return Failed(*connections_[slot]);
    if (stats_.InWindow(s.batch_oldest_ns)) {
      const uint64_t oldest_lag = static_cast<uint64_t>(sent_ns - s.batch_oldest_ns);
      stats_.RecordSends(s.batch, oldest_lag * s.batch - static_cast<uint64_t>(s.batch_sum_ns),
                         oldest_lag);
    }
    s.batch = 0;
  }
  schedule.dirty.clear();
  return true;
}

}  // namespace slabd::bench
