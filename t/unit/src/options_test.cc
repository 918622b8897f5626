// ParseOptions: memcached's short options and gflags long names map onto one
// ServerOptions; bad values are refused with memcached's messages.
#include "src/options.h"

#include <gflags/gflags.h>
#include <gtest/gtest.h>
#include <sysexits.h>

#include <string>
#include <utility>
#include <vector>

namespace slabd::server {
namespace {

class OptionsTest : public ::testing::Test {
 protected:
  // Each call starts from the defaults: gflags keeps values between parses.
  ParsedOptions Parse(std::vector<std::string> args) {
    gflags::FlagSaver saver;
    args.insert(args.begin(), "slabd");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    return ParseOptions(static_cast<int>(argv.size()), argv.data());
  }
};

TEST_F(OptionsTest, DefaultsMatchMemcachedExceptListenAddressAndFactor) {
  ParsedOptions p = Parse({});
  ASSERT_EQ(p.exit_code, -1) << p.message;
  EXPECT_EQ(p.options.port, 11211);
  EXPECT_EQ(p.options.listen, "127.0.0.1");
  EXPECT_EQ(p.options.threads, 4);
  EXPECT_EQ(p.options.max_connections, 1024);
  EXPECT_EQ(p.options.store.max_bytes, 64ull << 20);
  EXPECT_EQ(p.options.store.item_size_max, 1u << 20);
  EXPECT_DOUBLE_EQ(p.options.store.growth_factor, 1.125);
  EXPECT_TRUE(p.options.store.evict);
  EXPECT_TRUE(p.options.store.use_cas);
}

TEST_F(OptionsTest, MemcachedShortOptions) {
  ParsedOptions p = Parse({"-p", "22122", "-l", "0.0.0.0", "-m", "128", "-t", "2", "-c", "99",
                           "-f", "1.25", "-n", "64", "-I", "2m", "-M", "-C", "-vv", "-U", "0"});
  ASSERT_EQ(p.exit_code, -1) << p.message;
  EXPECT_EQ(p.options.port, 22122);
  EXPECT_EQ(p.options.listen, "0.0.0.0");
  EXPECT_EQ(p.options.store.max_bytes, 128ull << 20);
  EXPECT_EQ(p.options.threads, 2);
  EXPECT_EQ(p.options.max_connections, 99);
  EXPECT_DOUBLE_EQ(p.options.store.growth_factor, 1.25);
  EXPECT_EQ(p.options.store.min_chunk, 64u);
  EXPECT_EQ(p.options.store.item_size_max, 2u << 20);
  EXPECT_FALSE(p.options.store.evict);
  EXPECT_FALSE(p.options.store.use_cas);
  EXPECT_EQ(p.options.verbose, 2);
}

TEST_F(OptionsTest, AttachedValuesAndClusteredFlags) {
  ParsedOptions p = Parse({"-p22123", "-m32", "-Mv"});
  ASSERT_EQ(p.exit_code, -1) << p.message;
  EXPECT_EQ(p.options.port, 22123);
  EXPECT_EQ(p.options.store.max_bytes, 32ull << 20);
  EXPECT_FALSE(p.options.store.evict);
  EXPECT_EQ(p.options.verbose, 1);
}

TEST_F(OptionsTest, LongNamesInBothSpellings) {
  ParsedOptions p = Parse({"--memory-limit=16", "--port", "1234", "--max_item_size=512k",
                           "--disable-cas"});
  ASSERT_EQ(p.exit_code, -1) << p.message;
  EXPECT_EQ(p.options.store.max_bytes, 16ull << 20);
  EXPECT_EQ(p.options.port, 1234);
  EXPECT_EQ(p.options.store.item_size_max, 512u << 10);
  EXPECT_FALSE(p.options.store.use_cas);
}

TEST_F(OptionsTest, ExtendedHashpower) {
  ParsedOptions p = Parse({"-o", "hashpower=20"});
  ASSERT_EQ(p.exit_code, -1) << p.message;
  EXPECT_EQ(p.options.store.hashpower, 20);
}

TEST_F(OptionsTest, ThreadsSizeTheLockStripesAndTheLruShards) {
  // One worker: one exact LRU per class; more: two shards per worker, a power of two, <= 64.
  const std::vector<std::pair<std::string, int>> cases = {
      {"1", 0}, {"2", 2}, {"3", 3}, {"4", 3}, {"5", 4}, {"8", 4}, {"32", 6}, {"200", 6}};
  for (const auto& [threads, shard_power] : cases) {
    ParsedOptions p = Parse({"-t", threads});
    ASSERT_EQ(p.exit_code, -1) << p.message;
    EXPECT_EQ(p.options.store.shard_power, shard_power) << "-t " << threads;
  }
  EXPECT_EQ(Parse({}).options.store.shard_power, 3);  // the default -t 4
  EXPECT_EQ(Parse({"-t", "2"}).options.store.lock_power, 10);
  EXPECT_EQ(Parse({"-t", "16"}).options.store.lock_power, 14);
  EXPECT_EQ(Parse({"-t", "16", "-o", "hashpower=12"}).options.store.lock_power, 12);
}

TEST_F(OptionsTest, RejectsBadValuesWithOneLine) {
  EXPECT_EQ(Parse({"-f", "1.0"}).message, "slabd: Factor must be greater than 1\n");
  EXPECT_EQ(Parse({"-t", "0"}).exit_code, EX_USAGE);
  EXPECT_EQ(Parse({"-I", "512"}).message,
            "slabd: Item max size cannot be less than 1024 bytes.\n");
  EXPECT_EQ(Parse({"-m", "1", "-I", "1m"}).message,
            "slabd: Cannot set item size limit higher than 1/2 of memory max.\n");
  EXPECT_EQ(Parse({"-p", "70000"}).exit_code, EX_USAGE);
  EXPECT_EQ(Parse({"-o", "bogus"}).message, "slabd: Illegal suboption \"bogus\"\n");
  EXPECT_EQ(Parse({"-x"}).exit_code, EX_USAGE);
  EXPECT_EQ(Parse({"-p"}).exit_code, EX_USAGE);
  EXPECT_EQ(Parse({"-U", "70000"}).exit_code, EX_USAGE);
}

TEST_F(OptionsTest, UdpPortWithoutPAlsoServesTcpThere) {
  ParsedOptions p = Parse({"-U", "11311"});
  ASSERT_EQ(p.exit_code, -1) << p.message;
  EXPECT_EQ(p.options.udp_port, 11311);
  EXPECT_EQ(p.options.port, 11311);
  p = Parse({"-U", "11311", "-p", "11411"});
  ASSERT_EQ(p.exit_code, -1) << p.message;
  EXPECT_EQ(p.options.port, 11411);
  p = Parse({"--udp-port=11311", "-p", "0"});
  ASSERT_EQ(p.exit_code, -1) << p.message;
  EXPECT_EQ(p.options.port, 0);
  EXPECT_EQ(Parse({}).options.udp_port, 0);
  EXPECT_EQ(Parse({}).options.port, 11211);
}

TEST_F(OptionsTest, DaemonOptionsInShortAndLongForms) {
  ParsedOptions p = Parse({"-s", "/tmp/x.sock", "-a", "0755", "-d", "-P", "x.pid", "-k", "-r",
                           "-o", "idle_timeout=5", "-R", "3", "-u", "nobody"});
  ASSERT_EQ(p.exit_code, -1) << p.message;
  EXPECT_EQ(p.options.unix_socket, "/tmp/x.sock");
  EXPECT_EQ(p.options.unix_mask, 0755);
  EXPECT_TRUE(p.options.daemonize);
  EXPECT_EQ(p.options.pid_file, "x.pid");
  EXPECT_TRUE(p.options.lock_memory);
  EXPECT_TRUE(p.options.enable_coredumps);
  EXPECT_EQ(p.options.idle_timeout, 5);
  EXPECT_EQ(p.options.reqs_per_event, 3);
  EXPECT_EQ(p.options.user, "nobody");
  p = Parse({"--unix-socket", "/s", "--unix-mask=640", "--daemon", "--lock-memory",
             "--enable-coredumps", "--pidfile=/p"});
  ASSERT_EQ(p.exit_code, -1) << p.message;
  EXPECT_EQ(p.options.unix_socket, "/s");
  EXPECT_EQ(p.options.unix_mask, 0640);
  EXPECT_TRUE(p.options.daemonize && p.options.lock_memory && p.options.enable_coredumps);
  EXPECT_EQ(p.options.pid_file, "/p");
  EXPECT_EQ(Parse({}).options.unix_mask, 0700);
}

TEST_F(OptionsTest, RefusesZeroRequestsPerEventAndBareIdleTimeout) {
  ParsedOptions p = Parse({"-R", "0"});
  EXPECT_EQ(p.exit_code, EX_USAGE);
  EXPECT_EQ(p.message, "slabd: Number of requests per event must be greater than 0\n");
  p = Parse({"-o", "idle_timeout"});
  EXPECT_EQ(p.exit_code, EX_USAGE);
  EXPECT_EQ(p.message, "slabd: Missing numeric argument for idle_timeout\n");
}

TEST_F(OptionsTest, HelpAndVersionExitZero) {
  ParsedOptions h = Parse({"-h"});
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_NE(h.message.find("-m, --memory-limit"), std::string::npos);
  ParsedOptions v = Parse({"-V"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_EQ(v.message, std::string("slabd ") + kSlabdVersion + "\n");
}

TEST(ParseSizeTest, Suffixes) {
  EXPECT_EQ(ParseSize("1048576"), 1048576u);
  EXPECT_EQ(ParseSize("512k"), 512u * 1024);
  EXPECT_EQ(ParseSize("2m"), 2u << 20);
  EXPECT_EQ(ParseSize("2x"), std::nullopt);
  EXPECT_EQ(ParseSize(""), std::nullopt);
}

}  // namespace
}  // namespace slabd::server

namespace slabd::server {
namespace {

// memcached options slabd does not implement are refused by name, never ignored.
TEST_F(OptionsTest, UnimplementedMemcachedOptionsAreRefusedByName) {
  for (const char* arg : {"-L", "-D:", "-e/tmp/f", "-Z", "-N4", "-i", "--enable-largepages",
                          "--memory-file=/tmp/f", "--enable-ssl"}) {
    ParsedOptions p = Parse({arg});
    EXPECT_EQ(p.exit_code, EX_USAGE) << arg;
    // One line naming the option (then the usual "Try 'slabd -h'" hint).
    const std::string first = p.message.substr(0, p.message.find('\n'));
    EXPECT_NE(first.find("is not supported by slabd"), std::string::npos) << p.message;
  }
}

// -W: slabd has no `watch`, so "watch disabled" always holds.
TEST_F(OptionsTest, DisableWatchIsAccepted) {
  EXPECT_LT(Parse({"-W"}).exit_code, 0);
  EXPECT_LT(Parse({"--disable-watch"}).exit_code, 0);
}

}  // namespace
}  // namespace slabd::server

namespace slabd::server {
namespace {

// -o suboptions that ask for what slabd already does (no crawler, no maintainer, no page
// mover, fast maxconns, murmur3) start unchanged; features slabd lacks are refused by name.
TEST_F(OptionsTest, ExtendedOptionsAlreadyTrueAreAccepted) {
  for (const char* o : {"no_lru_crawler,no_lru_maintainer,no_slab_reassign", "maxconns_fast",
                        "slab_automove=0", "hash_algorithm=murmur3", "modern"}) {
    EXPECT_LT(Parse({"-o", o}).exit_code, 0) << o;
  }
}

TEST_F(OptionsTest, ExtendedOptionsSlabdLacksAreRefusedByName) {
  for (const char* o : {"lru_crawler", "lru_maintainer", "slab_reassign", "slab_automove=1",
                        "hash_algorithm=xxh3", "ext_path=/tmp/x:1G", "ssl_key=/k",
                        "read_buf_mem_limit=10"}) {
    ParsedOptions p = Parse({"-o", o});
    EXPECT_EQ(p.exit_code, EX_USAGE) << o;
    EXPECT_NE(p.message.find("is not supported by slabd"), std::string::npos) << p.message;
  }
  ParsedOptions unknown = Parse({"-o", "foo"});
  EXPECT_EQ(unknown.message, "slabd: Illegal suboption \"foo\"\n");
}

}  // namespace
}  // namespace slabd::server

namespace slabd::server {
namespace {

TEST_F(OptionsTest, MemoryLimitMbIsALongNameForM) {
  ParsedOptions p = Parse({"--memory_limit_mb=32"});
  ASSERT_LT(p.exit_code, 0) << p.message;
  EXPECT_EQ(p.options.store.max_bytes, 32ull << 20);
}

}  // namespace
}  // namespace slabd::server
