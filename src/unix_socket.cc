// UnixSocket (see unix_socket.h).
#include "src/unix_socket.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace slabd::server {

UnixSocket::~UnixSocket() {
  if (fd_ >= 0) ::close(fd_);
  if (!path_.empty()) ::unlink(path_.c_str());
}

std::string UnixSocket::Listen(const std::string& path, int mask, int backlog) {
  const std::string failed = "failed to listen on UNIX socket: " + path + ": ";
  sockaddr_un addr{};
  if (path.size() >= sizeof(addr.sun_path)) return failed + std::strerror(ENAMETOOLONG);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return failed + std::strerror(errno);
  struct stat st;
  if (lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) ::unlink(path.c_str());
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  const mode_t old_umask = umask(static_cast<mode_t>(~(mask & 0777)));
  const int rc = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  const int bind_errno = errno;
  umask(old_umask);
  if (rc != 0) {
    ::close(fd);
    return failed + std::strerror(bind_errno);
  }
  path_ = path;
  if (::listen(fd, backlog) != 0) {
    const int listen_errno = errno;
    ::close(fd);
    return failed + std::strerror(listen_errno);
  }
  fd_ = fd;
  return "";
}

int UnixSocket::TakeFd() {
  int fd = fd_;
  fd_ = -1;
  return fd;
}

}  // namespace slabd::server
