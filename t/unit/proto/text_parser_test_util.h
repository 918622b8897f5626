// Shared helpers for the text codec tests: a fixture that keeps every parsed input alive (the
// parser returns views into it) and compares requests field by field, keys one by one.
#ifndef SLABD_T_UNIT_PROTO_TEXT_PARSER_TEST_UTIL_H_
#define SLABD_T_UNIT_PROTO_TEXT_PARSER_TEST_UTIL_H_

#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "proto/text_parser.h"

namespace slabd::proto::testing {

inline std::vector<std::string> KeysOf(const KeyList& keys) {
  std::vector<std::string> out;
  for (std::string_view key : keys) out.emplace_back(key);
  return out;
}

// Every field but `line`; `with_args` false skips args (cache_memlimit spacing).
inline void ExpectSameRequest(const TextRequest& a, const TextRequest& b, bool with_args = true) {
  EXPECT_EQ(a.command, b.command);
  EXPECT_EQ(a.noreply, b.noreply);
  EXPECT_EQ(a.key, b.key);
  EXPECT_EQ(KeysOf(a.keys), KeysOf(b.keys));
  EXPECT_EQ(a.flags, b.flags);
  EXPECT_EQ(a.exptime, b.exptime);
  EXPECT_EQ(a.has_exptime, b.has_exptime);
  EXPECT_EQ(a.value_len, b.value_len);
  EXPECT_EQ(a.cas_unique, b.cas_unique);
  EXPECT_EQ(a.delta, b.delta);
  EXPECT_EQ(a.level, b.level);
  EXPECT_EQ(a.memlimit_mb, b.memlimit_mb);
  if (with_args) {
    EXPECT_EQ(a.args, b.args);
  }
}

inline void ExpectSameResult(const ParseResult& a, const ParseResult& b) {
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.consumed, b.consumed);
  EXPECT_EQ(a.error, b.error);
  EXPECT_EQ(a.swallow, b.swallow);
  EXPECT_EQ(a.noreply, b.noreply);
  EXPECT_EQ(a.known_command, b.known_command);
  if (a.status == ParseStatus::kOk || a.known_command) {
    ExpectSameRequest(a.request, b.request);
  }
  EXPECT_EQ(a.request.line, b.request.line);
}

class TextCodecTest : public ::testing::Test {
 protected:
  // Keeps `input` alive for the rest of the test and parses it.
  ParseResult Parse(std::string input) {
    inputs_.push_back(std::move(input));
    return ParseTextCommand(inputs_.back());
  }

  // Expects one complete, valid command line (plus anything after its '\n').
  TextRequest ParseOk(std::string input) {
    const size_t line_end = input.find('\n');
    const ParseResult result = Parse(std::move(input));
    EXPECT_EQ(result.status, ParseStatus::kOk) << "error: " << result.error;
    EXPECT_EQ(result.consumed, line_end + 1);
    return result.request;
  }

  // Expects an error reply with exactly these properties.
  void ExpectError(std::string input, std::string_view error, uint64_t swallow = 0,
                   bool noreply = false) {
    (void)ExpectErrorResult(std::move(input), error, swallow, noreply);
  }

  // ExpectError, returning the result for further checks.
  ParseResult ExpectErrorResult(std::string input, std::string_view error, uint64_t swallow = 0,
                                bool noreply = false) {
    const size_t line_end = input.find('\n');
    ParseResult result = Parse(std::move(input));
    EXPECT_EQ(result.status, ParseStatus::kError);
    EXPECT_EQ(result.error, error);
    EXPECT_EQ(result.swallow, swallow);
    EXPECT_EQ(result.noreply, noreply);
    EXPECT_EQ(result.consumed, line_end + 1);
    return result;
  }

  ParseStatus StatusOf(std::string input) { return Parse(std::move(input)).status; }

  // The field as parsed from "set k <flags> 0 1", "set k 0 <exptime> 1", "set k 0 0 <bytes>".
  uint32_t Flags(std::string_view flags) {
    return ParseOk("set k " + std::string(flags) + " 0 1\r\n").flags;
  }
  int64_t Exptime(std::string_view exptime) {
    return ParseOk("set k 0 " + std::string(exptime) + " 1\r\n").exptime;
  }
  uint32_t ValueLen(std::string_view bytes) {
    return ParseOk("set k 0 0 " + std::string(bytes) + "\r\n").value_len;
  }

 private:
  std::deque<std::string> inputs_;
};

}  // namespace slabd::proto::testing

#endif  // SLABD_T_UNIT_PROTO_TEXT_PARSER_TEST_UTIL_H_
