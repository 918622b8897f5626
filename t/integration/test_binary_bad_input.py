#!/usr/bin/python3
"""Binary protocol bad input (reference section 2.3; security table: CVE-2011-4971,
CVE-2016-8704/8705/8706, CVE-2017-9951, CVE-2020-10931, the 1.6.42 bodylen desync and the
1.6.43 refcount fix).

Every test is named after the class of bad input. After each one the server must be up,
a sentinel planted before the test must be intact and a new connection must be served
(setUp plants it, tearDown checks it).

Deliberate differences from memcached 1.6.18 (self.variant):
  * bodylen above 1 GiB (0x40000001, 0x80000001, 0xffffffe8, 0xffffffff): slabd replies
    0x04 "Invalid arguments" and closes. 1.6.18 either swallows the (never arriving) body
    with its "Too large." reply held back, or, when bodylen - extlen - keylen is negative
    as an int, replies "Too large." and parses the body bytes as commands (desync; and
    on a connection structure reused from a connection closed mid-swallow, it swallows
    the leftover count instead).
  * unknown opcode with a body: slabd replies 0x81 and swallows exactly
    bodylen - extlen - keylen bytes; 1.6.18 swallows bodylen bytes after the extras and
    key it already consumed (over-swallows extlen + keylen bytes of the next request).
Where 1.6.18's bytes are an accident of its buffering, slabd is allowed either 1.6.18's
bytes or the obvious alternative (asserted with is_memcached(), not pinned for slabd):
  * a 65535-byte key: 1.6.18 closes silently (its 16 KB read buffer cannot hold the key);
    slabd may send "Invalid arguments" first.
  * replies still queued when a bad magic byte is parsed in the same read: 1.6.18 drops
    them; slabd may send them before closing.
"""

import os
import random
import struct
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

from binproto import (NONZERO, BinaryTestCase, Op, St, err, header,   # noqa: E402
                      incr_extras, read_raw, read_resp, req, resp, set_extras,
                      stop_shared_servers, sync, u32)
from client import Conn   # noqa: E402
from server import is_memcached   # noqa: E402

NOOP_OPAQUE = 0x0BADF00D
NOOP = req(Op.NOOP, opaque=NOOP_OPAQUE)
NOOP_REPLY = resp(Op.NOOP, opaque=NOOP_OPAQUE)

# every opcode memcached 1.6.18 implements (without -S)
KNOWN_OPCODES = [op for op in range(0x25) if op not in (Op.VERBOSITY, 0x1F)]


class BadInputBase(BinaryTestCase):
    def setUp(self):
        super().setUp()
        self.plant_sentinel()

    def tearDown(self):
        try:
            if self.server.alive():
                self.assert_healthy()
        finally:
            super().tearDown()

    # ---- helpers ---------------------------------------------------------------------

    def assert_reply_then_close(self, send, want, conn=None, timeout=2.0):
        """Send bytes (on a new connection unless conn is given): the server answers
        exactly `want` and then closes the connection."""
        c = conn or self.connect()
        try:
            c.send(send)
        except OSError:
            pass
        with self.subTest(sent=send[:64]):
            self.assert_closed(c, want, timeout)

    def assert_einval_close(self, send, opcode, opaque):
        self.assert_reply_then_close(send, err(opcode, St.EINVAL, opaque=opaque))


class KeylenBodylenTest(BadInputBase):
    """CVE-2016-8704/8705/8706, CVE-2017-9951: keylen > bodylen, keylen + extlen > bodylen,
    value length -1/-2. memcached 1.6.18 waits for header + extlen + keylen bytes, then
    replies 0x81 "Unknown command" and closes."""

    OPS = [(Op.SET, 8), (Op.ADD, 8), (Op.REPLACE, 8), (Op.SETQ, 8), (Op.ADDQ, 8),
           (Op.REPLACEQ, 8), (Op.APPEND, 0), (Op.PREPEND, 0), (Op.APPENDQ, 0),
           (Op.PREPENDQ, 0), (Op.SASL_AUTH, 0), (Op.SASL_STEP, 0)]

    def unknown_close(self, opcode, key, extras, bodylen, opaque, tail=NOOP):
        self.assert_reply_then_close(
            req(opcode, key, extras, bodylen=bodylen, opaque=opaque) + tail,
            err(opcode, St.UNKNOWN_COMMAND, opaque=opaque))

    def test_keylen_greater_than_bodylen(self):
        for op, ext in self.OPS:
            for bodylen in (0, 1, 7):
                with self.subTest(opcode=hex(op), bodylen=bodylen):
                    self.unknown_close(op, b"k" * 8, b"\x00" * ext, bodylen, 0x100 + op)

    def test_keylen_plus_extlen_greater_than_bodylen(self):
        for op, ext in self.OPS:
            if ext == 0:
                ext = 4        # extras the opcode does not want: the length check is first
            with self.subTest(opcode=hex(op)):
                self.unknown_close(op, b"k" * 8, b"\x00" * ext, 8 + ext - 3, 0x200 + op)

    def test_value_length_minus_one_and_minus_two(self):
        for op, ext in self.OPS:
            for minus in (1, 2):
                with self.subTest(opcode=hex(op), minus=minus):
                    self.unknown_close(op, b"k" * 8, b"\x00" * ext, 8 + ext - minus,
                                       0x300 + op)

    def test_keylen_greater_than_bodylen_on_every_opcode(self):
        for op in list(range(0x25)) + [0x30, 0xFF]:
            with self.subTest(opcode=hex(op)):
                self.unknown_close(op, b"key", b"", 2, 0x400 + op)

    def test_keylen_greater_than_bodylen_with_body_following(self):
        # the bytes after the malformed header are never parsed
        self.unknown_close(Op.SET, b"k" * 8, set_extras(), 4, 1,
                           tail=req(Op.DELETE, b"sentinel") + NOOP)

    def test_huge_keylen_small_bodylen(self):
        # keylen 300 > bodylen 10: the size check precedes the 250-byte key check
        self.unknown_close(Op.GET, b"k" * 300, b"", 10, 5)

    def test_replies_before_the_bad_packet_are_sent(self):
        c = self.connect()
        c.send(req(Op.SET, b"a", set_extras(), b"v", opaque=1)
               + req(Op.GET, b"a", opaque=2)
               + req(Op.SET, b"k" * 8, set_extras(), bodylen=4, opaque=3) + NOOP)
        r = read_resp(c)
        self.check(r, Op.SET, opaque=1, cas=NONZERO)
        self.check(read_resp(c), Op.GET, extras=u32(0), value=b"v", opaque=2, cas=r.cas)
        self.assert_reply_then_close(b"", err(Op.SET, St.UNKNOWN_COMMAND, opaque=3), conn=c)


class HugeBodylenTest(BadInputBase):
    """Body lengths above 1 GiB / INT_MAX (CVE-2011-4971; 1.6.42's desync fix).

    DELIBERATE DIFFERENCE: slabd replies 0x04 "Invalid arguments" and closes; the body
    bytes are never parsed. memcached 1.6.18: see the module docstring. Its behaviour also
    depends on leftover swallow state of a reused connection structure, so the
    connections left mid-swallow are kept open until the class ends."""

    keep = []
    share_server = False

    @classmethod
    def tearDownClass(cls):
        for c in cls.keep:
            c.close()
        cls.keep = []
        super().tearDownClass()

    def raw_conn(self):
        c = Conn(self.server.port)
        type(self).keep.append(c)
        return c

    def huge(self, opcode, bodylen, key=b"k" * 8, extras=set_extras(), mc="swallow"):
        """mc: what 1.6.18 does. "swallow": reply held back, everything swallowed;
        "desync": "Too large." and the following bytes are parsed as commands."""
        opaque = 0x4242
        self.bset(b"victim", b"v")
        c = self.raw_conn()
        # the "body" starts with a request that must never be executed, then a NOOP
        body = req(Op.DELETE, b"victim", opaque=0xDE1) + NOOP
        c.send(req(opcode, key, extras, bodylen=bodylen, opaque=opaque) + body)
        if not is_memcached():
            self.assert_reply_then_close(b"", err(opcode, St.EINVAL, opaque=opaque), conn=c)
            self.assert_bvalue(b"victim", b"v")
            return
        if mc == "swallow":
            self.assert_open_and_silent(c)
            c.send(NOOP * 10)
            self.assert_open_and_silent(c, 0.1)
            self.assert_bvalue(b"victim", b"v")
        else:
            # desync: "Too large.", then the DELETE inside the "body" runs, then the NOOP
            self.assertEqual(c.recv_exact(24 + 10), err(opcode, St.E2BIG, opaque=opaque))
            self.assertEqual(read_raw(c), resp(Op.DELETE, opaque=0xDE1))
            self.assertEqual(read_raw(c), NOOP_REPLY)
            self.assert_open_and_silent(c, 0.1)
            self.assert_bmiss(b"victim")

    def test_bodylen_above_1gib(self):
        self.huge(Op.SET, 0x40000001)

    def test_bodylen_above_int_max(self):
        self.huge(Op.SET, 0x80000001)

    def test_bodylen_0xffffffff(self):
        self.huge(Op.SET, 0xFFFFFFFF, mc="desync")

    def test_bodylen_above_1gib_on_add_replace_append(self):
        self.huge(Op.ADD, 0x40000001)
        self.huge(Op.REPLACEQ, 0x80000001)
        self.huge(Op.APPEND, 0x40000001, extras=b"")

    def test_cve_2011_4971_set(self):
        self.huge(Op.SET, 0xFFFFFFE8, mc="desync")

    def test_cve_2011_4971_append(self):
        self.huge(Op.APPEND, 0xFFFFFFE8, extras=b"", mc="desync")

    def test_cve_2011_4971_header_only(self):
        # the classic exploit packet: header, no extras, keylen 8, bodylen 0xffffffe8
        # (extlen 0 is the wrong shape for SET: 0x04 and close on both servers)
        c = self.raw_conn()
        c.send(header(Op.SET, 8, 0, 0, 0xFFFFFFE8, 0, 0) + b"k" * 8 + NOOP)
        self.assert_reply_then_close(b"", err(Op.SET, St.EINVAL), conn=c)


class ExtlenTest(BadInputBase):
    """CVE-2020-10931: extlen 255 on every opcode 0x00..0x24."""

    def test_extlen_255_on_known_opcodes(self):
        for op in KNOWN_OPCODES:
            for key in (b"", b"k"):
                with self.subTest(opcode=hex(op), key=key):
                    self.assert_einval_close(req(op, key, b"\xAA" * 255, opaque=op) + NOOP,
                                             op, op)

    def test_extlen_255_on_unknown_opcodes(self):
        """DELIBERATE DIFFERENCE (unknown opcode with a body, see module docstring)."""
        for op in (Op.VERBOSITY, 0x1F):
            with self.subTest(opcode=hex(op)):
                c = self.connect()
                c.send(req(op, extras=b"\xAA" * 255, opaque=op) + NOOP)
                if is_memcached():
                    # over-swallows 255 more bytes: the NOOP and 231 bytes still to come
                    self.assert_open_and_silent(c)
                    c.send(b"\x00" * 231 + NOOP)
                self.assertEqual(c.recv_exact(24 + 15 + 24),
                                 err(op, St.UNKNOWN_COMMAND, opaque=op) + NOOP_REPLY)
                sync(c)

    def test_extlen_20_plus_on_incr(self):
        # more extras than the largest struct (incr: 20)
        for ext in (21, 24, 64, 128):
            with self.subTest(extlen=ext):
                self.assert_einval_close(req(Op.INCREMENT, b"k", b"\x00" * ext, opaque=ext),
                                         Op.INCREMENT, ext)


class WrongShapeTest(BadInputBase):
    """Per-opcode extlen/keylen/bodylen shape: 0x04 "Invalid arguments", then close."""

    def shapes(self):
        k, v = b"key", b"value"
        e4, e8, e20 = b"\x00" * 4, b"\x00" * 8, b"\x00" * 20
        out = []
        for op in (Op.GET, Op.GETQ, Op.GETK, Op.GETKQ, Op.DELETE, Op.DELETEQ):
            out += [(op, dict(key=k, extras=e4)), (op, dict()), (op, dict(key=k, value=v)),
                    (op, dict(value=v))]
        for op in (Op.SET, Op.ADD, Op.REPLACE, Op.SETQ, Op.ADDQ, Op.REPLACEQ):
            out += [(op, dict(key=k, value=v)), (op, dict(key=k, extras=e4, value=v)),
                    (op, dict(extras=e8, value=v)), (op, dict(key=k, extras=e20)),
                    (op, dict(extras=e8))]
        for op in (Op.INCREMENT, Op.DECREMENT, Op.INCREMENTQ, Op.DECREMENTQ):
            out += [(op, dict(key=k)), (op, dict(key=k, extras=e8)), (op, dict(extras=e20)),
                    (op, dict(key=k, extras=e20, value=v)), (op, dict(key=k, extras=e4))]
        for op in (Op.QUIT, Op.QUITQ, Op.NOOP, Op.VERSION, Op.SASL_LIST_MECHS):
            out += [(op, dict(key=k)), (op, dict(extras=e4)), (op, dict(value=v))]
        for op in (Op.FLUSH, Op.FLUSHQ):
            out += [(op, dict(extras=e8)), (op, dict(key=k)), (op, dict(value=v)),
                    (op, dict(extras=e4, value=v)), (op, dict(extras=b"\x00"))]
        for op in (Op.APPEND, Op.PREPEND, Op.APPENDQ, Op.PREPENDQ):
            out += [(op, dict(key=k, extras=e8, value=v)), (op, dict(value=v)), (op, dict())]
        out += [(Op.STAT, dict(extras=e4)), (Op.STAT, dict(key=b"items", extras=e4))]
        for op in (Op.SASL_AUTH, Op.SASL_STEP):
            out += [(op, dict(value=v)), (op, dict(key=b"PLAIN", extras=e4, value=v))]
        for op in (Op.TOUCH, Op.GAT, Op.GATQ, Op.GATK, Op.GATKQ):
            out += [(op, dict(key=k)), (op, dict(key=k, extras=e8)), (op, dict(extras=e4)),
                    (op, dict(key=k, extras=b"\x00"))]
        return out

    def test_wrong_shapes(self):
        for i, (op, kw) in enumerate(self.shapes()):
            with self.subTest(opcode=hex(op), shape=kw):
                self.assert_einval_close(req(op, opaque=0x1000 + i, **kw) + NOOP, op,
                                         0x1000 + i)

    def test_wrong_shape_after_good_requests(self):
        c = self.connect()
        c.send(req(Op.SET, b"a", set_extras(), b"1", opaque=1) + req(Op.GETK, b"a", opaque=2)
               + req(Op.GET, b"a", extras=u32(0), opaque=3) + NOOP)
        r = read_resp(c)
        self.check(r, Op.SET, opaque=1, cas=NONZERO)
        self.check(read_resp(c), Op.GETK, extras=u32(0), key=b"a", value=b"1", opaque=2,
                   cas=r.cas)
        self.assert_reply_then_close(b"", err(Op.GET, St.EINVAL, opaque=3), conn=c)

    def test_shapes_1_6_18_does_not_check(self):
        """TOUCH/GAT* and STAT do not check bodylen: 1.6.18 ignores the extra body bytes,
        which are then parsed as the next request (here: a NOOP). DELIBERATE DIFFERENCE:
        slabd skips them (body bytes are never run as commands), so no NOOP reply."""
        cas = self.bset(b"t", b"v", flags=3)
        c = self.connect()
        smuggled = self.variant(memcached=NOOP_REPLY, slabd=b"")
        self.expect_bin(req(Op.TOUCH, b"t", u32(0), value=NOOP, opaque=1),
                        resp(Op.TOUCH, extras=u32(3), opaque=1, cas=cas) + smuggled, conn=c)
        self.expect_bin(req(Op.GAT, b"t", u32(0), value=NOOP, opaque=2),
                        resp(Op.GAT, extras=u32(3), value=b"v", opaque=2, cas=cas)
                        + smuggled, conn=c)
        self.expect_bin(req(Op.GATK, b"nokey", u32(0), value=NOOP, opaque=3),
                        resp(Op.GATK, St.KEY_ENOENT, key=b"nokey", opaque=3) + smuggled,
                        conn=c)
        self.expect_bin(req(Op.STAT, b"reset", value=NOOP, opaque=4),
                        resp(Op.STAT, opaque=4) + smuggled, conn=c)


class KeyTooLongTest(BadInputBase):
    """keylen > 250: 0x04 and close (checked before the opcode shape)."""

    def test_keylen_251(self):
        for op, extras in ((Op.GET, b""), (Op.GETKQ, b""), (Op.SET, set_extras()),
                           (Op.ADDQ, set_extras()), (Op.DELETE, b""),
                           (Op.INCREMENT, incr_extras()), (Op.APPEND, b""), (Op.TOUCH, u32(0)),
                           (Op.GAT, u32(0)), (Op.STAT, b""), (Op.VERBOSITY, b""), (0x30, b""),
                           (Op.NOOP, b""), (Op.SASL_AUTH, b"")):
            with self.subTest(opcode=hex(op)):
                value = b"v" if op in (Op.SET, Op.ADDQ, Op.APPEND) else b""
                self.assert_einval_close(req(op, b"k" * 251, extras, value, opaque=op)
                                         + NOOP, op, op)

    def test_keylen_251_to_1000(self):
        for n in (251, 252, 255, 256, 1000, 4096):
            with self.subTest(keylen=n):
                self.assert_einval_close(req(Op.GET, b"k" * n, opaque=n), Op.GET, n)

    def test_keylen_65535(self):
        """1.6.18 closes silently (its 16 KB read buffer cannot hold the key); slabd may
        send "Invalid arguments" first."""
        c = self.connect()
        try:
            c.send(req(Op.GET, b"k" * 65535, opaque=9))
        except OSError:
            pass
        pending, c.buf = c.buf, b""
        self.assertTrue(c.is_closed(3.0))
        self.assertIn(pending + c.closed_with, self.variant(
            memcached=[b""], slabd=[b"", err(Op.GET, St.EINVAL, opaque=9)]))


class BadMagicTest(BadInputBase):
    """A request whose first byte is not 0x80 on a binary connection: closed, no reply."""

    def test_bad_magic_later_packet(self):
        for magic in (0x81, 0x00, 0x7F, 0x82, 0xFF, ord("g")):
            with self.subTest(magic=hex(magic)):
                c = self.connect()
                c.send(NOOP)
                self.assertEqual(read_raw(c), NOOP_REPLY)
                self.assert_reply_then_close(req(Op.NOOP, magic=magic) + NOOP, b"", conn=c)

    def test_bad_magic_response_packet_sent_back(self):
        c = self.connect()
        c.send(NOOP)
        self.assertEqual(read_raw(c), NOOP_REPLY)
        self.assert_reply_then_close(NOOP_REPLY + NOOP, b"", conn=c)

    def test_bad_magic_in_same_read_as_earlier_requests(self):
        """1.6.18 drops replies still queued when the bad magic is parsed."""
        c = self.connect()
        c.send(NOOP)
        self.assertEqual(read_raw(c), NOOP_REPLY)
        c.send(req(Op.SET, b"x", set_extras(), b"v", opaque=1) + req(Op.NOOP, magic=0x81))
        pending, c.buf = c.buf, b""
        self.assertTrue(c.is_closed(2.0))
        got = pending + c.closed_with
        if is_memcached():
            self.assertEqual(got, b"")
        else:
            self.assertIn(len(got), (0, 24), got)
            if got:
                self.assertEqual(got[:2] + got[4:16], b"\x81\x01" + b"\x00" * 4
                                 + struct.pack(">II", 0, 1))

    def test_ascii_after_binary(self):
        c = self.connect()
        c.send(NOOP)
        self.assertEqual(read_raw(c), NOOP_REPLY)
        self.assert_reply_then_close(b"get sentinel\r\n" + b" " * 20, b"", conn=c)


class UnknownOpcodeBodyTest(BadInputBase):
    """DELIBERATE DIFFERENCE: an unknown opcode with a body. slabd replies 0x81 "Unknown
    command" and swallows exactly bodylen - extlen - keylen bytes; 1.6.18 swallows
    bodylen bytes after the extras and key (extlen + keylen bytes too many) and holds the
    0x81 reply until the swallow ends."""

    CASES = [(Op.VERBOSITY, u32(1), b"", b""), (0x30, b"", b"abc", b"xyz"),
             (0x3C, b"ext!", b"key", b"value"), (0xFF, b"", b"", b"data"),
             (0x1F, b"12345678", b"k", b"")]

    def test_unknown_opcode_with_body(self):
        for i, (op, extras, key, value) in enumerate(self.CASES):
            with self.subTest(opcode=hex(op)):
                c = self.connect()
                pkt = req(op, key, extras, value, opaque=0x700 + i)
                want = err(op, St.UNKNOWN_COMMAND, opaque=0x700 + i)
                if not is_memcached():
                    c.send(pkt + NOOP)
                    self.assertEqual(c.recv_exact(len(want) + 24), want + NOOP_REPLY)
                    sync(c)
                    continue
                over = len(extras) + len(key)
                # 1.6.18 with exactly the over-swallowed amount of padding: in step again
                c.send(pkt + b"P" * over + NOOP)
                self.assertEqual(c.recv_exact(len(want) + 24), want + NOOP_REPLY)
                sync(c)
                # without padding: the next request is misparsed (only when something
                # was over-swallowed: then NOOP[over:] starts with a bad magic byte)
                c2 = self.connect()
                c2.send(pkt + NOOP + NOOP)
                if over:
                    self.assert_closed(c2)
                else:
                    self.assertEqual(c2.recv_exact(len(want) + 48),
                                     want + NOOP_REPLY + NOOP_REPLY)

    def test_unknown_opcode_body_that_looks_like_a_request(self):
        """The body of an unknown opcode is never executed (both servers)."""
        c = self.connect()
        body = req(Op.DELETE, b"sentinel", opaque=0xDE1)
        c.send(req(0x30, value=body, opaque=5) + NOOP)
        want = err(0x30, St.UNKNOWN_COMMAND, opaque=5)
        self.assertEqual(c.recv_exact(len(want) + 24), want + NOOP_REPLY)

    def test_unknown_opcode_without_body(self):
        c = self.connect()
        for op in (Op.VERBOSITY, 0x1F, 0x25, 0x30, 0x3C, 0x7F, 0x80, 0xFF):
            self.expect_bin(req(op, opaque=op), err(op, St.UNKNOWN_COMMAND, opaque=op),
                            conn=c)


class PipelinedGetsTest(BadInputBase):
    """One key fetched by 100,000 pipelined GETs in one send (item refcount; 1.6.43)."""

    def test_100k_pipelined_gets_of_one_key(self):
        n = 100000
        value = os.urandom(10 * 1024)
        cas = self.bset(b"hot", value, flags=0x55)
        payload = b"".join(req(Op.GET, b"hot", opaque=i) for i in range(n)) + NOOP
        c = self.connect()
        sock = c.sock
        errors = []

        def sender():
            try:
                sock.sendall(payload)
            except OSError as e:
                errors.append(e)

        t = threading.Thread(target=sender, daemon=True)
        t.start()
        body = u32(0x55) + value
        plen = 24 + len(body)
        head = resp(Op.GET, extras=body, cas=cas)[:24]     # opaque patched per reply
        buf = bytearray()
        got = 0
        pos = 0
        deadline = time.monotonic() + 60
        sock.settimeout(10)
        while got < n:
            self.assertLess(time.monotonic(), deadline, "timed out after %d replies" % got)
            chunk = sock.recv(1 << 22)
            self.assertTrue(chunk, "connection closed after %d replies" % got)
            buf += chunk
            while got < n and len(buf) - pos >= plen:
                h = bytes(buf[pos:pos + 24])
                if h != head[:12] + struct.pack(">I", got) + head[16:] \
                        or bytes(buf[pos + 24:pos + plen]) != body:
                    self.fail("reply %d wrong: header %r" % (got, h))
                pos += plen
                got += 1
            if pos > (1 << 24):
                del buf[:pos]
                pos = 0
        del buf[:pos]
        while len(buf) < 24:
            chunk = sock.recv(65536)
            self.assertTrue(chunk, "closed before the NOOP reply")
            buf += chunk
        self.assertEqual(bytes(buf), NOOP_REPLY)
        t.join(10)
        self.assertFalse(errors, errors)
        sync(c)
        self.assert_bvalue(b"hot", value, flags=0x55, cas=cas)


class BinaryOnlyGarbageTest(BadInputBase):
    """Garbage on a `-B binary` port: closed, server up."""
    server_args = ["-B", "binary"]
    binary_only = True

    def test_random_bytes(self):
        rng = random.Random(4242)
        for i in range(20):
            data = bytes(rng.randrange(256) for _ in range(rng.randrange(24, 400)))
            if data[0] == 0x80:
                data = b"\x00" + data[1:]
            with self.subTest(i=i):
                self.assert_reply_then_close(data, b"")

    def test_random_bytes_after_magic(self):
        # a random header: it may wait for a body that never comes; the server survives
        rng = random.Random(99)
        for i in range(20):
            data = b"\x80" + bytes(rng.randrange(256) for _ in range(rng.randrange(23, 400)))
            c = self.connect()
            try:
                c.send(data)
            except OSError:
                pass
            c.recv_available(0.02)
            c.close()
        self.assertTrue(self.server.alive())

    def test_http_request(self):
        self.assert_reply_then_close(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n", b"")

    def test_ascii_commands(self):
        for data in (b"get sentinel\r\nget sentinel\r\n", b"stats\r\n" * 5,
                     b"set x 0 0 1\r\nx\r\nversion\r\n", b"flush_all\r\n" * 3):
            with self.subTest(data=data):
                self.assert_reply_then_close(data, b"")

    def test_magic_0x81_first(self):
        self.assert_reply_then_close(NOOP_REPLY + NOOP, b"")


class SplitHeaderTest(BadInputBase):
    """A header split across reads at every byte boundary."""

    def test_good_header_split_everywhere(self):
        pkt = req(Op.GETK, b"sentinel", opaque=0x51)
        c = self.connect()
        for i in range(1, len(pkt)):
            with self.subTest(split=i):
                c.send_split(pkt, [i], pause=0.002)
                self.check(read_resp(c), Op.GETK, extras=u32(7), key=b"sentinel",
                           value=b"intact-value", opaque=0x51, cas=NONZERO)

    def test_bad_header_split_everywhere(self):
        pkt = req(Op.GET, b"k" * 251, opaque=0x52)
        for i in range(1, 25):
            with self.subTest(split=i):
                c = self.connect()
                c.send_split(pkt, [i], pause=0.002)
                self.assert_reply_then_close(b"", err(Op.GET, St.EINVAL, opaque=0x52), conn=c)

    def test_keylen_bodylen_header_split_everywhere(self):
        pkt = req(Op.SET, b"k" * 8, set_extras(), bodylen=10, opaque=0x53)
        for i in range(1, len(pkt)):
            with self.subTest(split=i):
                c = self.connect()
                c.send_split(pkt, [i], pause=0.002)
                self.assert_reply_then_close(b"", err(Op.SET, St.UNKNOWN_COMMAND,
                                                      opaque=0x53), conn=c)

    def test_partial_header_then_close(self):
        for n in (1, 12, 23):
            c = self.connect()
            c.send(req(Op.GET, b"sentinel")[:n])
            c.close()
        c = self.connect()
        c.send(req(Op.SET, b"half", set_extras(), b"x" * 100)[:60])
        c.close()
        self.assert_bmiss(b"half")


class TooLargeTest(BadInputBase):
    """Value too large (-I 1m, 2 MB value): 0x03 "Too large.", the value is swallowed,
    the next request on the same connection works; a failed SET removes the old value."""
    server_args = ["-I", "1m"]
    BIG = 2 * 1024 * 1024

    def test_set_too_large_swallowed(self):
        data = (NOOP * (self.BIG // 24 + 1))[:self.BIG]     # a value that looks like requests
        self.b.send(req(Op.SET, b"big", set_extras(), data, opaque=0x33) + NOOP)
        self.check(read_resp(self.b, timeout=10), Op.SET, St.E2BIG, value=b"Too large.",
                   opaque=0x33)
        self.assertEqual(read_raw(self.b), NOOP_REPLY)
        self.sync_bin()
        self.assert_bmiss(b"big")

    def test_failed_set_removes_old_value(self):
        self.bset(b"big", b"old value")
        self.b.send(req(Op.SET, b"big", set_extras(), b"y" * self.BIG, opaque=1))
        self.check(read_resp(self.b, timeout=10), Op.SET, St.E2BIG, value=b"Too large.",
                   opaque=1)
        self.assert_bmiss(b"big")

    def test_failed_quiet_set_is_reported_and_removes_old_value(self):
        self.bset(b"big", b"old value")
        self.b.send(req(Op.SETQ, b"big", set_extras(), b"y" * self.BIG, opaque=2) + NOOP)
        self.check(read_resp(self.b, timeout=10), Op.SETQ, St.E2BIG, value=b"Too large.",
                   opaque=2)
        self.assertEqual(read_raw(self.b), NOOP_REPLY)
        self.assert_bmiss(b"big")

    def test_failed_add_replace_append_keep_old_value(self):
        cas = self.bset(b"big", b"old value")
        for op, extras in ((Op.ADD, set_extras()), (Op.REPLACE, set_extras()),
                           (Op.APPEND, b""), (Op.PREPENDQ, b"")):
            with self.subTest(opcode=hex(op)):
                self.b.send(req(op, b"big", extras, b"z" * self.BIG, opaque=op))
                self.check(read_resp(self.b, timeout=10), op, St.E2BIG, value=b"Too large.",
                           opaque=op)
                self.assert_bvalue(b"big", b"old value", cas=cas)

    def test_too_large_sent_slowly(self):
        c = self.connect()
        c.send(req(Op.SET, b"slow", set_extras(), opaque=7, bodylen=8 + 4 + self.BIG))
        for _ in range(self.BIG // 65536):
            c.send(b"z" * 65536)
        c.send(NOOP)
        self.assertEqual(c.recv_exact(24 + 10 + 24, timeout=10),
                         err(Op.SET, St.E2BIG, opaque=7) + NOOP_REPLY)


class OutOfMemoryTest(BadInputBase):
    """-M with a small -m: storing past the limit is 0x82 "Out of memory allocating item";
    the value is swallowed and the connection keeps working."""
    server_args = ["-m", "8", "-M"]
    OOM_TEXT = b"Out of memory allocating item"

    def test_fill_until_out_of_memory(self):
        value = b"m" * 100000
        self.bset(b"victim", b"small")
        stored = []
        for i in range(400):
            self.b.send(req(Op.SET, b"oom%d" % i, set_extras(), value, opaque=i))
            r = read_resp(self.b)
            if r.status != St.OK:
                self.check(r, Op.SET, St.ENOMEM, value=self.OOM_TEXT, opaque=i)
                break
            stored.append(b"oom%d" % i)
        else:
            self.fail("never ran out of memory")
        self.assertGreater(len(stored), 10)
        self.sync_bin()
        # swallowed: a value that looks like requests is not executed
        data = (req(Op.DELETE, b"victim") * (100000 // 30 + 1))[:100000]
        self.assertEqual(len(data), len(value))
        self.b.send(req(Op.SETQ, b"more", set_extras(), data, opaque=0x51) + NOOP)
        self.check(read_resp(self.b), Op.SETQ, St.ENOMEM, value=self.OOM_TEXT, opaque=0x51)
        self.assertEqual(read_raw(self.b), NOOP_REPLY)
        self.b.send(req(Op.APPEND, stored[0], value=value, opaque=0x52))
        self.check(read_resp(self.b), Op.APPEND, St.ENOMEM, value=self.OOM_TEXT,
                   opaque=0x52)
        self.assert_bvalue(b"victim", b"small")
        for key in (stored[0], stored[-1]):
            self.assert_bvalue(key, value)
        # a failed SET removes the old value of that key
        self.b.send(req(Op.SET, b"victim", set_extras(), value, opaque=0x53))
        self.check(read_resp(self.b), Op.SET, St.ENOMEM, value=self.OOM_TEXT, opaque=0x53)
        self.assert_bmiss(b"victim")
        self.assertEqual(self.c.stats()["evictions"], "0")


tearDownModule = stop_shared_servers


if __name__ == "__main__":
    unittest.main()
