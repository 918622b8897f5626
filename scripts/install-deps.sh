#!/bin/sh
# Installs the Debian packages slabd needs: to build and run it, and with --test also
# what the tests and benchmarks use (the memcached oracle, real memcached clients,
# tools). Idempotent and non-interactive: when everything is present it prints nothing
# and exits 0. Installing needs root; as another user it lists what is missing and fails.
#   scripts/install-deps.sh          build and run (make, make run)
#   scripts/install-deps.sh --test   also the test suite's packages (make check)
set -eu

PACKAGES="
  g++ make autoconf automake pkg-config
  libevent-dev libjemalloc-dev libgflags-dev libgoogle-glog-dev libgtest-dev
  libsystemd-dev
"
# Oracle and tools; clients: pymemcache (text), pylibmc and python-binary-memcached
# (binary, SASL PLAIN through libsasl2's plain plugin), Dalli 3 (Ruby, binary only);
# sasl2-bin lets the tests give the memcached oracle a SASL user database. memjs (npm)
# is installed by scripts/install-client-deps.sh with the machine's Node.js and npm.
TEST_PACKAGES="
  python3 python3-pymemcache memcached libmemcached-tools netcat-openbsd procps
  clang libclang-rt-dev strace systemd man-db
  python3-pylibmc python3-binary-memcached ruby ruby-dalli libsasl2-modules sasl2-bin
"

if [ "${1:-}" = "--test" ]; then
  PACKAGES="$PACKAGES $TEST_PACKAGES"
fi

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
  echo "install-deps: run 'sudo scripts/install-deps.sh $*' (or 'make check' as root)" >&2
  exit 1
fi

echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
# The memcached package starts a service where an init system runs; the tests start
# their own servers on ephemeral ports, so the packaged one is left as Debian set it.
