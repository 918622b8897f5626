// RunEngineBench: options it cannot run are refused with EX_USAGE before any work, and a tiny
// two-thread run over a prefilled key space reports every get as a hit (the prefill covers
// every key the uniform and Zipf draws can produce, and sets only overwrite).
#include "src/bench/engine_bench.h"

#include <gtest/gtest.h>
#include <sysexits.h>

#include <string>

namespace slabd::bench {
namespace {

EngineBenchOptions Tiny() {
  EngineBenchOptions o;
  o.threads = 2;
  o.keys = 2000;
  o.warmup_s = 0;
  o.duration_s = 0.05;
  o.memory_mb = 64;
  o.json = true;
  return o;
}

// The JSON line a run prints, and its exit code.
std::string RunJson(const EngineBenchOptions& o, int* code) {
  testing::internal::CaptureStdout();
  *code = RunEngineBench(o);
  return testing::internal::GetCapturedStdout();
}

// The exit code of a run expected to fail; its one-line message must name the mode.
int Refused(const EngineBenchOptions& o) {
  testing::internal::CaptureStderr();
  const int code = RunEngineBench(o);
  const std::string message = testing::internal::GetCapturedStderr();
  EXPECT_EQ(message.rfind("slabd-bench --engine: ", 0), 0u) << message;
  return code;
}

TEST(EngineBenchTest, RefusesOptionsItCannotRun) {
  EngineBenchOptions o = Tiny();
  o.threads = 0;
  EXPECT_EQ(Refused(o), EX_USAGE);
  o = Tiny();
  o.value_min = 200;
  o.value_max = 100;
  EXPECT_EQ(Refused(o), EX_USAGE);
  o = Tiny();
  o.get_ratio = 1.5;
  EXPECT_EQ(Refused(o), EX_USAGE);
  o = Tiny();
  o.zipf = true;
  o.zipf_theta = 0;  // the generator needs theta > 0
  EXPECT_EQ(Refused(o), EX_USAGE);
}

TEST(EngineBenchTest, EveryGetHitsAfterPrefillUniformAndZipf) {
  for (const bool zipf : {false, true}) {
    EngineBenchOptions o = Tiny();
    o.zipf = zipf;
    o.value_min = 10;
    o.value_max = 300;
    int code = -1;
    const std::string json = RunJson(o, &code);
    EXPECT_EQ(code, 0);
    EXPECT_NE(json.find("\"engine\":true,\"threads\":2,"), std::string::npos) << json;
    EXPECT_NE(json.find("\"hit_ratio\":1.000000,\"set_failures\":0,"), std::string::npos) << json;
  }
}

TEST(EngineBenchTest, ScalingRunsOneThreadFirstAndReportsTheRatio) {
  EngineBenchOptions o = Tiny();
  o.scaling = true;
  int code = -1;
  const std::string json = RunJson(o, &code);
  EXPECT_EQ(code, 0);
  EXPECT_NE(json.find("\"one_thread_ops_per_s\":"), std::string::npos) << json;
  EXPECT_NE(json.find("\"scaling\":"), std::string::npos) << json;
}

}  // namespace
}  // namespace slabd::bench
