// Privileges: memcached's rule for running as root, and the switch to -u's user.
//
// As root (real or effective uid 0) memcached refuses to start without -u and switches
// to that user; as anyone else -u is ignored. `-u root` is allowed. slabd checks the
// rule first thing (same messages and exit codes as memcached 1.6.18) but switches
// later than memcached: after RLIMIT_NOFILE is raised for -c and the listening
// sockets are bound, so a root-started slabd can listen on a port below 1024 or in a
// root-owned directory and still serve as an unprivileged user. A UNIX socket bound
// and a pid file written before the switch are given to that user, so they are owned
// as memcached's would be (and the user can remove them at exit, even in /tmp).
//
// Thread safety: main thread, at start-up. The switch is process-wide (glibc applies
// setuid to every thread).
#ifndef SLABD_SRC_PRIVILEGES_H_
#define SLABD_SRC_PRIVILEGES_H_

#include <optional>
#include <string>
#include <vector>

#include "src/server_options.h"

namespace slabd::server {

struct StartupError {
  int exit_code;        // sysexits code
  std::string message;  // one line, no trailing newline
};

// Root without -u, or a -u user that does not exist.
std::optional<StartupError> CheckUser(const ServerOptions& options);

// Becomes -u's user (supplementary groups dropped, then gid, then uid) when running
// as root; hands the files `owned_paths` (empty entries skipped) to that user first.
std::optional<StartupError> DropPrivileges(const ServerOptions& options,
                                           const std::vector<std::string>& owned_paths);

}  // namespace slabd::server

#endif  // SLABD_SRC_PRIVILEGES_H_
