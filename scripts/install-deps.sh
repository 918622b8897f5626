#!/bin/sh
# Installs every Debian package that slabd's build, tests and benchmarks need.
# Idempotent and non-interactive: when everything is present it prints nothing and
# exits 0. Installing needs root; as another user it lists what is missing and fails.
set -eu

PACKAGES="
  g++ make autoconf automake pkg-config
  libevent-dev libjemalloc-dev libgflags-dev libgoogle-glog-dev libgtest-dev
  python3 python3-pymemcache memcached libmemcached-tools netcat-openbsd procps
  clang libclang-rt-dev strace
"

missing=""
for p in $PACKAGES; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  case "$status" in
    *"install ok installed"*) ;;
    *) missing="$missing $p" ;;
  esac
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing Debian packages:$missing" >&2
  echo "install-deps: run 'sudo scripts/install-deps.sh' (or 'make check' as root)" >&2
  exit 1
fi

echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
# The memcached package starts a service where an init system runs; the tests start
# their own servers on ephemeral ports, so the packaged one is left as Debian set it.
