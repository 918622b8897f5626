// Worker: one libevent worker thread and the connections it owns.
//
// The listener hands accepted sockets over with Enqueue(): the fd goes on a
// mutex-protected queue and an eventfd wakes the worker's loop, which creates the
// Connection on its own thread. From then on the connection lives and dies on this
// thread only. Stop() asks the loop to exit; the thread then drains every connection
// (what its client already sent is executed and every reply written, a slow reader
// waited for at most kDrainMs) and closes it; Join() waits for that.
// With -o idle_timeout a once-a-second timer closes connections idle for longer.
// The loop runs one turn at a time (EVLOOP_ONCE) so that the connections that read
// something in a turn can be processed together afterwards (Defer, RunDeferred).
//
// Thread safety: Enqueue() and Stop() may be called from any thread; everything
// else runs on the worker thread.
#ifndef SLABD_SRC_WORKER_H_
#define SLABD_SRC_WORKER_H_

#include <event2/event.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <vector>

#include "src/binary_dispatch.h"
#include "src/read_buffer.h"
#include "src/server_context.h"
#include "src/text_dispatch.h"

namespace slabd::server {

class Connection;

class Worker {
 public:
  Worker(ServerContext& ctx, WorkerShared& shared);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Starts the thread. False if libevent or the eventfd could not be set up.
  bool Start();
  // Hands over an accepted socket and its `stats conns` entry.
  void Enqueue(int fd, ConnEntry* entry);
  void Stop();
  void Join();

  // Worker-thread API for connections.
  event_base* base() { return base_; }
  // Added to a connection's EV_READ: EV_ET | EV_CLOSED where the backend has both.
  short edge_read_flags() const { return edge_read_flags_; }
  TextDispatcher& dispatcher() { return dispatcher_; }
  BinaryDispatcher& binary_dispatcher() { return binary_dispatcher_; }
  WorkerShared& shared() { return shared_; }
  ReadBufferPool& read_buffers() { return read_buffers_; }
  ServerContext& context() { return ctx_; }
  void Release(Connection* conn);
  // `conn` read data this loop turn; it is processed, with the others, once the turn's
  // callbacks have run (or at once when kMaxDeferred are waiting). See connection.h.
  void Defer(Connection* conn);

 private:
  static constexpr int kDrainMs = 3000;
  // Connections processed together at most; each holds a read buffer meanwhile
  // (within ReadBufferPool::kMaxSpare, so the buffers are reused, not allocated).
  static constexpr size_t kMaxDeferred = 32;
  // RunDeferred's plan: up to kPlanPerConn keys per connection, each hashed once (a 50-key
  // meta or binary multiget is 50 one-key requests: at 16 binary 50-key multigets ran at
  // 1.6M keys/s, at 64 2.1M). Before connection i runs, the plan's second items are
  // prefetched up to kPlanLead keys past its last key, the first items 2 x kPlanLead past it
  // and the buckets 3 x kPlanLead. A short lead measured best (T2 at 4: +3% over prefetching
  // the next connection's keys in one go; 16 and 48 were slower: more lines in flight than
  // the CPU keeps usefully).
  static constexpr size_t kPlanPerConn = 64;
  static constexpr size_t kPlanLead = 4;

  static void OnNotify(evutil_socket_t fd, short what, void* arg);
  static void OnIdleCheck(evutil_socket_t fd, short what, void* arg);
  void AcceptQueued();
  void RunDeferred();

  ServerContext& ctx_;
  WorkerShared& shared_;
  TextDispatcher dispatcher_;
  BinaryDispatcher binary_dispatcher_;
  event_base* base_ = nullptr;
  short edge_read_flags_ = 0;
  event* notify_event_ = nullptr;
  event* idle_event_ = nullptr;  // -o idle_timeout only
  int notify_fd_ = -1;
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::pair<int, ConnEntry*>> queue_;  // GUARDED_BY(mu_)
  bool stopping_ = false;   // GUARDED_BY(mu_)
  std::unordered_set<Connection*> conns_;
  std::vector<Connection*> deferred_;
  std::array<std::string_view, kMaxDeferred * kPlanPerConn> plan_keys_;
  std::array<uint32_t, kMaxDeferred * kPlanPerConn> plan_hashes_;
  std::array<size_t, kMaxDeferred + 1> plan_begin_;  // connection i: [begin[i], begin[i + 1])
  ReadBufferPool read_buffers_;
};

}  // namespace slabd::server

#endif  // SLABD_SRC_WORKER_H_
