// Client side of the text protocol: turns a TextRequest back into request bytes.
//
// Used by round-trip tests and by load drivers, never on the server path (it allocates the
// returned string). The output is the canonical form: single spaces, CRLF, optional fields only
// when set. Guarantee: for any request that ParseTextCommand can produce, parsing the composed
// bytes yields an equal request, comparing keys one by one, and ignoring `line` (canonical
// spacing) and the spacing inside cache_memlimit's `args`. kMeta sends `line` verbatim.
// Stateless and thread-safe.
#ifndef SLABD_PROTO_TEXT_REQUEST_COMPOSER_H_
#define SLABD_PROTO_TEXT_REQUEST_COMPOSER_H_

#include <string>
#include <string_view>

#include "proto/text_request.h"

namespace slabd::proto {

// The command line for `request`; for storage commands followed by the data block `value` and
// CRLF. The header announces request.value_len, not value.size(), so a test can compose a
// deliberately bad data chunk. Fields per command as documented in text_request.h:
//   get/gets: keys; gat/gats: exptime, keys; storage: key flags exptime value_len [cas_unique];
//   incr/decr: key delta; touch: key exptime; delete: key; flush_all: exptime if has_exptime;
//   verbosity: level; cache_memlimit: memlimit_mb; stats/shutdown/admin: args; kMeta: line.
// noreply is appended for the commands that honour it.
[[nodiscard]] std::string ComposeTextRequest(const TextRequest& request,
                                             std::string_view value = {});

}  // namespace slabd::proto

#endif  // SLABD_PROTO_TEXT_REQUEST_COMPOSER_H_
