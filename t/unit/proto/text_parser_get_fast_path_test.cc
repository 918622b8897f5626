// The get/gets fast path of ParseTextCommand (a line starting exactly with "get " or "gets ")
// must give the same result as the general path. A leading space sends the same line through
// the general path (1.6.18 skips leading spaces), so each case is parsed both ways and compared.
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "proto/text_parser.h"
#include "t/unit/proto/text_parser_test_util.h"

namespace slabd::proto {
namespace {

using testing::ExpectSameRequest;

void ExpectSameBothWays(const std::string& line) {
  SCOPED_TRACE(line.substr(0, 120));
  const std::string fast = line + "\r\n";
  const std::string general = " " + line + "\r\n";
  const ParseResult a = ParseTextCommand(fast);
  const ParseResult b = ParseTextCommand(general);
  ASSERT_EQ(a.status, b.status);
  EXPECT_EQ(a.consumed + 1, b.consumed);
  EXPECT_EQ(a.error, b.error);
  EXPECT_EQ(a.noreply, b.noreply);
  EXPECT_EQ(a.swallow, b.swallow);
  EXPECT_EQ(a.known_command, b.known_command);
  if (a.status != ParseStatus::kClose) {
    ExpectSameRequest(a.request, b.request);
  }
  if (a.status == ParseStatus::kOk) {
    EXPECT_EQ(a.request.keys.text(), b.request.keys.text());
  }
}

TEST(TextParserGetFastPath, HandPickedLinesMatchTheGeneralPath) {
  const std::string k250(250, 'k');
  const std::string k251(251, 'k');
  for (const std::string& line :
       {std::string("get a"), std::string("gets a"), std::string("get a b c"),
        std::string("get   a   b  "), std::string("get "), std::string("gets    "),
        std::string("get noreply"), std::string("get a noreply"), std::string("get " + k250),
        std::string("get " + k251), std::string("get a " + k251 + " b"),
        std::string("gets " + k250 + " " + k250), std::string("get a\tb"),
        std::string("get HTTP/1.1"), std::string("get a\rb")}) {
    ExpectSameBothWays(line);
  }
}

TEST(TextParserGetFastPath, GeneratedLinesMatchTheGeneralPath) {
  std::mt19937 rng(20261127);
  const std::string alphabet = "ab \t\r\x01\x7f\xff";
  for (int i = 0; i < 3000; ++i) {
    std::string line = rng() % 2 ? "get " : "gets ";
    const int keys = static_cast<int>(rng() % 40);
    for (int k = 0; k < keys; ++k) {
      const int spaces = static_cast<int>(rng() % 3);
      line.append(spaces, ' ');
      const size_t len = rng() % 8 == 0 ? 245 + rng() % 10 : rng() % 12;
      for (size_t c = 0; c < len; ++c) line.push_back(alphabet[rng() % alphabet.size()]);
      line.push_back(' ');
    }
    if (rng() % 2) line.pop_back();
    ExpectSameBothWays(line);
  }
}

}  // namespace
}  // namespace slabd::proto
