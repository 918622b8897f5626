#!/usr/bin/python3
"""Dalli 3.0.6 (Debian ruby-dalli, a BINARY-protocol-only Ruby client), without and with
SASL PLAIN. The tests themselves are minitest cases in dalli_test.rb; this module starts
the server, runs `ruby t/clients/dalli_test.rb PORT [USER PASSWORD]` once per class and
makes one Python test of each Ruby test (named like it), which passes, fails or skips as
the Ruby test did, with its message. Skipped as a whole if ruby or Dalli is missing
(Debian packages ruby and ruby-dalli). See dalli_test.rb for the opcodes Dalli sends.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

from base import ServerTestCase, server_kind   # noqa: E402
from sasl_setup import SaslServerTestCase   # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
RUBY_FILE = os.path.join(HERE, "dalli_test.rb")
RUBY_TIMEOUT = 120
RESULT_RE = re.compile(r"DALLI-RESULT (\{.*\})\s*$")

_missing = []


def dalli_missing():
    """None if ruby can load Dalli and minitest, else the reason (checked once)."""
    if not _missing:
        ruby = shutil.which("ruby")
        if not ruby:
            _missing.append("ruby not found (Debian package ruby)")
        else:
            try:
                r = subprocess.run([ruby, "-e", 'require "dalli"; require "minitest"; '
                                    'print Dalli::VERSION'],
                                   capture_output=True, text=True, timeout=60)
                ok = r.returncode == 0
                why = r.stderr.strip()[-300:]
            except (OSError, subprocess.TimeoutExpired) as e:
                ok, why = False, str(e)
            _missing.append(None if ok else
                            "ruby cannot load dalli/minitest (Debian package ruby-dalli): "
                            + why)
    return _missing[0]


def ruby_tests():
    """[(ruby_class, test_name)] in dalli_test.rb, read from its source."""
    tests, cls = [], None
    with open(RUBY_FILE) as f:
        for line in f:
            m = re.match(r"class (\w+) < Minitest::Test", line)
            if m:
                cls = m.group(1)
                continue
            m = re.match(r"\s+def (test_\w+)", line)
            if m and cls:
                tests.append((cls, m.group(1)))
    return tests


def _text(data):
    if isinstance(data, bytes):
        return data.decode("utf-8", "replace")
    return data or ""


def run_ruby(port, user=None, password=None):
    """Run dalli_test.rb; return (results {(class, name): record}, rc, output)."""
    cmd = [shutil.which("ruby") or "ruby", RUBY_FILE, str(port)]
    if user is not None:
        cmd += [user, password]
    env = dict(os.environ, T_SERVER=server_kind())
    try:
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=RUBY_TIMEOUT, env=env, cwd=HERE)
        rc, out, err = r.returncode, r.stdout, r.stderr
    except subprocess.TimeoutExpired as e:
        rc = "timeout after %ds" % RUBY_TIMEOUT
        out, err = _text(e.stdout), _text(e.stderr)
    results = {}
    for line in out.splitlines():
        m = RESULT_RE.search(line)
        if m:
            rec = json.loads(m.group(1))
            results[(rec["class"], rec["name"])] = rec
    return results, rc, out + ("\n--- stderr ---\n" + err if err.strip() else "")


class DalliMixin:
    ruby_classes = ()
    credentials = False

    @classmethod
    def setUpClass(cls):
        why = dalli_missing()
        if why:
            raise unittest.SkipTest(why)
        super().setUpClass()
        cls._ruby = None

    def ruby_results(self):
        cls = type(self)
        if cls._ruby is None:
            creds = (self.sasl_user, self.sasl_password) if self.credentials else ()
            cls._ruby = run_ruby(self.server.port, *creds)
        return cls._ruby

    def check_ruby(self, rclass, name):
        results, rc, output = self.ruby_results()
        rec = results.get((rclass, name))
        if rec is None:
            self.fail("dalli_test.rb reported no result for %s#%s (ruby exit %s)\n%s"
                      % (rclass, name, rc, output[-4000:]))
        if rec["status"] == "skip":
            self.skipTest(rec["message"].splitlines()[0])
        if rec["status"] != "pass":
            self.fail("%s#%s %s:\n%s" % (rclass, name, rec["status"], rec["message"]))

    def test_ruby_run_complete(self):
        """dalli_test.rb ran every test it has and exited as minitest does."""
        results, rc, output = self.ruby_results()
        want = set(ruby_tests())
        self.assertEqual(set(results), want, "tests without a result\n" + output[-4000:])
        failed = [k for k, r in results.items() if r["status"] in ("fail", "error")]
        self.assertEqual(rc, 1 if failed else 0, output[-4000:])


def _add_ruby_tests(cls):
    seen = set()
    for rclass, name in ruby_tests():
        if rclass not in cls.ruby_classes:
            continue
        assert name not in seen, "duplicate Ruby test name %s" % name
        seen.add(name)

        def test(self, rclass=rclass, name=name):
            self.check_ruby(rclass, name)
        test.__name__ = name
        test.__doc__ = None
        setattr(cls, name, test)
    return cls


@_add_ruby_tests
class DalliBinaryTest(DalliMixin, ServerTestCase):
    ruby_classes = ("DalliOpsTest",)


@_add_ruby_tests
class DalliSaslTest(DalliMixin, SaslServerTestCase):
    ruby_classes = ("DalliOpsTest", "DalliSaslTest")
    credentials = True


del DalliMixin


if __name__ == "__main__":
    unittest.main()
