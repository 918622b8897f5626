// KeyList splitting: spaces only, runs collapsed, any other byte belongs to a key.
#include "proto/key_list.h"

#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace slabd::proto {
namespace {

static_assert(std::forward_iterator<KeyList::Iterator>);

std::vector<std::string> Split(std::string_view text) {
  std::vector<std::string> keys;
  for (std::string_view key : KeyList(text)) keys.emplace_back(key);
  return keys;
}

using Keys = std::vector<std::string>;

TEST(KeyListTest, DefaultIsEmpty) {
  const KeyList keys;
  EXPECT_TRUE(keys.empty());
  EXPECT_EQ(keys.Count(), 0u);
  EXPECT_EQ(keys.begin(), keys.end());
}

TEST(KeyListTest, AllSpacesIsEmpty) {
  EXPECT_TRUE(KeyList("   ").empty());
  EXPECT_EQ(Split("   "), Keys{});
}

TEST(KeyListTest, SplitsOnRunsOfSpaces) {
  EXPECT_EQ(Split("a"), Keys{"a"});
  EXPECT_EQ(Split("a b"), (Keys{"a", "b"}));
  EXPECT_EQ(Split("  a   b  "), (Keys{"a", "b"}));
}

TEST(KeyListTest, OnlySpaceSeparates) {
  EXPECT_EQ(Split("a\tb c\rd\x01"), (Keys{"a\tb", "c\rd\x01"}));
}

TEST(KeyListTest, CountFrontAndText) {
  const KeyList keys(" x yy zzz");
  EXPECT_EQ(keys.Count(), 3u);
  EXPECT_EQ(keys.front(), "x");
  EXPECT_EQ(keys.text(), " x yy zzz");
  EXPECT_EQ(std::distance(keys.begin(), keys.end()), 3);
}

TEST(KeyListTest, PostIncrementReturnsThePreviousPosition) {
  const KeyList keys("a b");
  auto it = keys.begin();
  EXPECT_EQ(*it++, "a");
  EXPECT_EQ(*it, "b");
  ++it;
  EXPECT_EQ(it, keys.end());
}

TEST(KeyListTest, TenThousandKeys) {
  std::string text;
  for (int i = 0; i < 10000; ++i) text += "k" + std::to_string(i) + " ";
  const KeyList keys(text);
  EXPECT_EQ(keys.Count(), 10000u);
  int i = 0;
  for (std::string_view key : keys) ASSERT_EQ(key, "k" + std::to_string(i++));
}

TEST(KeyListTest, ViewsPointIntoTheText) {
  const std::string text = "ab cd";
  const KeyList keys(text);
  auto it = keys.begin();
  ++it;
  EXPECT_EQ((*it).data(), text.data() + 3);
}

}  // namespace
}  // namespace slabd::proto
