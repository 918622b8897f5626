// PasswordFile: the `user:password` lines of memcached's -Y auth file and of its SASL
// password database (MEMCACHED_SASL_PWDB), and the credential check both use.
//
// Format: one entry per line, the user name up to the first ':', the password after it
// (so a password may contain ':'); a trailing "\r" is dropped; empty lines and lines
// without ':' are ignored.
//
// Check() is constant-time in the sense that matters for a network attacker: it
// compares the offered credentials with EVERY entry, never stops at the first match or
// mismatch, and compares bytes without data-dependent branches, so the time taken does
// not tell whether a user name exists or how much of a password was right (memcached
// before 1.6.42 stopped early and used memcmp: CVE-2026-47783).
//
// Thread safety: immutable after Load(); Check() may run on any thread.
#ifndef SLABD_SRC_PASSWORD_FILE_H_
#define SLABD_SRC_PASSWORD_FILE_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace slabd::server {

class PasswordFile {
 public:
  // Reads `path`. On failure returns nullopt and sets `*error` to a one-line reason.
  static std::optional<PasswordFile> Load(const std::string& path, std::string* error);
  // Parses file contents (Load's second half; tests use it directly).
  static PasswordFile Parse(std::string_view contents);

  [[nodiscard]] bool Check(std::string_view user, std::string_view password) const;
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string user;
    std::string password;
  };
  std::vector<Entry> entries_;
};

// Equality of `offered` and `secret` in time that depends only on offered.size().
[[nodiscard]] bool ConstantTimeEquals(std::string_view offered, std::string_view secret);

}  // namespace slabd::server

#endif  // SLABD_SRC_PASSWORD_FILE_H_
