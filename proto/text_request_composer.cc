// Request composition; see text_request_composer.h. std::to_chars formats the numbers.
#include "proto/text_request_composer.h"

#include <charconv>

namespace slabd::proto {
namespace {

template <typename Int>
void AppendSpaceNumber(std::string& out, Int value) {
  char digits[24];
  const std::to_chars_result r = std::to_chars(digits, digits + sizeof(digits), value);
  out.push_back(' ');
  out.append(digits, static_cast<size_t>(r.ptr - digits));
}

void AppendSpaceText(std::string& out, std::string_view text) {
  out.push_back(' ');
  out.append(text);
}

void AppendKeys(std::string& out, const KeyList& keys) {
  for (std::string_view key : keys) AppendSpaceText(out, key);
}

void AppendStorageArguments(std::string& out, const TextRequest& request) {
  AppendSpaceText(out, request.key);
  AppendSpaceNumber(out, request.flags);
  AppendSpaceNumber(out, request.exptime);
  AppendSpaceNumber(out, request.value_len);
  if (request.command == TextCommand::kCas) AppendSpaceNumber(out, request.cas_unique);
}

// Appends the arguments of every command but kMeta; returns whether noreply applies.
bool AppendArguments(std::string& out, const TextRequest& request) {
  switch (request.command) {
    case TextCommand::kGet: case TextCommand::kGets:
      AppendKeys(out, request.keys);
      return false;
    case TextCommand::kGat: case TextCommand::kGats:
      AppendSpaceNumber(out, request.exptime);
      AppendKeys(out, request.keys);
      return false;
    case TextCommand::kSet: case TextCommand::kAdd: case TextCommand::kReplace:
    case TextCommand::kAppend: case TextCommand::kPrepend: case TextCommand::kCas:
      AppendStorageArguments(out, request);
      return true;
    case TextCommand::kIncr: case TextCommand::kDecr:
      AppendSpaceText(out, request.key);
      AppendSpaceNumber(out, request.delta);
      return true;
    case TextCommand::kTouch:
      AppendSpaceText(out, request.key);
      AppendSpaceNumber(out, request.exptime);
      return true;
    case TextCommand::kDelete:
      AppendSpaceText(out, request.key);
      return true;
    case TextCommand::kFlushAll:
      if (request.has_exptime) AppendSpaceNumber(out, request.exptime);
      return true;
    case TextCommand::kVerbosity:
      AppendSpaceNumber(out, request.level);
      return true;
    case TextCommand::kCacheMemlimit:
      AppendSpaceNumber(out, request.memlimit_mb);
      return true;
    case TextCommand::kVersion: case TextCommand::kQuit: case TextCommand::kMeta:
      return false;
    case TextCommand::kStats: case TextCommand::kShutdown: case TextCommand::kSlabs:
    case TextCommand::kLru: case TextCommand::kLruCrawler: case TextCommand::kWatch:
    case TextCommand::kRefreshCerts: case TextCommand::kExtstore:
      if (!request.args.empty()) AppendSpaceText(out, request.args);
      return false;
  }
  return false;
}

}  // namespace

std::string ComposeTextRequest(const TextRequest& request, std::string_view value) {
  std::string out;
  if (request.command == TextCommand::kMeta) {
    out.append(request.line);
    out.append("\r\n");
    return out;
  }
  out.append(TextCommandName(request.command));
  const bool honours_noreply = AppendArguments(out, request);
  if (honours_noreply && request.noreply) out.append(" noreply");
  out.append("\r\n");
  if (IsStorageCommand(request.command)) {
    out.append(value);
    out.append("\r\n");
  }
  return out;
}

}  // namespace slabd::proto
