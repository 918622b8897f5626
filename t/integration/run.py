#!/usr/bin/python3
"""Run the integration and real-client suites against slabd (default) or memcached.

    t/integration/run.py                      # slabd at $SLABD_BIN or <repo>/slabd
    T_SERVER=memcached t/integration/run.py   # the same suite against memcached 1.6.18
    t/integration/run.py -k Noreply -v        # only tests whose id contains "Noreply"
    t/integration/run.py test_commands        # only these modules

Prints the usual unittest output, then a last line
    integration: N passed, N failed, N skipped
and exits non-zero if anything failed or errored.
"""

import argparse
import os
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
T_DIR = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(T_DIR, "lib"))

SUITE_DIRS = [HERE, os.path.join(T_DIR, "clients")]


class CountingResult(unittest.TextTestResult):
    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.passed = 0
        self.started_at = {}

    def addSuccess(self, test):
        super().addSuccess(test)
        self.passed += 1


def iter_tests(suite):
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            yield from iter_tests(t)
        else:
            yield t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("modules", nargs="*", help="test module names (default: all)")
    ap.add_argument("-k", dest="patterns", action="append", default=[],
                    help="run only tests whose id contains this substring")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("-f", "--failfast", action="store_true")
    opts = ap.parse_args()

    from server import server_kind, SLABD_BIN
    kind = server_kind()
    if kind == "slabd" and not os.path.exists(SLABD_BIN):
        print("slabd binary not found at %s; build it or set SLABD_BIN (or T_SERVER=memcached)"
              % SLABD_BIN)
        print("integration: 0 passed, 1 failed, 0 skipped")
        return 1

    loader = unittest.TestLoader()
    suite = unittest.TestSuite()
    for d in SUITE_DIRS:
        if not os.path.isdir(d):
            continue
        sys.path.insert(0, d)
        for name in sorted(os.listdir(d)):
            if not (name.startswith("test_") and name.endswith(".py")):
                continue
            mod = name[:-3]
            if opts.modules and mod not in opts.modules and name not in opts.modules:
                continue
            suite.addTests(loader.loadTestsFromName(mod))
    if opts.patterns:
        kept = unittest.TestSuite()
        for t in iter_tests(suite):
            if any(p in t.id() for p in opts.patterns):
                kept.addTest(t)
        suite = kept

    print("server under test: %s" % (kind if kind == "memcached" else SLABD_BIN), flush=True)
    runner = unittest.TextTestRunner(verbosity=2 if opts.verbose else 1, stream=sys.stdout,
                                     resultclass=CountingResult, failfast=opts.failfast)
    t0 = time.monotonic()
    result = runner.run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    print("elapsed %.1f s" % (time.monotonic() - t0))
    print("integration: %d passed, %d failed, %d skipped" % (result.passed, failed, skipped))
    return 0 if failed == 0 and result.testsRun > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
