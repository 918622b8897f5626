#!/usr/bin/python3
"""Expiry and delayed flush (these tests sleep a few seconds; kept short)."""

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

from base import ServerTestCase, set_cmd, value_reply   # noqa: E402


class ExpiryTest(ServerTestCase):
    def test_negative_exptime_is_expired_immediately(self):
        self.c.expect(b"set e 0 -1 1\r\nx\r\n", b"STORED\r\n")
        self.assert_miss(b"e")
        self.c.expect(b"add e 0 0 1\r\ny\r\n", b"STORED\r\n")
        self.assert_value(b"e", b"y")

    def test_absolute_exptime(self):
        now = int(time.time())
        self.c.expect(set_cmd(b"past", b"p", exptime=now - 100), b"STORED\r\n")
        self.assert_miss(b"past")
        self.c.expect(set_cmd(b"old", b"o", exptime=1000000000), b"STORED\r\n")
        self.assert_miss(b"old")
        self.c.expect(set_cmd(b"future", b"f", exptime=now + 3600), b"STORED\r\n")
        self.assert_value(b"future", b"f")

    def test_relative_boundary_30_days(self):
        self.c.expect(set_cmd(b"rel", b"r", exptime=2592000), b"STORED\r\n")
        self.assert_value(b"rel", b"r")
        # one second more is an absolute time in 1970: expired
        self.c.expect(set_cmd(b"abs", b"a", exptime=2592001), b"STORED\r\n")
        self.assert_miss(b"abs")

    def test_ttl_touch_gat_and_flush_delay(self):
        """One test so the sleeps overlap: TTL 2 expires, touch extends, gat extends,
        flush_all 3 takes effect later (including for items stored after it)."""
        c = self.c
        c.expect(set_cmd(b"ttl", b"1", exptime=2), b"STORED\r\n")
        c.expect(set_cmd(b"touched", b"2", exptime=2), b"STORED\r\n")
        c.expect(set_cmd(b"gatted", b"3", exptime=2), b"STORED\r\n")
        c.expect(set_cmd(b"forever", b"4"), b"STORED\r\n")
        c.expect(b"touch touched 100\r\n", b"TOUCHED\r\n")
        c.expect(b"gat 100 gatted\r\n", value_reply(b"gatted", b"3") + b"END\r\n")
        self.assert_value(b"ttl", b"1")
        time.sleep(3.2)
        self.assert_miss(b"ttl")
        self.assert_value(b"touched", b"2")
        self.assert_value(b"gatted", b"3")
        self.assert_value(b"forever", b"4")
        c.expect(set_cmd(b"ttl", b"again", exptime=100), b"STORED\r\n")
        self.assert_value(b"ttl", b"again")

        c.expect(b"flush_all 3\r\n", b"OK\r\n")
        c.expect(set_cmd(b"after", b"5"), b"STORED\r\n")
        self.assert_value(b"forever", b"4")
        self.assert_value(b"after", b"5")
        time.sleep(4.2)
        c.expect(b"get forever after touched ttl\r\n", b"END\r\n")
        c.expect(set_cmd(b"new", b"6"), b"STORED\r\n")
        self.assert_value(b"new", b"6")

    def test_expired_item_counts(self):
        c = self.c
        c.expect(b"stats reset\r\n", b"RESET\r\n")
        c.expect(b"set e 0 -1 1\r\nx\r\n", b"STORED\r\n")
        self.assert_miss(b"e")
        stats = c.stats()
        self.assertEqual(stats["get_misses"], "1")
        self.assertEqual(stats["get_hits"], "0")


if __name__ == "__main__":
    unittest.main()
