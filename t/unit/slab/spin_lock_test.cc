// SpinLock: mutual exclusion under contention, try_lock, and use with the standard guards.
#include "slab/spin_lock.h"

#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace slabd::slab {
namespace {

TEST(SpinLockTest, FourThreadsIncrementAPlainCounterExactly) {
  SpinLock lock;
  uint64_t counter = 0;  // not atomic: only the lock keeps the increments apart
  constexpr int kThreads = 4;
  constexpr int kPerThread = 200000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        std::lock_guard guard(lock);
        counter = counter + 1;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(counter, uint64_t{kThreads} * kPerThread);
}

TEST(SpinLockTest, TryLockFailsWhileHeldAndSucceedsAfterUnlock) {
  SpinLock lock;
  ASSERT_TRUE(lock.try_lock());
  EXPECT_FALSE(lock.try_lock());
  bool other_got_it = true;
  std::thread([&] { other_got_it = lock.try_lock(); }).join();
  EXPECT_FALSE(other_got_it);
  lock.unlock();
  std::unique_lock guard(lock, std::try_to_lock);
  EXPECT_TRUE(guard.owns_lock());
}

TEST(SpinLockTest, AWaiterGetsTheLockOnceALongHolderLetsGo) {
  SpinLock lock;
  lock.lock();
  bool acquired = false;
  std::thread waiter([&] {
    std::lock_guard guard(lock);  // spins, then yields, until the holder unlocks
    acquired = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  lock.unlock();
  waiter.join();
  EXPECT_TRUE(acquired);
}

}  // namespace
}  // namespace slabd::slab
