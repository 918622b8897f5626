// Several threads hammering the same keys. Run under -fsanitize=thread as well; the assertions
// check that nothing is lost (every increment counted) and the store stays consistent.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "slab/store.h"
#include "t/unit/slab/store_test_util.h"

namespace slabd::slab {
namespace {

constexpr int kThreads = 4;
constexpr int kIterations = 4000;

class ConcurrencyTest : public StoreTest {
 protected:
  void Worker(int id) {
    for (int i = 0; i < kIterations; ++i) {
      ASSERT_EQ(store_->Arith("counter", true, 1).status, ArithStatus::kOk);
      const std::string key = "shared" + std::to_string(i % 8);
      switch ((i + id) % 4) {
        case 0:
          Set(key, std::to_string(i));
          break;
        case 1: {
          LookupResult r = store_->Get(key);
          if (r.item) {
            ASSERT_FALSE(r.item.value().empty());
          }
          LookupResult c = store_->Get("counter");  // forces incr off the in-place path
          ASSERT_TRUE(c.item);
          break;
        }
        case 2:
          (void)store_->Delete(key);
          break;
        case 3:
          (void)Put(key, "+", StoreMode::kAppend);
          Set("grow" + std::to_string(id) + ":" + std::to_string(i), "x");
          break;
      }
    }
  }
};

TEST_F(ConcurrencyTest, NoLostIncrementsUnderMixedLoad) {
  StoreOptions o;
  o.hashpower = 4;  // grows several times while the workers run
  o.lock_power = 2;
  Init(o);
  Set("counter", "0");
  std::atomic<bool> done{false};
  std::thread maintainer([&] {
    while (!done.load()) {
      store_->Maintain();
      std::this_thread::yield();
    }
  });
  std::vector<std::thread> workers;
  for (int t = 0; t < kThreads; ++t) workers.emplace_back([this, t] { Worker(t); });
  for (std::thread& w : workers) w.join();
  done.store(true);
  maintainer.join();

  EXPECT_EQ(Lookup("counter"), std::to_string(kThreads * kIterations));
  while (store_->IsExpanding()) store_->Maintain();
  EXPECT_GT(store_->Stats().hash_power_level, 4u);
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kIterations; ++i) {
      if ((i + t) % 4 != 3) continue;
      ASSERT_EQ(PeekValue("grow" + std::to_string(t) + ":" + std::to_string(i)), "x");
    }
  }
}

TEST_F(ConcurrencyTest, EvictionWithConcurrentReadersKeepsAccountsStraight) {
  StoreOptions o = TinyOptions();
  o.max_bytes = 2 * 4096;
  Init(o);
  std::vector<std::thread> workers;
  for (int t = 0; t < kThreads; ++t) {
    workers.emplace_back([this, t] {
      for (int i = 0; i < kIterations; ++i) {
        const std::string key = "k" + std::to_string((i * 7 + t) % 200);
        if (i % 3 == 0) {
          LookupResult r = store_->Get(key);
          if (r.item) {
            ASSERT_EQ(r.item.value(), key);
          }
        } else {
          // kNotStored (out of memory) is legal if every tail candidate is busy; never crash.
          (void)Set(key, key);
        }
      }
    });
  }
  for (std::thread& w : workers) w.join();
  const StoreStats s = store_->Stats();
  const ClassStats c = store_->ClassStatsSnapshot()[0];
  EXPECT_GT(s.evictions, 0u);
  EXPECT_EQ(c.used_chunks, c.number);  // no chunk leaked, no reference left behind
  EXPECT_EQ(s.curr_items, c.number);
  EXPECT_LE(s.total_malloced, 2u * 4096);
}

}  // namespace
}  // namespace slabd::slab
