// ParseTextCommand: framing, dispatch by name with 1.6.18's token-count checks, then one small
// function per command family for its arguments. See text_parser.h for the contract.
//
// Order of checks per line, as 1.6.18 (proto_text.c try_read_command_ascii/process_command_ascii):
//   1. frame at '\n'; strip one '\r' only if the line has another byte before it; cut at NUL;
//   2. split into at most 23 tokens; no token or a command shorter than 2 bytes -> ERROR;
//   3. known name with a wrong token count -> ERROR (never suppressed by noreply);
//      unknown name -> ERROR, or a silent close if its first letter has no dispatch branch in
//      1.6.18 (a c d g i s t, or m + one letter) and the last token starts with "HTTP/";
//   4. the command's argument checks, where noreply (if the command honours it) already applies.
#include "proto/text_parser.h"

#include <array>
#include <cstring>
#include <limits>
#include <optional>

#include "proto/text_numbers.h"
#include "proto/text_tokens.h"
#include "proto/text_writer.h"

namespace slabd::proto {
namespace {

constexpr std::string_view kErrUnknown = WithoutCrlf(kError);
constexpr std::string_view kErrFormat = WithoutCrlf(kClientErrorBadCommandLineFormat);
constexpr std::string_view kErrExptime = WithoutCrlf(kClientErrorInvalidExptime);
constexpr std::string_view kErrDelta = WithoutCrlf(kClientErrorInvalidDelta);
constexpr std::string_view kErrDeleteUsage = WithoutCrlf(kClientErrorDeleteUsage);
constexpr size_t kMaxLeadingSpacesOfLongLine = 100;
constexpr int32_t kMaxValueLength = std::numeric_limits<int32_t>::max() - 2;

struct CommandSpec {
  std::string_view name;
  TextCommand command;
  uint8_t min_tokens;  // including the command name
  uint8_t max_tokens;  // TextTokens::kMaxTokens means "no limit"
};

constexpr uint8_t kNoLimit = TextTokens::kMaxTokens;

// Most frequent first: a lookup is a short run of length-mismatch comparisons.
constexpr std::array<CommandSpec, 33> kCommands = {{
    {"get", TextCommand::kGet, 2, kNoLimit},
    {"set", TextCommand::kSet, 5, 6},
    {"gets", TextCommand::kGets, 2, kNoLimit},
    {"delete", TextCommand::kDelete, 2, 4},
    {"incr", TextCommand::kIncr, 3, 4},
    {"decr", TextCommand::kDecr, 3, 4},
    {"touch", TextCommand::kTouch, 3, 4},
    {"gat", TextCommand::kGat, 2, kNoLimit},
    {"gats", TextCommand::kGats, 2, kNoLimit},
    {"add", TextCommand::kAdd, 5, 6},
    {"replace", TextCommand::kReplace, 5, 6},
    {"append", TextCommand::kAppend, 5, 6},
    {"prepend", TextCommand::kPrepend, 5, 6},
    {"cas", TextCommand::kCas, 6, 7},
    {"mg", TextCommand::kMeta, 1, kNoLimit},
    {"ms", TextCommand::kMeta, 1, kNoLimit},
    {"md", TextCommand::kMeta, 1, kNoLimit},
    {"mn", TextCommand::kMeta, 1, kNoLimit},
    {"ma", TextCommand::kMeta, 1, kNoLimit},
    {"me", TextCommand::kMeta, 1, kNoLimit},
    {"stats", TextCommand::kStats, 1, kNoLimit},
    {"version", TextCommand::kVersion, 1, kNoLimit},
    {"quit", TextCommand::kQuit, 1, kNoLimit},
    {"flush_all", TextCommand::kFlushAll, 1, 3},
    {"verbosity", TextCommand::kVerbosity, 2, 3},
    {"shutdown", TextCommand::kShutdown, 1, kNoLimit},
    {"cache_memlimit", TextCommand::kCacheMemlimit, 2, 3},
    {"slabs", TextCommand::kSlabs, 1, kNoLimit},
    {"lru", TextCommand::kLru, 2, kNoLimit},
    {"lru_crawler", TextCommand::kLruCrawler, 1, kNoLimit},
    {"watch", TextCommand::kWatch, 1, kNoLimit},
    {"refresh_certs", TextCommand::kRefreshCerts, 1, kNoLimit},
    {"extstore", TextCommand::kExtstore, 1, kNoLimit},
}};

const CommandSpec* FindCommand(std::string_view name) {
  for (const CommandSpec& spec : kCommands) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

// The helpers below fill the caller's ParseResult in place (its `request` is the request being
// parsed): ParseResult is ~200 bytes, and building requests in locals returned by value cost a
// copy per level, with store-forwarding stalls, on every command (6% of a pipelined-get load).
void Ok(ParseResult& r) { r.status = ParseStatus::kOk; }

// An argument error of a recognised command.
void Fail(ParseResult& r, std::string_view error, bool noreply, uint64_t swallow = 0) {
  r.status = ParseStatus::kError;
  r.error = error;
  r.noreply = noreply;
  r.swallow = swallow;
  r.known_command = true;
}

// ERROR for an unknown command or a known one with the wrong number of tokens.
void Unknown(ParseResult& r, std::string_view line) {
  r = ParseResult{};
  r.status = ParseStatus::kError;
  r.request.line = line;
  r.error = kErrUnknown;
}

ParseResult Close() {
  ParseResult result;
  result.status = ParseStatus::kClose;
  return result;
}

void Close(ParseResult& r) {
  r = ParseResult{};
  r.status = ParseStatus::kClose;
}

// 1.6.18 checks "HTTP/" only for names that fall through every first-letter branch.
void UnknownCommand(const TextTokens& tokens, std::string_view line, ParseResult& r) {
  const std::string_view name = tokens[0];
  const bool has_branch = (name[0] == 'm' && name.size() == 2) ||
                          std::memchr("acdgist", name[0], 7) != nullptr;
  if (!has_branch && tokens.back().starts_with("HTTP/")) return Close(r);
  return Unknown(r, line);
}

bool IsNoreply(const TextTokens& tokens) { return tokens.back() == "noreply"; }

void ParseStorage(const TextTokens& tokens, ParseResult& r) {
  TextRequest& request = r.request;
  request.noreply = IsNoreply(tokens);
  request.key = tokens[1];
  const std::optional<int32_t> bytes = ParseLibcInt32(tokens[4]);
  const bool bytes_ok = bytes && *bytes >= 0 && *bytes <= kMaxValueLength;
  // slabd fix: once <bytes> is known, a rejected line never lets its data run as commands.
  const uint64_t swallow = bytes_ok ? static_cast<uint64_t>(*bytes) + 2 : 0;
  const std::optional<uint32_t> flags = ParseLibcUint32(tokens[2]);
  const std::optional<int32_t> exptime = ParseLibcInt32(tokens[3]);
  std::optional<uint64_t> cas_unique = 0;
  if (request.command == TextCommand::kCas) cas_unique = ParseLibcUint64(tokens[5]);
  if (request.key.size() > kMaxKeyLength || !flags || !exptime || !cas_unique || !bytes_ok) {
    return Fail(r, kErrFormat, request.noreply, swallow);
  }
  request.flags = *flags;
  request.exptime = *exptime;
  request.value_len = static_cast<uint32_t>(*bytes);
  request.cas_unique = *cas_unique;
  return Ok(r);
}

void ParseRetrieval(const TextTokens& tokens, ParseResult& r) {
  TextRequest& request = r.request;
  size_t first_key = 1;
  if (request.command == TextCommand::kGat || request.command == TextCommand::kGats) {
    const std::optional<int32_t> exptime = ParseLibcInt32(tokens[1]);
    if (!exptime) return Fail(r, kErrExptime, false);
    request.exptime = *exptime;
    first_key = 2;
  }
  request.keys = KeyList(tokens.From(first_key));
  for (std::string_view key : request.keys) {
    if (key.size() > kMaxKeyLength) return Fail(r, kErrFormat, false);
  }
  return Ok(r);
}

void ParseArithmetic(const TextTokens& tokens, ParseResult& r) {
  TextRequest& request = r.request;
  request.noreply = IsNoreply(tokens);
  request.key = tokens[1];
  if (request.key.size() > kMaxKeyLength) return Fail(r, kErrFormat, request.noreply);
  const std::optional<uint64_t> delta = ParseLibcUint64(tokens[2]);
  if (!delta) return Fail(r, kErrDelta, request.noreply);
  request.delta = *delta;
  return Ok(r);
}

void ParseTouch(const TextTokens& tokens, ParseResult& r) {
  TextRequest& request = r.request;
  request.noreply = IsNoreply(tokens);
  request.key = tokens[1];
  if (request.key.size() > kMaxKeyLength) return Fail(r, kErrFormat, request.noreply);
  const std::optional<int32_t> exptime = ParseLibcInt32(tokens[2]);
  if (!exptime) return Fail(r, kErrExptime, request.noreply);
  request.exptime = *exptime;
  return Ok(r);
}

// `delete <key> [0] [noreply]`: the legacy hold time is accepted only as the literal "0".
// noreply is looked at only when there is a third token (1.6.18 process_delete_command).
void ParseDelete(const TextTokens& tokens, ParseResult& r) {
  TextRequest& request = r.request;
  request.key = tokens[1];
  if (tokens.size() > 2) {
    const bool hold_is_zero = tokens[2] == "0";
    request.noreply = IsNoreply(tokens);
    const bool valid = (tokens.size() == 3 && (hold_is_zero || request.noreply)) ||
                       (tokens.size() == 4 && hold_is_zero && request.noreply);
    if (!valid) return Fail(r, kErrDeleteUsage, request.noreply);
  }
  if (request.key.size() > kMaxKeyLength) return Fail(r, kErrFormat, request.noreply);
  return Ok(r);
}

// `flush_all [delay] [noreply]`: the first argument is a delay unless it is the noreply itself.
void ParseFlushAll(const TextTokens& tokens, ParseResult& r) {
  TextRequest& request = r.request;
  request.noreply = IsNoreply(tokens);
  if (tokens.size() != (request.noreply ? 2u : 1u)) {
    const std::optional<int32_t> delay = ParseLibcInt32(tokens[1]);
    if (!delay) return Fail(r, kErrExptime, request.noreply);
    request.exptime = *delay;
    request.has_exptime = true;
  }
  return Ok(r);
}

void ParseVerbosity(const TextTokens& tokens, ParseResult& r) {
  TextRequest& request = r.request;
  request.noreply = IsNoreply(tokens);
  const std::optional<uint32_t> level = ParseLibcUint32(tokens[1]);
  if (!level) return Fail(r, kErrFormat, request.noreply);
  request.level = *level;
  return Ok(r);
}

// 1.6.18 answers a non-numeric size with a bare ERROR (that noreply does suppress).
void ParseCacheMemlimit(const TextTokens& tokens, ParseResult& r) {
  TextRequest& request = r.request;
  request.noreply = IsNoreply(tokens);
  request.args = tokens.From(1);
  const std::optional<uint32_t> megabytes = ParseLibcUint32(tokens[1]);
  if (!megabytes) return Fail(r, kErrUnknown, request.noreply);
  request.memlimit_mb = *megabytes;
  return Ok(r);
}

void ParseArguments(const TextTokens& tokens, ParseResult& r) {
  TextRequest& request = r.request;
  switch (request.command) {
    case TextCommand::kGet: case TextCommand::kGets:
    case TextCommand::kGat: case TextCommand::kGats:
      return ParseRetrieval(tokens, r);
    case TextCommand::kSet: case TextCommand::kAdd: case TextCommand::kReplace:
    case TextCommand::kAppend: case TextCommand::kPrepend: case TextCommand::kCas:
      return ParseStorage(tokens, r);
    case TextCommand::kIncr: case TextCommand::kDecr:
      return ParseArithmetic(tokens, r);
    case TextCommand::kTouch: return ParseTouch(tokens, r);
    case TextCommand::kDelete: return ParseDelete(tokens, r);
    case TextCommand::kFlushAll: return ParseFlushAll(tokens, r);
    case TextCommand::kVerbosity: return ParseVerbosity(tokens, r);
    case TextCommand::kCacheMemlimit: return ParseCacheMemlimit(tokens, r);
    case TextCommand::kVersion: case TextCommand::kQuit: case TextCommand::kMeta:
      return Ok(r);
    case TextCommand::kStats: case TextCommand::kShutdown: case TextCommand::kSlabs:
    case TextCommand::kLru: case TextCommand::kLruCrawler: case TextCommand::kWatch:
    case TextCommand::kRefreshCerts: case TextCommand::kExtstore:
      request.args = tokens.From(1);
      return Ok(r);
  }
  return Unknown(r, request.line);
}

// The hot path: a line that starts exactly with "get " or "gets ". The result equals what the
// general path below gives (TextTokens, FindCommand, ParseRetrieval): retrieval has no token
// limit and no noreply, so only "at least one key" and the key lengths matter; the keys are
// scanned once here instead of being split into 23 tokens first.
void ParseGetLine(std::string_view line, TextCommand command, size_t name_length,
                  ParseResult& r) {
  const char* p = line.data() + name_length;
  const char* const end = line.data() + line.size();
  while (p != end && *p == ' ') ++p;
  if (p == end) return Unknown(r, line);  // the name alone: too few tokens
  TextRequest& request = r.request;
  request.command = command;
  request.line = line;
  request.keys = KeyList(std::string_view(p, static_cast<size_t>(end - p)));
  while (p != end) {
    const void* space = std::memchr(p, ' ', static_cast<size_t>(end - p));
    const char* stop = space != nullptr ? static_cast<const char*>(space) : end;
    if (static_cast<size_t>(stop - p) > kMaxKeyLength) return Fail(r, kErrFormat, false);
    p = stop;
    while (p != end && *p == ' ') ++p;
  }
  return Ok(r);
}

// REQUIRES: r is default-constructed.
void ParseLine(std::string_view line, ParseResult& r) {
  if (line.starts_with("get ")) return ParseGetLine(line, TextCommand::kGet, 4, r);
  if (line.starts_with("gets ")) return ParseGetLine(line, TextCommand::kGets, 5, r);
  // mg ms md mn ma me: the meta parser tokenizes the line itself, so the name is enough (as
  // the general path finds it: the first token, with no limit on the tokens after it).
  if (line.size() >= 2 && line[0] == 'm' && (line.size() == 2 || line[2] == ' ')) {
    switch (line[1]) {
      case 'g': case 's': case 'd': case 'n': case 'a': case 'e':
        r.request.command = TextCommand::kMeta;
        r.request.line = line;
        return Ok(r);
      default:
        break;
    }
  }
  const TextTokens tokens(line);
  if (tokens.size() == 0 || tokens[0].size() < 2) return Unknown(r, line);
  const CommandSpec* spec = FindCommand(tokens[0]);
  if (spec == nullptr) return UnknownCommand(tokens, line, r);
  if (tokens.size() < spec->min_tokens || tokens.size() > spec->max_tokens) {
    return Unknown(r, line);
  }
  r.request.command = spec->command;
  r.request.line = line;
  return ParseArguments(tokens, r);
}

// No '\n' buffered yet: wait, unless 1.6.18 would already have given up on this connection.
ParseResult ParseUnterminated(std::string_view input) {
  if (input.size() <= kMaxTextLineWithoutNewline) return ParseResult{};
  const size_t spaces = input.find_first_not_of(' ');
  if (spaces == std::string_view::npos || spaces > kMaxLeadingSpacesOfLongLine) return Close();
  const std::string_view start = input.substr(spaces);
  if (start.starts_with("get ") || start.starts_with("gets ")) return ParseResult{};
  return Close();
}

}  // namespace

ParseResult ParseTextCommand(std::string_view input) {
  const void* newline = input.empty() ? nullptr : std::memchr(input.data(), '\n', input.size());
  if (newline == nullptr) return ParseUnterminated(input);
  const size_t line_length = static_cast<size_t>(static_cast<const char*>(newline) - input.data());
  std::string_view line = input.substr(0, line_length);
  // 1.6.18 strips '\r' only when something precedes it: "\r\n" is the one-byte line "\r".
  if (line.size() > 1 && line.back() == '\r') line.remove_suffix(1);
  // 1.6.18 tokenizes the line as a C string, so a NUL byte ends it.
  if (const void* nul = std::memchr(line.data(), '\0', line.size()); nul != nullptr) {
    line = line.substr(0, static_cast<size_t>(static_cast<const char*>(nul) - line.data()));
  }
  ParseResult result;
  ParseLine(line, result);
  result.consumed = line_length + 1;
  return result;
}

}  // namespace slabd::proto
