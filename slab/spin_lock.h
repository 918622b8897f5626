// SpinLock: the lock of the engine's per-class critical sections (a class's free list and
// carve position in SlabAllocator, a class's LRU links and counters in ClassLru).
//
// Those sections are a few dozen instructions, and with one value size every set takes the
// same class's locks, two cores at a time. A std::mutex that finds them taken puts the thread
// to sleep in futex() and wakes it with a second system call: measured with
// `slabd-bench --engine --get-ratio 0 --threads 2`, most of the time went to those sleeps and
// wake-ups. This lock spins instead (test-and-test-and-set, with the CPU's pause hint), and
// only after a bounded number of spins yields the CPU, so a holder that was preempted, or a
// long holder (an eviction walk, `stats cachedump`), costs the waiter a yield loop, not a
// lost core. Not fair and not recursive. Satisfies Lockable (lock_guard, unique_lock,
// try_lock).
//
// Thread safety: that is its purpose.
#ifndef SLABD_SLAB_SPIN_LOCK_H_
#define SLABD_SLAB_SPIN_LOCK_H_

#include <atomic>
#include <thread>

namespace slabd::slab {

class SpinLock {
 public:
  SpinLock() = default;
  SpinLock(const SpinLock&) = delete;
  SpinLock& operator=(const SpinLock&) = delete;

  void lock() {
    for (;;) {
      if (!locked_.exchange(true, std::memory_order_acquire)) return;
      int spins = 0;
      while (locked_.load(std::memory_order_relaxed)) {
        if (++spins < kSpinsBeforeYield) {
          Pause();
        } else {
          std::this_thread::yield();
        }
      }
    }
  }
  bool try_lock() {
    return !locked_.load(std::memory_order_relaxed) &&
           !locked_.exchange(true, std::memory_order_acquire);
  }
  void unlock() { locked_.store(false, std::memory_order_release); }

 private:
  static constexpr int kSpinsBeforeYield = 256;
  static void Pause() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }

  std::atomic<bool> locked_{false};
};

}  // namespace slabd::slab

#endif  // SLABD_SLAB_SPIN_LOCK_H_
