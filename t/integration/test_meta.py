#!/usr/bin/python3
"""Meta text commands mg ms md ma mn me: exact reply bytes of memcached 1.6.18.

Every flag of every meta command, alone and combined, pipelined with mn; the stale/win/
recache flows (W X Z); stats counters moved by meta commands. Malformed meta input is in
test_meta_bad_input.py.

CAS values differ between servers, so they are asserted relationally (the c<cas> flag is
compared with gets, and with itself after a store). TTL-style numbers are asserted with
the one-second clock tick allowed for (t100 or t99).

1.6.18 differs from the 1.6.45 reference (shared/reference/memcached-behaviour.md 1.9) in
many meta details; the tests assert 1.6.18's bytes (each such place says "1.6.18").
Deliberate slabd differences (flags added after 1.6.18: ms/mg E<cas>, md x, base64 key
limit on the decoded key) are in MetaVariantTest and use self.variant().
"""

import base64
import os
import re
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

from base import set_cmd, is_memcached, is_slabd   # noqa: E402
from shared_server import SharedServerCase, stop_shared_servers   # noqa: E402

BADFMT = b"CLIENT_ERROR bad command line format\r\n"
BADCHUNK = b"CLIENT_ERROR bad data chunk\r\n"
NONNUM = b"CLIENT_ERROR cannot increment or decrement non-numeric value\r\n"
INVALID_FLAG = b"CLIENT_ERROR invalid flag\r\n"
INVALID_OR_DUP = b"CLIENT_ERROR invalid or duplicate flag\r\n"
TOO_LARGE = b"SERVER_ERROR object too large for cache\r\n"
TTL100 = rb"(?:100|99)"        # a TTL of 100 read back within the same or the next second
TTL30 = rb"(?:30|29)"


tearDownModule = stop_shared_servers


def read_meta_reply(conn):
    """One meta reply: the status line plus, for VA, the data block."""
    line = conn.recv_line()
    if line.startswith(b"VA "):
        n = int(line.split()[1])
        line += conn.recv_exact(n + 2)
    return line


class MetaCase(SharedServerCase):
    """Helpers shared by the meta test classes."""

    def rx(self, send, pattern, conn=None, sync=True):
        """Send bytes, read one meta reply and fullmatch it against the regex `pattern`."""
        conn = conn or self.c
        if send:
            conn.send(send)
        got = read_meta_reply(conn)
        m = re.fullmatch(pattern, got, re.S)
        if not m:
            raise AssertionError("sent %r\nwanted /%r/\ngot %r" % (send[:300], pattern, got[:500]))
        if sync:
            conn.sync()
        return m


# ======================================================================================
# mg
# ======================================================================================

class MetaGetTest(MetaCase):
    def test_miss_is_EN(self):
        self.c.expect(b"mg foo\r\n", b"EN\r\n")
        self.c.expect(b"mg foo v\r\n", b"EN\r\n")
        self.c.expect(b"mg foo v f t s c h l u\r\n", b"EN\r\n")

    def test_hit_without_v_is_HD(self):
        self.store(b"foo", b"hi")
        self.c.expect(b"mg foo\r\n", b"HD\r\n")

    def test_v_returns_value(self):
        self.store(b"foo", b"hi", flags=9)
        self.c.expect(b"mg foo v\r\n", b"VA 2\r\nhi\r\n")

    def test_v_binary_and_empty_values(self):
        value = bytes(range(256)) + b"\r\nEN\r\n"
        self.store(b"bin", value)
        self.c.expect(b"mg bin v\r\n", b"VA %d\r\n" % len(value) + value + b"\r\n")
        self.store(b"empty", b"")
        self.c.expect(b"mg empty v\r\n", b"VA 0\r\n\r\n")
        self.c.expect(b"mg empty s\r\n", b"HD s0\r\n")

    def test_bare_newline_terminator(self):
        self.store(b"foo", b"hi")
        self.c.expect(b"mg foo v\n", b"VA 2\r\nhi\r\n")

    def test_f_client_flags(self):
        self.store(b"a", b"x", flags=5)
        self.store(b"b", b"x", flags=0)
        self.store(b"c", b"x", flags=4294967295)
        self.c.expect(b"mg a f\r\n", b"HD f5\r\n")
        self.c.expect(b"mg b f\r\n", b"HD f0\r\n")
        self.c.expect(b"mg c f\r\n", b"HD f4294967295\r\n")

    def test_c_is_the_gets_cas(self):
        self.store(b"foo", b"hi")
        cas = self.gets_cas(b"foo")
        self.c.expect(b"mg foo c\r\n", b"HD c%d\r\n" % cas)
        self.c.expect(b"mg foo v c\r\n", b"VA 2 c%d\r\nhi\r\n" % cas)
        self.store(b"foo", b"ho")
        cas2 = self.gets_cas(b"foo")
        self.assertNotEqual(cas, cas2)
        self.c.expect(b"mg foo c\r\n", b"HD c%d\r\n" % cas2)

    def test_t_without_ttl_is_minus_one(self):
        self.store(b"foo", b"hi")
        self.c.expect(b"mg foo t\r\n", b"HD t-1\r\n")

    def test_t_remaining_ttl(self):
        self.store(b"foo", b"hi", exptime=100)
        self.rx(b"mg foo t\r\n", rb"HD t" + TTL100 + rb"\r\n")

    def test_s_value_size(self):
        self.store(b"foo", b"hello")
        self.c.expect(b"mg foo s\r\n", b"HD s5\r\n")

    def test_k_key_on_hit_and_miss(self):
        self.store(b"foo", b"hi")
        self.c.expect(b"mg foo k\r\n", b"HD kfoo\r\n")
        self.c.expect(b"mg nope k\r\n", b"EN knope\r\n")
        key = b"k" * 250
        self.store(key, b"v")
        self.c.expect(b"mg " + key + b" k v\r\n", b"VA 1 k" + key + b"\r\nv\r\n")

    def test_O_opaque_on_hit_and_miss(self):
        self.store(b"foo", b"hi")
        self.c.expect(b"mg foo O123\r\n", b"HD O123\r\n")
        self.c.expect(b"mg nope Oabc\r\n", b"EN Oabc\r\n")
        self.c.expect(b"mg nope O\r\n", b"EN O\r\n")
        self.c.expect(b"mg foo O\r\n", b"HD O\r\n")

    def test_O_of_32_bytes_is_accepted(self):
        op = b"O" + b"a" * 31
        self.c.expect(b"mg nope " + op + b"\r\n", b"EN " + op + b"\r\n")
        self.store(b"foo", b"hi")
        self.c.expect(b"mg foo v " + op + b"\r\n", b"VA 2 " + op + b"\r\nhi\r\n")

    def test_k_and_O_echoed_on_EN_in_request_order(self):
        self.c.expect(b"mg nope k Oxy v f s t c h l u\r\n", b"EN knope Oxy\r\n")
        self.c.expect(b"mg nope Oxy k\r\n", b"EN Oxy knope\r\n")

    def test_q_hides_EN(self):
        self.c.expect(b"mg nope q\r\n", b"")
        self.c.expect(b"mg nope v q k Oab\r\n", b"")
        self.c.expect(b"mg nope q\r\nmn\r\n", b"MN\r\n")

    def test_q_does_not_hide_hits(self):
        self.store(b"foo", b"hi")
        self.c.expect(b"mg foo q\r\n", b"HD\r\n")
        self.c.expect(b"mg foo q v k\r\n", b"VA 2 kfoo\r\nhi\r\n")

    def test_flag_suffix_bytes_are_ignored(self):
        # only the first byte of a return flag token matters
        self.store(b"foo", b"hi")
        cas = self.gets_cas(b"foo")
        self.c.expect(b"mg foo vxyz kabc c123 s9 tt\r\n",
                      b"VA 2 kfoo c%d s2 t-1\r\nhi\r\n" % cas)
        self.c.expect(b"mg nope qzzz\r\n", b"")

    def test_return_flags_in_request_order(self):
        self.store(b"foo", b"hi", flags=5, exptime=100)
        cas = self.gets_cas(b"foo")
        self.rx(b"mg foo v f t s c k Oab\r\n",
                rb"VA 2 f5 t" + TTL100 + rb" s2 c%d kfoo Oab\r\nhi\r\n" % cas)
        self.rx(b"mg foo Oab k c s t f v\r\n",
                rb"VA 2 Oab kfoo c%d s2 t" % cas + TTL100 + rb" f5\r\nhi\r\n")
        self.rx(b"mg foo k f s t\r\n", rb"HD kfoo f5 s2 t" + TTL100 + rb"\r\n")

    def test_combined_example(self):
        self.store(b"foo", b"hi")
        cas = self.gets_cas(b"foo")
        self.c.expect(b"mg foo s v t f c k Oabc q\r\n",
                      b"VA 2 s2 t-1 f0 c%d kfoo Oabc\r\nhi\r\n" % cas)

    def test_values_around_the_copy_limit(self):
        # Up to 4096 bytes a hit's reply is written under the item lock; larger values go out
        # from the item: the bytes must not differ.
        for n in (4095, 4096, 4097, 20000):
            key = b"big%d" % n
            value = bytes((i * 7 + n) % 251 for i in range(n))
            self.store(key, value, flags=3)
            cas = self.gets_cas(key)
            self.c.expect(b"mg %s s v f c k O9 t\r\n" % key,
                          b"VA %d s%d f3 c%d k%s O9 t-1\r\n" % (n, n, cas, key) + value + b"\r\n")
            self.c.expect(b"mg %s s f k\r\n" % key, b"HD s%d f3 k%s\r\n" % (n, key))

    def test_flags_accepted_and_ignored_by_mg(self):
        # 1.6.18's shared flag parser accepts these on mg and ignores them
        self.store(b"foo", b"hi")
        self.c.expect(b"mg foo J5 D5 F5 I P L MZ v\r\n", b"VA 2\r\nhi\r\n")
        self.c.expect(b"mg nope J5 D5 C5 F5 I P L MZ\r\n", b"EN\r\n")

    def test_C_is_ignored_by_mg(self):
        # 1.6.18: C<cas> on mg neither compares nor drops v
        self.store(b"foo", b"hi")
        cas = self.gets_cas(b"foo")
        self.c.expect(b"mg foo v C%d\r\n" % cas, b"VA 2\r\nhi\r\n")
        self.c.expect(b"mg foo v C%d\r\n" % (cas + 1), b"VA 2\r\nhi\r\n")

    # ---- h l u --------------------------------------------------------------------

    def test_h_fetched_before(self):
        self.store(b"foo", b"hi")
        self.c.expect(b"mg foo h\r\n", b"HD h0\r\n")
        self.c.expect(b"mg foo h\r\n", b"HD h1\r\n")
        self.c.expect(b"mg foo v h\r\n", b"VA 2 h1\r\nhi\r\n")

    def test_h_after_plain_hit(self):
        self.store(b"foo", b"hi")
        self.c.expect(b"mg foo v\r\n", b"VA 2\r\nhi\r\n")
        self.c.expect(b"mg foo h\r\n", b"HD h1\r\n")
        self.store(b"bar", b"hi")
        self.assert_value(b"bar", b"hi")
        self.c.expect(b"mg bar h\r\n", b"HD h1\r\n")

    def test_u_does_not_mark_fetched(self):
        self.store(b"foo", b"hi")
        self.c.expect(b"mg foo u\r\n", b"HD\r\n")
        self.c.expect(b"mg foo u v h\r\n", b"VA 2 h0\r\nhi\r\n")
        self.c.expect(b"mg foo h\r\n", b"HD h0\r\n")
        self.c.expect(b"mg foo h\r\n", b"HD h1\r\n")

    def test_l_of_a_fresh_item(self):
        self.store(b"foo", b"hi")
        self.rx(b"mg foo l h\r\n", rb"HD l[01] h0\r\n")

    def test_l_and_me_la_after_a_second(self):
        self.store(b"foo", b"hi")
        time.sleep(1.1)
        m = self.rx(b"me foo\r\n", rb"ME foo exp=-1 la=([12]) cas=\d+ fetch=no cls=\d+ size=\d+\r\n")
        la = int(m.group(1))
        m = self.rx(b"mg foo l h u\r\n", rb"HD l([12]) h0\r\n")
        self.assertGreaterEqual(int(m.group(1)), la)

    # ---- T N R -----------------------------------------------------------------------

    def test_T_sets_ttl(self):
        self.store(b"foo", b"hi")
        self.c.expect(b"mg foo T100\r\n", b"HD\r\n")
        self.rx(b"mg foo t\r\n", rb"HD t" + TTL100 + rb"\r\n")

    def test_T_and_t_order(self):
        # return flags are computed in request order: t before T shows the old TTL
        self.store(b"foo", b"hi", exptime=100)
        self.rx(b"mg foo t T30\r\n", rb"HD t" + TTL100 + rb"\r\n")
        self.rx(b"mg foo t\r\n", rb"HD t" + TTL30 + rb"\r\n")
        self.rx(b"mg foo T100 t v\r\n", rb"VA 2 t" + TTL100 + rb"\r\nhi\r\n")

    def test_T_zero_clears_ttl(self):
        self.store(b"foo", b"hi", exptime=100)
        self.c.expect(b"mg foo T0 t\r\n", b"HD t-1\r\n")

    def test_T_negative_expires(self):
        self.store(b"foo", b"hi")
        self.c.expect(b"mg foo T-1\r\n", b"HD\r\n")
        self.c.expect(b"mg foo v\r\n", b"EN\r\n")

    def test_T_lenient_numbers(self):
        self.store(b"foo", b"hi")
        self.rx(b"mg foo T+100 t\r\n", rb"HD t" + TTL100 + rb"\r\n")
        # 1.6.18 keeps the low 32 bits of a T value: 4294967396 = 2^32 + 100
        self.rx(b"mg foo T4294967396 t\r\n", rb"HD t" + TTL100 + rb"\r\n")

    def test_T_on_miss(self):
        self.c.expect(b"mg nope T30 v\r\n", b"EN\r\n")

    def test_N_autovivifies_on_miss(self):
        m = self.rx(b"mg foo N30 v c t\r\n", rb"VA 0 c(\d+) t" + TTL30 + rb" W\r\n\r\n")
        self.assertEqual(int(m.group(1)), self.gets_cas(b"foo"))
        self.c.expect(b"mg foo s f v\r\n", b"VA 0 s0 f0 Z\r\n\r\n")
        self.assert_value(b"foo", b"")

    def test_N_with_k_O(self):
        self.c.expect(b"mg foo N30 k O1 s f v\r\n", b"VA 0 kfoo O1 s0 f0 W\r\n\r\n")

    def test_N_on_hit_does_nothing(self):
        self.store(b"foo", b"hi")
        self.c.expect(b"mg foo N30 v t\r\n", b"VA 2 t-1\r\nhi\r\n")
        self.c.expect(b"mg foo N30\r\n", b"HD\r\n")

    def test_N_and_t_order(self):
        # t before N reports the TTL of the new item before N sets it
        self.c.expect(b"mg foo t N30\r\n", b"HD t-1 W\r\n")
        self.rx(b"mg foo t\r\n", rb"HD t" + TTL30 + rb" Z\r\n")

    def test_N_and_T_order(self):
        self.rx(b"mg a N30 T100 t\r\n", rb"HD t" + TTL100 + rb" W\r\n")
        self.rx(b"mg b T100 N30 t\r\n", rb"HD t" + TTL30 + rb" W\r\n")

    def test_N_negative_ttl_creates_expired_item(self):
        self.c.expect(b"mg foo N-1\r\n", b"HD W\r\n")
        self.c.expect(b"mg foo v\r\n", b"EN\r\n")

    def test_N_q_still_shows_the_win(self):
        self.c.expect(b"mg foo N30 q\r\n", b"HD W\r\n")
        self.c.expect(b"mg foo N30 q\r\n", b"HD Z\r\n")

    # ---- b ---------------------------------------------------------------------------

    def test_b_base64_key(self):
        self.c.expect(b"ms Zm9v 2 b\r\nhi\r\n", b"HD\r\n")
        # the decoded key is the item's key
        self.c.expect(b"mg foo v\r\n", b"VA 2\r\nhi\r\n")
        self.c.expect(b"mg Zm9v v\r\n", b"EN\r\n")
        self.c.expect(b"mg Zm9v b v k\r\n", b"VA 2 kZm9v b\r\nhi\r\n")
        # k re-encodes a binary key even when it was fetched without b
        self.c.expect(b"mg foo k\r\n", b"HD kZm9v b\r\n")

    def test_b_miss_echoes_encoded_key(self):
        self.c.expect(b"mg Zm9v b k\r\n", b"EN kZm9v b\r\n")
        self.c.expect(b"mg Zg== b k\r\n", b"EN kZg== b\r\n")
        self.c.expect(b"mg Zm9v b q k\r\nmn\r\n", b"MN\r\n")

    def test_b_on_a_key_stored_by_classic_set(self):
        # the item is not flagged binary, so k returns the raw key
        self.store(b"foo", b"hi")
        self.c.expect(b"mg Zm9v b k v\r\n", b"VA 2 kfoo\r\nhi\r\n")

    def test_b_key_with_space_and_control_bytes(self):
        key = b"a b\r\n\x00"
        enc = base64.b64encode(key)
        self.c.expect(b"ms " + enc + b" 2 b\r\nhi\r\n", b"HD\r\n")
        self.c.expect(b"mg " + enc + b" b k v\r\n", b"VA 2 k" + enc + b" b\r\nhi\r\n")


# ======================================================================================
# stale / win / recache flows
# ======================================================================================

class MetaStaleWinTest(MetaCase):
    def test_N_miss_twice_W_then_Z(self):
        m = self.rx(b"mg foo N30 v c\r\n", rb"VA 0 c(\d+) W\r\n\r\n")
        cas = int(m.group(1))
        self.c.expect(b"mg foo N30 v c\r\n", b"VA 0 c%d Z\r\n\r\n" % cas)
        self.c.expect(b"mg foo\r\n", b"HD Z\r\n")

    def test_store_clears_the_token(self):
        self.c.expect(b"mg foo N30\r\n", b"HD W\r\n")
        self.c.expect(b"ms foo 2\r\nhi\r\n", b"HD\r\n")
        self.c.expect(b"mg foo v\r\n", b"VA 2\r\nhi\r\n")

    def test_md_I_then_mg_X_W_then_Z_X(self):
        # 1.6.18 emits Z before X
        self.store(b"foo", b"hi")
        self.c.expect(b"md foo I\r\n", b"HD\r\n")
        self.c.expect(b"mg foo v\r\n", b"VA 2 X W\r\nhi\r\n")
        self.c.expect(b"mg foo v\r\n", b"VA 2 Z X\r\nhi\r\n")
        self.c.expect(b"mg foo\r\n", b"HD Z X\r\n")

    def test_md_I_bumps_cas(self):
        self.store(b"foo", b"hi")
        old = self.gets_cas(b"foo")
        self.c.expect(b"md foo I\r\n", b"HD\r\n")
        m = self.rx(b"mg foo c\r\n", rb"HD c(\d+) X W\r\n")
        self.assertNotEqual(int(m.group(1)), old)
        self.assertEqual(int(m.group(1)), self.gets_cas(b"foo"))

    def test_md_I_T_sets_ttl(self):
        self.store(b"foo", b"hi", exptime=100)
        self.c.expect(b"md foo I T30\r\n", b"HD\r\n")
        self.rx(b"mg foo t v\r\n", rb"VA 2 t" + TTL30 + rb" X W\r\nhi\r\n")

    def test_md_I_without_T_keeps_ttl(self):
        self.store(b"foo", b"hi", exptime=100)
        self.c.expect(b"md foo I\r\n", b"HD\r\n")
        self.rx(b"mg foo t\r\n", rb"HD t" + TTL100 + rb" X W\r\n")

    def test_md_I_resets_a_sent_token(self):
        self.c.expect(b"mg foo N30\r\n", b"HD W\r\n")
        self.c.expect(b"md foo I\r\n", b"HD\r\n")
        self.c.expect(b"mg foo\r\n", b"HD X W\r\n")
        self.c.expect(b"md foo I\r\n", b"HD\r\n")
        self.c.expect(b"mg foo\r\n", b"HD X W\r\n")
        self.c.expect(b"mg foo\r\n", b"HD Z X\r\n")

    def test_md_I_q(self):
        self.store(b"foo", b"hi")
        self.c.expect(b"md foo I q\r\nmn\r\n", b"MN\r\n")
        self.c.expect(b"mg foo v\r\n", b"VA 2 X W\r\nhi\r\n")

    def test_md_after_md_I_deletes(self):
        self.store(b"foo", b"hi")
        self.c.expect(b"md foo I\r\n", b"HD\r\n")
        self.c.expect(b"md foo\r\n", b"HD\r\n")
        self.c.expect(b"mg foo\r\n", b"EN\r\n")

    def test_md_I_on_miss(self):
        self.c.expect(b"md foo I\r\n", b"NF\r\n")
        self.c.expect(b"mg foo\r\n", b"EN\r\n")

    def test_R_below_ttl_gives_W_once_then_Z(self):
        self.store(b"foo", b"hi", exptime=100)
        cas = self.gets_cas(b"foo")
        self.c.expect(b"mg foo R30 c\r\n", b"HD c%d\r\n" % cas)        # TTL above 30: no win
        self.c.expect(b"mg foo R200 c\r\n", b"HD c%d W\r\n" % cas)
        self.c.expect(b"mg foo R200 c\r\n", b"HD c%d Z\r\n" % cas)
        self.c.expect(b"mg foo v\r\n", b"VA 2 Z\r\nhi\r\n")

    def test_R_without_ttl_never_wins(self):
        self.store(b"foo", b"hi")
        self.c.expect(b"mg foo R200\r\n", b"HD\r\n")
        self.c.expect(b"mg foo R200\r\n", b"HD\r\n")

    def test_R_and_T_order(self):
        # R is evaluated where it stands: against the old TTL here, then T changes it
        self.store(b"foo", b"hi", exptime=100)
        self.c.expect(b"mg foo R200 T5 t\r\n", b"HD t5 W\r\n")
        self.c.expect(b"mg foo R200 t\r\n", b"HD t5 Z\r\n")

    def test_R_on_item_created_by_N(self):
        self.c.expect(b"mg foo N30 R60\r\n", b"HD W\r\n")
        self.c.expect(b"mg foo R60\r\n", b"HD Z\r\n")

    def test_N_and_R_on_existing_item(self):
        self.store(b"foo", b"hi", exptime=100)
        self.c.expect(b"mg foo N30 R200 v\r\n", b"VA 2 W\r\nhi\r\n")
        self.c.expect(b"mg foo v\r\n", b"VA 2 Z\r\nhi\r\n")

    def test_ms_I_with_older_cas_marks_stale(self):
        self.c.expect(b"ms foo 2 T100\r\nhi\r\n", b"HD\r\n")
        cas = self.gets_cas(b"foo")
        # older CAS + I: stored, marked stale, the old TTL kept (T5 is ignored)
        m = self.rx(b"ms foo 2 I C%d c T5\r\nho\r\n" % (cas - 1), rb"HD c(\d+)\r\n")
        new = int(m.group(1))
        self.assertNotEqual(new, cas)
        self.rx(b"mg foo v c t\r\n", rb"VA 2 c%d t" % new + TTL100 + rb" X W\r\nho\r\n")
        self.rx(b"mg foo v c t\r\n", rb"VA 2 c%d t" % new + TTL100 + rb" Z X\r\nho\r\n")

    def test_ms_I_with_matching_cas_is_a_plain_cas(self):
        self.store(b"foo", b"hi")
        cas = self.gets_cas(b"foo")
        self.c.expect(b"ms foo 2 I C%d\r\nho\r\n" % cas, b"HD\r\n")
        self.c.expect(b"mg foo v\r\n", b"VA 2\r\nho\r\n")

    def test_ms_I_with_newer_cas_is_EX(self):
        self.store(b"foo", b"hi")
        cas = self.gets_cas(b"foo")
        self.c.expect(b"ms foo 2 I C%d c\r\nho\r\n" % (cas + 1000), b"EX c0\r\n")
        self.c.expect(b"mg foo v\r\n", b"VA 2\r\nhi\r\n")

    def test_ms_I_without_C_is_a_plain_set(self):
        self.store(b"foo", b"hi")
        self.c.expect(b"ms foo 2 I\r\nho\r\n", b"HD\r\n")
        self.c.expect(b"mg foo v\r\n", b"VA 2\r\nho\r\n")

    def test_ms_I_keeps_a_sent_token(self):
        self.c.expect(b"ms foo 2 T100\r\nhi\r\n", b"HD\r\n")
        self.c.expect(b"mg foo N30 R200\r\n", b"HD W\r\n")
        cas = self.gets_cas(b"foo")
        self.c.expect(b"ms foo 2 I C%d\r\nho\r\n" % (cas - 1), b"HD\r\n")
        self.c.expect(b"mg foo v\r\n", b"VA 2 Z X\r\nho\r\n")


# ======================================================================================
# ms
# ======================================================================================

class MetaSetTest(MetaCase):
    def test_plain_set(self):
        self.c.expect(b"ms foo 2\r\nhi\r\n", b"HD\r\n")
        self.c.expect(b"mg foo v f t\r\n", b"VA 2 f0 t-1\r\nhi\r\n")
        self.assert_value(b"foo", b"hi")

    def test_zero_length_value(self):
        self.c.expect(b"ms foo 0\r\n\r\n", b"HD\r\n")
        self.c.expect(b"mg foo v s\r\n", b"VA 0 s0\r\n\r\n")

    def test_binary_value(self):
        value = b"\r\n\x00HD\r\nms x 1\r\n"
        self.c.expect(b"ms foo %d\r\n" % len(value) + value + b"\r\n", b"HD\r\n")
        self.assert_value(b"foo", value)

    def test_F_and_T(self):
        self.c.expect(b"ms foo 2 F77 T100\r\nhi\r\n", b"HD\r\n")
        self.rx(b"mg foo f t v\r\n", rb"VA 2 f77 t" + TTL100 + rb"\r\nhi\r\n")
        self.c.expect(b"get foo\r\n", b"VALUE foo 77 2\r\nhi\r\nEND\r\n")

    def test_overwrite_resets_flags_and_ttl_to_defaults(self):
        self.c.expect(b"ms foo 2 F7 T100\r\nhi\r\n", b"HD\r\n")
        self.c.expect(b"ms foo 2\r\nho\r\n", b"HD\r\n")
        self.c.expect(b"mg foo v f t\r\n", b"VA 2 f0 t-1\r\nho\r\n")

    def test_F_max_and_truncation(self):
        self.c.expect(b"ms foo 1 F4294967295\r\nx\r\n", b"HD\r\n")
        self.c.expect(b"mg foo f\r\n", b"HD f4294967295\r\n")
        # 1.6.18 keeps the low 32 bits, like the classic set line
        self.c.expect(b"ms foo 1 F4294967297\r\nx\r\n", b"HD\r\n")
        self.c.expect(b"mg foo f\r\n", b"HD f1\r\n")

    def test_T_negative_expires(self):
        self.c.expect(b"ms foo 2 T-1\r\nhi\r\n", b"HD\r\n")
        self.c.expect(b"mg foo\r\n", b"EN\r\n")

    def test_T_truncated_to_32_bits(self):
        self.c.expect(b"ms foo 2 T4294967396\r\nhi\r\n", b"HD\r\n")
        self.rx(b"mg foo t\r\n", rb"HD t" + TTL100 + rb"\r\n")

    def test_c_returns_new_cas(self):
        m = self.rx(b"ms foo 2 c\r\nhi\r\n", rb"HD c(\d+)\r\n")
        c1 = int(m.group(1))
        self.assertEqual(c1, self.gets_cas(b"foo"))
        m = self.rx(b"ms foo 2 c\r\nhi\r\n", rb"HD c(\d+)\r\n")
        c2 = int(m.group(1))
        self.assertNotEqual(c1, c2)
        self.assertEqual(c2, self.gets_cas(b"foo"))

    def test_k_O_c_in_request_order(self):
        m = self.rx(b"ms foo 2 k c Oq1\r\nhi\r\n", rb"HD kfoo c(\d+) Oq1\r\n")
        self.assertEqual(int(m.group(1)), self.gets_cas(b"foo"))
        m = self.rx(b"ms foo 2 Oq2 c k\r\nhi\r\n", rb"HD Oq2 c(\d+) kfoo\r\n")
        self.assertEqual(int(m.group(1)), self.gets_cas(b"foo"))

    def test_return_flags_that_ms_ignores(self):
        # 1.6.18 ms returns only O k c; s t f v h l u are accepted and print nothing
        m = self.rx(b"ms foo 2 F5 k c O1 s t f v h l u\r\nhi\r\n", rb"HD kfoo c(\d+) O1\r\n")
        self.assertEqual(int(m.group(1)), self.gets_cas(b"foo"))
        self.c.expect(b"ms foo 2 s\r\nhi\r\n", b"HD\r\n")
        self.c.expect(b"mg foo f v\r\n", b"VA 2 f0\r\nhi\r\n")

    def test_documented_example(self):
        m = self.rx(b"ms foo 2 T0 F5 c k s Oq1\r\nhi\r\n", rb"HD c(\d+) kfoo Oq1\r\n")
        self.assertEqual(int(m.group(1)), self.gets_cas(b"foo"))

    def test_q_hides_HD_only(self):
        self.c.expect(b"ms foo 2 q\r\nhi\r\n", b"")
        self.c.expect(b"ms foo 2 q ME\r\nhi\r\n", b"NS\r\n")
        self.c.expect(b"ms foo 2 q MR C1\r\nhi\r\n", b"EX\r\n")
        self.c.expect(b"ms bar 2 q MR\r\nhi\r\n", b"NS\r\n")
        self.c.expect(b"ms bar 2 q C1\r\nhi\r\n", b"NF\r\n")
        self.c.expect(b"ms foo 2 q\r\nho\r\nmn\r\n", b"MN\r\n")
        self.c.expect(b"mg foo v\r\n", b"VA 2\r\nho\r\n")

    def test_lenient_datalen(self):
        self.c.expect(b"ms foo +2\r\nhi\r\n", b"HD\r\n")
        self.c.expect(b"ms foo 02\r\nho\r\n", b"HD\r\n")
        self.c.expect(b"mg foo v\r\n", b"VA 2\r\nho\r\n")

    def test_datalen_keeps_low_32_bits(self):
        # 1.6.18: 4294967298 = 2^32 + 2 is read as 2
        self.c.expect(b"ms foo 4294967298\r\nhi\r\n", b"HD\r\n")
        self.c.expect(b"mg foo v\r\n", b"VA 2\r\nhi\r\n")

    def test_extra_spaces(self):
        self.c.expect(b"ms  foo  2  T0  \r\nhi\r\n", b"HD\r\n")
        self.c.expect(b"mg foo v\r\n", b"VA 2\r\nhi\r\n")

    def test_250_byte_key_with_k(self):
        key = b"k" * 250
        self.c.expect(b"ms " + key + b" 2 k\r\nhi\r\n", b"HD k" + key + b"\r\n")
        self.assert_value(key, b"hi")

    def test_b_key(self):
        m = self.rx(b"ms Zm9v 2 b k c\r\nhi\r\n", rb"HD kZm9v b c(\d+)\r\n")
        self.assertEqual(int(m.group(1)), self.gets_cas(b"foo"))
        self.assert_value(b"foo", b"hi")
        self.c.expect(b"ms AAEC 2 b k\r\nhi\r\n", b"HD kAAEC b\r\n")
        self.c.expect(b"mg AAEC b k s\r\n", b"HD kAAEC b s2\r\n")

    # ---- modes -----------------------------------------------------------------------

    def test_mode_S_is_set(self):
        self.c.expect(b"ms foo 2 MS\r\nhi\r\n", b"HD\r\n")
        self.c.expect(b"ms foo 2 MS F1\r\nho\r\n", b"HD\r\n")
        self.c.expect(b"mg foo v f\r\n", b"VA 2 f1\r\nho\r\n")

    def test_mode_E_is_add(self):
        self.c.expect(b"ms foo 2 ME\r\nhi\r\n", b"HD\r\n")
        # NS replies carry c0 (no new CAS) plus k and O
        self.c.expect(b"ms foo 2 ME c k O1\r\nho\r\n", b"NS c0 kfoo O1\r\n")
        self.c.expect(b"mg foo v\r\n", b"VA 2\r\nhi\r\n")

    def test_mode_R_is_replace(self):
        self.c.expect(b"ms foo 2 MR c k O1\r\nhi\r\n", b"NS c0 kfoo O1\r\n")
        self.c.expect(b"mg foo\r\n", b"EN\r\n")
        self.store(b"foo", b"hi")
        m = self.rx(b"ms foo 2 MR c\r\nho\r\n", rb"HD c(\d+)\r\n")
        self.assertEqual(int(m.group(1)), self.gets_cas(b"foo"))
        self.c.expect(b"mg foo v\r\n", b"VA 2\r\nho\r\n")

    def test_mode_A_is_append_keeping_flags_and_ttl(self):
        self.c.expect(b"ms foo 2 MA c\r\nhi\r\n", b"NS c0\r\n")
        self.store(b"foo", b"hi", flags=3)
        m = self.rx(b"ms foo 2 MA F9 T100 c\r\nho\r\n", rb"HD c(\d+)\r\n")
        self.assertEqual(int(m.group(1)), self.gets_cas(b"foo"))
        self.c.expect(b"mg foo v f t\r\n", b"VA 4 f3 t-1\r\nhiho\r\n")

    def test_mode_P_is_prepend(self):
        self.c.expect(b"ms foo 2 MP c\r\nhi\r\n", b"NS c0\r\n")
        self.store(b"foo", b"hi", flags=3)
        self.c.expect(b"ms foo 2 MP\r\nho\r\n", b"HD\r\n")
        self.c.expect(b"mg foo v f\r\n", b"VA 4 f3\r\nhohi\r\n")

    def test_append_to_item_created_by_N(self):
        self.c.expect(b"mg foo N30 v\r\n", b"VA 0 W\r\n\r\n")
        self.c.expect(b"ms foo 2 MA\r\nhi\r\n", b"HD\r\n")
        self.c.expect(b"mg foo v\r\n", b"VA 2\r\nhi\r\n")

    def test_N_with_append_does_not_autovivify(self):
        # 1.6.18 ignores N on ms: append/prepend to a missing key is NS
        self.c.expect(b"ms foo 2 MA N30\r\nhi\r\n", b"NS\r\n")
        self.c.expect(b"ms foo 2 MP N30 c\r\nhi\r\n", b"NS c0\r\n")
        self.c.expect(b"mg foo\r\n", b"EN\r\n")

    def test_invalid_mode_swallows_data(self):
        for mode in (b"MX", b"Ms", b"Me", b"M1"):
            self.c.expect(b"ms foo 2 " + mode + b"\r\nmn\r\n",
                          b"CLIENT_ERROR invalid mode for ms M token\r\n")
        self.c.expect(b"mg foo\r\n", b"EN\r\n")

    # ---- C (compare and swap) --------------------------------------------------------

    def test_C_match_stores(self):
        self.store(b"foo", b"hi")
        cas = self.gets_cas(b"foo")
        m = self.rx(b"ms foo 2 C%d c\r\nho\r\n" % cas, rb"HD c(\d+)\r\n")
        self.assertNotEqual(int(m.group(1)), cas)
        self.c.expect(b"mg foo v\r\n", b"VA 2\r\nho\r\n")

    def test_C_mismatch_is_EX(self):
        self.store(b"foo", b"hi")
        cas = self.gets_cas(b"foo")
        self.c.expect(b"ms foo 2 C%d c k\r\nho\r\n" % (cas + 1), b"EX c0 kfoo\r\n")
        self.c.expect(b"ms foo 2 C0\r\nho\r\n", b"EX\r\n")
        self.c.expect(b"mg foo v\r\n", b"VA 2\r\nhi\r\n")

    def test_C_on_missing_key_is_NF(self):
        self.c.expect(b"ms foo 2 C1 c O9\r\nho\r\n", b"NF c0 O9\r\n")
        self.c.expect(b"ms foo 2 C0\r\nho\r\n", b"NF\r\n")
        self.c.expect(b"mg foo\r\n", b"EN\r\n")

    def test_C_with_replace_is_cas(self):
        self.store(b"foo", b"hi")
        cas = self.gets_cas(b"foo")
        self.c.expect(b"ms foo 2 C%d MR c\r\nho\r\n" % (cas + 1), b"EX c0\r\n")
        self.c.expect(b"ms foo 2 C%d MR\r\nho\r\n" % cas, b"HD\r\n")
        self.c.expect(b"ms bar 2 C%d MR\r\nho\r\n" % cas, b"NF\r\n")
        self.c.expect(b"mg foo v\r\n", b"VA 2\r\nho\r\n")

    def test_C_with_add_is_ignored(self):
        self.c.expect(b"ms foo 2 C1 ME\r\nho\r\n", b"HD\r\n")
        self.c.expect(b"ms foo 2 C1 ME\r\nhi\r\n", b"NS\r\n")
        self.c.expect(b"mg foo v\r\n", b"VA 2\r\nho\r\n")

    def test_C_with_append_and_prepend_compares(self):
        self.store(b"foo", b"hi")
        cas = self.gets_cas(b"foo")
        self.c.expect(b"ms foo 2 C%d MA c\r\nho\r\n" % (cas + 1), b"EX c0\r\n")
        self.c.expect(b"ms foo 2 C%d MP c\r\nho\r\n" % (cas + 1), b"EX c0\r\n")
        self.c.expect(b"mg foo v\r\n", b"VA 2\r\nhi\r\n")
        self.c.expect(b"ms foo 2 C%d MA\r\nho\r\n" % cas, b"HD\r\n")
        self.c.expect(b"mg foo v\r\n", b"VA 4\r\nhiho\r\n")
        self.c.expect(b"ms bar 2 C1 MA\r\nho\r\n", b"NS\r\n")

    # ---- data block errors -----------------------------------------------------------

    def test_bad_data_chunk(self):
        # exactly datalen+2 bytes are consumed; what follows is the next command
        self.c.expect(b"ms foo 2\r\nhiXXmn\r\n", BADCHUNK + b"MN\r\n")
        self.c.expect(b"mg foo\r\n", b"EN\r\n")

    def test_bad_data_chunk_even_with_q(self):
        self.c.expect(b"ms foo 2 q\r\nhiXXmn\r\n", BADCHUNK + b"MN\r\n")
        self.c.expect(b"ms foo 2 q k O1 c\r\nhiXXmn\r\n", BADCHUNK + b"MN\r\n")

    def test_bad_data_chunk_keeps_old_value(self):
        self.store(b"foo", b"old")
        self.c.expect(b"ms foo 2\r\nhi\n\n", BADCHUNK)
        self.c.expect(b"mg foo v\r\n", b"VA 3\r\nold\r\n")

    def test_data_arriving_in_pieces(self):
        self.c.send(b"ms foo 5 c")
        time.sleep(0.05)
        self.c.send(b"\r\nhel")
        time.sleep(0.05)
        self.c.send(b"lo\r")
        time.sleep(0.05)
        self.rx(b"\n", rb"HD c\d+\r\n")
        self.c.expect(b"mg foo v\r\n", b"VA 5\r\nhello\r\n")


class MetaSetTooLargeTest(MetaCase):
    server_args = ["-I", "512k"]
    BIG = 600000

    def test_too_large_swallows_data(self):
        data = (b"mn\r\n" * (self.BIG // 4 + 1))[:self.BIG]
        self.c.expect(b"ms foo %d\r\n" % self.BIG + data + b"\r\n", TOO_LARGE)
        self.c.expect(b"mg foo\r\n", b"EN\r\n")

    def test_too_large_ignores_q_and_flags(self):
        self.c.expect(b"ms foo %d q k O1 c\r\n" % self.BIG + b"a" * self.BIG + b"\r\n", TOO_LARGE)

    def test_too_large_unlinks_old_item_in_every_mode(self):
        for mode in (b"", b" MS", b" ME", b" MA", b" MP", b" MR"):
            with self.subTest(mode=mode):
                self.store(b"foo", b"hi")
                self.c.expect(b"ms foo %d%s\r\n" % (self.BIG, mode) + b"a" * self.BIG + b"\r\n",
                              TOO_LARGE)
                self.c.expect(b"mg foo\r\n", b"EN\r\n")

    def test_large_but_fitting_value(self):
        n = 500000
        self.c.expect(b"ms foo %d\r\n" % n + b"b" * n + b"\r\n", b"HD\r\n")
        self.c.expect(b"mg foo s\r\n", b"HD s%d\r\n" % n)

    def test_too_large_counts_store_too_large(self):
        before = int(self.c.stats()["store_too_large"])
        self.c.expect(b"ms foo %d\r\n" % self.BIG + b"a" * self.BIG + b"\r\n", TOO_LARGE)
        self.assertEqual(int(self.c.stats()["store_too_large"]), before + 1)


# ======================================================================================
# md
# ======================================================================================

class MetaDeleteTest(MetaCase):
    def test_hit_then_miss(self):
        self.store(b"foo", b"hi")
        self.c.expect(b"md foo\r\n", b"HD\r\n")
        self.c.expect(b"mg foo\r\n", b"EN\r\n")
        self.c.expect(b"md foo\r\n", b"NF\r\n")

    def test_q_hides_HD_only(self):
        self.store(b"foo", b"hi")
        self.c.expect(b"md foo q\r\n", b"")
        self.c.expect(b"mg foo\r\n", b"EN\r\n")
        self.c.expect(b"md foo q\r\n", b"NF\r\n")
        self.store(b"foo", b"hi")
        cas = self.gets_cas(b"foo")
        self.c.expect(b"md foo q C%d\r\n" % (cas + 1), b"EX\r\n")

    def test_k_O_in_request_order(self):
        self.store(b"foo", b"hi")
        self.c.expect(b"md foo O1 k\r\n", b"HD O1 kfoo\r\n")
        self.c.expect(b"md foo k O1\r\n", b"NF kfoo O1\r\n")
        self.c.expect(b"md foo k O123 q\r\n", b"NF kfoo O123\r\n")

    def test_C_match_deletes(self):
        self.store(b"foo", b"hi")
        cas = self.gets_cas(b"foo")
        self.c.expect(b"md foo C%d\r\n" % cas, b"HD\r\n")
        self.c.expect(b"mg foo\r\n", b"EN\r\n")

    def test_C_mismatch_is_EX(self):
        self.store(b"foo", b"hi")
        cas = self.gets_cas(b"foo")
        self.c.expect(b"md foo C%d k O1\r\n" % (cas + 1), b"EX kfoo O1\r\n")
        self.c.expect(b"md foo C0\r\n", b"EX\r\n")
        self.c.expect(b"mg foo v\r\n", b"VA 2\r\nhi\r\n")
        self.c.expect(b"md nope C1\r\n", b"NF\r\n")

    def test_T_without_I_just_deletes(self):
        self.store(b"foo", b"hi", exptime=100)
        self.c.expect(b"md foo T30\r\n", b"HD\r\n")
        self.c.expect(b"mg foo\r\n", b"EN\r\n")

    def test_b_key(self):
        self.c.expect(b"ms Zm9v 2 b\r\nhi\r\n", b"HD\r\n")
        self.c.expect(b"md Zm9v b k\r\n", b"HD kZm9v b\r\n")
        self.c.expect(b"md Zm9v b k\r\n", b"NF kZm9v b\r\n")
        self.c.expect(b"md Zm9v k\r\n", b"NF kZm9v\r\n")

    def test_b_k_on_a_classic_key_is_encoded(self):
        # md echoes the request's key encoding, not the item's
        self.store(b"foo", b"hi")
        self.c.expect(b"md Zm9v b k\r\n", b"HD kZm9v b\r\n")
        self.c.expect(b"mg foo\r\n", b"EN\r\n")

    def test_accepted_flags_print_nothing(self):
        self.store(b"foo", b"hi")
        self.c.expect(b"md foo v f t s c h l u\r\n", b"HD\r\n")
        self.store(b"foo", b"hi")
        self.c.expect(b"md foo R30 F3 J1 D1 MZ P L N30\r\n", b"HD\r\n")
        self.c.expect(b"md foo N30\r\n", b"NF\r\n")
        self.c.expect(b"mg foo\r\n", b"EN\r\n")

    def test_I_c_prints_no_cas(self):
        self.store(b"foo", b"hi")
        self.c.expect(b"md foo I c\r\n", b"HD\r\n")


# ======================================================================================
# ma
# ======================================================================================

class MetaArithmeticTest(MetaCase):
    def test_miss_is_NF_even_with_q(self):
        self.c.expect(b"ma foo\r\n", b"NF\r\n")
        self.c.expect(b"ma foo q\r\n", b"NF\r\n")
        self.c.expect(b"ma foo k O1 q\r\n", b"NF kfoo O1\r\n")
        self.c.expect(b"ma foo MD\r\n", b"NF\r\n")

    def test_incr_default_delta_one(self):
        self.store(b"n", b"5")
        self.c.expect(b"ma n\r\n", b"HD\r\n")
        self.c.expect(b"ma n v\r\n", b"VA 1\r\n7\r\n")
        self.c.expect(b"mg n v\r\n", b"VA 1\r\n7\r\n")

    def test_q_hides_HD_and_VA(self):
        self.store(b"n", b"5")
        self.c.expect(b"ma n q\r\n", b"")
        self.c.expect(b"ma n q v\r\n", b"")
        self.c.expect(b"ma n q v\r\nmn\r\n", b"MN\r\n")
        self.c.expect(b"mg n v\r\n", b"VA 1\r\n8\r\n")

    def test_keeps_item_flags_and_ttl(self):
        self.store(b"n", b"10", flags=5, exptime=100)
        self.c.expect(b"ma n v\r\n", b"VA 2\r\n11\r\n")
        self.rx(b"mg n v f t\r\n", rb"VA 2 f5 t" + TTL100 + rb"\r\n11\r\n")

    def test_D_delta_and_modes(self):
        self.store(b"n", b"3")
        self.c.expect(b"ma n v MD D5\r\n", b"VA 1\r\n0\r\n")        # decr floors at 0
        self.c.expect(b"ma n v M-\r\n", b"VA 1\r\n0\r\n")
        self.c.expect(b"ma n v M+ D7\r\n", b"VA 1\r\n7\r\n")
        self.c.expect(b"ma n v MI\r\n", b"VA 1\r\n8\r\n")
        self.c.expect(b"ma n v MD\r\n", b"VA 1\r\n7\r\n")
        self.c.expect(b"ma n v D0\r\n", b"VA 1\r\n7\r\n")

    def test_invalid_mode(self):
        self.store(b"n", b"3")
        for mode in (b"Md", b"MX", b"Mi", b"M*"):
            self.c.expect(b"ma n " + mode + b"\r\n", b"CLIENT_ERROR invalid mode for ma M token\r\n")
        self.c.expect(b"ma nope MX\r\n", b"CLIENT_ERROR invalid mode for ma M token\r\n")
        self.c.expect(b"mg n v\r\n", b"VA 1\r\n3\r\n")

    def test_incr_wraps_at_2_64(self):
        self.store(b"n", b"9223372036854775807")
        self.c.expect(b"ma n v D9223372036854775809\r\n", b"VA 1\r\n0\r\n")
        self.store(b"m", b"5")
        self.c.expect(b"ma m v D18446744073709551615\r\n", b"VA 1\r\n4\r\n")

    def test_decr_floors_at_zero(self):
        self.store(b"n", b"5")
        self.c.expect(b"ma n v MD D18446744073709551615\r\n", b"VA 1\r\n0\r\n")
        self.c.expect(b"ma n v MD\r\n", b"VA 1\r\n0\r\n")

    def test_result_grows(self):
        self.store(b"n", b"99")
        self.c.expect(b"ma n v\r\n", b"VA 3\r\n100\r\n")
        self.c.expect(b"mg n v\r\n", b"VA 3\r\n100\r\n")

    def test_result_shrinks(self):
        self.store(b"n", b"100")
        self.c.expect(b"ma n v MD\r\n", b"VA 2\r\n99\r\n")
        # the stored value may keep its length, padded with spaces (1.6.18: timing dependent)
        self.rx(b"mg n v\r\n", rb"VA 2\r\n99\r\n|VA 3\r\n99 \r\n")

    def test_non_numeric_value(self):
        for value in (b"hi", b"12abc", b"-1"):
            with self.subTest(value=value):
                self.store(b"n", value)
                self.c.expect(b"ma n v\r\n", NONNUM)
                self.c.expect(b"ma n q\r\n", NONNUM)
                self.c.expect(b"ma n MD N0\r\n", NONNUM)
                self.assert_value(b"n", value)

    def test_empty_value_from_N_is_non_numeric(self):
        self.c.expect(b"mg n N30\r\n", b"HD W\r\n")
        self.c.expect(b"ma n v\r\n", NONNUM)
        self.c.expect(b"ma n N0 v\r\n", NONNUM)

    def test_N_autovivifies_with_J(self):
        self.c.expect(b"ma n N0 J10 v\r\n", b"VA 2\r\n10\r\n")
        self.c.expect(b"ma n N0 J10 v\r\n", b"VA 2\r\n11\r\n")
        self.c.expect(b"ma m N0 v\r\n", b"VA 1\r\n0\r\n")
        self.c.expect(b"mg m v f t\r\n", b"VA 1 f0 t-1\r\n0\r\n")

    def test_N_J_decr_creates_initial_value(self):
        self.c.expect(b"ma n N0 J5 MD v\r\n", b"VA 1\r\n5\r\n")
        self.c.expect(b"ma n N0 J5 MD v\r\n", b"VA 1\r\n4\r\n")

    def test_N_J_max(self):
        self.c.expect(b"ma n N0 J18446744073709551615 v\r\n",
                      b"VA 20\r\n18446744073709551615\r\n")

    def test_J_ignored_on_hit(self):
        self.store(b"n", b"5")
        self.c.expect(b"ma n MD N0 J100 v\r\n", b"VA 1\r\n4\r\n")

    def test_N_autovivify_reply_is_not_hidden_by_q(self):
        # 1.6.18: q hides HD/VA only for an existing counter, not for a created one
        self.c.expect(b"ma n N0 J5 q\r\n", b"HD\r\n")
        self.c.expect(b"ma n N0 J5 q\r\n", b"")
        self.c.expect(b"mg n v\r\n", b"VA 1\r\n6\r\n")

    def test_N_ttl_and_t(self):
        self.rx(b"ma n N100 J10 v t\r\n", rb"VA 2 t" + TTL100 + rb"\r\n10\r\n")
        self.rx(b"ma n t v\r\n", rb"VA 2 t" + TTL100 + rb"\r\n11\r\n")
        # t before N shows the new item's TTL before N sets it
        self.c.expect(b"ma m t N100 J10\r\n", b"HD t-1\r\n")
        self.rx(b"ma m t\r\n", rb"HD t" + TTL100 + rb"\r\n")

    def test_T_and_t_order(self):
        self.store(b"n", b"5", exptime=100)
        self.rx(b"ma n t T200 v\r\n", rb"VA 1 t" + TTL100 + rb"\r\n6\r\n")
        self.c.expect(b"ma n T300 t v\r\n", b"VA 1 t300\r\n7\r\n")
        self.rx(b"mg n t\r\n", rb"HD t(?:300|299)\r\n")

    def test_c_returns_new_cas(self):
        self.store(b"n", b"5")
        old = self.gets_cas(b"n")
        m = self.rx(b"ma n c v k O9\r\n", rb"VA 1 c(\d+) kn O9\r\n6\r\n")
        cas = int(m.group(1))
        self.assertNotEqual(cas, old)
        self.assertEqual(cas, self.gets_cas(b"n"))

    def test_C_match_and_mismatch(self):
        self.store(b"n", b"5")
        cas = self.gets_cas(b"n")
        self.c.expect(b"ma n C%d v c\r\n" % (cas + 1), b"EX\r\n")
        self.c.expect(b"ma n C%d q k O1\r\n" % (cas + 1), b"EX kn O1\r\n")
        self.c.expect(b"mg n v\r\n", b"VA 1\r\n5\r\n")
        self.c.expect(b"ma n C%d v\r\n" % cas, b"VA 1\r\n6\r\n")
        self.c.expect(b"ma nope C1\r\n", b"NF\r\n")

    def test_C0_means_no_compare(self):
        self.store(b"n", b"5")
        self.c.expect(b"ma n C0 v\r\n", b"VA 1\r\n6\r\n")

    def test_b_key(self):
        self.c.expect(b"ma Zm9v b N0 J5 k v\r\n", b"VA 1 kZm9v b\r\n5\r\n")
        self.c.expect(b"ma Zm9v b k\r\n", b"HD kZm9v b\r\n")
        self.c.expect(b"mg foo v\r\n", b"VA 1\r\n6\r\n")
        self.c.expect(b"ma #### b k\r\n", INVALID_OR_DUP)
        self.c.expect(b"ma nope b k\r\n", b"NF knope b\r\n")      # "nope" is valid base64
        self.c.expect(b"ma bm9wZQ== b k O1\r\n", b"NF kbm9wZQ== b O1\r\n")

    def test_accepted_flags_print_nothing(self):
        self.store(b"n", b"5")
        self.c.expect(b"ma n f s h l u R30 I P L F5\r\n", b"HD\r\n")
        self.c.expect(b"mg n v\r\n", b"VA 1\r\n6\r\n")

    def test_all_flags_on_autovivify(self):
        m = self.rx(b"ma n t c k q O1 N30 T30 J1 v\r\n", rb"VA 1 t-1 c(\d+) kn O1\r\n1\r\n")
        self.assertEqual(int(m.group(1)), self.gets_cas(b"n"))
        self.rx(b"mg n t\r\n", rb"HD t" + TTL30 + rb"\r\n")

    def test_value_at_least_2_63(self):
        # 1.6.18 reads past the value here (nondeterministic); slabd computes exactly
        self.store(b"n", b"18446744073709551615")
        if is_slabd():
            self.c.expect(b"ma n v\r\n", b"VA 1\r\n0\r\n")
            self.store(b"m", b"9223372036854775808")
            self.c.expect(b"ma m v MD\r\n", b"VA 19\r\n9223372036854775807\r\n")
        else:
            self.c.send(b"ma n\r\n")
            self.c.recv_line()
            self.c.sync()


# ======================================================================================
# me
# ======================================================================================

ME_RE = rb"ME %s exp=%s la=[01] cas=(\d+) fetch=%s cls=(\d+) size=(\d+)\r\n"


class MetaDebugTest(MetaCase):
    def test_miss_is_EN(self):
        self.c.expect(b"me foo\r\n", b"EN\r\n")

    def test_format(self):
        self.store(b"foo", b"hi")
        m = self.rx(b"me foo\r\n", ME_RE % (b"foo", b"-1", b"no"))
        self.assertEqual(int(m.group(1)), self.gets_cas(b"foo"))
        self.assertGreater(int(m.group(2)), 0)
        self.assertGreater(int(m.group(3)), 2)

    def test_size_grows_with_value(self):
        self.store(b"a", b"x")
        self.store(b"b", b"x" * 1000)
        sa = int(self.rx(b"me a\r\n", ME_RE % (b"a", b"-1", b"no")).group(3))
        sb = int(self.rx(b"me b\r\n", ME_RE % (b"b", b"-1", b"no")).group(3))
        self.assertGreaterEqual(sb - sa, 999)

    def test_exp_is_negative_remaining_ttl(self):
        # 1.6.18 prints current_time - exptime: minus the remaining TTL
        self.store(b"foo", b"hi", exptime=100)
        self.rx(b"me foo\r\n", ME_RE % (b"foo", rb"-(?:100|99)", b"no"))

    def test_fetch_flag(self):
        self.store(b"foo", b"hi")
        self.rx(b"me foo\r\n", ME_RE % (b"foo", b"-1", b"no"))
        # me itself does not mark the item fetched or bump it
        self.rx(b"me foo\r\n", ME_RE % (b"foo", b"-1", b"no"))
        self.c.expect(b"mg foo h\r\n", b"HD h0\r\n")
        self.rx(b"me foo\r\n", ME_RE % (b"foo", b"-1", b"yes"))

    def test_u_fetch_leaves_fetch_no(self):
        self.store(b"foo", b"hi")
        self.c.expect(b"mg foo u v\r\n", b"VA 2\r\nhi\r\n")
        self.rx(b"me foo\r\n", ME_RE % (b"foo", b"-1", b"no"))

    def test_extra_tokens_are_ignored(self):
        self.store(b"foo", b"hi")
        self.rx(b"me foo x y z\r\n", ME_RE % (b"foo", b"-1", b"no"))
        self.rx(b"me foo noreply\r\n", ME_RE % (b"foo", b"-1", b"no"))

    def test_b_decodes_when_third_token_is_b(self):
        # 1.6.18: the key is decoded when the token after it is exactly "b"
        self.store(b"foo", b"hi")
        self.rx(b"me Zm9v b\r\n", ME_RE % (b"foo", b"-1", b"no"))
        self.rx(b"me Zm9v b extra\r\n", ME_RE % (b"foo", b"-1", b"no"))
        self.c.expect(b"me Zm9v x b\r\n", b"EN\r\n")
        self.c.expect(b"me Zm9v\r\n", b"EN\r\n")
        self.c.expect(b"me Zm9v bb\r\n", b"EN\r\n")

    def test_b_decode_failure(self):
        self.c.expect(b"me foo b\r\n", BADFMT)
        self.c.expect(b"me #### b\r\n", BADFMT)
        self.c.expect(b"me #### x\r\n", b"EN\r\n")

    def test_binary_key_is_printed_encoded(self):
        self.c.expect(b"ms Zm9v 2 b\r\nhi\r\n", b"HD\r\n")
        self.rx(b"me Zm9v b\r\n", ME_RE % (b"Zm9v", b"-1", b"no"))
        self.rx(b"me foo\r\n", ME_RE % (b"Zm9v", b"-1", b"no"))

    def test_expired_item_is_EN(self):
        self.c.expect(b"ms foo 2 T-1\r\nhi\r\n", b"HD\r\n")
        self.c.expect(b"me foo\r\n", b"EN\r\n")

    def test_cas_follows_stores(self):
        self.store(b"foo", b"hi")
        c1 = int(self.rx(b"me foo\r\n", ME_RE % (b"foo", b"-1", b"no")).group(1))
        self.store(b"foo", b"ho")
        c2 = int(self.rx(b"me foo\r\n", ME_RE % (b"foo", b"-1", b"no")).group(1))
        self.assertNotEqual(c1, c2)
        self.assertEqual(c2, self.gets_cas(b"foo"))


# ======================================================================================
# mn and pipelining
# ======================================================================================

class MetaNoopTest(MetaCase):
    def test_mn(self):
        self.c.expect(b"mn\r\n", b"MN\r\n")
        self.c.expect(b"mn\n", b"MN\r\n")

    def test_mn_flushes_without_a_sync(self):
        c = self.connect()
        c.send(b"mg foo v q\r\nmg bar v q\r\nmn\r\n")
        self.assertEqual(c.recv_exact(4, timeout=2), b"MN\r\n")
        self.assertEqual(c.recv_available(0.1), b"")

    def test_pipelined_quiet_gets(self):
        self.store(b"b", b"B")
        self.c.expect(b"mg a v q k\r\nmg b v q k\r\nmg c v q k\r\nmn\r\n",
                      b"VA 1 kb\r\nB\r\nMN\r\n")

    def test_pipelined_quiet_sets(self):
        self.store(b"c", b"old")
        self.c.expect(b"ms a 1 q\r\n1\r\nms b 1 q\r\n2\r\nms c 1 q ME O3\r\n3\r\nmn\r\n",
                      b"NS O3\r\nMN\r\n")
        self.c.expect(b"mg a v\r\nmg b v\r\nmg c v\r\n",
                      b"VA 1\r\n1\r\nVA 1\r\n2\r\nVA 3\r\nold\r\n")

    def test_pipelined_mixed_quiet_batch(self):
        self.store(b"d1", b"x")
        self.store(b"n", b"1")
        batch = (b"ms s1 2 q O1\r\nhi\r\n"
                 b"mg s1 v q O2\r\n"
                 b"mg miss v q O3\r\n"
                 b"md d1 q O4\r\n"
                 b"md d2 q O5\r\n"
                 b"ma n q O6\r\n"
                 b"ma nope q O7\r\n"
                 b"mn\r\n")
        self.c.expect(batch, b"VA 2 O2\r\nhi\r\nNF O5\r\nNF O7\r\nMN\r\n")
        self.c.expect(b"mg n v\r\n", b"VA 1\r\n2\r\n")

    def test_many_pipelined_with_opaques(self):
        self.store(b"k5", b"five")
        req = b"".join(b"mg k%d v k O%d q\r\n" % (i, i) for i in range(20)) + b"mn\r\n"
        self.c.expect(req, b"VA 4 kk5 O5\r\nfive\r\nMN\r\n")

    def test_mn_between_classic_commands(self):
        self.c.expect(b"set a 0 0 1\r\nx\r\nmn\r\nget a\r\nmn\r\n",
                      b"STORED\r\nMN\r\nVALUE a 0 1\r\nx\r\nEND\r\nMN\r\n")


# ======================================================================================
# stats
# ======================================================================================

COUNTERS = ("cmd_get", "get_hits", "get_misses", "cmd_touch", "touch_hits", "touch_misses",
            "cmd_set", "delete_hits", "delete_misses", "incr_hits", "incr_misses",
            "decr_hits", "decr_misses", "cas_hits", "cas_misses", "cas_badval", "cmd_meta")


class MetaStatsTest(MetaCase):
    def moved(self, send, reply):
        """Counters (from COUNTERS) changed by sending `send` (which must answer `reply`)."""
        before = self.c.stats()
        self.c.expect(send, reply)
        after = self.c.stats()
        return {k: int(after[k]) - int(before[k]) for k in COUNTERS
                if int(after[k]) != int(before[k])}

    def same(self, classic, meta, want):
        """classic and meta are (send, reply) pairs that must both move exactly `want`."""
        self.assertEqual(self.moved(*classic), want, classic[0])
        self.assertEqual(self.moved(*meta), want, meta[0])

    def test_get_hit(self):
        self.store(b"a", b"x")
        self.same((b"get a\r\n", b"VALUE a 0 1\r\nx\r\nEND\r\n"), (b"mg a v\r\n", b"VA 1\r\nx\r\n"),
                  {"cmd_get": 1, "get_hits": 1})
        self.assertEqual(self.moved(b"mg a\r\n", b"HD\r\n"), {"cmd_get": 1, "get_hits": 1})

    def test_get_miss(self):
        self.same((b"get a\r\n", b"END\r\n"), (b"mg a v\r\n", b"EN\r\n"),
                  {"cmd_get": 1, "get_misses": 1})
        self.assertEqual(self.moved(b"mg a q\r\nmn\r\n", b"MN\r\n"),
                         {"cmd_get": 1, "get_misses": 1})

    def test_touch_hit(self):
        self.store(b"a", b"x")
        self.same((b"gat 100 a\r\n", b"VALUE a 0 1\r\nx\r\nEND\r\n"), (b"mg a T100\r\n", b"HD\r\n"),
                  {"cmd_touch": 1, "touch_hits": 1})
        self.assertEqual(self.moved(b"touch a 100\r\n", b"TOUCHED\r\n"),
                         {"cmd_touch": 1, "touch_hits": 1})

    def test_touch_miss(self):
        self.assertEqual(self.moved(b"gat 100 a\r\n", b"END\r\n"),
                         {"cmd_touch": 1, "touch_misses": 1})
        # 1.6.18: mg with T on a miss counts as a get miss, not a touch miss
        self.assertEqual(self.moved(b"mg a T100\r\n", b"EN\r\n"), {"cmd_get": 1, "get_misses": 1})

    def test_mg_N_counts_a_hit(self):
        self.assertEqual(self.moved(b"mg a N30\r\n", b"HD W\r\n"), {"cmd_get": 1, "get_hits": 1})

    def test_set(self):
        self.same((set_cmd(b"a", b"x"), b"STORED\r\n"), (b"ms a 1\r\nx\r\n", b"HD\r\n"),
                  {"cmd_set": 1})
        self.same((set_cmd(b"a", b"x", cmd=b"add"), b"NOT_STORED\r\n"),
                  (b"ms a 1 ME\r\nx\r\n", b"NS\r\n"), {"cmd_set": 1})
        self.same((set_cmd(b"b", b"x", cmd=b"append"), b"NOT_STORED\r\n"),
                  (b"ms b 1 MA\r\nx\r\n", b"NS\r\n"), {"cmd_set": 1})
        self.same((set_cmd(b"a", b"x", cmd=b"prepend"), b"STORED\r\n"),
                  (b"ms a 1 MP\r\nx\r\n", b"HD\r\n"), {"cmd_set": 1})

    def test_bad_data_chunk_counts_a_set(self):
        self.same((b"set a 0 0 1\r\nxXXmn\r\n", BADCHUNK + b"MN\r\n"),
                  (b"ms a 1 q\r\nxXXmn\r\n", BADCHUNK + b"MN\r\n"), {"cmd_set": 1})

    def test_cas(self):
        self.store(b"a", b"x")
        cas = self.gets_cas(b"a")
        self.same((b"cas a 0 0 1 %d\r\ny\r\n" % (cas + 100), b"EXISTS\r\n"),
                  (b"ms a 1 C%d\r\ny\r\n" % (cas + 100), b"EX\r\n"),
                  {"cmd_set": 1, "cas_badval": 1})
        self.same((b"cas nope 0 0 1 1\r\ny\r\n", b"NOT_FOUND\r\n"),
                  (b"ms nope 1 C1\r\ny\r\n", b"NF\r\n"), {"cmd_set": 1, "cas_misses": 1})
        self.assertEqual(self.moved(b"cas a 0 0 1 %d\r\ny\r\n" % cas, b"STORED\r\n"),
                         {"cmd_set": 1, "cas_hits": 1})
        cas = self.gets_cas(b"a")
        self.assertEqual(self.moved(b"ms a 1 C%d\r\nz\r\n" % cas, b"HD\r\n"),
                         {"cmd_set": 1, "cas_hits": 1})

    def test_delete(self):
        self.store(b"a", b"x")
        self.store(b"b", b"x")
        self.same((b"delete a\r\n", b"DELETED\r\n"), (b"md b\r\n", b"HD\r\n"), {"delete_hits": 1})
        self.same((b"delete a\r\n", b"NOT_FOUND\r\n"), (b"md b\r\n", b"NF\r\n"),
                  {"delete_misses": 1})

    def test_md_C_mismatch_counts_a_delete_miss(self):
        self.store(b"a", b"x")
        cas = self.gets_cas(b"a")
        self.assertEqual(self.moved(b"md a C%d\r\n" % (cas + 1), b"EX\r\n"), {"delete_misses": 1})

    def test_md_I_counts_nothing(self):
        self.store(b"a", b"x")
        self.assertEqual(self.moved(b"md a I\r\n", b"HD\r\n"), {})

    def test_incr_decr(self):
        self.store(b"a", b"5")
        self.same((b"incr a 1\r\n", b"6\r\n"), (b"ma a\r\n", b"HD\r\n"), {"incr_hits": 1})
        self.same((b"decr a 1\r\n", b"6\r\n"), (b"ma a MD\r\n", b"HD\r\n"), {"decr_hits": 1})
        self.same((b"incr nope 1\r\n", b"NOT_FOUND\r\n"), (b"ma nope\r\n", b"NF\r\n"),
                  {"incr_misses": 1})
        self.same((b"decr nope 1\r\n", b"NOT_FOUND\r\n"), (b"ma nope MD\r\n", b"NF\r\n"),
                  {"decr_misses": 1})

    def test_ma_autovivify_and_cas_mismatch_count_nothing(self):
        self.assertEqual(self.moved(b"ma a N0\r\n", b"HD\r\n"), {})
        cas = self.gets_cas(b"a")
        self.assertEqual(self.moved(b"ma a C%d\r\n" % (cas + 1), b"EX\r\n"), {})

    def test_me_counts_cmd_meta(self):
        self.assertEqual(self.moved(b"me a\r\n", b"EN\r\n"), {"cmd_meta": 1})
        self.store(b"a", b"x")
        before = self.c.stats()
        self.rx(b"me a\r\n", ME_RE % (b"a", b"-1", b"no"))
        after = self.c.stats()
        self.assertEqual(int(after["cmd_meta"]) - int(before["cmd_meta"]), 1)
        self.assertEqual(after["cmd_get"], before["cmd_get"])

    def test_other_meta_commands_do_not_count_cmd_meta(self):
        self.store(b"a", b"5")
        moved = self.moved(b"mg a\r\nms b 1\r\nx\r\nma a\r\nmd b\r\nmn\r\n",
                           b"HD\r\nHD\r\nHD\r\nHD\r\nMN\r\n")
        self.assertNotIn("cmd_meta", moved)
        self.assertEqual(moved, {"cmd_get": 1, "get_hits": 1, "cmd_set": 1, "incr_hits": 1,
                                 "delete_hits": 1})

    def test_errors_count_nothing(self):
        self.assertEqual(self.moved(b"mg a v v\r\n", b"CLIENT_ERROR duplicate flag\r\n"), {})
        self.assertEqual(self.moved(b"ms a 1 MX\r\nx\r\n",
                                    b"CLIENT_ERROR invalid mode for ms M token\r\n"), {})
        self.assertEqual(self.moved(b"md a !\r\n", INVALID_OR_DUP), {})
        self.assertEqual(self.moved(b"ma a Dx\r\n", INVALID_OR_DUP), {})
        self.assertEqual(self.moved(b"me\r\n", BADFMT), {})


# ======================================================================================
# deliberate differences: flags added after 1.6.18
# ======================================================================================

class MetaVariantTest(MetaCase):
    """slabd accepts ms/mg E<cas>, md x and the base64 limit on the decoded key
    (reference 1.9); 1.6.18 rejects them."""

    def test_ms_E_sets_the_cas(self):
        self.c.expect(b"ms foo 2 E12345 c\r\nhi\r\n",
                      self.variant(memcached=INVALID_FLAG, slabd=b"HD c12345\r\n"))
        if is_memcached():
            self.c.expect(b"mg foo\r\n", b"EN\r\n")
        else:
            self.c.expect(b"mg foo c v\r\n", b"VA 2 c12345\r\nhi\r\n")
            self.assertEqual(self.gets_cas(b"foo"), 12345)

    def test_ms_E_swallow_on_memcached(self):
        # 1.6.18 rejects the flag and swallows the data block
        self.c.expect(b"ms foo 2 E99\r\nmn\r\n",
                      self.variant(memcached=INVALID_FLAG, slabd=b"HD\r\n"))

    def test_ms_E_with_C(self):
        self.store(b"foo", b"hi")
        cas = self.gets_cas(b"foo")
        self.c.expect(b"ms foo 2 C%d E777 c\r\nho\r\n" % cas,
                      self.variant(memcached=INVALID_FLAG, slabd=b"HD c777\r\n"))

    def test_mg_E_sets_the_cas_of_an_autovivified_item(self):
        # An item whose CAS is at or below the last flush_all's watermark (every CAS handed
        # out before it) reads as flushed, E or not, and setUp flushes. Per-stripe CAS blocks
        # (README "Differences" 15) put that watermark far above the number of stores, so the
        # E value must lie above anything this run hands out.
        e = 10 ** 12
        self.c.expect(b"mg foo N30 E%d c\r\n" % e,
                      self.variant(memcached=INVALID_FLAG, slabd=b"HD c%d W\r\n" % e))
        if is_memcached():
            self.c.expect(b"mg foo\r\n", b"EN\r\n")
        else:
            self.assertEqual(self.gets_cas(b"foo"), e)

    def test_mg_E_on_a_hit_changes_nothing(self):
        self.store(b"foo", b"hi")
        cas = self.gets_cas(b"foo")
        self.c.expect(b"mg foo E5 c\r\n",
                      self.variant(memcached=INVALID_FLAG, slabd=b"HD c%d\r\n" % cas))

    def test_md_x_empties_the_value(self):
        self.store(b"foo", b"hi", flags=5, exptime=100)
        self.c.expect(b"md foo x\r\n", self.variant(memcached=INVALID_OR_DUP, slabd=b"HD\r\n"))
        if is_memcached():
            self.rx(b"mg foo v f t\r\n", rb"VA 2 f5 t" + TTL100 + rb"\r\nhi\r\n")
        else:
            self.c.expect(b"mg foo v f t\r\n", b"VA 0 f0 t-1\r\n\r\n")

    def test_md_x_with_F_and_T(self):
        self.store(b"foo", b"hi", flags=5)
        self.c.expect(b"md foo x F7 T100\r\n",
                      self.variant(memcached=INVALID_OR_DUP, slabd=b"HD\r\n"))
        if is_memcached():
            self.c.expect(b"mg foo v f\r\n", b"VA 2 f5\r\nhi\r\n")
        else:
            self.rx(b"mg foo v f t\r\n", rb"VA 0 f7 t" + TTL100 + rb"\r\n\r\n")

    def test_md_x_miss_and_q(self):
        self.c.expect(b"md foo x k\r\n",
                      self.variant(memcached=INVALID_OR_DUP, slabd=b"NF kfoo\r\n"))
        self.store(b"foo", b"hi")
        self.c.expect(b"md foo x q\r\n", self.variant(memcached=INVALID_OR_DUP, slabd=b""))

    def test_base64_key_limit_applies_to_decoded_key(self):
        raw = b"x" * 250
        enc = base64.b64encode(raw)          # 336 bytes
        self.assertGreater(len(enc), 250)
        self.c.expect(b"mg " + enc + b" b v\r\n", self.variant(memcached=BADFMT, slabd=b"EN\r\n"))
        # 1.6.18 rejects the ms line before reading datalen: "mn" is then a command
        self.c.expect(b"ms " + enc + b" 2 b\r\nmn\r\n",
                      self.variant(memcached=BADFMT + b"MN\r\n", slabd=b"HD\r\n"))
        if is_slabd():
            self.c.expect(b"mg " + enc + b" b k v\r\n", b"VA 2 k" + enc + b" b\r\nmn\r\n")
            self.assert_value(raw, b"mn")
        self.c.expect(b"ma " + enc + b" b\r\n", self.variant(memcached=BADFMT, slabd=NONNUM))
        if is_slabd():
            self.rx(b"me " + enc + b" b\r\n",
                    rb"ME " + enc + rb" exp=-1 la=[01] cas=\d+ fetch=yes cls=\d+ size=\d+\r\n")
        else:
            self.c.expect(b"me " + enc + b" b\r\n", BADFMT)
        self.c.expect(b"md " + enc + b" b q\r\n", self.variant(memcached=BADFMT, slabd=b""))
        self.assert_miss(raw)

    def test_decoded_key_over_250_is_rejected_by_both(self):
        enc = base64.b64encode(b"y" * 251)
        self.c.expect(b"mg " + enc + b" b v\r\n", BADFMT)
        self.c.expect(b"md " + enc + b" b\r\n", BADFMT)
        self.c.expect(b"ma " + enc + b" b\r\n", BADFMT)


if __name__ == "__main__":
    unittest.main()
