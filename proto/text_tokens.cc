// Splitting for TextTokens; see the header for the 1.6.18 rules it reproduces.
#include "proto/text_tokens.h"

#include <cstring>

namespace slabd::proto {

TextTokens::TextTokens(std::string_view line) : line_(line) {
  const char* p = line.data();
  const char* const end = p + line.size();
  while (size_ < kMaxTokens) {
    while (p != end && *p == ' ') ++p;
    if (p == end) break;
    const void* space = std::memchr(p, ' ', static_cast<size_t>(end - p));
    const char* stop = space != nullptr ? static_cast<const char*>(space) : end;
    tokens_[size_++] = {p, static_cast<size_t>(stop - p)};
    p = stop;
  }
}

std::string_view TextTokens::From(size_t i) const {
  if (i >= size_) return {};
  return line_.substr(static_cast<size_t>(tokens_[i].data - line_.data()));
}

}  // namespace slabd::proto
