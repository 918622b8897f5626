#!/usr/bin/python3
"""memjs 1.3.2 (npm, on the machine's Node 20): a BINARY-protocol Node.js client, without
and with SASL PLAIN. The tests are in memjs/memjs_test.js; this module starts the server,
runs `node t/clients/memjs/memjs_test.js PORT [USER PASSWORD]` once per class and makes one
Python test of each JavaScript test (named like it), which passes, fails or skips as that
test did, with its message. memjs lives in t/clients/memjs/node_modules, installed from
package-lock.json by scripts/install-client-deps.sh; without it (or without node) the
classes are skipped. See memjs_test.js for what memjs sends and its quirks.
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
JS_DIR = os.path.join(HERE, "memjs")
JS_FILE = os.path.join(JS_DIR, "memjs_test.js")
NODE_TIMEOUT = 120
RESULT_RE = re.compile(r"^MEMJS-RESULT (\{.*\})\s*$")


def memjs_missing():
    """None if node and memjs are there, else the reason."""
    if not shutil.which("node"):
        return "node not found (Debian package nodejs)"
    if not os.path.isfile(os.path.join(JS_DIR, "node_modules", "memjs", "package.json")):
        return ("memjs not installed in t/clients/memjs/node_modules: "
                "run scripts/install-client-deps.sh")
    return None


def js_tests():
    """[(group, test_name)] in memjs_test.js, read from its source."""
    with open(JS_FILE) as f:
        return re.findall(r"^test\('(\w+)', '(\w+)'", f.read(), re.M)


def _text(data):
    if isinstance(data, bytes):
        return data.decode("utf-8", "replace")
    return data or ""


def run_node(port, user=None, password=None):
    """Run memjs_test.js; return (results {(group, name): record}, rc, output)."""
    cmd = [shutil.which("node") or "node", JS_FILE, str(port)]
    if user is not None:
        cmd += [user, password]
    env = dict(os.environ, T_SERVER=server_kind())
    try:
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=NODE_TIMEOUT, env=env, cwd=JS_DIR)
        rc, out, err = r.returncode, r.stdout, r.stderr
    except subprocess.TimeoutExpired as e:
        rc = "timeout after %ds" % NODE_TIMEOUT
        out, err = _text(e.stdout), _text(e.stderr)
    results = {}
    for line in out.splitlines():
        m = RESULT_RE.match(line)
        if m:
            rec = json.loads(m.group(1))
            results[(rec["group"], rec["name"])] = rec
    return results, rc, out + ("\n--- stderr ---\n" + err if err.strip() else "")


class MemjsMixin:
    js_groups = ()
    credentials = False

    @classmethod
    def setUpClass(cls):
        why = memjs_missing()
        if why:
            raise unittest.SkipTest(why)
        super().setUpClass()
        cls._node = None

    def node_results(self):
        cls = type(self)
        if cls._node is None:
            creds = (self.sasl_user, self.sasl_password) if self.credentials else ()
            cls._node = run_node(self.server.port, *creds)
        return cls._node

    def check_js(self, group, name):
        results, rc, output = self.node_results()
        rec = results.get((group, name))
        if rec is None:
            self.fail("memjs_test.js reported no result for %s (node exit %s)\n%s"
                      % (name, rc, output[-4000:]))
        if rec["status"] == "skip":
            self.skipTest(rec["message"])
        if rec["status"] != "pass":
            self.fail("%s %s:\n%s" % (name, rec["status"], rec["message"]))

    def test_js_run_complete(self):
        """memjs_test.js ran every test it has and exited 0 exactly when none failed."""
        results, rc, output = self.node_results()
        self.assertEqual(set(results), set(js_tests()),
                         "tests without a result\n" + output[-4000:])
        failed = [k for k, r in results.items() if r["status"] == "fail"]
        self.assertEqual(rc, 1 if failed else 0, output[-4000:])


def _add_js_tests(cls):
    for group, name in js_tests():
        if group not in cls.js_groups:
            continue
        assert not hasattr(cls, name), "duplicate JavaScript test name %s" % name

        def test(self, group=group, name=name):
            self.check_js(group, name)
        test.__name__ = name
        setattr(cls, name, test)
    return cls


@_add_js_tests
class MemjsBinaryTest(MemjsMixin, ServerTestCase):
    js_groups = ("ops",)


@_add_js_tests
class MemjsSaslTest(MemjsMixin, SaslServerTestCase):
    js_groups = ("ops", "sasl")
    credentials = True


del MemjsMixin


if __name__ == "__main__":
    unittest.main()
