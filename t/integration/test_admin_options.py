#!/usr/bin/python3
"""-F, -X and -A: flush_all, stats cachedump and shutdown switched by the command line, with
memcached 1.6.18's exact replies (checked with T_SERVER=memcached)."""

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "lib"))

from base import ServerTestCase   # noqa: E402
from server import Server   # noqa: E402

NOT_ENABLED = b"ERROR: shutdown not enabled\r\n"
INVALID_MODE = b"CLIENT_ERROR invalid shutdown mode\r\n"


class FlushAndDumpDisabledTest(ServerTestCase):
    server_args = ["-F", "-X"]
    flush_between_tests = False

    def test_flush_all_refused_but_counted(self):
        self.store(b"k", b"v")
        before = int(self.c.stats()["cmd_flush"])
        self.c.expect(b"flush_all\r\n", b"CLIENT_ERROR flush_all not allowed\r\n")
        self.c.expect(b"flush_all 10\r\n", b"CLIENT_ERROR flush_all not allowed\r\n")
        self.c.expect(b"flush_all noreply\r\n", b"")
        self.assert_value(b"k", b"v")
        self.assertEqual(int(self.c.stats()["cmd_flush"]), before + 3)

    def test_cachedump_refused(self):
        self.c.expect(b"stats cachedump 1 1\r\n", b"CLIENT_ERROR stats cachedump not allowed\r\n")

    def test_detail_is_not_a_dump_command(self):
        self.c.expect(b"stats detail on\r\n", b"OK\r\n")
        self.c.expect(b"stats detail off\r\n", b"OK\r\n")

    def test_settings_say_so(self):
        s = self.c.stats(b"settings")
        self.assertEqual((s["flush_enabled"], s["dump_enabled"], s["shutdown_command"]),
                         ("no", "no", "no"))

    def test_shutdown_without_A(self):
        for line in (b"shutdown\r\n", b"shutdown graceful\r\n", b"shutdown foo\r\n",
                     b"shutdown noreply\r\n"):
            with self.subTest(line=line):
                self.c.expect(line, NOT_ENABLED)


class ShutdownEnabledTest(unittest.TestCase):
    def wait_exit(self, srv, timeout=10.0):
        deadline = time.monotonic() + timeout
        while srv.alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        return not srv.alive()

    def test_bad_modes_then_shutdown(self):
        srv = Server(["-A"]).start()
        try:
            from client import Conn
            c = Conn(srv.port)
            c.send(b"stats settings\r\n")
            settings = dict(c.read_stats()[1])
            self.assertEqual(settings["shutdown_command"], "yes")
            for line in (b"shutdown foo\r\n", b"shutdown graceful x\r\n",
                         b"shutdown noreply\r\n"):
                c.expect(line, INVALID_MODE)
            c.send(b"shutdown\r\n")
            self.assertTrue(c.is_closed(5.0))
            self.assertEqual(c.closed_with, b"")
            self.assertTrue(self.wait_exit(srv), "server still running after shutdown")
            self.assertEqual(srv.proc.returncode, 0)
        finally:
            srv.kill()

    def test_shutdown_graceful(self):
        srv = Server(["-A"]).start()
        try:
            from client import Conn
            c = Conn(srv.port)
            c.send(b"shutdown graceful\r\n")
            self.assertTrue(c.is_closed(5.0))
            self.assertEqual(c.closed_with, b"")
            self.assertTrue(self.wait_exit(srv), "server still running after shutdown graceful")
            self.assertEqual(srv.proc.returncode, 0)
        finally:
            srv.kill()


if __name__ == "__main__":
    unittest.main()
