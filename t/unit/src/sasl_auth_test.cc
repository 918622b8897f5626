// SaslAuthenticate: PLAIN ("[authzid] NUL user NUL password", RFC 4616) against a pwdb file
// that is read again on every attempt.
#include "src/sasl_auth.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

namespace slabd::server {
namespace {

class SaslAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "slabd_sasl_pwdb_XXXXXX";
    int fd = mkstemp(pattern.data());
    ASSERT_GE(fd, 0);
    close(fd);
    pwdb_ = pattern;
    WritePwdb("alice:secret\nbob:pass:with:colons\n");
  }
  void TearDown() override { unlink(pwdb_.c_str()); }

  void WritePwdb(const std::string& contents) {
    std::ofstream out(pwdb_, std::ios::binary | std::ios::trunc);
    out << contents;
  }
  // PLAIN initial response.
  static std::string Plain(std::string_view authzid, std::string_view user,
                           std::string_view password) {
    std::string data(authzid);
    data += '\0';
    data += user;
    data += '\0';
    data += password;
    return data;
  }
  bool Auth(std::string_view mech, const std::string& data) {
    return SaslAuthenticate(mech, data, pwdb_);
  }

  std::string pwdb_;
};

TEST_F(SaslAuthTest, PlainWithListedCredentialsAuthenticates) {
  EXPECT_TRUE(Auth("PLAIN", Plain("", "alice", "secret")));
  EXPECT_TRUE(Auth("PLAIN", Plain("", "bob", "pass:with:colons")));
}

TEST_F(SaslAuthTest, AuthzidEqualToTheUserIsAccepted) {
  EXPECT_TRUE(Auth("PLAIN", Plain("alice", "alice", "secret")));
}

TEST_F(SaslAuthTest, AuthzidOfAnotherUserIsRefused) {
  EXPECT_FALSE(Auth("PLAIN", Plain("bob", "alice", "secret")));
}

TEST_F(SaslAuthTest, WrongPasswordOrUnknownUserFails) {
  EXPECT_FALSE(Auth("PLAIN", Plain("", "alice", "wrong")));
  EXPECT_FALSE(Auth("PLAIN", Plain("", "alice", "secre")));
  EXPECT_FALSE(Auth("PLAIN", Plain("", "alice", "secret ")));
  EXPECT_FALSE(Auth("PLAIN", Plain("", "alice", "")));
  EXPECT_FALSE(Auth("PLAIN", Plain("", "carol", "secret")));
  EXPECT_FALSE(Auth("PLAIN", Plain("", "bob", "pass:with:col")));
}

// memcached's pwdb check: the password may be followed by ':' and further fields.
TEST_F(SaslAuthTest, FieldsAfterThePasswordAreIgnored) {
  EXPECT_TRUE(Auth("PLAIN", Plain("", "bob", "pass")));
  EXPECT_TRUE(Auth("PLAIN", Plain("", "bob", "pass:with")));
  EXPECT_FALSE(Auth("PLAIN", Plain("", "bob", "pas")));
}

TEST_F(SaslAuthTest, EmptyInitialResponseAsksForAStep) {
  EXPECT_EQ(SaslStart("PLAIN", "", pwdb_), SaslOutcome::kContinue);
  EXPECT_EQ(SaslStep(Plain("", "alice", "secret"), pwdb_), SaslOutcome::kOk);
  EXPECT_EQ(SaslStep(Plain("", "alice", "wrong"), pwdb_), SaslOutcome::kFail);
}

TEST_F(SaslAuthTest, EmptyUserFailsEvenIfTheFileListsOne) {
  WritePwdb(":secret\n");
  EXPECT_FALSE(Auth("PLAIN", Plain("", "", "secret")));
}

TEST_F(SaslAuthTest, MalformedPlainDataFails) {
  EXPECT_FALSE(Auth("PLAIN", ""));
  EXPECT_FALSE(Auth("PLAIN", "alicesecret"));
  EXPECT_FALSE(Auth("PLAIN", std::string("alice\0secret", 12)));  // one NUL only
  EXPECT_FALSE(Auth("PLAIN", std::string("\0alice", 6)));
}

TEST_F(SaslAuthTest, APasswordWithATrailingNulIsADifferentPassword) {
  EXPECT_FALSE(Auth("PLAIN", Plain("", "alice", std::string("secret\0", 7))));
}

// Mechanism names match in any case, as Cyrus matches them.
TEST_F(SaslAuthTest, OnlyThePlainMechanismIsSupported) {
  const std::string data = Plain("", "alice", "secret");
  EXPECT_TRUE(Auth("plain", data));
  EXPECT_TRUE(Auth("Plain", data));
  EXPECT_FALSE(Auth("CRAM-MD5", data));
  EXPECT_FALSE(Auth("PLAIN ", data));
  EXPECT_FALSE(Auth("", data));
}

TEST_F(SaslAuthTest, AMissingPwdbAuthenticatesNobody) {
  EXPECT_FALSE(SaslAuthenticate("PLAIN", Plain("", "alice", "secret"),
                                ::testing::TempDir() + "slabd_no_such_pwdb"));
  EXPECT_FALSE(SaslAuthenticate("PLAIN", Plain("", "alice", "secret"), ""));
}

TEST_F(SaslAuthTest, PasswordChangesTakeEffectWithoutARestart) {
  EXPECT_TRUE(Auth("PLAIN", Plain("", "alice", "secret")));
  WritePwdb("alice:rotated\n");
  EXPECT_FALSE(Auth("PLAIN", Plain("", "alice", "secret")));
  EXPECT_TRUE(Auth("PLAIN", Plain("", "alice", "rotated")));
  EXPECT_FALSE(Auth("PLAIN", Plain("", "bob", "pass:with:colons")));
}

}  // namespace
}  // namespace slabd::server
