#!/bin/sh
# Runs every test suite and ends with one line: "N passed, N failed".
#   t/run_tests.sh <unit-test binary> <slabd binary>
# Suites: the layering check, the GoogleTest unit tests, and the integration and
# real-client tests (t/integration/run.py starts the real binary per test class).
set -u
cd "$(dirname "$0")/.."
unit_bin=$1
slabd_bin=$2
passed=0
failed=0
logdir=$(mktemp -d /tmp/slabd-tests.XXXXXX)

echo "== layering"
if t/check_layering.sh; then passed=$((passed + 1)); else failed=$((failed + 1)); fi

echo "== unit tests ($unit_bin)"
"$unit_bin" --gtest_brief=1 >"$logdir/unit.log" 2>&1
unit_rc=$?
cat "$logdir/unit.log"
total=$(sed -n 's/^\[==========\] \([0-9]*\) tests\{0,1\} from .* ran.*/\1/p' "$logdir/unit.log" | tail -n 1)
ufail=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) tests\{0,1\}, listed below.*/\1/p' "$logdir/unit.log" | tail -n 1)
total=${total:-0}
ufail=${ufail:-0}
if [ "$unit_rc" -ne 0 ] && [ "$ufail" -eq 0 ]; then ufail=1; fi  # crashed before its summary
passed=$((passed + total - ufail))
failed=$((failed + ufail))

echo "== integration and client tests"
SLABD_BIN=$(readlink -f "$slabd_bin") /usr/bin/python3 t/integration/run.py 2>&1 | tee "$logdir/integration.log"
line=$(grep -E '^integration: [0-9]+ passed, [0-9]+ failed' "$logdir/integration.log" | tail -n 1)
if [ -n "$line" ]; then
  ip=$(echo "$line" | sed 's/^integration: \([0-9]*\) passed.*/\1/')
  ifl=$(echo "$line" | sed 's/.* \([0-9]*\) failed.*/\1/')
  passed=$((passed + ip))
  failed=$((failed + ifl))
else
  echo "integration runner produced no summary"
  failed=$((failed + 1))
fi

rm -rf "$logdir"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
