// Incremental client-side reader of text protocol replies (the inverse of text_writer.h).
//
// Like ParseTextCommand it parses one unit from the start of the input and reports how much it
// used; a VALUE reply is returned only once its whole data block and CRLF are buffered. Lines may
// end in "\r\n" or a bare "\n" (lru_crawler metadump). Numbers are strict decimal.
// Pure function; no allocation; thread-safe. For tests and load drivers, not the server.
#ifndef SLABD_PROTO_TEXT_RESPONSE_PARSER_H_
#define SLABD_PROTO_TEXT_RESPONSE_PARSER_H_

#include <cstddef>
#include <string_view>

#include "proto/text_response.h"

namespace slabd::proto {

enum class ResponseStatus { kOk, kNeedMore, kMalformed };

struct [[nodiscard]] ResponseParseResult {
  ResponseStatus status = ResponseStatus::kNeedMore;
  size_t consumed = 0;     // kOk: bytes used, including the data block of a VALUE
  TextResponse response;   // kOk
};

// kMalformed: a VALUE line whose fields do not parse, or whose data block does not end in CRLF.
ResponseParseResult ParseTextResponse(std::string_view input);

}  // namespace slabd::proto

#endif  // SLABD_PROTO_TEXT_RESPONSE_PARSER_H_
