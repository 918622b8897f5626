#!/bin/sh
# Installs the npm packages of the real-client tests: memjs (t/clients/memjs), exactly as
# pinned in t/clients/memjs/package-lock.json, into t/clients/memjs/node_modules.
# Idempotent: does nothing when memjs is already there. Needs node and npm (Debian
# nodejs/npm); without npm it says so and exits 0, and the memjs tests skip.
set -eu

cd "$(dirname "$0")/.."
dir=t/clients/memjs

[ -f "$dir/node_modules/memjs/package.json" ] && exit 0

if ! command -v npm >/dev/null 2>&1; then
  echo "install-client-deps: npm not found: the memjs client tests will be skipped" >&2
  exit 0
fi

echo "install-client-deps: npm ci in $dir"
npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
