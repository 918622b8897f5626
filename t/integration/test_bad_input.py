#!/usr/bin/python3
"""Bad input (reference 1.11, 7; security A1/A2 text-protocol rows).

Every bad input must leave the server up, earlier data intact and new connections served:
each test plants a sentinel item first and ends with assert_healthy().
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

from base import ServerTestCase, set_cmd, value_reply, is_memcached   # noqa: E402
from oracle import KNOWN_DIFFERENCES, check_known   # noqa: E402

BADFMT = b"CLIENT_ERROR bad command line format\r\n"
BADCHUNK = b"CLIENT_ERROR bad data chunk\r\n"
TOO_LARGE = b"SERVER_ERROR object too large for cache\r\n"
K251 = b"k" * 251


class BadInputTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        self.plant_sentinel()

    def tearDown(self):
        try:
            if self.server.alive():
                self.assert_healthy()
        finally:
            super().tearDown()

    # ---- random junk -----------------------------------------------------------------

    def test_random_command_soup_leaves_server_and_data_intact(self):
        """Seeded random lines built from real command names, boundary numbers, long
        keys, stray CR/LF/NUL/TAB bytes and random data blocks, on several connections.
        No reply is asserted (the other tests do that); the server must stay up, keep
        the sentinel intact and serve a new connection."""
        import random
        rng = random.Random(int(os.environ.get("T_SOUP_SEED", "20261127")))
        # (no flush_all: it would rightly drop the sentinel)
        names = [b"get", b"gets", b"gat", b"gats", b"set", b"add", b"replace", b"append",
                 b"prepend", b"cas", b"incr", b"decr", b"touch", b"delete",
                 b"version", b"verbosity", b"stats", b"mg", b"ms", b"bogus", b"GET", b""]
        numbers = [b"0", b"1", b"-1", b"4294967295", b"4294967296", b"2147483647",
                   b"18446744073709551615", b"18446744073709551616", b"+1", b"abc", b"01"]
        def token():
            r = rng.random()
            if r < 0.3:
                return rng.choice(numbers)
            if r < 0.4:
                return b"k" * rng.choice([1, 250, 251, 3000])
            if r < 0.5:
                return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 6)))
            return b"soup%d" % rng.randrange(20)
        for _ in range(4):
            c = self.connect()
            script = b""
            for _ in range(400):
                line = b" ".join([rng.choice(names)] + [token() for _ in range(rng.randrange(6))])
                script += line + rng.choice([b"\r\n", b"\n", b"\r\n", b"\r\n"])
                if rng.random() < 0.3:
                    script += bytes(rng.randrange(256) for _ in range(rng.randrange(12)))
                    script += b"\r\n"
            # the server may close the connection for some lines (HTTP, long lines)
            try:
                c.send(script)
                c.is_closed(0.5)
            except OSError:
                pass
        self.assertTrue(self.server.alive())

    # ---- framing ---------------------------------------------------------------------

    def test_long_line_without_newline_closes_silently(self):
        c = self.connect()
        c.send(b"x" * 3000)
        self.assertTrue(c.is_closed(3.0), "server kept a 3000-byte unterminated line open")
        self.assertEqual(c.closed_with, b"")

    def test_long_set_line_without_newline_closes(self):
        c = self.connect()
        c.send(b"set a 0 0 1 " + b"9" * 3000)
        self.assertTrue(c.is_closed(3.0))
        self.assertEqual(c.closed_with, b"")

    def test_unterminated_line_of_2048_bytes_stays_open(self):
        c = self.connect()
        c.send(b"x" * 2048)
        self.assertFalse(c.is_closed(0.3))
        c.expect(b"\r\n", b"ERROR\r\n")

    def test_long_line_with_newline_is_an_unknown_command(self):
        self.c.expect(b"x" * 3000 + b"\r\n", b"ERROR\r\n")

    def test_long_get_line_arriving_in_pieces(self):
        c = self.connect()
        keys = b" ".join(b"key:%010d" % i for i in range(5000))
        line = b"get " + keys + b" sentinel\r\n"
        c.send_split(line, [4096] * (len(line) // 4096 + 1), pause=0.001)
        c.expect(b"", value_reply(b"sentinel", b"intact-value", 7) + b"END\r\n")

    def test_long_gets_line_without_newline_is_kept_open(self):
        c = self.connect()
        c.send(b"gets" + b" nokey" * 1000)
        self.assertFalse(c.is_closed(0.3))
        c.expect(b" sentinel\r\n", b"", sync=False)
        reply = c.read_get_reply()
        self.assertTrue(reply.startswith(b"VALUE sentinel 7 12 "), reply)

    def test_http_request_closes_silently(self):
        for req in (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", b"POST /x HTTP/1.0\r\n",
                    b"GET / HTTP/1.1\n"):
            c = self.connect()
            c.send(req)
            self.assertTrue(c.is_closed(2.0), req)
            self.assertEqual(c.closed_with, b"", req)

    def test_http_token_not_last_or_known_command(self):
        self.c.expect(b"GET / HTTP/1.1 x\r\n", b"ERROR\r\n")
        self.c.expect(b"get a HTTP/1.1\r\n", b"END\r\n")

    def test_empty_and_blank_lines(self):
        self.c.expect(b"\r\n\r\n\n", b"ERROR\r\n" * 3)
        self.c.expect(b"   \r\n", b"ERROR\r\n")

    def test_tab_is_not_a_separator(self):
        self.c.expect(b"set a\t0 0 1\r\nx\r\n", b"ERROR\r\nERROR\r\n")
        self.c.expect(b"get a\t0\r\n", b"END\r\n")

    def test_binary_junk(self):
        junk = bytes((i * 37 + 11) % 256 for i in range(1500)).replace(b"\n", b" ")
        c = self.connect()
        c.send(junk + b"\r\n")
        # an unknown command (or a silent close if the junk happens to look like HTTP)
        got = c.recv_available(0.5)
        self.assertIn(got, (b"ERROR\r\n", b""))

    # ---- data blocks -----------------------------------------------------------------

    def test_bad_data_chunk_then_parsing_continues(self):
        self.c.expect(b"set b 0 0 3\r\nabcde\r\n", BADCHUNK + b"ERROR\r\n")
        self.assert_miss(b"b")
        self.c.expect(b"set b 0 0 3\r\nabcdef\r\n", BADCHUNK + b"ERROR\r\n")
        self.c.expect(b"set b 0 0 1\r\nx\rget sentinel\r\n", BADCHUNK + b"ERROR\r\n")

    def test_bad_data_chunk_keeps_old_value(self):
        self.store(b"b", b"old")
        self.c.expect(b"set b 0 0 3\r\nnewXY\r\n", BADCHUNK + b"ERROR\r\n")
        self.assert_value(b"b", b"old")

    def test_bad_data_chunk_leftover_is_a_command(self):
        # 3 data bytes, then "XY" instead of CRLF; what follows is parsed as a command
        self.c.expect(b"set b 0 0 3\r\nabcXYget sentinel\r\n",
                      BADCHUNK + value_reply(b"sentinel", b"intact-value", 7) + b"END\r\n")
        self.c.expect(b"set b 0 0 3\r\nabc\r\n\r\nget sentinel\r\n",
                      b"STORED\r\nERROR\r\n" + value_reply(b"sentinel", b"intact-value", 7)
                      + b"END\r\n")

    def test_bare_newline_after_data_is_bad_chunk(self):
        # exactly bytes+2 = "x\ng" is consumed; "et b" is then an unknown command
        self.c.expect(b"set b 0 0 1\r\nx\nget b\r\n", BADCHUNK + b"ERROR\r\n")

    def test_invalid_byte_counts_do_not_swallow(self):
        for count in (b"-1", b"abc", b"4294967295", b"2147483646", b"2147483647",
                      b"99999999999999999999", b"-2147483648"):
            self.c.expect(b"set k 0 0 " + count + b"\r\nx\r\n", BADFMT + b"ERROR\r\n")
            # the next command is parsed normally (data was not swallowed)
            self.c.expect(b"get sentinel\r\n",
                          value_reply(b"sentinel", b"intact-value", 7) + b"END\r\n")
        self.assert_miss(b"k")

    def test_value_too_large_is_swallowed(self):
        big = 2 * 1024 * 1024
        self.c.expect(b"set big 0 0 %d\r\n" % big + b"x" * big + b"\r\n", TOO_LARGE)
        self.c.expect(b"get big sentinel\r\n",
                      value_reply(b"sentinel", b"intact-value", 7) + b"END\r\n")

    def test_value_too_large_with_noreply(self):
        big = 2 * 1024 * 1024
        self.c.expect(b"set big 0 0 %d noreply\r\n" % big + b"x" * big + b"\r\n", b"")

    def test_value_too_large_unlinks_old_value(self):
        self.store(b"big", b"0123456789")
        big = 2 * 1024 * 1024
        self.c.expect(b"set big 0 0 %d\r\n" % big + b"y" * big + b"\r\n", TOO_LARGE)
        self.assert_miss(b"big")

    def test_value_too_large_swallow_covers_command_like_data(self):
        big = 2 * 1024 * 1024
        data = (b"get sentinel\r\n" * (big // 14 + 1))[:big]
        self.c.expect(b"set big 0 0 %d\r\n" % big + data + b"\r\n", TOO_LARGE)

    def test_value_too_large_sent_slowly(self):
        big = 2 * 1024 * 1024
        c = self.connect()
        c.send(b"set big 0 0 %d\r\n" % big)
        for _ in range(big // 65536):
            c.send(b"z" * 65536)
        c.expect(b"\r\n", TOO_LARGE)

    # ---- keys and numbers ------------------------------------------------------------

    def test_251_byte_key_on_non_storage_commands(self):
        for line in (b"get " + K251, b"gets " + K251, b"gat 1 " + K251, b"gats 1 " + K251,
                     b"incr " + K251 + b" 1", b"decr " + K251 + b" 1",
                     b"touch " + K251 + b" 1", b"delete " + K251,
                     b"get a " + K251, b"get " + K251 + b" noreply"):
            self.c.expect(line + b"\r\n", BADFMT)

    def test_251_byte_key_noreply_non_storage(self):
        for line in (b"incr " + K251 + b" 1 noreply", b"delete " + K251 + b" noreply",
                     b"touch " + K251 + b" 1 noreply"):
            self.c.expect(line + b"\r\n", b"")

    def test_known_differences_table(self):
        """Deliberate differences: memcached 1.6.18 bytes vs slabd bytes, from oracle.py."""
        for entry in KNOWN_DIFFERENCES:
            with self.subTest(entry["name"]):
                ok, got, want = check_known(self.server, entry)
                self.assertTrue(ok, "%s: got %r, want one of %r" % (entry["name"], got, want))
                self.assertTrue(self.server.alive())

    def test_exptime_above_int_max_stores_but_is_expired(self):
        # 1.6.18: accepted by strtol, but the converted time is in the past
        self.c.expect(b"set e 0 2147483648 1\r\nx\r\n", b"STORED\r\n")
        self.assert_miss(b"e")
        self.c.expect(b"set e 0 4000000000 1\r\nx\r\n", b"STORED\r\n")
        self.assert_miss(b"e")

    def test_cas_unique_too_large(self):
        line = b"cas sentinel 0 0 1 18446744073709551616\r\nx\r\n"
        want = BADFMT + b"ERROR\r\n" if is_memcached() else BADFMT
        self.c.expect(line, want)

    # ---- admin-ish commands with missing tokens ----------------------------------------

    def test_missing_tokens_on_admin_commands(self):
        for line, reply in ((b"stats cachedump", b"CLIENT_ERROR bad command line\r\n"),
                            (b"stats cachedump 1", b"CLIENT_ERROR bad command line\r\n"),
                            (b"stats cachedump x y", BADFMT),
                            (b"stats cachedump 100 1", b"CLIENT_ERROR Illegal slab id\r\n"),
                            (b"stats detail", b"CLIENT_ERROR usage: stats detail on|off|dump\r\n"),
                            (b"stats maps", b"ERROR\r\n"),
                            (b"verbosity", b"ERROR\r\n"),
                            (b"flush_all x", b"CLIENT_ERROR invalid exptime argument\r\n"),
                            (b"shutdown", b"ERROR: shutdown not enabled\r\n"),
                            (b"touch", b"ERROR\r\n"), (b"delete", b"ERROR\r\n"),
                            (b"incr", b"ERROR\r\n"), (b"decr a", b"ERROR\r\n")):
            self.c.expect(line + b"\r\n", reply)

    def test_unknown_command_storm(self):
        self.c.expect(b"bogus\r\n" * 1000, b"ERROR\r\n" * 1000)

    def test_client_disconnects_mid_value(self):
        c = self.connect()
        c.send(b"set half 0 0 100\r\n" + b"x" * 50)
        c.close()
        c = self.connect()
        c.send(b"set " + b"h" * 40)
        c.close()
        self.assert_miss(b"half")


if __name__ == "__main__":
    unittest.main()
