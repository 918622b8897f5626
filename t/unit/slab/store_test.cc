// Store: two-phase stores, the storage modes, CAS, references and basic stats.
#include "slab/store.h"

#include <gtest/gtest.h>

#include <string>

#include "t/unit/slab/store_test_util.h"

namespace slabd::slab {
namespace {

TEST_F(StoreTest, SetThenGetRoundTrips) {
  EXPECT_EQ(Set("a", "hello", 42).status, StoreStatus::kStored);
  LookupResult r = store_->Get("a");
  ASSERT_TRUE(r.item);
  EXPECT_EQ(r.reason, MissReason::kNone);
  EXPECT_EQ(r.item.key(), "a");
  EXPECT_EQ(r.item.value(), "hello");
  EXPECT_EQ(r.item.flags(), 42u);
  EXPECT_EQ(r.item.exptime(), 0u);
  EXPECT_EQ(r.item.total_size(), 40u + 1 + 5);
  EXPECT_EQ(r.item.class_id().v, 1);
}

TEST_F(StoreTest, ZeroLengthAndBinaryValuesRoundTrip) {
  EXPECT_EQ(Set("empty", "").status, StoreStatus::kStored);
  EXPECT_EQ(Lookup("empty"), "");
  const std::string binary("\0\r\n\xff\x7f end\0", 10);
  EXPECT_EQ(Set("bin", binary).status, StoreStatus::kStored);
  EXPECT_EQ(Lookup("bin"), binary);
  const std::string key("k\x01\x7f", 3);
  EXPECT_EQ(Set(key, "ctl").status, StoreStatus::kStored);
  EXPECT_EQ(Lookup(key), "ctl");
}

TEST_F(StoreTest, MissingKeyIsAMiss) {
  LookupResult r = store_->Get("nope");
  EXPECT_FALSE(r.item);
  EXPECT_EQ(r.reason, MissReason::kMissing);
}

TEST_F(StoreTest, SetOverwrites) {
  Set("k", "one");
  Set("k", "two, longer");
  EXPECT_EQ(Lookup("k"), "two, longer");
  EXPECT_EQ(store_->Stats().curr_items, 1u);
}

TEST_F(StoreTest, AddStoresOnlyWhenMissingAndBumpsExisting) {
  EXPECT_EQ(Put("k", "first", StoreMode::kAdd).status, StoreStatus::kStored);
  clock_.Advance(5);
  EXPECT_EQ(Put("k", "second", StoreMode::kAdd).status, StoreStatus::kNotStored);
  EXPECT_EQ(PeekValue("k"), "first");
  EXPECT_EQ(store_->Peek("k").item.last_access(), Now());  // bumped by the failed add
}

TEST_F(StoreTest, ReplaceStoresOnlyWhenPresent) {
  EXPECT_EQ(Put("k", "v", StoreMode::kReplace).status, StoreStatus::kNotStored);
  EXPECT_EQ(Lookup("k"), std::nullopt);
  Set("k", "old");
  EXPECT_EQ(Put("k", "new", StoreMode::kReplace).status, StoreStatus::kStored);
  EXPECT_EQ(Lookup("k"), "new");
}

TEST_F(StoreTest, AppendAndPrependKeepOldFlagsAndExptime) {
  EXPECT_EQ(Put("k", "x", StoreMode::kAppend).status, StoreStatus::kNotStored);
  EXPECT_EQ(Put("k", "x", StoreMode::kPrepend).status, StoreStatus::kNotStored);
  Set("k", "middle", /*flags=*/7, /*exptime=*/Now() + 100);
  EXPECT_EQ(Put("k", "-end", StoreMode::kAppend, 0, /*flags=*/99, /*exptime=*/0).status,
            StoreStatus::kStored);
  EXPECT_EQ(Put("k", "start-", StoreMode::kPrepend, 0, 99, 0).status, StoreStatus::kStored);
  LookupResult r = store_->Get("k");
  ASSERT_TRUE(r.item);
  EXPECT_EQ(r.item.value(), "start-middle-end");
  EXPECT_EQ(r.item.flags(), 7u);
  EXPECT_EQ(r.item.exptime(), Now() + 100);
  EXPECT_EQ(store_->Stats().curr_items, 1u);
}

TEST_F(StoreTest, AppendBeyondItemSizeMaxIsNotStored) {
  StoreOptions o;
  o.item_size_max = 1024;
  Init(o);
  Set("k", std::string(900, 'a'));
  EXPECT_EQ(Put("k", std::string(100, 'b'), StoreMode::kAppend).status, StoreStatus::kNotStored);
  EXPECT_EQ(Lookup("k"), std::string(900, 'a'));
}

TEST_F(StoreTest, CasStartsAtTwoAndEveryStoreTakesANewOne) {
  EXPECT_EQ(Set("a", "1").cas, 2u);
  EXPECT_EQ(CasOf("a"), 2u);
  // "b" may sit in another stripe, whose block lies elsewhere: only distinctness is promised.
  const uint64_t b = Set("b", "1").cas;
  EXPECT_NE(b, 0u);
  EXPECT_NE(b, 2u);
  EXPECT_EQ(CasOf("b"), b);
  // One key's values come from one stripe's block: the next ones, in order.
  EXPECT_EQ(Set("a", "2").cas, 3u);
  EXPECT_EQ(Put("a", "x", StoreMode::kAppend).cas, 4u);
  EXPECT_EQ(CasOf("a"), 4u);
  EXPECT_EQ(CasOf("b"), b);
}

TEST_F(StoreTest, KeysOfOneStripeShareItsBlockOfCasValues) {
  StoreOptions o;
  o.lock_power = 0;  // one stripe: every key draws from the same block
  Init(o);
  EXPECT_EQ(Set("a", "1").cas, 2u);
  EXPECT_EQ(Set("b", "1").cas, 3u);
  EXPECT_EQ(Set("a", "2").cas, 4u);
  EXPECT_EQ(Put("a", "x", StoreMode::kAppend).cas, 5u);
}

// A key whose item-lock stripe differs from `key`'s with lock_power 1 (stripe = hash & 1).
std::string KeyInOtherStripeThan(const std::string& key) {
  for (int i = 0;; ++i) {
    const std::string k = "k" + std::to_string(i);
    if ((HashKey(k) & 1) != (HashKey(key) & 1)) return k;
  }
}

TEST_F(StoreTest, DifferentStripesDrawFromDisjointBlocks) {
  StoreOptions o;
  o.lock_power = 1;
  Init(o);
  const std::string other = KeyInOtherStripeThan("a");  // stripe = hash & 1
  EXPECT_EQ(Set("a", "1").cas, 2u);
  EXPECT_EQ(Set(other, "1").cas, 2u + Store::kCasBlock);  // the second block
  EXPECT_EQ(Set("a", "2").cas, 3u);
  EXPECT_EQ(Set(other, "2").cas, 3u + Store::kCasBlock);
}

TEST_F(StoreTest, ABlockRunsOutIntoAFreshOneAboveEveryEarlierValue) {
  StoreOptions o;
  o.lock_power = 1;
  Init(o);
  const std::string other = KeyInOtherStripeThan("a");
  Set(other, "x");  // block 2: [2 + 64, 2 + 128)
  uint64_t last = 0;
  for (uint64_t i = 0; i < Store::kCasBlock + 1; ++i) {
    const uint64_t cas = Set("a", "v").cas;
    EXPECT_GT(cas, last);
    last = cas;
  }
  EXPECT_EQ(last, 2u + 2 * Store::kCasBlock);  // block 3 (block 2 belongs to `other`)
}

TEST_F(StoreTest, EveryOperationThatTakesACasRaisesTheKeysCas) {
  // Other keys' stores in between must not matter: one key's CAS only ever grows.
  uint64_t last = Set("k", "1").cas;
  const auto raised = [&](uint64_t cas) {
    const bool ok = cas > last;
    last = cas;
    return ok;
  };
  for (int round = 0; round < 100; ++round) {
    for (int j = 0; j < 5; ++j) Set("other" + std::to_string(round * 5 + j), "x");
    switch (round % 5) {
      case 0:
        EXPECT_TRUE(raised(Set("k", "2").cas));
        break;
      case 1:
        EXPECT_TRUE(raised(Put("k", "3", StoreMode::kAppend).cas));
        break;
      case 2:
        EXPECT_TRUE(raised(Put("k", "4", StoreMode::kCas, last).cas));
        break;
      case 3:
        EXPECT_TRUE(raised(store_->Arith("k", true, 1).cas));
        break;
      case 4:
        ASSERT_EQ(store_->MarkStale("k", last, true, false, 0).status, DeleteStatus::kDeleted);
        EXPECT_TRUE(raised(CasOf("k")));
        break;
    }
    EXPECT_EQ(CasOf("k"), last);
  }
}

TEST_F(StoreTest, CasModeComparesTheToken) {
  EXPECT_EQ(Put("k", "v", StoreMode::kCas, 2).status, StoreStatus::kNotFound);
  const uint64_t cas = Set("k", "v1").cas;
  EXPECT_EQ(Put("k", "v2", StoreMode::kCas, cas + 1).status, StoreStatus::kExists);
  EXPECT_EQ(Put("k", "v2", StoreMode::kCas, 0).status, StoreStatus::kExists);
  const LinkResult ok = Put("k", "v2", StoreMode::kCas, cas);
  EXPECT_EQ(ok.status, StoreStatus::kStored);
  EXPECT_GT(ok.cas, cas);
  EXPECT_EQ(Lookup("k"), "v2");
  EXPECT_EQ(Put("k", "v3", StoreMode::kCas, cas).status, StoreStatus::kExists);
}

TEST_F(StoreTest, WithoutCasItemsReportZeroButCasStillAdvances) {
  StoreOptions o;
  o.use_cas = false;
  Init(o);
  EXPECT_EQ(Set("a", "1").cas, 0u);
  EXPECT_EQ(CasOf("a"), 0u);
  EXPECT_EQ(Put("a", "2", StoreMode::kCas, 0).status, StoreStatus::kExists);
  // flush_all's watermark still separates what was stored before it from what comes after.
  Set("b", "1");
  store_->FlushAll(0);
  EXPECT_EQ(Lookup("a"), std::nullopt);
  EXPECT_EQ(Lookup("b"), std::nullopt);
  Set("a", "3");
  EXPECT_EQ(Lookup("a"), "3");
}

TEST_F(StoreTest, DeleteHonoursCas) {
  EXPECT_EQ(store_->Delete("k").status, DeleteStatus::kNotFound);
  const uint64_t cas = Set("k", "v").cas;
  EXPECT_EQ(store_->Delete("k", cas + 1).status, DeleteStatus::kExists);
  EXPECT_EQ(Lookup("k"), "v");
  const DeleteResult d = store_->Delete("k", cas);
  EXPECT_EQ(d.status, DeleteStatus::kDeleted);
  EXPECT_EQ(d.cls.v, 1);
  EXPECT_EQ(Lookup("k"), std::nullopt);
  Set("k", "v");
  EXPECT_EQ(store_->Delete("k").status, DeleteStatus::kDeleted);
}

TEST_F(StoreTest, UnlinkDropsSilently) {
  EXPECT_FALSE(store_->Unlink("k"));
  Set("k", "v");
  EXPECT_TRUE(store_->Unlink("k"));
  EXPECT_EQ(Lookup("k"), std::nullopt);
}

TEST_F(StoreTest, UnlinkedReservationIsFreedAndNeverVisible) {
  {
    ReserveResult r = store_->Reserve("k", 0, 0, 10);
    ASSERT_EQ(r.status, AllocStatus::kOk);
    EXPECT_EQ(r.reservation.value().size(), 10u);
    EXPECT_EQ(r.reservation.key(), "k");
    EXPECT_EQ(Lookup("k"), std::nullopt);
  }
  const std::vector<ClassStats> cs = store_->ClassStatsSnapshot();
  ASSERT_EQ(cs.size(), 1u);
  EXPECT_EQ(cs[0].used_chunks, 0u);
}

TEST_F(StoreTest, TooLargeItemsAndKeysAreRefused) {
  StoreOptions o;
  o.item_size_max = 1 << 20;
  Init(o);
  // 40 + 1 + value <= 1 MB.
  EXPECT_EQ(store_->Reserve("a", 0, 0, (1 << 20) - 41).status, AllocStatus::kOk);
  EXPECT_EQ(store_->Reserve("a", 0, 0, (1 << 20) - 40).status, AllocStatus::kTooLarge);
  EXPECT_EQ(store_->Reserve(std::string(251, 'k'), 0, 0, 1).status, AllocStatus::kTooLarge);
  EXPECT_EQ(store_->Reserve(std::string(250, 'k'), 0, 0, 1).status, AllocStatus::kOk);
}

// GetCopy: what the copy callback saw, and how often it ran.
struct Copied {
  int calls = 0;
  ItemSnapshot snap;
  std::string value;
  static void Take(void* arg, const ItemSnapshot& snap, std::string_view value) {
    auto* self = static_cast<Copied*>(arg);
    ++self->calls;
    self->snap = snap;
    self->value = std::string(value);
  }
};

TEST_F(StoreTest, GetCopyHandsASmallValueToTheCallbackAndNoReference) {
  ASSERT_EQ(Set("a", "hello", 42).status, StoreStatus::kStored);
  const uint64_t cas = CasOf("a");
  Copied c;
  Store::CopyLookupResult r =
      store_->GetCopy("a", HashKey("a"), false, 0, 4096, &Copied::Take, &c);
  EXPECT_TRUE(r.copied);
  EXPECT_FALSE(r.ref.item);
  EXPECT_EQ(r.ref.reason, MissReason::kNone);
  EXPECT_EQ(r.class_id.v, 1);
  EXPECT_EQ(c.calls, 1);
  EXPECT_EQ(c.value, "hello");
  EXPECT_EQ(c.snap.flags, 42u);
  EXPECT_EQ(c.snap.cas, cas);
  EXPECT_FALSE(c.snap.fetched_before);
  // Marked fetched like a get; and, holding no reference, the item goes away at once.
  EXPECT_TRUE(store_->Peek("a").item.fetched_before());
  EXPECT_EQ(store_->ClassStatsSnapshot()[0].used_chunks, 1u);
  EXPECT_TRUE(store_->Delete("a").status == DeleteStatus::kDeleted);
  EXPECT_EQ(store_->ClassStatsSnapshot()[0].used_chunks, 0u);
}

TEST_F(StoreTest, GetCopyTouchSetsTheNewExptime) {
  ASSERT_EQ(Set("t", "v", 0, Now() + 100).status, StoreStatus::kStored);
  Copied c;
  Store::CopyLookupResult r =
      store_->GetCopy("t", HashKey("t"), true, Now() + 500, 4096, &Copied::Take, &c);
  EXPECT_TRUE(r.copied);
  EXPECT_EQ(c.snap.exptime, Now() + 500);
  EXPECT_EQ(store_->Peek("t").item.exptime(), Now() + 500);
}

TEST_F(StoreTest, GetCopyReferencesAValueOverTheLimit) {
  const std::string big(5000, 'x');
  ASSERT_EQ(Set("big", big, 7).status, StoreStatus::kStored);
  Copied c;
  Store::CopyLookupResult r =
      store_->GetCopy("big", HashKey("big"), false, 0, 4096, &Copied::Take, &c);
  EXPECT_FALSE(r.copied);
  EXPECT_EQ(c.calls, 0);
  ASSERT_TRUE(r.ref.item);
  EXPECT_EQ(r.ref.reason, MissReason::kNone);
  EXPECT_EQ(r.ref.item.value(), big);
  EXPECT_EQ(r.ref.item.flags(), 7u);
  EXPECT_EQ(r.class_id, r.ref.item.class_id());
  // The limit is inclusive.
  r = store_->GetCopy("big", HashKey("big"), false, 0, 5000, &Copied::Take, &c);
  EXPECT_TRUE(r.copied);
  EXPECT_EQ(c.value, big);
}

TEST_F(StoreTest, GetCopyMissesReportTheReasonAndNeverCallBack) {
  Copied c;
  Store::CopyLookupResult r =
      store_->GetCopy("nope", HashKey("nope"), false, 0, 4096, &Copied::Take, &c);
  EXPECT_FALSE(r.copied);
  EXPECT_FALSE(r.ref.item);
  EXPECT_EQ(r.ref.reason, MissReason::kMissing);
  ASSERT_EQ(Set("soon", "v", 0, Now() + 2).status, StoreStatus::kStored);
  clock_.Advance(3);
  r = store_->GetCopy("soon", HashKey("soon"), false, 0, 4096, &Copied::Take, &c);
  EXPECT_FALSE(r.copied);
  EXPECT_EQ(r.ref.reason, MissReason::kExpired);
  EXPECT_EQ(c.calls, 0);
}

TEST_F(StoreTest, ItemRefKeepsValueReadableAfterDeleteAndOverwrite) {
  Set("k", "original");
  LookupResult held = store_->Get("k");
  ASSERT_TRUE(held.item);
  Set("k", "overwritten");
  EXPECT_EQ(held.item.value(), "original");
  LookupResult held2 = store_->Get("k");
  EXPECT_TRUE(store_->Delete("k").status == DeleteStatus::kDeleted);
  EXPECT_EQ(held.item.value(), "original");
  EXPECT_EQ(held2.item.value(), "overwritten");
  EXPECT_EQ(Lookup("k"), std::nullopt);
}

TEST_F(StoreTest, MemoryOfAReleasedItemIsReused) {
  Init(TinyOptions());
  Set("k", "v");
  LookupResult held = store_->Get("k");
  store_->Delete("k");
  auto used = [&] { return store_->ClassStatsSnapshot()[0].used_chunks; };
  EXPECT_EQ(used(), 1u);  // still referenced
  held.item.Reset();
  EXPECT_EQ(used(), 0u);
  Set("k2", "v2");
  EXPECT_EQ(used(), 1u);
}

TEST_F(StoreTest, ItemRefMoveTransfersTheReference) {
  Set("k", "v");
  ItemRef a = store_->Get("k").item;
  ItemRef b = std::move(a);
  EXPECT_FALSE(a);
  ASSERT_TRUE(b);
  EXPECT_EQ(b.value(), "v");
}

TEST_F(StoreTest, GetMarksFetchedAndRecordsAccessButPeekDoesNot) {
  Set("k", "v");
  clock_.Advance(3);
  LookupResult p = store_->Peek("k");
  EXPECT_FALSE(p.item.fetched_before());
  EXPECT_EQ(p.item.last_access(), Now() - 3);
  LookupResult g1 = store_->Get("k");
  EXPECT_FALSE(g1.item.fetched_before());
  EXPECT_EQ(g1.item.last_access(), Now() - 3);
  clock_.Advance(1);
  LookupResult g2 = store_->Get("k");
  EXPECT_TRUE(g2.item.fetched_before());
  EXPECT_EQ(g2.item.last_access(), Now() - 1);
}

TEST_F(StoreTest, RefcountLimitReportsAMissInsteadOfOverflowing) {
  Set("k", "v");
  std::vector<ItemRef> refs;
  refs.reserve(kMaxItemRefs);
  for (int i = 1; i < kMaxItemRefs; ++i) refs.push_back(store_->Get("k").item);
  ASSERT_TRUE(refs.back());
  LookupResult over = store_->Get("k");
  EXPECT_FALSE(over.item);
  EXPECT_EQ(over.reason, MissReason::kMissing);
  refs.pop_back();
  EXPECT_TRUE(store_->Get("k").item);
}

TEST_F(StoreTest, StatsCountItemsBytesAndTotals) {
  Set("a", "1");
  Set("bb", "22");
  Set("a", "333");
  const StoreStats s = store_->Stats();
  EXPECT_EQ(s.curr_items, 2u);
  EXPECT_EQ(s.bytes, (40u + 2 + 2) + (40u + 1 + 3));
  EXPECT_EQ(s.total_items, 3u);
  EXPECT_EQ(s.total_malloced, 1u << 20);  // one page for class 1
  EXPECT_EQ(s.limit_maxbytes, 64u << 20);
  EXPECT_EQ(s.hash_power_level, 16u);
  EXPECT_EQ(s.hash_bytes, 65536u * 4);
  EXPECT_FALSE(s.hash_is_expanding);

  const std::vector<ClassStats> cs = store_->ClassStatsSnapshot();
  ASSERT_EQ(cs.size(), 1u);
  EXPECT_EQ(cs[0].id.v, 1);
  EXPECT_EQ(cs[0].chunk_size, 88u);
  EXPECT_EQ(cs[0].chunks_per_page, (1u << 20) / 88);
  EXPECT_EQ(cs[0].total_pages, 1u);
  EXPECT_EQ(cs[0].total_chunks, (1u << 20) / 88);
  EXPECT_EQ(cs[0].used_chunks, 2u);
  EXPECT_EQ(cs[0].free_chunks, (1u << 20) / 88 - 2);
  EXPECT_EQ(cs[0].number, 2u);
  EXPECT_EQ(cs[0].mem_requested, s.bytes);
  EXPECT_EQ(cs[0].total_items, 3u);

  store_->ResetStats();
  EXPECT_EQ(store_->Stats().total_items, 0u);
  EXPECT_EQ(store_->Stats().curr_items, 2u);
  EXPECT_EQ(store_->Stats().bytes, s.bytes);
}

TEST_F(StoreTest, ClassStatsAgeIsTheTailItemsIdleTime) {
  Set("old", "v");
  clock_.Advance(10);
  Set("new", "v");
  EXPECT_EQ(store_->ClassStatsSnapshot()[0].age, 10u);
}

TEST_F(StoreTest, AccessorsExposeTheClassTable) {
  EXPECT_EQ(store_->chunk_sizes()[0], 88u);
  EXPECT_EQ(store_->chunk_sizes().back(), 512u * 1024);
  EXPECT_EQ(store_->large_class_id().v, store_->num_slab_classes() + 1);
  EXPECT_EQ(store_->item_size_max(), 1u << 20);
  EXPECT_EQ(store_->ClassFor(14, 32).v, 1);
  EXPECT_EQ(store_->ClassFor(1, 600 * 1024), store_->large_class_id());
}

}  // namespace
}  // namespace slabd::slab
