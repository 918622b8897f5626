// ReplyScanner: finds reply boundaries in a server's byte stream and classifies each reply.
//
// The driver needs only where each reply ends and what it was (hit, miss, end of a
// multiget, stored, error), never the value bytes: the scanner reads header lines (text,
// meta) or 24-byte headers (binary) and skips data blocks by length, so a 16 KB value costs
// the same as a 10-byte one. It keeps the skip position across calls, so a value split over
// any number of reads needs no buffering; only an incomplete header line (at most
// kMaxLine bytes) or binary header (< 24 bytes) is handed back to the caller to present
// again with the next bytes.
//
//   text    VALUE <key> <flags> <n>[ <cas>]\r\n<n bytes>\r\n -> kValue   END -> kEnd
//           STORED NOT_STORED EXISTS NOT_FOUND -> kStored kNotStored kExists kNotFound
//   meta    VA <n>[ <flags>]\r\n<n bytes>\r\n -> kValue   EN -> kMiss   MN -> kEnd
//           HD NS EX NF -> kStored kNotStored kExists kNotFound
//   both    ERROR, CLIENT_ERROR <msg>, SERVER_ERROR <msg> -> kError
//   binary  magic 0x81; get family (GET GETQ GETK GETKQ): status 0 -> kValue, 1 -> kMiss;
//           NOOP -> kEnd; set family: 0 -> kStored, 1 kNotFound, 2 kExists, 5 kNotStored;
//           any other status or opcode -> kError
//
// Anything else (a line without "\r\n", an unknown reply, a wrong magic, a value block not
// followed by "\r\n", an absurd length) is malformed: the stream cannot be framed further.
// Which reply completes which request is MatchReply's business (reply_match.h).
//
// Thread-compatible: one scanner per connection. No I/O, no allocation.
#ifndef SLABD_SRC_BENCH_REPLY_SCANNER_H_
#define SLABD_SRC_BENCH_REPLY_SCANNER_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "src/bench/protocol.h"

namespace slabd::bench {

enum class ReplyKind : uint8_t {
  kValue,      // a hit, value included
  kMiss,       // meta EN, binary get "Not found"
  kEnd,        // text END, meta MN, binary NOOP
  kStored,     // STORED, HD, binary set OK
  kNotStored,
  kExists,
  kNotFound,
  kError,      // ERROR, CLIENT_ERROR, SERVER_ERROR, binary error statuses
};

[[nodiscard]] std::string_view ReplyKindName(ReplyKind kind);

struct ScanResult {
  size_t consumed = 0;  // input bytes used up
  size_t events = 0;    // replies written to the front of `events`
  bool malformed = false;
};

class ReplyScanner {
 public:
  // The longest header line accepted; longer without "\r\n" is malformed.
  static constexpr size_t kMaxLine = 2048;
  // The largest data block accepted (memcached's item size limit is at most 1 GB).
  static constexpr uint64_t kMaxValue = uint64_t{1} << 30;

  explicit ReplyScanner(Protocol protocol) : protocol_(protocol) {}

  // Scans `in`, writing one ReplyKind per reply that ends in it (a value block begun in
  // an earlier call included) until `events` is full. Input past `consumed` is an
  // incomplete header: present it again at the front of the next call. When events is
  // full, call again with in.substr(consumed). After a malformed result, `consumed` is
  // where the bad reply starts and the scanner must not be used again.
  [[nodiscard]] ScanResult Scan(std::string_view in, std::span<ReplyKind> events);

  // True while a reply's data block is only partly seen.
  bool mid_reply() const { return skip_ != 0 || trailer_ != 0; }

 private:
  struct Header {
    enum Status : uint8_t { kOk, kNeedMore, kMalformed } status;
    ReplyKind kind;
    size_t length;      // header bytes
    uint64_t data;      // data bytes after the header
  };

  Header ParseLine(const char* p, size_t avail) const;
  Header ParseBinary(const char* p, size_t avail) const;

  Protocol protocol_;
  uint64_t skip_ = 0;    // data bytes of the current reply not yet seen
  uint8_t trailer_ = 0;  // bytes of its closing "\r\n" not yet seen (text and meta)
  ReplyKind pending_ = ReplyKind::kValue;  // the reply being skipped
};

}  // namespace slabd::bench

#endif  // SLABD_SRC_BENCH_REPLY_SCANNER_H_
