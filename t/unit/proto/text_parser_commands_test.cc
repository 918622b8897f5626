// ParseTextCommand on retrieval, incr/decr, touch, delete, flush_all, verbosity, version, quit,
// stats, shutdown, cache_memlimit, admin and meta lines. Outcomes match memcached 1.6.18, except
// that an over-long key anywhere in a multiget is found before any key is used (slabd fix).
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "proto/text_parser.h"
#include "t/unit/proto/text_parser_test_util.h"

namespace slabd::proto {
namespace {

using testing::KeysOf;
using TextParserTest = testing::TextCodecTest;
using Keys = std::vector<std::string>;

constexpr std::string_view kErr = "ERROR";
constexpr std::string_view kFormat = "CLIENT_ERROR bad command line format";
constexpr std::string_view kExptime = "CLIENT_ERROR invalid exptime argument";
constexpr std::string_view kDelta = "CLIENT_ERROR invalid numeric delta argument";
constexpr std::string_view kDeleteUsage =
    "CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]";

// --- get / gets / gat / gats ---

TEST_F(TextParserTest, GetSingleKey) {
  const TextRequest r = ParseOk("get foo\r\n");
  EXPECT_EQ(r.command, TextCommand::kGet);
  EXPECT_EQ(KeysOf(r.keys), Keys{"foo"});
  EXPECT_EQ(r.keys.front(), "foo");
  EXPECT_FALSE(r.noreply);
}

TEST_F(TextParserTest, GetsSeveralKeys) {
  const TextRequest r = ParseOk("gets a bb ccc\r\n");
  EXPECT_EQ(r.command, TextCommand::kGets);
  EXPECT_EQ(KeysOf(r.keys), (Keys{"a", "bb", "ccc"}));
  EXPECT_EQ(r.keys.Count(), 3u);
}

TEST_F(TextParserTest, GetWithTenThousandKeysIteratesEveryKey) {
  std::string line = "get";
  for (int i = 0; i < 10000; ++i) line += " key" + std::to_string(i);
  const TextRequest r = ParseOk(line + "\r\n");
  EXPECT_EQ(r.keys.Count(), 10000u);
  int i = 0;
  for (std::string_view key : r.keys) EXPECT_EQ(key, "key" + std::to_string(i++));
  EXPECT_EQ(i, 10000);
}

TEST_F(TextParserTest, GetNoreplyIsJustAKey) {
  const TextRequest r = ParseOk("get a noreply\r\n");
  EXPECT_EQ(KeysOf(r.keys), (Keys{"a", "noreply"}));
  EXPECT_FALSE(r.noreply);
}

TEST_F(TextParserTest, GetWithoutKeyAnswersError) {
  ExpectError("get\r\n", kErr);
  ExpectError("gets\r\n", kErr);
  ExpectError("get   \r\n", kErr);
  ExpectError("gat\r\n", kErr);
}

TEST_F(TextParserTest, GetKeyOf250BytesIsAccepted) {
  EXPECT_EQ(ParseOk("get " + std::string(250, 'a') + "\r\n").keys.front().size(), 250u);
}

TEST_F(TextParserTest, GetKeyOf251BytesAnswersJustTheErrorLine) {
  ExpectError("get " + std::string(251, 'a') + "\r\n", kFormat);
  ExpectError("get b " + std::string(251, 'a') + "\r\n", kFormat);
  ExpectError("gets b " + std::string(251, 'a') + " c noreply\r\n", kFormat);
}

TEST_F(TextParserTest, GetKeyOf251BytesBeyondTheTwentyThirdTokenIsFound) {
  std::string line = "get";
  for (int i = 0; i < 40; ++i) line += " k";
  ExpectError(line + " " + std::string(251, 'a') + " k\r\n", kFormat);
}

TEST_F(TextParserTest, GatParsesExptimeAndKeys) {
  const TextRequest r = ParseOk("gat 100 a b\r\n");
  EXPECT_EQ(r.command, TextCommand::kGat);
  EXPECT_EQ(r.exptime, 100);
  EXPECT_EQ(KeysOf(r.keys), (Keys{"a", "b"}));
  EXPECT_EQ(ParseOk("gats -1 a\r\n").command, TextCommand::kGats);
}

TEST_F(TextParserTest, GatWithoutKeysIsValidAndEmpty) {  // 1.6.18 answers just END
  EXPECT_TRUE(ParseOk("gat 10\r\n").keys.empty());
  EXPECT_TRUE(ParseOk("gats 10 \r\n").keys.empty());
}

TEST_F(TextParserTest, GatInvalidExptimeIsCheckedBeforeKeys) {
  ExpectError("gat abc k\r\n", kExptime);
  ExpectError("gat x " + std::string(251, 'a') + "\r\n", kExptime);
  ExpectError("gat 10 " + std::string(251, 'a') + "\r\n", kFormat);
  ExpectError("gats 9223372036854775808 k\r\n", kExptime);
}

TEST_F(TextParserTest, GatExptimeFollowsLibcStrtol) {
  EXPECT_EQ(ParseOk("gat +5 k\r\n").exptime, 5);
  EXPECT_EQ(ParseOk("gat 4294967296 k\r\n").exptime, 0);
}

// --- incr / decr ---

TEST_F(TextParserTest, IncrAndDecrHappyPath) {
  const TextRequest incr = ParseOk("incr n 5\r\n");
  EXPECT_EQ(incr.command, TextCommand::kIncr);
  EXPECT_EQ(incr.key, "n");
  EXPECT_EQ(incr.delta, 5u);
  const TextRequest decr = ParseOk("decr n 18446744073709551615 noreply\r\n");
  EXPECT_EQ(decr.command, TextCommand::kDecr);
  EXPECT_EQ(decr.delta, std::numeric_limits<uint64_t>::max());
  EXPECT_TRUE(decr.noreply);
}

TEST_F(TextParserTest, IncrDeltaFollowsLibcStrtoull) {
  EXPECT_EQ(ParseOk("incr n +1\r\n").delta, 1u);
  EXPECT_EQ(ParseOk("incr n -0\r\n").delta, 0u);
  EXPECT_EQ(ParseOk("incr n 01\r\n").delta, 1u);
  EXPECT_EQ(ParseOk("incr n 1\t\r\n").delta, 1u);
  EXPECT_EQ(ParseOk("incr n -18446744073709551615\r\n").delta, 1u);
  EXPECT_EQ(ParseOk("incr n 1 2\r\n").delta, 1u);  // a fourth token is ignored
}

TEST_F(TextParserTest, IncrInvalidDelta) {
  ExpectError("incr n -1\r\n", kDelta);
  ExpectError("incr n 1x\r\n", kDelta);
  ExpectError("incr n abc\r\n", kDelta);
  ExpectError("incr n 18446744073709551616\r\n", kDelta);
  ExpectError("decr n x noreply\r\n", kDelta, 0, true);
}

TEST_F(TextParserTest, IncrWrongTokenCountAnswersError) {
  ExpectError("incr n\r\n", kErr);
  ExpectError("incr n 1 2 3\r\n", kErr);
  ExpectError("decr\r\n", kErr);
}

TEST_F(TextParserTest, IncrKeyOf251BytesIsCheckedBeforeTheDelta) {
  ExpectError("incr " + std::string(251, 'n') + " x\r\n", kFormat);
  ExpectError("incr " + std::string(251, 'n') + " 1 noreply\r\n", kFormat, 0, true);
}

// --- touch ---

TEST_F(TextParserTest, TouchHappyPath) {
  const TextRequest r = ParseOk("touch k 10\r\n");
  EXPECT_EQ(r.command, TextCommand::kTouch);
  EXPECT_EQ(r.key, "k");
  EXPECT_EQ(r.exptime, 10);
  EXPECT_TRUE(ParseOk("touch k 10 noreply\r\n").noreply);
  EXPECT_EQ(ParseOk("touch k 1 2\r\n").exptime, 1);
  EXPECT_EQ(ParseOk("touch k +5\r\n").exptime, 5);
  EXPECT_EQ(ParseOk("touch k 4294967296\r\n").exptime, 0);
}

TEST_F(TextParserTest, TouchErrors) {
  ExpectError("touch k x\r\n", kExptime);
  ExpectError("touch k 9223372036854775808\r\n", kExptime);
  ExpectError("touch k x noreply\r\n", kExptime, 0, true);
  ExpectError("touch " + std::string(251, 'k') + " 1\r\n", kFormat);
  ExpectError("touch k\r\n", kErr);
  ExpectError("touch k 1 2 3\r\n", kErr);
}

// --- delete ---

TEST_F(TextParserTest, DeleteHappyPath) {
  const TextRequest r = ParseOk("delete k\r\n");
  EXPECT_EQ(r.command, TextCommand::kDelete);
  EXPECT_EQ(r.key, "k");
  EXPECT_FALSE(r.noreply);
  EXPECT_FALSE(ParseOk("delete k 0\r\n").noreply);
  EXPECT_TRUE(ParseOk("delete k noreply\r\n").noreply);
  EXPECT_TRUE(ParseOk("delete k 0 noreply\r\n").noreply);
}

TEST_F(TextParserTest, DeleteAcceptsOnlyALiteralZeroHoldTime) {
  ExpectError("delete k 5\r\n", kDeleteUsage);
  ExpectError("delete k 00\r\n", kDeleteUsage);
  ExpectError("delete k 0 0\r\n", kDeleteUsage);
  ExpectError("delete k noreply 0\r\n", kDeleteUsage);
  ExpectError("delete k 5 noreply\r\n", kDeleteUsage, 0, true);
}

TEST_F(TextParserTest, DeleteWrongTokenCountAnswersError) {
  ExpectError("delete\r\n", kErr);
  ExpectError("delete k 0 0 0\r\n", kErr);
}

TEST_F(TextParserTest, DeleteKeyOf251Bytes) {
  ExpectError("delete " + std::string(251, 'k') + "\r\n", kFormat);
  ExpectError("delete " + std::string(251, 'k') + " noreply\r\n", kFormat, 0, true);
}

// --- flush_all ---

TEST_F(TextParserTest, FlushAllHappyPath) {
  const TextRequest plain = ParseOk("flush_all\r\n");
  EXPECT_EQ(plain.command, TextCommand::kFlushAll);
  EXPECT_FALSE(plain.has_exptime);
  const TextRequest delayed = ParseOk("flush_all 10\r\n");
  EXPECT_TRUE(delayed.has_exptime);
  EXPECT_EQ(delayed.exptime, 10);
  const TextRequest quiet = ParseOk("flush_all noreply\r\n");
  EXPECT_TRUE(quiet.noreply);
  EXPECT_FALSE(quiet.has_exptime);
  const TextRequest both = ParseOk("flush_all 0 noreply\r\n");
  EXPECT_TRUE(both.noreply && both.has_exptime);
  EXPECT_EQ(ParseOk("flush_all 5 6\r\n").exptime, 5);
  EXPECT_EQ(ParseOk("flush_all -1\r\n").exptime, -1);
  EXPECT_EQ(ParseOk("flush_all +1\r\n").exptime, 1);
}

TEST_F(TextParserTest, FlushAllInvalidDelay) {
  const ParseResult r = ExpectErrorResult("flush_all x\r\n", kExptime);
  EXPECT_TRUE(r.known_command);  // under -F the server says "flush_all not allowed" instead
  EXPECT_EQ(r.request.command, TextCommand::kFlushAll);
  ExpectError("flush_all x noreply\r\n", kExptime, 0, true);
  ExpectError("flush_all noreply 5\r\n", kExptime);
  ExpectError("flush_all 1x\r\n", kExptime);
  ExpectError("flush_all 9223372036854775808\r\n", kExptime);
  EXPECT_FALSE(ExpectErrorResult("flush_all 5 6 7\r\n", kErr).known_command);
}

// --- verbosity, version, quit ---

TEST_F(TextParserTest, VerbosityParsesLevel) {
  EXPECT_EQ(ParseOk("verbosity 1\r\n").level, 1u);
  EXPECT_EQ(ParseOk("verbosity 1 2\r\n").level, 1u);
  EXPECT_EQ(ParseOk("verbosity +1\r\n").level, 1u);
  EXPECT_EQ(ParseOk("verbosity 4294967296\r\n").level, 0u);
  EXPECT_EQ(ParseOk("verbosity 1\t\r\n").level, 1u);
  EXPECT_TRUE(ParseOk("verbosity 1 noreply\r\n").noreply);
}

TEST_F(TextParserTest, VerbosityErrors) {
  ExpectError("verbosity\r\n", kErr);
  ExpectError("verbosity 1 2 3\r\n", kErr);
  ExpectError("verbosity abc\r\n", kFormat);
  ExpectError("verbosity -1\r\n", kFormat);
  ExpectError("verbosity 1x\r\n", kFormat);
  ExpectError("verbosity 18446744073709551616\r\n", kFormat);
  ExpectError("verbosity noreply\r\n", kFormat, 0, true);  // 1.6.18 prints nothing
}

TEST_F(TextParserTest, VersionAndQuitIgnoreExtraTokens) {
  EXPECT_EQ(ParseOk("version\r\n").command, TextCommand::kVersion);
  EXPECT_EQ(ParseOk("version extra tokens\r\n").command, TextCommand::kVersion);
  EXPECT_EQ(ParseOk("quit\r\n").command, TextCommand::kQuit);
  EXPECT_EQ(ParseOk("quit x y z\r\n").command, TextCommand::kQuit);
}

// --- stats, shutdown, cache_memlimit, admin, meta ---

TEST_F(TextParserTest, StatsCarriesItsArguments) {
  EXPECT_EQ(ParseOk("stats\r\n").args, "");
  EXPECT_EQ(ParseOk("stats items\r\n").args, "items");
  EXPECT_EQ(ParseOk("stats  cachedump 1 2\r\n").args, "cachedump 1 2");
  EXPECT_EQ(ParseOk("stats noreply\r\n").noreply, false);
}

TEST_F(TextParserTest, ShutdownCarriesItsArguments) {
  EXPECT_EQ(ParseOk("shutdown\r\n").command, TextCommand::kShutdown);
  EXPECT_EQ(ParseOk("shutdown graceful\r\n").args, "graceful");
  EXPECT_FALSE(ParseOk("shutdown noreply\r\n").noreply);  // 1.6.18 still replies
}

TEST_F(TextParserTest, CacheMemlimitParsesMegabytes) {
  const TextRequest r = ParseOk("cache_memlimit 100\r\n");
  EXPECT_EQ(r.command, TextCommand::kCacheMemlimit);
  EXPECT_EQ(r.memlimit_mb, 100u);
  EXPECT_EQ(r.args, "100");
  EXPECT_EQ(ParseOk("cache_memlimit 4\r\n").memlimit_mb, 4u);  // the server says TOO_SMALL
  EXPECT_TRUE(ParseOk("cache_memlimit 100 noreply\r\n").noreply);
}

TEST_F(TextParserTest, CacheMemlimitErrors) {
  EXPECT_FALSE(ExpectErrorResult("cache_memlimit\r\n", kErr).known_command);
  ExpectError("cache_memlimit 1 2 3\r\n", kErr);
  EXPECT_TRUE(ExpectErrorResult("cache_memlimit abc\r\n", kErr).known_command);
  ExpectError("cache_memlimit abc noreply\r\n", kErr, 0, true);
}

TEST_F(TextParserTest, AdminCommandsCarryTheirArguments) {
  EXPECT_EQ(ParseOk("slabs reassign 1 2\r\n").command, TextCommand::kSlabs);
  EXPECT_EQ(ParseOk("slabs reassign 1 2\r\n").args, "reassign 1 2");
  EXPECT_EQ(ParseOk("lru mode flat\r\n").command, TextCommand::kLru);
  EXPECT_EQ(ParseOk("lru_crawler metadump all\r\n").command, TextCommand::kLruCrawler);
  EXPECT_EQ(ParseOk("watch\r\n").command, TextCommand::kWatch);
  EXPECT_EQ(ParseOk("refresh_certs\r\n").command, TextCommand::kRefreshCerts);
  EXPECT_EQ(ParseOk("extstore x\r\n").command, TextCommand::kExtstore);
  ExpectError("lru\r\n", kErr);
}

TEST_F(TextParserTest, MetaCommandsAreHandedOverWholeLine) {
  for (const char* name : {"mg", "ms", "md", "mn", "ma", "me"}) {
    const TextRequest r = ParseOk(std::string(name) + " foo v\r\n");
    EXPECT_EQ(r.command, TextCommand::kMeta);
    EXPECT_EQ(r.line, std::string(name) + " foo v");
  }
  ExpectError("mx foo\r\n", kErr);
}

}  // namespace
}  // namespace slabd::proto
