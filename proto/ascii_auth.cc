// ASCII authentication exchange (see ascii_auth.h).
#include "proto/ascii_auth.h"

#include "proto/text_numbers.h"

namespace slabd::proto {
namespace {

// memcached's tokenizer: words separated by runs of ' ' (no other byte separates).
// Returns the `index`th word, or an empty view.
std::string_view Word(std::string_view s, int index) {
  size_t pos = 0;
  for (int i = 0;; ++i) {
    pos = s.find_first_not_of(' ', pos);
    if (pos == std::string_view::npos) return {};
    size_t end = s.find(' ', pos);
    if (end == std::string_view::npos) end = s.size();
    if (i == index) return s.substr(pos, end - pos);
    pos = end;
  }
}

}  // namespace

AsciiAuthLine ParseAsciiAuthLine(std::string_view input) {
  AsciiAuthLine r;
  if (input.size() < 2) return r;
  const size_t nl = input.find('\n');
  if (nl == std::string_view::npos) {
    if (input.size() > kAsciiAuthMaxLine) r.status = AsciiAuthLineStatus::kClose;
    return r;
  }
  const std::string_view line = input.substr(0, nl);
  r.consumed = nl + 1;
  r.status = AsciiAuthLineStatus::kRejected;
  if (Word(line, 0) != "set") return r;
  const std::string_view size_word = Word(line, 4);
  if (size_word.empty()) return r;
  const std::optional<uint32_t> size = ParseLibcUint32(size_word);
  if (!size) return r;
  r.status = AsciiAuthLineStatus::kBlock;
  r.block_len = uint64_t{*size} + 2;
  return r;
}

AsciiAuthBlock ParseAsciiAuthBlock(std::string_view block) {
  AsciiAuthBlock r;
  if (block.size() < 2 || block.substr(block.size() - 2) != "\r\n") {
    r.status = AsciiAuthBlockStatus::kBadTermination;
    return r;
  }
  // memcached NUL-terminates the block and tokenizes it as a C string, so a NUL ends
  // the words early.
  std::string_view text = block.substr(0, block.size() - 2);
  text = text.substr(0, text.find('\0'));
  r.user = Word(text, 0);
  r.password = Word(text, 1);
  r.status = r.password.empty() ? AsciiAuthBlockStatus::kBadFormat
                                : AsciiAuthBlockStatus::kCredentials;
  return r;
}

}  // namespace slabd::proto
