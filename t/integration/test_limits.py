#!/usr/bin/python3
"""Memory limits, slow readers and connection-level robustness (fresh servers with flags)."""

import os
import socket
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

from base import ServerTestCase, set_cmd, value_reply   # noqa: E402
from client import Conn   # noqa: E402
from server import Server, is_slabd   # noqa: E402

OOM = b"SERVER_ERROR out of memory storing object\r\n"


class OutOfMemoryTest(ServerTestCase):
    """-M: no evictions; storing past the limit is an error and stored data stays intact."""
    server_args = ["-m", "8", "-M"]

    def test_fill_until_out_of_memory(self):
        value = b"m" * 100000
        stored = []
        for i in range(400):      # 40 MB of attempts against an 8 MB cache
            key = b"oom%d" % i
            self.c.send(set_cmd(key, value))
            line = self.c.recv_line()
            if line == OOM:
                break
            self.assertEqual(line, b"STORED\r\n")
            stored.append(key)
        else:
            self.fail("never got %r" % OOM)
        self.assertGreater(len(stored), 10)
        self.c.sync()
        # nothing was evicted; the connection and the server keep working
        for key in (stored[0], stored[len(stored) // 2], stored[-1]):
            self.assert_value(key, value)
        self.c.expect(set_cmd(b"more", value), OOM)
        self.c.expect(set_cmd(b"more", value, noreply=True), b"")
        self.c.expect(b"get more\r\n", b"END\r\n")
        stats = self.c.stats()
        self.assertEqual(stats["evictions"], "0")
        self.assertGreaterEqual(int(stats["store_no_memory"]), 2)
        fresh = self.connect()
        self.assert_value(stored[1], value, conn=fresh)


class EvictionTest(ServerTestCase):
    """Without -M the cache evicts instead of failing."""
    server_args = ["-m", "8"]

    def test_fill_evicts(self):
        value = b"e" * 100000
        script = b"".join(set_cmd(b"ev%d" % i, value, noreply=True) for i in range(300))
        self.c.send(script)
        self.c.sync(timeout=30)
        self.store(b"last", b"x")
        self.assert_value(b"last", b"x")
        stats = self.c.stats()
        self.assertGreater(int(stats["evictions"]), 0)
        self.assertLessEqual(int(stats["bytes"]), 8 * 1024 * 1024)
        self.assert_value(b"ev299", value)


class ItemSizeMaxTest(ServerTestCase):
    server_args = ["-I", "2m", "-m", "64"]

    def test_larger_item_size(self):
        value = bytes(range(256)) * 6000           # 1.5 MB
        self.store(b"big", value)
        self.c.send(b"get big\r\n")
        self.assertEqual(self.c.read_get_reply(timeout=10),
                         value_reply(b"big", value) + b"END\r\n")
        self.c.sync()
        huge = 3 * 1024 * 1024
        self.c.expect(b"set huge 0 0 %d\r\n" % huge + b"h" * huge + b"\r\n",
                      b"SERVER_ERROR object too large for cache\r\n")


class SlowReaderTest(ServerTestCase):
    """A client that pipelines gets of a large value and never reads must not make the
    server buffer without bound, and must not starve other clients."""
    server_args = ["-m", "64"]

    def test_client_that_never_reads(self):
        value = b"r" * 100000
        self.store(b"big", value)
        self.store(b"small", b"s")
        rss_before = self.server.rss_kb()
        slow = socket.create_connection(("127.0.0.1", self.server.port))
        slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        slow.setblocking(False)
        request = b"get big\r\n" * 1000
        sent = 0
        deadline = time.monotonic() + 12
        peak = rss_before
        # ~1.1 GB of replies requested (11,000 x 100 KB) unless the socket backs up first
        while sent < 11 and time.monotonic() < deadline:
            try:
                slow.send(request)     # partial sends are fine: this is pressure, not framing
                sent += 1
            except BlockingIOError:
                time.sleep(0.05)
            peak = max(peak, self.server.rss_kb())
            # meanwhile another client is served promptly
            self.assert_value(b"small", b"s")
        time.sleep(1.0)
        peak = max(peak, self.server.rss_kb())
        self.assertLess(peak, 200 * 1024, "RSS grew to %d KiB" % peak)
        other = self.connect(timeout=5)
        self.assert_value(b"big", value, conn=other)
        slow.close()
        time.sleep(0.2)
        self.assertTrue(self.server.alive())
        self.assert_value(b"small", b"s", conn=self.connect())


    def test_one_huge_multiget_to_a_client_that_never_reads(self):
        """One `get` line naming a 4000-byte value 60,000 times asks for 240 MB of
        replies; the server answers it in slices as the client reads, so its memory
        stays bounded while the client does not read at all."""
        value = b"m" * 4000
        self.store(b"m", value)
        rss_before = self.server.rss_kb()
        slow = socket.create_connection(("127.0.0.1", self.server.port))
        slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        slow.sendall(b"get " + b" ".join([b"m"] * 60000) + b"\r\n")
        peak = rss_before
        for _ in range(10):
            time.sleep(0.1)
            peak = max(peak, self.server.rss_kb())
        self.assertLess(peak - rss_before, 64 * 1024, "RSS grew by %d KiB" % (peak - rss_before))
        self.assert_value(b"m", value, conn=self.connect())
        # the suspended multiget resumes as the client reads (slowly: a 4 KB window)
        slow.settimeout(10)
        got = 0
        while got < 64 * 1024:
            chunk = slow.recv(1 << 20)
            self.assertTrue(chunk)
            got += len(chunk)
        slow.close()
        self.assertTrue(self.server.alive())


class ManyConnectionsTest(ServerTestCase):
    def test_hundreds_of_connections(self):
        conns = [self.connect() for _ in range(300)]
        for i, c in enumerate(conns):
            c.send(set_cmd(b"c%d" % i, b"v%d" % i))
        for c in conns:
            self.assertEqual(c.recv_line(), b"STORED\r\n")
        for i, c in enumerate(conns):
            self.assert_value(b"c%d" % i, b"v%d" % i, conn=c)
        for c in conns:
            c.close()
        self.assert_value(b"c7", b"v7", conn=self.connect())

    def test_connect_and_drop_storm(self):
        for _ in range(200):
            s = socket.create_connection(("127.0.0.1", self.server.port))
            s.send(b"get x")
            s.close()
        self.c.expect(b"get x\r\n", b"END\r\n")


if __name__ == "__main__":
    unittest.main()


class FdStarvedServer(Server):
    """slabd as an unprivileged user under a 40-descriptor limit it cannot raise."""

    def command(self, port):
        return (["prlimit", "--nofile=40:40", "setpriv", "--reuid=65534", "--regid=65534",
                 "--clear-groups"] + super().command(port))


@unittest.skipUnless(os.geteuid() == 0 and is_slabd(), "needs root to drop to nobody (slabd)")
class OutOfDescriptorsTest(unittest.TestCase):
    """accept() failing with EMFILE pauses accepting (no busy loop), counts
    listen_disabled_num, keeps serving the connections it has, and accepts again once
    descriptors are free."""

    def stat(self, conn, name):
        conn.send(b"stats\r\n")
        return dict(conn.read_stats()[1])[name]

    def test_accept_pauses_and_resumes(self):
        with FdStarvedServer() as srv:
            first = Conn(srv.port)
            first.expect(b"version\r\n", b"VERSION 1.6.18\r\n")
            flood = [socket.create_connection(("127.0.0.1", srv.port)) for _ in range(60)]
            time.sleep(0.5)
            first.expect(b"set k 0 0 1\r\nv\r\n", b"STORED\r\n")
            self.assertEqual(self.stat(first, "accepting_conns"), "0")
            self.assertGreater(int(self.stat(first, "listen_disabled_num")), 0)
            def cpu_ticks():
                return sum(int(x) for x in open("/proc/%d/stat" % srv.pid()).read().split()[13:15])
            before = cpu_ticks()
            time.sleep(1.0)    # 60 clients still waiting in the backlog
            spent = cpu_ticks() - before
            self.assertLess(spent, 20, "accept loop spun: %d ticks of CPU in 1 s" % spent)
            for s in flood:
                s.close()
            deadline = time.monotonic() + 10
            while self.stat(first, "accepting_conns") != "1" and time.monotonic() < deadline:
                time.sleep(0.1)
            with Conn(srv.port) as fresh:
                fresh.expect(b"get k\r\n", b"VALUE k 0 1\r\nv\r\nEND\r\n")
            first.close()

