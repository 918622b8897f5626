// Text protocol reply writer: free functions appending exact memcached 1.6.18 reply bytes to a
// caller-owned std::string, plus the fixed reply lines as constants.
//
// Appending never allocates once `out` has capacity (numbers are formatted with std::to_chars
// into a stack buffer). No I/O, no globals; thread-compatible. Every constant includes its CRLF
// and was compared with the 1.6.18 binary (note the 1.6.18 spelling of the shutdown error).
#ifndef SLABD_PROTO_TEXT_WRITER_H_
#define SLABD_PROTO_TEXT_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace slabd::proto {

inline constexpr std::string_view kStored = "STORED\r\n";
inline constexpr std::string_view kNotStored = "NOT_STORED\r\n";
inline constexpr std::string_view kExists = "EXISTS\r\n";
inline constexpr std::string_view kNotFound = "NOT_FOUND\r\n";
inline constexpr std::string_view kDeleted = "DELETED\r\n";
inline constexpr std::string_view kTouched = "TOUCHED\r\n";
inline constexpr std::string_view kOk = "OK\r\n";
inline constexpr std::string_view kEnd = "END\r\n";
inline constexpr std::string_view kReset = "RESET\r\n";
inline constexpr std::string_view kError = "ERROR\r\n";

inline constexpr std::string_view kClientErrorBadCommandLineFormat =
    "CLIENT_ERROR bad command line format\r\n";
inline constexpr std::string_view kClientErrorBadDataChunk = "CLIENT_ERROR bad data chunk\r\n";
inline constexpr std::string_view kClientErrorInvalidExptime =
    "CLIENT_ERROR invalid exptime argument\r\n";
inline constexpr std::string_view kClientErrorInvalidDelta =
    "CLIENT_ERROR invalid numeric delta argument\r\n";
inline constexpr std::string_view kClientErrorNonNumericValue =
    "CLIENT_ERROR cannot increment or decrement non-numeric value\r\n";
inline constexpr std::string_view kClientErrorDeleteUsage =
    "CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]\r\n";
inline constexpr std::string_view kClientErrorFlushAllNotAllowed =
    "CLIENT_ERROR flush_all not allowed\r\n";
inline constexpr std::string_view kClientErrorInvalidShutdownMode =
    "CLIENT_ERROR invalid shutdown mode\r\n";
inline constexpr std::string_view kClientErrorStatsDetailUsage =
    "CLIENT_ERROR usage: stats detail on|off|dump\r\n";
inline constexpr std::string_view kClientErrorBadCommandLine = "CLIENT_ERROR bad command line\r\n";
inline constexpr std::string_view kServerErrorObjectTooLarge =
    "SERVER_ERROR object too large for cache\r\n";
inline constexpr std::string_view kServerErrorOutOfMemoryStoring =
    "SERVER_ERROR out of memory storing object\r\n";
inline constexpr std::string_view kServerErrorOutOfMemory = "SERVER_ERROR out of memory\r\n";
inline constexpr std::string_view kServerErrorOutOfMemoryWritingGet =
    "SERVER_ERROR out of memory writing get response\r\n";
// 1.6.18 wording (1.6.45 says "SERVER_ERROR: shutdown not enabled").
inline constexpr std::string_view kErrorShutdownNotEnabled = "ERROR: shutdown not enabled\r\n";
inline constexpr std::string_view kErrorTlsNotEnabled = "Error TLS not enabled\r\n";
inline constexpr std::string_view kMemlimitTooSmall =
    "MEMLIMIT_TOO_SMALL cannot set maxbytes to less than 8m\r\n";
inline constexpr std::string_view kMemlimitNotBytes =
    "MEMLIMIT_ADJUST_FAILED input value is megabytes not bytes\r\n";
inline constexpr std::string_view kMemlimitAdjustFailed =
    "MEMLIMIT_ADJUST_FAILED out of bounds or unable to adjust\r\n";

// A reply constant without its trailing CRLF. REQUIRES: `reply` ends in "\r\n".
[[nodiscard]] constexpr std::string_view WithoutCrlf(std::string_view reply) {
  return reply.substr(0, reply.size() - 2);
}

// "VALUE <key> <flags> <bytes>\r\n"
void AppendValueHeader(std::string& out, std::string_view key, uint32_t flags, uint32_t value_len);
// "VALUE <key> <flags> <bytes> <cas>\r\n"
void AppendValueHeaderCas(std::string& out, std::string_view key, uint32_t flags,
                          uint32_t value_len, uint64_t cas);
// The whole reply to one key: "VALUE <key> <flags> <bytes>\r\n<data>\r\n" (bytes = data's
// size, which must fit in 32 bits), and the same with " <cas>" after <bytes>.
void AppendValue(std::string& out, std::string_view key, uint32_t flags, std::string_view data);
void AppendValueCas(std::string& out, std::string_view key, uint32_t flags, std::string_view data,
                    uint64_t cas);
// `line` followed by CRLF. REQUIRES: line contains no "\r\n".
void AppendLine(std::string& out, std::string_view line);
// "END\r\n"
void AppendEnd(std::string& out);
// The decimal value and CRLF, unpadded (the incr/decr reply).
void AppendNumberLine(std::string& out, uint64_t value);
// "STAT <name> <value>\r\n". One overload per integer width so call sites with int, unsigned,
// size_t, int64_t, ... all resolve without casts.
void AppendStat(std::string& out, std::string_view name, uint64_t value);
void AppendStat(std::string& out, std::string_view name, int64_t value);
void AppendStat(std::string& out, std::string_view name, uint32_t value);
void AppendStat(std::string& out, std::string_view name, int32_t value);
void AppendStat(std::string& out, std::string_view name, std::string_view value);
// "STAT <name> <sec>.<usec as 6 digits>\r\n", i.e. printf("%ld.%06ld"), as rusage_user.
void AppendStatRusage(std::string& out, std::string_view name, int64_t sec, int64_t usec);

}  // namespace slabd::proto

#endif  // SLABD_PROTO_TEXT_WRITER_H_
