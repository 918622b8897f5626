// TextTokens: the first tokens of a command line, split the way memcached 1.6.18's
// tokenize_command splits them. Internal to the text parser.
//
// 1.6.18 keeps at most MAX_TOKENS-1 = 23 tokens; the 24th slot points at the unsplit rest of
// the line. Token counts (the "WANT_TOKENS" checks), the noreply test and the HTTP test all look
// only at those first 23 tokens, so a line with more words has an observable "last token" that is
// its 23rd word. Only ' ' separates tokens; runs of spaces and leading spaces are skipped.
//
// Holds views into the caller's line; no allocation; cheap enough to build per command.
#ifndef SLABD_PROTO_TEXT_TOKENS_H_
#define SLABD_PROTO_TEXT_TOKENS_H_

#include <array>
#include <cstddef>
#include <string_view>

namespace slabd::proto {

class TextTokens {
 public:
  static constexpr size_t kMaxTokens = 23;

  explicit TextTokens(std::string_view line);

  // Number of tokens kept, at most kMaxTokens (a line with more words also reports 23).
  [[nodiscard]] size_t size() const { return size_; }
  [[nodiscard]] std::string_view operator[](size_t i) const {
    return {tokens_[i].data, tokens_[i].size};
  }
  // The last kept token. REQUIRES: size() > 0.
  [[nodiscard]] std::string_view back() const { return (*this)[size_ - 1]; }
  // The line from the first byte of token `i` to its end; empty when i >= size().
  [[nodiscard]] std::string_view From(size_t i) const;

 private:
  std::string_view line_;
  // Left uninitialized: only the first size_ are written and read (every command line is
  // tokenized, and zeroing 23 views cost more than splitting a short line).
  struct Token {
    const char* data;
    size_t size;
  };
  Token tokens_[kMaxTokens];
  size_t size_ = 0;
};

}  // namespace slabd::proto

#endif  // SLABD_PROTO_TEXT_TOKENS_H_
