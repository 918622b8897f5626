// Connection: one client socket on a worker thread, driven by libevent.
//
// A small state machine, one function per state, over a ReadBuffer:
//   kParse      parse the next request (text line or binary head) and dispatch it
//   kReadValue  fill a reserved item with a storage command's data block, then
//               check its "\r\n" (text; binary values have none; direct reads into
//               the item for large values)
//   kSwallow    discard the data block of a rejected storage command
// The protocol is fixed by -B or, by default, by the first byte the client sends
// (0x80: binary), for the life of the connection.
// Replies of everything parsed from one read are queued in an OutputQueue and leave
// in one writev. Reads happen once per readiness event (more only when a read
// filled the buffer), so no syscall is spent on a read that would return EAGAIN.
// Read readiness is edge-triggered (EV_ET): a read that did not fill the buffer took
// everything TCP had queued, so epoll need not poll the socket again until new bytes
// arrive (level-triggered, every epoll_wait polled each connection reported by the one
// before: 6% of T2's CPU in tcp_poll/sock_poll). When reading stops with the last read
// filled (an -R yield, kMaxReadsPerEvent) the connection makes itself active again, and
// re-arming EV_READ after a blocked write re-polls the socket (EPOLL_CTL_MOD). A FIN that
// arrives with the last bytes raises no edge of its own: EV_CLOSED (EPOLLRDHUP) reports
// it, and once everything buffered has run the connection reads again to see the end
// of the stream and close, as a level-triggered loop would have.
//
// Batching across connections: the read callback only reads; the worker collects
// the connections that read something in one turn of its loop (Worker::Defer), plans the
// keys of their pipelined one-key requests (PlanKeys: text commands with one key, mg and
// the other meta commands, and binary frames; a text multiget prefetches its own keys) and
// hashes each once, and then
// executes their requests (ExecuteDeferred) in order while prefetching the planned keys a
// few keys ahead (bucket, first item, second item: the misses overlap with the work
// before), handing the hashes to the lookups (HashHints). Only then are the
// replies written (FlushDeferred): one writev per connection, back to back. On loopback
// the writer pays for waking the reader, and a reader woken by the first reply of a turn
// is still awake for the others, so this costs one wake-up per turn where writing
// after each connection cost one per connection (+25% keys/s on 50-key multigets). The
// first connection's replies wait for the turn's other requests (at most 32 connections'
// worth). Order of execution and replies within a connection are unchanged; requests of
// different connections still execute in the order they were read.
//
// Fairness (-R): at most ServerOptions::reqs_per_event requests are executed per
// event; then the replies so far are written (one writev, as always) and the rest of
// the buffered requests waits for the next turn of the event loop (the event is made
// active again, no syscall), counted in `conn_yields`, as memcached.
//
// Idle clients (-o idle_timeout): KickIfIdle() closes a connection that waits for a
// new command and has been silent too long, counted in `idle_kicks`.
//
// Backpressure: when queued output exceeds ServerOptions::max_pending_output the
// connection stops parsing; when the socket will not take more it stops reading
// and waits for EV_WRITE. A client that sends and never reads therefore costs at
// most the read buffer plus that much output.
//
// Thread safety: created, driven and destroyed on its worker's thread only.
#ifndef SLABD_SRC_CONNECTION_H_
#define SLABD_SRC_CONNECTION_H_

#include <event2/event.h>

#include <cstdint>

#include "src/binary_dispatch.h"
#include "src/conn_registry.h"
#include "src/output_queue.h"
#include "src/read_buffer.h"
#include "src/text_dispatch.h"

namespace slabd::server {

class Worker;

class Connection {
 public:
  // Takes ownership of `fd` (non-blocking) and starts waiting for input.
  Connection(int fd, ConnEntry* entry, Worker& worker);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Closes the socket and unregisters; the worker deletes the object afterwards.
  void Close();
  bool closed() const { return fd_ < 0; }
  // Closes the connection if it waits for a command, owes no reply and has been
  // silent for more than `timeout` seconds at `now`. True if it was closed.
  bool KickIfIdle(uint32_t now, int timeout);
  // Server shutdown: reads what the client has already sent, executes it and writes
  // every reply, waiting for a slow reader until `deadline_ms` (CLOCK_MONOTONIC).
  void Drain(int64_t deadline_ms);
  // Batching (see above): the keys of the one-key requests at the start of what was read
  // (TextDispatcher::PipelinedKeys or BinaryDispatcher::PipelinedKeys, by the protocol its
  // first read decided; none while it is in the middle of a request); a prefetch
  // of those keys when there are at least two (after a further read); executing what was
  // read, with the hashes of the planned keys (`keys`, `hashes`: PlanKeys' keys, hashed);
  // the rest of the read event's work (writing the replies, reading more if the read
  // filled the buffer).
  size_t PlanKeys(std::span<std::string_view> room) const;
  void PrefetchPipelined();
  void ExecuteDeferred(std::span<const std::string_view> keys, const uint32_t* hashes);
  void FlushDeferred();

 private:
  enum class State { kParse, kReadValue, kSwallow };
  enum class Protocol { kUndecided, kText, kBinary };

  static void OnEvent(evutil_socket_t fd, short what, void* arg);
  // Reads once; true if data arrived and the connection now waits in Worker::Defer.
  bool ReadAndDefer();
  void HandleWritable();
  // Processes buffered input (unless `executed`: ExecuteDeferred just did) and flushes
  // replies. False once the connection has closed or is waiting for the socket to drain.
  bool Run(bool executed = false);
  void MarkExecuting();
  // Reads once. Returns bytes read, 0 on EOF, -1 on EAGAIN, -2 on error.
  ssize_t ReadOnce(bool* filled);
  void Process();
  bool StepParse();
  // Fixes protocol_ from -B or, by default, the first byte read (0x80: binary); once, as
  // soon as a byte has arrived (so RunDeferred plans a new connection's first burst too).
  void DecideProtocol();
  bool StepParseText();
  bool StepParseBinary();
  bool StepAsciiAuth();
  bool FollowOutcome(const DispatchOutcome& o);
  bool StepReadValue();
  bool StepSwallow();
  void LogCommand(std::string_view line) const;
  void WantEvents(short what);
  void PublishGauges();
  void SetState(ConnState s) { entry_->state.store(s, std::memory_order_relaxed); }
  // The buffered input starts with new text command lines (what the prefetch hints scan).
  bool AwaitsTextCommand() const {
    return protocol_ == Protocol::kText && state_ == State::kParse && resume_keys_ == 0;
  }

  int fd_;
  ConnEntry* entry_;  // this socket's `stats conns` line
  Worker& worker_;
  TextDispatcher& dispatcher_;
  BinaryDispatcher& binary_dispatcher_;
  event* event_ = nullptr;
  short armed_ = 0;
  State state_ = State::kParse;
  Protocol protocol_ = Protocol::kUndecided;
  SaslState sasl_;
  bool ascii_authenticated_ = false;  // -Y: the auth exchange succeeded
  uint64_t auth_block_len_ = 0;       // -Y: bytes of the credentials block awaited
  ReadBuffer in_;
  OutputQueue out_;
  PendingStore pending_;
  uint64_t value_filled_ = 0;   // kReadValue: value bytes written into the item
  uint32_t tail_filled_ = 0;    // kReadValue: bytes of the trailing "\r\n" seen
  char tail_[2] = {0, 0};
  uint64_t swallow_left_ = 0;   // kSwallow
  size_t resume_keys_ = 0;      // kParse: keys of a suspended multiget already answered
  bool close_after_write_ = false;
  bool output_full_ = false;    // parsing paused until queued output drains
  int requests_left_ = 0;       // -R budget of the current event
  bool yielded_ = false;        // budget spent with requests still buffered
  bool peer_closed_ = false;    // EV_CLOSED seen: the peer sent its FIN
  bool deferred_ = false;       // read, waiting for ExecuteDeferred() and FlushDeferred()
  bool read_filled_ = false;    // deferred: that read filled the buffer
  int64_t published_read_bytes_ = 0;
  int64_t published_out_bytes_ = 0;
};

}  // namespace slabd::server

#endif  // SLABD_SRC_CONNECTION_H_
