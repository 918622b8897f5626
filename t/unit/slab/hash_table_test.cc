// HashTable growth through the Store: expansion starts in Maintain(), migrates incrementally,
// and every key stays reachable before, during and after the migration.
#include "slab/hash_table.h"

#include <gtest/gtest.h>

#include <string>

#include "slab/store.h"
#include "t/unit/slab/store_test_util.h"

namespace slabd::slab {
namespace {

class HashGrowthTest : public StoreTest {
 protected:
  static std::string Key(int i) { return "key:" + std::to_string(i); }
  void InitWithPower(int power) {
    StoreOptions o;
    o.hashpower = power;
    o.lock_power = std::min(power, 4);
    Init(o);
  }
  void ExpectAllPresent(int from, int to) {
    for (int i = from; i < to; ++i) ASSERT_EQ(PeekValue(Key(i)), std::to_string(i)) << Key(i);
  }
};

TEST_F(HashGrowthTest, NoGrowthUntilLoadExceedsOneAndAHalf) {
  InitWithPower(4);  // 16 buckets
  for (int i = 0; i < 24; ++i) Set(Key(i), std::to_string(i));
  store_->Maintain();
  EXPECT_EQ(store_->Stats().hash_power_level, 4u);
  Set(Key(24), "24");
  store_->Maintain();  // starts and, for 16 buckets, finishes in one step
  EXPECT_EQ(store_->Stats().hash_power_level, 5u);
  EXPECT_FALSE(store_->IsExpanding());
  EXPECT_EQ(store_->Stats().hash_bytes, 32u * 4);
  ExpectAllPresent(0, 25);
}

TEST_F(HashGrowthTest, TheLoadCountsTheItemsOfEveryShardAndClass) {
  StoreOptions o;
  o.hashpower = 4;
  o.lock_power = 4;
  o.shard_power = 3;
  Init(o);
  for (int i = 0; i < 20; ++i) Set(Key(i), std::to_string(i));
  for (int i = 20; i < 24; ++i) Set(Key(i), std::string(3000, 'v'));  // another class
  store_->Maintain();
  EXPECT_EQ(store_->Stats().hash_power_level, 4u);
  ASSERT_EQ(store_->Delete(Key(0)).status, DeleteStatus::kDeleted);
  Set(Key(24), "24");
  store_->Maintain();
  EXPECT_EQ(store_->Stats().hash_power_level, 4u);  // 24 linked: a delete counts down
  Set(Key(25), "25");
  store_->Maintain();
  EXPECT_EQ(store_->Stats().hash_power_level, 5u);
  ExpectAllPresent(1, 20);
}

TEST_F(HashGrowthTest, RepeatedGrowthKeepsEveryKey) {
  InitWithPower(2);
  for (int i = 0; i < 5000; ++i) {
    Set(Key(i), std::to_string(i));
    store_->Maintain();
  }
  while (store_->IsExpanding()) store_->Maintain();
  EXPECT_EQ(store_->Stats().hash_power_level, 12u);  // 4096 * 1.5 >= 5000 > 2048 * 1.5
  ExpectAllPresent(0, 5000);
}

TEST_F(HashGrowthTest, LookupsInsertsAndDeletesWorkMidMigration) {
  InitWithPower(14);  // 16384 buckets: more than one Maintain() step to migrate
  const int n = 16384 * 3 / 2 + 1;
  for (int i = 0; i < n; ++i) Set(Key(i), std::to_string(i));
  store_->Maintain();
  ASSERT_TRUE(store_->IsExpanding());
  EXPECT_TRUE(store_->Stats().hash_is_expanding);
  EXPECT_EQ(store_->Stats().hash_power_level, 15u);

  ExpectAllPresent(0, n);
  for (int i = n; i < n + 1000; ++i) Set(Key(i), std::to_string(i));  // each helps migrate
  for (int i = 0; i < 1000; i += 2) {
    ASSERT_EQ(store_->Delete(Key(i)).status, DeleteStatus::kDeleted);
  }
  ASSERT_TRUE(store_->IsExpanding());
  store_->Maintain();
  ExpectAllPresent(1000, n + 1000);

  int steps = 0;
  while (store_->IsExpanding()) {
    store_->Maintain();
    ++steps;
  }
  EXPECT_GE(steps, 1);
  EXPECT_FALSE(store_->Stats().hash_is_expanding);
  for (int i = 0; i < 1000; i += 2) EXPECT_EQ(PeekValue(Key(i)), std::nullopt);
  for (int i = 1; i < 1000; i += 2) EXPECT_EQ(PeekValue(Key(i)), std::to_string(i));
  ExpectAllPresent(1000, n + 1000);
  EXPECT_EQ(store_->Stats().curr_items, static_cast<uint64_t>(n + 1000 - 500));
}

TEST_F(HashGrowthTest, OverwritesDuringMigrationLeaveOneCopy) {
  InitWithPower(13);
  const int n = 8192 * 3 / 2 + 1;
  for (int i = 0; i < n; ++i) Set(Key(i), "old");
  store_->Maintain();
  ASSERT_TRUE(store_->IsExpanding());
  for (int i = 0; i < n; ++i) Set(Key(i), std::to_string(i));
  while (store_->IsExpanding()) store_->Maintain();
  ExpectAllPresent(0, n);
  EXPECT_EQ(store_->Stats().curr_items, static_cast<uint64_t>(n));
}

}  // namespace
}  // namespace slabd::slab
