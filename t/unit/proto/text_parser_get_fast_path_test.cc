// The fast paths of ParseTextCommand (a line starting exactly with "get " or "gets ", and the
// meta commands "mg", "ms", "md", "mn", "ma", "me" alone or followed by a space) must give the
// same result as the general path. A leading space sends the same line through the general
// path (1.6.18 skips leading spaces), so each case is parsed both ways and compared.
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

// The meta fast path hands the line over whole, as the general path does (with the leading
// space that sent it there): the meta parser tokenizes it again.
void ExpectSameMetaBothWays(const std::string& line) {
  ExpectSameBothWays(line);
  const std::string fast = line + "\r\n";
  const std::string general = " " + line + "\r\n";
  const ParseResult a = ParseTextCommand(fast);
  const ParseResult b = ParseTextCommand(general);
  if (a.status == ParseStatus::kOk) {
    EXPECT_EQ(" " + std::string(a.request.line), b.request.line);
  }
}

TEST(TextParserMetaFastPath, HandPickedLinesMatchTheGeneralPath) {
  for (const char* line :
       {"mg", "ms", "md", "mn", "ma", "me", "mg foo", "mg foo v q k", "ms foo 2 T10",
        "mg  foo  v ", "mg ", "mx foo", "mgx foo", "mg\tfoo", "mg\rfoo", "m", "m g", "MG foo",
        "mn noreply", "mg foo\x01"}) {
    ExpectSameMetaBothWays(line);
  }
  EXPECT_EQ(ParseTextCommand("mg foo v\r\n").request.command, TextCommand::kMeta);
  EXPECT_EQ(ParseTextCommand("mgx foo\r\n").error, "ERROR");
}

TEST(TextParserMetaFastPath, GeneratedLinesMatchTheGeneralPath) {
  std::mt19937 rng(20261128);
  const std::string names = "gsdnaexm \t";
  const std::string alphabet = "ab \t\r\x01\x7f";
  for (int i = 0; i < 3000; ++i) {
    std::string line = "m";
    line.push_back(names[rng() % names.size()]);
    const int extra = static_cast<int>(rng() % 6);
    for (int c = 0; c < extra; ++c) line.push_back(alphabet[rng() % alphabet.size()]);
    ExpectSameMetaBothWays(line);
  }
}

}  // namespace
}  // namespace slabd::proto
