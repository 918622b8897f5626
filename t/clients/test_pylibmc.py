#!/usr/bin/python3
"""pylibmc 1.6.3 (python3-pylibmc, on libmemcached 1.1.4) over the BINARY protocol
(binary=True), without and with SASL. Run by /usr/bin/python3 (Debian's Python).

What libmemcached 1.1.4 puts on the wire (seen with memcached -vv): get -> GETK;
gets and get_multi -> GETKQ per key + NOOP; set/add/replace/append/prepend/delete/
incr/decr/touch/flush -> their non-quiet opcodes (set_multi = one SET per key,
delete_multi = one DELETE per key); cas -> REPLACE carrying the CAS (not SET);
get_stats -> STAT; closing -> QUIT. With a username it sends SASL_LIST_MECHS, then
SASL_AUTH with the mechanism Cyrus' client picks (PLAIN when that is all the server lists).
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

from base import ServerTestCase, is_memcached   # noqa: E402
from sasl_setup import SaslServerTestCase   # noqa: E402

try:
    import pylibmc
    HAVE_PYLIBMC = True
except ImportError:     # run with /usr/bin/python3 to get Debian's python3-pylibmc
    HAVE_PYLIBMC = False

BINARY = bytes(range(256)) + b"\r\nEND\r\n\x00" * 3
# absolute unix time far in the past: an exptime that expires the item at once
PAST = 1000000000


def make_client(port, **kw):
    return pylibmc.Client(["127.0.0.1:%d" % port], binary=True,
                          behaviors={"tcp_nodelay": True, "cas": True,
                                     "connect_timeout": 5000, "_poll_timeout": 5000},
                          **kw)


@unittest.skipUnless(HAVE_PYLIBMC, "pylibmc not importable (use /usr/bin/python3; "
                                   "Debian package python3-pylibmc)")
class PylibmcBinaryTest(ServerTestCase):

    def setUp(self):
        super().setUp()
        self.mc = make_client(self.server.port)

    def tearDown(self):
        try:
            self.mc.disconnect_all()
        finally:
            super().tearDown()

    def test_behaviors_binary_tcp_nodelay(self):
        self.assertTrue(self.mc.binary)
        self.assertEqual(self.mc.behaviors["tcp_nodelay"], 1)
        self.assertEqual(self.mc.behaviors["cas"], 1)
        self.assertTrue(self.mc.set("k", b"v"))
        self.assertEqual(self.mc.get("k"), b"v")

    def test_set_get_miss(self):
        self.assertTrue(self.mc.set("k", b"v"))
        self.assertEqual(self.mc.get("k"), b"v")
        self.assertIsNone(self.mc.get("missing"))
        self.assertTrue(self.mc.set("k", b"second"))
        self.assertEqual(self.mc.get("k"), b"second")

    def test_binary_safe_values(self):
        self.assertTrue(self.mc.set("bin", BINARY))
        self.assertEqual(self.mc.get("bin"), BINARY)
        self.assertTrue(self.mc.set("empty", b""))
        self.assertEqual(self.mc.get("empty"), b"")
        self.assertTrue(self.mc.set("text", "h\u00e9llo \u2603"))
        self.assertEqual(self.mc.get("text"), "h\u00e9llo \u2603")

    def test_large_value(self):
        big = os.urandom(500 * 1024)
        self.assertTrue(self.mc.set("big", big))
        self.assertEqual(self.mc.get("big"), big)
        self.assertEqual(self.mc.get_multi(["big", "nope"]), {"big": big})
        with self.assertRaises(pylibmc.TooBig):     # server: "value too large" (0x03)
            self.mc.set("huge", os.urandom(2 * 1024 * 1024))
        self.assertIsNone(self.mc.get("huge"))
        self.assertEqual(self.mc.get("big"), big)   # the connection is still in sync

    def test_add_replace(self):
        self.assertTrue(self.mc.add("a", b"1"))
        self.assertFalse(self.mc.add("a", b"2"))
        self.assertEqual(self.mc.get("a"), b"1")
        self.assertTrue(self.mc.replace("a", b"R"))
        self.assertEqual(self.mc.get("a"), b"R")
        with self.assertRaises(pylibmc.NotFound):   # replace on a missing key
            self.mc.replace("nope", b"x")
        self.assertIsNone(self.mc.get("nope"))

    def test_append_prepend(self):
        self.assertTrue(self.mc.set("a", b"mid"))
        self.assertTrue(self.mc.append("a", b">"))
        self.assertTrue(self.mc.prepend("a", b"<"))
        self.assertEqual(self.mc.get("a"), b"<mid>")
        self.assertFalse(self.mc.append("nope", b"x"))
        self.assertFalse(self.mc.prepend("nope", b"x"))
        self.assertIsNone(self.mc.get("nope"))

    def test_delete(self):
        self.mc.set("d", b"1")
        self.assertTrue(self.mc.delete("d"))
        self.assertFalse(self.mc.delete("d"))
        self.assertIsNone(self.mc.get("d"))

    def test_incr_decr(self):
        self.assertTrue(self.mc.set("n", 10))
        self.assertEqual(self.mc.incr("n", 5), 15)
        self.assertEqual(self.mc.incr("n"), 16)
        self.assertEqual(self.mc.decr("n", 6), 10)
        self.assertEqual(self.mc.decr("n", 100), 0)       # floors at 0
        with self.assertRaises(pylibmc.NotFound):
            self.mc.incr("nope")
        with self.assertRaises(pylibmc.NotFound):
            self.mc.decr("nope")
        self.assertIsNone(self.mc.get("nope"))            # incr did not create it
        self.mc.set("max", b"18446744073709551614")
        self.assert_big_incr(lambda: self.mc.incr("max"), 18446744073709551615)
        self.mc.set("max", b"18446744073709551615")
        self.assert_big_incr(lambda: self.mc.incr("max", 2), 1)     # wraps at 2**64
        self.mc.set("max", b"18446744073709551615")
        self.assert_big_incr(lambda: self.mc.decr("max", 5), 18446744073709551610)
        self.mc.set("s", b"abc")
        with self.assertRaises(pylibmc.UnknownReadFailure):   # status 0x06 non-numeric
            self.mc.incr("s")
        self.assertEqual(self.mc.get("s"), b"abc")

    def assert_big_incr(self, op, want):
        """incr/decr of a value >= 2**63. memcached 1.6.18 then looks for a '-' with
        strchr(), past the end of the item into stale slab memory, and answers
        "non-numeric" (0x06) at random; slabd must always get it right."""
        try:
            got = op()
        except pylibmc.UnknownReadFailure:
            if is_memcached():
                return
            raise
        self.assertEqual(got, want)

    def test_gets_cas(self):
        self.mc.set("c", b"1")
        value, cas = self.mc.gets("c")
        self.assertEqual(value, b"1")
        self.assertIsInstance(cas, int)
        self.assertGreater(cas, 0)
        self.assertTrue(self.mc.cas("c", b"2", cas))
        self.assertFalse(self.mc.cas("c", b"3", cas))      # stale: key exists (0x02)
        self.assertEqual(self.mc.get("c"), b"2")
        value2, cas2 = self.mc.gets("c")
        self.assertEqual(value2, b"2")
        self.assertNotEqual(cas2, cas)
        with self.assertRaises(pylibmc.NotFound):
            self.mc.cas("nope", b"x", cas2)
        self.assertEqual(self.mc.gets("nope"), (None, None))

    def test_touch(self):
        self.mc.set("t", b"1")
        self.assertTrue(self.mc.touch("t", 100))
        self.assertEqual(self.mc.get("t"), b"1")
        self.assertFalse(self.mc.touch("nope", 100))
        self.assertTrue(self.mc.touch("t", PAST))          # absolute time in the past
        self.assertIsNone(self.mc.get("t"))

    def test_expired_on_set(self):
        self.assertTrue(self.mc.set("e", b"1", time=PAST))
        self.assertIsNone(self.mc.get("e"))

    def test_get_multi_set_multi_1000(self):
        data = {"key:%06d" % i: ("value-%d" % i).encode() * (1 + i % 7) for i in range(1000)}
        self.assertEqual(self.mc.set_multi(data), [])
        got = self.mc.get_multi(list(data) + ["absent1", "absent2"])
        # (no assertEqual on the big dicts: difflib on 1000 entries is slow)
        self.assertTrue(got == data, "get_multi mismatch: %d keys back, %d differ"
                        % (len(got), sum(1 for k in data if got.get(k) != data[k])))
        self.assertEqual(self.mc.get_multi(["absent1"]), {})
        self.assertEqual(self.mc.get_multi([]), {})

    def test_delete_multi(self):
        self.assertEqual(self.mc.set_multi({"d1": b"1", "d2": b"2", "d3": b"3"}), [])
        self.assertTrue(self.mc.delete_multi(["d1", "d2"]))
        self.assertEqual(self.mc.get_multi(["d1", "d2", "d3"]), {"d3": b"3"})
        self.assertFalse(self.mc.delete_multi(["d3", "d4"]))   # d4 was not there
        self.assertEqual(self.mc.get_multi(["d1", "d2", "d3", "d4"]), {})

    def test_flush_all(self):
        self.mc.set_multi({"x": b"1", "y": b"2"})
        self.assertTrue(self.mc.flush_all())
        self.assertEqual(self.mc.get_multi(["x", "y"]), {})
        self.assertTrue(self.mc.set("x", b"3"))
        self.assertEqual(self.mc.get("x"), b"3")

    def test_stats(self):
        before = dict(self.mc.get_stats()[0][1])
        self.mc.set("s1", b"1")
        self.assertEqual(self.mc.get("s1"), b"1")
        self.assertIsNone(self.mc.get("s2"))
        stats = self.mc.get_stats()
        self.assertEqual(len(stats), 1)
        name, st = stats[0]
        self.assertIn(b"%d" % self.server.port, name)
        self.assertEqual(st["version"], b"1.6.18")
        for key, delta in (("cmd_set", 1), ("get_hits", 1), ("get_misses", 1)):
            self.assertEqual(int(st[key]) - int(before[key]), delta, key)
        self.assertGreaterEqual(int(st["curr_items"]), 1)
        self.assertIn("uptime", st)

    def test_flags_seen_by_text_protocol(self):
        # pylibmc's type flags, stored over binary, read back over text
        self.mc.set("b", b"bytes")
        self.mc.set("s", "str")
        self.mc.set("i", 42)
        self.mc.set("bo", True)
        self.assert_value(b"b", b"bytes", flags=0)
        self.assert_value(b"s", b"str", flags=16)
        self.assert_value(b"i", b"42", flags=4)
        self.assert_value(b"bo", b"1", flags=2)
        # and the other way round
        self.store(b"t", b"abc", flags=16)
        self.store(b"r", b"raw", flags=0)
        self.assertEqual(self.mc.get("t"), "abc")
        self.assertEqual(self.mc.get("r"), b"raw")
        self.assertEqual(self.mc.incr("i", 1), 43)
        self.assert_value(b"i", b"43", flags=4)


@unittest.skipUnless(HAVE_PYLIBMC, "pylibmc not importable (use /usr/bin/python3; "
                                   "Debian package python3-pylibmc)")
class PylibmcSaslTest(SaslServerTestCase):

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

    def client(self, user=None, password=None):
        kw = {"username": user, "password": password} if user is not None else {}
        c = make_client(self.server.port, **kw)
        self.clients.append(c)
        return c

    def test_authenticated_operations(self):
        mc = self.mc
        self.assertTrue(mc.set("k", b"v"))
        self.assertEqual(mc.get("k"), b"v")
        self.assertTrue(mc.add("a", b"1"))
        self.assertFalse(mc.add("a", b"2"))
        self.assertTrue(mc.append("a", b">"))
        self.assertTrue(mc.prepend("a", b"<"))
        self.assertEqual(mc.get("a"), b"<1>")
        self.assertEqual(mc.set_multi({"m1": b"1", "m2": b"2"}), [])
        self.assertEqual(mc.get_multi(["m1", "m2", "m3", "k"]),
                         {"m1": b"1", "m2": b"2", "k": b"v"})
        self.assertEqual(mc.incr("m1", 9), 10)
        self.assertEqual(mc.decr("m1", 4), 6)
        value, cas = mc.gets("k")
        self.assertEqual(value, b"v")
        self.assertTrue(mc.cas("k", b"w", cas))
        self.assertFalse(mc.cas("k", b"x", cas))
        self.assertTrue(mc.touch("k", 100))
        self.assertTrue(mc.delete("k"))
        self.assertFalse(mc.delete("k"))
        self.assertTrue(mc.delete_multi(["m1", "m2"]))
        self.assertTrue(mc.flush_all())
        self.assertIsNone(mc.get("a"))

    def test_large_value_authenticated(self):
        big = os.urandom(500 * 1024)
        self.assertTrue(self.mc.set("big", big))
        self.assertEqual(self.mc.get("big"), big)

    def test_two_clients_share_data(self):
        other = self.client(self.sasl_user, self.sasl_password)
        self.assertTrue(self.mc.set("shared", b"yes"))
        self.assertEqual(other.get("shared"), b"yes")

    def test_wrong_password_fails(self):
        self.assertTrue(self.mc.set("k", b"secret-value"))
        bad = self.client(self.sasl_user, "not-the-password")
        with self.assertRaises(pylibmc.Error) as cm:
            bad.get("k")
        self.assertIn("AUTHENTICATION FAILURE", str(cm.exception))
        # libmemcached now marks the server failed until its retry timeout
        with self.assertRaises(pylibmc.Error):
            bad.set("k", b"overwritten")
        self.assertEqual(self.mc.get("k"), b"secret-value")

    def test_unknown_user_fails(self):
        bad = self.client("nobody", self.sasl_password)
        with self.assertRaises(pylibmc.Error) as cm:
            bad.set("k", b"x")
        self.assertIn("AUTHENTICATION FAILURE", str(cm.exception))
        self.assertIsNone(self.mc.get("k"))

    def test_no_credentials_fails(self):
        self.assertTrue(self.mc.set("k", b"secret-value"))
        anon = self.client()
        # The server answers "auth error" (0x20) to every data command; libmemcached
        # reports it as a miss for get and as error 41 (AUTH_FAILURE) for set.
        self.assertIsNone(anon.get("k"))
        with self.assertRaises(pylibmc.Error) as cm:
            anon.set("k", b"overwritten")
        self.assertIn("error 41", str(cm.exception))
        self.assertEqual(self.mc.get("k"), b"secret-value")


if __name__ == "__main__":
    unittest.main()
