// Incremental parser for one classic text-protocol command line (memcached 1.6.18 rules).
//
// The caller keeps its unparsed bytes in a buffer and calls ParseTextCommand on them whenever
// bytes arrive. The parser looks only at the start of the input, never stores anything, and
// reports how many bytes the command line used. The data block of a storage command is NOT part
// of the parse: the caller reads value_len + 2 bytes itself (straight into the item if it likes)
// and checks they end in "\r\n" (else CLIENT_ERROR bad data chunk, continue after them).
//
// Outcomes, mirroring 1.6.18 (verified against the Debian 1.6.18 binary; see the tests):
//   kNeedMore  no '\n' yet and the input may still become a valid line;
//   kClose     close silently: more than 2048 bytes without '\n' that (after at most 100 spaces)
//              do not start with "get " or "gets ", or an unknown command whose last token
//              starts with "HTTP/";
//   kError     reply `error` + CRLF unless `noreply`, discard `swallow` more bytes, continue;
//   kOk        `request` is valid (its views point into `input`).
// Deliberate differences from 1.6.18 (slabd safety fixes from later releases, see the
// reference's first section): a storage line whose <bytes> parsed but whose key, flags, exptime
// or cas did not gets swallow = bytes + 2; every key of get/gets/gat/gats is length-checked
// before the request is returned, so no key of a bad multiget is ever processed.
//
// Pure function: no I/O, no allocation, no globals, never throws; thread-safe.
#ifndef SLABD_PROTO_TEXT_PARSER_H_
#define SLABD_PROTO_TEXT_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "proto/text_request.h"

namespace slabd::proto {

enum class ParseStatus { kOk, kNeedMore, kError, kClose };

// Longest input without '\n' that may still be waited on whatever it starts with.
inline constexpr size_t kMaxTextLineWithoutNewline = 2048;
// Longest key in bytes (KEY_MAX_LENGTH).
inline constexpr size_t kMaxKeyLength = 250;

struct [[nodiscard]] ParseResult {
  ParseStatus status = ParseStatus::kNeedMore;
  // kOk/kError: bytes of the command line including its '\n' (never the storage data block).
  size_t consumed = 0;
  // kOk: the request. kError with known_command: request.command (and request.line) name the
  // command whose arguments were rejected.
  TextRequest request;
  // kError: the exact reply line without CRLF (static storage), e.g. "ERROR".
  std::string_view error;
  // kError: bytes to discard after the line (storage commands whose <bytes> parsed); else 0.
  uint64_t swallow = 0;
  // kError: the reply is suppressed (memcached's "last token is noreply" rule).
  bool noreply = false;
  // kError: the command name and token count were accepted and the command's own argument
  // checks failed. The server needs this where 1.6.18 acts before checking arguments: flush_all
  // counts cmd_flush and answers "CLIENT_ERROR flush_all not allowed" under -F whatever its delay.
  bool known_command = false;
};

// Parses ONE command from the start of `input`.
ParseResult ParseTextCommand(std::string_view input);

}  // namespace slabd::proto

#endif  // SLABD_PROTO_TEXT_PARSER_H_
