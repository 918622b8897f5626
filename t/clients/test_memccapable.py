#!/usr/bin/python3
"""libmemcached's conformance tool (Debian libmemcached-tools) in ASCII (-a) and binary (-b)
mode: every test must pass. memccapable flushes the server, so each run gets its own."""

import os
import re
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

from server import Server   # noqa: E402

MEMCCAPABLE = shutil.which("memccapable") or "/usr/bin/memccapable"
RESULT = re.compile(r"^((?:ascii|binary) \S.*?)\s+\[(\w+)\]\s*$")
EXPECTED_BINARY = ["noop", "quit", "quitq", "set", "setq", "flush", "flushq", "add", "addq",
                   "replace", "replaceq", "delete", "deleteq", "get", "getq", "getk", "getkq",
                   "incr", "incrq", "decr", "decrq", "version", "append", "appendq", "prepend",
                   "prependq", "stat"]
EXPECTED_ASCII = ["version", "quit", "verbosity", "set", "set noreply", "get", "gets", "mget",
            "flush", "flush noreply", "add", "add noreply", "replace", "replace noreply",
            "cas", "cas noreply", "delete", "delete noreply", "incr", "incr noreply", "decr",
            "decr noreply", "append", "append noreply", "prepend", "prepend noreply", "stat"]


@unittest.skipUnless(os.path.exists(MEMCCAPABLE), "memccapable not installed")
class MemccapableTest(unittest.TestCase):
    def run_memccapable(self, mode, expected):
        with Server([]) as srv:
            proc = subprocess.run([MEMCCAPABLE, mode, "-h", "127.0.0.1", "-p", str(srv.port)],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  timeout=90)
            out = proc.stdout.decode("utf-8", "replace")
            self.assertTrue(srv.alive(), "server died under memccapable\n" + out)
        results = {}
        for line in out.splitlines():
            m = RESULT.match(line)
            if m:
                results[m.group(1).split(" ", 1)[1]] = m.group(2)
        failed = {k: v for k, v in results.items() if v != "pass"}
        self.assertEqual(failed, {}, out)
        self.assertEqual(sorted(results), sorted(expected), out)
        self.assertIn("All tests passed", out)
        self.assertEqual(proc.returncode, 0, out)

    def test_ascii_conformance(self):
        self.run_memccapable("-a", EXPECTED_ASCII)

    def test_binary_conformance(self):
        self.run_memccapable("-b", EXPECTED_BINARY)


if __name__ == "__main__":
    unittest.main()
