#!/usr/bin/python3
"""The hot-path rules, checked with strace on the running server.

All replies produced from one read leave in one writev, and a request costs no extra
syscall: no second read that would only return EAGAIN, no epoll_ctl per request.
A pipelined batch that arrives in one segment must therefore cost exactly one read
and one writev on the worker thread."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

from base import ServerTestCase   # noqa: E402
from binproto import Op, req, resp, u32   # noqa: E402
from server import is_slabd   # noqa: E402

TRACED = "read,readv,recvfrom,recvmsg,write,writev,sendmsg,sendto,epoll_ctl"


@unittest.skipUnless(shutil.which("strace") and is_slabd(), "needs strace; slabd only "
                     "(memcached 1.6.18 sends one sendmsg per pipelined get)")
class HotPathSyscallTest(ServerTestCase):
    # -R above the batch sizes: with the default 20 a 100-request batch yields (as in
    # memcached) and its replies leave in five writevs, one per turn.
    server_args = ["-t", "1", "-R", "1000"]

    def wait_until_traced(self, timeout=10.0):
        """strace has attached once every thread of the server names a tracer."""
        tasks = "/proc/%d/task" % self.server.pid()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            tracers = []
            for tid in os.listdir(tasks):
                with open(os.path.join(tasks, tid, "status")) as f:
                    tracers += [line.split()[1] for line in f if line.startswith("TracerPid:")]
            if tracers and all(t != "0" for t in tracers):
                time.sleep(0.1)
                return
            time.sleep(0.05)
        self.skipTest("strace did not attach (ptrace not permitted here?)")

    def traced(self, batch, expected_reply, warmup=b"version\r\n"):
        """Sends `batch` in one write on a warmed-up connection; returns the syscall
        names the server made while answering it, and checks the reply bytes."""
        s = socket.create_connection(("127.0.0.1", self.server.port))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.sendall(warmup)   # also fixes the connection's protocol
        s.recv(100)
        st = subprocess.Popen(["strace", "-f", "-qq", "-e", "trace=" + TRACED, "-p",
                               str(self.server.pid())], stderr=subprocess.PIPE)
        try:
            self.wait_until_traced()
            s.sendall(batch)
            got = b""
            s.settimeout(10)
            while len(got) < len(expected_reply):
                chunk = s.recv(1 << 20)
                self.assertTrue(chunk)
                got += chunk
            time.sleep(0.3)
        finally:
            st.send_signal(signal.SIGINT)
            err = st.communicate(timeout=10)[1].decode(errors="replace")
            s.close()
        self.assertEqual(got, expected_reply)
        if "Operation not permitted" in err:
            self.skipTest("ptrace not permitted here")
        return re.findall(r"(?:^|\] )(\w+)\(", err, re.M)

    def test_pipelined_gets_cost_one_read_and_one_writev(self):
        self.store(b"key:0000000001", b"hello")
        calls = self.traced(b"get key:0000000001\r\n" * 100,
                            b"VALUE key:0000000001 0 5\r\nhello\r\nEND\r\n" * 100)
        self.assertEqual(calls.count("writev") + calls.count("write")
                         + calls.count("sendmsg"), 1, calls)
        self.assertEqual(calls.count("read") + calls.count("recvfrom")
                         + calls.count("readv"), 1, calls)
        self.assertEqual(calls.count("epoll_ctl"), 0, calls)

    def test_pipelined_sets_and_a_multiget_cost_one_read_and_one_writev(self):
        batch = b"".join(b"set k%d 0 0 3\r\nv%02d\r\n" % (i, i) for i in range(50))
        batch += b"get " + b" ".join(b"k%d" % i for i in range(50)) + b"\r\n"
        reply = b"STORED\r\n" * 50 + b"".join(
            b"VALUE k%d 0 3\r\nv%02d\r\n" % (i, i) for i in range(50)) + b"END\r\n"
        calls = self.traced(batch, reply)
        self.assertEqual(calls.count("writev"), 1, calls)
        self.assertEqual(calls.count("read"), 1, calls)
        self.assertEqual(calls.count("epoll_ctl"), 0, calls)

    def test_binary_multiget_costs_one_read_and_one_writev(self):
        """GETKQ x 50 + NOOP, as pylibmc, Dalli and memjs send a multiget."""
        keys = [b"bk%d" % i for i in range(50)]
        for i, k in enumerate(keys):
            self.store(k, b"v%02d" % i, flags=i)
        cas = [self.gets_cas(k) for k in keys]
        batch = b"".join(req(Op.GETKQ, k, opaque=i) for i, k in enumerate(keys))
        batch += req(Op.GETKQ, b"missing", opaque=99) + req(Op.NOOP, opaque=100)
        reply = b"".join(resp(Op.GETKQ, key=k, extras=u32(i), value=b"v%02d" % i, opaque=i,
                              cas=cas[i]) for i, k in enumerate(keys))
        reply += resp(Op.NOOP, opaque=100)
        calls = self.traced(batch, reply, warmup=req(Op.VERSION))
        self.assertEqual(calls.count("writev"), 1, calls)
        self.assertEqual(calls.count("read"), 1, calls)
        self.assertEqual(calls.count("epoll_ctl"), 0, calls)


if __name__ == "__main__":
    unittest.main()
