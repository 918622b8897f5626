// SASL PLAIN (see sasl_auth.h).
#include "src/sasl_auth.h"

#include <glog/logging.h>

#include "src/password_file.h"

namespace slabd::server {

namespace {

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 'a' + 'A');
    if (y >= 'a' && y <= 'z') y = static_cast<char>(y - 'a' + 'A');
    if (x != y) return false;
  }
  return true;
}

SaslOutcome CheckPlain(std::string_view data, const std::string& pwdb_path) {
  const size_t first = data.find('\0');
  if (first == std::string_view::npos) return SaslOutcome::kFail;
  const size_t second = data.find('\0', first + 1);
  if (second == std::string_view::npos) return SaslOutcome::kFail;
  const std::string_view authzid = data.substr(0, first);
  const std::string_view user = data.substr(first + 1, second - first - 1);
  const std::string_view password = data.substr(second + 1);
  if (user.empty()) return SaslOutcome::kFail;
  if (!authzid.empty() && authzid != user) return SaslOutcome::kFail;
  std::string error;
  std::optional<PasswordFile> file =
      PasswordFile::Load(pwdb_path, &error, PasswordFile::Format::kSaslPwdb);
  if (!file) {
    LOG(WARNING) << "SASL: " << error;
    return SaslOutcome::kFail;
  }
  return file->Check(user, password) ? SaslOutcome::kOk : SaslOutcome::kFail;
}

}  // namespace

SaslOutcome SaslStart(std::string_view mech, std::string_view data,
                      const std::string& pwdb_path) {
  if (!EqualsIgnoringCase(mech, "PLAIN")) return SaslOutcome::kFail;
  if (data.empty()) return SaslOutcome::kContinue;
  return CheckPlain(data, pwdb_path);
}

SaslOutcome SaslStep(std::string_view data, const std::string& pwdb_path) {
  return CheckPlain(data, pwdb_path);
}

}  // namespace slabd::server
