// ASCII authentication (-Y): the exchange a text connection must complete before any
// other command, as memcached 1.6.18's try_read_command_asciiauth reads it.
//
// The client sends a storage-shaped line, `set <any> <any> <any> <n>...\n`, then an
// n + 2 byte block `<user> <password>...\r\n`. Only the first token ("set") and the
// fifth (<n>, parsed as memcached's safe_strtoul) matter; the block is split on spaces
// and its first two words are the credentials.
//
// Two pure steps, because memcached consumes the line before the block has arrived:
// ParseAsciiAuthLine() on the buffered input, then, once n + 2 bytes are buffered,
// ParseAsciiAuthBlock() on exactly those bytes. No I/O, no state; fuzzable.
#ifndef SLABD_PROTO_ASCII_AUTH_H_
#define SLABD_PROTO_ASCII_AUTH_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace slabd::proto {

inline constexpr std::string_view kClientErrorUnauthenticated = "CLIENT_ERROR unauthenticated\r\n";
inline constexpr std::string_view kClientErrorAuthFailure =
    "CLIENT_ERROR authentication failure\r\n";
inline constexpr std::string_view kClientErrorBadTokenFormat =
    "CLIENT_ERROR bad authentication token format\r\n";
inline constexpr std::string_view kClientErrorBadTermination =
    "CLIENT_ERROR bad command line termination\r\n";

// memcached's limits: a line is looked at once it has a '\n' and the input is at least
// 2 bytes; 2048 bytes without a '\n' close the connection.
inline constexpr size_t kAsciiAuthMaxLine = 2048;

enum class AsciiAuthLineStatus {
  kNeedMore,  // no '\n' yet (or fewer than 2 bytes)
  kClose,     // more than kAsciiAuthMaxLine bytes without a '\n'
  kRejected,  // not an auth line: reply kClientErrorUnauthenticated, consume the line
  kBlock,     // an auth line: consume it, then wait for `block_len` bytes
};

struct AsciiAuthLine {
  AsciiAuthLineStatus status = AsciiAuthLineStatus::kNeedMore;
  size_t consumed = 0;     // kRejected, kBlock: the line including its '\n'
  uint64_t block_len = 0;  // kBlock: <n> + 2
};

[[nodiscard]] AsciiAuthLine ParseAsciiAuthLine(std::string_view input);

enum class AsciiAuthBlockStatus {
  kBadTermination,  // does not end in "\r\n"
  kBadFormat,       // fewer than two words
  kCredentials,     // check `user` / `password`
};

struct AsciiAuthBlock {
  AsciiAuthBlockStatus status = AsciiAuthBlockStatus::kBadFormat;
  std::string_view user;      // kCredentials: views into the block
  std::string_view password;
};

// REQUIRES: `block` is exactly the line's block_len bytes.
[[nodiscard]] AsciiAuthBlock ParseAsciiAuthBlock(std::string_view block);

}  // namespace slabd::proto

#endif  // SLABD_PROTO_ASCII_AUTH_H_
