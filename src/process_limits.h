// Process limits: -r (core files) and -k (locked memory), as memcached sets them.
//
// -r raises RLIMIT_CORE to unlimited, or to the hard limit when that fails; a core
// limit still 0 afterwards is a start-up error ("failed to ensure corefile creation").
// -k calls mlockall(MCL_CURRENT | MCL_FUTURE); failure is only a warning, printed with
// memcached's words. It runs after the switch to -u's user, as in memcached, so a
// RLIMIT_MEMLOCK too small for the cache shows at start rather than as failed
// allocations later.
//
// Thread safety: main thread, at start-up.
#ifndef SLABD_SRC_PROCESS_LIMITS_H_
#define SLABD_SRC_PROCESS_LIMITS_H_

namespace slabd::server {

// False when core files remain disabled.
bool RaiseCoreLimit();

// Prints "warning: -k invalid, mlockall() failed: <reason>" on failure.
void LockMemory();

}  // namespace slabd::server

#endif  // SLABD_SRC_PROCESS_LIMITS_H_
