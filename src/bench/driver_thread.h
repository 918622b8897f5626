// DriverThread: one event loop (its own epoll set) driving a share of the connections
// through the phases of a run:
//
//   prefill   every connection sets its slice of the key space, up to a bounded number of
//             sets outstanding, until all are answered; then the thread reports in and
//             waits for the common start time (RunControl::start_ns)
//   warm-up   the load runs, nothing is counted
//   window    the load runs and DriverStats counts completions; at its end the thread stops
//
// Closed loop: each connection keeps --pipeline requests open; whenever a read completes
// some, the same number of new ones go out in one write, stamped with the send time.
// Open loop: every connection sends one request per interval (connections / rate) at a
// random phase, whether or not earlier ones were answered; latency is measured from that
// intended time, so a stalled server shows as latency (no coordinated omission). The
// thread sleeps until shortly before the next send is due and spins for the rest (see
// driver_thread.cc for the timing). With
// one interval for all connections the due times, ordered by phase, form a fixed cycle,
// so the next due request is always at a cursor into the phase-sorted connections.
//
// Thread safety: all state is the thread's own except RunControl (atomics, plus a mutex
// for the first error message).
#ifndef SLABD_SRC_BENCH_DRIVER_THREAD_H_
#define SLABD_SRC_BENCH_DRIVER_THREAD_H_

#include <sys/epoll.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "src/bench/bench_options.h"
#include "src/bench/connection.h"
#include "src/bench/driver_stats.h"
#include "src/bench/workload.h"

namespace slabd::bench {

// What the driver threads and the main thread share.
struct RunControl {
  std::atomic<bool> abort{false};
  std::atomic<uint32_t> prefilled{0};  // threads done with their prefill
  std::atomic<int64_t> start_ns{0};    // 0 until the main thread starts the warm-up

  // Records the first failure and stops every thread.
  void Fail(const std::string& message) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (error.empty()) error = message;
    }
    abort.store(true);
  }
  std::string FirstError() {
    std::lock_guard<std::mutex> lock(mu);
    return error;
  }

  std::mutex mu;
  std::string error;  // guarded by mu
};

class DriverThread {
 public:
  // `connections`: this thread's share. Everything pointed to must outlive the thread.
  DriverThread(const BenchOptions* options, const Workload* workload, RunControl* control,
               std::vector<std::unique_ptr<Connection>> connections);
  ~DriverThread();
  DriverThread(const DriverThread&) = delete;
  DriverThread& operator=(const DriverThread&) = delete;

  // The thread body: prefill (if asked), wait for the start, warm up, measure, stop.
  // Failures go to RunControl::Fail.
  void Run();

  const DriverStats& stats() const { return stats_; }
  const DriverStats& prefill_stats() const { return prefill_stats_; }
  // Requests still open when the window closed.
  uint64_t open_at_end() const { return open_at_end_; }

 private:
  enum class Phase : uint8_t { kPrefill, kClosed, kOpen };
  static constexpr size_t kReadBufferSize = 256 * 1024;
  static constexpr int kMaxEvents = 256;

  // Per connection (same index as connections_; the index is the epoll token).
  struct Slot {
    // Prefill: the slice of keys still to set is [prefill_next, prefill_end).
    uint64_t prefill_next = 0;
    uint64_t prefill_end = 0;
    bool prefill_done = false;
    // Open loop: request k (= sends) is due at start + phase_ns + k * interval. The
    // requests queued since the last flush: how many, the oldest intended time, and the
    // sum of the others' intended times minus that oldest one (for the mean send lag).
    int64_t phase_ns = 0;
    uint64_t sends = 0;
    uint32_t batch = 0;
    int64_t batch_oldest_ns = 0;
    int64_t batch_sum_ns = 0;
  };

  bool Setup();
  bool Prefill();
  bool RunClosed(int64_t end_ns);
  bool RunOpen(int64_t start_ns, int64_t end_ns);

  // The open loop's send order: connections sorted by phase, and a cursor at the one
  // whose request is due next.
  struct OpenSchedule {
    int64_t start_ns = 0;
    double interval_ns = 0;  // per connection: connections / rate
    std::vector<size_t> order;
    size_t cursor = 0;
    std::vector<size_t> dirty;  // connections with requests queued since the last flush
    // When the next request of the connection with `s` is due.
    int64_t Due(const Slot& s) const;
  };
  // How long before a send the open loop stops sleeping and spins: twice the running
  // average of how late timed-out sleeps woke up (driver_thread.cc has the numbers).
  class WakeupMargin {
   public:
    int64_t ns() const { return margin_ns_; }
    void Overslept(int64_t ns);

   private:
    double average_ns_ = 20'000;
    int64_t margin_ns_ = 40'000;
  };
  // Queues every request due by `now` (and before `end_ns`), in intended-time order.
  void QueueDue(OpenSchedule& schedule, int64_t now, int64_t end_ns);
  // Flushes each connection that has requests queued (one write each) and records how far
  // behind schedule they left.
  bool FlushDue(OpenSchedule& schedule);
  // Waits up to timeout_ns for socket events and handles them. Returns the number of
  // events, -1 on failure (RunControl::Fail called).
  int Poll(int64_t timeout_ns);
  // Tops connection `slot` up to its phase's number of open requests and flushes it.
  bool Refill(size_t slot);
  bool Failed(const Connection& conn);

  const BenchOptions* options_;
  const Workload* workload_;
  RunControl* control_;
  std::vector<std::unique_ptr<Connection>> connections_;
  int epoll_fd_ = -1;
  Phase phase_ = Phase::kPrefill;
  DriverStats* current_stats_;
  DriverStats prefill_stats_;
  DriverStats stats_;
  std::unique_ptr<char[]> read_buffer_;
  epoll_event events_[kMaxEvents];

  std::vector<Slot> slots_;
  uint32_t prefill_depth_ = 1;
  size_t prefill_unfinished_ = 0;
  uint64_t open_at_end_ = 0;
};

}  // namespace slabd::bench

#endif  // SLABD_SRC_BENCH_DRIVER_THREAD_H_
