#!/usr/bin/python3
"""The same scripts, delivered in one piece, one byte at a time and at random split points,
must give identical replies; pipelined input gives replies in order."""

import os
import random
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

from base import ServerTestCase, set_cmd, value_reply   # noqa: E402

# {p} is replaced by a per-run key prefix of constant length, so runs do not interfere.
SCRIPTS = {
    "storage": b"set {p}a 1 0 3\r\nabc\r\nadd {p}a 0 0 1\r\nx\r\nadd {p}b 2 0 2\r\nbb\r\n"
               b"replace {p}b 3 0 2\r\nBB\r\nappend {p}a 0 0 2\r\nde\r\n"
               b"prepend {p}a 0 0 2\r\n01\r\nget {p}a {p}b {p}c\r\n",
    "noreply": b"set {p}a 0 0 1 noreply\r\n1\r\nincr {p}a 41 noreply\r\nget {p}a\r\n"
               b"delete {p}a noreply\r\nget {p}a\r\n",
    "arith": b"set {p}n 0 0 2\r\n10\r\nincr {p}n 5\r\ndecr {p}n 100\r\nincr {p}x 1\r\n"
             b"incr {p}n abc\r\ndelete {p}n\r\ndelete {p}n\r\n",
    "errors": b"bogus\r\n\r\nset {p}k 0 0 -1\r\nset {p}k 0 0 3\r\nabcde\r\n"
              b"set {p}k 0 0 2\r\nok\r\nget {p}k\r\ntouch {p}k 10\r\ntouch {p}q 10\r\n",
    "binary": b"set {p}z 0 0 6\r\n\r\n\x00\r\n\xff\r\nget {p}z\r\nget {p}z {p}z\r\n",
    "bare-lf": b"set {p}l 0 0 1\nx\r\nget {p}l\nget {p}l {p}l\n",
    "gat": b"set {p}g 0 100 1\r\ng\r\ngat 0 {p}g\r\ntouch {p}g 50\r\nget {p}g\r\n",
}

PREFIX_LEN = 8


class SplitTest(ServerTestCase):
    flush_between_tests = False
    runs = 0

    def prefix(self):
        type(self).runs += 1
        return b"%07d_" % type(self).runs

    def reference(self, template):
        c = self.connect()
        p = self.prefix()
        return c.transact(template.replace(b"{p}", p)).replace(p, b"{p}")

    def check(self, name, template, sizes_fn):
        want = self.reference(template)
        c = self.connect()
        p = self.prefix()
        script = template.replace(b"{p}", p)
        c.send_split(script, sizes_fn(len(script)))
        got = c.transact(b"").replace(p, b"{p}")
        self.assertEqual(got, want, "%s split %s" % (name, sizes_fn(len(script))[:20]))

    def test_one_byte_at_a_time(self):
        for name, template in SCRIPTS.items():
            with self.subTest(name):
                self.check(name, template, lambda n: [1] * (n + 9))

    def test_random_splits(self):
        rng = random.Random(20260918)
        for name, template in SCRIPTS.items():
            for _ in range(15):
                def sizes(n, rng=rng):
                    out, left = [], n + 9
                    while left > 0:
                        k = rng.randint(1, 12)
                        out.append(k)
                        left -= k
                    return out
                with self.subTest(name):
                    self.check(name, template, sizes)

    def test_every_split_point(self):
        template = SCRIPTS["storage"]
        for cut in range(1, len(template) + 8):
            with self.subTest(cut=cut):
                self.check("storage", template, lambda n, cut=cut: [cut])

    def test_split_large_value(self):
        value = bytes(range(256)) * 400
        c = self.connect()
        script = set_cmd(b"bigsplit", value) + b"get bigsplit\r\n"
        c.send_split(script, [7, 100, 1, 5000, 3, 30000, 2, 2, 2])
        c.expect(b"", b"STORED\r\n" + value_reply(b"bigsplit", value) + b"END\r\n")


class PipelineTest(ServerTestCase):
    def test_many_commands_in_one_send(self):
        script = b""
        want = b""
        for i in range(2000):
            k = b"p%d" % i
            script += set_cmd(k, b"v%d" % i) + b"get " + k + b"\r\nincr " + k + b" 1\r\n"
            want += b"STORED\r\n" + value_reply(k, b"v%d" % i) + b"END\r\n"
            want += b"CLIENT_ERROR cannot increment or decrement non-numeric value\r\n"
        script += b"delete p0\r\ndelete p0\r\n"
        want += b"DELETED\r\nNOT_FOUND\r\n"
        self.c.expect(script, want, timeout=20)

    def test_pipelined_gets_of_large_value(self):
        value = b"L" * 200000
        self.store(b"large", value)
        self.c.send(b"get large\r\n" * 50)
        for _ in range(50):
            self.assertEqual(self.c.read_get_reply(timeout=20),
                             value_reply(b"large", value) + b"END\r\n")
        self.c.sync()


if __name__ == "__main__":
    unittest.main()
