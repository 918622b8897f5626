// Meta command decoding (see meta_parser.h).
//
// Order of checks, as 1.6.18's process_m*_command and _meta_flag_preparse:
//   1. fewer than two tokens -> ERROR (me: bad command line format);
//   2. key over 250 bytes -> bad command line format (with `b`: the decoded key, a later
//      release's rule);
//   3. ms without a datalen -> bad command line format; more than 19 tokens -> "options
//      flags are too long" (mg) / "options flags too long" (ms md ma);
//   4. ms: datalen not a number in [0, INT_MAX-2] -> bad command line format, no swallow;
//   5. each flag token: a repeated first byte (or one >= 127) -> duplicate flag, an
//      unknown letter -> invalid flag, both at once; a bad value -> that flag's error,
//      reported after the other flags were looked at; md and ma report every such error
//      as "invalid or duplicate flag". ms errors from here on swallow datalen + 2 bytes.
//   6. ms: an opaque token over 32 bytes, then the M mode.
#include "proto/meta_parser.h"

#include <limits>

#include "proto/base64.h"
#include "proto/text_numbers.h"
#include "proto/text_tokens.h"

namespace slabd::proto {
namespace {

constexpr size_t kMaxKeyLength = 250;

constexpr std::string_view kErrUnknown = "ERROR";
constexpr std::string_view kErrFormat = "CLIENT_ERROR bad command line format";
constexpr std::string_view kErrDuplicate = "CLIENT_ERROR duplicate flag";
constexpr std::string_view kErrInvalidFlag = "CLIENT_ERROR invalid flag";
constexpr std::string_view kErrBadToken = "CLIENT_ERROR bad token in command line format";
constexpr std::string_view kErrDecode = "CLIENT_ERROR error decoding key";
constexpr std::string_view kErrMLength = "CLIENT_ERROR incorrect length for M token";
constexpr std::string_view kErrInitial = "CLIENT_ERROR invalid numeric initial value";
constexpr std::string_view kErrDelta = "CLIENT_ERROR invalid numeric delta value";
constexpr std::string_view kErrInvalidOrDuplicate = "CLIENT_ERROR invalid or duplicate flag";
constexpr std::string_view kErrOpaque = "CLIENT_ERROR opaque token too long";
constexpr std::string_view kErrMsMode = "CLIENT_ERROR invalid mode for ms M token";

MetaParseResult Error(std::string_view error, uint64_t swallow = 0) {
  MetaParseResult r;
  r.status = MetaParseStatus::kError;
  r.error = error;
  r.swallow = swallow;
  return r;
}

bool CommandOf(std::string_view name, MetaCommand* cmd) {
  if (name.size() != 2 || name[0] != 'm') return false;
  switch (name[1]) {
    case 'g': *cmd = MetaCommand::kGet; return true;
    case 's': *cmd = MetaCommand::kSet; return true;
    case 'd': *cmd = MetaCommand::kDelete; return true;
    case 'a': *cmd = MetaCommand::kArith; return true;
    case 'n': *cmd = MetaCommand::kNoop; return true;
    case 'e': *cmd = MetaCommand::kDebug; return true;
    default: return false;
  }
}

// Decoded length of a base64 key, 0 if it does not decode.
size_t DecodedKeyLength(std::string_view encoded) {
  char buf[Base64EncodedLength(kMaxKeyLength) / 4 * 3 + 3];
  if (encoded.size() > sizeof(buf) / 3 * 4) return 0;
  return Base64Decode(encoded, buf, sizeof(buf));
}

// _meta_flag_preparse: decodes flags from token `first` on. Returns the error, or an
// empty view.
std::string_view Preparse(const TextTokens& t, size_t first, MetaRequest* r) {
  std::string_view error;
  bool failed = false;  // a bad value whose check sets no message (F)
  for (size_t i = first; i < t.size(); ++i) {
    const std::string_view tok = t[i];
    const auto o = static_cast<unsigned char>(tok[0]);
    if (o >= 127 || r->present[o]) return kErrDuplicate;  // nothing else sets `present` first
    r->present[o] = true;
    r->AddFlag(tok);
    const std::string_view value = tok.substr(1);
    switch (o) {
      case 'b':
        if (DecodedKeyLength(r->key) == 0) error = kErrDecode;
        break;
      case 'N':
      case 'T':
      case 'R': {
        const std::optional<int32_t> v = ParseLibcInt32(value);
        if (!v) {
          error = kErrBadToken;
        } else {
          (o == 'N' ? r->vivify_ttl : o == 'T' ? r->ttl : r->recache_ttl) = *v;
        }
        break;
      }
      case 'F': {
        const std::optional<uint32_t> v = ParseLibcUint32(value);
        if (!v) {
          failed = true;  // 1.6.18 sets no message of its own here
        } else {
          r->client_flags = *v;
        }
        break;
      }
      case 'E':  // mg and ms only, as later releases accept it
        if (r->command != MetaCommand::kGet && r->command != MetaCommand::kSet)
          return kErrInvalidFlag;
        [[fallthrough]];
      case 'C': {
        const std::optional<uint64_t> v = ParseLibcUint64(value);
        if (!v) {
          error = kErrBadToken;
        } else {
          (o == 'C' ? r->compare_cas : r->explicit_cas) = *v;
        }
        break;
      }
      case 'M':
        if (tok.size() != 2) {
          error = kErrMLength;
        } else {
          r->mode = tok[1];
        }
        break;
      case 'J':
      case 'D': {
        const std::optional<uint64_t> v = ParseLibcUint64(value);
        if (!v) {
          error = o == 'J' ? kErrInitial : kErrDelta;
        } else {
          (o == 'J' ? r->initial : r->delta) = *v;
        }
        break;
      }
      case 'l': case 'O': case 'P': case 'L': case 'k': case 's': case 't': case 'c':
      case 'f': case 'v': case 'h': case 'u': case 'q': case 'I':
        break;
      case 'x':  // md only, as later releases accept it
        if (r->command != MetaCommand::kDelete) return kErrInvalidFlag;
        break;
      default:
        return kErrInvalidFlag;
    }
  }
  if (failed && error.empty()) return kErrFormat;
  return error;
}

}  // namespace

MetaParseResult ParseMetaCommand(std::string_view line) {
  const TextTokens t(line);
  MetaParseResult result;
  MetaRequest& r = result.request;
  if (t.size() == 0 || !CommandOf(t[0], &r.command)) return Error(kErrUnknown);
  if (r.command == MetaCommand::kNoop) {
    result.status = MetaParseStatus::kOk;
    return result;
  }
  if (r.command == MetaCommand::kDebug) {
    if (t.size() < 2) return Error(kErrFormat);
    r.key = t[1];
    // 1.6.18 decodes the key when the third token is exactly "b".
    if (t.size() >= 3 && t[2] == "b") r.present['b'] = true;
    const size_t decoded = r.Has('b') ? DecodedKeyLength(r.key) : 0;
    if (r.key.size() > kMaxKeyLength && !(r.Has('b') && decoded > 0)) return Error(kErrFormat);
    if (decoded > kMaxKeyLength) return Error(kErrFormat);
    result.status = MetaParseStatus::kOk;
    return result;
  }
  if (t.size() < 2) return Error(kErrUnknown);
  r.key = t[1];
  bool binary_key = false;
  const size_t first_flag = r.command == MetaCommand::kSet ? 3 : 2;
  for (size_t i = first_flag; i < t.size(); ++i) binary_key |= t[i][0] == 'b';
  // The key limit; a base64 key (a later release's rule) is measured decoded.
  if (r.key.size() > kMaxKeyLength &&
      !(binary_key && r.key.size() <= Base64EncodedLength(kMaxKeyLength)))
    return Error(kErrFormat);
  if (binary_key) {
    const size_t decoded = DecodedKeyLength(r.key);
    // Over 250 bytes as sent and not decodable, or over 250 decoded: a long key.
    if (decoded > kMaxKeyLength || (decoded == 0 && r.key.size() > kMaxKeyLength))
      return Error(kErrFormat);
  }
  if (r.command == MetaCommand::kSet && t.size() == 2) return Error(kErrFormat);
  if (t.size() > kMetaMaxTokens) {
    return Error(r.command == MetaCommand::kGet ? "CLIENT_ERROR options flags are too long"
                                                : "CLIENT_ERROR options flags too long");
  }
  uint64_t swallow = 0;
  if (r.command == MetaCommand::kSet) {
    const std::optional<int32_t> len = ParseLibcInt32(t[2]);
    if (!len || *len < 0 || *len > std::numeric_limits<int32_t>::max() - 2)
      return Error(kErrFormat);
    r.datalen = *len;
    swallow = static_cast<uint64_t>(*len) + 2;
  }
  std::string_view error = Preparse(t, first_flag, &r);
  if (!error.empty()) {
    if (r.command == MetaCommand::kDelete || r.command == MetaCommand::kArith)
      error = kErrInvalidOrDuplicate;
    return Error(error, swallow);
  }
  if (r.command == MetaCommand::kSet) {
    for (size_t i = 0; i < r.flag_count; ++i) {
      if (r.flag(i)[0] == 'O' && r.flag(i).size() > kMetaMaxOpaqueToken) error = kErrOpaque;
    }
    switch (r.mode) {
      case 0: case 'E': case 'A': case 'P': case 'R': case 'S':  // upper case only
        break;
      default:
        error = kErrMsMode;
    }
    if (!error.empty()) return Error(error, swallow);
  }
  result.status = MetaParseStatus::kOk;
  return result;
}

}  // namespace slabd::proto
