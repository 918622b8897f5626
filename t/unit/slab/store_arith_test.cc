// incr/decr: memcached do_add_delta semantics.
#include <gtest/gtest.h>

#include <string>

#include "slab/store.h"
#include "t/unit/slab/store_test_util.h"

namespace slabd::slab {
namespace {

class ArithTest : public StoreTest {
 protected:
  ArithResult Incr(std::string_view k, uint64_t d) { return store_->Arith(k, true, d); }
  ArithResult Decr(std::string_view k, uint64_t d) { return store_->Arith(k, false, d); }
};

TEST_F(ArithTest, IncrementsAndReturnsTheNewValue) {
  Set("n", "41");
  const ArithResult r = Incr("n", 1);
  EXPECT_EQ(r.status, ArithStatus::kOk);
  EXPECT_EQ(r.value, 42u);
  EXPECT_EQ(r.cls.v, 1);
  EXPECT_EQ(Lookup("n"), "42");
}

TEST_F(ArithTest, MissIsNotFound) {
  EXPECT_EQ(Incr("nope", 1).status, ArithStatus::kNotFound);
  EXPECT_EQ(Decr("nope", 1).status, ArithStatus::kNotFound);
}

TEST_F(ArithTest, IncrWrapsAtTwoToTheSixtyFour) {
  Set("n", "18446744073709551615");
  const ArithResult r = Incr("n", 1);
  EXPECT_EQ(r.value, 0u);
  EXPECT_EQ(Lookup("n"), "0                   ");  // in place, padded to the old length
}

TEST_F(ArithTest, DecrFloorsAtZero) {
  Set("n", "5");
  EXPECT_EQ(Decr("n", 7).value, 0u);
  EXPECT_EQ(Lookup("n"), "0");
}

TEST_F(ArithTest, ShorterResultIsRewrittenInPlaceWithSpaces) {
  Set("n", "10", 3, Now() + 100);
  const uint64_t old_cas = CasOf("n");
  const ArithResult r = Decr("n", 1);
  EXPECT_EQ(r.value, 9u);
  EXPECT_GT(r.cas, old_cas);
  LookupResult g = store_->Get("n");
  EXPECT_EQ(g.item.value(), "9 ");
  EXPECT_EQ(g.item.cas(), r.cas);
  EXPECT_EQ(g.item.flags(), 3u);
  EXPECT_EQ(Incr("n", 1).value, 10u);  // "9 " parses; a reader holds `g`, so a new item
  EXPECT_EQ(g.item.value(), "9 ");     // the reader's copy did not change
  EXPECT_EQ(Lookup("n"), "10");
}

TEST_F(ArithTest, LongerResultAllocatesANewItemKeepingFlagsAndExptime) {
  Set("n", "99", 7, Now() + 100);
  const uint64_t old_cas = CasOf("n");
  const ArithResult r = Incr("n", 1);
  EXPECT_EQ(r.value, 100u);
  LookupResult g = store_->Get("n");
  EXPECT_EQ(g.item.value(), "100");
  EXPECT_EQ(g.item.flags(), 7u);
  EXPECT_EQ(g.item.exptime(), Now() + 100);
  EXPECT_EQ(g.item.cas(), r.cas);
  EXPECT_GT(r.cas, old_cas);
  EXPECT_EQ(store_->Stats().curr_items, 1u);
}

TEST_F(ArithTest, NonNumericValuesAreRefused) {
  for (const char* v : {"", "abc", "12a", "-1", "   "}) {
    Set("n", v);
    EXPECT_EQ(Incr("n", 1).status, ArithStatus::kNonNumeric) << "value '" << v << "'";
    EXPECT_EQ(Lookup("n"), v);
  }
  Set("n", "18446744073709551616");  // 2^64 does not parse
  EXPECT_EQ(Incr("n", 1).status, ArithStatus::kNonNumeric);
}

TEST_F(ArithTest, ValuesAtOrAboveTwoToTheSixtyThreeComputeCorrectly) {
  Set("n", "9223372036854775808");
  EXPECT_EQ(Incr("n", 1).value, 9223372036854775809ull);
  EXPECT_EQ(Decr("n", 9223372036854775809ull).value, 0u);
}

TEST_F(ArithTest, LeadingSpacesAreAllowed) {
  Set("n", "  7");
  EXPECT_EQ(Incr("n", 3).value, 10u);
  EXPECT_EQ(Lookup("n"), "10 ");
}

TEST_F(ArithTest, LargeItemsAreNonNumeric) {
  StoreOptions o;
  o.item_size_max = 2 << 20;
  Init(o);
  std::string big(600 * 1024, ' ');
  big[0] = '1';
  Set("big", big);
  EXPECT_EQ(Incr("big", 1).status, ArithStatus::kNonNumeric);
}

TEST_F(ArithTest, EveryArithTakesANewCasButTouchDoesNot) {
  Set("n", "1");
  const uint64_t c1 = Incr("n", 1).cas;
  const uint64_t c2 = Incr("n", 1).cas;
  EXPECT_GT(c2, c1);
  store_->Touch("n", Now() + 10);
  EXPECT_EQ(CasOf("n"), c2);
}

TEST_F(ArithTest, NoMemoryWhenANewItemCannotBeHad) {
  StoreOptions o = TinyOptions();
  o.evict = false;
  Init(o);
  const int per_page = 4096 / 88;
  for (int i = 0; i < per_page; ++i) Set("k" + std::to_string(i), "99");
  EXPECT_EQ(Incr("k0", 1).status, ArithStatus::kNoMemory);
  EXPECT_EQ(Lookup("k0"), "99");
  EXPECT_EQ(Decr("k1", 1).status, ArithStatus::kOk);  // in place needs no memory
}

}  // namespace
}  // namespace slabd::slab
