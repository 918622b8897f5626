// Exptime conversion, lazy expiry, touch/gat and flush_all, all on the fake clock.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "slab/clock.h"
#include "slab/store.h"
#include "t/unit/slab/store_test_util.h"

namespace slabd::slab {
namespace {

class ExpiryTest : public StoreTest {};

TEST_F(ExpiryTest, ToRelExptimeFollowsMemcachedRealtime) {
  EXPECT_EQ(ToRelExptime(0, clock_), 0u);
  EXPECT_EQ(ToRelExptime(-1, clock_), kExpiredRelTime);
  EXPECT_EQ(ToRelExptime(1, clock_), Now() + 1);
  EXPECT_EQ(ToRelExptime(2592000, clock_), Now() + 2592000);  // 30 days is still relative
  // One second more is an absolute unix time, long before the epoch: already expired.
  EXPECT_EQ(ToRelExptime(2592001, clock_), kExpiredRelTime);
  EXPECT_EQ(ToRelExptime(FakeClock::kEpoch, clock_), kExpiredRelTime);
  EXPECT_EQ(ToRelExptime(FakeClock::kEpoch + 5000, clock_), 5000u);
  EXPECT_TRUE(IsExpiredAt(kExpiredRelTime, Now()));
}

TEST_F(ExpiryTest, RelativeExptimeExpiresWhenReached) {
  Set("k", "v", 0, ToRelExptime(10, clock_));
  clock_.Advance(9);
  EXPECT_EQ(Lookup("k"), "v");
  clock_.Advance(1);
  LookupResult r = store_->Get("k");
  EXPECT_FALSE(r.item);
  EXPECT_EQ(r.reason, MissReason::kExpired);
  EXPECT_EQ(store_->Get("k").reason, MissReason::kMissing);  // unlinked on the first miss
  EXPECT_EQ(store_->Stats().curr_items, 0u);
}

TEST_F(ExpiryTest, AbsoluteAndNegativeExptimes) {
  Set("abs", "v", 0, ToRelExptime(FakeClock::kEpoch + Now() + 5, clock_));
  Set("neg", "v", 0, ToRelExptime(-1, clock_));
  Set("past", "v", 0, ToRelExptime(FakeClock::kEpoch - 10, clock_));
  EXPECT_EQ(store_->Get("neg").reason, MissReason::kExpired);
  EXPECT_EQ(store_->Get("past").reason, MissReason::kExpired);
  clock_.Advance(4);
  EXPECT_EQ(Lookup("abs"), "v");
  clock_.Advance(1);
  EXPECT_EQ(Lookup("abs"), std::nullopt);
}

TEST_F(ExpiryTest, ExpiredItemsAreMissesForEveryOperation) {
  const RelTime soon = Now() + 1;
  for (const char* k : {"t", "d", "a", "r", "c", "p"}) Set(k, "1", 0, soon);
  clock_.Advance(1);
  EXPECT_FALSE(store_->Touch("t", 0).found);
  EXPECT_EQ(store_->Delete("d").status, DeleteStatus::kNotFound);
  EXPECT_EQ(store_->Arith("a", true, 1).status, ArithStatus::kNotFound);
  EXPECT_EQ(Put("r", "x", StoreMode::kReplace).status, StoreStatus::kNotStored);
  EXPECT_EQ(Put("c", "x", StoreMode::kCas, 2).status, StoreStatus::kNotFound);
  EXPECT_EQ(Put("p", "x", StoreMode::kAdd).status, StoreStatus::kStored);
  EXPECT_EQ(Lookup("p"), "x");
}

TEST_F(ExpiryTest, TouchSetsANewExptimeAndKeepsCas) {
  const uint64_t cas = Set("k", "v", 0, Now() + 5).cas;
  const TouchResult t = store_->Touch("k", Now() + 100);
  EXPECT_TRUE(t.found);
  EXPECT_EQ(t.cls.v, 1);
  clock_.Advance(50);
  EXPECT_EQ(Lookup("k"), "v");
  EXPECT_EQ(CasOf("k"), cas);
  EXPECT_FALSE(store_->Touch("missing", 0).found);
  EXPECT_TRUE(store_->Touch("k", 0).found);  // 0 = never
  clock_.Advance(1000);
  EXPECT_EQ(Lookup("k"), "v");
}

TEST_F(ExpiryTest, GetAndTouchFetchesAndSetsExptime) {
  const uint64_t cas = Set("k", "v", 0, Now() + 5).cas;
  LookupResult r = store_->GetAndTouch("k", Now() + 100);
  ASSERT_TRUE(r.item);
  EXPECT_EQ(r.item.value(), "v");
  EXPECT_EQ(r.item.exptime(), Now() + 100);
  EXPECT_EQ(r.item.cas(), cas);
  clock_.Advance(50);
  EXPECT_EQ(Lookup("k"), "v");
  EXPECT_EQ(store_->GetAndTouch("missing", 0).reason, MissReason::kMissing);
}

TEST_F(ExpiryTest, ImmediateFlushHidesItemsFromTheSameSecond) {
  Set("a", "1");
  Set("b", "2");
  store_->FlushAll(0);
  EXPECT_EQ(store_->Get("a").reason, MissReason::kFlushed);
  EXPECT_EQ(Lookup("b"), std::nullopt);
  Set("c", "3");  // stored after the flush, same second
  EXPECT_EQ(Lookup("c"), "3");
  clock_.Advance(1);
  EXPECT_EQ(Lookup("c"), "3");
  EXPECT_EQ(store_->oldest_live(), FakeClock::kStart - 1);
}

TEST_F(ExpiryTest, ImmediateFlushRetiresCasBlocksTakenBeforeIt) {
  StoreOptions o;
  o.lock_power = 0;  // one stripe: "b" and "c" draw from the block "a" opened
  Init(o);
  Set("a", "1");
  Set("b", "2");
  store_->FlushAll(0);
  EXPECT_EQ(Lookup("a"), std::nullopt);
  Set("b", "3");  // same stripe, same key: its old block still had 62 values
  Set("c", "4");
  EXPECT_EQ(Lookup("b"), "3");
  EXPECT_EQ(Lookup("c"), "4");
  EXPECT_GT(CasOf("b"), 2u + Store::kCasBlock - 1);  // from a block above the watermark
  EXPECT_GT(CasOf("c"), CasOf("b"));
  // And again: each flush retires the block the previous one opened.
  Set("d", "5");
  store_->FlushAll(0);
  EXPECT_EQ(Lookup("b"), std::nullopt);
  EXPECT_EQ(Lookup("d"), std::nullopt);
  Set("d", "6");
  EXPECT_EQ(Lookup("d"), "6");
}

TEST_F(ExpiryTest, ImmediateFlushCoversEveryStripesUnusedBlock) {
  StoreOptions o;
  o.lock_power = 4;
  Init(o);
  for (int i = 0; i < 200; ++i) Set("k" + std::to_string(i), "v");  // opens every stripe
  store_->FlushAll(0);
  for (int i = 0; i < 200; ++i) {
    EXPECT_EQ(store_->Get("k" + std::to_string(i)).reason, MissReason::kFlushed) << i;
  }
  for (int i = 0; i < 200; i += 2) Set("k" + std::to_string(i), "w");
  for (int i = 0; i < 200; ++i) {
    EXPECT_EQ(Lookup("k" + std::to_string(i)), i % 2 == 0 ? std::optional<std::string>("w")
                                                          : std::nullopt)
        << i;
  }
}

TEST_F(ExpiryTest, FlushedItemsCannotBeTouchedAppendedOrIncremented) {
  Set("a", "1");
  Set("b", "1");
  Set("c", "1");
  store_->FlushAll(0);
  EXPECT_FALSE(store_->Touch("a", 0).found);
  EXPECT_EQ(Put("b", "x", StoreMode::kAppend).status, StoreStatus::kNotStored);
  EXPECT_EQ(store_->Arith("c", true, 1).status, ArithStatus::kNotFound);
}

TEST_F(ExpiryTest, DelayedFlushInvalidatesEverythingStoredBeforeTheDeadline) {
  Set("before", "1");
  store_->FlushAll(Now() + 10);
  EXPECT_EQ(store_->oldest_live(), Now() + 9);
  clock_.Advance(5);
  Set("after-call", "2");  // stored after the command but before the deadline
  EXPECT_EQ(Lookup("before"), "1");
  clock_.Advance(3);  // deadline - 2
  EXPECT_EQ(Lookup("after-call"), "2");
  clock_.Advance(2);  // deadline
  EXPECT_EQ(store_->Get("before").reason, MissReason::kFlushed);
  EXPECT_EQ(store_->Get("after-call").reason, MissReason::kFlushed);
  Set("later", "3");
  EXPECT_EQ(Lookup("later"), "3");
}

TEST_F(ExpiryTest, ExpiredTailItemsAreReclaimedBeforeEvicting) {
  Init(TinyOptions());
  const uint32_t per_page = 4096 / 88;
  Set("doomed", "v", 0, Now() + 1);
  for (uint32_t i = 1; i < per_page; ++i) Set("k" + std::to_string(i), "v");
  clock_.Advance(1);
  Set("new", "v");
  const StoreStats s = store_->Stats();
  EXPECT_EQ(s.reclaimed, 1u);
  EXPECT_EQ(s.expired_unfetched, 1u);
  EXPECT_EQ(s.evictions, 0u);
  EXPECT_EQ(Lookup("k1"), "v");
}

}  // namespace
}  // namespace slabd::slab
