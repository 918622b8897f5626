// Process limits (see process_limits.h).
#include "src/process_limits.h"

#include <sys/mman.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace slabd::server {

bool RaiseCoreLimit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_CORE, &rl) == 0) {
    rlimit want{RLIM_INFINITY, RLIM_INFINITY};
    if (setrlimit(RLIMIT_CORE, &want) != 0) {
      want.rlim_cur = want.rlim_max = rl.rlim_max;
      (void)setrlimit(RLIMIT_CORE, &want);
    }
  }
  return getrlimit(RLIMIT_CORE, &rl) == 0 && rl.rlim_cur != 0;
}

void LockMemory() {
  if (mlockall(MCL_CURRENT | MCL_FUTURE) != 0)
    std::fprintf(stderr, "warning: -k invalid, mlockall() failed: %s\n", std::strerror(errno));
}

}  // namespace slabd::server
