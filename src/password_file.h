// PasswordFile: the `user:password` lines of memcached's -Y auth file and of its SASL
// password database (MEMCACHED_SASL_PWDB), and the credential check both use.
//
// Format: one entry per line, the user name up to the first ':'; a trailing "\r" is
// dropped. The two files differ as memcached's readers do:
//   kAuthFile (-Y)     the password is the rest of the line (it may contain ':'); a
//                      line without ':' (an empty line too) makes the file fail to load.
//   kSaslPwdb (-S)     as memcached's pwdb check: the offered password must be the rest
//                      of the line or be followed there by ':' (more fields), so
//                      "a:b:c" admits both "b:c" and "b"; lines without ':' are skipped.
// Unlike memcached 1.6.18's -Y reader there is no limit of 8 entries, and a file
// without a final newline keeps its last character (both memcached bugs).
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

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace slabd::server {

class PasswordFile {
 public:
  enum class Format { kAuthFile, kSaslPwdb };
  // Reads `path`. On failure (unreadable, or malformed for kAuthFile) returns nullopt
  // and sets `*error` to a one-line reason in memcached's wording.
  static std::optional<PasswordFile> Load(const std::string& path, std::string* error,
                                          Format format = Format::kAuthFile);
  // Parses file contents (Load's second half); nullopt when a kAuthFile line is malformed.
  static std::optional<PasswordFile> Parse(std::string_view contents, Format format);
  // Lenient parse for tests: passwords run to the end of the line, malformed lines skipped.
  static PasswordFile Parse(std::string_view contents);

  [[nodiscard]] bool Check(std::string_view user, std::string_view password) const;
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string user;
    std::string password;
  };
  std::vector<Entry> entries_;
  bool extra_fields_ = false;  // kSaslPwdb matching
};

// The -Y file, replaceable while the server runs (SIGHUP reloads it, as memcached's).
// Thread safety: Check() on any thread, Reload() on any other.
class ReloadablePasswordFile {
 public:
  ReloadablePasswordFile(std::string path, PasswordFile initial);
  [[nodiscard]] bool Check(std::string_view user, std::string_view password) const;
  // Reads the file again; on failure keeps the current entries and returns false.
  bool Reload(std::string* error);
  const std::string& path() const { return path_; }

 private:
  const std::string path_;
  mutable std::mutex mu_;
  std::shared_ptr<const PasswordFile> file_;  // GUARDED_BY(mu_)
};

// Equality of `offered` and `secret` in time that depends only on offered.size().
[[nodiscard]] bool ConstantTimeEquals(std::string_view offered, std::string_view secret);

}  // namespace slabd::server

#endif  // SLABD_SRC_PASSWORD_FILE_H_
