// ToRelExptime: the protocol exptime -> RelTime conversion (see clock.h for the contract).
#include "slab/clock.h"

#include <limits>

namespace slabd::slab {
namespace {

RelTime Saturate(int64_t t) {
  constexpr int64_t kMax = std::numeric_limits<RelTime>::max();
  if (t > kMax) return static_cast<RelTime>(kMax);
  return t < static_cast<int64_t>(kExpiredRelTime) ? kExpiredRelTime : static_cast<RelTime>(t);
}

}  // namespace

RelTime ToRelExptime(int64_t exptime, const Clock& clock) {
  if (exptime == 0) return 0;
  if (exptime < 0) return kExpiredRelTime;
  if (exptime > kMaxRelativeExptime) {
    const int64_t epoch = clock.EpochUnix();
    if (exptime <= epoch) return kExpiredRelTime;
    return Saturate(exptime - epoch);
  }
  return Saturate(static_cast<int64_t>(clock.Now()) + exptime);
}

}  // namespace slabd::slab
