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

// SASL_AUTH with mechanism `mech` and initial response `data`. True when the client is
// authenticated. PLAIN data is "[authzid] NUL authcid NUL password"; an authzid other
// than empty or the authcid is refused (no proxy authorisation). Unknown mechanisms fail.
[[nodiscard]] bool SaslAuthenticate(std::string_view mech, std::string_view data,
                                    const std::string& pwdb_path);

}  // namespace slabd::server

#endif  // SLABD_SRC_SASL_AUTH_H_
