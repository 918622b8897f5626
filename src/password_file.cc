// PasswordFile (see password_file.h).
#include "src/password_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

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

PasswordFile PasswordFile::Parse(std::string_view contents) {
  PasswordFile f;
  while (!contents.empty()) {
    size_t nl = contents.find('\n');
    std::string_view line = contents.substr(0, nl);
    contents = nl == std::string_view::npos ? std::string_view() : contents.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    f.entries_.push_back({std::string(line.substr(0, colon)), std::string(line.substr(colon + 1))});
  }
  return f;
}

std::optional<PasswordFile> PasswordFile::Load(const std::string& path, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "Could not open authfile [" + path + "] for reading: " + std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream data;
  data << in.rdbuf();
  if (in.bad()) {
    *error = "Could not read authfile [" + path + "]";
    return std::nullopt;
  }
  return Parse(data.str());
}

bool PasswordFile::Check(std::string_view user, std::string_view password) const {
  unsigned match = 0;
  for (const Entry& e : entries_) {
    const unsigned u = ConstantTimeEquals(user, e.user) ? 1u : 0u;
    const unsigned p = ConstantTimeEquals(password, e.password) ? 1u : 0u;
    match |= u & p;
  }
  return match != 0;
}

}  // namespace slabd::server
