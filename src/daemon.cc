// Daemon (see daemon.h).
#include "src/daemon.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace slabd::server {
namespace {

// The parent's side of -d: wait for the child's "ready" byte or for its exit.
[[noreturn]] void WaitForChild(pid_t child, int ready_fd) {
  char byte;
  ssize_t n;
  do {
    n = ::read(ready_fd, &byte, 1);
  } while (n < 0 && errno == EINTR);
  if (n == 1) _exit(0);
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) _exit(WEXITSTATUS(status));
  _exit(EXIT_FAILURE);
}

std::string Absolute(const std::string& path) {
  if (path.empty() || path.front() == '/') return path;
  char cwd[4096];
  if (getcwd(cwd, sizeof(cwd)) == nullptr) return path;
  return std::string(cwd) + "/" + path;
}

}  // namespace

Daemon::Daemon(const ServerOptions& options)
    : options_(options), pid_path_(Absolute(options.pid_file)) {}

Daemon::~Daemon() {
  if (ready_fd_ >= 0) ::close(ready_fd_);
  if (pid_written_ && options_.daemonize && ::unlink(pid_path_.c_str()) != 0 &&
      options_.verbose > 0)
    std::fprintf(stderr, "Could not remove the pid file %s: %s\n", pid_path_.c_str(),
                 std::strerror(errno));
}

bool Daemon::Detach(std::string* error) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    *error = std::string("failed to daemon() in order to daemonize: ") + std::strerror(errno);
    return false;
  }
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) {
    *error = std::string("failed to daemon() in order to daemonize: ") + std::strerror(errno);
    return false;
  }
  if (pid > 0) {
    ::close(fds[1]);
    WaitForChild(pid, fds[0]);
  }
  ::close(fds[0]);
  ready_fd_ = fds[1];
  if (setsid() < 0) {
    *error = std::string("failed to daemon() in order to daemonize: ") + std::strerror(errno);
    return false;
  }
  return true;
}

void Daemon::WritePidFile() {
  if (pid_path_.empty()) return;
  if (FILE* old = std::fopen(pid_path_.c_str(), "r")) {
    char line[64];
    if (std::fgets(line, sizeof(line), old) != nullptr) {
      char* end = nullptr;
      unsigned long pid = std::strtoul(line, &end, 10);
      if (end != line && pid > 0 && static_cast<pid_t>(pid) != getpid() &&
          kill(static_cast<pid_t>(pid), 0) == 0)
        std::fprintf(stderr, "WARNING: The pid file contained the following (running) pid: %lu\n",
                     pid);
    }
    std::fclose(old);
  }
  // A temporary name and a rename: a reader never sees an empty file.
  const std::string tmp = pid_path_ + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "w");
  if (f == nullptr) {
    std::fprintf(stderr, "Could not open the pid file %s for writing: %s\n", tmp.c_str(),
                 std::strerror(errno));
    return;
  }
  std::fprintf(f, "%ld\n", static_cast<long>(getpid()));
  if (std::fclose(f) != 0 || std::rename(tmp.c_str(), pid_path_.c_str()) != 0) {
    std::fprintf(stderr, "Could not rename the pid file from %s to %s: %s\n", tmp.c_str(),
                 pid_path_.c_str(), std::strerror(errno));
    return;
  }
  pid_written_ = true;
}

void Daemon::Ready() {
  if (ready_fd_ < 0) return;
  if (!options_.enable_coredumps && chdir("/") != 0) {
    // Harmless: the process keeps its directory.
  }
  // A `logfile` (--config) already owns stdout/stderr: keep writing there.
  if (options_.verbose == 0 && options_.log_file.empty()) {
    int null_fd = ::open("/dev/null", O_RDWR);
    if (null_fd >= 0) {
      std::fflush(nullptr);
      dup2(null_fd, STDIN_FILENO);
      dup2(null_fd, STDOUT_FILENO);
      dup2(null_fd, STDERR_FILENO);
      if (null_fd > STDERR_FILENO) ::close(null_fd);
    }
  }
  const char byte = 1;
  ssize_t n = ::write(ready_fd_, &byte, 1);
  (void)n;
  ::close(ready_fd_);
  ready_fd_ = -1;
}

}  // namespace slabd::server
