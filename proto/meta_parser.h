// Meta commands (mg ms md ma mn me): decoding of one command line, as memcached 1.6.18's
// proto_text.c does it, plus the flags added after 1.6.18 that slabd accepts (E on
// ms/mg, x on md; README "Differences from memcached").
//
// A line is `<cmd> <key> [<datalen>] <flag>*`. Each flag is one token: a letter, then
// (for some letters) a value, `T30`, `Oopaque`. The parser checks what memcached checks
// before touching storage, in memcached's order, and returns the exact error line. What
// the flags mean is the dispatcher's business (src/meta_dispatch.cc); the parser only
// decodes their values. Return flags are produced in request order, so the flag
// tokens are kept in order.
//
// Pure: views into the caller's line, no allocation, no I/O.
#ifndef SLABD_PROTO_META_PARSER_H_
#define SLABD_PROTO_META_PARSER_H_

#include <array>
#include <bitset>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace slabd::proto {

enum class MetaCommand : uint8_t { kGet, kSet, kDelete, kArith, kNoop, kDebug };

// memcached's limits.
inline constexpr size_t kMetaMaxOpaqueToken = 32;  // the whole token, 'O' included
inline constexpr size_t kMetaMaxTokens = 19;       // command + key + flags (+ datalen)

struct MetaRequest {
  MetaCommand command = MetaCommand::kNoop;
  std::string_view key;        // as sent: base64 text when `b` is set
  int32_t datalen = 0;         // ms only
  size_t flag_count = 0;        // whole flag tokens, in order: flag(0) .. flag(flag_count - 1)
  std::bitset<128> present;    // which flag letters were given

  // Decoded flag values (valid when the letter is present).
  int32_t ttl = 0;             // T
  int32_t vivify_ttl = 0;      // N
  int32_t recache_ttl = 0;     // R
  uint32_t client_flags = 0;   // F
  uint64_t compare_cas = 0;    // C
  uint64_t explicit_cas = 0;   // E
  uint64_t delta = 1;          // D
  uint64_t initial = 0;        // J
  char mode = 0;               // M

  bool Has(char letter) const { return present[static_cast<unsigned char>(letter) & 127]; }
  std::string_view flag(size_t i) const { return {flags[i].data, flags[i].size}; }
  void AddFlag(std::string_view token) { flags[flag_count++] = {token.data(), token.size()}; }

 private:
  // Left uninitialized, as TextTokens' tokens: only the first flag_count are written and read.
  struct Token {
    const char* data;
    size_t size;
  };
  Token flags[kMetaMaxTokens];
};

enum class MetaParseStatus { kOk, kError };

struct MetaParseResult {
  MetaParseStatus status = MetaParseStatus::kError;
  MetaRequest request;
  std::string_view error;  // kError: the reply line without CRLF
  uint64_t swallow = 0;    // kError on ms: data block bytes to discard (datalen + 2)
};

// `line` is a whole command line whose first token is mg, ms, md, ma, mn or me (without
// its line end).
[[nodiscard]] MetaParseResult ParseMetaCommand(std::string_view line);

}  // namespace slabd::proto

#endif  // SLABD_PROTO_META_PARSER_H_
