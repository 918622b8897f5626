#!/usr/bin/python3
"""Several clients hammering the same keys at once."""

import os
import sys
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

from base import ServerTestCase, set_cmd, value_reply   # noqa: E402
from client import Conn   # noqa: E402


def run_threads(n, fn):
    errors = []
    results = [None] * n

    def wrap(i):
        try:
            results[i] = fn(i)
        except BaseException as e:   # surfaced in the main thread
            errors.append(e)
    threads = [threading.Thread(target=wrap, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    if errors:
        raise errors[0]
    return results


class ConcurrencyTest(ServerTestCase):
    server_args = ["-t", "4"]

    def test_parallel_incr_is_exact(self):
        threads, per_thread = 8, 500
        self.store(b"counter", b"0")

        def worker(_):
            with Conn(self.server.port, timeout=30) as c:
                # pipelined in batches of 50 so the threads really interleave
                for _batch in range(per_thread // 50):
                    c.send(b"incr counter 1\r\n" * 50)
                    for _ in range(50):
                        line = c.recv_line()
                        assert line[:-2].isdigit(), line
        run_threads(threads, worker)
        self.c.send(b"get counter\r\n")
        reply = self.c.read_get_reply()
        value = reply.split(b"\r\n")[1]
        self.assertEqual(int(value), threads * per_thread)

    def test_parallel_incr_decr_balance(self):
        self.store(b"bal", b"1000000")

        def worker(i):
            cmd = b"incr" if i % 2 else b"decr"
            with Conn(self.server.port, timeout=30) as c:
                c.send((cmd + b" bal 3\r\n") * 400)
                for _ in range(400):
                    c.recv_line()
        run_threads(6, worker)
        self.c.expect(b"incr bal 0\r\n", b"1000000\r\n")

    def test_cas_loop_detects_every_conflict(self):
        self.store(b"casv", b"0")
        threads, wins_each = 4, 100

        def worker(_):
            wins = conflicts = 0
            with Conn(self.server.port, timeout=30) as c:
                while wins < wins_each:
                    c.send(b"gets casv\r\n")
                    head = c.recv_line()
                    data = c.recv_line()
                    assert c.recv_line() == b"END\r\n"
                    cas = int(head.split()[4])
                    new = b"%d" % (int(data[:-2]) + 1)
                    c.send(b"cas casv 0 0 %d %d\r\n%s\r\n" % (len(new), cas, new))
                    line = c.recv_line()
                    if line == b"STORED\r\n":
                        wins += 1
                    elif line == b"EXISTS\r\n":
                        conflicts += 1
                    else:
                        raise AssertionError(line)
            return conflicts
        conflicts = run_threads(threads, worker)
        self.assert_value(b"casv", b"%d" % (threads * wins_each))
        stats = self.c.stats()
        self.assertEqual(int(stats["cas_hits"]), threads * wins_each)
        self.assertEqual(int(stats["cas_badval"]), sum(conflicts))

    def test_parallel_set_get_same_keys_values_never_torn(self):
        values = [bytes([65 + i]) * (1000 * (i + 1)) for i in range(4)]

        def writer(i):
            with Conn(self.server.port, timeout=30) as c:
                for _ in range(200):
                    c.send(set_cmd(b"shared", values[i]) + set_cmd(b"shared2", values[i]))
                    assert c.recv_line() == b"STORED\r\n"
                    assert c.recv_line() == b"STORED\r\n"

        def reader(_):
            with Conn(self.server.port, timeout=30) as c:
                for _ in range(300):
                    c.send(b"get shared shared2\r\n")
                    reply = c.read_get_reply()
                    for v in values:
                        reply = reply.replace(value_reply(b"shared", v), b"")
                        reply = reply.replace(value_reply(b"shared2", v), b"")
                    assert reply == b"END\r\n", reply[:200]

        def worker(i):
            return writer(i) if i < 4 else reader(i)
        self.store(b"shared", values[0])
        self.store(b"shared2", values[0])
        run_threads(8, worker)

    def test_parallel_append_keeps_every_piece(self):
        self.store(b"log", b"")

        def worker(i):
            with Conn(self.server.port, timeout=30) as c:
                piece = b"%d," % i
                c.send(set_cmd(b"log", piece, cmd=b"append") * 200)
                for _ in range(200):
                    assert c.recv_line() == b"STORED\r\n"
        run_threads(5, worker)
        self.c.send(b"get log\r\n")
        data = self.c.read_get_reply().split(b"\r\n")[1]
        pieces = data.split(b",")[:-1]
        self.assertEqual(len(pieces), 1000)
        for i in range(5):
            self.assertEqual(pieces.count(b"%d" % i), 200)


if __name__ == "__main__":
    unittest.main()
