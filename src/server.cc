// RunServer: the composition root (see server.h).
#include "src/server.h"

#include <event2/event.h>
#include <event2/thread.h>
#include <glog/logging.h>
#include <signal.h>
#include <sys/resource.h>
#include <sysexits.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "slab/store.h"
#include "src/config_file.h"
#include "src/daemon.h"
#include "src/listener.h"
#include "src/privileges.h"
#include "src/process_limits.h"
#include "src/server_context.h"
#include "src/service_notify.h"
#include "src/system_clock.h"
#include "src/udp_server.h"
#include "src/unix_socket.h"
#include "src/worker.h"

namespace slabd::server {
namespace {

// memcached raises RLIMIT_NOFILE to fit -c; do the same (best effort).
void RaiseFileLimit(int max_connections) {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  rlim_t want = static_cast<rlim_t>(max_connections) + 64;
  if (rl.rlim_cur >= want) return;
  rl.rlim_cur = want;
  if (rl.rlim_max < want) rl.rlim_max = want;
  if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
    LOG(WARNING) << "could not raise the open-file limit to " << want;
}

// Drives Store::Maintain(): often while the hash table is growing, rarely otherwise.
class Maintainer {
 public:
  explicit Maintainer(slab::Store& store) : store_(store) {
    thread_ = std::thread([this] { Loop(); });
  }
  ~Maintainer() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  void Loop() {
    pthread_setname_np(pthread_self(), "slabd-maint");
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_) {
      lock.unlock();
      store_.Maintain();
      const bool busy = store_.IsExpanding();
      lock.lock();
      cv_.wait_for(lock, busy ? std::chrono::milliseconds(1) : std::chrono::milliseconds(100),
                   [this] { return stop_; });
    }
  }

  slab::Store& store_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;
};


void OnTick(evutil_socket_t, short, void* arg) { static_cast<SystemClock*>(arg)->Tick(); }

struct SignalContext {
  event_base* base;
  const ServerContext* ctx;
};

// SIGHUP: reopen the --config `logfile` (after logrotate moved it; memcached has no log
// file of its own) and reload the -Y file, as memcached does; a file that fails to load
// leaves the current accounts in place.
void OnHangup(evutil_socket_t, short, void* arg) {
  auto* s = static_cast<SignalContext*>(arg);
  std::string error;
  if (!s->ctx->options.log_file.empty() && !AppendOutputTo(s->ctx->options.log_file, &error))
    LOG(WARNING) << error << " (still writing to the old file)";
  if (s->ctx->ascii_auth == nullptr) return;
  if (!s->ctx->ascii_auth->Reload(&error)) {
    LOG(WARNING) << "auth file not reloaded: " << error;
  } else if (s->ctx->verbosity.load(std::memory_order_relaxed) > 0) {
    LOG(INFO) << "auth file reloaded";
  }
}

void OnSignal(evutil_socket_t sig, short, void* arg) {
  auto* s = static_cast<SignalContext*>(arg);
  if (s->ctx->verbosity.load(std::memory_order_relaxed) > 0)
    LOG(INFO) << "signal " << sig << " received, shutting down";
  event_base_loopbreak(s->base);
}

// Loads the -Y tokens and checks the SASL password file. Prints one line and returns
// false when the server cannot start.
bool LoadCredentials(const ServerOptions& options,
                     std::unique_ptr<ReloadablePasswordFile>* ascii_auth) {
  std::string error;
  if (!options.auth_file.empty()) {
    std::optional<PasswordFile> file =
        PasswordFile::Load(options.auth_file, &error, PasswordFile::Format::kAuthFile);
    if (!file) {
      std::fprintf(stderr, "slabd: %s\n", error.c_str());
      return false;
    }
    *ascii_auth = std::make_unique<ReloadablePasswordFile>(options.auth_file, std::move(*file));
  }
  if (options.sasl) {
    if (options.sasl_pwdb.empty()) {
      std::fprintf(stderr,
                   "slabd: -S needs a user:password file: set MEMCACHED_SASL_PWDB or "
                   "--sasl_pwdb\n");
      return false;
    }
    // Read again on every authentication (rotation without restart); checked here so a
    // typo fails at start, not at the first client.
    if (!PasswordFile::Load(options.sasl_pwdb, &error, PasswordFile::Format::kSaslPwdb)) {
      std::fprintf(stderr, "slabd: SASL password file: %s\n", error.c_str());
      return false;
    }
  }
  return true;
}

}  // namespace

int RunServer(const ServerOptions& options) {
  // memcached checks -u before anything else.
  if (std::optional<StartupError> e = CheckUser(options)) {
    std::fprintf(stderr, "slabd: %s\n", e->message.c_str());
    return e->exit_code;
  }
  std::unique_ptr<ReloadablePasswordFile> ascii_auth;
  if (!LoadCredentials(options, &ascii_auth)) return EX_CONFIG;
  if (options.enable_coredumps && !RaiseCoreLimit()) {
    std::fprintf(stderr, "slabd: failed to ensure corefile creation\n");
    return EX_OSERR;
  }
  // -d forks here, before any thread exists; the parent waits for Ready() below.
  Daemon daemon(options);
  if (std::string err; options.daemonize && !daemon.Detach(&err)) {
    std::fprintf(stderr, "slabd: %s\n", err.c_str());
    return EX_OSERR;
  }
  signal(SIGPIPE, SIG_IGN);
  evthread_use_pthreads();
  RaiseFileLimit(options.max_connections);

  SystemClock clock;
  slab::Store store(options.store, &clock);
  ServerContext ctx(options, clock, store);
  ctx.ascii_auth = ascii_auth.get();
  ctx.verbosity.store(std::min(options.verbose, 2));
  for (int i = 0; i < options.threads; ++i) ctx.workers.emplace_back();

  std::vector<std::unique_ptr<Worker>> workers;
  for (WorkerShared& shared : ctx.workers) {
    workers.push_back(std::make_unique<Worker>(ctx, shared));
    if (!workers.back()->Start()) {
      std::fprintf(stderr, "slabd: failed to start worker threads\n");
      return EX_OSERR;
    }
  }
  Maintainer maintainer(store);

  event_base* base = event_base_new();
  size_t next = 0;
  auto listener = std::make_unique<Listener>(base, ctx, [&workers, &next](int fd, ConnEntry* e) {
    workers[next++ % workers.size()]->Enqueue(fd, e);
  });
  int status = 0;
  UnixSocket unix_socket;  // -s replaces TCP (and UDP), as in memcached
  if (!options.unix_socket.empty()) {
    std::string err = unix_socket.Listen(options.unix_socket, options.unix_mask, options.backlog);
    if (err.empty()) err = listener->Adopt(unix_socket.TakeFd(), options.backlog);
    if (!err.empty()) {
      std::fprintf(stderr, "slabd: %s\n", err.c_str());
      status = EX_OSERR;
    }
  } else if (options.port != 0) {
    std::string err = listener->Open(options.listen, options.port, options.backlog);
    if (!err.empty()) {
      std::fprintf(stderr, "slabd: %s\n", err.c_str());
      status = EX_OSERR;
    }
  }
  // -U: UDP readers on the workers (-s turns UDP off, as in memcached).
  auto udp = std::make_unique<UdpServer>(ctx);
  if (status == 0 && options.udp_port != 0 && options.unix_socket.empty()) {
    std::string err = udp->Open(options.listen, options.udp_port, workers);
    if (!err.empty()) {
      std::fprintf(stderr, "slabd: %s\n", err.c_str());
      status = EX_OSERR;
    }
  }
  // memcached counts listening sockets and UDP readers as connections.
  ctx.listeners = listener->count() + udp->count();

  event* tick = event_new(base, -1, EV_PERSIST, &OnTick, &clock);
  timeval second{1, 0};
  event_add(tick, &second);
  SignalContext signal_ctx{base, &ctx};
  event* sigint = evsignal_new(base, SIGINT, &OnSignal, &signal_ctx);
  event* sigterm = evsignal_new(base, SIGTERM, &OnSignal, &signal_ctx);
  event* sighup = evsignal_new(base, SIGHUP, &OnHangup, &signal_ctx);
  // SIGUSR1 (memcached's graceful stop, `shutdown graceful`) stops like SIGTERM: replies
  // already produced are written before the workers are joined.
  event* sigusr1 = evsignal_new(base, SIGUSR1, &OnSignal, &signal_ctx);
  event_add(sigusr1, nullptr);
  event_add(sigint, nullptr);
  event_add(sigterm, nullptr);
  event_add(sighup, nullptr);

  if (status == 0) daemon.WritePidFile();  // before the switch: -P may be in /run
  if (status == 0) {
    // Sockets are bound and RLIMIT_NOFILE raised: give up root now.
    if (std::optional<StartupError> e =
            DropPrivileges(options, {unix_socket.path(), daemon.pid_file()})) {
      std::fprintf(stderr, "slabd: %s\n", e->message.c_str());
      status = e->exit_code;
    }
  }
  if (status == 0 && options.lock_memory) LockMemory();
  if (status == 0) daemon.Ready();
  if (status == 0) {
    if (options.verbose > 0)
      LOG(INFO) << "slabd listening on " << options.listen << ":" << options.port << " with "
              << options.threads << " worker threads";
    NotifyReady(options);  // listeners open, workers running: no-op without systemd
    event_base_dispatch(base);
    NotifyStopping();
  }

  // Tear down in reverse order of construction.
  listener.reset();
  for (auto& w : workers) w->Stop();
  for (auto& w : workers) w->Join();
  udp.reset();  // its readers' events belong to the workers' loops
  workers.clear();
  // Freeing a signal event restores the default action; a second SIGTERM (systemctl stop
  // twice, a supervisor's retry) must not kill a server that is already stopping while the
  // rest of teardown (the cache's memory, the maintenance thread) runs: ignore them from here.
  event_free(sigusr1);
  signal(SIGUSR1, SIG_IGN);
  event_free(sighup);
  signal(SIGHUP, SIG_IGN);
  event_free(sigterm);
  signal(SIGTERM, SIG_IGN);
  event_free(sigint);
  signal(SIGINT, SIG_IGN);
  event_free(tick);
  event_base_free(base);
  return status;
}

}  // namespace slabd::server
