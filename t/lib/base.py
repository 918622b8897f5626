#!/usr/bin/python3
"""unittest base class: one server per TestCase class, raw-byte helpers per test.

    class GetTest(ServerTestCase):
        server_args = ["-m", "16"]           # optional extra options
        def test_miss(self):
            self.c.expect(b"get nope\\r\\n", b"END\\r\\n")

Each test gets a fresh connection `self.c`; the server is shared by the class and is
flushed before every test (flush_all, unless flush_between_tests = False). If a test
makes the server die, that test fails (tearDown checks the process) and the server is
restarted for the remaining tests of the class; tearDownClass stops it and fails if it
did not exit cleanly.

Deliberate differences between slabd and memcached 1.6.18 are asserted with
`self.variant(memcached=..., slabd=...)`, so the same test checks memcached's bytes under
T_SERVER=memcached and slabd's bytes otherwise.
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from client import Conn, set_cmd, value_reply   # noqa: E402,F401
from server import Server, is_memcached, is_slabd, server_kind   # noqa: E402,F401


class ServerTestCase(unittest.TestCase):
    server_args = []
    flush_between_tests = True

    @classmethod
    def setUpClass(cls):
        cls.server = Server(cls.server_args).start()
        cls.crashes = []

    @classmethod
    def tearDownClass(cls):
        srv = cls.server
        cls.server = None
        if srv is not None:
            srv.stop(check=not cls.crashes)

    def setUp(self):
        if not self.server.alive():
            # A previous test crashed it (already reported); give the rest a server.
            type(self).server = Server(self.server_args).start()
        self._conns = []
        self.c = self.connect()
        if self.flush_between_tests:
            self.c.expect(b"flush_all\r\n", b"OK\r\n")

    def tearDown(self):
        for c in self._conns:
            c.close()
        if not self.server.alive():
            rc = self.server.proc.returncode
            type(self).crashes.append(self.id())
            log = self.server.log()
            self.fail("server died during %s (rc=%s)\n%s" % (self.id(), rc, log))

    # ---- helpers ---------------------------------------------------------------------

    def connect(self, timeout=5.0):
        c = Conn(self.server.port, timeout=timeout)
        self._conns.append(c)
        return c

    @staticmethod
    def variant(memcached, slabd):
        return memcached if is_memcached() else slabd

    def store(self, key, value, flags=0, exptime=0, conn=None):
        (conn or self.c).expect(set_cmd(key, value, flags, exptime), b"STORED\r\n")

    def assert_value(self, key, value, flags=0, conn=None):
        if isinstance(key, str):
            key = key.encode()
        (conn or self.c).expect(b"get " + key + b"\r\n",
                                value_reply(key, value, flags) + b"END\r\n")

    def assert_miss(self, key, conn=None):
        if isinstance(key, str):
            key = key.encode()
        (conn or self.c).expect(b"get " + key + b"\r\n", b"END\r\n")

    def assert_healthy(self, key=b"sentinel", value=b"intact-value", flags=7):
        """The server is up, a fresh connection works and the stored sentinel is intact."""
        self.assertTrue(self.server.alive(), "server died")
        fresh = self.connect()
        self.assert_value(key, value, flags, conn=fresh)
        fresh.close()

    def plant_sentinel(self, key=b"sentinel", value=b"intact-value", flags=7):
        self.store(key, value, flags)

    def gets_cas(self, key, conn=None):
        conn = conn or self.c
        if isinstance(key, str):
            key = key.encode()
        conn.send(b"gets " + key + b"\r\n")
        reply = conn.read_get_reply()
        first = reply.split(b"\r\n", 1)[0]
        self.assertTrue(first.startswith(b"VALUE "), reply)
        return int(first.split()[4])
