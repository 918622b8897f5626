// TextResponse: one reply unit of the classic text protocol as seen by a client (a line, or a
// VALUE line together with its data block). Produced by ParseTextResponse for tests and load
// drivers. String views point into the caller's buffer. Value type, thread-compatible.
#ifndef SLABD_PROTO_TEXT_RESPONSE_H_
#define SLABD_PROTO_TEXT_RESPONSE_H_

#include <cstdint>
#include <string_view>

namespace slabd::proto {

enum class TextResponseKind : uint8_t {
  kValue,        // VALUE <key> <flags> <bytes>[ <cas>] + data block
  kEnd, kStored, kNotStored, kExists, kNotFound, kDeleted, kTouched, kOk, kReset,
  kNumber,       // an incr/decr result
  kStat,         // STAT <name> <value>
  kVersion,      // VERSION <text>
  kError,        // ERROR[<anything>]; `text` holds what follows "ERROR" ("" or ": shutdown ...")
  kClientError,  // CLIENT_ERROR <text>
  kServerError,  // SERVER_ERROR <text>
  kOther,        // any other line (meta replies, MEMLIMIT_..., ...): see `line`
};

struct TextResponse {
  TextResponseKind kind = TextResponseKind::kOther;
  std::string_view line;       // the whole line without its line terminator
  std::string_view key;        // kValue
  uint32_t flags = 0;          // kValue
  uint32_t value_len = 0;      // kValue
  bool has_cas = false;        // kValue
  uint64_t cas = 0;            // kValue with has_cas
  std::string_view data;       // kValue: the value_len data bytes (without the CRLF)
  uint64_t number = 0;         // kNumber
  std::string_view name;       // kStat
  std::string_view text;       // kStat value, kVersion text, error text (see kinds)
};

}  // namespace slabd::proto

#endif  // SLABD_PROTO_TEXT_RESPONSE_H_
