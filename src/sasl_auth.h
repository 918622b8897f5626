// Binary-protocol SASL authentication (-S): the PLAIN mechanism (RFC 4616) checked
// against a user:password file, as memcached's sasl-pwdb build does.
//
// The file is read on every attempt, like memcached's pwdb callback, so passwords can
// be rotated without a restart; authentication is rare and the file small. Cyrus
// libsasl2 is not used: PLAIN is the one mechanism memcached's clients (pylibmc,
// python-binary-memcached, Dalli, memjs, spymemcached) actually negotiate.
//
// Thread safety: stateless functions; safe on any thread.
#ifndef SLABD_SRC_SASL_AUTH_H_
#define SLABD_SRC_SASL_AUTH_H_

#include <string>
#include <string_view>

namespace slabd::server {

// The SASL_LIST_MECHS reply.
inline constexpr std::string_view kSaslMechanisms = "PLAIN";
// memcached's MAX_SASL_MECH_LEN: longer mechanism names are "Invalid arguments".
inline constexpr size_t kMaxSaslMechLength = 32;

enum class SaslOutcome { kOk, kContinue, kFail };

// SASL_AUTH with mechanism `mech` (any letter case) and initial response `data`. PLAIN
// data is "[authzid] NUL authcid NUL password"; an authzid other than empty or the
// authcid is refused (no proxy authorisation). Empty data asks for the response in a
// SASL_STEP (kContinue), as Cyrus does. Unknown mechanisms fail.
[[nodiscard]] SaslOutcome SaslStart(std::string_view mech, std::string_view data,
                                    const std::string& pwdb_path);
// SASL_STEP after a kContinue: `data` is the PLAIN response.
[[nodiscard]] SaslOutcome SaslStep(std::string_view data, const std::string& pwdb_path);

// Convenience for tests: true when SaslStart() authenticates at once.
[[nodiscard]] inline bool SaslAuthenticate(std::string_view mech, std::string_view data,
                                           const std::string& pwdb_path) {
  return SaslStart(mech, data, pwdb_path) == SaslOutcome::kOk;
}

}  // namespace slabd::server

#endif  // SLABD_SRC_SASL_AUTH_H_
