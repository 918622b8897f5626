// TextRequest: one parsed classic (text protocol) command, as produced by ParseTextCommand.
//
// The struct is a plain value with string_views into the caller's input buffer: it is valid only
// while that buffer is unchanged. Which fields are meaningful depends on `command` (see the
// per-field comments); the others keep their defaults. Parsing allocates nothing, so a request
// costs nothing beyond this struct on the stack.
//
// Meta commands (mg ms md mn ma me) are recognised but not decoded here: they come back as
// kMeta with the whole `line`, for the meta codec. Thread-compatible value type.
#ifndef SLABD_PROTO_TEXT_REQUEST_H_
#define SLABD_PROTO_TEXT_REQUEST_H_

#include <cstdint>
#include <string_view>

#include "proto/key_list.h"

namespace slabd::proto {

enum class TextCommand : uint8_t {
  kGet, kGets, kGat, kGats,
  kSet, kAdd, kReplace, kAppend, kPrepend, kCas,
  kIncr, kDecr, kTouch, kDelete,
  kFlushAll, kVersion, kVerbosity, kQuit, kStats, kShutdown, kCacheMemlimit,
  // Admin commands the 1.6.18 dispatcher knows by name; their arguments are in `args` and the
  // server decides the reply (see reference 1.8). Knowing them matters even if slabd answers
  // ERROR: a known name is never an HTTP-close candidate.
  kSlabs, kLru, kLruCrawler, kWatch, kRefreshCerts, kExtstore,
  // A meta command; `line` holds the whole command line.
  kMeta,
};

// The command's name as sent on the wire ("get", "flush_all", ...; "mg"-style names for kMeta
// are not fixed, so kMeta yields "").
[[nodiscard]] std::string_view TextCommandName(TextCommand command);

// True for set/add/replace/append/prepend/cas: the command line is followed by a data block of
// value_len + 2 bytes that ParseTextCommand does not consume.
[[nodiscard]] constexpr bool IsStorageCommand(TextCommand command) {
  return command >= TextCommand::kSet && command <= TextCommand::kCas;
}

struct TextRequest {
  TextCommand command = TextCommand::kVersion;
  bool noreply = false;        // last token == "noreply" (only commands that honour it)
  std::string_view key;        // storage cmds, incr/decr, touch, delete
  KeyList keys;                // get/gets/gat/gats (gat/gats may have none: reply is just END)
  uint32_t flags = 0;          // storage (1.6.18 truncates values >= 2^32 to 32 bits)
  int64_t exptime = 0;         // storage, touch, gat/gats, flush_all delay (an int32 value)
  bool has_exptime = false;    // flush_all with a delay argument
  uint32_t value_len = 0;      // storage <bytes>, 0..INT32_MAX-2
  uint64_t cas_unique = 0;     // cas
  uint64_t delta = 0;          // incr/decr
  uint32_t level = 0;          // verbosity (unclamped; memcached clamps to 2)
  uint32_t memlimit_mb = 0;    // cache_memlimit <MB> (unchecked range; the server judges it)
  // stats/shutdown/cache_memlimit/slabs/lru/lru_crawler/watch/refresh_certs/extstore: the line
  // after the command name with leading spaces skipped; may be empty. Split with KeyList(args).
  std::string_view args;
  // The whole command line without its terminator, cut at the first NUL byte (1.6.18 handles the
  // line as a C string). For logging and for kMeta.
  std::string_view line;
};

}  // namespace slabd::proto

#endif  // SLABD_PROTO_TEXT_REQUEST_H_
