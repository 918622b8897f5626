// Client-side reply parsing; see text_response_parser.h.
#include "proto/text_response_parser.h"

#include <array>
#include <charconv>
#include <optional>

#include "proto/key_list.h"

namespace slabd::proto {
namespace {

template <typename Int>
std::optional<Int> StrictNumber(std::string_view text) {
  Int value = 0;
  if (text.empty() || text.front() < '0' || text.front() > '9') return std::nullopt;
  const std::from_chars_result r = std::from_chars(text.data(), text.data() + text.size(), value);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

struct FixedReply {
  std::string_view line;
  TextResponseKind kind;
};

constexpr std::array<FixedReply, 9> kFixedReplies = {{
    {"END", TextResponseKind::kEnd},
    {"STORED", TextResponseKind::kStored},
    {"NOT_STORED", TextResponseKind::kNotStored},
    {"EXISTS", TextResponseKind::kExists},
    {"NOT_FOUND", TextResponseKind::kNotFound},
    {"DELETED", TextResponseKind::kDeleted},
    {"TOUCHED", TextResponseKind::kTouched},
    {"OK", TextResponseKind::kOk},
    {"RESET", TextResponseKind::kReset},
}};

// Splits "<prefix><text>" for the prefixed kinds; false when `line` lacks the prefix.
bool TakePrefix(std::string_view line, std::string_view prefix, std::string_view* rest) {
  if (!line.starts_with(prefix)) return false;
  *rest = line.substr(prefix.size());
  return true;
}

// Classifies every line but VALUE.
TextResponse ClassifyLine(std::string_view line) {
  TextResponse response;
  response.line = line;
  for (const FixedReply& fixed : kFixedReplies) {
    if (line == fixed.line) {
      response.kind = fixed.kind;
      return response;
    }
  }
  std::string_view rest;
  if (TakePrefix(line, "STAT ", &rest)) {
    const size_t space = rest.find(' ');
    response.kind = TextResponseKind::kStat;
    response.name = rest.substr(0, space);
    response.text = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
  } else if (TakePrefix(line, "VERSION ", &rest)) {
    response.kind = TextResponseKind::kVersion;
    response.text = rest;
  } else if (TakePrefix(line, "CLIENT_ERROR ", &rest)) {
    response.kind = TextResponseKind::kClientError;
    response.text = rest;
  } else if (TakePrefix(line, "SERVER_ERROR ", &rest)) {
    response.kind = TextResponseKind::kServerError;
    response.text = rest;
  } else if (TakePrefix(line, "ERROR", &rest)) {
    response.kind = TextResponseKind::kError;
    response.text = rest;
  } else if (std::optional<uint64_t> number = StrictNumber<uint64_t>(line)) {
    response.kind = TextResponseKind::kNumber;
    response.number = *number;
  }
  return response;
}

// "VALUE <key> <flags> <bytes>[ <cas>]" then the data block starting at `input[line_end]`.
ResponseParseResult ParseValue(std::string_view input, std::string_view line, size_t line_end) {
  ResponseParseResult result;
  std::array<std::string_view, 5> fields;
  size_t count = 0;
  for (std::string_view field : KeyList(line)) {
    if (count == fields.size()) return {ResponseStatus::kMalformed, 0, {}};
    fields[count++] = field;
  }
  if (count < 4) return {ResponseStatus::kMalformed, 0, {}};
  const std::optional<uint32_t> flags = StrictNumber<uint32_t>(fields[2]);
  const std::optional<uint32_t> bytes = StrictNumber<uint32_t>(fields[3]);
  const std::optional<uint64_t> cas =
      count == 5 ? StrictNumber<uint64_t>(fields[4]) : std::optional<uint64_t>(0);
  if (!flags.has_value() || !bytes.has_value() || !cas.has_value()) {
    return {ResponseStatus::kMalformed, 0, {}};
  }
  const size_t total = line_end + static_cast<size_t>(*bytes) + 2;
  if (input.size() < total) return result;  // kNeedMore
  if (input.substr(total - 2, 2) != "\r\n") return {ResponseStatus::kMalformed, 0, {}};
  TextResponse& response = result.response;
  response.kind = TextResponseKind::kValue;
  response.line = line;
  response.key = fields[1];
  response.flags = *flags;
  response.value_len = *bytes;
  response.has_cas = count == 5;
  response.cas = *cas;
  response.data = input.substr(line_end, *bytes);
  result.status = ResponseStatus::kOk;
  result.consumed = total;
  return result;
}

}  // namespace

ResponseParseResult ParseTextResponse(std::string_view input) {
  const size_t newline = input.find('\n');
  if (newline == std::string_view::npos) return {};
  std::string_view line = input.substr(0, newline);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.starts_with("VALUE ")) return ParseValue(input, line, newline + 1);
  return {ResponseStatus::kOk, newline + 1, ClassifyLine(line)};
}

}  // namespace slabd::proto
