// Time as the storage engine sees it.
//
// Every item time (last access, expiry, flush deadline) is a RelTime: whole seconds since the
// server's epoch, a u32 that the server advances once per second. slab/ never reads a system
// clock; it asks the injected Clock, so tests drive time with a fake clock and never sleep.
//
// Invariants: an exptime of 0 means "never"; any other exptime e is expired once e <= Now().
// The server's Now() starts at >= 2 (memcached starts current_time well past 0), so the
// "already expired" value kExpiredRelTime (1) is in the past from the first request on.
//
// Thread safety: Clock implementations must be safe to call from any thread.
#ifndef SLABD_SLAB_CLOCK_H_
#define SLABD_SLAB_CLOCK_H_

#include <cstdint>

namespace slabd::slab {

using RelTime = uint32_t;  // seconds since the server's epoch

// Relative exptimes up to 30 days; larger values are absolute unix times (REALTIME_MAXDELTA).
inline constexpr int64_t kMaxRelativeExptime = 2592000;
// What an exptime that is already in the past becomes (memcached stores 1 too).
inline constexpr RelTime kExpiredRelTime = 1;

class Clock {
 public:
  virtual ~Clock() = default;
  // Current time; advances once per second in the server.
  virtual RelTime Now() const = 0;
  // Unix time of RelTime 0.
  virtual int64_t EpochUnix() const = 0;
};

// memcached's realtime(): 0 -> 0 (never); negative -> kExpiredRelTime; 1..2592000 -> Now()+exptime;
// larger -> absolute unix time converted to RelTime (at or before the epoch -> kExpiredRelTime).
// Results beyond the u32 range saturate at UINT32_MAX (effectively never).
[[nodiscard]] RelTime ToRelExptime(int64_t exptime, const Clock& clock);

// The one expiry test: memcached's `exptime != 0 && exptime <= current_time`.
[[nodiscard]] inline bool IsExpiredAt(RelTime exptime, RelTime now) {
  return exptime != 0 && exptime <= now;
}

}  // namespace slabd::slab

#endif  // SLABD_SLAB_CLOCK_H_
