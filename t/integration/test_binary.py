#!/usr/bin/python3
"""Binary protocol: exact reply bytes of every opcode (validated against memcached 1.6.18).

Reference: shared/reference/memcached-behaviour.md section 2. Every reply is compared
byte for byte (magic 0x81, the ORIGINAL request opcode, key/extras lengths, status, body
length, opaque, CAS, body). CAS values differ between servers, so they are checked
relationally (nonzero, changed by a store, equal to the CAS a GET reports).
"""

import os
import struct
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

from base import set_cmd, value_reply   # noqa: E402
from binproto import (NONZERO, BinaryTestCase, Op, St, err, incr_extras,   # noqa: E402
                      read_raw, read_resp, req, resp, set_extras, stop_shared_servers, sync,
                      u32, u64)
from server import is_memcached   # noqa: E402

NOT_FOUND = b"Not found"
EXISTS = b"Data exists for key."
NOT_STORED = b"Not stored."
NON_NUMERIC = b"Non-numeric server-side value for incr or decr"
UNKNOWN = b"Unknown command"
INVALID = b"Invalid arguments"
NO_CREATE = 0xFFFFFFFF          # incr/decr exptime: do not create a missing item


class GetTest(BinaryTestCase):
    def test_get_miss(self):
        r = self.call(Op.GET, b"nokey", opaque=0x01020304)
        self.check(r, Op.GET, St.KEY_ENOENT, value=NOT_FOUND, opaque=0x01020304)

    def test_get_miss_exact_bytes(self):
        self.expect_bin(req(Op.GET, b"nokey", opaque=0xAABBCCDD),
                        b"\x81\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x09\xaa\xbb\xcc\xdd"
                        + b"\x00" * 8 + b"Not found")

    def test_getk_miss_returns_key_not_text(self):
        r = self.call(Op.GETK, b"nokey", opaque=9)
        self.check(r, Op.GETK, St.KEY_ENOENT, key=b"nokey", opaque=9)

    def test_get_hit(self):
        cas = self.bset(b"k", b"value", flags=0xDEADBEEF)
        r = self.call(Op.GET, b"k", opaque=77)
        self.check(r, Op.GET, extras=u32(0xDEADBEEF), value=b"value", opaque=77, cas=cas)

    def test_getk_hit(self):
        cas = self.bset(b"kk", b"vv", flags=3)
        r = self.call(Op.GETK, b"kk", opaque=78)
        self.check(r, Op.GETK, extras=u32(3), key=b"kk", value=b"vv", opaque=78, cas=cas)

    def test_getq_hit_is_sent_with_opcode_0x09(self):
        cas = self.bset(b"q", b"quiet", flags=1)
        self.b.send(req(Op.GETQ, b"q", opaque=5) + req(Op.NOOP, opaque=6))
        r = read_resp(self.b)
        self.check(r, Op.GETQ, extras=u32(1), value=b"quiet", opaque=5, cas=cas)
        self.check(read_resp(self.b), Op.NOOP, opaque=6)

    def test_getkq_hit_is_sent_with_opcode_0x0d(self):
        cas = self.bset(b"q", b"quiet", flags=1)
        self.b.send(req(Op.GETKQ, b"q", opaque=5) + req(Op.NOOP, opaque=6))
        self.check(read_resp(self.b), Op.GETKQ, extras=u32(1), key=b"q", value=b"quiet",
                   opaque=5, cas=cas)
        self.check(read_resp(self.b), Op.NOOP, opaque=6)

    def test_quiet_get_misses_are_silent(self):
        self.expect_bin(req(Op.GETQ, b"miss1", opaque=1) + req(Op.GETKQ, b"miss2", opaque=2)
                        + req(Op.NOOP, opaque=3), resp(Op.NOOP, opaque=3))

    def test_zero_length_value(self):
        cas = self.bset(b"z", b"")
        self.check(self.call(Op.GET, b"z"), Op.GET, extras=u32(0), value=b"", cas=cas)

    def test_binary_safe_value_and_key(self):
        value = bytes(range(256)) * 3 + b"\r\nEND\r\n"
        key = b"k\x00\x01\xff \r\n"
        cas = self.bset(key, value, flags=0xFFFFFFFF)
        self.check(self.call(Op.GETK, key), Op.GETK, extras=u32(0xFFFFFFFF), key=key,
                   value=value, cas=cas)

    def test_250_byte_key(self):
        key = b"k" * 250
        cas = self.bset(key, b"v")
        self.check(self.call(Op.GETK, key, opaque=1), Op.GETK, extras=u32(0), key=key,
                   value=b"v", opaque=1, cas=cas)

    def test_large_value(self):
        value = os.urandom(500 * 1024)
        cas = self.bset(b"big", value, flags=2)
        self.check(self.call(Op.GET, b"big"), Op.GET, extras=u32(2), value=value, cas=cas)

    def test_request_cas_and_vbucket_are_ignored_on_get(self):
        cas = self.bset(b"k", b"v")
        r = self.call(Op.GET, b"k", cas=cas + 12345, vbucket=0x1234, opaque=2)
        self.check(r, Op.GET, extras=u32(0), value=b"v", opaque=2, cas=cas)


class StoreTest(BinaryTestCase):
    def test_set_reply_exact(self):
        r = self.call(Op.SET, b"k", set_extras(5, 0), b"v", opaque=0x11223344)
        cas = self.check(r, Op.SET, opaque=0x11223344, cas=NONZERO)
        self.assert_bvalue(b"k", b"v", flags=5, cas=cas)

    def test_cas_changes_after_every_store(self):
        c1 = self.bset(b"k", b"1")
        c2 = self.bset(b"k", b"2")
        c3 = self.bset(b"other", b"3")
        self.assertNotEqual(c1, c2)
        self.assertNotEqual(c2, c3)
        self.assertGreater(c2, c1)
        self.assertGreater(c3, c2)
        self.assert_bvalue(b"k", b"2", cas=c2)

    def test_flags_round_trip(self):
        for flags in (0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF):
            self.bset(b"f", b"x", flags=flags)
            self.assert_bvalue(b"f", b"x", flags=flags)

    def test_set_overwrites_value_and_flags(self):
        self.bset(b"k", b"one", flags=1)
        cas = self.bset(b"k", b"second", flags=2)
        self.assert_bvalue(b"k", b"second", flags=2, cas=cas)

    def test_add(self):
        r = self.call(Op.ADD, b"a", set_extras(4), b"1", opaque=1)
        cas = self.check(r, Op.ADD, opaque=1, cas=NONZERO)
        r = self.call(Op.ADD, b"a", set_extras(5), b"2", opaque=2)
        self.check_err(r, Op.ADD, St.KEY_EEXISTS, opaque=2)
        self.assert_bvalue(b"a", b"1", flags=4, cas=cas)

    def test_replace(self):
        r = self.call(Op.REPLACE, b"r", set_extras(), b"1", opaque=1)
        self.check_err(r, Op.REPLACE, St.KEY_ENOENT, opaque=1)
        self.assert_bmiss(b"r")
        old = self.bset(b"r", b"old", flags=3)
        r = self.call(Op.REPLACE, b"r", set_extras(4), b"new", opaque=2)
        cas = self.check(r, Op.REPLACE, opaque=2, cas=NONZERO)
        self.assertNotEqual(cas, old)
        self.assert_bvalue(b"r", b"new", flags=4, cas=cas)

    def test_quiet_stores_are_silent_on_success(self):
        self.expect_bin(req(Op.SETQ, b"s", set_extras(1), b"S", opaque=1)
                        + req(Op.ADDQ, b"a", set_extras(2), b"A", opaque=2)
                        + req(Op.REPLACEQ, b"s", set_extras(3), b"R", opaque=3)
                        + req(Op.NOOP, opaque=4), resp(Op.NOOP, opaque=4))
        self.assert_bvalue(b"s", b"R", flags=3)
        self.assert_bvalue(b"a", b"A", flags=2)

    def test_quiet_store_errors_are_sent_with_quiet_opcode(self):
        self.bset(b"e", b"x")
        self.b.send(req(Op.ADDQ, b"e", set_extras(), b"y", opaque=0x12)
                    + req(Op.REPLACEQ, b"missing", set_extras(), b"y", opaque=0x13)
                    + req(Op.SETQ, b"e", set_extras(), b"z", opaque=0x14, cas=1)
                    + req(Op.SETQ, b"missing", set_extras(), b"z", opaque=0x15, cas=1)
                    + req(Op.NOOP, opaque=0x16))
        self.check_err(read_resp(self.b), Op.ADDQ, St.KEY_EEXISTS, opaque=0x12)
        self.check_err(read_resp(self.b), Op.REPLACEQ, St.KEY_ENOENT, opaque=0x13)
        self.check_err(read_resp(self.b), Op.SETQ, St.KEY_EEXISTS, opaque=0x14)
        self.check_err(read_resp(self.b), Op.SETQ, St.KEY_ENOENT, opaque=0x15)
        self.check(read_resp(self.b), Op.NOOP, opaque=0x16)
        self.assert_bvalue(b"e", b"x")

    def test_set_with_cas(self):
        cas = self.bset(b"c", b"v1")
        r = self.call(Op.SET, b"c", set_extras(9), b"v2", cas=cas + 1, opaque=1)
        self.check_err(r, Op.SET, St.KEY_EEXISTS, opaque=1)
        self.assert_bvalue(b"c", b"v1", cas=cas)
        r = self.call(Op.SET, b"c", set_extras(9), b"v2", cas=cas, opaque=2)
        new = self.check(r, Op.SET, opaque=2, cas=NONZERO)
        self.assertNotEqual(new, cas)
        self.assert_bvalue(b"c", b"v2", flags=9, cas=new)
        # the old CAS no longer matches
        r = self.call(Op.SET, b"c", set_extras(), b"v3", cas=cas, opaque=3)
        self.check_err(r, Op.SET, St.KEY_EEXISTS, opaque=3)

    def test_set_with_cas_on_missing_key(self):
        r = self.call(Op.SET, b"nope", set_extras(), b"v", cas=12345, opaque=7)
        self.check_err(r, Op.SET, St.KEY_ENOENT, opaque=7)
        self.assert_bmiss(b"nope")

    def test_add_and_replace_with_cas_use_cas_semantics(self):
        # 1.6.18: any store with CAS != 0 becomes a CAS operation, even ADD
        cas = self.bset(b"c", b"v1")
        r = self.call(Op.ADD, b"c", set_extras(), b"v2", cas=cas, opaque=1)
        cas2 = self.check(r, Op.ADD, opaque=1, cas=NONZERO)
        self.assert_bvalue(b"c", b"v2", cas=cas2)
        r = self.call(Op.REPLACE, b"c", set_extras(), b"v3", cas=cas, opaque=2)
        self.check_err(r, Op.REPLACE, St.KEY_EEXISTS, opaque=2)
        r = self.call(Op.REPLACE, b"c", set_extras(), b"v3", cas=cas2, opaque=3)
        self.check(r, Op.REPLACE, opaque=3, cas=NONZERO)
        r = self.call(Op.ADD, b"absent", set_extras(), b"v", cas=cas2, opaque=4)
        self.check_err(r, Op.ADD, St.KEY_ENOENT, opaque=4)
        r = self.call(Op.REPLACE, b"absent", set_extras(), b"v", cas=cas2, opaque=5)
        self.check_err(r, Op.REPLACE, St.KEY_ENOENT, opaque=5)

    def test_absolute_exptime_in_the_past_is_expired(self):
        past = int(time.time()) - 1000
        r = self.call(Op.SET, b"old", set_extras(0, past), b"v", opaque=1)
        self.check(r, Op.SET, opaque=1, cas=NONZERO)
        self.assert_bmiss(b"old")

    def test_absolute_exptime_in_the_future_is_kept(self):
        future = int(time.time()) + 1000
        self.bset(b"new", b"v", exptime=future)
        self.assert_bvalue(b"new", b"v")

    def test_value_with_trailing_crlf_is_kept(self):
        self.bset(b"crlf", b"abc\r\n")
        self.assert_bvalue(b"crlf", b"abc\r\n")


class AppendPrependTest(BinaryTestCase):
    def test_append_and_prepend(self):
        self.bset(b"k", b"mid", flags=0xABCD)
        r = self.call(Op.APPEND, b"k", value=b"-end", opaque=1)
        c1 = self.check(r, Op.APPEND, opaque=1, cas=NONZERO)
        r = self.call(Op.PREPEND, b"k", value=b"start-", opaque=2)
        c2 = self.check(r, Op.PREPEND, opaque=2, cas=NONZERO)
        self.assertNotEqual(c1, c2)
        self.assert_bvalue(b"k", b"start-mid-end", flags=0xABCD, cas=c2)

    def test_append_prepend_missing_key_not_stored(self):
        self.check_err(self.call(Op.APPEND, b"nokey", value=b"x", opaque=1), Op.APPEND,
                       St.NOT_STORED, opaque=1)
        self.check_err(self.call(Op.PREPEND, b"nokey", value=b"x", opaque=2), Op.PREPEND,
                       St.NOT_STORED, opaque=2)
        self.assert_bmiss(b"nokey")

    def test_quiet_append_prepend(self):
        self.bset(b"k", b"b")
        self.expect_bin(req(Op.APPENDQ, b"k", value=b"c", opaque=1)
                        + req(Op.PREPENDQ, b"k", value=b"a", opaque=2)
                        + req(Op.NOOP, opaque=3), resp(Op.NOOP, opaque=3))
        self.assert_bvalue(b"k", b"abc")
        self.b.send(req(Op.APPENDQ, b"nokey", value=b"c", opaque=4)
                    + req(Op.PREPENDQ, b"nokey", value=b"a", opaque=5)
                    + req(Op.NOOP, opaque=6))
        self.check_err(read_resp(self.b), Op.APPENDQ, St.NOT_STORED, opaque=4)
        self.check_err(read_resp(self.b), Op.PREPENDQ, St.NOT_STORED, opaque=5)
        self.check(read_resp(self.b), Op.NOOP, opaque=6)

    def test_append_with_cas(self):
        cas = self.bset(b"k", b"a")
        r = self.call(Op.APPEND, b"k", value=b"b", cas=cas + 1, opaque=1)
        self.check_err(r, Op.APPEND, St.KEY_EEXISTS, opaque=1)
        self.assert_bvalue(b"k", b"a", cas=cas)
        r = self.call(Op.APPEND, b"k", value=b"b", cas=cas, opaque=2)
        new = self.check(r, Op.APPEND, opaque=2, cas=NONZERO)
        self.assert_bvalue(b"k", b"ab", cas=new)

    def test_append_empty_value(self):
        cas = self.bset(b"k", b"a")
        r = self.call(Op.APPEND, b"k", value=b"", opaque=1)
        new = self.check(r, Op.APPEND, opaque=1, cas=NONZERO)
        self.assertNotEqual(new, cas)
        self.assert_bvalue(b"k", b"a", cas=new)


class DeleteTest(BinaryTestCase):
    def test_delete_hit_and_miss(self):
        self.bset(b"d", b"v")
        self.check(self.call(Op.DELETE, b"d", opaque=1), Op.DELETE, opaque=1, cas=0)
        self.assert_bmiss(b"d")
        self.check_err(self.call(Op.DELETE, b"d", opaque=2), Op.DELETE, St.KEY_ENOENT,
                       opaque=2)

    def test_deleteq(self):
        self.bset(b"d", b"v")
        self.expect_bin(req(Op.DELETEQ, b"d", opaque=1) + req(Op.NOOP, opaque=2),
                        resp(Op.NOOP, opaque=2))
        self.assert_bmiss(b"d")
        self.b.send(req(Op.DELETEQ, b"d", opaque=3) + req(Op.NOOP, opaque=4))
        self.check_err(read_resp(self.b), Op.DELETEQ, St.KEY_ENOENT, opaque=3)
        self.check(read_resp(self.b), Op.NOOP, opaque=4)

    def test_delete_with_cas(self):
        cas = self.bset(b"d", b"v")
        self.check_err(self.call(Op.DELETE, b"d", cas=cas + 1, opaque=1), Op.DELETE,
                       St.KEY_EEXISTS, opaque=1)
        self.assert_bvalue(b"d", b"v", cas=cas)
        self.check(self.call(Op.DELETE, b"d", cas=cas, opaque=2), Op.DELETE, opaque=2)
        self.assert_bmiss(b"d")
        self.check_err(self.call(Op.DELETE, b"d", cas=cas, opaque=3), Op.DELETE,
                       St.KEY_ENOENT, opaque=3)

    def test_deleteq_cas_mismatch_is_sent(self):
        cas = self.bset(b"d", b"v")
        self.b.send(req(Op.DELETEQ, b"d", cas=cas + 1, opaque=5) + req(Op.NOOP, opaque=6))
        self.check_err(read_resp(self.b), Op.DELETEQ, St.KEY_EEXISTS, opaque=5)
        self.check(read_resp(self.b), Op.NOOP, opaque=6)


class IncrDecrTest(BinaryTestCase):
    def incr(self, key, delta=1, initial=0, exptime=0, op=Op.INCREMENT, opaque=0, cas=0):
        return self.call(op, key, incr_extras(delta, initial, exptime), opaque=opaque,
                         cas=cas)

    def test_incr_miss_creates_with_initial(self):
        r = self.incr(b"n", delta=3, initial=5, opaque=1)
        cas = self.check(r, Op.INCREMENT, value=u64(5), opaque=1, cas=NONZERO)
        self.assert_bvalue(b"n", b"5", cas=cas)
        r = self.incr(b"n", delta=3, initial=100, opaque=2)
        cas2 = self.check(r, Op.INCREMENT, value=u64(8), opaque=2, cas=NONZERO)
        self.assertNotEqual(cas, cas2)
        self.assert_bvalue(b"n", b"8", cas=cas2)

    def test_decr_miss_creates_with_initial(self):
        r = self.incr(b"n", delta=3, initial=5, op=Op.DECREMENT, opaque=1)
        self.check(r, Op.DECREMENT, value=u64(5), opaque=1, cas=NONZERO)
        r = self.incr(b"n", delta=3, op=Op.DECREMENT, opaque=2)
        self.check(r, Op.DECREMENT, value=u64(2), opaque=2, cas=NONZERO)

    def test_do_not_create_exptime(self):
        for op in (Op.INCREMENT, Op.DECREMENT):
            r = self.incr(b"n", initial=5, exptime=NO_CREATE, op=op, opaque=op)
            self.check_err(r, op, St.KEY_ENOENT, opaque=op)
            self.assert_bmiss(b"n")
        # on an existing item 0xffffffff is just an exptime that is ignored
        self.bset(b"n", b"10")
        r = self.incr(b"n", delta=2, exptime=NO_CREATE, opaque=9)
        self.check(r, Op.INCREMENT, value=u64(12), opaque=9, cas=NONZERO)

    def test_non_numeric_value(self):
        self.bset(b"s", b"abc")
        for op in (Op.INCREMENT, Op.DECREMENT):
            self.check_err(self.incr(b"s", op=op, opaque=op), op, St.DELTA_BADVAL, opaque=op)
        self.assert_bvalue(b"s", b"abc")

    def test_64_bit_wrap(self):
        top = 2 ** 64 - 1
        self.check(self.incr(b"w", initial=top, opaque=1), Op.INCREMENT, value=u64(top),
                   opaque=1, cas=NONZERO)
        self.assert_bvalue(b"w", b"18446744073709551615")
        self.check(self.incr(b"w", delta=1, opaque=2), Op.INCREMENT, value=u64(0), opaque=2,
                   cas=NONZERO)
        self.check(self.incr(b"w", delta=top, opaque=3), Op.INCREMENT, value=u64(top),
                   opaque=3, cas=NONZERO)
        self.check(self.incr(b"w", delta=2, opaque=4), Op.INCREMENT, value=u64(1), opaque=4,
                   cas=NONZERO)

    def test_decr_floors_at_zero(self):
        self.bset(b"d", b"3")
        r = self.incr(b"d", delta=10, op=Op.DECREMENT, opaque=1)
        self.check(r, Op.DECREMENT, value=u64(0), opaque=1, cas=NONZERO)
        r = self.incr(b"d", delta=2 ** 64 - 1, op=Op.DECREMENT, opaque=2)
        self.check(r, Op.DECREMENT, value=u64(0), opaque=2, cas=NONZERO)

    def test_incr_grows_value_length(self):
        self.bset(b"g", b"99", flags=6)
        self.check(self.incr(b"g", delta=1, opaque=1), Op.INCREMENT, value=u64(100),
                   opaque=1, cas=NONZERO)
        self.assert_bvalue(b"g", b"100", flags=6)

    def test_quiet_incr_decr(self):
        self.bset(b"q", b"10")
        self.expect_bin(req(Op.INCREMENTQ, b"q", incr_extras(5), opaque=1)
                        + req(Op.DECREMENTQ, b"q", incr_extras(2), opaque=2)
                        + req(Op.INCREMENTQ, b"created", incr_extras(1, 7), opaque=3)
                        + req(Op.NOOP, opaque=4), resp(Op.NOOP, opaque=4))
        self.assert_bvalue(b"q", b"13")
        self.assert_bvalue(b"created", b"7")
        self.bset(b"s", b"abc")
        self.b.send(req(Op.INCREMENTQ, b"s", incr_extras(1), opaque=5)
                    + req(Op.DECREMENTQ, b"missing", incr_extras(1, 0, NO_CREATE), opaque=6)
                    + req(Op.NOOP, opaque=7))
        self.check_err(read_resp(self.b), Op.INCREMENTQ, St.DELTA_BADVAL, opaque=5)
        self.check_err(read_resp(self.b), Op.DECREMENTQ, St.KEY_ENOENT, opaque=6)
        self.check(read_resp(self.b), Op.NOOP, opaque=7)

    def test_incr_with_cas(self):
        cas = self.bset(b"c", b"1")
        self.check_err(self.incr(b"c", cas=cas + 1, opaque=1), Op.INCREMENT, St.KEY_EEXISTS,
                       opaque=1)
        self.assert_bvalue(b"c", b"1", cas=cas)
        r = self.incr(b"c", cas=cas, opaque=2)
        new = self.check(r, Op.INCREMENT, value=u64(2), opaque=2, cas=NONZERO)
        self.assertNotEqual(new, cas)
        self.assert_bvalue(b"c", b"2", cas=new)

    def test_response_cas_matches_get(self):
        self.bset(b"c", b"41")
        r = self.incr(b"c", opaque=1)
        cas = self.check(r, Op.INCREMENT, value=u64(42), opaque=1, cas=NONZERO)
        self.assert_bvalue(b"c", b"42", cas=cas)

    def test_created_item_has_flags_zero_and_exptime(self):
        past = int(time.time()) - 1000
        r = self.incr(b"e", initial=1, exptime=past, opaque=1)
        self.check(r, Op.INCREMENT, value=u64(1), opaque=1, cas=NONZERO)
        self.assert_bmiss(b"e")
        self.incr(b"f", initial=1)
        self.assert_bvalue(b"f", b"1", flags=0)


class ExpiryTest(BinaryTestCase):
    """Relative exptimes (one sleep per test). memcached's clock ticks once a second, so
    times of 2 s (exptime) and 3 s (flush delay) keep the checks right after the store
    away from a tick, and 2.2 s of sleep always covers at least two ticks."""

    def test_relative_exptime_set_incr_touch_gat(self):
        self.bset(b"set1", b"v", exptime=2)
        self.bset(b"keep", b"v", exptime=100)
        self.call(Op.INCREMENT, b"ctr1", incr_extras(1, 1, 2), expect_status=St.OK)
        self.bset(b"touched", b"v")
        self.check(self.call(Op.TOUCH, b"touched", u32(2), opaque=1), Op.TOUCH,
                   extras=u32(0), opaque=1, cas=NONZERO)
        self.bset(b"gat", b"v", flags=2)
        self.check(self.call(Op.GAT, b"gat", u32(2), opaque=2), Op.GAT, extras=u32(2),
                   value=b"v", opaque=2, cas=NONZERO)
        self.bset(b"untouched", b"v", exptime=2)
        self.check(self.call(Op.TOUCH, b"untouched", u32(0), opaque=3), Op.TOUCH,
                   extras=u32(0), opaque=3, cas=NONZERO)
        for key in (b"set1", b"ctr1", b"touched", b"gat", b"untouched"):
            self.call(Op.GET, key, expect_status=St.OK)
        time.sleep(2.2)
        for key in (b"set1", b"ctr1", b"touched", b"gat"):
            self.assert_bmiss(key)
        self.assert_bvalue(b"keep", b"v")
        self.assert_bvalue(b"untouched", b"v")

    def test_flush_with_delay(self):
        self.bset(b"a", b"1")
        self.check(self.call(Op.FLUSH, extras=u32(3), opaque=1), Op.FLUSH, opaque=1)
        self.assert_bvalue(b"a", b"1")
        self.expect_bin(req(Op.FLUSHQ, extras=u32(3), opaque=2) + req(Op.NOOP, opaque=3),
                        resp(Op.NOOP, opaque=3))
        self.assert_bvalue(b"a", b"1")
        time.sleep(2.2)
        self.assert_bmiss(b"a")


class SimpleOpsTest(BinaryTestCase):
    def test_noop(self):
        self.expect_bin(req(Op.NOOP, opaque=0xFFFFFFFF), resp(Op.NOOP, opaque=0xFFFFFFFF))
        self.expect_bin(req(Op.NOOP), b"\x81\x0a" + b"\x00" * 22)

    def test_noop_ignores_request_cas(self):
        self.expect_bin(req(Op.NOOP, opaque=3, cas=99), resp(Op.NOOP, opaque=3))

    def test_version(self):
        self.expect_bin(req(Op.VERSION, opaque=7), resp(Op.VERSION, value=b"1.6.18", opaque=7))

    def test_version_matches_ascii(self):
        line = self.c.expect(b"version\r\n", b"VERSION 1.6.18\r\n")
        self.assertEqual(line, b"VERSION 1.6.18\r\n")

    def test_quit(self):
        self.b.send(req(Op.QUIT, opaque=0x51))
        self.assertEqual(read_raw(self.b), resp(Op.QUIT, opaque=0x51))
        self.assert_closed(self.b)

    def test_quit_after_pipelined_get(self):
        self.bset(b"k", b"v")
        self.b.send(req(Op.GETQ, b"k", opaque=1) + req(Op.QUIT, opaque=2)
                    + req(Op.NOOP, opaque=3))
        self.check(read_resp(self.b), Op.GETQ, extras=u32(0), value=b"v", opaque=1,
                   cas=NONZERO)
        self.assertEqual(read_raw(self.b), resp(Op.QUIT, opaque=2))
        self.assert_closed(self.b)

    def test_quitq_closes_silently(self):
        self.b.send(req(Op.QUITQ, opaque=0x52))
        self.assert_closed(self.b)

    def test_quitq_after_pipelined_get_sends_the_get(self):
        self.bset(b"k", b"v")
        self.b.send(req(Op.GET, b"k", opaque=1) + req(Op.QUITQ, opaque=2))
        self.check(read_resp(self.b), Op.GET, extras=u32(0), value=b"v", opaque=1,
                   cas=NONZERO)
        self.assert_closed(self.b)

    def test_flush(self):
        self.bset(b"a", b"1")
        self.bset(b"b", b"2")
        self.check(self.call(Op.FLUSH, opaque=0x99), Op.FLUSH, opaque=0x99, cas=0)
        self.assert_bmiss(b"a")
        self.assert_bmiss(b"b")
        # storing right after a flush works
        self.bset(b"a", b"3")
        self.assert_bvalue(b"a", b"3")

    def test_flushq(self):
        self.bset(b"a", b"1")
        self.expect_bin(req(Op.FLUSHQ, opaque=1) + req(Op.NOOP, opaque=2),
                        resp(Op.NOOP, opaque=2))
        self.assert_bmiss(b"a")

    def test_flush_with_zero_delay_extras(self):
        self.bset(b"a", b"1")
        self.check(self.call(Op.FLUSH, extras=u32(0), opaque=1), Op.FLUSH, opaque=1)
        self.assert_bmiss(b"a")


class ErrorBodyTest(BinaryTestCase):
    """The literal error texts (no extras, no key, CAS 0)."""

    def test_error_bodies(self):
        self.bset(b"s", b"abc")
        cases = [
            (req(Op.GET, b"miss", opaque=1), resp(Op.GET, 1, value=NOT_FOUND, opaque=1)),
            (req(Op.ADD, b"s", set_extras(), b"x", opaque=2),
             resp(Op.ADD, 2, value=EXISTS, opaque=2)),
            (req(Op.APPEND, b"miss", value=b"x", opaque=3),
             resp(Op.APPEND, 5, value=NOT_STORED, opaque=3)),
            (req(Op.DECREMENT, b"s", incr_extras(), opaque=4),
             resp(Op.DECREMENT, 6, value=NON_NUMERIC, opaque=4)),
            (req(0x3C, opaque=5), resp(0x3C, 0x81, value=UNKNOWN, opaque=5)),
        ]
        for send, want in cases:
            self.expect_bin(send, want)
        c = self.connect()
        c.send(req(Op.NOOP, key=b"x", opaque=6))
        self.assert_closed(c, resp(Op.NOOP, 4, value=INVALID, opaque=6))


class UnknownOpcodeTest(BinaryTestCase):
    def test_unimplemented_opcodes(self):
        ops = [Op.VERBOSITY, 0x1F, 0x25, 0x26, 0x2F, 0x3D, 0x40, 0x80, 0xFE, 0xFF] \
            + list(range(0x30, 0x3D))
        for op in ops:
            with self.subTest(opcode=hex(op)):
                self.expect_bin(req(op, opaque=op), err(op, St.UNKNOWN_COMMAND, opaque=op))

    def test_unimplemented_opcodes_exact_bytes(self):
        self.expect_bin(req(0x1B, opaque=0x01020304),
                        b"\x81\x1b\x00\x00\x00\x00\x00\x81\x00\x00\x00\x0f\x01\x02\x03\x04"
                        + b"\x00" * 8 + b"Unknown command")

    def test_sasl_opcodes_without_sasl(self):
        self.expect_bin(req(Op.SASL_LIST_MECHS, opaque=1),
                        err(Op.SASL_LIST_MECHS, St.UNKNOWN_COMMAND, opaque=1))
        # AUTH/STEP need a key (the mechanism); the data is swallowed exactly
        self.expect_bin(req(Op.SASL_AUTH, b"PLAIN", value=b"\x00user\x00pass", opaque=2),
                        err(Op.SASL_AUTH, St.UNKNOWN_COMMAND, opaque=2))
        self.expect_bin(req(Op.SASL_STEP, b"PLAIN", value=b"\x00user\x00pass", opaque=3),
                        err(Op.SASL_STEP, St.UNKNOWN_COMMAND, opaque=3))
        self.expect_bin(req(Op.SASL_AUTH, b"PLAIN", opaque=4),
                        err(Op.SASL_AUTH, St.UNKNOWN_COMMAND, opaque=4))

    def test_sasl_auth_data_that_looks_like_a_request_is_swallowed(self):
        self.bset(b"k", b"v")
        inner = req(Op.DELETE, b"k", opaque=0xDE1)
        self.expect_bin(req(Op.SASL_AUTH, b"PLAIN", value=inner, opaque=2),
                        err(Op.SASL_AUTH, St.UNKNOWN_COMMAND, opaque=2))
        self.assert_bvalue(b"k", b"v")


class StatTest(BinaryTestCase):
    def read_stats(self, group=b"", opaque=0x5747):
        """Send STAT; return ordered (name, value) pairs; check every packet's shape and
        the empty terminator."""
        self.b.send(req(Op.STAT, group, opaque=opaque))
        pairs = []
        while True:
            r = read_resp(self.b)
            self.assertEqual((r.magic, r.opcode, r.status, r.extlen, r.datatype, r.opaque,
                              r.cas), (0x81, Op.STAT, 0, 0, 0, opaque, 0), r)
            self.assertEqual(r.bodylen, r.keylen + len(r.value))
            if r.keylen == 0:
                self.assertEqual(r.bodylen, 0, r)
                return pairs
            pairs.append((r.key.decode(), r.value.decode()))

    def ascii_stats(self, sub=b""):
        self.c.send(b"stats" + ((b" " + sub) if sub else b"") + b"\r\n")
        return self.c.read_stats()[1]

    def test_general_stats(self):
        pairs = self.read_stats()
        names = [n for n, _ in pairs]
        d = dict(pairs)
        for name in ("pid", "uptime", "time", "version", "curr_connections",
                     "total_connections", "cmd_get", "cmd_set", "get_hits", "get_misses",
                     "curr_items", "total_items", "bytes", "evictions", "threads",
                     "limit_maxbytes"):
            self.assertIn(name, d)
        self.assertEqual(d["pid"], str(self.server.pid()))
        self.assertEqual(d["version"], "1.6.18")
        self.assertLess(abs(int(d["time"]) - time.time()), 3)
        self.assertEqual(len(names), len(set(names)))
        # same names, same order as ASCII `stats`
        self.assertEqual(names, [n for n, _ in self.ascii_stats()])

    def test_stats_reflect_binary_items(self):
        # (curr_items is not compared: flushed items may be reclaimed at any moment)
        before = dict(self.read_stats())
        self.bset(b"stat-item-%d" % time.monotonic_ns(), b"12345")
        after = dict(self.read_stats())
        self.assertEqual(int(after["total_items"]), int(before["total_items"]) + 1)
        self.assertEqual(int(after["cmd_set"]), int(before["cmd_set"]) + 1)

    def test_settings(self):
        pairs = self.read_stats(b"settings")
        self.assertEqual(pairs, self.ascii_stats(b"settings"))
        d = dict(pairs)
        self.assertEqual(d["tcpport"], str(self.server.port))
        self.assertIn("maxbytes", d)
        self.assertIn("item_size_max", d)

    def test_items_and_slabs(self):
        self.bset(b"x", b"y")
        for group in (b"items", b"slabs"):
            with self.subTest(group=group):
                pairs = self.read_stats(group)
                self.assertTrue(pairs)
                self.assertEqual([n for n, _ in pairs],
                                 [n for n, _ in self.ascii_stats(group)])
        d = dict(self.read_stats(b"items"))
        self.assertIn("items:1:number", d)
        self.assertIn("active_slabs", dict(self.read_stats(b"slabs")))

    def test_sizes(self):
        pairs = self.read_stats(b"sizes")
        self.assertEqual(pairs, self.ascii_stats(b"sizes"))
        self.assertEqual(pairs, [("sizes_status", "disabled")])

    def test_reset(self):
        self.call(Op.GET, b"miss", expect_status=St.KEY_ENOENT)
        self.assertNotEqual(dict(self.read_stats())["get_misses"], "0")
        self.expect_bin(req(Op.STAT, b"reset", opaque=4), resp(Op.STAT, opaque=4))
        d = dict(self.read_stats())
        self.assertEqual(d["get_misses"], "0")
        self.assertEqual(d["cmd_get"], "0")

    def test_detail(self):
        self.expect_bin(req(Op.STAT, b"reset", opaque=1), resp(Op.STAT, opaque=1))
        self.expect_bin(req(Op.STAT, b"detail on", opaque=2), resp(Op.STAT, opaque=2))
        try:
            self.bset(b"bp:k", b"v")
            self.call(Op.GET, b"bp:k", expect_status=St.OK)
            self.call(Op.GET, b"bp:miss", expect_status=St.KEY_ENOENT)
            self.call(Op.DELETE, b"bp:k", expect_status=St.OK)
            self.assertEqual(self.read_stats(b"detail dump", opaque=3),
                             [("detailed", "PREFIX bp get 2 hit 1 set 1 del 1\r\nEND\r\n")])
        finally:
            self.expect_bin(req(Op.STAT, b"detail off", opaque=4), resp(Op.STAT, opaque=4))
        self.expect_bin(req(Op.STAT, b"reset", opaque=5), resp(Op.STAT, opaque=5))
        self.assertEqual(self.read_stats(b"detail dump", opaque=6),
                         [("detailed", "END\r\n")])

    def test_group_names_match_by_prefix(self):
        # 1.6.18 compares reset/settings/detail with strncmp: trailing bytes are ignored
        self.expect_bin(req(Op.STAT, b"resetXYZ", opaque=1), resp(Op.STAT, opaque=1))
        self.assertEqual(self.read_stats(b"settingsX"), self.read_stats(b"settings"))
        self.expect_bin(req(Op.STAT, b"detail offX", opaque=2), resp(Op.STAT, opaque=2))
        self.assertEqual(self.read_stats(b"detail dumpX"), [("detailed", "END\r\n")])
        # ... but items/slabs/sizes must match exactly
        for group in (b"itemsX", b"slabsX", b"sizesX", b"items "):
            self.expect_bin(req(Op.STAT, group, opaque=3),
                            err(Op.STAT, St.KEY_ENOENT, opaque=3))

    def test_unknown_groups(self):
        # Each is followed by a NOOP in the same send: 1.6.18 compares "detail" + " on" /
        # " off" / " dump" with strncmp past the end of a short key, i.e. against whatever
        # follows the key in its read buffer (here: the NOOP's header bytes).
        for group in (b"bogus", b"detail", b"detail bogus", b"conns", b"cachedump 1 1",
                      b"extstore"):
            with self.subTest(group=group):
                self.expect_bin(req(Op.STAT, group, opaque=0x77) + req(Op.NOOP, opaque=1),
                                err(Op.STAT, St.KEY_ENOENT, opaque=0x77)
                                + resp(Op.NOOP, opaque=1))


class QuietAndPipelineTest(BinaryTestCase):
    def test_multiget_getkq_then_noop(self):
        keys = [b"mk%d" % i for i in range(20)]
        cas = {}
        for i, k in enumerate(keys):
            if i % 3 != 1:
                cas[k] = self.bset(k, b"val-%d" % i, flags=i)
        self.b.send(b"".join(req(Op.GETKQ, k, opaque=100 + i) for i, k in enumerate(keys))
                    + req(Op.NOOP, opaque=999))
        for i, k in enumerate(keys):
            if k in cas:
                self.check(read_resp(self.b), Op.GETKQ, extras=u32(i), key=k,
                           value=b"val-%d" % i, opaque=100 + i, cas=cas[k])
        self.check(read_resp(self.b), Op.NOOP, opaque=999)
        sync(self.b)

    def test_opaque_echoed_on_every_reply(self):
        self.bset(b"s", b"abc")
        script = [
            (req(Op.GET, b"miss", opaque=0x10000001), Op.GET, St.KEY_ENOENT),
            (req(Op.ADD, b"s", set_extras(), b"x", opaque=0x10000002), Op.ADD,
             St.KEY_EEXISTS),
            (req(Op.REPLACE, b"m", set_extras(), b"x", opaque=0x10000003), Op.REPLACE,
             St.KEY_ENOENT),
            (req(Op.APPEND, b"m", value=b"x", opaque=0x10000004), Op.APPEND, St.NOT_STORED),
            (req(Op.INCREMENT, b"s", incr_extras(), opaque=0x10000005), Op.INCREMENT,
             St.DELTA_BADVAL),
            (req(Op.DELETE, b"m", opaque=0x10000006), Op.DELETE, St.KEY_ENOENT),
            (req(Op.TOUCH, b"m", u32(0), opaque=0x10000007), Op.TOUCH, St.KEY_ENOENT),
            (req(0x1B, opaque=0x10000008), 0x1B, St.UNKNOWN_COMMAND),
            (req(Op.STAT, b"bogus", opaque=0x10000009), Op.STAT, St.KEY_ENOENT),
            (req(Op.SET, b"s", set_extras(), b"y", cas=1, opaque=0x1000000A), Op.SET,
             St.KEY_EEXISTS),
        ]
        self.b.send(b"".join(p for p, _, _ in script))
        for p, op, st in script:
            self.check_err(read_resp(self.b), op, st, opaque=struct.unpack(">I", p[12:16])[0])
        sync(self.b)

    def test_pipelined_mixed_loud_and_quiet(self):
        script = (req(Op.SETQ, b"a", set_extras(1), b"A", opaque=1)
                  + req(Op.SET, b"b", set_extras(2), b"B", opaque=2)
                  + req(Op.GETQ, b"a", opaque=3)
                  + req(Op.GETQ, b"nope", opaque=4)
                  + req(Op.GETK, b"nope", opaque=5)
                  + req(Op.DELETEQ, b"a", opaque=6)
                  + req(Op.GETKQ, b"a", opaque=7)
                  + req(Op.INCREMENTQ, b"n", incr_extras(1, 10), opaque=8)
                  + req(Op.GET, b"n", opaque=9)
                  + req(Op.NOOP, opaque=10))
        self.b.send(script)
        self.check(read_resp(self.b), Op.SET, opaque=2, cas=NONZERO)
        self.check(read_resp(self.b), Op.GETQ, extras=u32(1), value=b"A", opaque=3,
                   cas=NONZERO)
        self.check(read_resp(self.b), Op.GETK, St.KEY_ENOENT, key=b"nope", opaque=5)
        self.check(read_resp(self.b), Op.GET, extras=u32(0), value=b"10", opaque=9,
                   cas=NONZERO)
        self.check(read_resp(self.b), Op.NOOP, opaque=10)
        sync(self.b)

    def test_many_quiet_sets_then_noop(self):
        n = 2000
        self.expect_bin(b"".join(req(Op.SETQ, b"qs%d" % i, set_extras(i), b"v%d" % i,
                                     opaque=i) for i in range(n)) + req(Op.NOOP, opaque=n),
                        resp(Op.NOOP, opaque=n))
        for i in (0, n // 2, n - 1):
            self.assert_bvalue(b"qs%d" % i, b"v%d" % i, flags=i)


class TouchGatTest(BinaryTestCase):
    def test_touch_hit_and_miss(self):
        cas = self.bset(b"t", b"value", flags=0x1234)
        r = self.call(Op.TOUCH, b"t", u32(100), opaque=1)
        self.check(r, Op.TOUCH, extras=u32(0x1234), opaque=1, cas=cas)
        self.assert_bvalue(b"t", b"value", flags=0x1234, cas=cas)
        self.check_err(self.call(Op.TOUCH, b"nokey", u32(100), opaque=2), Op.TOUCH,
                       St.KEY_ENOENT, opaque=2)

    def test_touch_with_past_absolute_time_expires(self):
        self.bset(b"t", b"v")
        r = self.call(Op.TOUCH, b"t", u32(int(time.time()) - 1000), opaque=1)
        self.check(r, Op.TOUCH, extras=u32(0), opaque=1, cas=NONZERO)
        self.assert_bmiss(b"t")

    def test_gat_hit_and_miss(self):
        cas = self.bset(b"g", b"value", flags=7)
        self.check(self.call(Op.GAT, b"g", u32(100), opaque=1), Op.GAT, extras=u32(7),
                   value=b"value", opaque=1, cas=cas)
        self.check_err(self.call(Op.GAT, b"nokey", u32(100), opaque=2), Op.GAT,
                       St.KEY_ENOENT, opaque=2)

    def test_gatk_hit_and_miss(self):
        cas = self.bset(b"g", b"value", flags=7)
        self.check(self.call(Op.GATK, b"g", u32(100), opaque=1), Op.GATK, extras=u32(7),
                   key=b"g", value=b"value", opaque=1, cas=cas)
        self.check(self.call(Op.GATK, b"nokey", u32(100), opaque=2), Op.GATK,
                   St.KEY_ENOENT, key=b"nokey", opaque=2)

    def test_gatq_and_gatkq(self):
        cas = self.bset(b"g", b"value", flags=7)
        self.b.send(req(Op.GATQ, b"g", u32(100), opaque=1)
                    + req(Op.GATQ, b"nokey", u32(100), opaque=2)
                    + req(Op.GATKQ, b"g", u32(100), opaque=3)
                    + req(Op.GATKQ, b"nokey", u32(100), opaque=4)
                    + req(Op.NOOP, opaque=5))
        self.check(read_resp(self.b), Op.GATQ, extras=u32(7), value=b"value", opaque=1,
                   cas=cas)
        self.check(read_resp(self.b), Op.GATKQ, extras=u32(7), key=b"g", value=b"value",
                   opaque=3, cas=cas)
        self.check(read_resp(self.b), Op.NOOP, opaque=5)
        sync(self.b)

    def test_gat_with_past_absolute_time_returns_then_expires(self):
        self.bset(b"g", b"v", flags=1)
        self.check(self.call(Op.GAT, b"g", u32(int(time.time()) - 1000), opaque=1), Op.GAT,
                   extras=u32(1), value=b"v", opaque=1, cas=NONZERO)
        self.assert_bmiss(b"g")


class CrossProtocolTest(BinaryTestCase):
    def test_binary_set_ascii_get(self):
        cas = self.bset(b"x", b"from binary", flags=42)
        self.c.expect(b"get x\r\n", value_reply(b"x", b"from binary", 42) + b"END\r\n")
        self.c.expect(b"gets x\r\n", value_reply(b"x", b"from binary", 42, cas=cas)
                      + b"END\r\n")

    def test_ascii_set_binary_get(self):
        self.c.expect(set_cmd(b"y", b"from ascii", flags=4294967295), b"STORED\r\n")
        cas = self.gets_cas(b"y")
        self.assert_bvalue(b"y", b"from ascii", flags=4294967295, cas=cas)
        self.c.expect(set_cmd(b"e", b""), b"STORED\r\n")
        self.assert_bvalue(b"e", b"")

    def test_incr_and_delete_across_protocols(self):
        self.c.expect(set_cmd(b"n", b"41"), b"STORED\r\n")
        r = self.call(Op.INCREMENT, b"n", incr_extras(1), opaque=1)
        self.check(r, Op.INCREMENT, value=u64(42), opaque=1, cas=NONZERO)
        self.c.expect(b"incr n 8\r\n", b"50\r\n")
        self.assert_bvalue(b"n", b"50")
        self.c.expect(b"delete n\r\n", b"DELETED\r\n")
        self.assert_bmiss(b"n")
        self.bset(b"m", b"v")
        self.check(self.call(Op.DELETE, b"m"), Op.DELETE)
        self.c.expect(b"get m\r\n", b"END\r\n")

    def test_ascii_append_to_binary_item(self):
        self.bset(b"a", b"bin", flags=3)
        self.c.expect(set_cmd(b"a", b"+txt", cmd=b"append"), b"STORED\r\n")
        self.assert_bvalue(b"a", b"bin+txt", flags=3)
        self.call(Op.PREPEND, b"a", value=b"pre:", expect_status=St.OK)
        self.c.expect(b"get a\r\n", value_reply(b"a", b"pre:bin+txt", 3) + b"END\r\n")

    def test_binary_flush_visible_to_ascii(self):
        self.c.expect(set_cmd(b"f", b"v"), b"STORED\r\n")
        self.call(Op.FLUSH, expect_status=St.OK)
        self.c.expect(b"get f\r\n", b"END\r\n")


class StatsCountersTest(BinaryTestCase):
    COUNTERS = ("cmd_get", "cmd_set", "get_hits", "get_misses", "delete_hits",
                "delete_misses", "incr_hits", "incr_misses", "decr_hits", "decr_misses",
                "cmd_touch", "touch_hits", "touch_misses", "cas_hits", "cas_badval",
                "cas_misses", "cmd_flush")

    def snapshot(self):
        s = self.c.stats()
        return {k: int(s[k]) for k in self.COUNTERS}

    def delta(self, before):
        after = self.snapshot()
        return {k: after[k] - before[k] for k in self.COUNTERS if after[k] != before[k]}

    def test_get_counters(self):
        self.bset(b"h", b"v")
        before = self.snapshot()
        self.call(Op.GET, b"h", expect_status=St.OK)
        self.call(Op.GETK, b"h", expect_status=St.OK)
        self.call(Op.GET, b"miss", expect_status=St.KEY_ENOENT)
        self.b.send(req(Op.GETQ, b"miss") + req(Op.GETKQ, b"h") + req(Op.NOOP))
        self.assertEqual(read_resp(self.b).opcode, Op.GETKQ)
        self.assertEqual(read_resp(self.b).opcode, Op.NOOP)
        self.assertEqual(self.delta(before), {"cmd_get": 5, "get_hits": 3, "get_misses": 2})

    def test_store_counters(self):
        before = self.snapshot()
        self.bset(b"s", b"v")
        self.call(Op.ADD, b"s", set_extras(), b"v", expect_status=St.KEY_EEXISTS)
        self.call(Op.APPEND, b"s", value=b"w", expect_status=St.OK)
        self.b.send(req(Op.SETQ, b"q", set_extras(), b"v") + req(Op.NOOP))
        read_resp(self.b)
        self.assertEqual(self.delta(before), {"cmd_set": 4})

    def test_cas_counters(self):
        cas = self.bset(b"c", b"v")
        before = self.snapshot()
        self.call(Op.SET, b"c", set_extras(), b"w", cas=cas, expect_status=St.OK)
        self.call(Op.SET, b"c", set_extras(), b"w", cas=cas, expect_status=St.KEY_EEXISTS)
        self.call(Op.SET, b"nope", set_extras(), b"w", cas=cas, expect_status=St.KEY_ENOENT)
        self.assertEqual(self.delta(before), {"cmd_set": 3, "cas_hits": 1, "cas_badval": 1,
                                              "cas_misses": 1})

    def test_delete_incr_touch_flush_counters(self):
        self.bset(b"d", b"v")
        self.bset(b"n", b"1")
        before = self.snapshot()
        self.call(Op.DELETE, b"d", expect_status=St.OK)
        self.call(Op.DELETE, b"d", expect_status=St.KEY_ENOENT)
        self.call(Op.INCREMENT, b"n", incr_extras(1), expect_status=St.OK)
        self.call(Op.DECREMENT, b"n", incr_extras(1), expect_status=St.OK)
        self.call(Op.INCREMENT, b"x", incr_extras(1, 0, NO_CREATE),
                  expect_status=St.KEY_ENOENT)
        self.call(Op.DECREMENT, b"x", incr_extras(1, 0, NO_CREATE),
                  expect_status=St.KEY_ENOENT)
        self.call(Op.TOUCH, b"n", u32(0), expect_status=St.OK)
        self.call(Op.GAT, b"n", u32(0), expect_status=St.OK)
        self.call(Op.TOUCH, b"x", u32(0), expect_status=St.KEY_ENOENT)
        self.call(Op.FLUSH, expect_status=St.OK)
        self.assertEqual(self.delta(before), {
            "delete_hits": 1, "delete_misses": 1, "incr_hits": 1, "decr_hits": 1,
            "incr_misses": 1, "decr_misses": 1, "cmd_touch": 3, "touch_hits": 2,
            "touch_misses": 1, "cmd_flush": 1})

    def test_incr_create_counts(self):
        before = self.snapshot()
        self.call(Op.INCREMENT, b"new", incr_extras(1, 5), expect_status=St.OK)
        d = self.delta(before)
        self.assertEqual(d, {}, d)     # 1.6.18: creating via incr counts nothing


class BinaryOnlyServerTest(BinaryTestCase):
    """-B binary: binary works; ASCII gets the connection closed with no reply (once a
    full 24-byte header's worth of bytes has arrived)."""
    server_args = ["-B", "binary"]
    binary_only = True

    def test_binary_works(self):
        cas = self.bset(b"k", b"v", flags=1)
        self.assert_bvalue(b"k", b"v", flags=1, cas=cas)
        self.expect_bin(req(Op.VERSION, opaque=1), resp(Op.VERSION, value=b"1.6.18",
                                                         opaque=1))

    def test_ascii_command_closes_without_reply(self):
        for line in (b"get foo bar baz quux\r\n" + b"version\r\n",
                     b"set k 0 0 1\r\nx\r\n" + b"get k\r\n" * 2,
                     b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
                     b"version\r\n" * 3):
            with self.subTest(line=line):
                c = self.connect()
                c.send(line)
                self.assert_closed(c)

    def test_short_ascii_command_waits_for_a_full_header(self):
        c = self.connect()
        c.send(b"version\r\n")
        self.assert_open_and_silent(c)
        c.send(b"x" * 15)
        self.assert_closed(c)

    def test_ascii_after_binary_closes(self):
        self.b.send(req(Op.NOOP, opaque=1) + b"version\r\n" + b" " * 15)
        self.assertEqual(read_raw(self.b), resp(Op.NOOP, opaque=1))
        self.assert_closed(self.b)

    def test_server_still_serves(self):
        c = self.connect()
        c.send(b"garbage that is long enough to be a header\r\n")
        self.assert_closed(c)
        self.sync_bin()


class AsciiOnlyServerTest(BinaryTestCase):
    """-B ascii: a binary packet is just bytes of a text line. 1.6.18 answers ERROR for
    every '\\n'-terminated piece and waits for a newline otherwise."""
    server_args = ["-B", "ascii"]

    def setUp(self):
        super().setUp()
        self.b = self.c

    def test_binary_noop_is_text(self):
        # 0x80 0x0a ...: "\x80\n" is one (unknown) line, the other 22 bytes wait for "\n"
        c = self.connect()
        c.expect(req(Op.NOOP, opaque=0x01020304), b"ERROR\r\n", sync=False)
        self.assertEqual(c.recv_available(0.2), b"")
        c.expect(b"\r\n", b"ERROR\r\n")
        c.expect(b"version\r\n", b"VERSION 1.6.18\r\n", sync=False)

    def test_binary_get_without_newline_byte_waits(self):
        c = self.connect()
        c.send(req(Op.GET, b"k", opaque=0x01020304))
        self.assert_open_and_silent(c)
        c.expect(b"\r\n", b"ERROR\r\n")

    def test_binary_set_with_crlf_in_value(self):
        c = self.connect()
        c.expect(req(Op.SET, b"key", set_extras(), b"value\r\n"), b"ERROR\r\n")
        c.expect(b"get key\r\n", b"END\r\n")


def _slabd_has_option(opt):
    import subprocess
    from server import SLABD_BIN
    try:
        out = subprocess.run([SLABD_BIN, "-h"], capture_output=True, timeout=5).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return (b"\n" + opt.encode() + b",") in out or (b" " + opt.encode() + b",") in out


@unittest.skipUnless(is_memcached() or _slabd_has_option("-F"), "slabd has no -F option")
class FlushDisabledTest(BinaryTestCase):
    """-F: FLUSH and FLUSHQ answer 0x20 "Auth failure." (the quiet one too), the
    connection stays open and cmd_flush is not counted (ASCII counts it)."""
    server_args = ["-F"]
    flush_between_tests = False

    def test_flush_disabled(self):
        self.bset(b"k", b"v")
        before = int(self.c.stats()["cmd_flush"])
        self.expect_bin(req(Op.FLUSH, opaque=1), err(Op.FLUSH, St.AUTH_ERROR, opaque=1))
        self.expect_bin(req(Op.FLUSHQ, opaque=2) + req(Op.NOOP, opaque=3),
                        err(Op.FLUSHQ, St.AUTH_ERROR, opaque=2) + resp(Op.NOOP, opaque=3))
        self.expect_bin(req(Op.FLUSH, extras=u32(5), opaque=4),
                        err(Op.FLUSH, St.AUTH_ERROR, opaque=4))
        self.assert_bvalue(b"k", b"v")
        self.assertEqual(int(self.c.stats()["cmd_flush"]), before)
        self.call(Op.DELETE, b"k", expect_status=St.OK)


class CasDisabledTest(BinaryTestCase):
    """-C: every CAS field is 0 and a request CAS is ignored by stores. (No flush before
    the test: with -C, 1.6.18 hides items stored in the same clock second as a flush.)"""
    server_args = ["-C"]
    flush_between_tests = False

    def test_cas_fields_are_zero(self):
        self.check(self.call(Op.SET, b"k", set_extras(1), b"v", opaque=1), Op.SET, opaque=1)
        self.check(self.call(Op.GET, b"k", opaque=2), Op.GET, extras=u32(1), value=b"v",
                   opaque=2)
        self.check(self.call(Op.SET, b"k", set_extras(2), b"w", cas=5, opaque=3), Op.SET,
                   opaque=3)
        self.check(self.call(Op.APPEND, b"k", value=b"x", opaque=4), Op.APPEND, opaque=4)
        self.check(self.call(Op.INCREMENT, b"n", incr_extras(1, 5), opaque=5), Op.INCREMENT,
                   value=u64(5), opaque=5)
        self.check(self.call(Op.TOUCH, b"k", u32(0), opaque=6), Op.TOUCH, extras=u32(2),
                   opaque=6)
        self.check(self.call(Op.GETK, b"k", opaque=7), Op.GETK, extras=u32(2), key=b"k",
                   value=b"wx", opaque=7)

    def test_request_cas_on_stores(self):
        """1.6.18 with -C: the item CAS cannot be set, so a SET/REPLACE/APPEND with a
        request CAS is a plain store (it succeeds, even on a missing key for SET), while
        DELETE and INCREMENT compare the request CAS with the item's 0 and fail."""
        self.check(self.call(Op.SET, b"k2", set_extras(1), b"v", opaque=1), Op.SET, opaque=1)
        self.check(self.call(Op.SET, b"m2", set_extras(1), b"v", cas=5, opaque=2), Op.SET,
                   opaque=2)
        self.check(self.call(Op.GET, b"m2", opaque=3), Op.GET, extras=u32(1), value=b"v",
                   opaque=3)
        self.check_err(self.call(Op.ADD, b"k2", set_extras(1), b"v", cas=5, opaque=4), Op.ADD,
                       St.KEY_EEXISTS, opaque=4)
        self.check(self.call(Op.REPLACE, b"k2", set_extras(1), b"w", cas=5, opaque=5),
                   Op.REPLACE, opaque=5)
        self.check(self.call(Op.APPEND, b"k2", value=b"x", cas=5, opaque=6), Op.APPEND,
                   opaque=6)
        self.check(self.call(Op.GET, b"k2", opaque=7), Op.GET, extras=u32(1), value=b"wx",
                   opaque=7)
        self.check(self.call(Op.INCREMENT, b"n2", incr_extras(1, 5), cas=5, opaque=8),
                   Op.INCREMENT, value=u64(5), opaque=8)
        self.check_err(self.call(Op.INCREMENT, b"n2", incr_extras(1, 5), cas=5, opaque=9),
                       Op.INCREMENT, St.KEY_EEXISTS, opaque=9)
        self.check_err(self.call(Op.DELETE, b"k2", cas=5, opaque=10), Op.DELETE,
                       St.KEY_EEXISTS, opaque=10)
        self.check(self.call(Op.DELETE, b"k2", opaque=11), Op.DELETE, opaque=11)


class SplitTest(BinaryTestCase):
    """A request split across reads at every byte boundary gives the same reply."""

    def test_set_split_at_every_boundary(self):
        packet = req(Op.SET, b"split-key", set_extras(0x0102, 0), b"split-value", opaque=77)
        for i in range(1, len(packet)):
            with self.subTest(split=i):
                c = self.connect()
                c.send_split(packet, [i], pause=0.003)
                r = read_resp(c)
                self.check(r, Op.SET, opaque=77, cas=NONZERO)
                c.close()
        self.assert_bvalue(b"split-key", b"split-value", flags=0x0102)

    def test_get_split_at_every_boundary(self):
        cas = self.bset(b"gk", b"gv", flags=5)
        packet = req(Op.GETK, b"gk", opaque=78) + req(Op.NOOP, opaque=79)
        for i in range(1, len(packet)):
            with self.subTest(split=i):
                self.b.send_split(packet, [i], pause=0.003)
                self.check(read_resp(self.b), Op.GETK, extras=u32(5), key=b"gk",
                           value=b"gv", opaque=78, cas=cas)
                self.check(read_resp(self.b), Op.NOOP, opaque=79)

    def test_one_byte_at_a_time(self):
        packets = (req(Op.SET, b"one", set_extras(9), b"byte-by-byte", opaque=1)
                   + req(Op.INCREMENT, b"ctr", incr_extras(2, 40), opaque=2)
                   + req(Op.GETK, b"one", opaque=3))
        self.b.send_split(packets, [1] * len(packets), pause=0.0005)
        self.check(read_resp(self.b), Op.SET, opaque=1, cas=NONZERO)
        self.check(read_resp(self.b), Op.INCREMENT, value=u64(40), opaque=2, cas=NONZERO)
        self.check(read_resp(self.b), Op.GETK, extras=u32(9), key=b"one",
                   value=b"byte-by-byte", opaque=3, cas=NONZERO)

    def test_large_value_in_pieces(self):
        value = os.urandom(300000)
        packet = req(Op.SET, b"big", set_extras(), value, opaque=5)
        self.b.send_split(packet, [24, 8, 3] + [4096] * 80, pause=0.0005)
        self.check(read_resp(self.b), Op.SET, opaque=5, cas=NONZERO)
        self.assert_bvalue(b"big", value)


tearDownModule = stop_shared_servers


if __name__ == "__main__":
    unittest.main()
