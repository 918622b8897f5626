#!/usr/bin/python3
"""python-binary-memcached 0.31.1 (python3-binary-memcached, `import bmemcached`): a pure
Python client of the BINARY protocol, without and with SASL PLAIN. Run by /usr/bin/python3.

What it puts on the wire (bmemcached/protocol.py): get/gets -> GET; get_multi -> GETKQ
per key but the last, which is GETK (no NOOP); set/add/replace -> SET/ADD/REPLACE (cas()
is SET carrying the CAS, or ADD for cas=None); set_multi -> SETQ per key (ADDQ for a
(key, 0) entry) + NOOP; delete -> DELETE (with an optional CAS); delete_multi -> DELETE
per key (not quiet) + NOOP; incr/decr -> INCR/DECR with an initial value and expiry (so a
missing key is created); flush_all -> FLUSH with a 4-byte expiry extra; stats -> STAT.
SASL: SASL_LIST_MECHS, then SASL_AUTH "PLAIN" with "\\0user\\0password" if the list names
PLAIN. It has no touch, append or prepend. It expects status 0x08 for a failed
authentication, so the real 0x20 reaches the caller as a plain MemcachedException(code=32).
Values carry type flags: bytes 16, int 2, pickled 1, zlib-compressed |8 (values over 128
bytes are compressed when that makes them smaller).
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

from base import ServerTestCase, is_memcached   # noqa: E402
from sasl_setup import SaslServerTestCase   # noqa: E402

try:
    import bmemcached
    from bmemcached.exceptions import MemcachedException
    HAVE_BMEMCACHED = True
except ImportError:     # run with /usr/bin/python3 to get Debian's python3-binary-memcached
    HAVE_BMEMCACHED = False

BINARY = bytes(range(256)) + b"\r\nEND\r\n\x00" * 3
SKIP_REASON = ("bmemcached not importable (use /usr/bin/python3; Debian package "
               "python3-binary-memcached)")
AUTH_ERROR = 0x20


def make_client(port, *auth):
    return bmemcached.Client(["127.0.0.1:%d" % port], *auth, socket_timeout=5)


@unittest.skipUnless(HAVE_BMEMCACHED, SKIP_REASON)
class BmemcachedBinaryTest(ServerTestCase):

    def setUp(self):
        super().setUp()
        self.mc = make_client(self.server.port)

    def tearDown(self):
        try:
            self.mc.disconnect_all()
        finally:
            super().tearDown()

    def test_set_get_miss(self):
        self.assertTrue(self.mc.set("k", b"v"))
        self.assertEqual(self.mc.get("k"), b"v")
        self.assertIsNone(self.mc.get("missing"))
        self.assertEqual(self.mc.get("missing", default=b"d"), b"d")
        self.assertTrue(self.mc.set("k", b"second"))
        self.assertEqual(self.mc.get("k"), b"second")

    def test_value_types(self):
        self.assertTrue(self.mc.set("s", "h\u00e9llo"))
        self.assertEqual(self.mc.get("s"), "h\u00e9llo")
        self.assertTrue(self.mc.set("i", 42))
        self.assertEqual(self.mc.get("i"), 42)
        self.assertTrue(self.mc.set("o", {"a": [1, 2, (3, None)]}))
        self.assertEqual(self.mc.get("o"), {"a": [1, 2, (3, None)]})

    def test_binary_safe_values(self):
        self.assertTrue(self.mc.set("bin", BINARY))
        self.assertEqual(self.mc.get("bin"), BINARY)
        self.assertTrue(self.mc.set("raw", BINARY, compress_level=0))
        self.assertEqual(self.mc.get("raw"), BINARY)
        self.assertTrue(self.mc.set("empty", b""))
        self.assertEqual(self.mc.get("empty"), b"")

    def test_large_value(self):
        big = os.urandom(500 * 1024)           # incompressible: stored as is
        self.assertTrue(self.mc.set("big", big))
        self.assertEqual(self.mc.get("big"), big)
        with self.assertRaises(MemcachedException) as cm:
            self.mc.set("huge", os.urandom(2 * 1024 * 1024))
        self.assertEqual(cm.exception.code, 0x03)      # value too large
        self.assertIsNone(self.mc.get("huge"))
        self.assertEqual(self.mc.get("big"), big)

    def test_flags_seen_by_text_protocol(self):
        self.mc.set("b", b"bytes")
        self.mc.set("i", 42)
        self.mc.set("s", "str")
        self.assert_value(b"b", b"bytes", flags=16)
        self.assert_value(b"i", b"42", flags=2)
        self.assert_value(b"s", b"str", flags=0)
        self.store(b"t", b"42", flags=2)
        self.assertEqual(self.mc.get("t"), 42)

    def test_add_replace(self):
        self.assertTrue(self.mc.add("a", b"1"))
        self.assertFalse(self.mc.add("a", b"2"))
        self.assertEqual(self.mc.get("a"), b"1")
        self.assertTrue(self.mc.replace("a", b"R"))
        self.assertEqual(self.mc.get("a"), b"R")
        self.assertFalse(self.mc.replace("nope", b"x"))
        self.assertIsNone(self.mc.get("nope"))

    def test_delete(self):
        self.mc.set("d", b"1")
        self.assertTrue(self.mc.delete("d"))
        self.assertIsNone(self.mc.get("d"))
        # bmemcached reports only "exists" (a CAS mismatch) as failure: a miss is True
        self.assertTrue(self.mc.delete("d"))

    def test_delete_with_cas(self):
        self.mc.set("d", b"1")
        _, cas = self.mc.gets("d")
        self.assertFalse(self.mc.delete("d", cas + 1))   # 0x02: wrong CAS, still there
        self.assertEqual(self.mc.get("d"), b"1")
        self.assertTrue(self.mc.delete("d", cas))
        self.assertIsNone(self.mc.get("d"))

    def assert_big_incr(self, op, want):
        """incr/decr of a value >= 2**63: memcached 1.6.18 looks for a '-' with strchr(),
        past the end of the item into stale slab memory, and answers "non-numeric" (0x06)
        at random; slabd must always get it right."""
        try:
            got = op()
        except MemcachedException as e:
            if is_memcached() and e.code == 0x06:
                return
            raise
        self.assertEqual(got, want)

    def test_incr_decr(self):
        # a missing key is created with the initial value (default 0), which is returned
        self.assertEqual(self.mc.incr("n", 5), 0)
        self.assertEqual(self.mc.get("n"), "0")
        self.assertEqual(self.mc.incr("n", 5), 5)
        self.assertEqual(self.mc.decr("n", 2), 3)
        self.assertEqual(self.mc.decr("n", 100), 0)       # floors at 0
        self.assertEqual(self.mc.incr("m", 1, default=41), 41)
        self.assertEqual(self.mc.incr("m", 1), 42)
        self.assertEqual(self.mc.decr("d", 1, default=7), 7)
        self.assertEqual(self.mc.get("d"), "7")
        self.mc.set("i", 10)                              # an int: stored as b"10"
        self.assertEqual(self.mc.incr("i", 90), 100)
        self.assertEqual(self.mc.get("i"), 100)
        self.mc.set("s", b"abc")
        with self.assertRaises(MemcachedException) as cm:
            self.mc.incr("s", 1)
        self.assertEqual(cm.exception.code, 0x06)         # non-numeric
        self.assertEqual(self.mc.get("s"), b"abc")
        self.mc.set("max", 18446744073709551615)
        self.assert_big_incr(lambda: self.mc.incr("max", 1), 0)     # wraps at 2**64
        self.mc.set("max", 18446744073709551614)
        self.assert_big_incr(lambda: self.mc.incr("max", 1), 18446744073709551615)

    def test_gets_cas(self):
        self.mc.set("c", b"1")
        value, cas = self.mc.gets("c")
        self.assertEqual(value, b"1")
        self.assertIsInstance(cas, int)
        self.assertGreater(cas, 0)
        self.assertEqual(self.mc.get("c", get_cas=True), (b"1", cas))
        self.assertTrue(self.mc.cas("c", b"2", cas))
        self.assertFalse(self.mc.cas("c", b"3", cas))     # stale: 0x02
        self.assertEqual(self.mc.get("c"), b"2")
        _, cas2 = self.mc.gets("c")
        self.assertNotEqual(cas2, cas)
        self.assertFalse(self.mc.cas("nope", b"x", cas2))  # missing: 0x01
        self.assertIsNone(self.mc.get("nope"))
        self.assertTrue(self.mc.cas("fresh", b"new", None))   # cas None means add
        self.assertFalse(self.mc.cas("fresh", b"again", None))
        self.assertEqual(self.mc.get("fresh"), b"new")
        self.assertEqual(self.mc.gets("nope"), (None, None))

    def test_get_multi_set_multi_1000(self):
        data = {"key:%06d" % i: b"value:%d:" % i * (1 + i % 7) for i in range(1000)}
        self.assertEqual(self.mc.set_multi(data), [])
        got = self.mc.get_multi(list(data) + ["absent1", "absent2"])
        self.assertTrue(got == data, "get_multi mismatch: %d keys back, %d differ"
                        % (len(got), sum(1 for k in data if got.get(k) != data[k])))
        self.assertEqual(self.mc.get_multi(["absent1"]), {})
        self.assertEqual(self.mc.get_multi([]), {})

    def test_get_multi_cas_and_set_multi_cas(self):
        self.assertEqual(self.mc.set_multi({"a": b"1", "b": b"2"}), [])
        got = self.mc.get_multi(["a", "b", "c"], get_cas=True)
        self.assertEqual(sorted(got), ["a", "b"])
        self.assertEqual(got["a"][0], b"1")
        cas_a = got["a"][1]
        self.assertEqual(self.mc.gets("a"), (b"1", cas_a))
        # (key, cas) entries are CAS sets; (key, 0) is an add (ADDQ)
        failed = self.mc.set_multi({("a", cas_a): b"A", ("b", cas_a + 999): b"B",
                                    ("c", 0): b"C", ("b2", 0): b"x"})
        self.assertEqual(len(failed), 1)
        self.assertEqual(failed[0][0], "b")
        self.assertEqual(self.mc.get_multi(["a", "b", "c", "b2"]),
                         {"a": b"A", "b": b"2", "c": b"C", "b2": b"x"})

    def test_delete_multi(self):
        self.assertEqual(self.mc.set_multi({"d1": b"1", "d2": b"2", "d3": b"3"}), [])
        self.assertTrue(self.mc.delete_multi(["d1", "d2"]))
        self.assertEqual(self.mc.get_multi(["d1", "d2", "d3"]), {"d3": b"3"})
        self.assertFalse(self.mc.delete_multi(["d3", "d4"]))    # d4: 0x01 not found
        self.assertEqual(self.mc.get_multi(["d1", "d2", "d3", "d4"]), {})

    def test_flush_all(self):
        self.mc.set_multi({"x": b"1", "y": b"2"})
        self.assertTrue(self.mc.flush_all())
        self.assertEqual(self.mc.get_multi(["x", "y"]), {})
        self.assertTrue(self.mc.set("x", b"3"))
        self.assertEqual(self.mc.get("x"), b"3")

    def test_stats(self):
        name = "127.0.0.1:%d" % self.server.port
        before = self.mc.stats()[name]
        self.mc.set("s1", b"1")
        self.assertEqual(self.mc.get("s1"), b"1")
        self.assertIsNone(self.mc.get("s2"))
        all_stats = self.mc.stats()
        self.assertEqual(list(all_stats), [name])
        st = all_stats[name]
        self.assertEqual(st["version"], b"1.6.18")
        for key, delta in (("cmd_set", 1), ("get_hits", 1), ("get_misses", 1)):
            self.assertEqual(int(st[key]) - int(before[key]), delta, key)
        self.assertIn("uptime", st)
        settings = self.mc.stats("settings")[name]
        self.assertEqual(settings["item_size_max"], b"1048576")

    def test_noop(self):
        server = next(self.mc.servers)
        self.assertEqual(server.noop(), 0)


@unittest.skipUnless(HAVE_BMEMCACHED, SKIP_REASON)
class BmemcachedSaslTest(SaslServerTestCase):

    def setUp(self):
        super().setUp()
        self.clients = []
        self.mc = self.client(self.sasl_user, self.sasl_password)
        self.assertTrue(self.mc.flush_all())

    def tearDown(self):
        try:
            for c in self.clients:
                c.disconnect_all()
        finally:
            super().tearDown()

    def client(self, *auth):
        c = make_client(self.server.port, *auth)
        self.clients.append(c)
        return c

    def test_authenticated_operations(self):
        mc = self.mc
        self.assertTrue(mc.set("k", b"v"))
        self.assertEqual([s.authenticated for s in mc.servers], [True])
        self.assertEqual(mc.get("k"), b"v")
        self.assertTrue(mc.add("a", b"1"))
        self.assertFalse(mc.add("a", b"2"))
        self.assertTrue(mc.replace("a", b"R"))
        self.assertEqual(mc.set_multi({"m1": b"1", "m2": b"2"}), [])
        self.assertEqual(mc.get_multi(["m1", "m2", "m3", "k", "a"]),
                         {"m1": b"1", "m2": b"2", "k": b"v", "a": b"R"})
        self.assertEqual(mc.incr("n", 1, default=9), 9)
        self.assertEqual(mc.incr("n", 1), 10)
        self.assertEqual(mc.decr("n", 4), 6)
        value, cas = mc.gets("k")
        self.assertEqual(value, b"v")
        self.assertTrue(mc.cas("k", b"w", cas))
        self.assertFalse(mc.cas("k", b"x", cas))
        self.assertTrue(mc.delete("k"))
        self.assertTrue(mc.delete_multi(["m1", "m2"]))
        self.assertEqual(mc.stats()["127.0.0.1:%d" % self.server.port]["version"], b"1.6.18")
        self.assertTrue(mc.flush_all())
        self.assertIsNone(mc.get("a"))

    def test_large_value_authenticated(self):
        big = os.urandom(500 * 1024)
        self.assertTrue(self.mc.set("big", big))
        self.assertEqual(self.mc.get("big"), big)

    def test_wrong_password_fails(self):
        self.assertTrue(self.mc.set("k", b"secret-value"))
        bad = self.client(self.sasl_user, "not-the-password")
        with self.assertRaises(MemcachedException) as cm:   # the SASL_AUTH reply
            bad.get("k")
        self.assertEqual(cm.exception.code, AUTH_ERROR)
        self.assertEqual([s.authenticated for s in bad.servers], [False])
        with self.assertRaises(MemcachedException) as cm:   # GET refused: auth error
            bad.get("k")
        self.assertEqual(cm.exception.code, AUTH_ERROR)
        # ...after which the server has closed the connection: a disconnect is False
        self.assertFalse(bad.set("k", b"overwritten"))
        self.assertEqual(self.mc.get("k"), b"secret-value")

    def test_unknown_user_fails(self):
        bad = self.client("nobody", self.sasl_password)
        with self.assertRaises(MemcachedException) as cm:
            bad.set("k", b"x")
        self.assertEqual(cm.exception.code, AUTH_ERROR)
        self.assertIsNone(self.mc.get("k"))

    def test_no_credentials_fails(self):
        self.assertTrue(self.mc.set("k", b"secret-value"))
        anon = self.client()
        with self.assertRaises(MemcachedException) as cm:
            anon.get("k")
        self.assertEqual(cm.exception.code, AUTH_ERROR)
        self.assertFalse(anon.set("k", b"overwritten"))     # connection closed by server
        self.assertEqual(self.mc.get("k"), b"secret-value")

    def test_reauthenticate(self):
        c = self.client(self.sasl_user, "wrong")
        server = next(c.servers)
        with self.assertRaises(MemcachedException) as cm:
            server.authenticate(self.sasl_user, "wrong")
        self.assertEqual(cm.exception.code, AUTH_ERROR)
        self.assertTrue(server.authenticate(self.sasl_user, self.sasl_password))
        self.assertTrue(c.set("k", b"v"))
        self.assertEqual(self.mc.get("k"), b"v")


if __name__ == "__main__":
    unittest.main()
