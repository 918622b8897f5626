// UnixSocket: the -s listening socket file and its -a permissions.
//
// As memcached: a socket file left at the path by an earlier run is removed first
// (anything else there makes bind fail), and the file is created with mode
// `mask & 0777` by narrowing the umask around bind(). Unlike memcached, the file
// is also removed when the server exits, so the next start finds a clean path.
//
// Thread safety: main thread. The umask is process-wide; it is changed only around
// the bind, at start-up, when no other thread creates files.
#ifndef SLABD_SRC_UNIX_SOCKET_H_
#define SLABD_SRC_UNIX_SOCKET_H_

#include <string>

namespace slabd::server {

class UnixSocket {
 public:
  UnixSocket() = default;
  ~UnixSocket();  // unlinks the file it bound
  UnixSocket(const UnixSocket&) = delete;
  UnixSocket& operator=(const UnixSocket&) = delete;

  // Binds and listens (non-blocking, close-on-exec). Returns "" or an error line.
  std::string Listen(const std::string& path, int mask, int backlog);
  // The listening fd; ownership passes to the caller (the Listener closes it).
  int TakeFd();
  const std::string& path() const { return path_; }

 private:
  int fd_ = -1;
  std::string path_;  // set once bound
};

}  // namespace slabd::server

#endif  // SLABD_SRC_UNIX_SOCKET_H_
