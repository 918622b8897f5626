// PasswordFile: `user:password` lines parse as memcached's auth files do, Check() accepts
// exactly the listed pairs, and ConstantTimeEquals is plain equality.
#include "src/password_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

namespace slabd::server {
namespace {

// A file under the test temp directory, removed at the end of the test.
class TempFile {
 public:
  explicit TempFile(const std::string& contents) {
    std::string pattern = ::testing::TempDir() + "slabd_pwfile_XXXXXX";
    int fd = mkstemp(pattern.data());
    EXPECT_GE(fd, 0);
    if (fd >= 0) {
      EXPECT_EQ(write(fd, contents.data(), contents.size()),
                static_cast<ssize_t>(contents.size()));
      close(fd);
    }
    path_ = pattern;
  }
  ~TempFile() { unlink(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(PasswordFileTest, ParsesOneEntryPerLine) {
  const PasswordFile f = PasswordFile::Parse("alice:secret\nbob:hunter2\n");
  EXPECT_EQ(f.size(), 2u);
  EXPECT_TRUE(f.Check("alice", "secret"));
  EXPECT_TRUE(f.Check("bob", "hunter2"));
}

TEST(PasswordFileTest, LastLineNeedsNoNewline) {
  const PasswordFile f = PasswordFile::Parse("alice:secret\nbob:hunter2");
  EXPECT_EQ(f.size(), 2u);
  EXPECT_TRUE(f.Check("bob", "hunter2"));
}

TEST(PasswordFileTest, PasswordRunsToEndOfLineAndMayContainColons) {
  const PasswordFile f = PasswordFile::Parse("alice:a:b:c\n");
  EXPECT_TRUE(f.Check("alice", "a:b:c"));
  EXPECT_FALSE(f.Check("alice", "a"));
  EXPECT_FALSE(f.Check("alice:a", "b:c"));
}

TEST(PasswordFileTest, TrailingCarriageReturnIsDropped) {
  const PasswordFile f = PasswordFile::Parse("alice:secret\r\nbob:pw\r\n");
  EXPECT_TRUE(f.Check("alice", "secret"));
  EXPECT_FALSE(f.Check("alice", "secret\r"));
  EXPECT_TRUE(f.Check("bob", "pw"));
}

TEST(PasswordFileTest, EmptyLinesAndLinesWithoutAColonAreIgnored) {
  const PasswordFile f = PasswordFile::Parse("\n\nno colon here\nalice:secret\n\r\n");
  EXPECT_EQ(f.size(), 1u);
  EXPECT_TRUE(f.Check("alice", "secret"));
  EXPECT_FALSE(f.Check("no colon here", ""));
}

TEST(PasswordFileTest, EmptyContentsAcceptNobody) {
  const PasswordFile f = PasswordFile::Parse("");
  EXPECT_EQ(f.size(), 0u);
  EXPECT_FALSE(f.Check("", ""));
  EXPECT_FALSE(f.Check("alice", "secret"));
}

TEST(PasswordFileTest, EmptyPasswordIsAPassword) {
  const PasswordFile f = PasswordFile::Parse("guest:\n");
  EXPECT_TRUE(f.Check("guest", ""));
  EXPECT_FALSE(f.Check("guest", "x"));
}

TEST(PasswordFileTest, CheckNeedsTheExactUserAndPassword) {
  const PasswordFile f = PasswordFile::Parse("alice:secret\nbob:hunter2\n");
  EXPECT_FALSE(f.Check("alice", "hunter2"));  // another user's password
  EXPECT_FALSE(f.Check("carol", "secret"));
  EXPECT_FALSE(f.Check("Alice", "secret"));
  EXPECT_FALSE(f.Check("alice", "Secret"));
  EXPECT_FALSE(f.Check("alice", "secre"));
  EXPECT_FALSE(f.Check("alice", "secret!"));
  EXPECT_FALSE(f.Check("alic", "secret"));
  EXPECT_FALSE(f.Check("alicee", "secret"));
  EXPECT_FALSE(f.Check("alice", ""));
  EXPECT_FALSE(f.Check("", ""));
}

TEST(PasswordFileTest, EveryEntryForAUserIsTried) {
  const PasswordFile f = PasswordFile::Parse("alice:old\nalice:new\n");
  EXPECT_TRUE(f.Check("alice", "old"));
  EXPECT_TRUE(f.Check("alice", "new"));
  EXPECT_FALSE(f.Check("alice", "other"));
}

TEST(PasswordFileTest, BinaryBytesInCredentialsCompareExactly) {
  const std::string line = std::string("u\x01\xff:p\x00q", 7) + "\n";
  const PasswordFile f = PasswordFile::Parse(line);
  EXPECT_TRUE(f.Check(std::string_view("u\x01\xff", 3), std::string_view("p\x00q", 3)));
  EXPECT_FALSE(f.Check(std::string_view("u\x01\xff", 3), std::string_view("p\x00r", 3)));
  EXPECT_FALSE(f.Check(std::string_view("u\x01\xff", 3), std::string_view("p", 1)));
}

TEST(PasswordFileTest, ConstantTimeEqualsIsEquality) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("a", "a"));
  EXPECT_TRUE(ConstantTimeEquals("secret", "secret"));
  EXPECT_FALSE(ConstantTimeEquals("", "a"));
  EXPECT_FALSE(ConstantTimeEquals("a", ""));
  EXPECT_FALSE(ConstantTimeEquals("secret", "secreT"));
  EXPECT_FALSE(ConstantTimeEquals("Secret", "secret"));
  EXPECT_FALSE(ConstantTimeEquals("secre", "secret"));   // prefix of the secret
  EXPECT_FALSE(ConstantTimeEquals("secret", "secre"));   // secret is a prefix
  // Embedded and trailing NULs count as bytes.
  EXPECT_FALSE(ConstantTimeEquals(std::string_view("secret\0", 7), "secret"));
  EXPECT_FALSE(ConstantTimeEquals("secret", std::string_view("secret\0", 7)));
  EXPECT_FALSE(ConstantTimeEquals(std::string_view("\0", 1), ""));
  EXPECT_TRUE(ConstantTimeEquals(std::string_view("a\0b", 3), std::string_view("a\0b", 3)));
  EXPECT_FALSE(ConstantTimeEquals(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
  EXPECT_TRUE(ConstantTimeEquals("\xff\x80", "\xff\x80"));
  EXPECT_FALSE(ConstantTimeEquals("\xff\x80", "\xff\x7f"));
}

TEST(PasswordFileTest, ConstantTimeEqualsAgreesWithOperatorEqualsOnAllShortStrings) {
  const std::string alphabet("a\0\xff", 3);
  std::vector<std::string> all = {""};
  for (size_t len = 1; len <= 3; ++len) {
    std::vector<std::string> next;
    for (const std::string& s : all)
      if (s.size() == len - 1)
        for (char c : alphabet) next.push_back(s + c);
    all.insert(all.end(), next.begin(), next.end());
  }
  for (const std::string& a : all)
    for (const std::string& b : all) EXPECT_EQ(ConstantTimeEquals(a, b), a == b);
}

TEST(PasswordFileTest, LoadReadsAFile) {
  TempFile file("alice:secret\nbob:hunter2\n");
  std::string error;
  std::optional<PasswordFile> f = PasswordFile::Load(file.path(), &error);
  ASSERT_TRUE(f.has_value()) << error;
  EXPECT_EQ(f->size(), 2u);
  EXPECT_TRUE(f->Check("bob", "hunter2"));
}

TEST(PasswordFileTest, LoadOfAMissingFileSaysWhich) {
  const std::string path = ::testing::TempDir() + "slabd_no_such_pwfile";
  std::string error;
  EXPECT_FALSE(PasswordFile::Load(path, &error).has_value());
  EXPECT_NE(error.find(path), std::string::npos) << error;
  EXPECT_NE(error.find("No such file"), std::string::npos) << error;
}

TEST(PasswordFileTest, LoadOfADirectoryFails) {
  // A directory opens but cannot be read: that is a failure, not an empty file.
  std::string error;
  EXPECT_FALSE(PasswordFile::Load(::testing::TempDir(), &error).has_value());
  EXPECT_FALSE(error.empty());
}

TEST(PasswordFileTest, LoadOfAnEmptyFileAcceptsNobody) {
  TempFile file("");
  std::string error;
  std::optional<PasswordFile> f = PasswordFile::Load(file.path(), &error);
  ASSERT_TRUE(f.has_value()) << error;
  EXPECT_EQ(f->size(), 0u);
}

}  // namespace
}  // namespace slabd::server
