// Privileges (see privileges.h).
#include "src/privileges.h"

#include <grp.h>
#include <pwd.h>
#include <sysexits.h>
#include <unistd.h>

namespace slabd::server {
namespace {

bool RunningAsRoot() { return getuid() == 0 || geteuid() == 0; }

}  // namespace

std::optional<StartupError> CheckUser(const ServerOptions& options) {
  if (!RunningAsRoot()) return std::nullopt;
  if (options.user.empty())
    return StartupError{EX_USAGE, "can't run as root without the -u switch"};
  if (getpwnam(options.user.c_str()) == nullptr)
    return StartupError{EX_NOUSER, "can't find the user " + options.user + " to switch to"};
  return std::nullopt;
}

std::optional<StartupError> DropPrivileges(const ServerOptions& options,
                                           const std::vector<std::string>& owned_paths) {
  if (!RunningAsRoot()) return std::nullopt;
  const passwd* pw = getpwnam(options.user.c_str());
  if (pw == nullptr)
    return StartupError{EX_NOUSER, "can't find the user " + options.user + " to switch to"};
  for (const std::string& path : owned_paths)
    if (!path.empty() && lchown(path.c_str(), pw->pw_uid, pw->pw_gid) != 0)
      return StartupError{EX_OSERR, "failed to give " + path + " to user " + options.user};
  if (setgroups(0, nullptr) < 0)
    return StartupError{EX_OSERR, "failed to drop supplementary groups"};
  if (setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0)
    return StartupError{EX_OSERR, "failed to assume identity of user " + options.user};
  return std::nullopt;
}

}  // namespace slabd::server
