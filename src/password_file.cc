// PasswordFile (see password_file.h).
#include "src/password_file.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include <utility>

namespace slabd::server {

bool ConstantTimeEquals(std::string_view offered, std::string_view secret) {
  // Walk the offered bytes only; past the end of the secret compare against a fixed
  // byte and let the length difference decide. volatile keeps the compiler from
  // turning the loop back into an early-exit comparison.
  volatile unsigned char diff = offered.size() == secret.size() ? 0 : 1;
  const size_t n = secret.size();
  for (size_t i = 0; i < offered.size(); ++i) {
    const size_t in_range = static_cast<size_t>(i < n);
    const size_t j = i * in_range;  // 0 when out of range (and n may be 0)
    const unsigned char s = n == 0 ? 0 : static_cast<unsigned char>(secret[j]);
    diff = diff | static_cast<unsigned char>((static_cast<unsigned char>(offered[i]) ^ s) |
                                             static_cast<unsigned char>(1 - in_range));
  }
  return diff == 0;
}

namespace {

enum class OnMalformed { kSkip, kReject };

std::optional<std::vector<std::pair<std::string, std::string>>> SplitEntries(
    std::string_view contents, OnMalformed malformed) {
  std::vector<std::pair<std::string, std::string>> entries;
  while (!contents.empty()) {
    size_t nl = contents.find('\n');
    std::string_view line = contents.substr(0, nl);
    contents = nl == std::string_view::npos ? std::string_view() : contents.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      if (malformed == OnMalformed::kReject) return std::nullopt;
      continue;
    }
    entries.emplace_back(std::string(line.substr(0, colon)), std::string(line.substr(colon + 1)));
  }
  return entries;
}

// Reads a whole file; false (with errno set) on any error, including a directory.
bool ReadFile(const std::string& path, std::string* data) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int saved = errno;
      ::close(fd);
      errno = saved;
      return false;
    }
    if (n == 0) break;
    data->append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return true;
}

}  // namespace

std::optional<PasswordFile> PasswordFile::Parse(std::string_view contents, Format format) {
  auto entries = SplitEntries(
      contents, format == Format::kAuthFile ? OnMalformed::kReject : OnMalformed::kSkip);
  if (!entries) return std::nullopt;
  PasswordFile f;
  f.extra_fields_ = format == Format::kSaslPwdb;
  for (auto& [user, password] : *entries) f.entries_.push_back({user, password});
  return f;
}

PasswordFile PasswordFile::Parse(std::string_view contents) {
  PasswordFile f;
  auto entries = SplitEntries(contents, OnMalformed::kSkip);  // never nullopt when skipping
  for (auto& [user, password] : *entries) f.entries_.push_back({user, password});
  return f;
}

std::optional<PasswordFile> PasswordFile::Load(const std::string& path, std::string* error,
                                               Format format) {
  std::string data;
  if (!ReadFile(path, &data)) {
    const char* reason = std::strerror(errno);
    *error = "Could not open authfile [" + path + "] for reading, error " + reason + ": " +
             reason;
    return std::nullopt;
  }
  std::optional<PasswordFile> f = Parse(data, format);
  if (!f) *error = "Authfile [" + path + "] has a malformed entry. Should be 'user:password'";
  return f;
}

ReloadablePasswordFile::ReloadablePasswordFile(std::string path, PasswordFile initial)
    : path_(std::move(path)), file_(std::make_shared<const PasswordFile>(std::move(initial))) {}

bool ReloadablePasswordFile::Check(std::string_view user, std::string_view password) const {
  std::shared_ptr<const PasswordFile> f;
  {
    std::lock_guard lock(mu_);
    f = file_;
  }
  return f->Check(user, password);
}

bool ReloadablePasswordFile::Reload(std::string* error) {
  std::optional<PasswordFile> f = PasswordFile::Load(path_, error);
  if (!f) return false;
  auto fresh = std::make_shared<const PasswordFile>(std::move(*f));
  std::lock_guard lock(mu_);
  file_ = std::move(fresh);
  return true;
}

bool PasswordFile::Check(std::string_view user, std::string_view password) const {
  unsigned match = 0;
  for (const Entry& e : entries_) {
    const unsigned u = ConstantTimeEquals(user, e.user) ? 1u : 0u;
    unsigned p;
    if (!extra_fields_) {
      p = ConstantTimeEquals(password, e.password) ? 1u : 0u;
    } else {
      // The stored field up to the offered length, then a field end.
      const size_t n = password.size();
      const std::string_view head = std::string_view(e.password).substr(0, n);
      const bool boundary =
          e.password.size() == n || (e.password.size() > n && e.password[n] == ':');
      p = (ConstantTimeEquals(password, head) && boundary) ? 1u : 0u;
    }
    match |= u & p;
  }
  return match != 0;
}

}  // namespace slabd::server
