// ParseMetaCommand: the checks memcached 1.6.18 makes on a meta command line before it touches
// storage, in its order and with its exact error lines, the ms swallow, flag tokens kept in
// request order, and the decoded flag values. Expected errors were checked against the 1.6.18
// binary (`memcached -u root -p <port>`), except where a test names a later release's rule.
#include "proto/meta_parser.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "proto/base64.h"

namespace slabd::proto {
namespace {

constexpr std::string_view kFormat = "CLIENT_ERROR bad command line format";
constexpr std::string_view kBadToken = "CLIENT_ERROR bad token in command line format";
constexpr std::string_view kDuplicate = "CLIENT_ERROR duplicate flag";
constexpr std::string_view kInvalidFlag = "CLIENT_ERROR invalid flag";
constexpr std::string_view kInvalidOrDuplicate = "CLIENT_ERROR invalid or duplicate flag";
constexpr std::string_view kDecode = "CLIENT_ERROR error decoding key";

std::string Base64(std::string_view raw) {
  std::string out;
  AppendBase64(out, raw);
  return out;
}

// `prefix` (of `prefix_tokens` tokens) followed by distinct valid flags, `tokens` tokens in all.
std::string LineWithTokens(std::string_view prefix, size_t prefix_tokens, size_t tokens) {
  static constexpr std::string_view kFlags[] = {"v",  "k",  "s",  "c",  "f",  "t",  "l",  "h",
                                                "u",  "q",  "O1", "P",  "L",  "I",  "T1", "N1",
                                                "R1", "C1", "D1", "J1", "F1"};
  std::string line(prefix);
  for (size_t i = prefix_tokens; i < tokens; ++i) {
    const size_t f = i - prefix_tokens;
    line.push_back(' ');
    line.append(f < std::size(kFlags) ? kFlags[f] : "Z");
  }
  return line;
}

class MetaParserTest : public ::testing::Test {
 protected:
  // Keeps `line` alive (results are views into it) and parses it.
  MetaParseResult Parse(std::string line) {
    lines_.push_back(std::move(line));
    return ParseMetaCommand(lines_.back());
  }
  // Parses a line that must be accepted.
  MetaRequest Ok(std::string line) {
    MetaParseResult r = Parse(line);
    EXPECT_EQ(r.status, MetaParseStatus::kOk) << line << " -> " << r.error;
    return r.request;
  }
  // The error line of a line that must be rejected.
  std::string Err(std::string line) {
    MetaParseResult r = Parse(line);
    EXPECT_EQ(r.status, MetaParseStatus::kError) << line;
    return std::string(r.error);
  }
  // The bytes a rejected line asks the connection to discard.
  uint64_t Swallow(std::string line) {
    MetaParseResult r = Parse(line);
    EXPECT_EQ(r.status, MetaParseStatus::kError) << line;
    return r.swallow;
  }
  static std::vector<std::string> Flags(const MetaRequest& r) {
    std::vector<std::string> out;
    for (size_t i = 0; i < r.flag_count; ++i) out.emplace_back(r.flag(i));
    return out;
  }

  std::deque<std::string> lines_;
};

// --- Commands ------------------------------------------------------------------------------

TEST_F(MetaParserTest, RecognisesTheSixMetaCommands) {
  EXPECT_EQ(Ok("mg k").command, MetaCommand::kGet);
  EXPECT_EQ(Ok("ms k 1").command, MetaCommand::kSet);
  EXPECT_EQ(Ok("md k").command, MetaCommand::kDelete);
  EXPECT_EQ(Ok("ma k").command, MetaCommand::kArith);
  EXPECT_EQ(Ok("mn").command, MetaCommand::kNoop);
  EXPECT_EQ(Ok("me k").command, MetaCommand::kDebug);
}

TEST_F(MetaParserTest, OtherNamesAreUnknownCommands) {
  EXPECT_EQ(Err("mx k"), "ERROR");
  EXPECT_EQ(Err("m k"), "ERROR");
  EXPECT_EQ(Err("mgg k"), "ERROR");
  EXPECT_EQ(Err("MG k"), "ERROR");
  EXPECT_EQ(Err(""), "ERROR");
}

TEST_F(MetaParserTest, CommandsWithoutAKeyAreUnknownCommands) {
  EXPECT_EQ(Err("mg"), "ERROR");
  EXPECT_EQ(Err("ms"), "ERROR");
  EXPECT_EQ(Err("md"), "ERROR");
  EXPECT_EQ(Err("ma"), "ERROR");
  EXPECT_EQ(Err("mg   "), "ERROR");
}

TEST_F(MetaParserTest, NoopIgnoresEverythingAfterIt) {
  EXPECT_EQ(Ok("mn foo bar").command, MetaCommand::kNoop);
  EXPECT_EQ(Ok("mn v v v").command, MetaCommand::kNoop);
}

TEST_F(MetaParserTest, TokensAreSplitOnSpacesOnly) {
  const MetaRequest r = Ok("  mg   key\tx   v  ");
  EXPECT_EQ(r.key, "key\tx");
  EXPECT_EQ(Flags(r), (std::vector<std::string>{"v"}));
}

// --- me ------------------------------------------------------------------------------------

TEST_F(MetaParserTest, DebugNeedsAKeyOfAtMost250Bytes) {
  EXPECT_EQ(Err("me"), kFormat);
  EXPECT_EQ(Ok("me " + std::string(250, 'k')).key, std::string(250, 'k'));
  EXPECT_EQ(Err("me " + std::string(251, 'k')), kFormat);
}

TEST_F(MetaParserTest, DebugWithBMeasuresTheDecodedKey) {
  const std::string k250 = Base64(std::string(250, 'x'));
  const std::string k251 = Base64(std::string(251, 'x'));
  EXPECT_EQ(Ok("me " + k250 + " b").key, k250);
  EXPECT_EQ(Err("me " + k251 + " b"), kFormat);
  EXPECT_EQ(Err("me " + k250), kFormat);
}

TEST_F(MetaParserTest, DebugTakesBOnlyAsTheWholeThirdToken) {
  EXPECT_TRUE(Ok("me Zm9v b x").Has('b'));
  EXPECT_FALSE(Ok("me Zm9v bx x").Has('b'));
  EXPECT_FALSE(Ok("me Zm9v x b").Has('b'));
  EXPECT_FALSE(Ok("me Zm9v").Has('b'));
}

// 1.6.18's process_meta_command tests `ntokens >= 4`, and its ntokens counts the empty
// terminal token: `me Zm9v b` (three words) decodes the key; 1.6.18 answers it with
// `ME foo exp=-1 ...` for an item stored as "foo".
TEST_F(MetaParserTest, DebugHonoursBAsTheLastOfThreeTokens) {
  EXPECT_TRUE(Ok("me Zm9v b").Has('b'));
}

// --- Keys ----------------------------------------------------------------------------------

TEST_F(MetaParserTest, KeysUpTo250BytesAreAccepted) {
  const std::string key(250, 'k');
  EXPECT_EQ(Ok("mg " + key + " v").key, key);
  EXPECT_EQ(Ok("ms " + key + " 1").key, key);
  EXPECT_EQ(Ok("md " + key).key, key);
  EXPECT_EQ(Ok("ma " + key).key, key);
}

TEST_F(MetaParserTest, LongerKeysAreABadCommandLineWithNothingSwallowed) {
  const std::string key(251, 'k');
  EXPECT_EQ(Err("mg " + key + " v"), kFormat);
  EXPECT_EQ(Err("md " + key), kFormat);
  EXPECT_EQ(Err("ma " + key), kFormat);
  EXPECT_EQ(Err("ms " + key + " 5 T1"), kFormat);
  EXPECT_EQ(Swallow("ms " + key + " 5 T1"), 0u);
}

TEST_F(MetaParserTest, TheKeyCheckComesBeforeTheFlagChecks) {
  const std::string key(251, 'k');
  EXPECT_EQ(Err("mg " + key + " v v"), kFormat);
  EXPECT_EQ(Err("mg " + key + " Z"), kFormat);
}

TEST_F(MetaParserTest, Base64KeysStayEncodedInTheRequest) {
  const MetaRequest r = Ok("mg Zm9v b v");
  EXPECT_TRUE(r.Has('b'));
  EXPECT_EQ(r.key, "Zm9v");
}

TEST_F(MetaParserTest, AKeyThatDoesNotDecodeIsAnError) {
  EXPECT_EQ(Err("mg Zm9 b"), kDecode);
  EXPECT_EQ(Err("mg !!!! b v"), kDecode);
  EXPECT_EQ(Err("ms Zm9 2 b"), kDecode);
  EXPECT_EQ(Swallow("ms Zm9 2 b"), 4u);
  EXPECT_EQ(Err("md Zm9 b"), kInvalidOrDuplicate);
  EXPECT_EQ(Err("ma Zm9 b"), kInvalidOrDuplicate);
}

// A later release's rule, taken deliberately (README, differences 12): with `b` the 250-byte
// limit applies to the decoded key, so encoded keys up to 336 bytes pass.
TEST_F(MetaParserTest, WithBTheLimitAppliesToTheDecodedKey) {
  const std::string k250 = Base64(std::string(250, 'x'));
  const std::string k251 = Base64(std::string(251, 'x'));
  ASSERT_EQ(k250.size(), 336u);
  ASSERT_EQ(k251.size(), 336u);
  EXPECT_EQ(Ok("mg " + k250 + " b v").key, k250);
  EXPECT_EQ(Ok("ms " + k250 + " 1 b").key, k250);
  EXPECT_EQ(Err("mg " + k251 + " b v"), kFormat);
  EXPECT_EQ(Err("mg " + k250 + "AAAA b v"), kFormat);  // 340 bytes encoded
  EXPECT_EQ(Err("mg " + k250 + " v"), kFormat);        // without b: the encoded length counts
}

// --- Token counts --------------------------------------------------------------------------

TEST_F(MetaParserTest, NineteenTokensAreAccepted) {
  EXPECT_EQ(Ok(LineWithTokens("mg k", 2, 19)).flag_count, 17u);
  EXPECT_EQ(Ok(LineWithTokens("ms k 1", 3, 19)).flag_count, 16u);
  EXPECT_EQ(Ok(LineWithTokens("md k", 2, 19)).flag_count, 17u);
}

TEST_F(MetaParserTest, TwentyTokensAreTooMany) {
  EXPECT_EQ(Err(LineWithTokens("mg k", 2, 20)), "CLIENT_ERROR options flags are too long");
  EXPECT_EQ(Err(LineWithTokens("md k", 2, 20)), "CLIENT_ERROR options flags too long");
  EXPECT_EQ(Err(LineWithTokens("ma k", 2, 20)), "CLIENT_ERROR options flags too long");
  EXPECT_EQ(Err(LineWithTokens("ms k 1", 3, 20)), "CLIENT_ERROR options flags too long");
  EXPECT_EQ(Swallow(LineWithTokens("ms k 1", 3, 20)), 0u);
  EXPECT_EQ(Err(LineWithTokens("mg k", 2, 40)), "CLIENT_ERROR options flags are too long");
}

TEST_F(MetaParserTest, TooManyTokensIsCheckedBeforeTheFlags) {
  std::string line = "mg k v v";
  for (int i = 0; i < 20; ++i) line += " Z";
  EXPECT_EQ(Err(line), "CLIENT_ERROR options flags are too long");
}

// --- ms data length and swallow ------------------------------------------------------------

TEST_F(MetaParserTest, SetDecodesTheDataLength) {
  EXPECT_EQ(Ok("ms k 0").datalen, 0);
  EXPECT_EQ(Ok("ms k 5 T1").datalen, 5);
  EXPECT_EQ(Ok("ms k +7").datalen, 7);  // strtol accepts a sign, as 1.6.18 does
  EXPECT_EQ(Ok("ms k 2147483645").datalen, 2147483645);
  // strtol's 64-bit result truncated to 32 bits: 1.6.18 reads a 1-byte value for this line.
  EXPECT_EQ(Ok("ms k 4294967297").datalen, 1);
}

TEST_F(MetaParserTest, ABadDataLengthIsABadCommandLineWithNothingSwallowed) {
  for (const char* line : {"ms k", "ms k x", "ms k -1", "ms k 2147483646", "ms k 5x"}) {
    EXPECT_EQ(Err(line), kFormat) << line;
    EXPECT_EQ(Swallow(line), 0u) << line;
  }
}

TEST_F(MetaParserTest, SetFlagErrorsSwallowTheDataBlockAndItsLineEnd) {
  EXPECT_EQ(Err("ms k 10 Tx"), kBadToken);
  EXPECT_EQ(Swallow("ms k 10 Tx"), 12u);
  EXPECT_EQ(Swallow("ms k 0 v v"), 2u);
  EXPECT_EQ(Swallow("ms k 3 Z"), 5u);
  EXPECT_EQ(Swallow("ms k 2147483645 Z"), 2147483647u);
  EXPECT_EQ(Swallow("ms k 3 M"), 5u);
}

TEST_F(MetaParserTest, OtherCommandsNeverSwallow) {
  EXPECT_EQ(Swallow("mg k Tx"), 0u);
  EXPECT_EQ(Swallow("md k Tx"), 0u);
  EXPECT_EQ(Swallow("ma k Tx"), 0u);
}

// --- Flag tokens ---------------------------------------------------------------------------

TEST_F(MetaParserTest, FlagTokensAreKeptWholeAndInRequestOrder) {
  const MetaRequest r = Ok("mg key v t Oabc k c T30 s");
  EXPECT_EQ(Flags(r), (std::vector<std::string>{"v", "t", "Oabc", "k", "c", "T30", "s"}));
  for (char c : std::string_view("vtOkcTs")) EXPECT_TRUE(r.Has(c)) << c;
  for (char c : std::string_view("qhlfNRbE")) EXPECT_FALSE(r.Has(c)) << c;
}

TEST_F(MetaParserTest, SetFlagsStartAfterTheDataLength) {
  const MetaRequest r = Ok("ms key 3 c k Oq1");
  EXPECT_EQ(r.datalen, 3);
  EXPECT_EQ(Flags(r), (std::vector<std::string>{"c", "k", "Oq1"}));
}

TEST_F(MetaParserTest, OnlyTheFirstByteOfAFlagNamesIt) {
  const MetaRequest r = Ok("mg k kfoo vbar");
  EXPECT_TRUE(r.Has('k'));
  EXPECT_TRUE(r.Has('v'));
  EXPECT_EQ(Flags(r), (std::vector<std::string>{"kfoo", "vbar"}));
}

TEST_F(MetaParserTest, EveryFlagLetterOfTheMetaCommandsIsKnown) {
  EXPECT_EQ(Ok("mg Zm9v b c f h k l O1 q s t u v N1 R1 T1 E1").flag_count, 16u);
  EXPECT_EQ(Ok("ms Zm9v 1 b c C1 E1 F1 I k MS N1 O1 q s T1").flag_count, 13u);
  EXPECT_EQ(Ok("ma k C1 D1 J1 MI N1 O1 q t c v k T1").flag_count, 12u);
  EXPECT_EQ(Ok("md k C1 I k O1 q T1 x P L").flag_count, 9u);
}

TEST_F(MetaParserTest, ARepeatedLetterIsADuplicateFlag) {
  EXPECT_EQ(Err("mg k v v"), kDuplicate);
  EXPECT_EQ(Err("mg k T1 T2"), kDuplicate);
  EXPECT_EQ(Err("mg k Oa Ob"), kDuplicate);
  EXPECT_EQ(Err("ms k 1 c c"), kDuplicate);
}

TEST_F(MetaParserTest, BytesFrom127UpAreDuplicateFlags) {
  EXPECT_EQ(Err("mg k \x7f"), kDuplicate);
  EXPECT_EQ(Err("mg k \x80"), kDuplicate);
  EXPECT_EQ(Err("mg k \xff" "abc"), kDuplicate);
}

TEST_F(MetaParserTest, AnUnknownLetterIsAnInvalidFlag) {
  EXPECT_EQ(Err("mg k Z"), kInvalidFlag);
  EXPECT_EQ(Err("mg k !"), kInvalidFlag);
  EXPECT_EQ(Err("mg k 1"), kInvalidFlag);
  EXPECT_EQ(Err("mg k a"), kInvalidFlag);
  EXPECT_EQ(Err(std::string("mg k \x01", 6)), kInvalidFlag);
}

TEST_F(MetaParserTest, TheFirstDuplicateOrUnknownFlagStopsTheScan) {
  EXPECT_EQ(Err("mg k Z v v"), kInvalidFlag);
  EXPECT_EQ(Err("mg k v v Z"), kDuplicate);
  EXPECT_EQ(Err("mg k Tx v v"), kDuplicate);
  EXPECT_EQ(Err("mg k Tx Z"), kInvalidFlag);
}

TEST_F(MetaParserTest, BadNumbersAreReportedAfterTheScanWithTheLastErrorWinning) {
  EXPECT_EQ(Err("mg k T"), kBadToken);
  EXPECT_EQ(Err("mg k Tx"), kBadToken);
  EXPECT_EQ(Err("mg k N1x"), kBadToken);
  EXPECT_EQ(Err("mg k R-"), kBadToken);
  EXPECT_EQ(Err("mg k C"), kBadToken);
  EXPECT_EQ(Err("mg k E-1"), kBadToken);
  EXPECT_EQ(Err("mg k Jx"), "CLIENT_ERROR invalid numeric initial value");
  EXPECT_EQ(Err("mg k D-1"), "CLIENT_ERROR invalid numeric delta value");
  EXPECT_EQ(Err("mg k Jx Dx"), "CLIENT_ERROR invalid numeric delta value");
  EXPECT_EQ(Err("mg k Dx Jx"), "CLIENT_ERROR invalid numeric initial value");
  EXPECT_EQ(Err("mg k M"), "CLIENT_ERROR incorrect length for M token");
  EXPECT_EQ(Err("mg k Mxx"), "CLIENT_ERROR incorrect length for M token");
}

TEST_F(MetaParserTest, ABadClientFlagsValueIsABadCommandLine) {
  EXPECT_EQ(Err("mg k Fx"), kFormat);
  EXPECT_EQ(Err("mg k F-1"), kFormat);
  EXPECT_EQ(Err("mg k Fx Tx"), kBadToken);
}

// 1.6.18's _meta_flag_preparse sets no error string for a bad F (the caller's default, "bad
// command line format", shows only when nothing else set one), so an earlier error stands:
// 1.6.18 answers `mg k Tx Fx` and `ms k 1 Tx Fx` with "bad token in command line format".
TEST_F(MetaParserTest, ABadClientFlagsValueDoesNotHideAnEarlierError) {
  EXPECT_EQ(Err("mg k Tx Fx"), kBadToken);
  EXPECT_EQ(Err("ms k 1 Tx Fx"), kBadToken);
  EXPECT_EQ(Err("mg k Jx Fx"), "CLIENT_ERROR invalid numeric initial value");
}

TEST_F(MetaParserTest, DeleteAndArithReportEveryFlagErrorAlike) {
  for (const char* flags : {"Z", "v v", "Tx", "Fx", "Jx", "Dx", "M", "\x80"}) {
    EXPECT_EQ(Err(std::string("md k ") + flags), kInvalidOrDuplicate) << flags;
    EXPECT_EQ(Err(std::string("ma k ") + flags), kInvalidOrDuplicate) << flags;
  }
}

// --- Decoded values ------------------------------------------------------------------------

TEST_F(MetaParserTest, DecodesTheNumericFlags) {
  const MetaRequest r =
      Ok("ma k T30 N-5 R2592001 C18446744073709551615 D12 J99 MD");
  EXPECT_EQ(r.ttl, 30);
  EXPECT_EQ(r.vivify_ttl, -5);
  EXPECT_EQ(r.recache_ttl, 2592001);
  EXPECT_EQ(r.compare_cas, 18446744073709551615u);
  EXPECT_EQ(r.delta, 12u);
  EXPECT_EQ(r.initial, 99u);
  EXPECT_EQ(r.mode, 'D');
}

TEST_F(MetaParserTest, ArithDefaultsToDeltaOneAndInitialZero) {
  const MetaRequest r = Ok("ma k");
  EXPECT_EQ(r.delta, 1u);
  EXPECT_EQ(r.initial, 0u);
  EXPECT_EQ(r.mode, 0);
}

TEST_F(MetaParserTest, ClientFlagsAreTruncatedTo32BitsAsStrtoulDoes) {
  EXPECT_EQ(Ok("ms k 1 F4294967295").client_flags, 4294967295u);
  EXPECT_EQ(Ok("ms k 1 F4294967296").client_flags, 0u);  // 1.6.18: `mg k f` -> f0
  EXPECT_EQ(Ok("ms k 1 F5").client_flags, 5u);
}

TEST_F(MetaParserTest, TtlsAreSignedAndTruncatedTo32Bits) {
  EXPECT_EQ(Ok("mg k T-1").ttl, -1);
  EXPECT_EQ(Ok("mg k T0").ttl, 0);
  EXPECT_EQ(Ok("mg k T2147483648").ttl, INT32_MIN);
}

// --- ms mode and opaque --------------------------------------------------------------------

TEST_F(MetaParserTest, SetAcceptsTheUppercaseModes) {
  for (char m : std::string_view("SEAPR")) {
    EXPECT_EQ(Ok(std::string("ms k 1 M") + m).mode, m);
  }
}

TEST_F(MetaParserTest, SetRejectsOtherModesAndSwallows) {
  EXPECT_EQ(Err("ms k 1 Mx"), "CLIENT_ERROR invalid mode for ms M token");
  EXPECT_EQ(Swallow("ms k 1 Mx"), 3u);
  EXPECT_EQ(Err("ms k 1 MI"), "CLIENT_ERROR invalid mode for ms M token");
}

// 1.6.18's process_mset_command knows only the uppercase letters (lowercase came later and is
// not among README's deliberate differences): it answers `ms k 1 Ma` with the mode error.
TEST_F(MetaParserTest, SetRejectsLowercaseModesAs1618Does) {
  for (char m : std::string_view("seapr")) {
    EXPECT_EQ(Err(std::string("ms k 1 M") + m), "CLIENT_ERROR invalid mode for ms M token") << m;
  }
}

TEST_F(MetaParserTest, OtherCommandsLeaveTheModeToTheDispatcher) {
  EXPECT_EQ(Ok("mg k Mx").mode, 'x');
  EXPECT_EQ(Ok("ma k Mx").mode, 'x');
}

TEST_F(MetaParserTest, SetOpaqueTokensAreLimitedTo32BytesAndSwallow) {
  const std::string ok = "O" + std::string(31, 'o');
  const std::string long_opaque = "O" + std::string(32, 'o');
  EXPECT_EQ(Flags(Ok("ms k 1 " + ok)), (std::vector<std::string>{ok}));
  EXPECT_EQ(Err("ms k 1 " + long_opaque), "CLIENT_ERROR opaque token too long");
  EXPECT_EQ(Swallow("ms k 1 " + long_opaque), 3u);
  // mg/md/ma check the opaque later, as 1.6.18 does (see meta_dispatch_test).
  EXPECT_EQ(Ok("mg k " + long_opaque).flag_count, 1u);
}

TEST_F(MetaParserTest, ABadModeOutranksALongOpaque) {
  EXPECT_EQ(Err("ms k 1 O" + std::string(32, 'o') + " Mx"),
            "CLIENT_ERROR invalid mode for ms M token");
}

// --- Later releases' flags, accepted deliberately (README, differences 12) -----------------

TEST_F(MetaParserTest, AcceptsEOnGetAndSetAndXOnDelete) {
  EXPECT_EQ(Ok("ms k 1 E42").explicit_cas, 42u);
  EXPECT_EQ(Ok("mg k N30 E18446744073709551615").explicit_cas, 18446744073709551615u);
  EXPECT_TRUE(Ok("md k x").Has('x'));
  EXPECT_EQ(Err("mg k Ex"), kBadToken);
}

// Elsewhere they stay what 1.6.18 says of them.
TEST_F(MetaParserTest, EAndXAreInvalidFlagsOnTheOtherCommands) {
  EXPECT_EQ(Err("md k E1"), kInvalidOrDuplicate);
  EXPECT_EQ(Err("ma k E1"), kInvalidOrDuplicate);
  EXPECT_EQ(Err("mg k x"), kInvalidFlag);
  EXPECT_EQ(Err("ms k 1 x"), kInvalidFlag);
  EXPECT_EQ(Swallow("ms k 1 x"), 3u);
  EXPECT_EQ(Err("ma k x"), kInvalidOrDuplicate);
  EXPECT_EQ(Err("mg k Tx x"), kInvalidFlag);  // unknown outranks a bad value, as for Z
}

// --- Views and odd bytes -------------------------------------------------------------------

TEST_F(MetaParserTest, KeyAndFlagsAreViewsIntoTheLine) {
  lines_.push_back("mg key v Oab");
  const std::string& line = lines_.back();
  const MetaParseResult r = ParseMetaCommand(line);
  ASSERT_EQ(r.status, MetaParseStatus::kOk);
  EXPECT_EQ(r.request.key.data(), line.data() + 3);
  EXPECT_EQ(r.request.flag(1).data(), line.data() + 9);
}

TEST_F(MetaParserTest, BinaryKeyBytesAreKeptAsSent) {
  const std::string key("\x80\xff\x01", 3);
  EXPECT_EQ(Ok("mg " + key + " v").key, key);
}

}  // namespace
}  // namespace slabd::proto
