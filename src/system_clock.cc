// SystemClock (see system_clock.h).
#include "src/system_clock.h"

namespace slabd::server {

SystemClock::SystemClock() {
  clock_gettime(CLOCK_MONOTONIC, &start_);
  epoch_unix_ = static_cast<int64_t>(time(nullptr)) - kStartOffset;
}

void SystemClock::Tick() {
  timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  now_.store(static_cast<uint32_t>(t.tv_sec - start_.tv_sec) + kStartOffset,
             std::memory_order_relaxed);
}

}  // namespace slabd::server
