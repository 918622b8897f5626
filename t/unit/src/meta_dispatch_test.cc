// MetaDispatcher, reached through TextDispatcher's kMeta as a connection reaches it: meta
// command lines against a real Store give memcached 1.6.18's exact reply bytes (return codes,
// return flags in request order, W/Z/X after them, q hiding only the nominal code), move the
// counters 1.6.18 moves, and tell the connection what to do with an ms data block. Every
// expected reply was checked against the 1.6.18 binary (`memcached -u root -p <port>`) unless
// the test names a later release's flag that slabd accepts deliberately.
#include "src/meta_dispatch.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "proto/text_parser.h"
#include "t/unit/src/dispatch_test_util.h"
#include "src/text_dispatch.h"

namespace slabd::server {
namespace {

const std::string kLongOpaque = "O" + std::string(32, 'o');  // 33 bytes: one too many
constexpr std::string_view kOpaqueTooLong = "CLIENT_ERROR opaque token too long\r\n";

class MetaDispatchTest : public ::testing::Test {
 protected:
  MetaDispatchTest() : store_(options_.store, &clock_), ctx_(options_, clock_, store_) {
    ctx_.workers.emplace_back();
    dispatcher_ = std::make_unique<TextDispatcher>(ctx_, ctx_.workers.front());
  }

  // Sends one meta command line (without its CRLF) and, for ms, its data block; returns every
  // reply byte as the client reads them. A data block the dispatcher does not read must be
  // swallowed exactly (data + CRLF).
  std::string Run(std::string_view line, std::string_view data = {}, bool chunk_ok = true) {
    OutputQueue out;
    const std::string wire = std::string(line) + "\r\n";
    const proto::ParseResult p = proto::ParseTextCommand(wire);
    EXPECT_EQ(p.status, proto::ParseStatus::kOk) << line;
    EXPECT_EQ(p.request.command, proto::TextCommand::kMeta) << line;
    PendingStore pending;
    last_ = dispatcher_->Execute(p.request, out, &pending);
    switch (last_.next) {
      case NextStep::kReadValue: {
        std::span<char> v = pending.reservation.value();
        EXPECT_EQ(v.size(), data.size()) << line;
        std::memcpy(v.data(), data.data(), std::min(v.size(), data.size()));
        dispatcher_->FinishStore(pending, chunk_ok, out);
        break;
      }
      case NextStep::kSwallow:
        EXPECT_EQ(last_.swallow, data.size() + 2) << line;
        break;
      default:
        EXPECT_TRUE(data.empty()) << line << ": the data block would run as commands";
        break;
    }
    return pipe_.Drain(out);
  }
  // ms <key> <len> <flags>; expects HD.
  void Set(std::string_view key, std::string_view value, std::string_view flags = {}) {
    std::string line = "ms " + std::string(key) + " " + std::to_string(value.size());
    if (!flags.empty()) line += " " + std::string(flags);
    EXPECT_EQ(Run(line, value), "HD\r\n") << line;
  }
  // The item's CAS as `mg <key> c` reports it (0 on a miss).
  uint64_t CasOf(std::string_view key) {
    const std::string reply = Run("mg " + std::string(key) + " c u");
    if (reply.rfind("HD c", 0) != 0) return 0;
    return std::stoull(reply.substr(4));
  }
  std::string C(std::string_view key) { return std::to_string(CasOf(key)); }
  uint64_t Stat(Counter ThreadStats::*field) { return (ctx_.workers.front().stats.*field).Get(); }

  ServerOptions options_;
  ManualClock clock_;
  slab::Store store_;
  ServerContext ctx_;
  std::unique_ptr<TextDispatcher> dispatcher_;
  DispatchOutcome last_;
  ReplyPipe pipe_;
};

// --- mg ------------------------------------------------------------------------------------

// mg takes a planned key's hash from the worker's HashHints (Worker::RunDeferred) when the
// key is the hinted view itself. A wrong hinted hash turns the hit into a miss: that is how
// the test sees the hint used. The same key parsed from a copy of the line is hashed.
TEST_F(MetaDispatchTest, MgUsesTheHintedHashOfItsKeyOnly) {
  Set("k", "v");
  const std::string wire = "mg k v\r\n";
  const proto::ParseResult p = proto::ParseTextCommand(wire);
  ASSERT_EQ(p.status, proto::ParseStatus::kOk);
  auto run = [&](std::string_view hinted_key, uint32_t hash) {
    OutputQueue out;
    PendingStore pending;
    HashHints& hints = ctx_.workers.front().hints;
    const std::string_view keys[] = {hinted_key};
    const uint32_t hashes[] = {hash};
    hints.Set(keys, hashes);
    dispatcher_->Execute(p.request, out, &pending);
    hints.Clear();
    return pipe_.Drain(out);
  };
  const std::string_view key = std::string_view(wire).substr(3, 1);
  ASSERT_EQ(key, "k");
  EXPECT_EQ(run(key, slab::HashKey("k")), "VA 1\r\nv\r\n");
  EXPECT_EQ(run(key, slab::HashKey("not k")), "EN\r\n");
  const std::string copy = wire;
  EXPECT_EQ(run(std::string_view(copy).substr(3, 1), slab::HashKey("not k")), "VA 1\r\nv\r\n");
}

TEST_F(MetaDispatchTest, MgHitReturnsTheRequestedFlagsInRequestOrder) {
  Set("foo", "hi");
  const std::string cas = C("foo");
  EXPECT_EQ(Run("mg foo s v t f c k Oabc q"),
            "VA 2 s2 t-1 f0 c" + cas + " kfoo Oabc\r\nhi\r\n");
  EXPECT_EQ(Run("mg foo Oabc k c"), "HD Oabc kfoo c" + cas + "\r\n");
  EXPECT_EQ(Run("mg foo"), "HD\r\n");
}

TEST_F(MetaDispatchTest, MgMissIsENEchoingOpaqueAndKey) {
  EXPECT_EQ(Run("mg nope v"), "EN\r\n");
  EXPECT_EQ(Run("mg nope v k Oab s t c"), "EN knope Oab\r\n");
  EXPECT_EQ(Run("mg nope Oab k"), "EN Oab knope\r\n");
}

TEST_F(MetaDispatchTest, QuietHidesOnlyTheMiss) {
  Set("k", "v");
  EXPECT_EQ(Run("mg nope q v k Oab"), "");
  EXPECT_EQ(Run("mg k q v"), "VA 1\r\nv\r\n");
  EXPECT_EQ(Run("mg k q v v"), "CLIENT_ERROR duplicate flag\r\n");
}

TEST_F(MetaDispatchTest, MgCountsAGetOrATouch) {
  Set("k", "v");
  Run("mg k v");
  Run("mg nope v");
  EXPECT_EQ(Stat(&ThreadStats::cmd_get), 2u);
  EXPECT_EQ(Stat(&ThreadStats::get_hits), 1u);
  EXPECT_EQ(Stat(&ThreadStats::get_misses), 1u);
  Run("mg k T30 v");
  EXPECT_EQ(Stat(&ThreadStats::cmd_touch), 1u);
  EXPECT_EQ(Stat(&ThreadStats::touch_hits), 1u);
  EXPECT_EQ(Stat(&ThreadStats::cmd_get), 2u);
  Run("mg nope T30 v");  // 1.6.18 counts a touching miss as a get miss
  EXPECT_EQ(Stat(&ThreadStats::cmd_get), 3u);
  EXPECT_EQ(Stat(&ThreadStats::get_misses), 2u);
  EXPECT_EQ(Stat(&ThreadStats::touch_misses), 0u);
}

TEST_F(MetaDispatchTest, HAndLReportTheStateBeforeThisAccess) {
  Set("k", "v");
  clock_.Advance(3);
  EXPECT_EQ(Run("mg k h l"), "HD h0 l3\r\n");
  EXPECT_EQ(Run("mg k h l"), "HD h1 l0\r\n");
}

TEST_F(MetaDispatchTest, UDoesNotMarkTheItemFetched) {
  Set("k", "v");
  EXPECT_EQ(Run("mg k u h"), "HD h0\r\n");
  EXPECT_EQ(Run("mg k u h"), "HD h0\r\n");
}

TEST_F(MetaDispatchTest, TSetsANewTtl) {
  Set("k", "v", "T100");
  EXPECT_EQ(Run("mg k T30"), "HD\r\n");
  EXPECT_EQ(Run("mg k t"), "HD t30\r\n");
  clock_.Advance(30);
  EXPECT_EQ(Run("mg k t"), "EN\r\n");
}

TEST_F(MetaDispatchTest, VivifyHandsOutOneWinToken) {
  const std::string first = Run("mg vv N30 v c");
  const std::string cas = C("vv");
  EXPECT_EQ(first, "VA 0 c" + cas + " W\r\n\r\n");
  EXPECT_EQ(Run("mg vv N30 v c"), "VA 0 c" + cas + " Z\r\n\r\n");
  EXPECT_EQ(Run("mg vv t"), "HD t30 Z\r\n");
}

TEST_F(MetaDispatchTest, AVivifiedMissCountsAsAHit) {
  EXPECT_EQ(Run("mg vv N30"), "HD W\r\n");
  EXPECT_EQ(Stat(&ThreadStats::cmd_get), 1u);
  EXPECT_EQ(Stat(&ThreadStats::get_hits), 1u);
  EXPECT_EQ(Stat(&ThreadStats::get_misses), 0u);
}

// mg E<cas> (a later release's flag, README differences 12): a vivified item's CAS.
TEST_F(MetaDispatchTest, VivifyTakesAnExplicitCas) {
  EXPECT_EQ(Run("mg vv N30 E99 c"), "HD c99 W\r\n");
  EXPECT_EQ(Run("mg vv c"), "HD c99 Z\r\n");
}

TEST_F(MetaDispatchTest, RecacheWinsOnceBelowTheThreshold) {
  Set("k", "v", "T10");
  EXPECT_EQ(Run("mg k R30 t"), "HD t10 W\r\n");
  EXPECT_EQ(Run("mg k R30 t"), "HD t10 Z\r\n");
  Set("far", "v", "T100");
  EXPECT_EQ(Run("mg far R30 t"), "HD t100\r\n");
}

TEST_F(MetaDispatchTest, MdIMakesTheItemStaleAndHandsOutOneToken) {
  Set("k", "b");
  EXPECT_EQ(Run("md k I T30"), "HD\r\n");
  EXPECT_EQ(Stat(&ThreadStats::delete_hits), 0u);
  EXPECT_EQ(Run("mg k t v"), "VA 1 t30 X W\r\nb\r\n");
  EXPECT_EQ(Run("mg k t v"), "VA 1 t30 Z X\r\nb\r\n");
}

TEST_F(MetaDispatchTest, MsIWithAnOlderCasStoresAStaleValue) {
  Set("sw", "a", "T100");
  const uint64_t cas = CasOf("sw");
  EXPECT_EQ(Run("mg sw R200 c t"), "HD c" + std::to_string(cas) + " t100 W\r\n");
  const std::string stored = Run("ms sw 1 I T5 c C" + std::to_string(cas - 1), "b");
  const std::string new_cas = C("sw");
  EXPECT_EQ(stored, "HD c" + new_cas + "\r\n");
  EXPECT_EQ(Run("mg sw v c t"), "VA 1 c" + new_cas + " t100 Z X\r\nb\r\n");
  EXPECT_EQ(Stat(&ThreadStats::cas_hits), 1u);
  EXPECT_EQ(Run("ms sw 1 I C" + std::to_string(cas + 1000), "c"), "EX\r\n");
  EXPECT_EQ(Stat(&ThreadStats::cas_badval), 1u);
}

// 1.6.18 writes each return flag while it walks the flags, applying T and N where they
// stand: `t` before `T`/`N` reports the TTL from before them. 1.6.18:
//   ms a 1 T100 / mg a t T30 -> "HD t100", then mg a t -> "HD t30";
//   mg b t N30 c (miss)      -> "HD t-1 c<cas> W", then mg b t -> "HD t30 Z".
TEST_F(MetaDispatchTest, TBeforeTouchOrVivifyReportsTheTtlBeforeThem) {
  Set("a", "x", "T100");
  EXPECT_EQ(Run("mg a t T30"), "HD t100\r\n");
  EXPECT_EQ(Run("mg a t"), "HD t30\r\n");
  EXPECT_EQ(Run("mg a T50 t"), "HD t50\r\n");
  const std::string vivified = Run("mg b t N30 c");
  EXPECT_EQ(vivified, "HD t-1 c" + C("b") + " W\r\n");
  EXPECT_EQ(Run("mg b t"), "HD t30 Z\r\n");
}

// A TTL already in the past (T-1 expires the item at once) prints as the negative remainder.
// 1.6.18 prints that number as an unsigned 32-bit value (`mg k T-1 t` -> "HD t4294967024" at
// uptime 273); a deliberate difference, README "Differences from memcached" 12.
TEST_F(MetaDispatchTest, ATtlInThePastPrintsTheNegativeRemainder) {
  const std::string remainder = std::to_string(1 - int64_t{clock_.Now()});
  Set("k", "v");
  EXPECT_EQ(Run("mg k T-1 t"), "HD t" + remainder + "\r\n");
  EXPECT_EQ(Run("mg k t"), "EN\r\n");
  Set("n", "1");
  EXPECT_EQ(Run("ma n T-1 t"), "HD t" + remainder + "\r\n");
}

TEST_F(MetaDispatchTest, ALongOpaqueOnAMissIsAnErrorEvenWithQAndCountsTheMiss) {
  EXPECT_EQ(Run("mg nope " + kLongOpaque), kOpaqueTooLong);
  EXPECT_EQ(Run("mg nope q " + kLongOpaque), kOpaqueTooLong);
  EXPECT_EQ(Stat(&ThreadStats::cmd_get), 2u);
  EXPECT_EQ(Stat(&ThreadStats::get_misses), 2u);
}

// On a hit 1.6.18 reaches the opaque while writing return flags and jumps to the error before
// it counts the command: `mg k v O<33 bytes>` moves no counter.
TEST_F(MetaDispatchTest, ALongOpaqueOnAHitIsAnErrorAndCountsNothing) {
  Set("k", "v");
  EXPECT_EQ(Run("mg k v " + kLongOpaque), kOpaqueTooLong);
  EXPECT_EQ(Stat(&ThreadStats::cmd_get), 0u);
  EXPECT_EQ(Stat(&ThreadStats::get_hits), 0u);
  EXPECT_EQ(Run("mg k T30 " + kLongOpaque), kOpaqueTooLong);
  EXPECT_EQ(Stat(&ThreadStats::cmd_touch), 0u);
}

// ...and before it marks the token sent: the W is never handed out. 1.6.18:
//   mg ov N30 O<33 bytes> -> opaque error; mg ov t -> "HD t30" (no Z: nobody holds the token).
TEST_F(MetaDispatchTest, ALongOpaqueHandsOutNoWinToken) {
  EXPECT_EQ(Run("mg ov N30 " + kLongOpaque), kOpaqueTooLong);
  EXPECT_EQ(Run("mg ov t"), "HD t30\r\n");
  Set("r", "v", "T10");
  EXPECT_EQ(Run("mg r R30 " + kLongOpaque), kOpaqueTooLong);
  EXPECT_EQ(Run("mg r t"), "HD t10\r\n");
}

// Without T N R l h, 1.6.18 marks the access while it fetches, before it meets the opaque;
// with one of them the mark comes after the flags and the error skips it. 1.6.18:
//   mg k v O<33 bytes> -> error, then mg k h -> "HD h1";
//   mg k h O<33 bytes> -> error, then mg k h -> "HD h0".
TEST_F(MetaDispatchTest, ALongOpaqueSkipsOnlyADelayedAccessMark) {
  Set("early", "v");
  Set("late", "v");
  EXPECT_EQ(Run("mg early v " + kLongOpaque), kOpaqueTooLong);
  EXPECT_EQ(Run("mg late h " + kLongOpaque), kOpaqueTooLong);
  EXPECT_EQ(Run("mg early h"), "HD h1\r\n");
  EXPECT_EQ(Run("mg late h"), "HD h0\r\n");
}

TEST_F(MetaDispatchTest, Base64KeysAreDecodedAndEchoedEncoded) {
  Set("foo", "hi");
  EXPECT_EQ(Run("mg Zm9v b k v"), "VA 2 kfoo\r\nhi\r\n");  // stored without b: printed raw
  EXPECT_EQ(Run("mg Zg== b k Oa"), "EN kZg== b Oa\r\n");
  EXPECT_EQ(Run("mg Zm9 b k"), "CLIENT_ERROR error decoding key\r\n");
  EXPECT_EQ(Run("ms Zm9v 2 b k", "ho"), "HD kZm9v b\r\n");
  EXPECT_EQ(Run("mg Zm9v b k v"), "VA 2 kZm9v b\r\nho\r\n");
  EXPECT_EQ(Run("mg foo k"), "HD kZm9v b\r\n");  // the item remembers its key came encoded
}

TEST_F(MetaDispatchTest, LargeValuesComeBackWhole) {
  std::string value(200000, 'x');
  for (size_t i = 0; i < value.size(); i += 7) value[i] = static_cast<char>('a' + i % 26);
  Set("big", value);
  EXPECT_EQ(Run("mg big v s"), "VA 200000 s200000\r\n" + value + "\r\n");
}

// --- ms ------------------------------------------------------------------------------------

TEST_F(MetaDispatchTest, MsReturnsCasKeyAndOpaqueOnly) {
  const std::string reply = Run("ms foo 2 T0 F5 c k s Oq1", "hi");
  EXPECT_EQ(reply, "HD c" + C("foo") + " kfoo Oq1\r\n");
  EXPECT_EQ(Run("mg foo f v"), "VA 2 f5\r\nhi\r\n");
  EXPECT_EQ(Stat(&ThreadStats::cmd_set), 1u);
}

TEST_F(MetaDispatchTest, MsQuietHidesOnlyHD) {
  EXPECT_EQ(Run("ms k 1 q", "a"), "");
  EXPECT_EQ(Run("ms k 1 q ME Oo k", "b"), "NS Oo kk\r\n");
  EXPECT_EQ(Run("ms k 1 q C1", "b"), "EX\r\n");
  EXPECT_EQ(Run("ms nope 1 q MR", "b"), "NS\r\n");
}

TEST_F(MetaDispatchTest, MsModes) {
  EXPECT_EQ(Run("ms k 1 MR", "x"), "NS\r\n");
  EXPECT_EQ(Run("ms k 1 ME", "b"), "HD\r\n");
  EXPECT_EQ(Run("ms k 1 ME", "x"), "NS\r\n");
  EXPECT_EQ(Run("ms k 1 MA", "c"), "HD\r\n");
  EXPECT_EQ(Run("ms k 1 MP", "a"), "HD\r\n");
  EXPECT_EQ(Run("mg k v"), "VA 3\r\nabc\r\n");
  EXPECT_EQ(Run("ms k 1 MR F3", "r"), "HD\r\n");
  EXPECT_EQ(Run("ms k 1 MS", "s"), "HD\r\n");
  EXPECT_EQ(Run("mg k v"), "VA 1\r\ns\r\n");
  EXPECT_EQ(Run("ms k 1 Mx", "x"), "CLIENT_ERROR invalid mode for ms M token\r\n");
  EXPECT_EQ(last_.next, NextStep::kSwallow);
}

TEST_F(MetaDispatchTest, MsWithCIsACompareAndSwap) {
  Set("k", "a");
  EXPECT_EQ(Run("ms k 1 C" + C("k"), "b"), "HD\r\n");
  EXPECT_EQ(Run("ms k 1 C1", "c"), "EX\r\n");
  EXPECT_EQ(Run("ms nope 1 C1", "c"), "NF\r\n");
  EXPECT_EQ(Run("ms k 1 MR C" + C("k"), "d"), "HD\r\n");
  EXPECT_EQ(Stat(&ThreadStats::cas_hits), 2u);
  EXPECT_EQ(Stat(&ThreadStats::cas_badval), 1u);
  EXPECT_EQ(Stat(&ThreadStats::cas_misses), 1u);
  EXPECT_EQ(Stat(&ThreadStats::cmd_set), 5u);
  // Append compares without counting a cas; add ignores C.
  EXPECT_EQ(Run("ms k 1 MA C1", "x"), "EX\r\n");
  EXPECT_EQ(Run("ms k 1 MA C" + C("k"), "e"), "HD\r\n");
  EXPECT_EQ(Run("ms new 1 ME C1", "n"), "HD\r\n");
  EXPECT_EQ(Stat(&ThreadStats::cas_badval), 1u);
  EXPECT_EQ(Run("mg k v"), "VA 2\r\nde\r\n");
}

// 1.6.18's do_store_item: a request CAS of 0 is "no CAS", which a cas-mode store answers EX
// before it looks at I. 1.6.18: `ms c0 1 C0 I` -> "EX", the value unchanged.
TEST_F(MetaDispatchTest, MsCasZeroWithIIsExists) {
  Set("k", "a");
  EXPECT_EQ(Run("ms k 1 C0", "b"), "EX\r\n");
  EXPECT_EQ(Run("ms k 1 C0 I", "b"), "EX\r\n");
  EXPECT_EQ(Run("mg k v"), "VA 1\r\na\r\n");
}

// ms E<cas> (a later release's flag, README differences 12).
TEST_F(MetaDispatchTest, MsTakesAnExplicitCas) {
  EXPECT_EQ(Run("ms k 1 E555 c", "a"), "HD c555\r\n");
  EXPECT_EQ(Run("mg k c"), "HD c555\r\n");
}

TEST_F(MetaDispatchTest, ABadDataChunkIsAnErrorEvenWithQAndKeepsTheOldValue) {
  Set("k", "a");
  EXPECT_EQ(Run("ms k 1 q", "b", /*chunk_ok=*/false), "CLIENT_ERROR bad data chunk\r\n");
  EXPECT_EQ(Run("mg k v"), "VA 1\r\na\r\n");
}

TEST_F(MetaDispatchTest, ATooLargeValueIsSwallowedAndUnlinksTheOldOne) {
  Set("k", "a");
  EXPECT_EQ(Run("ms k 2000000 q MA", std::string(2000000, 'x')),
            "SERVER_ERROR object too large for cache\r\n");
  EXPECT_EQ(last_.next, NextStep::kSwallow);
  EXPECT_EQ(Run("mg k v"), "EN\r\n");
  EXPECT_EQ(Stat(&ThreadStats::store_too_large), 1u);
  EXPECT_EQ(Stat(&ThreadStats::cmd_set), 1u);
}

TEST_F(MetaDispatchTest, MsFlagErrorsSwallowTheDataBlock) {
  EXPECT_EQ(Run("ms k 3 Tx q", "abc"), "CLIENT_ERROR bad token in command line format\r\n");
  EXPECT_EQ(last_.next, NextStep::kSwallow);
  EXPECT_EQ(Run("ms k 3 " + kLongOpaque, "abc"), kOpaqueTooLong);
  EXPECT_EQ(Run("ms k x"), "CLIENT_ERROR bad command line format\r\n");
  EXPECT_EQ(last_.next, NextStep::kContinue);
  EXPECT_EQ(Stat(&ThreadStats::cmd_set), 0u);
}

// 1.6.18 ignores N on ms (vivifying append/prepend came later and is not among README's
// deliberate differences): `ms ap 2 MA N30` on a miss answers NS and stores nothing.
TEST_F(MetaDispatchTest, MsAppendWithNOnAMissIsNotStoredAs1618Does) {
  EXPECT_EQ(Run("ms ap 2 MA N30", "hi"), "NS\r\n");
  EXPECT_EQ(Run("mg ap v"), "EN\r\n");
}

// --- md ------------------------------------------------------------------------------------

TEST_F(MetaDispatchTest, MdDeletesAndCounts) {
  Set("k", "v");
  EXPECT_EQ(Run("md k"), "HD\r\n");
  EXPECT_EQ(Run("md k"), "NF\r\n");
  EXPECT_EQ(Stat(&ThreadStats::delete_hits), 1u);
  EXPECT_EQ(Stat(&ThreadStats::delete_misses), 1u);
  Set("k", "v");
  EXPECT_EQ(Run("md k q"), "");
  EXPECT_EQ(Run("md k q"), "NF\r\n");
}

TEST_F(MetaDispatchTest, MdEchoesOpaqueAndKeyInOrder) {
  Set("k", "v");
  EXPECT_EQ(Run("md k k Oab"), "HD kk Oab\r\n");
  EXPECT_EQ(Run("md k Oab k"), "NF Oab kk\r\n");
  EXPECT_EQ(Run("md Zm9v b k"), "NF kZm9v b\r\n");
}

TEST_F(MetaDispatchTest, MdComparesTheCasEvenZero) {
  Set("k", "v");
  EXPECT_EQ(Run("md k C1"), "EX\r\n");
  EXPECT_EQ(Run("md k C0"), "EX\r\n");
  EXPECT_EQ(Stat(&ThreadStats::delete_misses), 2u);
  EXPECT_EQ(Run("md k q C" + C("k")), "");
  EXPECT_EQ(Run("mg k"), "EN\r\n");
}

TEST_F(MetaDispatchTest, MdWithALongOpaqueDeletesNothing) {
  Set("k", "v");
  EXPECT_EQ(Run("md k " + kLongOpaque), kOpaqueTooLong);
  EXPECT_EQ(Run("md nope " + kLongOpaque), kOpaqueTooLong);
  EXPECT_EQ(Run("mg k v"), "VA 1\r\nv\r\n");
}

TEST_F(MetaDispatchTest, MdFlagErrorsAreAllInvalidOrDuplicate) {
  EXPECT_EQ(Run("md k Tx"), "CLIENT_ERROR invalid or duplicate flag\r\n");
  EXPECT_EQ(Run("md k Z q"), "CLIENT_ERROR invalid or duplicate flag\r\n");
}

// md x (a later release's flag, README differences 12): an empty value with flags F and TTL T.
TEST_F(MetaDispatchTest, MdXEmptiesTheValueButKeepsTheKey) {
  Set("k", "value", "F9 T100");
  EXPECT_EQ(Run("md k x F5 T30"), "HD\r\n");
  EXPECT_EQ(Run("mg k v f t"), "VA 0 f5 t30\r\n\r\n");
  EXPECT_EQ(Run("md nope x"), "NF\r\n");
}

// --- ma ------------------------------------------------------------------------------------

TEST_F(MetaDispatchTest, MaIncrementsAndDecrements) {
  Set("n", "10");
  EXPECT_EQ(Run("ma n"), "HD\r\n");
  EXPECT_EQ(Run("ma n v"), "VA 2\r\n12\r\n");
  EXPECT_EQ(Run("ma n MD D5 v"), "VA 1\r\n7\r\n");
  EXPECT_EQ(Run("ma n M- D100 v"), "VA 1\r\n0\r\n");
  EXPECT_EQ(Run("ma n M+ D18446744073709551615 v"), "VA 20\r\n18446744073709551615\r\n");
  EXPECT_EQ(Run("ma n MI v"), "VA 1\r\n0\r\n");  // wraps at 2^64
  EXPECT_EQ(Stat(&ThreadStats::incr_hits), 4u);
  EXPECT_EQ(Stat(&ThreadStats::decr_hits), 2u);
}

TEST_F(MetaDispatchTest, MaMissIsNFUnlessNCreatesTheInitialValue) {
  EXPECT_EQ(Run("ma nope Oab k"), "NF Oab knope\r\n");
  EXPECT_EQ(Run("ma nope MD"), "NF\r\n");
  EXPECT_EQ(Stat(&ThreadStats::incr_misses), 1u);
  EXPECT_EQ(Stat(&ThreadStats::decr_misses), 1u);
  EXPECT_EQ(Run("ma nope N0 J5 D3 v"), "VA 1\r\n5\r\n");
  EXPECT_EQ(Run("ma other N0 J7 q"), "HD\r\n");  // q does not hide a vivify (1.6.18)
  EXPECT_EQ(Stat(&ThreadStats::incr_hits), 0u);
  EXPECT_EQ(Run("mg other v"), "VA 1\r\n7\r\n");
}

TEST_F(MetaDispatchTest, MaQuietHidesOnlyTheNominalReply) {
  Set("n", "1");
  EXPECT_EQ(Run("ma n q"), "");
  EXPECT_EQ(Run("ma n q v"), "");
  EXPECT_EQ(Run("ma nope q"), "NF\r\n");
  EXPECT_EQ(Run("ma n q C1"), "EX\r\n");
  EXPECT_EQ(Run("mg n v"), "VA 1\r\n3\r\n");
}

TEST_F(MetaDispatchTest, MaReturnFlagsInRequestOrder) {
  Set("n", "10");
  const std::string reply = Run("ma n c t k Oab v");
  EXPECT_EQ(reply, "VA 2 c" + C("n") + " t-1 kn Oab\r\n11\r\n");
}

TEST_F(MetaDispatchTest, MaTSetsTheTtl) {
  Set("n", "10");
  EXPECT_EQ(Run("ma n T30"), "HD\r\n");
  EXPECT_EQ(Run("ma n t"), "HD t30\r\n");
  EXPECT_EQ(Run("ma v T40 N30 t"), "HD t30\r\n");  // vivified: T and N in request order
  EXPECT_EQ(Run("ma w N30 T40 t"), "HD t40\r\n");
}

// As mg: 1.6.18 applies ma's T and N while it writes the return flags. 1.6.18:
//   ms n1 2 T100 / ma n1 t T30        -> "HD t100";
//   ma n2 N0 J5 t T30 v (miss)         -> "VA 1 t-1", then ma n2 t -> "HD t30";
//   ma n3 t N30 v (miss)               -> "VA 1 t-1".
TEST_F(MetaDispatchTest, MaTBeforeTouchOrVivifyReportsTheTtlBeforeThem) {
  Set("n1", "10", "T100");
  EXPECT_EQ(Run("ma n1 t T30"), "HD t100\r\n");
  EXPECT_EQ(Run("ma n1 t"), "HD t30\r\n");
  EXPECT_EQ(Run("ma n2 N0 J5 t T30 v"), "VA 1 t-1\r\n5\r\n");
  EXPECT_EQ(Run("ma n2 t"), "HD t30\r\n");
  EXPECT_EQ(Run("ma n3 t N30 v"), "VA 1 t-1\r\n0\r\n");
}

TEST_F(MetaDispatchTest, MaComparesANonzeroCas) {
  Set("n", "1");
  EXPECT_EQ(Run("ma n C1 v"), "EX\r\n");
  EXPECT_EQ(Stat(&ThreadStats::incr_misses) + Stat(&ThreadStats::incr_hits), 0u);
  EXPECT_EQ(Run("ma n v C" + C("n")), "VA 1\r\n2\r\n");
}

// do_add_delta compares only a nonzero CAS: 1.6.18 answers `ma c0 C0 v` on "5" with "VA 1 / 6".
TEST_F(MetaDispatchTest, MaWithCasZeroDoesNotCompare) {
  Set("n", "5");
  EXPECT_EQ(Run("ma n C0 v"), "VA 1\r\n6\r\n");
}

TEST_F(MetaDispatchTest, MaRejectsUnknownModes) {
  Set("n", "5");
  EXPECT_EQ(Run("ma n Mx"), "CLIENT_ERROR invalid mode for ma M token\r\n");
  EXPECT_EQ(Run("ma nope Mx q"), "CLIENT_ERROR invalid mode for ma M token\r\n");
}

// 1.6.18 knows I + D - only: it answers `ma n Mi` and `ma n Md` with the mode error.
TEST_F(MetaDispatchTest, MaRejectsLowercaseModesAs1618Does) {
  Set("n", "5");
  EXPECT_EQ(Run("ma n Mi"), "CLIENT_ERROR invalid mode for ma M token\r\n");
  EXPECT_EQ(Run("ma n Md"), "CLIENT_ERROR invalid mode for ma M token\r\n");
  EXPECT_EQ(Run("mg n v"), "VA 1\r\n5\r\n");
}

TEST_F(MetaDispatchTest, MaOnANonNumericValueIsAnError) {
  Set("s", "x");
  EXPECT_EQ(Run("ma s q"), "CLIENT_ERROR cannot increment or decrement non-numeric value\r\n");
  Set("e", "");
  EXPECT_EQ(Run("ma e"), "CLIENT_ERROR cannot increment or decrement non-numeric value\r\n");
}

TEST_F(MetaDispatchTest, MaWithALongOpaqueStillIncrements) {
  Set("n", "10");
  EXPECT_EQ(Run("ma n k c " + kLongOpaque), kOpaqueTooLong);
  EXPECT_EQ(Run("mg n v"), "VA 2\r\n11\r\n");
}

// 1.6.18 applies ma's T and N while it walks the flags and stops at an over-long opaque, so a
// T or N after it never happens (the increment or the creation already did). 1.6.18:
//   ms n 1 T100 / ma n O<33> T30  -> error; mg n t v -> "VA 1 t100 / 2";
//   ma v N0 O<33> T30 (miss)      -> error; mg v t v -> "VA 1 t-1 / 0";
//   ma w T30 O<33> N0 (miss)      -> error; mg w t v -> "VA 1 t30 / 0".
TEST_F(MetaDispatchTest, MaTOrNAfterALongOpaqueIsNotApplied) {
  Set("n", "1", "T100");
  EXPECT_EQ(Run("ma n " + kLongOpaque + " T30"), kOpaqueTooLong);
  EXPECT_EQ(Run("mg n t v"), "VA 1 t100\r\n2\r\n");
  EXPECT_EQ(Run("ma v N0 " + kLongOpaque + " T30"), kOpaqueTooLong);
  EXPECT_EQ(Run("mg v t v"), "VA 1 t-1\r\n0\r\n");
  EXPECT_EQ(Run("ma w T30 " + kLongOpaque + " N0"), kOpaqueTooLong);
  EXPECT_EQ(Run("mg w t v"), "VA 1 t30\r\n0\r\n");
}

// 1.6.18 checks the opaque in the NF/EX/NS reply too: `ma missing O<33 bytes>` -> the error.
TEST_F(MetaDispatchTest, MaLongOpaqueWithoutAnItemIsAnError) {
  EXPECT_EQ(Run("ma nope " + kLongOpaque), kOpaqueTooLong);
  Set("n", "1");
  EXPECT_EQ(Run("ma n C1 " + kLongOpaque), kOpaqueTooLong);
}

// The long-opaque error must replace the whole reply line, whatever the key looks like:
// 1.6.18 answers `ma xHD k O<33 bytes>` with just the error line.
TEST_F(MetaDispatchTest, MaLongOpaqueErrorIsCleanForKeysHoldingTheReplyCode) {
  Set("xHD", "1");
  EXPECT_EQ(Run("ma xHD k " + kLongOpaque), kOpaqueTooLong);
  Set("xVA", "1");
  EXPECT_EQ(Run("ma xVA k v " + kLongOpaque), kOpaqueTooLong);
}

TEST_F(MetaDispatchTest, MaBinaryKeys) {
  Set("foo", "1");
  EXPECT_EQ(Run("ma Zm9v b k v"), "VA 1 kZm9v b\r\n2\r\n");
  EXPECT_EQ(Run("ma Zm9vMQ== b N0 J3 k"), "HD kZm9vMQ== b\r\n");
  EXPECT_EQ(Run("mg Zm9vMQ== b v"), "VA 1\r\n3\r\n");
}

// Items that mg N and ma N create with `b` keep the base64 mark, so `k` prints the key
// encoded; 1.6.18 prints it raw (`mg Zm9vMg== b N30 k v` -> "VA 0 kfoo2 W"), which splits the
// reply line for keys holding CR or LF: a deliberate difference, README "Differences" 12.
TEST_F(MetaDispatchTest, ItemsVivifiedWithBKeepTheBase64Mark) {
  EXPECT_EQ(Run("mg Zm9vMg== b N30 k v"), "VA 0 kZm9vMg== b W\r\n\r\n");
  EXPECT_EQ(Run("mg Zm9vMg== b k"), "HD kZm9vMg== b Z\r\n");
  EXPECT_EQ(Run("me Zm9vMg== b").rfind("ME Zm9vMg== exp=-30 ", 0), 0u);
  Run("ma Zm9vMw== b N0 J3");
  EXPECT_EQ(Run("mg Zm9vMw== b k v"), "VA 1 kZm9vMw== b\r\n3\r\n");
}

// The new items that append/prepend and a longer incr result make keep the base64 mark, so
// `k` never prints raw key bytes. 1.6.18 drops it: ms Zm9vYQ== 1 b / a, ms Zm9vYQ== 1 b MA k
// / b, mg Zm9vYQ== b k v -> "VA 2 kfooa / ab"; the same with "9" and ma -> "VA 2 kfoob / 10"
// (README "Differences" 12). In place ("8" -> "9") both keep the item and its mark.
TEST_F(MetaDispatchTest, NewItemsFromAppendOrALongerIncrementKeepTheBase64Mark) {
  Run("ms Zm9vYQ== 1 b", "a");
  EXPECT_EQ(Run("ms Zm9vYQ== 1 b MA k", "b"), "HD kZm9vYQ== b\r\n");
  EXPECT_EQ(Run("mg Zm9vYQ== b k v"), "VA 2 kZm9vYQ== b\r\nab\r\n");
  Run("ms Zm9vYg== 1 b", "9");
  Run("ma Zm9vYg== b");
  EXPECT_EQ(Run("mg Zm9vYg== b k v"), "VA 2 kZm9vYg== b\r\n10\r\n");
  Run("ms Zm9vYw== 1 b", "8");
  Run("ma Zm9vYw== b");
  EXPECT_EQ(Run("mg Zm9vYw== b k v"), "VA 1 kZm9vYw== b\r\n9\r\n");
}

// The same for the stale and win-token marks. 1.6.18: ms st 1 / 9, md st I, mg st c
// ("HD c.. X W"), ma st, mg st v -> "VA 2 / 10"; with "8" (in place) -> "VA 1 X W / 9".
TEST_F(MetaDispatchTest, AGrownIncrementDropsTheStaleMark) {
  Set("st", "9");
  Run("md st I");
  EXPECT_EQ(Run("mg st"), "HD X W\r\n");
  Run("ma st");
  EXPECT_EQ(Run("mg st v"), "VA 2\r\n10\r\n");
  Set("in", "8");
  Run("md in I");
  Run("ma in");
  EXPECT_EQ(Run("mg in v"), "VA 1 X W\r\n9\r\n");
}

// --- me and mn -----------------------------------------------------------------------------

TEST_F(MetaDispatchTest, MeDescribesTheItemAndCountsEveryCall) {
  Set("k", "hi");
  const std::string cas = C("k");
  const uint64_t gets = Stat(&ThreadStats::cmd_get);
  clock_.Advance(2);
  const std::string reply = Run("me k");
  EXPECT_EQ(reply.rfind("ME k exp=-1 la=2 cas=" + cas + " fetch=no cls=", 0), 0u) << reply;
  EXPECT_EQ(reply.substr(reply.size() - 2), "\r\n");
  Run("mg k");
  EXPECT_NE(Run("me k").find(" fetch=yes "), std::string::npos);
  EXPECT_EQ(Run("me nope"), "EN\r\n");
  EXPECT_EQ(Stat(&ThreadStats::cmd_meta), 3u);
  EXPECT_EQ(Stat(&ThreadStats::cmd_get), gets + 1);  // the mg only
}

// 1.6.18 prints exp as current_time - exptime: `ms st 2 T100` then `me st` -> "exp=-100".
TEST_F(MetaDispatchTest, MeExpIsPrintedAs1618PrintsIt) {
  Set("k", "hi", "T100");
  const std::string reply = Run("me k");
  EXPECT_EQ(reply.rfind("ME k exp=-100 la=0 ", 0), 0u) << reply;
}

TEST_F(MetaDispatchTest, MeDecodesBAsTheThirdToken) {
  Set("foo", "hi");
  EXPECT_EQ(Run("me Zm9v b x").rfind("ME foo exp=-1 ", 0), 0u);
  EXPECT_EQ(Run("me Zm9v bx x"), "EN\r\n");
  Run("ms Zm9v 1 b", "x");
  EXPECT_EQ(Run("me foo").rfind("ME Zm9v exp=-1 ", 0), 0u);  // re-encoded from the item
}

// 1.6.18 (ntokens counts the terminal token): `me Zm9v b` -> "ME foo exp=-1 ...".
TEST_F(MetaDispatchTest, MeDecodesBAsTheLastOfThreeTokens) {
  Set("foo", "hi");
  const std::string reply = Run("me Zm9v b");
  EXPECT_EQ(reply.rfind("ME foo exp=-1 ", 0), 0u) << reply;
}

// 1.6.18's process_meta_command has its own message: `me !!!! b x` -> bad command line format.
TEST_F(MetaDispatchTest, MeKeyThatDoesNotDecodeIsABadCommandLine) {
  EXPECT_EQ(Run("me !!!! b x"), "CLIENT_ERROR bad command line format\r\n");
}

TEST_F(MetaDispatchTest, MnIsMN) { EXPECT_EQ(Run("mn"), "MN\r\n"); }

TEST_F(MetaDispatchTest, ParseErrorsAreRepliedEvenWithQ) {
  EXPECT_EQ(Run("mg k v v q"), "CLIENT_ERROR duplicate flag\r\n");
  EXPECT_EQ(Run("mg k q Z"), "CLIENT_ERROR invalid flag\r\n");
  EXPECT_EQ(Run("ma k q Jx"), "CLIENT_ERROR invalid or duplicate flag\r\n");
  EXPECT_EQ(Run("mg " + std::string(251, 'k') + " q"), "CLIENT_ERROR bad command line format\r\n");
}

}  // namespace
}  // namespace slabd::server
