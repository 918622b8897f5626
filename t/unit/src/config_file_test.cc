// ParseConfigText: Debian's memcached.conf format, read as its systemd wrapper reads it.
#include "src/config_file.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace slabd::server {
namespace {

using Args = std::vector<std::string>;

ConfigFile Parse(std::string_view text) {
  std::string error;
  std::optional<ConfigFile> file = ParseConfigText(text, "f.conf", &error);
  EXPECT_TRUE(file.has_value()) << error;
  return file.value_or(ConfigFile{});
}

std::string ErrorOf(std::string_view text) {
  std::string error;
  EXPECT_FALSE(ParseConfigText(text, "f.conf", &error).has_value());
  return error;
}

TEST(ConfigFileTest, OneOptionPerLineWithCommentsAndBlankLines) {
  ConfigFile f = Parse("# header\n\n-m 64\n  -p\t11211  # port\n-l 127.0.0.1,::1\n--threads=8");
  ASSERT_EQ(f.lines.size(), 4u);
  EXPECT_EQ(f.lines[0].line_number, 3);
  EXPECT_EQ(f.lines[0].args, (Args{"-m", "64"}));
  EXPECT_EQ(f.lines[1].line_number, 4);
  EXPECT_EQ(f.lines[1].args, (Args{"-p", "11211"}));
  EXPECT_EQ(f.lines[2].args, (Args{"-l", "127.0.0.1,::1"}));
  EXPECT_EQ(f.lines[3].args, (Args{"--threads=8"}));
  EXPECT_EQ(f.log_file, "");
}

TEST(ConfigFileTest, DaemonAndHelpLinesAreDroppedAsDebiansWrapperDoes) {
  ConfigFile f = Parse("-d\n-h\n-m 64\n");
  ASSERT_EQ(f.lines.size(), 1u);
  EXPECT_EQ(f.lines[0].args, (Args{"-m", "64"}));
}

TEST(ConfigFileTest, LogfileDirectiveLastOneWins) {
  ConfigFile f = Parse("logfile /var/log/a.log\r\nlogfile /var/log/b.log # b\n");
  EXPECT_TRUE(f.lines.empty());
  EXPECT_EQ(f.log_file, "/var/log/b.log");
}

TEST(ConfigFileTest, CrlfLinesParse) {
  ConfigFile f = Parse("-m 64\r\n-p 1\r\n");
  ASSERT_EQ(f.lines.size(), 2u);
  EXPECT_EQ(f.lines[1].args, (Args{"-p", "1"}));
}

TEST(ConfigFileTest, UnknownDirectiveNamesFileAndLine) {
  EXPECT_EQ(ErrorOf("-m 64\n\nmaxmemory 64\n"),
            "f.conf:3: unknown directive 'maxmemory' (expected an option such as -m 64)");
}

TEST(ConfigFileTest, LogfileNeedsExactlyOnePath) {
  EXPECT_EQ(ErrorOf("logfile\n"), "f.conf:1: logfile needs exactly one path");
  EXPECT_EQ(ErrorOf("logfile a b\n"), "f.conf:1: logfile needs exactly one path");
}

TEST(ConfigFileTest, MissingFileIsAnError) {
  std::string error;
  EXPECT_FALSE(LoadConfigFile("/nonexistent/slabd.conf", &error).has_value());
  EXPECT_EQ(error, "cannot read config file /nonexistent/slabd.conf: No such file or directory");
}

}  // namespace
}  // namespace slabd::server
