#!/usr/bin/python3
"""memcached binary protocol helpers for integration tests.

    from binproto import req, read_resp, Op, St
    c.send(req(Op.SET, b"k", extras=set_extras(flags=5), value=b"v", opaque=7))
    r = read_resp(c)            # Resp(opcode, keylen, extlen, status, bodylen, opaque, cas,
                                #      extras, key, value) (+ magic, datatype)
    assert r.status == St.OK

Header (24 bytes, big-endian):  magic u8 | opcode u8 | keylen u16 | extlen u8 | datatype u8 |
vbucket (request) / status (response) u16 | bodylen u32 | opaque u32 | cas u64.

req() builds well-formed packets by default; keylen/extlen/bodylen/magic/datatype/vbucket
overrides build malformed ones (the body bytes actually sent are always extras+key+value).
resp() builds the exact bytes of an expected response, for byte-for-byte comparisons.
"""

import collections
import socket
import struct

from base import ServerTestCase
from server import Server

HEADER = struct.Struct(">BBHBBHIIQ")
HEADER_LEN = 24

REQ_MAGIC = 0x80
RES_MAGIC = 0x81


class Op:
    GET = 0x00
    SET = 0x01
    ADD = 0x02
    REPLACE = 0x03
    DELETE = 0x04
    INCREMENT = 0x05
    DECREMENT = 0x06
    QUIT = 0x07
    FLUSH = 0x08
    GETQ = 0x09
    NOOP = 0x0A
    VERSION = 0x0B
    GETK = 0x0C
    GETKQ = 0x0D
    APPEND = 0x0E
    PREPEND = 0x0F
    STAT = 0x10
    SETQ = 0x11
    ADDQ = 0x12
    REPLACEQ = 0x13
    DELETEQ = 0x14
    INCREMENTQ = 0x15
    DECREMENTQ = 0x16
    QUITQ = 0x17
    FLUSHQ = 0x18
    APPENDQ = 0x19
    PREPENDQ = 0x1A
    VERBOSITY = 0x1B
    TOUCH = 0x1C
    GAT = 0x1D
    GATQ = 0x1E
    SASL_LIST_MECHS = 0x20
    SASL_AUTH = 0x21
    SASL_STEP = 0x22
    GATK = 0x23
    GATKQ = 0x24
    RGET = 0x30          # 0x30..0x3C: range operations (never implemented)


class St:
    OK = 0x0000
    KEY_ENOENT = 0x0001
    KEY_EEXISTS = 0x0002
    E2BIG = 0x0003
    EINVAL = 0x0004
    NOT_STORED = 0x0005
    DELTA_BADVAL = 0x0006
    AUTH_ERROR = 0x0020
    AUTH_CONTINUE = 0x0021
    UNKNOWN_COMMAND = 0x0081
    ENOMEM = 0x0082


# Error bodies memcached 1.6.18 sends (proto_bin.c:write_bin_error).
ERR_TEXT = {
    St.KEY_ENOENT: b"Not found",
    St.KEY_EEXISTS: b"Data exists for key.",
    St.E2BIG: b"Too large.",
    St.EINVAL: b"Invalid arguments",
    St.NOT_STORED: b"Not stored.",
    St.DELTA_BADVAL: b"Non-numeric server-side value for incr or decr",
    St.AUTH_ERROR: b"Auth failure.",
    St.UNKNOWN_COMMAND: b"Unknown command",
    St.ENOMEM: b"Out of memory",
}

Resp = collections.namedtuple(
    "Resp", "opcode keylen extlen status bodylen opaque cas extras key value magic datatype")


def u32(n):
    return struct.pack(">I", n & 0xFFFFFFFF)


def u64(n):
    return struct.pack(">Q", n & 0xFFFFFFFFFFFFFFFF)


def set_extras(flags=0, exptime=0):
    """8 bytes of SET/ADD/REPLACE extras: flags u32, exptime u32."""
    return struct.pack(">II", flags & 0xFFFFFFFF, exptime & 0xFFFFFFFF)


def incr_extras(delta=1, initial=0, exptime=0):
    """20 bytes of INCREMENT/DECREMENT extras: delta u64, initial u64, exptime u32."""
    return struct.pack(">QQI", delta & 0xFFFFFFFFFFFFFFFF, initial & 0xFFFFFFFFFFFFFFFF,
                       exptime & 0xFFFFFFFF)


def header(opcode, keylen, extlen, status_or_vbucket, bodylen, opaque, cas,
           magic=REQ_MAGIC, datatype=0):
    return HEADER.pack(magic & 0xFF, opcode & 0xFF, keylen & 0xFFFF, extlen & 0xFF,
                       datatype & 0xFF, status_or_vbucket & 0xFFFF, bodylen & 0xFFFFFFFF,
                       opaque & 0xFFFFFFFF, cas & 0xFFFFFFFFFFFFFFFF)


def _b(x):
    return x.encode() if isinstance(x, str) else bytes(x)


def req(opcode, key=b"", extras=b"", value=b"", opaque=0, cas=0, bodylen=None,
        keylen=None, extlen=None, magic=REQ_MAGIC, datatype=0, vbucket=0):
    """A request packet: header + extras + key + value. The length fields default to the
    real lengths; override them to build malformed packets."""
    key, extras, value = _b(key), _b(extras), _b(value)
    kl = len(key) if keylen is None else keylen
    el = len(extras) if extlen is None else extlen
    bl = len(extras) + len(key) + len(value) if bodylen is None else bodylen
    return header(opcode, kl, el, vbucket, bl, opaque, cas, magic, datatype) \
        + extras + key + value


def resp(opcode, status=St.OK, key=b"", extras=b"", value=b"", opaque=0, cas=0):
    """The exact bytes of a response packet (for byte-for-byte comparisons)."""
    key, extras, value = _b(key), _b(extras), _b(value)
    return header(opcode, len(key), len(extras), status,
                  len(extras) + len(key) + len(value), opaque, cas, magic=RES_MAGIC) \
        + extras + key + value


def err(opcode, status, opaque=0, text=None):
    """Exact bytes of an error response (text body, no extras, no key, CAS 0)."""
    return resp(opcode, status, value=ERR_TEXT[status] if text is None else text,
                opaque=opaque)


def parse_header(h):
    return HEADER.unpack(h)


def read_resp(conn, timeout=None):
    """Read one complete response packet from a client.Conn and return a Resp."""
    h = conn.recv_exact(HEADER_LEN, timeout)
    magic, opcode, keylen, extlen, datatype, status, bodylen, opaque, cas = HEADER.unpack(h)
    body = conn.recv_exact(bodylen, timeout) if bodylen else b""
    extras = body[:extlen]
    key = body[extlen:extlen + keylen]
    value = body[extlen + keylen:]
    return Resp(opcode, keylen, extlen, status, bodylen, opaque, cas, extras, key, value,
                magic, datatype)


def read_raw(conn, timeout=None):
    """Read one complete response packet and return its exact bytes."""
    h = conn.recv_exact(HEADER_LEN, timeout)
    bodylen = HEADER.unpack(h)[6]
    return h + (conn.recv_exact(bodylen, timeout) if bodylen else b"")


def raw_of(r):
    """Re-encode a Resp into the bytes it was read from."""
    return header(r.opcode, r.keylen, r.extlen, r.status, r.bodylen, r.opaque, r.cas,
                  magic=r.magic, datatype=r.datatype) + r.extras + r.key + r.value


def read_until_noop(conn, timeout=None):
    """Read responses up to and including a NOOP reply; return the list (NOOP last)."""
    out = []
    while True:
        r = read_resp(conn, timeout)
        out.append(r)
        if r.opcode == Op.NOOP:
            return out


def sync(conn, opaque=0xC0FFEE, timeout=None):
    """Send a binary NOOP and require its reply to be the very next packet (proves the
    server sent nothing beyond what was already read)."""
    conn.send(req(Op.NOOP, opaque=opaque))
    got = read_raw(conn, timeout)
    want = resp(Op.NOOP, opaque=opaque)
    if got != want:
        extra = conn.recv_available(0.1)
        raise AssertionError("unexpected packet before NOOP sync: %r (then %r)"
                             % (got[:200], extra[:300]))


def expect(conn, send, want, do_sync=True, timeout=None):
    """Send bytes and assert the server answers exactly `want` (then a NOOP sync)."""
    if send:
        conn.send(send)
    try:
        got = conn.recv_exact(len(want), timeout) if want else b""
    except (socket.timeout, ConnectionError) as e:
        raise AssertionError("sent %r\nwanted %r\nerror: %s" % (send[:200], want[:300], e))
    if got != want:
        got += conn.recv_available(0.05)
        raise AssertionError("sent %r\nwanted %r\ngot    %r" % (send[:200], want[:300],
                                                                got[:400]))
    if do_sync:
        sync(conn, timeout=timeout)
    return got


# ---- unittest base class ------------------------------------------------------------------

_shared_servers = {}


def stop_shared_servers():
    """tearDownModule for modules using BinaryTestCase: stop the shared servers and fail
    if one of them had died or (slabd) did not exit 0 on SIGTERM."""
    problems = []
    while _shared_servers:
        _key, srv = _shared_servers.popitem()
        try:
            srv.stop(check=True)
        except AssertionError as e:
            problems.append(str(e))
    if problems:
        raise AssertionError("\n".join(problems))


ANY = object()        # cas=ANY: any CAS value
NONZERO = object()    # cas=NONZERO: any nonzero CAS value


class BinaryTestCase(ServerTestCase):
    """ServerTestCase plus a binary connection `self.b` per test (self.c stays the
    ASCII connection that base.py flushed with; with -B auto the first byte decides,
    so both work on one server). Classes on a `-B binary` server set
    binary_only = True: no ASCII flush, a binary FLUSH instead, and a binary
    sentinel."""
    binary_only = False
    # Classes with the same server_args share one server per test module (memcached takes
    # about a second to exit); set False for a class that needs a server of its own.
    # Each test module must define tearDownModule = stop_shared_servers.
    share_server = True

    @classmethod
    def setUpClass(cls):
        if not cls.share_server:
            return super().setUpClass()
        key = tuple(cls.server_args)
        srv = _shared_servers.get(key)
        if srv is None or not srv.alive():
            srv = Server(cls.server_args).start()
            _shared_servers[key] = srv
        cls.server = srv
        cls.crashes = []

    @classmethod
    def tearDownClass(cls):
        if not cls.share_server:
            return super().tearDownClass()
        # a server restarted after a crash (base.setUp) replaces the shared one
        if cls.server is not None:
            _shared_servers[tuple(cls.server_args)] = cls.server
        cls.server = None

    def setUp(self):
        if self.binary_only:
            self.flush_between_tests = False    # ASCII flush_all would close the conn
        super().setUp()
        if self.binary_only:
            self.b = self.c
            self.call(Op.FLUSH, opaque=0xF1, expect_status=St.OK)
        else:
            self.b = self.connect()

    # ---- sending / receiving ---------------------------------------------------------

    def call(self, opcode, key=b"", extras=b"", value=b"", opaque=0, cas=0, conn=None,
             expect_status=None, **kw):
        """Send one request and read one response packet."""
        conn = conn or self.b
        conn.send(req(opcode, key, extras, value, opaque=opaque, cas=cas, **kw))
        r = read_resp(conn)
        if expect_status is not None:
            self.assertEqual(r.status, expect_status, r)
        return r

    def expect_bin(self, send, want, do_sync=True, conn=None, timeout=None):
        return expect(conn or self.b, send, want, do_sync=do_sync, timeout=timeout)

    def sync_bin(self, conn=None):
        sync(conn or self.b)

    def check(self, r, opcode, status=St.OK, key=b"", extras=b"", value=b"", opaque=0,
              cas=0):
        """Assert a read response is exactly the given packet. cas may be an int,
        ANY or NONZERO. Returns the response's CAS."""
        want_cas = r.cas if cas in (ANY, NONZERO) else cas
        want = resp(opcode, status, key=key, extras=extras, value=value, opaque=opaque,
                    cas=want_cas)
        self.assertEqual(raw_of(r), want, "\ngot  %r\nwant %r" % (r, want))
        if cas is NONZERO:
            self.assertNotEqual(r.cas, 0, "CAS must be nonzero: %r" % (r,))
        return r.cas

    def check_err(self, r, opcode, status, opaque=0, text=None):
        self.check(r, opcode, status, value=ERR_TEXT[status] if text is None else text,
                   opaque=opaque)

    def assert_closed(self, conn, want=b"", timeout=2.0):
        """The server closes `conn` within timeout, having sent exactly `want` first
        (counting bytes already read into conn's buffer but not consumed)."""
        pending, conn.buf = conn.buf, b""
        closed = conn.is_closed(timeout)
        got = pending + conn.closed_with
        self.assertTrue(closed, "connection not closed (got %r)" % got[:300])
        self.assertEqual(got, want)

    def assert_open_and_silent(self, conn, wait=0.3):
        """Nothing arrives within `wait` seconds and the connection stays open."""
        pending, conn.buf = conn.buf, b""
        closed = conn.is_closed(wait)
        self.assertFalse(closed, "connection was closed (after %r)"
                         % (pending + conn.closed_with)[:300])
        self.assertEqual(pending + conn.closed_with, b"", "unexpected reply")

    # ---- data helpers ----------------------------------------------------------------

    def bset(self, key, value, flags=0, exptime=0, cas=0, conn=None, opcode=Op.SET):
        """Binary store that must succeed; returns the new CAS."""
        r = self.call(opcode, key, set_extras(flags, exptime), value, opaque=0x5E7,
                      cas=cas, conn=conn)
        return self.check(r, opcode, opaque=0x5E7, cas=NONZERO)

    def bget(self, key, conn=None, opaque=0):
        return self.call(Op.GET, key, opaque=opaque, conn=conn)

    def assert_bvalue(self, key, value, flags=0, cas=NONZERO, conn=None):
        """Binary GET hit with exactly this value and flags; returns the CAS."""
        r = self.bget(key, conn=conn, opaque=0x6E7)
        return self.check(r, Op.GET, extras=u32(flags), value=value, opaque=0x6E7,
                          cas=cas)

    def assert_bmiss(self, key, conn=None):
        r = self.bget(key, conn=conn, opaque=0x6E7)
        self.check_err(r, Op.GET, St.KEY_ENOENT, opaque=0x6E7)

    def fresh_bin(self):
        return self.connect()

    # binary-only servers: sentinel via binary
    def plant_sentinel(self, key=b"sentinel", value=b"intact-value", flags=7):
        if self.binary_only:
            self.bset(key, value, flags)
        else:
            ServerTestCase.plant_sentinel(self, key, value, flags)

    def assert_healthy(self, key=b"sentinel", value=b"intact-value", flags=7):
        if not self.binary_only:
            return ServerTestCase.assert_healthy(self, key, value, flags)
        self.assertTrue(self.server.alive(), "server died")
        fresh = self.connect()
        self.assert_bvalue(key, value, flags, conn=fresh)
        fresh.close()
