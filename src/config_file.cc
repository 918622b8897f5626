// ConfigFile (see config_file.h).
#include "src/config_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace slabd::server {
namespace {

std::vector<std::string> SplitWords(std::string_view line) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
    if (i > start) words.emplace_back(line.substr(start, i - start));
  }
  return words;
}

// Lines Debian's systemd wrapper drops: daemonizing and help make no sense in a file.
bool IsDroppedOption(const std::string& word) {
  return word == "-d" || word == "-h" || word == "--daemon" || word == "--help";
}

}  // namespace

std::optional<ConfigFile> ParseConfigText(std::string_view text, std::string_view name,
                                          std::string* error) {
  ConfigFile file;
  int line_number = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_number;
    if (size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    std::vector<std::string> words = SplitWords(line);
    if (words.empty()) continue;
    const std::string where = std::string(name) + ":" + std::to_string(line_number) + ": ";
    if (words[0] == "logfile") {
      if (words.size() != 2) {
        *error = where + "logfile needs exactly one path";
        return std::nullopt;
      }
      file.log_file = words[1];
      continue;
    }
    if (words[0][0] != '-') {
      *error = where + "unknown directive '" + words[0] + "' (expected an option such as -m 64)";
      return std::nullopt;
    }
    if (IsDroppedOption(words[0])) continue;
    file.lines.push_back(ConfigLine{line_number, std::move(words)});
  }
  return file;
}

std::optional<ConfigFile> LoadConfigFile(const std::string& path, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot read config file " + path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return ParseConfigText(text.str(), path, error);
}

bool AppendOutputTo(const std::string& path, std::string* error) {
  int fd = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) {
    *error = "cannot open log file " + path + ": " + std::strerror(errno);
    return false;
  }
  std::fflush(stdout);
  std::fflush(stderr);
  bool ok = dup2(fd, STDOUT_FILENO) >= 0 && dup2(fd, STDERR_FILENO) >= 0;
  if (!ok) *error = "cannot redirect output to " + path + ": " + std::strerror(errno);
  close(fd);
  return ok;
}

}  // namespace slabd::server
