// Store: the meta protocol's storage semantics. MetaGet (vivify N, touch T, recache R, the
// win/token-sent/stale tokens W Z X, no_update u, the order of T/N/R, explicit CAS and binary
// keys for vivified items), MarkStale (md I), Link with LinkOptions (explicit CAS, stale stores
// with ms I, binary keys, vivifying append/prepend), and the CAS/exptime extras of Delete and
// Arith. memcached 1.6.18's process_mget_command / do_store_item / process_mdelete_command are
// the reference.
#include <gtest/gtest.h>

#include <cstring>
#include <initializer_list>
#include <string>
#include <string_view>

#include "slab/store.h"
#include "t/unit/slab/store_test_util.h"

namespace slabd::slab {
namespace {

using Op = MetaGetOptions::Op;

class StoreMetaTest : public StoreTest {
 protected:
  static MetaGetOptions Ops(std::initializer_list<Op> ops = {}) {
    MetaGetOptions o;
    for (Op op : ops) o.Add(op);
    return o;
  }
  MetaGetResult Mg(std::string_view key, const MetaGetOptions& o = MetaGetOptions{}) {
    return store_->MetaGet(key, o);
  }
  // A store through the meta Link overload.
  LinkResult Ms(std::string_view key, std::string_view value, StoreMode mode, uint64_t cas,
                const LinkOptions& lo, RelTime exptime = 0, uint32_t flags = 0) {
    ReserveResult r = store_->Reserve(key, flags, exptime, static_cast<uint32_t>(value.size()));
    EXPECT_EQ(r.status, AllocStatus::kOk);
    if (r.status != AllocStatus::kOk) return {StoreStatus::kNotStored, 0, ClassId{}};
    std::memcpy(r.reservation.value().data(), value.data(), value.size());
    return store_->Link(std::move(r.reservation), mode, cas, lo);
  }
  RelTime ExptimeOf(std::string_view key) {
    LookupResult r = store_->Peek(key);
    EXPECT_TRUE(r.item) << key;
    return r.item ? r.item.exptime() : 0;
  }
  // Hands out the win token of `key` (as a first `mg R` on a soon-expiring item would).
  void TakeToken(std::string_view key) {
    MetaGetOptions o = Ops({Op::kRecache});
    o.recache_time = UINT32_MAX;
    ASSERT_TRUE(Mg(key, o).won);
  }
};

// --- MetaGet -------------------------------------------------------------------------------

TEST_F(StoreMetaTest, MetaGetMissIsReportedWithItsReason) {
  MetaGetResult g = Mg("nope");
  EXPECT_FALSE(g.item);
  EXPECT_EQ(g.reason, MissReason::kMissing);
  EXPECT_FALSE(g.created || g.won || g.token_sent || g.stale || g.overflow);

  Set("k", "v", 0, Now() + 1);
  clock_.Advance(1);
  EXPECT_EQ(Mg("k").reason, MissReason::kExpired);
  EXPECT_EQ(store_->Stats().curr_items, 0u);  // reaped on the way
}

TEST_F(StoreMetaTest, MetaGetHitReportsAccessStateFromBeforeThisAccess) {
  Set("k", "value", 7, Now() + 100);
  const RelTime stored = Now();
  clock_.Advance(5);
  {
    MetaGetResult g = Mg("k");
    ASSERT_TRUE(g.item);
    EXPECT_EQ(g.reason, MissReason::kNone);
    EXPECT_EQ(g.item.value(), "value");
    EXPECT_EQ(g.item.flags(), 7u);
    EXPECT_EQ(g.item.exptime(), stored + 100);
    EXPECT_FALSE(g.item.fetched_before());
    EXPECT_EQ(g.item.last_access(), stored);
    EXPECT_FALSE(g.created || g.won || g.token_sent || g.stale);
  }
  clock_.Advance(3);
  MetaGetResult again = Mg("k");
  EXPECT_TRUE(again.item.fetched_before());
  EXPECT_EQ(again.item.last_access(), stored + 5);
}

TEST_F(StoreMetaTest, NoUpdateLeavesFetchedAndLastAccessAlone) {
  Set("k", "v");
  const RelTime stored = Now();
  clock_.Advance(5);
  MetaGetOptions u;
  u.no_update = true;
  { MetaGetResult g = Mg("k", u); }
  MetaGetResult g = Mg("k", u);
  EXPECT_FALSE(g.item.fetched_before());
  EXPECT_EQ(g.item.last_access(), stored);
}

TEST_F(StoreMetaTest, TouchSetsTheExptimeAndKeepsTheCas) {
  Set("k", "v", 0, Now() + 10);
  const uint64_t cas = CasOf("k");
  MetaGetOptions o = Ops({Op::kTouch});
  o.touch_exptime = Now() + 500;
  {
    MetaGetResult g = Mg("k", o);
    EXPECT_EQ(g.item.exptime(), Now() + 10);  // the snapshot is from before T
    EXPECT_EQ(g.item.cas(), cas);
    EXPECT_FALSE(g.won);
  }
  EXPECT_EQ(ExptimeOf("k"), Now() + 500);
  EXPECT_EQ(CasOf("k"), cas);
}

TEST_F(StoreMetaTest, TouchOnAMissCreatesNothing) {
  MetaGetOptions o = Ops({Op::kTouch});
  o.touch_exptime = Now() + 5;
  EXPECT_FALSE(Mg("k", o).item);
  EXPECT_EQ(store_->Stats().curr_items, 0u);
}

TEST_F(StoreMetaTest, VivifyCreatesAnEmptyItemAndHandsOutTheWinToken) {
  MetaGetOptions o = Ops({Op::kVivify});
  o.vivify_exptime = Now() + 30;
  {
    MetaGetResult g = Mg("k", o);
    ASSERT_TRUE(g.item);
    EXPECT_EQ(g.reason, MissReason::kNone);
    EXPECT_TRUE(g.created);
    EXPECT_TRUE(g.won);
    EXPECT_FALSE(g.token_sent);
    EXPECT_EQ(g.item.value(), "");
    EXPECT_EQ(g.item.flags(), 0u);
    EXPECT_EQ(g.item.exptime(), 0u);  // as allocated, before N gave it its TTL
    EXPECT_GT(g.item.cas(), 0u);
    EXPECT_FALSE(g.item.key_binary());
  }
  EXPECT_EQ(store_->Stats().curr_items, 1u);
  EXPECT_EQ(ExptimeOf("k"), Now() + 30);
  // The next client finds the placeholder and learns the token is out.
  MetaGetResult second = Mg("k", o);
  EXPECT_FALSE(second.created);
  EXPECT_FALSE(second.won);
  EXPECT_TRUE(second.token_sent);
  EXPECT_EQ(second.item.exptime(), Now() + 30);
}

TEST_F(StoreMetaTest, VivifyTakesEachStoresNextCasUnlessGivenOne) {
  Set("a", "1");
  const uint64_t before = CasOf("a");
  ASSERT_EQ(store_->Delete("a").status, DeleteStatus::kDeleted);
  MetaGetOptions o = Ops({Op::kVivify});
  // The key's stripe hands out its next value (CAS values are only dense within a stripe).
  EXPECT_EQ(Mg("a", o).item.cas(), before + 1);
  EXPECT_EQ(CasOf("a"), before + 1);
  o.explicit_cas = 12345;
  EXPECT_EQ(Mg("c", o).item.cas(), 12345u);
  EXPECT_EQ(CasOf("c"), 12345u);
}

TEST_F(StoreMetaTest, VivifyRemembersABinaryKey) {
  MetaGetOptions o = Ops({Op::kVivify});
  o.key_binary = true;
  { EXPECT_TRUE(Mg(std::string("\x00\xff", 2), o).item.key_binary()); }
  EXPECT_TRUE(store_->Peek(std::string("\x00\xff", 2)).item.key_binary());
}

TEST_F(StoreMetaTest, VivifyLeavesAnExistingItemAlone) {
  Set("k", "v", 0, Now() + 100);
  MetaGetOptions o = Ops({Op::kVivify});
  o.vivify_exptime = Now() + 5;
  MetaGetResult g = Mg("k", o);
  EXPECT_FALSE(g.created);
  EXPECT_FALSE(g.won);
  EXPECT_EQ(g.item.value(), "v");
  EXPECT_EQ(g.item.exptime(), Now() + 100);
}

TEST_F(StoreMetaTest, VivifyReplacesAnExpiredItem) {
  Set("k", "old", 0, Now() + 1);
  clock_.Advance(1);
  MetaGetResult g = Mg("k", Ops({Op::kVivify}));
  EXPECT_TRUE(g.created);
  EXPECT_EQ(g.item.value(), "");
}

TEST_F(StoreMetaTest, TouchAndVivifySetTheExptimeInRequestOrder) {
  MetaGetOptions nt = Ops({Op::kVivify, Op::kTouch});
  nt.vivify_exptime = Now() + 30;
  nt.touch_exptime = Now() + 60;
  EXPECT_TRUE(Mg("a", nt).created);
  EXPECT_EQ(ExptimeOf("a"), Now() + 60);
  MetaGetOptions tn = Ops({Op::kTouch, Op::kVivify});
  tn.vivify_exptime = Now() + 30;
  tn.touch_exptime = Now() + 60;
  EXPECT_TRUE(Mg("b", tn).created);
  EXPECT_EQ(ExptimeOf("b"), Now() + 30);
}

TEST_F(StoreMetaTest, RecacheWinsOnceWhenTheTtlIsBelowTheThreshold) {
  Set("k", "v", 0, Now() + 10);
  MetaGetOptions o = Ops({Op::kRecache});
  o.recache_time = Now() + 30;
  MetaGetResult first = Mg("k", o);
  EXPECT_TRUE(first.won);
  EXPECT_FALSE(first.token_sent);
  MetaGetResult second = Mg("k", o);
  EXPECT_FALSE(second.won);
  EXPECT_TRUE(second.token_sent);
  EXPECT_FALSE(second.stale);
}

TEST_F(StoreMetaTest, RecacheDoesNotWinAtOrAboveTheThresholdOrWithoutExptime) {
  Set("at", "v", 0, Now() + 30);
  Set("never", "v");
  MetaGetOptions o = Ops({Op::kRecache});
  o.recache_time = Now() + 30;
  EXPECT_FALSE(Mg("at", o).won);
  EXPECT_FALSE(Mg("never", o).won);
  EXPECT_FALSE(Mg("at", o).token_sent);
}

TEST_F(StoreMetaTest, RecacheSeesTheExptimeLeftByAnEarlierTouch) {
  Set("tr", "v", 0, Now() + 10);
  Set("rt", "v", 0, Now() + 10);
  MetaGetOptions tr = Ops({Op::kTouch, Op::kRecache});
  tr.touch_exptime = Now() + 100;
  tr.recache_time = Now() + 30;
  EXPECT_FALSE(Mg("tr", tr).won);
  MetaGetOptions rt = Ops({Op::kRecache, Op::kTouch});
  rt.touch_exptime = Now() + 100;
  rt.recache_time = Now() + 30;
  EXPECT_TRUE(Mg("rt", rt).won);
}

TEST_F(StoreMetaTest, StaleItemsHandOutOneWinToken) {
  Set("k", "v");
  ASSERT_EQ(store_->MarkStale("k", 0, false, false, 0).status, DeleteStatus::kDeleted);
  MetaGetResult first = Mg("k");
  EXPECT_TRUE(first.stale);
  EXPECT_TRUE(first.won);
  EXPECT_FALSE(first.token_sent);
  MetaGetResult second = Mg("k");
  EXPECT_TRUE(second.stale);
  EXPECT_TRUE(second.token_sent);
  EXPECT_FALSE(second.won);
}

TEST_F(StoreMetaTest, NoUpdateStillHandsOutTheToken) {
  Set("k", "v", 0, Now() + 10);
  MetaGetOptions o = Ops({Op::kRecache});
  o.recache_time = Now() + 30;
  o.no_update = true;
  EXPECT_TRUE(Mg("k", o).won);
  EXPECT_TRUE(Mg("k", o).token_sent);
}

// kAbort (an over-long opaque among mg's flags): the ops before it happen, the rest, the token
// logic and a delayed access bump do not (1.6.18 jumps to its error mid-walk).
TEST_F(StoreMetaTest, AbortStopsTheOpsAfterIt) {
  Set("k", "v", 0, Now() + 10);
  MetaGetOptions o = Ops({Op::kTouch, Op::kAbort, Op::kRecache});
  o.touch_exptime = Now() + 20;
  o.recache_time = Now() + 30;
  {
    MetaGetResult g = Mg("k", o);
    EXPECT_TRUE(g.aborted);
    EXPECT_FALSE(g.won);
  }
  EXPECT_EQ(ExptimeOf("k"), Now() + 20);
  MetaGetOptions r = Ops({Op::kRecache});
  r.recache_time = Now() + 30;
  EXPECT_TRUE(Mg("k", r).won);  // the token is still to be had
}

TEST_F(StoreMetaTest, AbortBeforeVivifyLeavesTheNewItemWithoutTtlOrToken) {
  MetaGetOptions o = Ops({Op::kAbort, Op::kVivify});
  o.vivify_exptime = Now() + 30;
  {
    MetaGetResult g = Mg("k", o);
    EXPECT_TRUE(g.aborted);
    EXPECT_TRUE(g.created);
    EXPECT_FALSE(g.won);
  }
  EXPECT_EQ(ExptimeOf("k"), 0u);
  MetaGetResult next = Mg("k");
  EXPECT_FALSE(next.token_sent);
  EXPECT_FALSE(next.won);
}

TEST_F(StoreMetaTest, AbortSkipsTheStaleTokenToo) {
  Set("k", "v");
  ASSERT_EQ(store_->MarkStale("k", 0, false, false, 0).status, DeleteStatus::kDeleted);
  EXPECT_FALSE(Mg("k", Ops({Op::kAbort})).won);
  EXPECT_TRUE(Mg("k").won);
}

TEST_F(StoreMetaTest, AbortSkipsOnlyADelayedAccessBump) {
  Set("delayed", "v");
  Set("early", "v");
  MetaGetOptions o = Ops({Op::kAbort});
  o.delay_bump = true;
  { MetaGetResult g = Mg("delayed", o); }
  o.delay_bump = false;
  { MetaGetResult g = Mg("early", o); }
  EXPECT_FALSE(Mg("delayed").item.fetched_before());
  EXPECT_TRUE(Mg("early").item.fetched_before());
}

TEST_F(StoreMetaTest, AbortOnAMissIsAPlainMiss) {
  MetaGetResult g = Mg("nope", Ops({Op::kAbort}));
  EXPECT_FALSE(g.item);
  EXPECT_FALSE(g.aborted);
  EXPECT_EQ(g.reason, MissReason::kMissing);
}

// --- MetaGet that copies (P4) ----------------------------------------------------------------

struct MetaCopied {
  int calls = 0;
  MetaGetResult result;  // the flags as the callback saw them (no item)
  ItemSnapshot snap;
  std::string value;
  static void Take(void* arg, const MetaGetResult& g, const ItemSnapshot& snap,
                   std::string_view value) {
    auto* self = static_cast<MetaCopied*>(arg);
    ++self->calls;
    self->result.created = g.created;
    self->result.won = g.won;
    self->result.token_sent = g.token_sent;
    self->result.stale = g.stale;
    self->snap = snap;
    self->value = std::string(value);
  }
};

// One case of the differential test: a setup, then one mg's ops on a key.
struct CopyCase {
  const char* name;
  void (*setup)(Store& s, FakeClock& clock);
  MetaGetOptions (*ops)(RelTime now);
  const char* key;
};

void PutOn(Store& s, std::string_view key, std::string_view value, uint32_t flags,
           RelTime exptime) {
  ReserveResult r = s.Reserve(key, flags, exptime, static_cast<uint32_t>(value.size()));
  ASSERT_EQ(r.status, AllocStatus::kOk);
  std::memcpy(r.reservation.value().data(), value.data(), value.size());
  ASSERT_EQ(s.Link(std::move(r.reservation), StoreMode::kSet, 0).status, StoreStatus::kStored);
}

MetaGetOptions With(std::initializer_list<Op> ops, RelTime touch = 0, RelTime vivify = 0,
                    RelTime recache = 0) {
  MetaGetOptions o;
  for (Op op : ops) o.Add(op);
  o.touch_exptime = touch;
  o.vivify_exptime = vivify;
  o.recache_time = recache;
  return o;
}

// The same mg on two stores in the same state, one through MetaGet and one through its copying
// form: the same result, the same snapshot and value (handed to the callback instead of a
// reference), and the same state left behind (exptime, CAS, access marks, tokens).
TEST(StoreMetaCopyTest, CopyingMetaGetMatchesMetaGet) {
  const CopyCase cases[] = {
      {"plain hit",
       [](Store& s, FakeClock& c) { PutOn(s, "k", "value", 7, c.Now() + 100); c.Advance(5); },
       [](RelTime) { return With({}); }, "k"},
      {"touch", [](Store& s, FakeClock& c) { PutOn(s, "k", "v", 1, c.Now() + 10); },
       [](RelTime now) { return With({Op::kTouch}, now + 500); }, "k"},
      {"vivify then touch on a hit", [](Store& s, FakeClock& c) { PutOn(s, "k", "v", 0, 0); },
       [](RelTime now) { return With({Op::kVivify, Op::kTouch}, now + 9, now + 30); }, "k"},
      {"vivify on a miss", [](Store&, FakeClock&) {},
       [](RelTime now) { return With({Op::kVivify}, 0, now + 30); }, "k"},
      {"recache wins", [](Store& s, FakeClock& c) { PutOn(s, "k", "v", 0, c.Now() + 10); },
       [](RelTime now) { return With({Op::kRecache}, 0, 0, now + 30); }, "k"},
      {"stale",
       [](Store& s, FakeClock&) {
         PutOn(s, "k", "v", 0, 0);
         ASSERT_EQ(s.MarkStale("k", 0, false, false, 0).status, DeleteStatus::kDeleted);
       },
       [](RelTime) { return With({}); }, "k"},
      {"stale, token already sent",
       [](Store& s, FakeClock&) {
         PutOn(s, "k", "v", 0, 0);
         ASSERT_EQ(s.MarkStale("k", 0, false, false, 0).status, DeleteStatus::kDeleted);
         ASSERT_TRUE(s.MetaGet("k", MetaGetOptions{}).won);
       },
       [](RelTime) { return With({}); }, "k"},
      {"no update",
       [](Store& s, FakeClock& c) { PutOn(s, "k", "v", 0, 0); c.Advance(3); },
       [](RelTime) {
         MetaGetOptions o = With({});
         o.no_update = true;
         return o;
       },
       "k"},
      {"abort after touch", [](Store& s, FakeClock& c) { PutOn(s, "k", "v", 0, c.Now() + 10); },
       [](RelTime now) {
         MetaGetOptions o = With({Op::kTouch, Op::kAbort}, now + 20);
         o.delay_bump = true;
         return o;
       },
       "k"},
      {"over the copy limit",
       [](Store& s, FakeClock&) { PutOn(s, "k", std::string(5000, 'x'), 3, 0); },
       [](RelTime) { return With({}); }, "k"},
      {"miss", [](Store&, FakeClock&) {}, [](RelTime) { return With({}); }, "k"},
  };
  for (const CopyCase& tc : cases) {
    SCOPED_TRACE(tc.name);
    FakeClock ref_clock, copy_clock;
    Store ref_store(StoreOptions{}, &ref_clock), copy_store(StoreOptions{}, &copy_clock);
    tc.setup(ref_store, ref_clock);
    tc.setup(copy_store, copy_clock);
    const MetaGetOptions o = tc.ops(ref_clock.Now());
    MetaCopied c;
    MetaGetResult copied = copy_store.MetaGet(tc.key, HashKey(tc.key), o, 4096,
                                              &MetaCopied::Take, &c);
    {
      MetaGetResult ref = ref_store.MetaGet(tc.key, HashKey(tc.key), o);
      EXPECT_EQ(copied.reason, ref.reason);
      EXPECT_EQ(copied.created, ref.created);
      EXPECT_EQ(copied.won, ref.won);
      EXPECT_EQ(copied.token_sent, ref.token_sent);
      EXPECT_EQ(copied.stale, ref.stale);
      EXPECT_EQ(copied.aborted, ref.aborted);
      EXPECT_FALSE(copied.overflow || ref.overflow);
      const bool small = ref.item && ref.item.value().size() <= 4096;
      EXPECT_EQ(copied.copied, small && !ref.aborted);
      EXPECT_EQ(c.calls, copied.copied ? 1 : 0);
      if (ref.item) {
        EXPECT_EQ(copied.class_id, ref.item.class_id());
      }
      if (copied.copied) {
        EXPECT_FALSE(copied.item);
        EXPECT_EQ(c.value, ref.item.value());
        EXPECT_EQ(c.snap.flags, ref.item.flags());
        EXPECT_EQ(c.snap.cas, ref.item.cas());
        EXPECT_EQ(c.snap.exptime, ref.item.exptime());
        EXPECT_EQ(c.snap.last_access, ref.item.last_access());
        EXPECT_EQ(c.snap.fetched_before, ref.item.fetched_before());
        EXPECT_EQ(c.snap.key_binary, ref.item.key_binary());
        EXPECT_EQ(c.result.created, ref.created);
        EXPECT_EQ(c.result.won, ref.won);
        EXPECT_EQ(c.result.token_sent, ref.token_sent);
        EXPECT_EQ(c.result.stale, ref.stale);
      } else if (ref.item && !ref.aborted) {
        ASSERT_TRUE(copied.item);  // too large to copy: referenced, as MetaGet does
        EXPECT_EQ(copied.item.value(), ref.item.value());
      }
    }
    // The state left behind.
    LookupResult a = ref_store.Peek(tc.key), b = copy_store.Peek(tc.key);
    ASSERT_EQ(bool(a.item), bool(b.item));
    if (a.item) {
      EXPECT_EQ(b.item.exptime(), a.item.exptime());
      EXPECT_EQ(b.item.cas(), a.item.cas());
      EXPECT_EQ(b.item.fetched_before(), a.item.fetched_before());
      EXPECT_EQ(b.item.last_access(), a.item.last_access());
    }
    MetaGetResult na = ref_store.MetaGet(tc.key, MetaGetOptions{});
    MetaGetResult nb = copy_store.MetaGet(tc.key, MetaGetOptions{});
    EXPECT_EQ(nb.token_sent, na.token_sent);
    EXPECT_EQ(nb.won, na.won);
  }
}

TEST_F(StoreMetaTest, CopyingMetaGetHoldsNoReference) {
  Set("a", "hello");
  MetaCopied c;
  MetaGetResult g = store_->MetaGet("a", HashKey("a"), MetaGetOptions{}, 4096,
                                    &MetaCopied::Take, &c);
  ASSERT_TRUE(g.copied);
  EXPECT_EQ(c.value, "hello");
  // Nothing holds the item: deleting it frees its chunk at once.
  EXPECT_EQ(store_->ClassStatsSnapshot()[0].used_chunks, 1u);
  EXPECT_EQ(store_->Delete("a").status, DeleteStatus::kDeleted);
  EXPECT_EQ(store_->ClassStatsSnapshot()[0].used_chunks, 0u);
}

// --- MarkStale (md I) ----------------------------------------------------------------------

TEST_F(StoreMetaTest, MarkStaleOnAMissIsNotFound) {
  EXPECT_EQ(store_->MarkStale("nope", 0, false, false, 0).status, DeleteStatus::kNotFound);
}

TEST_F(StoreMetaTest, MarkStaleKeepsTheValueAndTakesANewCas) {
  Set("k", "value", 3, Now() + 100);
  const uint64_t cas = CasOf("k");
  const DeleteResult d = store_->MarkStale("k", 0, false, false, 0);
  EXPECT_EQ(d.status, DeleteStatus::kDeleted);
  EXPECT_EQ(d.cls.v, 1);
  EXPECT_EQ(PeekValue("k"), "value");
  EXPECT_GT(CasOf("k"), cas);
  EXPECT_EQ(ExptimeOf("k"), Now() + 100);  // unchanged without T
}

TEST_F(StoreMetaTest, MarkStaleSetsTheExptimeWhenAsked) {
  Set("k", "v");
  EXPECT_EQ(store_->MarkStale("k", 0, false, true, Now() + 30).status, DeleteStatus::kDeleted);
  EXPECT_EQ(ExptimeOf("k"), Now() + 30);
}

TEST_F(StoreMetaTest, MarkStaleComparesTheCas) {
  Set("k", "v");
  const uint64_t cas = CasOf("k");
  EXPECT_EQ(store_->MarkStale("k", cas + 1, true, false, 0).status, DeleteStatus::kExists);
  EXPECT_EQ(store_->MarkStale("k", 0, true, false, 0).status, DeleteStatus::kExists);  // C0
  EXPECT_EQ(CasOf("k"), cas);
  EXPECT_FALSE(Mg("k").stale);
  EXPECT_EQ(store_->MarkStale("k", cas, true, false, 0).status, DeleteStatus::kDeleted);
  EXPECT_TRUE(Mg("k").stale);
}

TEST_F(StoreMetaTest, MarkStaleTakesBackTheWinToken) {
  Set("k", "v", 0, Now() + 10);
  TakeToken("k");
  ASSERT_EQ(store_->MarkStale("k", 0, false, false, 0).status, DeleteStatus::kDeleted);
  MetaGetResult g = Mg("k");
  EXPECT_TRUE(g.stale);
  EXPECT_FALSE(g.token_sent);
  EXPECT_TRUE(g.won);
}

// --- Link with LinkOptions -----------------------------------------------------------------

TEST_F(StoreMetaTest, AnExplicitCasBecomesTheItemsCas) {
  const LinkResult r = Ms("k", "v", StoreMode::kSet, 0, {.explicit_cas = 777});
  EXPECT_EQ(r.status, StoreStatus::kStored);
  EXPECT_EQ(r.cas, 777u);
  EXPECT_EQ(CasOf("k"), 777u);
  EXPECT_EQ(Ms("k", "w", StoreMode::kCas, 777, {.explicit_cas = 900}).cas, 900u);
  EXPECT_EQ(PeekValue("k"), "w");
}

TEST_F(StoreMetaTest, AllowStaleStoresAnOlderCasAsAStaleItemKeepingTheOldExptime) {
  Set("k", "old", 0, Now() + 100);
  const uint64_t cas = CasOf("k");
  const LinkResult r =
      Ms("k", "new", StoreMode::kCas, cas - 1, {.allow_stale = true}, /*exptime=*/Now() + 5);
  EXPECT_EQ(r.status, StoreStatus::kStored);
  EXPECT_GT(r.cas, cas);
  EXPECT_EQ(PeekValue("k"), "new");
  EXPECT_EQ(ExptimeOf("k"), Now() + 100);
  MetaGetResult g = Mg("k");
  EXPECT_TRUE(g.stale);
  EXPECT_TRUE(g.won);  // a stale item whose token is not out yet hands it out
  EXPECT_EQ(store_->Stats().curr_items, 1u);
}

TEST_F(StoreMetaTest, AStaleStoreKeepsTheTokenSentBit) {
  Set("k", "old", 0, Now() + 10);
  TakeToken("k");
  const uint64_t cas = CasOf("k");
  ASSERT_EQ(Ms("k", "new", StoreMode::kCas, cas - 1, {.allow_stale = true}).status,
            StoreStatus::kStored);
  MetaGetResult g = Mg("k");
  EXPECT_TRUE(g.stale);
  EXPECT_TRUE(g.token_sent);
  EXPECT_FALSE(g.won);
}

TEST_F(StoreMetaTest, AllowStaleWithTheCurrentCasIsAnOrdinaryStore) {
  Set("k", "old", 0, Now() + 100);
  const uint64_t cas = CasOf("k");
  EXPECT_EQ(Ms("k", "new", StoreMode::kCas, cas, {.allow_stale = true}, Now() + 5).status,
            StoreStatus::kStored);
  EXPECT_EQ(ExptimeOf("k"), Now() + 5);
  EXPECT_FALSE(Mg("k").stale);
}

TEST_F(StoreMetaTest, AllowStaleStillRejectsANewerCas) {
  Set("k", "old");
  const uint64_t cas = CasOf("k");
  EXPECT_EQ(Ms("k", "new", StoreMode::kCas, cas + 1, {.allow_stale = true}).status,
            StoreStatus::kExists);
  EXPECT_EQ(PeekValue("k"), "old");
}

TEST_F(StoreMetaTest, WithoutAllowStaleAnOlderCasIsExists) {
  Set("k", "old");
  EXPECT_EQ(Ms("k", "new", StoreMode::kCas, CasOf("k") - 1, {}).status, StoreStatus::kExists);
  EXPECT_EQ(PeekValue("k"), "old");
}

TEST_F(StoreMetaTest, AllowStaleOnAMissIsNotFound) {
  EXPECT_EQ(Ms("k", "new", StoreMode::kCas, 5, {.allow_stale = true}).status,
            StoreStatus::kNotFound);
}

// 1.6.18's do_store_item treats a request CAS of 0 as "no CAS" (CAS_NONE) before it looks at
// set_stale, and a cas-mode store with no CAS is EXISTS: `ms k 1 C0 I` answers EX and leaves
// the item as it was.
TEST_F(StoreMetaTest, AllowStaleWithCasZeroIsExists) {
  Set("k", "old", 0, Now() + 100);
  EXPECT_EQ(Ms("k", "new", StoreMode::kCas, 0, {.allow_stale = true}).status,
            StoreStatus::kExists);
  EXPECT_EQ(PeekValue("k"), "old");
  EXPECT_FALSE(Mg("k").stale);
}

TEST_F(StoreMetaTest, TheBinaryKeyMarkFollowsTheLatestStore) {
  Ms("k", "v", StoreMode::kSet, 0, {.key_binary = true});
  EXPECT_TRUE(store_->Peek("k").item.key_binary());
  Ms("k", "v", StoreMode::kSet, 0, {});
  EXPECT_FALSE(store_->Peek("k").item.key_binary());
}

// memcached builds an appended value in a fresh item: the stale and token marks do not
// carry over. The base64-key mark does (README "Differences" 12).
TEST_F(StoreMetaTest, AnAppendedItemCarriesOnlyTheBase64Mark) {
  Ms("k", "a", StoreMode::kSet, 0, {.key_binary = true});
  ASSERT_EQ(store_->MarkStale("k", 0, false, false, 0).status, DeleteStatus::kDeleted);
  EXPECT_EQ(Ms("k", "b", StoreMode::kAppend, 0, {.key_binary = true}).status,
            StoreStatus::kStored);
  EXPECT_TRUE(store_->Peek("k").item.key_binary());
  MetaGetResult g = Mg("k");
  EXPECT_EQ(g.item.value(), "ab");
  EXPECT_FALSE(g.stale);
  EXPECT_FALSE(g.won);
}

// ms N is accepted and ignored by 1.6.18, so appending to a miss stores nothing.
TEST_F(StoreMetaTest, AnAppendOnAMissIsNotStored) {
  EXPECT_EQ(Ms("n", "x", StoreMode::kAppend, 0, {}).status, StoreStatus::kNotStored);
  EXPECT_EQ(Ms("p", "x", StoreMode::kPrepend, 0, {}).status, StoreStatus::kNotStored);
}

TEST_F(StoreMetaTest, AnAppendKeepsTheOldFlagsAndExptime) {
  Set("a", "head", 4, Now() + 100);
  EXPECT_EQ(Ms("a", "-tail", StoreMode::kAppend, 0, {}, Now() + 5, 9).status,
            StoreStatus::kStored);
  LookupResult r = store_->Peek("a");
  EXPECT_EQ(r.item.value(), "head-tail");
  EXPECT_EQ(r.item.flags(), 4u);
  EXPECT_EQ(r.item.exptime(), Now() + 100);
}

TEST_F(StoreMetaTest, AnAppendComparesANonzeroCasOnly) {
  Set("a", "x");
  const uint64_t cas = CasOf("a");
  EXPECT_EQ(Ms("a", "y", StoreMode::kAppend, cas + 1, {}).status, StoreStatus::kExists);
  EXPECT_EQ(Ms("a", "y", StoreMode::kAppend, 0, {}).status, StoreStatus::kStored);
  EXPECT_EQ(Ms("a", "z", StoreMode::kAppend, CasOf("a"), {}).status, StoreStatus::kStored);
  EXPECT_EQ(PeekValue("a"), "xyz");
}

// --- Delete and Arith extras ---------------------------------------------------------------

TEST_F(StoreMetaTest, DeleteWithCheckCasComparesEvenZero) {
  Set("k", "v");
  EXPECT_EQ(store_->Delete("k", 0, /*check_cas=*/true).status, DeleteStatus::kExists);
  EXPECT_EQ(PeekValue("k"), "v");
  EXPECT_EQ(store_->Delete("k", CasOf("k"), true).status, DeleteStatus::kDeleted);
  Set("k", "v");
  EXPECT_EQ(store_->Delete("k", 0).status, DeleteStatus::kDeleted);
}

// ArithResult::exptime is the exptime from before `new_exptime` (ma's `t` before its `T`).
TEST_F(StoreMetaTest, ArithAppliesANewExptimeInPlaceAndReportsTheOldOne) {
  Set("n", "10", 0, Now() + 100);
  const RelTime t = Now() + 30;
  const ArithResult r = store_->Arith("n", true, 5, 0, false, &t);
  EXPECT_EQ(r.status, ArithStatus::kOk);
  EXPECT_EQ(r.value, 15u);
  EXPECT_EQ(r.exptime, Now() + 100);
  EXPECT_EQ(ExptimeOf("n"), t);
}

TEST_F(StoreMetaTest, ArithAppliesANewExptimeToAGrownValue) {
  Set("n", "9", 3, Now() + 100);
  const RelTime t = Now() + 30;
  const ArithResult r = store_->Arith("n", true, 1, 0, false, &t);
  EXPECT_EQ(r.value, 10u);
  EXPECT_EQ(r.exptime, Now() + 100);
  EXPECT_EQ(PeekValue("n"), "10");
  EXPECT_EQ(ExptimeOf("n"), t);
  EXPECT_EQ(store_->Peek("n").item.flags(), 3u);
}

// As memcached's do_add_delta: a result rewritten in place keeps the item and its marks; a
// longer one goes into a new item without the stale and token marks (1.6.18 answers `mg st v`
// after md I and an incr from 9 to 10 without X). The base64-key mark stays (1.6.18 drops it
// and prints the key raw: README "Differences" 12).
TEST_F(StoreMetaTest, ArithKeepsStaleAndTokenMarksOnlyInPlace) {
  Ms("same", "8", StoreMode::kSet, 0, {.key_binary = true});
  Ms("grown", "9", StoreMode::kSet, 0, {.key_binary = true});
  ASSERT_EQ(store_->MarkStale("same", 0, false, false, 0).status, DeleteStatus::kDeleted);
  ASSERT_EQ(store_->MarkStale("grown", 0, false, false, 0).status, DeleteStatus::kDeleted);
  EXPECT_EQ(store_->Arith("same", true, 1).value, 9u);
  EXPECT_EQ(store_->Arith("grown", true, 1).value, 10u);
  MetaGetResult same = Mg("same");
  EXPECT_TRUE(same.stale);
  EXPECT_TRUE(same.item.key_binary());
  MetaGetResult grown = Mg("grown");
  EXPECT_FALSE(grown.stale);
  EXPECT_FALSE(grown.won);
  EXPECT_TRUE(grown.item.key_binary());
}

TEST_F(StoreMetaTest, ArithReportsTheItemsExptimeWhenNotGivenOne) {
  Set("n", "1", 0, Now() + 100);
  EXPECT_EQ(store_->Arith("n", true, 1).exptime, Now() + 100);
  Set("m", "9", 0, Now() + 50);
  EXPECT_EQ(store_->Arith("m", true, 1).exptime, Now() + 50);  // new item path
  Set("z", "1");
  EXPECT_EQ(store_->Arith("z", false, 1).exptime, 0u);
}

TEST_F(StoreMetaTest, ArithWithCheckCasComparesEvenZero) {
  Set("n", "1", 0, Now() + 100);
  const RelTime t = Now() + 5;
  EXPECT_EQ(store_->Arith("n", true, 1, 0, true, &t).status, ArithStatus::kExists);
  EXPECT_EQ(store_->Arith("n", true, 1, CasOf("n") + 1, true, &t).status, ArithStatus::kExists);
  EXPECT_EQ(PeekValue("n"), "1");
  EXPECT_EQ(ExptimeOf("n"), Now() + 100);  // untouched when the CAS fails
  EXPECT_EQ(store_->Arith("n", true, 1, CasOf("n"), true, &t).status, ArithStatus::kOk);
  EXPECT_EQ(ExptimeOf("n"), t);
}

TEST_F(StoreMetaTest, ArithOnAMissLeavesNothingBehind) {
  const RelTime t = Now() + 5;
  EXPECT_EQ(store_->Arith("n", true, 1, 0, false, &t).status, ArithStatus::kNotFound);
  EXPECT_EQ(store_->Stats().curr_items, 0u);
}

// --- Without CAS (-C) ----------------------------------------------------------------------

TEST_F(StoreMetaTest, WithoutCasVivifiedAndStoredItemsReportZero) {
  StoreOptions o;
  o.use_cas = false;
  Init(o);
  EXPECT_EQ(Mg("v", Ops({Op::kVivify})).item.cas(), 0u);
  EXPECT_EQ(Ms("k", "v", StoreMode::kSet, 0, {.explicit_cas = 5}).cas, 0u);
  EXPECT_EQ(store_->MarkStale("k", 0, true, false, 0).status, DeleteStatus::kDeleted);
}

}  // namespace
}  // namespace slabd::slab
