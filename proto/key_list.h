// KeyList: the keys of a get/gets/gat/gats line, as a lazily split view.
//
// memcached accepts any number of keys on a retrieval line (it re-tokenizes the rest of the line
// 23 tokens at a time), so a request cannot hold a fixed array of keys and must not allocate.
// KeyList holds one std::string_view over the key part of the caller's line and splits it on
// runs of spaces while iterating. Only ' ' separates keys: TAB, CR and every other byte are key
// bytes, as in 1.6.18.
//
// Invariants: the viewed text contains no '\n'. Iteration yields non-empty tokens in order.
// Lifetime: a KeyList (and the keys it yields) is valid only while the caller's buffer is.
// The same splitting is useful for the `args` of stats/shutdown/... (construct KeyList(args)).
// Value type; cheap to copy; no allocation; thread-compatible.
#ifndef SLABD_PROTO_KEY_LIST_H_
#define SLABD_PROTO_KEY_LIST_H_

#include <cstddef>
#include <iterator>
#include <string_view>

namespace slabd::proto {

class KeyList {
 public:
  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = std::string_view;
    using difference_type = std::ptrdiff_t;
    using pointer = const std::string_view*;
    using reference = std::string_view;

    Iterator() = default;
    std::string_view operator*() const { return {token_, length_}; }
    Iterator& operator++() {
      Seek(token_ + length_);
      return *this;
    }
    Iterator operator++(int) {
      Iterator before = *this;
      ++*this;
      return before;
    }
    friend bool operator==(const Iterator& a, const Iterator& b) { return a.token_ == b.token_; }

   private:
    friend class KeyList;
    // Positions on the first token at or after `from`; at `end` when there is none.
    Iterator(const char* from, const char* end) : end_(end) { Seek(from); }
    void Seek(const char* from);

    const char* token_ = nullptr;
    size_t length_ = 0;
    const char* end_ = nullptr;
  };

  constexpr KeyList() = default;
  constexpr explicit KeyList(std::string_view text) : text_(text) {}

  Iterator begin() const { return Iterator(text_.data(), text_.data() + text_.size()); }
  Iterator end() const {
    const char* stop = text_.data() + text_.size();
    return Iterator(stop, stop);
  }

  // True when there is no key (the text is empty or all spaces).
  [[nodiscard]] bool empty() const { return begin() == end(); }
  // Number of keys; O(length of the text).
  [[nodiscard]] size_t Count() const;
  // The first key. REQUIRES: !empty().
  [[nodiscard]] std::string_view front() const { return *begin(); }
  // The raw text the keys are split from.
  [[nodiscard]] constexpr std::string_view text() const { return text_; }

 private:
  std::string_view text_;
};

}  // namespace slabd::proto

#endif  // SLABD_PROTO_KEY_LIST_H_
