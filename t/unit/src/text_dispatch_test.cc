// TextDispatcher: parsed text requests against a real Store give memcached's exact
// reply bytes and count what memcached counts.
#include "src/text_dispatch.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "proto/text_parser.h"
#include "slab/murmur3.h"
#include "t/unit/src/dispatch_test_util.h"
#include "src/stats_report.h"

namespace slabd::server {
namespace {

class TextDispatchTest : public ::testing::Test {
 protected:
  TextDispatchTest() : store_(options_.store, &clock_), ctx_(options_, clock_, store_) {
    ctx_.workers.emplace_back();
    dispatcher_ = std::make_unique<TextDispatcher>(ctx_, ctx_.workers.front());
  }

  // Sends one command (and its data block) and returns the reply bytes.
  std::string Run(const std::string& line, const std::string& data = "", bool chunk_ok = true) {
    OutputQueue out;
    proto::ParseResult r = proto::ParseTextCommand(line);
    EXPECT_NE(r.status, proto::ParseStatus::kNeedMore) << line;
    if (r.status == proto::ParseStatus::kError) {
      dispatcher_->Reject(r.error, r.noreply, out);
      return out.text();
    }
    PendingStore pending;
    DispatchOutcome o = dispatcher_->Execute(r.request, out, &pending);
    if (o.next == NextStep::kReadValue) {
      std::span<char> v = pending.reservation.value();
      EXPECT_EQ(v.size(), data.size());
      std::memcpy(v.data(), data.data(), std::min(v.size(), data.size()));
      dispatcher_->FinishStore(pending, chunk_ok, out);
    }
    last_next_ = o.next;
    return out.text();
  }
  uint64_t Stat(Counter ThreadStats::*field) { return (ctx_.workers.front().stats.*field).Get(); }

  ServerOptions options_;
  ManualClock clock_;
  slab::Store store_;
  ServerContext ctx_;
  std::unique_ptr<TextDispatcher> dispatcher_;
  NextStep last_next_ = NextStep::kContinue;
};

// Executes the get lines of `input` in place, so that their keys are views into it, with the
// given hash hints (Worker::RunDeferred's plan).
std::string RunGetsInPlace(TextDispatcher& d, HashHints& hints, std::string_view input,
                           std::span<const std::string_view> keys, const uint32_t* hashes) {
  OutputQueue out;
  hints.Set(keys, hashes);
  while (!input.empty()) {
    proto::ParseResult r = proto::ParseTextCommand(input);
    EXPECT_EQ(r.status, proto::ParseStatus::kOk);
    if (r.status != proto::ParseStatus::kOk) break;
    PendingStore pending;
    EXPECT_EQ(d.Execute(r.request, out, &pending).next, NextStep::kContinue);
    input.remove_prefix(r.consumed);
  }
  hints.Clear();
  return out.text();
}

TEST_F(TextDispatchTest, HashHintsAreUsedForTheKeyAtTheirAddressOnly) {
  Run("set a 0 0 1\r\n", "1");
  Run("set b 0 0 1\r\n", "2");
  Run("set c 0 0 1\r\n", "3");
  const std::string input = "get a\r\nget b c\r\nget c\r\n";
  const std::string both = "VALUE a 0 1\r\n1\r\nEND\r\n"
                           "VALUE b 0 1\r\n2\r\nVALUE c 0 1\r\n3\r\nEND\r\n"
                           "VALUE c 0 1\r\n3\r\nEND\r\n";
  const std::string_view in(input);
  // Views of a, of the multiget's b and of the last c, with their true hashes.
  const std::string_view keys[] = {in.substr(4, 1), in.substr(11, 1), in.substr(20, 1)};
  ASSERT_EQ(keys[0], "a");
  ASSERT_EQ(keys[1], "b");
  ASSERT_EQ(keys[2], "c");
  uint32_t hashes[] = {slab::HashKey("a"), slab::HashKey("b"), slab::HashKey("c")};
  EXPECT_EQ(RunGetsInPlace(*dispatcher_, ctx_.workers.front().hints, in, keys, hashes), both);
  // A hint is trusted, not checked: a wrong hash for b's view makes b miss (this is how the
  // test sees that the hint was used), and the other keys are not affected.
  hashes[1] = slab::HashKey("not b");
  EXPECT_EQ(RunGetsInPlace(*dispatcher_, ctx_.workers.front().hints, in, keys, hashes),
            "VALUE a 0 1\r\n1\r\nEND\r\nVALUE c 0 1\r\n3\r\nEND\r\n"
            "VALUE c 0 1\r\n3\r\nEND\r\n");
  // The same bytes at another address, or the same address with another length: no hint.
  const std::string copy = input;
  const std::string_view elsewhere[] = {std::string_view(copy).substr(11, 1)};
  const std::string_view longer[] = {in.substr(11, 3)};
  const uint32_t wrong[] = {slab::HashKey("not b")};
  EXPECT_EQ(RunGetsInPlace(*dispatcher_, ctx_.workers.front().hints, in, elsewhere, wrong), both);
  EXPECT_EQ(RunGetsInPlace(*dispatcher_, ctx_.workers.front().hints, in, longer, wrong), both);
  // Hints no lookup asks for (a set's key, say) are passed over, not mismatched with the next.
  const std::string with_set = "get a\r\nget c\r\n";
  const std::string_view ws(with_set);
  const std::string_view skipped[] = {ws.substr(0, 3), ws.substr(11, 1)};
  const uint32_t skipped_hashes[] = {slab::HashKey("not b"), slab::HashKey("c")};
  EXPECT_EQ(RunGetsInPlace(*dispatcher_, ctx_.workers.front().hints, ws, skipped, skipped_hashes),
            "VALUE a 0 1\r\n1\r\nEND\r\nVALUE c 0 1\r\n3\r\nEND\r\n");
}

TEST_F(TextDispatchTest, SetThenGetReturnsValueBlock) {
  EXPECT_EQ(Run("set k 5 0 3\r\n", "abc"), "STORED\r\n");
  EXPECT_EQ(Run("get k missing k\r\n"), "VALUE k 5 3\r\nabc\r\nVALUE k 5 3\r\nabc\r\nEND\r\n");
  EXPECT_EQ(Stat(&ThreadStats::cmd_get), 3u);
  EXPECT_EQ(Stat(&ThreadStats::get_hits), 2u);
  EXPECT_EQ(Stat(&ThreadStats::get_misses), 1u);
}

TEST_F(TextDispatchTest, GetsShowsCasAndCasDetectsConflicts) {
  Run("set k 0 0 1\r\n", "a");
  std::string gets = Run("gets k\r\n");
  ASSERT_EQ(gets.rfind("VALUE k 0 1 ", 0), 0u) << gets;
  std::string cas = gets.substr(12, gets.find("\r\n") - 12);
  EXPECT_EQ(Run("cas k 0 0 1 " + cas + "\r\n", "b"), "STORED\r\n");
  EXPECT_EQ(Run("cas k 0 0 1 " + cas + "\r\n", "c"), "EXISTS\r\n");
  EXPECT_EQ(Run("cas nope 0 0 1 1\r\n", "c"), "NOT_FOUND\r\n");
  EXPECT_EQ(Stat(&ThreadStats::cas_hits), 1u);
  EXPECT_EQ(Stat(&ThreadStats::cas_badval), 1u);
  EXPECT_EQ(Stat(&ThreadStats::cas_misses), 1u);
  EXPECT_EQ(Stat(&ThreadStats::cmd_set), 4u);  // counted when the item is allocated
}

TEST_F(TextDispatchTest, AddReplaceAppendPrepend) {
  EXPECT_EQ(Run("replace k 0 0 1\r\n", "x"), "NOT_STORED\r\n");
  EXPECT_EQ(Run("add k 7 0 1\r\n", "b"), "STORED\r\n");
  EXPECT_EQ(Run("add k 0 0 1\r\n", "x"), "NOT_STORED\r\n");
  EXPECT_EQ(Run("append k 0 0 1\r\n", "c"), "STORED\r\n");
  EXPECT_EQ(Run("prepend k 0 0 1\r\n", "a"), "STORED\r\n");
  EXPECT_EQ(Run("get k\r\n"), "VALUE k 7 3\r\nabc\r\nEND\r\n");
}

TEST_F(TextDispatchTest, BadDataChunkKeepsOldValue) {
  Run("set k 0 0 1\r\n", "a");
  EXPECT_EQ(Run("set k 0 0 1\r\n", "b", /*chunk_ok=*/false), "CLIENT_ERROR bad data chunk\r\n");
  EXPECT_EQ(Run("get k\r\n"), "VALUE k 0 1\r\na\r\nEND\r\n");
}

TEST_F(TextDispatchTest, TooLargeSwallowsAndUnlinksOldValueOfSet) {
  Run("set k 0 0 1\r\n", "a");
  EXPECT_EQ(Run("set k 0 0 2000000\r\n"), "SERVER_ERROR object too large for cache\r\n");
  EXPECT_EQ(last_next_, NextStep::kSwallow);
  EXPECT_EQ(Run("get k\r\n"), "END\r\n");
  EXPECT_EQ(Stat(&ThreadStats::store_too_large), 1u);
}

TEST_F(TextDispatchTest, NoreplySuppressesStatusButNotValues) {
  EXPECT_EQ(Run("set k 0 0 2 noreply\r\n", "10"), "");
  EXPECT_EQ(Run("incr k 5 noreply\r\n"), "");
  EXPECT_EQ(Run("delete nope noreply\r\n"), "");
  EXPECT_EQ(Run("get k\r\n"), "VALUE k 0 2\r\n15\r\nEND\r\n");
}

TEST_F(TextDispatchTest, IncrDecrReplies) {
  EXPECT_EQ(Run("incr n 1\r\n"), "NOT_FOUND\r\n");
  Run("set n 0 0 2\r\n", "10");
  EXPECT_EQ(Run("decr n 1\r\n"), "9\r\n");
  EXPECT_EQ(Run("get n\r\n"), "VALUE n 0 2\r\n9 \r\nEND\r\n");  // padded in place
  EXPECT_EQ(Run("decr n 100\r\n"), "0\r\n");
  Run("set s 0 0 1\r\n", "x");
  EXPECT_EQ(Run("incr s 1\r\n"),
            "CLIENT_ERROR cannot increment or decrement non-numeric value\r\n");
  EXPECT_EQ(Stat(&ThreadStats::incr_misses), 1u);
  EXPECT_EQ(Stat(&ThreadStats::decr_hits), 2u);
}

TEST_F(TextDispatchTest, TouchAndGatCountAsTouches) {
  Run("set k 0 0 1\r\n", "a");
  EXPECT_EQ(Run("touch k 10\r\n"), "TOUCHED\r\n");
  EXPECT_EQ(Run("touch nope 10\r\n"), "NOT_FOUND\r\n");
  EXPECT_EQ(Run("gat 0 k nope\r\n"), "VALUE k 0 1\r\na\r\nEND\r\n");
  EXPECT_EQ(Stat(&ThreadStats::cmd_touch), 4u);
  EXPECT_EQ(Stat(&ThreadStats::touch_hits), 2u);
  EXPECT_EQ(Stat(&ThreadStats::cmd_get), 0u);
}

TEST_F(TextDispatchTest, ExpiryFollowsTheClock) {
  Run("set k 0 2 1\r\n", "a");
  EXPECT_EQ(Run("get k\r\n"), "VALUE k 0 1\r\na\r\nEND\r\n");
  clock_.Advance(2);
  EXPECT_EQ(Run("get k\r\n"), "END\r\n");
  EXPECT_EQ(Stat(&ThreadStats::get_expired), 1u);
}

TEST_F(TextDispatchTest, FlushAllHidesEverythingStoredBefore) {
  Run("set a 0 0 1\r\n", "1");
  EXPECT_EQ(Run("flush_all\r\n"), "OK\r\n");
  EXPECT_EQ(Run("get a\r\n"), "END\r\n");
  Run("set b 0 0 1\r\n", "2");
  EXPECT_EQ(Run("get b\r\n"), "VALUE b 0 1\r\n2\r\nEND\r\n");
  EXPECT_EQ(Stat(&ThreadStats::cmd_flush), 1u);
}

TEST_F(TextDispatchTest, VersionVerbosityQuitShutdown) {
  EXPECT_EQ(Run("version\r\n"), "VERSION 1.6.18\r\n");
  EXPECT_EQ(Run("verbosity 1\r\n"), "OK\r\n");
  EXPECT_EQ(ctx_.verbosity.load(), 1);
  EXPECT_EQ(Run("quit\r\n"), "");
  EXPECT_EQ(last_next_, NextStep::kClose);
  EXPECT_EQ(Run("shutdown\r\n"), "ERROR: shutdown not enabled\r\n");
}

TEST_F(TextDispatchTest, StatsSubcommands) {
  Run("set k 0 0 1\r\n", "a");
  std::string general = Run("stats\r\n");
  EXPECT_EQ(general.rfind("STAT pid ", 0), 0u);
  EXPECT_NE(general.find("STAT curr_items 1\r\n"), std::string::npos);
  EXPECT_NE(general.find("STAT cmd_set 1\r\n"), std::string::npos);
  EXPECT_EQ(general.substr(general.size() - 5), "END\r\n");
  EXPECT_NE(Run("stats settings\r\n").find("STAT growth_factor 1.125\r\n"), std::string::npos);
  EXPECT_NE(Run("stats slabs\r\n").find("STAT active_slabs 1\r\n"), std::string::npos);
  EXPECT_NE(Run("stats items\r\n").find(":number 1\r\n"), std::string::npos);
  EXPECT_EQ(Run("stats reset\r\n"), "RESET\r\n");
  EXPECT_EQ(Stat(&ThreadStats::cmd_set), 0u);
  EXPECT_EQ(Run("stats re\r\n"), "ERROR\r\n");
  EXPECT_EQ(Run("stats sizes\r\n"), "STAT sizes_status disabled\r\nEND\r\n");
}

TEST_F(TextDispatchTest, PrefixStatsCountWhenEnabled) {
  EXPECT_EQ(Run("stats detail on\r\n"), "OK\r\n");
  Run("set user:1 0 0 1\r\n", "a");
  Run("get user:1 user:2 plain\r\n");
  Run("delete user:2\r\n");
  EXPECT_EQ(Run("stats detail dump\r\n"), "PREFIX user get 2 hit 1 set 1 del 1\r\nEND\r\n");
  EXPECT_EQ(Run("stats detail\r\n"), "CLIENT_ERROR usage: stats detail on|off|dump\r\n");
}

TEST_F(TextDispatchTest, MultigetSuspendsAtTheOutputLimitAndResumes) {
  Run("set k 0 0 100\r\n", std::string(100, 'v'));
  proto::ParseResult r = proto::ParseTextCommand("get k k k k k\r\n");
  ASSERT_EQ(r.status, proto::ParseStatus::kOk);
  OutputQueue out;
  PendingStore pending;
  std::string all;
  size_t resume = 0;
  int rounds = 0;
  for (;; ++rounds) {
    DispatchOutcome o = dispatcher_->Execute(r.request, out, &pending, resume, 150);
    all += out.text();
    out = OutputQueue();  // as if written to the socket
    if (o.next != NextStep::kSuspend) break;
    ASSERT_GT(o.resume, resume);
    resume = o.resume;
  }
  std::string one = "VALUE k 0 100\r\n" + std::string(100, 'v') + "\r\n";
  EXPECT_EQ(all, one + one + one + one + one + "END\r\n");
  EXPECT_EQ(rounds, 2);  // three calls: keys 1-2, 3-4, then 5 and END
  EXPECT_EQ(Stat(&ThreadStats::cmd_get), 5u);
}

// Retrieve pipelines its prefetches over runs of keys (stages 4 keys apart, a 16-entry ring):
// every run length around those sizes answers every key in order, hits and misses mixed,
// duplicates included, with gets and gets-with-CAS alike; and a suspended multiget resumes
// mid-ring.
TEST_F(TextDispatchTest, MultigetsOfEveryLengthAnswerInOrder) {
  // Key m<i> (even i only) holds 1 + i % 7 copies of a letter, with flags i.
  auto data = [](int i) { return std::string(1 + i % 7, static_cast<char>('a' + i % 26)); };
  auto value = [&](int i) {
    return "VALUE m" + std::to_string(i) + " " + std::to_string(i) + " " +
           std::to_string(data(i).size()) + "\r\n" + data(i) + "\r\n";
  };
  for (int i = 0; i < 60; i += 2) {
    Run("set m" + std::to_string(i) + " " + std::to_string(i) + " 0 " +
            std::to_string(data(i).size()) + "\r\n",
        data(i));
  }
  for (size_t n : {1, 2, 3, 4, 5, 8, 12, 13, 15, 16, 17, 31, 33, 60}) {
    std::string line = "get";
    std::string want;
    for (size_t k = 0; k < n; ++k) {
      const int i = static_cast<int>((k * 7) % 60);  // repeats once n > 60/gcd
      line += " m" + std::to_string(i);
      if (i % 2 == 0) want += value(i);
    }
    EXPECT_EQ(Run(line + "\r\n"), want + "END\r\n") << n;
  }
  // Suspended after 3 keys of 20 (output limit), resumed from there.
  std::string line = "get";
  for (int k = 0; k < 20; ++k) line += " m" + std::to_string(2 * k);
  line += "\r\n";  // the parsed request's keys are views into it
  proto::ParseResult r = proto::ParseTextCommand(line);
  ASSERT_EQ(r.status, proto::ParseStatus::kOk);
  OutputQueue out;
  PendingStore pending;
  std::string all;
  size_t resume = 0;
  for (;;) {
    DispatchOutcome o = dispatcher_->Execute(r.request, out, &pending, resume, 40);
    all += out.text();
    out = OutputQueue();
    if (o.next != NextStep::kSuspend) break;
    ASSERT_GT(o.resume, resume);
    resume = o.resume;
  }
  std::string want;
  for (int k = 0; k < 20; ++k) want += value(2 * k);
  EXPECT_EQ(all, want + "END\r\n");
}

TEST_F(TextDispatchTest, CachedumpListsNewestFirstWithAbsoluteExptime) {
  Run("set a 0 0 1\r\n", "1");
  Run("set b 0 100 2\r\n", "12");
  EXPECT_EQ(Run("stats cachedump 1 0\r\n"),
            "ITEM b [2 b; 1700000200 s]\r\nITEM a [1 b; 0 s]\r\nEND\r\n");
  EXPECT_EQ(Run("stats cachedump 1 1\r\n"), "ITEM b [2 b; 1700000200 s]\r\nEND\r\n");
  EXPECT_EQ(Run("stats cachedump 2 0\r\n"), "END\r\n");
  EXPECT_EQ(Run("stats cachedump 1\r\n"), "CLIENT_ERROR bad command line\r\n");
  EXPECT_EQ(Run("stats cachedump 1 x\r\n"), "CLIENT_ERROR bad command line format\r\n");
  EXPECT_EQ(Run("stats cachedump 255 0\r\n"), "CLIENT_ERROR Illegal slab id\r\n");
}

TEST_F(TextDispatchTest, CacheMemlimitChangesTheBudget) {
  EXPECT_EQ(Run("cache_memlimit 4\r\n"),
            "MEMLIMIT_TOO_SMALL cannot set maxbytes to less than 8m\r\n");
  EXPECT_EQ(Run("cache_memlimit 2000000000\r\n"),
            "MEMLIMIT_ADJUST_FAILED input value is megabytes not bytes\r\n");
  EXPECT_EQ(Run("cache_memlimit 128\r\n"), "OK\r\n");
  EXPECT_EQ(store_.max_bytes(), 128ull << 20);
  EXPECT_NE(Run("stats\r\n").find("STAT limit_maxbytes 134217728\r\n"), std::string::npos);
  EXPECT_EQ(Run("cache_memlimit 64 noreply\r\n"), "");
  EXPECT_EQ(store_.max_bytes(), 64ull << 20);
}

}  // namespace
}  // namespace slabd::server

namespace slabd::server {
namespace {

// PipelinedKeys: which keys of buffered input the prefetch hint picks.
std::vector<std::string> Keys(std::string_view input, size_t room = 16) {
  std::vector<std::string_view> views(room);
  const size_t n = TextDispatcher::PipelinedKeys(input, std::span(views.data(), room));
  return std::vector<std::string>(views.begin(), views.begin() + static_cast<long>(n));
}

using Strings = std::vector<std::string>;

TEST(PipelinedKeysTest, SingleKeyGetsAndOneKeyCommandsInOrder) {
  EXPECT_EQ(Keys("get a\r\ngets bb\r\nset c 0 0 1\r\nx\r\ndelete d\r\nincr e 1\r\n"
                 "touch f 10\r\nmg g v\r\nms h 2\r\nhi\r\ncas i 0 0 1 5 noreply\r\n"),
            (Strings{"a", "bb", "c", "d", "e", "f", "g", "h", "i"}));
}

TEST(PipelinedKeysTest, EveryKeyedCommandAndNothingThatOnlyLooksLikeOne) {
  EXPECT_EQ(Keys("decr a 1\r\nadd b 0 0 1\r\nx\r\nappend c 0 0 1\r\nx\r\n"
                 "prepend d 0 0 1\r\nx\r\nreplace e 0 0 1\r\nx\r\nmd f q\r\nma g\r\n"),
            (Strings{"a", "b", "c", "d", "e", "f", "g"}));
  // No key: mn, me (a debug command), names that only share a prefix, a tab for a space.
  EXPECT_EQ(Keys("mn\r\nme k\r\nmgx k\r\nmx k\r\ndeletes k\r\ndec k 1\r\napp k\r\n"
                 "set\tk 0 0 1\r\nsets k\r\ncasx k\r\ntouchy k 1\r\nm\r\nmg\r\n"),
            Strings{});
}

TEST(PipelinedKeysTest, StopsAtAMultigetAndSkipsOtherLines) {
  EXPECT_EQ(Keys("get a\r\nversion\r\nget b c\r\nget d\r\n"), (Strings{"a"}));
  EXPECT_EQ(Keys("stats\r\nflush_all\r\nget k\r\n"), (Strings{"k"}));
}

TEST(PipelinedKeysTest, OnlyCompleteLinesAndAtMostRoom) {
  EXPECT_EQ(Keys("get a\r\nget b"), (Strings{"a"}));
  EXPECT_EQ(Keys("get a\nget b\nget c\n", 2), (Strings{"a", "b"}));
  EXPECT_EQ(Keys(""), Strings{});
}

TEST(PipelinedKeysTest, EmptyAndOverlongKeysAreSkipped) {
  const std::string long_key(251, 'k');
  EXPECT_EQ(Keys("get \r\nset " + long_key + " 0 0 1\r\nget " + long_key + "\r\nget ok\r\n"),
            (Strings{"ok"}));
  // A data block that looks like a command is harmless: a hint only.
  EXPECT_EQ(Keys("set a 0 0 9\r\nget inner\r\n"), (Strings{"a", "inner"}));
}

}  // namespace
}  // namespace slabd::server
