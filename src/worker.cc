// Worker (see worker.h).
#include "src/worker.h"

#include <glog/logging.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <span>
#include <string_view>
#include <vector>

#include "slab/murmur3.h"
#include "src/connection.h"

namespace slabd::server {

Worker::Worker(ServerContext& ctx, WorkerShared& shared)
    : ctx_(ctx), shared_(shared), dispatcher_(ctx, shared), binary_dispatcher_(ctx, shared) {}

Worker::~Worker() {
  Join();
  if (idle_event_ != nullptr) event_free(idle_event_);
  if (notify_event_ != nullptr) event_free(notify_event_);
  if (base_ != nullptr) event_base_free(base_);
  if (notify_fd_ >= 0) ::close(notify_fd_);
}

bool Worker::Start() {
  base_ = event_base_new();
  notify_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (base_ == nullptr || notify_fd_ < 0) return false;
  // epoll has both; a backend chosen through libevent's EVENT_NO* variables may not, and
  // then connections stay level-triggered (their extra self-activations are harmless).
  const int want = EV_FEATURE_ET | EV_FEATURE_EARLY_CLOSE;
  if ((event_base_get_features(base_) & want) == want) edge_read_flags_ = EV_ET | EV_CLOSED;
  notify_event_ = event_new(base_, notify_fd_, EV_READ | EV_PERSIST, &Worker::OnNotify, this);
  if (notify_event_ == nullptr || event_add(notify_event_, nullptr) != 0) return false;
  if (ctx_.options.idle_timeout > 0) {
    idle_event_ = event_new(base_, -1, EV_PERSIST, &Worker::OnIdleCheck, this);
    timeval second{1, 0};
    if (idle_event_ == nullptr || event_add(idle_event_, &second) != 0) return false;
  }
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "slabd-worker");
    for (;;) {
      const int r = event_base_loop(base_, EVLOOP_ONCE);
      RunDeferred();
      if (r != 0 || event_base_got_break(base_)) break;
    }
    timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    const int64_t deadline_ms = static_cast<int64_t>(now.tv_sec) * 1000 +
                                now.tv_nsec / 1000000 + kDrainMs;
    for (Connection* c : conns_) {
      c->Drain(deadline_ms);
      delete c;
    }
    conns_.clear();
  });
  return true;
}

void Worker::Enqueue(int fd, ConnEntry* entry) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.emplace_back(fd, entry);
  }
  uint64_t one = 1;
  ssize_t n = ::write(notify_fd_, &one, sizeof(one));
  (void)n;  // a full eventfd counter still wakes the loop
}

void Worker::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  uint64_t one = 1;
  ssize_t n = ::write(notify_fd_, &one, sizeof(one));
  (void)n;
}

void Worker::Join() {
  if (thread_.joinable()) thread_.join();
}

void Worker::OnNotify(evutil_socket_t fd, short, void* arg) {
  auto* self = static_cast<Worker*>(arg);
  uint64_t count;
  ssize_t n = ::read(fd, &count, sizeof(count));
  (void)n;
  self->AcceptQueued();
}

void Worker::AcceptQueued() {
  std::vector<std::pair<int, ConnEntry*>> fds;
  bool stopping;
  {
    std::lock_guard<std::mutex> lock(mu_);
    fds.swap(queue_);
    stopping = stopping_;
  }
  for (auto [fd, entry] : fds) {
    if (stopping) {
      ctx_.conns.Remove(fd);
      ::close(fd);
      ctx_.curr_connections.fetch_sub(1, std::memory_order_relaxed);
      continue;
    }
    conns_.insert(new Connection(fd, entry, *this));
  }
  if (stopping) event_base_loopbreak(base_);
}

void Worker::OnIdleCheck(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<Worker*>(arg);
  const uint32_t now = self->ctx_.clock.Now();
  std::vector<Connection*> kicked;
  for (Connection* c : self->conns_)
    if (c->KickIfIdle(now, self->ctx_.options.idle_timeout)) kicked.push_back(c);
  for (Connection* c : kicked) self->Release(c);
}

void Worker::Defer(Connection* conn) {
  deferred_.push_back(conn);
  if (deferred_.size() == kMaxDeferred) RunDeferred();
}

void Worker::RunDeferred() {
  const size_t n = deferred_.size();
  if (n == 0) return;
  // The plan: every connection's pipelined one-key requests, in execution order. The read
  // buffers stay put until the replies are written (nothing is read before that), so the
  // keys stay valid views while the batch executes.
  size_t total = 0;
  for (size_t i = 0; i < n; ++i) {
    plan_begin_[i] = total;
    total += deferred_[i]->PlanKeys(std::span(plan_keys_.data() + total, kPlanPerConn));
  }
  plan_begin_[n] = total;
  for (size_t k = 0; k < total; ++k) plan_hashes_[k] = slab::HashKey(plan_keys_[k]);
  // A software pipeline over the plan: each stage reads what the stage before fetched a
  // connection or more earlier, so the batch's misses overlap instead of stalling the
  // lookups (and the prefetches themselves) one by one.
  slab::Store& store = ctx_.store;
  size_t bucketed = 0, headed = 0, seconded = 0;
  for (size_t i = 0; i < n; ++i) {
    const size_t ahead = plan_begin_[i + 1] + kPlanLead;
    for (const size_t end = std::min(total, ahead + 2 * kPlanLead); bucketed < end; ++bucketed)
      store.PrefetchBucket(plan_hashes_[bucketed]);
    for (const size_t end = std::min(total, ahead + kPlanLead); headed < end; ++headed)
      store.PrefetchHead(plan_hashes_[headed]);
    for (const size_t end = std::min(total, ahead); seconded < end; ++seconded)
      store.PrefetchSecond(plan_hashes_[seconded], plan_keys_[seconded]);
    const size_t b = plan_begin_[i];
    deferred_[i]->ExecuteDeferred(std::span(plan_keys_.data() + b, plan_begin_[i + 1] - b),
                                  plan_hashes_.data() + b);
  }
  // The replies leave together, after every request of the batch ran (connection.h).
  for (Connection* c : deferred_) {
    c->FlushDeferred();
    if (c->closed()) Release(c);
  }
  deferred_.clear();
}

void Worker::Release(Connection* conn) {
  conns_.erase(conn);
  delete conn;
}

}  // namespace slabd::server
