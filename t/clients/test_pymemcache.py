#!/usr/bin/python3
"""pymemcache 3.5.2 (python3-pymemcache): every operation of pymemcache.client.base.Client,
with default_noreply True and False. Run by /usr/bin/python3 (Debian's Python)."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

from base import ServerTestCase   # noqa: E402

try:
    from pymemcache.client.base import Client
    from pymemcache.exceptions import MemcacheClientError, MemcacheServerError
    HAVE_PYMEMCACHE = True
except ImportError:     # run with /usr/bin/python3 to get Debian's python3-pymemcache
    HAVE_PYMEMCACHE = False

BINARY = bytes(range(256)) + b"\r\nEND\r\n\x00" * 3


@unittest.skipUnless(HAVE_PYMEMCACHE, "pymemcache not importable (use /usr/bin/python3)")
class PymemcacheMixin:
    noreply = None

    def setUp(self):
        super().setUp()
        self.mc = Client(("127.0.0.1", self.server.port), default_noreply=self.noreply,
                         connect_timeout=5, timeout=10)

    def tearDown(self):
        try:
            self.mc.close()
        finally:
            super().tearDown()

    def test_set_get(self):
        self.assertTrue(self.mc.set("k", b"v"))
        self.assertEqual(self.mc.get("k"), b"v")
        self.assertIsNone(self.mc.get("missing"))
        self.assertEqual(self.mc.get("missing", default=b"d"), b"d")

    def test_binary_safe_values(self):
        self.mc.set("bin", BINARY)
        self.assertEqual(self.mc.get("bin"), BINARY)
        big = os.urandom(500000)
        self.mc.set("big", big)
        self.assertEqual(self.mc.get("big"), big)
        self.mc.set("empty", b"")
        self.assertEqual(self.mc.get("empty"), b"")

    def test_flags_roundtrip(self):
        self.mc.set("f", b"x", flags=12345)
        # A noreply set is only known to be done once a later reply on the same
        # connection arrived; the raw check below uses another connection.
        self.mc.version()
        self.assert_value(b"f", b"x", flags=12345)

    def test_set_many_get_many(self):
        data = {"key:%010d" % i: b"value-%d" % i for i in range(2000)}
        self.assertEqual(self.mc.set_many(data), [])
        got = self.mc.get_many(list(data) + ["absent1", "absent2"])
        # (no assertEqual on the big dicts: difflib on 2000 entries is very slow)
        self.assertTrue(got == data, "get_many mismatch: %d keys back, %d differ"
                        % (len(got), sum(1 for k in data if got.get(k) != data[k])))
        self.assertEqual(self.mc.get_multi(["key:0000000001"]),
                         {"key:0000000001": b"value-1"})

    def test_gets_cas(self):
        self.mc.set("c", b"1")
        value, cas = self.mc.gets("c")
        self.assertEqual(value, b"1")
        self.assertTrue(self.mc.cas("c", b"2", cas, noreply=False))
        self.assertFalse(self.mc.cas("c", b"3", cas, noreply=False))       # EXISTS
        self.assertIsNone(self.mc.cas("nope", b"3", cas, noreply=False))   # NOT_FOUND
        self.assertEqual(self.mc.get("c"), b"2")
        self.assertEqual(self.mc.gets("nope"), (None, None))
        self.mc.set("d", b"4")
        many = self.mc.gets_many(["c", "d", "nope"])
        self.assertEqual(sorted(many), ["c", "d"])
        self.assertEqual(many["d"][0], b"4")
        # cas with the default noreply setting still stores
        value, cas = self.mc.gets("d")
        self.mc.cas("d", b"5", cas)
        self.assertEqual(self.mc.get("d"), b"5")

    def test_add_replace_append_prepend(self):
        self.mc.add("a", b"1")
        self.assertEqual(self.mc.add("a", b"2", noreply=False), False)
        self.assertEqual(self.mc.get("a"), b"1")
        self.assertEqual(self.mc.replace("nope", b"x", noreply=False), False)
        self.mc.replace("a", b"R")
        self.mc.append("a", b">")
        self.mc.prepend("a", b"<")
        self.assertEqual(self.mc.get("a"), b"<R>")
        self.assertEqual(self.mc.append("nope", b"x", noreply=False), False)
        self.assertIsNone(self.mc.get("nope"))

    def test_delete(self):
        self.mc.set("d", b"1")
        self.assertTrue(self.mc.delete("d"))
        self.assertFalse(self.mc.delete("d", noreply=False))
        self.assertIsNone(self.mc.get("d"))
        self.mc.set_many({"d1": b"1", "d2": b"2"})
        self.assertTrue(self.mc.delete_many(["d1", "d2", "d3"]))
        self.assertEqual(self.mc.get_many(["d1", "d2"]), {})

    def test_incr_decr(self):
        self.mc.set("n", b"10")
        self.assertEqual(self.mc.incr("n", 5, noreply=False), 15)
        self.assertEqual(self.mc.decr("n", 20, noreply=False), 0)
        self.assertIsNone(self.mc.incr("nope", 1, noreply=False))
        self.mc.incr("n", 7)
        self.assertEqual(int(self.mc.get("n")), 7)
        self.mc.set("big", b"18446744073709551615")
        self.assertEqual(self.mc.incr("big", 1, noreply=False), 0)
        self.mc.set("s", b"x")
        with self.assertRaises(MemcacheClientError):
            self.mc.incr("s", 1, noreply=False)

    def test_touch(self):
        self.mc.set("t", b"1")
        self.assertTrue(self.mc.touch("t", 100, noreply=False))
        self.assertFalse(self.mc.touch("nope", 100, noreply=False))
        self.mc.touch("t", -1)
        self.assertIsNone(self.mc.get("t"))

    def test_expire_negative(self):
        self.mc.set("e", b"1", expire=-1)
        self.assertIsNone(self.mc.get("e"))

    def test_stats_version(self):
        stats = self.mc.stats()
        self.assertIn(b"cmd_get", stats)
        self.assertEqual(stats[b"version"], b"1.6.18")
        settings = self.mc.stats("settings")
        self.assertEqual(settings[b"item_size_max"], 1048576)
        self.assertIsInstance(self.mc.stats("items"), dict)
        self.assertIsInstance(self.mc.stats("slabs"), dict)
        self.assertEqual(self.mc.version(), b"1.6.18")

    def test_flush_all(self):
        self.mc.set("x", b"1")
        self.assertTrue(self.mc.flush_all(noreply=False))
        self.assertIsNone(self.mc.get("x"))
        self.mc.set("x", b"1")
        self.mc.flush_all()
        self.assertIsNone(self.mc.get("x"))

    def test_too_large_raises(self):
        with self.assertRaises(MemcacheServerError):
            self.mc.set("huge", b"x" * (2 * 1024 * 1024), noreply=False)
        self.mc.set("after", b"ok")
        self.assertEqual(self.mc.get("after"), b"ok")

    def test_quit_then_reconnect(self):
        # A reply orders the store before the quit: a noreply set could still be
        # unread on its worker when the new connection's get runs on another one
        # (memcached has the same race).
        self.mc.set("q", b"1", noreply=False)
        self.mc.quit()
        self.assertEqual(self.mc.get("q"), b"1")   # pymemcache reconnects


class PymemcacheNoreplyTest(PymemcacheMixin, ServerTestCase):
    noreply = True


class PymemcacheReplyTest(PymemcacheMixin, ServerTestCase):
    noreply = False


del PymemcacheMixin   # keep unittest from collecting the mixin itself


if __name__ == "__main__":
    unittest.main()
