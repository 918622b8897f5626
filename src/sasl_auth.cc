// SASL PLAIN (see sasl_auth.h).
#include "src/sasl_auth.h"

#include <glog/logging.h>

#include "src/password_file.h"

namespace slabd::server {

bool SaslAuthenticate(std::string_view mech, std::string_view data,
                      const std::string& pwdb_path) {
  if (mech != "PLAIN") return false;
  const size_t first = data.find('\0');
  if (first == std::string_view::npos) return false;
  const size_t second = data.find('\0', first + 1);
  if (second == std::string_view::npos) return false;
  const std::string_view authzid = data.substr(0, first);
  const std::string_view user = data.substr(first + 1, second - first - 1);
  const std::string_view password = data.substr(second + 1);
  if (user.empty()) return false;
  if (!authzid.empty() && authzid != user) return false;
  std::string error;
  std::optional<PasswordFile> file = PasswordFile::Load(pwdb_path, &error);
  if (!file) {
    LOG(WARNING) << "SASL: " << error;
    return false;
  }
  return file->Check(user, password);
}

}  // namespace slabd::server
