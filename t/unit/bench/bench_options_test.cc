// ParseBenchOptions, the report formats and the /proc/PID/stat parser.
#include "src/bench/bench_options.h"

#include <gtest/gtest.h>
#include <sysexits.h>

#include <string>
#include <vector>

#include "src/bench/report.h"
#include "src/bench/server_cpu.h"

namespace slabd::bench {
namespace {

ParsedBenchOptions Parse(std::vector<std::string> args) {
  args.insert(args.begin(), "slabd-bench");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return ParseBenchOptions(static_cast<int>(args.size()), argv.data());
}

TEST(BenchOptionsTest, DefaultsAreTheSpec) {
  const ParsedBenchOptions p = Parse({});
  ASSERT_EQ(p.exit_code, -1) << p.message;
  const BenchOptions& o = p.options;
  EXPECT_EQ(o.host, "127.0.0.1");
  EXPECT_EQ(o.port, "11211");
  EXPECT_EQ(o.protocol, Protocol::kText);
  EXPECT_FALSE(o.open_loop);
  EXPECT_EQ(o.connections, 50u);
  EXPECT_EQ(o.pipeline, 1u);
  EXPECT_EQ(o.threads, 1u);
  EXPECT_EQ(o.get_ratio, 0.9);
  EXPECT_EQ(o.multiget, 1u);
  EXPECT_EQ(o.keys, 100000u);
  EXPECT_FALSE(o.zipf);
  EXPECT_EQ(o.zipf_theta, 0.99);
  EXPECT_EQ(o.value_min, 100u);
  EXPECT_EQ(o.value_max, 100u);
  EXPECT_FALSE(o.prefill);
  EXPECT_EQ(o.warmup_s, 2.0);
  EXPECT_EQ(o.duration_s, 10.0);
  EXPECT_EQ(o.server_pid, 0);
  EXPECT_FALSE(o.json);
  EXPECT_FALSE(o.spin);
}

TEST(BenchOptionsTest, EveryOption) {
  const ParsedBenchOptions p =
      Parse({"--server", "10.0.0.2:22122", "--protocol", "binary", "--mode=open", "--rate",
             "20000", "--connections", "8", "--pipeline", "4", "--threads", "2", "--get-ratio",
             "0.5", "--multiget", "10", "--keys", "1000", "--distribution", "zipf",
             "--zipf-theta", "0.8", "--value-size", "32-16384", "--prefill", "--warmup", "0.5",
             "--duration", "20", "--server-pid", "4321", "--seed", "99", "--json", "--spin"});
  ASSERT_EQ(p.exit_code, -1) << p.message;
  const BenchOptions& o = p.options;
  EXPECT_EQ(o.host, "10.0.0.2");
  EXPECT_EQ(o.port, "22122");
  EXPECT_EQ(o.protocol, Protocol::kBinary);
  EXPECT_TRUE(o.open_loop);
  EXPECT_EQ(o.rate, 20000.0);
  EXPECT_EQ(o.connections, 8u);
  EXPECT_EQ(o.pipeline, 4u);
  EXPECT_EQ(o.threads, 2u);
  EXPECT_EQ(o.get_ratio, 0.5);
  EXPECT_EQ(o.multiget, 10u);
  EXPECT_EQ(o.keys, 1000u);
  EXPECT_TRUE(o.zipf);
  EXPECT_EQ(o.zipf_theta, 0.8);
  EXPECT_EQ(o.value_min, 32u);
  EXPECT_EQ(o.value_max, 16384u);
  EXPECT_TRUE(o.prefill);
  EXPECT_EQ(o.warmup_s, 0.5);
  EXPECT_EQ(o.duration_s, 20.0);
  EXPECT_EQ(o.server_pid, 4321);
  EXPECT_EQ(o.seed, 99u);
  EXPECT_TRUE(o.json);
  EXPECT_TRUE(o.spin);
}

TEST(BenchOptionsTest, ServerForms) {
  EXPECT_EQ(Parse({"--server", "[::1]:11212"}).options.host, "::1");
  EXPECT_EQ(Parse({"--server", ":11213"}).options.port, "11213");
  EXPECT_EQ(Parse({"--server", ":11213"}).options.host, "127.0.0.1");
  EXPECT_EQ(Parse({"--socket", "/tmp/s"}).options.socket_path, "/tmp/s");
}

TEST(BenchOptionsTest, BadValuesAreUsageErrors) {
  for (std::vector<std::string> bad : std::vector<std::vector<std::string>>{
           {"--protocol", "udp"}, {"--mode", "half"}, {"--connections", "0"},
           {"--get-ratio", "1.5"}, {"--value-size", "10-5"}, {"--value-size", "x"},
           {"--server", "host"}, {"--server", "h:0"}, {"--keys", "0"}, {"--multiget", "0"},
           {"--bogus"}, {"--rate"}, {"extra"}, {"--distribution", "zipf", "--zipf-theta", "0"},
           {"--mode", "open"}, {"--threads", "3", "--connections", "2"}, {"--duration", "0"},
           {"--spin"}}) {
    const ParsedBenchOptions p = Parse(bad);
    EXPECT_EQ(p.exit_code, EX_USAGE) << bad[0];
    EXPECT_FALSE(p.message.empty());
  }
  EXPECT_EQ(Parse({"--mode", "open"}).message,
            "slabd-bench: --mode open needs --rate R (requests/s, > 0) (see --help)\n");
  EXPECT_EQ(Parse({"--spin", "--rate", "100"}).message,
            "slabd-bench: --spin needs --mode open (see --help)\n");
  EXPECT_EQ(Parse({"--connections", "x"}).message,
            "slabd-bench: bad value for --connections: x (see --help)\n");
}

TEST(BenchOptionsTest, HelpExitsZero) {
  const ParsedBenchOptions p = Parse({"--help"});
  EXPECT_EQ(p.exit_code, 0);
  EXPECT_EQ(p.message, BenchUsage());
}

TEST(ReportTest, JsonHasTheSpecKeysInOrder) {
  BenchOptions o;
  o.pipeline = 16;
  RunSummary s;
  s.duration_s = 2;
  s.stats.requests = 1000;
  s.stats.get_keys = 900;
  s.stats.hits = 450;
  s.stats.sets = 100;
  s.stats.errors = 3;
  for (int i = 1; i <= 1000; ++i) s.stats.latency.Record(static_cast<uint64_t>(i) * 1000);
  s.driver_cpu_s = 1.25;
  EXPECT_EQ(FormatJson(o, s),
            "{\"mode\":\"closed\",\"protocol\":\"text\",\"connections\":50,\"pipeline\":16,"
            "\"multiget\":1,\"rate\":0,\"duration_s\":2.000,\"requests\":1000,"
            "\"ops_per_s\":500.0,\"keys_per_s\":500.0,\"hit_ratio\":0.500000,\"errors\":3,"
            "\"p50_us\":501.759,\"p90_us\":901.119,\"p99_us\":991.231,\"p999_us\":999.423,"
            "\"max_us\":1000.000,\"driver_cpu_s\":1.250}\n");
  s.server_cpu_s = 0.5;
  o.open_loop = true;
  o.rate = 20000;
  o.protocol = Protocol::kMeta;
  const std::string json = FormatJson(o, s);
  EXPECT_NE(json.find("{\"mode\":\"open\",\"protocol\":\"meta\","), std::string::npos);
  EXPECT_NE(json.find("\"rate\":20000,"), std::string::npos);
  EXPECT_NE(json.find(",\"server_cpu_s\":0.500,\"ops_per_server_cpu_s\":2000.0}\n"),
            std::string::npos);
}

TEST(ServerCpuTest, ParsesUtimePlusStime) {
  // Fields 14 and 15 are 1200 and 34; the command name holds spaces and parentheses.
  const std::string stat =
      "4321 (mem cache) d) S 1 4321 4321 0 -1 4194560 1000 0 0 0 1200 34 0 0 20 0 6 0 100 "
      "1000000 500 18446744073709551615\n";
  EXPECT_EQ(ParseStatCpuTicks(stat), 1234u);
  EXPECT_EQ(ParseStatCpuTicks("4321 (x) S 1 2 3"), std::nullopt);
  EXPECT_EQ(ParseStatCpuTicks("no parenthesis"), std::nullopt);
  std::string error;
  EXPECT_TRUE(ReadProcessCpuSeconds(getpid(), &error).has_value()) << error;
  EXPECT_FALSE(ReadProcessCpuSeconds(0x7ffffff0, &error).has_value());
}

}  // namespace
}  // namespace slabd::bench
