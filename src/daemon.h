// Daemon: the -d and -P duties of the server process.
//
// -d forks once and the child becomes a session leader (setsid), as memcached does.
// Unlike memcached, the parent does not exit at once: it waits on a pipe until the
// child reports Ready() (listeners bound, privileges dropped) and then exits 0, or
// until the child exits and then exits with the child's status. So `slabd -d` with a
// port in use prints the error on the caller's terminal and fails, and a service
// manager that runs it (Type=forking) sees a server that is really accepting.
// Only at Ready() does the child give up the terminal: stdin/stdout/stderr go to
// /dev/null (kept with -v, as memcached) and the working directory becomes / (kept
// with -r, as memcached, so core files land where they would have).
//
// -P writes the pid as "<pid>\n" through "<file>.tmp" and a rename, as memcached,
// warning when the file names a process that is still running. memcached writes it
// with or without -d but removes it at exit only with -d; slabd does the same. A
// relative -P path is resolved before the chdir.
//
// Thread safety: Detach() only before any thread exists; the rest on the main thread.
#ifndef SLABD_SRC_DAEMON_H_
#define SLABD_SRC_DAEMON_H_

#include <string>

#include "src/server_options.h"

namespace slabd::server {

class Daemon {
 public:
  explicit Daemon(const ServerOptions& options);
  // Removes the pid file if this process wrote it and runs as a daemon.
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // -d: forks; returns only in the child (true) or on failure (false, `error` set).
  // REQUIRES: single-threaded (no worker thread started yet).
  bool Detach(std::string* error);
  // -P: writes the pid file (failures are warnings, as memcached).
  void WritePidFile();
  // -d: start-up succeeded: lets go of the terminal and releases the waiting parent.
  void Ready();
  // The pid file's absolute path once written, else "".
  std::string pid_file() const { return pid_written_ ? pid_path_ : std::string(); }

 private:
  const ServerOptions& options_;
  std::string pid_path_;   // absolute form of -P
  bool pid_written_ = false;
  int ready_fd_ = -1;      // write end of the parent's pipe (child side, -d only)
};

}  // namespace slabd::server

#endif  // SLABD_SRC_DAEMON_H_
