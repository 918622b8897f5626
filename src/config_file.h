// ConfigFile: `slabd --config FILE`, in the format of Debian's /etc/memcached.conf.
//
// Format (as /usr/share/memcached/memcached.conf.default): one command-line option per
// line (`-m 64`, `-l 127.0.0.1`, `-m64`, `--threads=8`), split on whitespace with no
// quoting (Debian's wrapper joins the lines into one shell word list); `#` starts a
// comment anywhere on a line; blank lines are skipped. Lines are read the way Debian's
// systemd-memcached-wrapper reads them, so an existing memcached.conf works unchanged:
//   -d, -h         dropped. The file's own comment says -d "is implied": slabd stays in
//                  the foreground for the service manager (-d on the command line is
//                  still honoured).
//   logfile PATH   the one directive: stdout and stderr are appended to PATH, as
//                  Debian's start-memcached does (its systemd wrapper ignores it).
// Any other line not starting with '-' is an error. Which options exist is checked by
// ParseOptions (options.cc), which reports `FILE:LINE:` from the numbers kept here.
//
// Thread safety: start-up only, single-threaded.
#ifndef SLABD_SRC_CONFIG_FILE_H_
#define SLABD_SRC_CONFIG_FILE_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace slabd::server {

struct ConfigLine {
  int line_number;                // 1-based, for error messages
  std::vector<std::string> args;  // the line's words: "-m", "64"
};

struct ConfigFile {
  std::vector<ConfigLine> lines;  // option lines in file order
  std::string log_file;           // `logfile` (the last one wins); empty if none
};

// Parses file contents. `name` only prefixes error messages. On a malformed line
// returns nullopt and sets `*error` to "NAME:LINE: reason".
std::optional<ConfigFile> ParseConfigText(std::string_view text, std::string_view name,
                                          std::string* error);

// Reads and parses `path`; an unreadable file is an error naming it.
std::optional<ConfigFile> LoadConfigFile(const std::string& path, std::string* error);

// Appends stdout and stderr (and so glog, which logs to stderr) to `path`, creating it
// (mode 0640: logs may contain keys). Returns false with `*error` set on failure.
bool AppendOutputTo(const std::string& path, std::string* error);

}  // namespace slabd::server

#endif  // SLABD_SRC_CONFIG_FILE_H_
