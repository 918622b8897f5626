#!/usr/bin/python3
"""Every classic text command, exact reply bytes (validated against memcached 1.6.18)."""

import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

from base import ServerTestCase, set_cmd, value_reply, is_memcached   # noqa: E402
from client import expect_match   # noqa: E402

BADFMT = b"CLIENT_ERROR bad command line format\r\n"
NONNUM = b"CLIENT_ERROR cannot increment or decrement non-numeric value\r\n"
BADDELTA = b"CLIENT_ERROR invalid numeric delta argument\r\n"
BADEXP = b"CLIENT_ERROR invalid exptime argument\r\n"


class StorageTest(ServerTestCase):
    def test_set_then_get(self):
        self.c.expect(b"set foo 5 0 3\r\nbar\r\n", b"STORED\r\n")
        self.c.expect(b"get foo\r\n", b"VALUE foo 5 3\r\nbar\r\nEND\r\n")

    def test_set_overwrites_value_and_flags(self):
        self.store(b"foo", b"one", flags=1)
        self.store(b"foo", b"second", flags=2)
        self.assert_value(b"foo", b"second", flags=2)

    def test_zero_length_value(self):
        self.c.expect(b"set z 0 0 0\r\n\r\n", b"STORED\r\n")
        self.c.expect(b"get z\r\n", b"VALUE z 0 0\r\n\r\nEND\r\n")

    def test_binary_safe_value(self):
        value = bytes(range(256)) + b"\r\n\r\nEND\r\n\x00"
        self.store(b"bin", value)
        self.assert_value(b"bin", value)

    def test_key_with_control_bytes_is_stored_verbatim(self):
        self.c.expect(b"set k\x01\x7f 0 0 1\r\nz\r\n", b"STORED\r\n")
        self.c.expect(b"get k\x01\x7f\r\n", b"VALUE k\x01\x7f 0 1\r\nz\r\nEND\r\n")

    def test_key_of_250_bytes_works(self):
        key = b"k" * 250
        self.store(key, b"v")
        self.assert_value(key, b"v")

    def test_max_flags(self):
        self.store(b"f", b"x", flags=4294967295)
        self.assert_value(b"f", b"x", flags=4294967295)

    def test_flags_above_32_bits_are_truncated(self):
        # 1.6.18 quirk on 64-bit builds: strtoul accepts the value, the item keeps 32 bits.
        self.c.expect(b"set f 4294967296 0 1\r\nx\r\n", b"STORED\r\n")
        self.assert_value(b"f", b"x", flags=0)
        self.c.expect(b"set f 18446744073709551615 0 1\r\nx\r\n", b"STORED\r\n")
        self.assert_value(b"f", b"x", flags=4294967295)

    def test_lenient_number_forms_on_storage_line(self):
        self.c.expect(b"set a 0 0 01\r\nx\r\n", b"STORED\r\n")
        self.c.expect(b"set a 0 0 +1\r\ny\r\n", b"STORED\r\n")
        self.c.expect(b"set a 0 0 1 \r\nz\r\n", b"STORED\r\n")
        self.assert_value(b"a", b"z")

    def test_extra_token_on_set_is_ignored(self):
        self.c.expect(b"set a 0 0 1 1\r\nx\r\n", b"STORED\r\n")
        self.assert_value(b"a", b"x")

    def test_add(self):
        self.c.expect(set_cmd(b"a", b"1", cmd=b"add"), b"STORED\r\n")
        self.c.expect(set_cmd(b"a", b"2", cmd=b"add"), b"NOT_STORED\r\n")
        self.assert_value(b"a", b"1")

    def test_replace(self):
        self.c.expect(set_cmd(b"r", b"1", cmd=b"replace"), b"NOT_STORED\r\n")
        self.assert_miss(b"r")
        self.store(b"r", b"old", flags=3)
        self.c.expect(set_cmd(b"r", b"new", flags=4, cmd=b"replace"), b"STORED\r\n")
        self.assert_value(b"r", b"new", flags=4)

    def test_append_prepend(self):
        self.c.expect(set_cmd(b"ap", b"x", cmd=b"append"), b"NOT_STORED\r\n")
        self.c.expect(set_cmd(b"ap", b"x", cmd=b"prepend"), b"NOT_STORED\r\n")
        self.assert_miss(b"ap")
        self.store(b"ap", b"mid", flags=5)
        self.c.expect(set_cmd(b"ap", b"END", flags=9, cmd=b"append"), b"STORED\r\n")
        self.c.expect(set_cmd(b"ap", b"BEG", flags=9, cmd=b"prepend"), b"STORED\r\n")
        # append/prepend keep the old flags
        self.assert_value(b"ap", b"BEGmidEND", flags=5)

    def test_append_keeps_exptime(self):
        # item that expires: negative exptime on the base, append must not revive it
        self.c.expect(b"set ex 0 -1 1\r\na\r\n", b"STORED\r\n")
        self.c.expect(set_cmd(b"ex", b"b", cmd=b"append"), b"NOT_STORED\r\n")
        # item with a long TTL: append with exptime -1 must not expire it
        self.c.expect(b"set ex 0 1000 1\r\na\r\n", b"STORED\r\n")
        self.c.expect(b"append ex 0 -1 1\r\nb\r\n", b"STORED\r\n")
        self.c.expect(b"prepend ex 0 -1 1\r\nc\r\n", b"STORED\r\n")
        self.assert_value(b"ex", b"cab")

    def test_append_empty_and_binary(self):
        self.store(b"ab", b"\x00\r\n")
        self.c.expect(b"append ab 0 0 0\r\n\r\n", b"STORED\r\n")
        self.c.expect(b"append ab 0 0 2\r\n\r\n\r\n", b"STORED\r\n")
        self.assert_value(b"ab", b"\x00\r\n\r\n")

    def test_cas(self):
        self.c.expect(b"cas c 0 0 1 1\r\nx\r\n", b"NOT_FOUND\r\n")
        self.store(b"c", b"v1")
        cas = self.gets_cas(b"c")
        self.c.expect(b"cas c 0 0 2 %d\r\nv0\r\n" % (cas + 1), b"EXISTS\r\n")
        self.c.expect(b"cas c 2 0 2 %d\r\nv2\r\n" % cas, b"STORED\r\n")
        self.assert_value(b"c", b"v2", flags=2)
        self.c.expect(b"cas c 0 0 2 %d\r\nv3\r\n" % cas, b"EXISTS\r\n")
        self.assertNotEqual(self.gets_cas(b"c"), cas)

    def test_cas_zero_is_exists(self):
        self.store(b"c0", b"v")
        self.c.expect(b"cas c0 0 0 1 0\r\nx\r\n", b"EXISTS\r\n")
        self.assert_value(b"c0", b"v")

    def test_every_store_gets_a_new_cas(self):
        self.store(b"u", b"1")
        seen = {self.gets_cas(b"u")}
        for cmd in (b"set", b"append", b"prepend", b"replace"):
            self.c.expect(set_cmd(b"u", b"2", cmd=cmd), b"STORED\r\n")
            seen.add(self.gets_cas(b"u"))
        self.assertEqual(len(seen), 5)

    def test_set_too_few_tokens(self):
        # 1.6.18: "set k 0 0" is an unknown command shape -> ERROR; data line -> ERROR
        self.c.expect(b"set k 0 0\r\nx\r\n", b"ERROR\r\nERROR\r\n")
        self.c.expect(b"cas k 0 0 1\r\nx\r\n", b"ERROR\r\nERROR\r\n")
        self.assert_miss(b"k")


class RetrievalTest(ServerTestCase):
    def test_miss(self):
        self.c.expect(b"get nope\r\n", b"END\r\n")
        self.c.expect(b"gets nope\r\n", b"END\r\n")

    def test_multiget_order_and_duplicates(self):
        self.store(b"a", b"1")
        self.store(b"b", b"22", flags=2)
        self.c.expect(b"get a nope b a\r\n",
                      value_reply(b"a", b"1") + value_reply(b"b", b"22", 2)
                      + value_reply(b"a", b"1") + b"END\r\n")

    def test_gets_has_cas(self):
        self.store(b"a", b"1")
        expect_match(self.c, b"gets a a\r\n",
                     rb"VALUE a 0 1 (\d+)\r\n1\r\nVALUE a 0 1 \1\r\n1\r\nEND\r\n")

    def test_spaces_between_keys(self):
        self.store(b"a", b"1")
        self.c.expect(b"get  a   a \r\n", value_reply(b"a", b"1") * 2 + b"END\r\n")

    def test_get_without_key(self):
        self.c.expect(b"get\r\n", b"ERROR\r\n")
        self.c.expect(b"gets\r\n", b"ERROR\r\n")

    def test_leading_spaces_are_accepted(self):
        self.store(b"a", b"1")
        self.c.expect(b"  get a\r\n", value_reply(b"a", b"1") + b"END\r\n")

    def test_bare_newline_terminator(self):
        self.store(b"a", b"1")
        self.c.expect(b"get a\n", value_reply(b"a", b"1") + b"END\r\n")
        self.c.expect(b"set b 0 0 1\nx\r\n", b"STORED\r\n")
        self.assert_value(b"b", b"x")

    def test_gat_gats(self):
        self.store(b"a", b"1", flags=4)
        self.c.expect(b"gat 100 a nope\r\n", value_reply(b"a", b"1", 4) + b"END\r\n")
        expect_match(self.c, b"gats 100 a\r\n", rb"VALUE a 4 1 \d+\r\n1\r\nEND\r\n")
        self.c.expect(b"gat -1 a\r\n", value_reply(b"a", b"1", 4) + b"END\r\n")
        self.assert_miss(b"a")

    def test_gat_zero_clears_ttl(self):
        self.c.expect(b"set a 0 100 1\r\nx\r\n", b"STORED\r\n")
        self.c.expect(b"gat 0 a\r\n", value_reply(b"a", b"x") + b"END\r\n")
        self.assert_value(b"a", b"x")

    def test_gat_errors(self):
        self.c.expect(b"gat\r\n", b"ERROR\r\n")
        self.c.expect(b"gat 10\r\n", b"END\r\n")
        self.c.expect(b"gat abc a\r\n", BADEXP)
        self.c.expect(b"gats abc a\r\n", BADEXP)

    def test_large_multiget_line(self):
        # 5000 keys, ~100 KB line, sent in one piece: must not be treated as an over-long line
        self.store(b"hit", b"v")
        keys = [b"key:%010d" % i for i in range(5000)]
        keys[2500] = b"hit"
        line = b"get " + b" ".join(keys) + b"\r\n"
        self.assertGreater(len(line), 70000)
        self.c.expect(line, value_reply(b"hit", b"v") + b"END\r\n")

    def test_multiget_of_one_key_many_times(self):
        self.store(b"a", b"xyz")
        self.c.send(b"get" + b" a" * 20000 + b"\r\n")
        reply = self.c.recv_until(b"END\r\n", timeout=20)
        self.assertEqual(reply, value_reply(b"a", b"xyz") * 20000 + b"END\r\n")
        self.c.sync()


class DeleteTest(ServerTestCase):
    def test_delete(self):
        self.store(b"d", b"v")
        self.c.expect(b"delete d\r\n", b"DELETED\r\n")
        self.c.expect(b"delete d\r\n", b"NOT_FOUND\r\n")
        self.assert_miss(b"d")

    def test_delete_with_zero_time(self):
        self.store(b"d", b"v")
        self.c.expect(b"delete d 0\r\n", b"DELETED\r\n")

    def test_delete_errors(self):
        self.c.expect(b"delete\r\n", b"ERROR\r\n")
        self.store(b"d", b"v")
        self.c.expect(b"delete d x y\r\n",
                      b"CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]\r\n")
        self.assert_value(b"d", b"v")


class ArithmeticTest(ServerTestCase):
    def padded_variants(self, key, value_len, number):
        """Acceptable `get` replies after an incr/decr that shortened the number: slabd always
        pads in place; 1.6.18 pads unless another reference blocks the in-place rewrite."""
        padded = value_reply(key, number + b" " * (value_len - len(number))) + b"END\r\n"
        plain = value_reply(key, number) + b"END\r\n"
        return [padded, plain] if is_memcached() else [padded]

    def assert_get_in(self, key, choices):
        self.c.send(b"get " + key + b"\r\n")
        got = self.c.read_get_reply()
        self.assertIn(got, choices)
        self.c.sync()

    def test_incr_decr(self):
        self.c.expect(b"incr n 1\r\n", b"NOT_FOUND\r\n")
        self.c.expect(b"decr n 1\r\n", b"NOT_FOUND\r\n")
        self.store(b"n", b"5", flags=3)
        self.c.expect(b"incr n 10\r\n", b"15\r\n")
        self.c.expect(b"decr n 3\r\n", b"12\r\n")
        self.c.expect(b"incr n 0\r\n", b"12\r\n")
        self.assert_value(b"n", b"12", flags=3)

    def test_incr_grows_value(self):
        self.c.expect(b"set n 3 0 2\r\n99\r\n", b"STORED\r\n")
        self.c.expect(b"incr n 1\r\n", b"100\r\n")
        self.assert_value(b"n", b"100", flags=3)

    def test_decr_pads_in_place(self):
        self.store(b"n", b"10")
        self.c.expect(b"decr n 1\r\n", b"9\r\n")
        self.assert_get_in(b"n", self.padded_variants(b"n", 2, b"9"))

    def test_incr_wraps_at_2_64(self):
        self.store(b"n", b"18446744073709551615")
        self.c.expect(b"incr n 1\r\n", b"0\r\n")
        self.assert_get_in(b"n", self.padded_variants(b"n", 20, b"0"))
        self.store(b"n", b"18446744073709551614")
        self.c.expect(b"incr n 3\r\n", b"1\r\n")

    def test_incr_by_max_delta(self):
        self.store(b"n", b"0")
        self.c.expect(b"incr n 18446744073709551615\r\n", b"18446744073709551615\r\n")

    def test_decr_floors_at_zero(self):
        self.store(b"n", b"5")
        self.c.expect(b"decr n 10\r\n", b"0\r\n")
        self.c.expect(b"decr n 1\r\n", b"0\r\n")

    def test_incr_keeps_flags_and_ttl(self):
        self.c.expect(b"set n 7 1000 1\r\n1\r\n", b"STORED\r\n")
        self.c.expect(b"incr n 1000\r\n", b"1001\r\n")
        self.assert_value(b"n", b"1001", flags=7)

    def test_incr_changes_cas(self):
        self.store(b"n", b"1")
        before = self.gets_cas(b"n")
        self.c.expect(b"incr n 1\r\n", b"2\r\n")
        self.assertNotEqual(self.gets_cas(b"n"), before)

    def test_non_numeric_values(self):
        for value in (b"x", b"", b"12a", b"-1", b"1.5"):
            self.store(b"n", value)
            self.c.expect(b"incr n 1\r\n", NONNUM)
            self.c.expect(b"decr n 1\r\n", NONNUM)
            self.assert_value(b"n", value)

    def test_whitespace_around_stored_number(self):
        self.store(b"n", b" 12")
        self.c.expect(b"incr n 1\r\n", b"13\r\n")
        self.store(b"n", b"12 ")
        self.c.expect(b"incr n 1\r\n", b"13\r\n")

    def test_bad_deltas(self):
        self.store(b"n", b"5")
        for delta in (b"-1", b"abc", b"18446744073709551616", b"1a", b"99999999999999999999999"):
            self.c.expect(b"incr n " + delta + b"\r\n", BADDELTA)
            self.c.expect(b"decr n " + delta + b"\r\n", BADDELTA)
        self.assert_value(b"n", b"5")

    def test_lenient_deltas(self):
        self.store(b"n", b"5")
        self.c.expect(b"incr n 01\r\n", b"6\r\n")
        self.c.expect(b"incr n +1\r\n", b"7\r\n")
        self.c.expect(b"incr n 1 extra\r\n", b"8\r\n")
        self.c.expect(b"decr n  1\r\n", b"7\r\n")

    def test_missing_delta(self):
        self.c.expect(b"incr n\r\n", b"ERROR\r\n")
        self.c.expect(b"decr n\r\n", b"ERROR\r\n")


class TouchTest(ServerTestCase):
    def test_touch(self):
        self.c.expect(b"touch t 10\r\n", b"NOT_FOUND\r\n")
        self.store(b"t", b"v")
        self.c.expect(b"touch t 10\r\n", b"TOUCHED\r\n")
        self.c.expect(b"touch t 10 extra\r\n", b"TOUCHED\r\n")
        self.assert_value(b"t", b"v")
        self.c.expect(b"touch t -1\r\n", b"TOUCHED\r\n")
        self.assert_miss(b"t")

    def test_touch_errors(self):
        self.c.expect(b"touch t\r\n", b"ERROR\r\n")
        self.c.expect(b"touch t abc\r\n", BADEXP)
        self.c.expect(b"touch\r\n", b"ERROR\r\n")


class MiscCommandTest(ServerTestCase):
    def test_version(self):
        got = self.c.expect(b"version\r\n", b"VERSION ", sync=False)
        rest = self.c.recv_line()
        self.assertEqual(got + rest, b"VERSION 1.6.18\r\n")

    def test_version_ignores_noreply(self):
        self.c.expect(b"version noreply\r\n", b"VERSION 1.6.18\r\n")

    def test_verbosity(self):
        self.c.expect(b"verbosity 1\r\n", b"OK\r\n")
        self.c.expect(b"verbosity 0\r\n", b"OK\r\n")
        self.c.expect(b"verbosity\r\n", b"ERROR\r\n")
        self.c.expect(b"verbosity abc\r\n", BADFMT)
        self.c.expect(b"verbosity 5 noreply\r\n", b"")
        self.c.expect(b"verbosity 0\r\n", b"OK\r\n")

    def test_flush_all(self):
        self.store(b"a", b"1")
        self.store(b"b", b"2")
        self.c.expect(b"flush_all\r\n", b"OK\r\n")
        self.c.expect(b"get a b\r\n", b"END\r\n")
        self.store(b"a", b"3")
        self.assert_value(b"a", b"3")

    def test_flush_all_forms(self):
        self.store(b"a", b"1")
        self.c.expect(b"flush_all 0\r\n", b"OK\r\n")
        self.assert_miss(b"a")
        self.store(b"a", b"1")
        self.c.expect(b"flush_all -1\r\n", b"OK\r\n")
        self.assert_miss(b"a")
        self.c.expect(b"flush_all abc\r\n", BADEXP)
        self.c.expect(b"flush_all noreply\r\n", b"")
        self.c.expect(b"flush_all 0 noreply\r\n", b"")

    def test_unknown_commands(self):
        for line in (b"bogus", b"GET a", b"STATS", b"sets a 0 0 1", b"getx a", b"x",
                     b"", b"      ", b"set", b"bogus noreply"):
            self.c.expect(line + b"\r\n", b"ERROR\r\n")
        self.c.expect(b"\n", b"ERROR\r\n")

    def test_shutdown_not_enabled(self):
        self.c.expect(b"shutdown\r\n", b"ERROR: shutdown not enabled\r\n")

    def test_quit(self):
        self.c.send(b"quit\r\n")
        self.assertTrue(self.c.is_closed(2.0))
        self.assertEqual(self.c.closed_with, b"")

    def test_quit_flushes_pipelined_replies(self):
        self.store(b"a", b"1")
        c = self.connect()
        c.send(b"get a\r\nquit\r\nget a\r\n")
        self.assertTrue(c.is_closed(2.0))
        self.assertEqual(c.closed_with, value_reply(b"a", b"1") + b"END\r\n")

    def test_quit_with_noreply_or_extra(self):
        for line in (b"quit noreply\r\n", b"quit extra\r\n"):
            c = self.connect()
            c.send(line)
            self.assertTrue(c.is_closed(2.0))
            self.assertEqual(c.closed_with, b"")


class NoreplyTest(ServerTestCase):
    """Every command that honours noreply prints nothing, errors included, and still acts."""

    def test_storage_noreply(self):
        c = self.c
        c.expect(b"set a 5 0 2 noreply\r\nhi\r\n", b"")
        c.expect(b"add a 0 0 1 noreply\r\nx\r\n", b"")
        c.expect(b"add b 0 0 1 noreply\r\nx\r\n", b"")
        c.expect(b"replace c 0 0 1 noreply\r\nx\r\n", b"")
        c.expect(b"replace b 3 0 1 noreply\r\ny\r\n", b"")
        c.expect(b"append a 9 0 2 noreply\r\n++\r\n", b"")
        c.expect(b"prepend a 9 0 2 noreply\r\n--\r\n", b"")
        c.expect(b"append zz 0 0 1 noreply\r\nx\r\n", b"")
        c.expect(b"get a b c zz\r\n", value_reply(b"a", b"--hi++", 5)
                 + value_reply(b"b", b"y", 3) + b"END\r\n")

    def test_cas_noreply(self):
        self.store(b"a", b"v")
        cas = self.gets_cas(b"a")
        self.c.expect(b"cas a 0 0 1 %d noreply\r\nq\r\n" % (cas + 1), b"")   # EXISTS
        self.c.expect(b"cas nope 0 0 1 1 noreply\r\nq\r\n", b"")              # NOT_FOUND
        self.assert_value(b"a", b"v")
        self.c.expect(b"cas a 0 0 1 %d noreply\r\nq\r\n" % cas, b"")          # STORED
        self.assert_value(b"a", b"q")

    def test_arith_touch_delete_noreply(self):
        c = self.c
        c.expect(b"set n 0 0 2 noreply\r\n10\r\n", b"")
        c.expect(b"incr n 5 noreply\r\n", b"")
        c.expect(b"decr n 3 noreply\r\n", b"")
        c.expect(b"incr missing 1 noreply\r\n", b"")
        c.expect(b"incr n abc noreply\r\n", b"")
        c.expect(b"get n\r\n", value_reply(b"n", b"12") + b"END\r\n")
        c.expect(b"set s 0 0 1\r\nx\r\n", b"STORED\r\n")
        c.expect(b"incr s 1 noreply\r\n", b"")       # non-numeric error suppressed
        c.expect(b"touch n 100 noreply\r\n", b"")
        c.expect(b"touch missing 100 noreply\r\n", b"")
        c.expect(b"touch n abc noreply\r\n", b"")
        c.expect(b"delete n noreply\r\n", b"")
        c.expect(b"delete n noreply\r\n", b"")
        c.expect(b"delete n 0 noreply\r\n", b"")
        c.expect(b"get n\r\n", b"END\r\n")

    def test_misc_noreply(self):
        self.store(b"a", b"1")
        self.c.expect(b"verbosity 1 noreply\r\n", b"")
        self.c.expect(b"verbosity 0 noreply\r\n", b"")
        self.c.expect(b"flush_all noreply\r\n", b"")
        self.assert_miss(b"a")

    def test_suppressed_errors(self):
        # bad data chunk is suppressed; the leftover "\r\n" still answers ERROR
        self.c.expect(b"set v 0 0 2 noreply\r\nabcd\r\n", b"ERROR\r\n")
        self.c.expect(b"set x 0 0 -1 noreply\r\n", b"")
        self.c.expect(b"set x 0 0 abc noreply\r\n", b"")
        self.assert_miss(b"v")
        self.assert_miss(b"x")

    def test_bogus_noreply_still_errors(self):
        self.c.expect(b"bogus noreply\r\n", b"ERROR\r\n")

    def test_noreply_store_then_get_pipelined(self):
        script = b"".join(set_cmd(b"k%d" % i, b"v%d" % i, noreply=True) for i in range(200))
        script += b"get k0 k199\r\n"
        self.c.expect(script, value_reply(b"k0", b"v0") + value_reply(b"k199", b"v199")
                      + b"END\r\n")


if __name__ == "__main__":
    unittest.main()
