// libFuzzer target for the text protocol codec.
//
// Walks the input as a connection would: parse a command, skip its line, its data block
// (storage) or its swallow, and continue until the parser needs more bytes or closes. Checks the
// parser's contract on every step (progress, views inside the input, key limits, determinism
// under a byte-at-a-time split of the first line) and that composing a parsed request parses
// back to the same command. The client-side reply reader runs over the same bytes.
//
// Build: clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -I. proto/*.cc \
//          t/fuzz/text_parser_fuzz.cc -o /tmp/text_parser_fuzz
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "proto/text_parser.h"
#include "proto/text_request_composer.h"
#include "proto/text_response_parser.h"

namespace {

using slabd::proto::IsStorageCommand;
using slabd::proto::ParseResult;
using slabd::proto::ParseStatus;
using slabd::proto::TextCommand;

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

bool Inside(std::string_view part, std::string_view whole) {
  return part.empty() || (part.data() >= whole.data() &&
                          part.data() + part.size() <= whole.data() + whole.size());
}

void CheckRequest(const ParseResult& result, std::string_view input) {
  const slabd::proto::TextRequest& request = result.request;
  Check(result.consumed > 0 && result.consumed <= input.size());
  Check(input[result.consumed - 1] == '\n');
  Check(Inside(request.line, input) && Inside(request.key, input) && Inside(request.args, input));
  Check(request.key.size() <= slabd::proto::kMaxKeyLength);
  for (std::string_view key : request.keys) {
    Check(!key.empty() && key.size() <= slabd::proto::kMaxKeyLength && Inside(key, input));
    Check(key.find(' ') == std::string_view::npos);
  }
  if (request.command == TextCommand::kMeta) return;
  const std::string composed = slabd::proto::ComposeTextRequest(request, {});
  const ParseResult again = slabd::proto::ParseTextCommand(composed);
  Check(again.status == ParseStatus::kOk && again.request.command == request.command);
  Check(again.request.key == request.key && again.request.noreply == request.noreply);
}

// The first command parsed from every prefix agrees with the whole input.
void CheckIncremental(std::string_view input, const ParseResult& whole) {
  if (whole.status != ParseStatus::kOk && whole.status != ParseStatus::kError) return;
  const ParseResult before = slabd::proto::ParseTextCommand(input.substr(0, whole.consumed - 1));
  Check(before.status == ParseStatus::kNeedMore || before.status == ParseStatus::kClose);
  const ParseResult exact = slabd::proto::ParseTextCommand(input.substr(0, whole.consumed));
  Check(exact.status == whole.status && exact.consumed == whole.consumed);
  Check(exact.error == whole.error && exact.swallow == whole.swallow);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  std::string_view rest = all;
  bool first = true;
  while (!rest.empty()) {
    const ParseResult result = slabd::proto::ParseTextCommand(rest);
    if (first) CheckIncremental(rest, result);
    first = false;
    if (result.status == ParseStatus::kNeedMore || result.status == ParseStatus::kClose) break;
    uint64_t skip = result.consumed;
    if (result.status == ParseStatus::kOk) {
      CheckRequest(result, rest);
      if (IsStorageCommand(result.request.command)) skip += result.request.value_len + 2ull;
    } else {
      Check(!result.error.empty() && result.consumed > 0 && result.consumed <= rest.size());
      skip += result.swallow;
    }
    if (skip >= rest.size()) break;
    rest.remove_prefix(static_cast<size_t>(skip));
  }
  std::string_view replies = all;
  while (!replies.empty()) {
    const slabd::proto::ResponseParseResult reply = slabd::proto::ParseTextResponse(replies);
    if (reply.status != slabd::proto::ResponseStatus::kOk) break;
    Check(reply.consumed > 0 && reply.consumed <= replies.size());
    replies.remove_prefix(reply.consumed);
  }
  return 0;
}
