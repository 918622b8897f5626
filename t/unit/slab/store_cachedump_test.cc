// Store::DumpClass (`stats cachedump`): newest first, limit and early stop, what is listed
// (linked items only, expired ones included, as memcached 1.6.18), the large class, unknown ids,
// and a walk racing stores, deletes, touches and evictions (run under -fsanitize=thread too).
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "slab/store.h"
#include "t/unit/slab/store_test_util.h"

namespace slabd::slab {
namespace {

struct Dumped {
  std::string key;
  uint32_t value_len;
  RelTime exptime;
  friend bool operator==(const Dumped&, const Dumped&) = default;
};

class StoreCachedumpTest : public StoreTest {
 protected:
  StoreCachedumpTest() { Init(TinyOptions()); }

  std::vector<Dumped> Dump(ClassId cls, uint32_t limit = 0) {
    std::vector<Dumped> out;
    store_->DumpClass(cls, limit, [&](std::string_view key, uint32_t value_len, RelTime exp) {
      out.push_back({std::string(key), value_len, exp});
      return true;
    });
    return out;
  }
  std::vector<std::string> DumpKeys(ClassId cls, uint32_t limit = 0) {
    std::vector<std::string> keys;
    for (const Dumped& d : Dump(cls, limit)) keys.push_back(d.key);
    return keys;
  }
  ClassId SmallClass() const { return ClassId{1}; }
};

TEST_F(StoreCachedumpTest, ListsNewestFirstWithValueLengthAndExptime) {
  Set("a", "1");
  Set("b", "22", 0, Now() + 100);
  Set("c", "333");
  const std::vector<Dumped> want = {{"c", 3, 0}, {"b", 2, Now() + 100}, {"a", 1, 0}};
  EXPECT_EQ(Dump(SmallClass()), want);
}

TEST_F(StoreCachedumpTest, EmptyClassVisitsNothing) {
  EXPECT_TRUE(Dump(SmallClass()).empty());
  Set("a", "1");
  EXPECT_TRUE(Dump(ClassId{2}).empty());
}

TEST_F(StoreCachedumpTest, LimitCountsItemsAndZeroMeansAll) {
  for (int i = 0; i < 5; ++i) Set("k" + std::to_string(i), "v");
  EXPECT_EQ(DumpKeys(SmallClass(), 2), (std::vector<std::string>{"k4", "k3"}));
  EXPECT_EQ(DumpKeys(SmallClass(), 0).size(), 5u);
  EXPECT_EQ(DumpKeys(SmallClass(), 100).size(), 5u);
}

TEST_F(StoreCachedumpTest, VisitorReturningFalseStopsTheWalk) {
  for (int i = 0; i < 5; ++i) Set("k" + std::to_string(i), "v");
  int calls = 0;
  store_->DumpClass(SmallClass(), 0, [&](std::string_view, uint32_t, RelTime) {
    return ++calls < 3;
  });
  EXPECT_EQ(calls, 3);
}

TEST_F(StoreCachedumpTest, ExpiredAndFlushedItemsAreListedUntilReaped) {
  Set("soon", "v", 0, Now() + 1);
  Set("other", "v");
  clock_.Advance(2);
  EXPECT_EQ(DumpKeys(SmallClass()), (std::vector<std::string>{"other", "soon"}));
  EXPECT_EQ(PeekValue("soon"), std::nullopt);  // reaped by the lookup
  EXPECT_EQ(DumpKeys(SmallClass()), (std::vector<std::string>{"other"}));
  store_->FlushAll(0);
  EXPECT_EQ(DumpKeys(SmallClass()), (std::vector<std::string>{"other"}));
}

TEST_F(StoreCachedumpTest, ReplacedTouchedAndDeletedItemsAreListedAsTheyAreNow) {
  Set("a", "1");
  Set("b", "1");
  Set("a", "12345");  // the replacement goes to the head, the old copy is gone
  ASSERT_TRUE(store_->Touch("b", Now() + 50).found);
  const std::vector<Dumped> want = {{"a", 5, 0}, {"b", 1, Now() + 50}};
  EXPECT_EQ(Dump(SmallClass()), want);
  store_->Delete("a");
  EXPECT_EQ(DumpKeys(SmallClass()), (std::vector<std::string>{"b"}));
}

TEST_F(StoreCachedumpTest, ReadsDoNotReorderButEvictionRemovesTheTail) {
  const int per_page = 4096 / 88;
  for (int i = 0; i < per_page; ++i) Set("k" + std::to_string(i), "v");
  ASSERT_TRUE(Lookup("k0"));  // flat LRU: reads only mark the item
  EXPECT_EQ(DumpKeys(SmallClass()).back(), "k0");
  Set("new", "v");  // k0 gets its second chance (to the head), k1 is evicted
  const std::vector<std::string> keys = DumpKeys(SmallClass());
  EXPECT_EQ(keys.size(), static_cast<size_t>(per_page));
  EXPECT_EQ(keys[0], "new");
  EXPECT_EQ(keys[1], "k0");
  EXPECT_EQ(keys.back(), "k2");
}

TEST_F(StoreCachedumpTest, LargeClassIsDumpable) {
  Set("big", std::string(5000, 'x'), 0, Now() + 9);
  const std::vector<Dumped> want = {{"big", 5000, Now() + 9}};
  EXPECT_EQ(Dump(store_->large_class_id()), want);
}

TEST_F(StoreCachedumpTest, InvalidClassIdsVisitNothing) {
  Set("a", "1");
  Set("big", std::string(5000, 'x'));
  EXPECT_TRUE(Dump(ClassId{0}).empty());
  ASSERT_LT(store_->large_class_id().v, 255);
  EXPECT_TRUE(Dump(ClassId{static_cast<uint8_t>(store_->large_class_id().v + 1)}).empty());
  EXPECT_TRUE(Dump(ClassId{255}).empty());
}

// Writers churn one class of a two-page store (evicting all the time) while a reader dumps it.
// Every listed key must be intact and carry its own value length; TSan checks the locking.
TEST_F(StoreCachedumpTest, DumpRacingStoresDeletesTouchesAndEvictions) {
  StoreOptions o = TinyOptions();
  o.max_bytes = 2 * 4096;
  Init(o);
  constexpr int kWriters = 3;
  constexpr int kIterations = 3000;
  // Filled first so every dump has something to list even if the writers start late.
  for (int i = 0; i < 150; ++i) Set("key" + std::to_string(i), "key" + std::to_string(i));
  std::atomic<int> finished{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < kWriters; ++t) {
    writers.emplace_back([this, t, &finished] {
      for (int i = 0; i < kIterations; ++i) {
        const std::string key = "key" + std::to_string((i * 7 + t) % 150);
        switch (i % 4) {
          case 0:
          case 1:
            (void)Set(key, key, 0, i % 2 ? Now() + 10 : 0);
            break;
          case 2:
            (void)store_->Touch(key, Now() + 5);
            break;
          case 3:
            (void)store_->Delete(key);
            break;
        }
      }
      finished.fetch_add(1);
    });
  }
  uint64_t listed = 0;
  const auto check = [&](std::string_view key, uint32_t value_len, RelTime exptime) {
    EXPECT_EQ(key.substr(0, 3), "key");
    EXPECT_EQ(value_len, key.size());
    EXPECT_TRUE(exptime == 0 || exptime == Now() + 5 || exptime == Now() + 10);
    ++listed;
    return true;
  };
  do {
    store_->DumpClass(SmallClass(), 0, check);
    std::this_thread::yield();
  } while (finished.load() < kWriters);
  for (std::thread& w : writers) w.join();
  EXPECT_GT(listed, 0u);
  EXPECT_EQ(Dump(SmallClass()).size(), store_->Stats().curr_items);
}

}  // namespace
}  // namespace slabd::slab
