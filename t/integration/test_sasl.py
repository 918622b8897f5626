#!/usr/bin/python3
"""Binary-protocol SASL authentication (-S), byte for byte against memcached 1.6.18.

The server runs with -S and the accounts user/pass and other/secret (mechanism PLAIN;
see t/lib/sasl_setup.py for how slabd and memcached get their accounts). Every expected
packet below was recorded from memcached 1.6.18 (Debian, Cyrus SASL, mech_list: plain):

  * error replies are header + text body ("Auth failure.", "Invalid arguments", ...),
    opcode and opaque copied from the request, CAS 0;
  * until a connection is authenticated, every opcode except SASL_LIST_MECHS, SASL_AUTH,
    SASL_STEP and VERSION gets 0x20 "Auth failure." and the connection is closed;
  * a failed SASL_AUTH/SASL_STEP answers 0x20 but keeps the connection, which stays (or
    becomes) unauthenticated: the next ordinary command gets 0x20 and a close
    (CVE-2013-7239);
  * auth_cmds counts every finished SASL_AUTH/SASL_STEP, auth_errors the failed ones.

Tests that depend on the sasl-pwdb file format (MEMCACHED_SASL_PWDB) run against slabd
only: Debian's memcached 1.6.18 is built without sasl-pwdb.
"""

import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "lib"))

from base import ServerTestCase, is_memcached, is_slabd   # noqa: E402
from binproto import (Op, St, err, read_raw, req, resp, set_extras,   # noqa: E402
                      incr_extras, HEADER)
from sasl_setup import (SaslServerTestCase, cleanup_sasl_config,   # noqa: E402
                        sasl_available, sasl_server_config)
from server import Server, binary_for, free_port, server_kind   # noqa: E402

USER, PASSWORD = "user", "pass"
GOOD = b"\0user\0pass"
AUTHENTICATED = b"Authenticated"


def auth_req(data=GOOD, mech=b"PLAIN", opaque=0, opcode=Op.SASL_AUTH):
    return req(opcode, key=mech, value=data, opaque=opaque)


def auth_ok(opaque=0, opcode=Op.SASL_AUTH):
    return resp(opcode, value=AUTHENTICATED, opaque=opaque)


def auth_fail(opcode=Op.SASL_AUTH, opaque=0):
    return err(opcode, St.AUTH_ERROR, opaque=opaque)


class SaslHelpers:
    """Helpers shared by the SASL test classes (mixed into a ServerTestCase)."""

    def assertEqual(self, first, second, msg=None):
        # unittest shortens unequal bytes to "[17 chars]"; show them in full
        if first != second and isinstance(first, bytes):
            raise AssertionError("got  %r\nwant %r %s" % (first[:400], second[:400], msg or ""))
        super().assertEqual(first, second, msg)

    def bconn(self):
        """A fresh connection (binary: the first byte decides)."""
        return self.connect()

    def expect_bytes(self, conn, send, want):
        """Send bytes and read exactly len(want) bytes; they must equal want."""
        if send:
            conn.send(send)
        try:
            got = conn.recv_exact(len(want))
        except Exception as e:   # timeout or close
            raise AssertionError("sent %r\nwanted %r\nerror: %s" % (send[:120], want[:200], e))
        if got != want:
            got += conn.recv_available(0.05)
            raise AssertionError("sent %r\nwanted %r\ngot    %r" % (send[:120], want[:300],
                                                                    got[:300]))

    def vsync(self, conn, opaque=0x5A5A):
        """VERSION round trip (allowed before authentication): the next packet must be
        the VERSION reply, proving nothing else was sent and the connection is open."""
        conn.send(req(Op.VERSION, opaque=opaque))
        raw = read_raw(conn)
        fields = HEADER.unpack(raw[:24])
        self.assertEqual((fields[0], fields[1], fields[5], fields[7]),
                         (0x81, Op.VERSION, St.OK, opaque),
                         "expected a VERSION reply, got %r" % raw[:200])
        if is_memcached():
            self.assertEqual(raw[24:], b"1.6.18")
        else:
            self.assertTrue(raw[24:], "empty version string")

    def nsync(self, conn, opaque=0xC0FFEE):
        """NOOP round trip (only allowed once authenticated)."""
        self.expect_bytes(conn, req(Op.NOOP, opaque=opaque), resp(Op.NOOP, opaque=opaque))

    def assert_closed_silently(self, conn, what=""):
        self.assertTrue(conn.is_closed(3.0), "connection not closed %s" % what)
        self.assertEqual(conn.closed_with, b"", "bytes before the close %s" % what)

    def assert_quiet(self, conn, wait=0.3):
        """No reply within `wait` seconds and the connection still open."""
        self.assertFalse(conn.is_closed(wait), "connection closed unexpectedly")
        self.assertEqual(conn.closed_with, b"", "unexpected reply")

    def login(self, conn, data=GOOD, opaque=0x10):
        self.expect_bytes(conn, auth_req(data, opaque=opaque), auth_ok(opaque))

    def auth_counters(self, conn):
        """(auth_cmds, auth_errors) via binary STAT on an authenticated connection."""
        conn.send(req(Op.STAT, opaque=0x57A7))
        found = {}
        while True:
            raw = read_raw(conn)
            f = HEADER.unpack(raw[:24])
            self.assertEqual((f[1], f[5], f[7]), (Op.STAT, St.OK, 0x57A7), raw[:100])
            keylen, extlen = f[2], f[3]
            if keylen == 0:
                break
            key = raw[24 + extlen:24 + extlen + keylen]
            found[key] = raw[24 + extlen + keylen:]
        return int(found[b"auth_cmds"]), int(found[b"auth_errors"])


class SaslTest(SaslHelpers, SaslServerTestCase):
    sasl_user = USER
    sasl_password = PASSWORD
    sasl_extra_users = {"other": "secret"}

    # ---- mechanisms and successful authentication --------------------------------------

    def test_list_mechs_before_auth(self):
        c = self.bconn()
        c.send(req(Op.SASL_LIST_MECHS, opaque=0xDEADBEEF))
        raw = read_raw(c)
        mechs = raw[24:]
        self.assertEqual(raw[:24], resp(Op.SASL_LIST_MECHS, value=mechs,
                                        opaque=0xDEADBEEF)[:24])
        if is_memcached():
            self.assertIn(b"PLAIN", mechs.split(b" "), mechs)
        else:
            self.assertEqual(mechs, b"PLAIN")
        self.vsync(c)       # listing does not close or authenticate
        self.expect_bytes(c, req(Op.NOOP, opaque=1), auth_fail(Op.NOOP, 1))
        self.assert_closed_silently(c)

    def test_version_before_auth(self):
        c = self.bconn()
        self.vsync(c, opaque=1)
        self.vsync(c, opaque=2)

    def test_auth_plain_then_commands(self):
        c = self.bconn()
        self.login(c, opaque=7)
        c.send(req(Op.SET, b"foo", set_extras(5, 0), b"bar", opaque=2))
        r = read_raw(c)
        f = HEADER.unpack(r[:24])
        self.assertEqual((f[1], f[5], f[6], f[7]), (Op.SET, St.OK, 0, 2), r)
        cas = f[8]
        self.assertNotEqual(cas, 0)
        self.expect_bytes(c, req(Op.GET, b"foo", opaque=3),
                          resp(Op.GET, extras=b"\0\0\0\x05", value=b"bar", opaque=3, cas=cas))
        self.expect_bytes(c, req(Op.DELETE, b"foo", opaque=4), resp(Op.DELETE, opaque=4))
        self.nsync(c)
        # authentication is per connection
        other = self.bconn()
        self.expect_bytes(other, req(Op.GET, b"foo", opaque=5), auth_fail(Op.GET, 5))
        self.assert_closed_silently(other)

    def test_auth_pipelined_with_commands(self):
        c = self.bconn()
        self.expect_bytes(c, auth_req(opaque=1) + req(Op.NOOP, opaque=2) + req(Op.GET, b"nope", opaque=3),
                          auth_ok(1) + resp(Op.NOOP, opaque=2) + err(Op.GET, St.KEY_ENOENT, 3))
        self.nsync(c)

    def test_other_account(self):
        c = self.bconn()
        self.login(c, b"\0other\0secret")
        self.nsync(c)

    def test_mechanism_name_is_case_insensitive(self):
        # Cyrus compares mechanism names case-insensitively.
        c = self.bconn()
        self.expect_bytes(c, auth_req(mech=b"plain", opaque=3), auth_ok(3))
        self.nsync(c)

    def test_authzid_equal_to_authcid(self):
        c = self.bconn()
        self.expect_bytes(c, auth_req(b"user\0user\0pass", opaque=4), auth_ok(4))
        self.nsync(c)

    def test_authzid_other_user_refused(self):
        c = self.bconn()
        self.expect_bytes(c, auth_req(b"other\0user\0pass", opaque=4), auth_fail(opaque=4))
        self.expect_bytes(c, req(Op.NOOP, opaque=5), auth_fail(Op.NOOP, 5))
        self.assert_closed_silently(c)

    def test_empty_initial_response_then_step(self):
        # PLAIN without an initial response: 0x21 "auth continue" with an empty
        # challenge, then SASL_STEP carries the credentials (any key is accepted).
        c = self.bconn()
        self.expect_bytes(c, auth_req(b"", opaque=1),
                          resp(Op.SASL_AUTH, St.AUTH_CONTINUE, opaque=1))
        self.expect_bytes(c, auth_req(GOOD, mech=b"XX", opaque=2, opcode=Op.SASL_STEP),
                          auth_ok(2, Op.SASL_STEP))
        self.nsync(c)

    def test_continue_is_not_authenticated(self):
        c = self.bconn()
        self.expect_bytes(c, auth_req(b"", opaque=1),
                          resp(Op.SASL_AUTH, St.AUTH_CONTINUE, opaque=1))
        self.expect_bytes(c, req(Op.GET, b"k", opaque=3), auth_fail(Op.GET, 3))
        self.assert_closed_silently(c)

    def test_step_with_bad_password_after_continue(self):
        c = self.bconn()
        self.expect_bytes(c, auth_req(b"", opaque=1),
                          resp(Op.SASL_AUTH, St.AUTH_CONTINUE, opaque=1))
        self.expect_bytes(c, auth_req(b"\0user\0bad", opaque=2, opcode=Op.SASL_STEP),
                          auth_fail(Op.SASL_STEP, 2))
        self.vsync(c)
        self.expect_bytes(c, req(Op.NOOP, opaque=3), auth_fail(Op.NOOP, 3))
        self.assert_closed_silently(c)

    # ---- everything else is refused before authentication -----------------------------

    def test_commands_before_auth_rejected_and_closed(self):
        cases = [
            ("GET", req(Op.GET, b"foo", opaque=0x11223344)),
            ("SET", req(Op.SET, b"foo", set_extras(0, 0), b"bar", opaque=0x11223344)),
            ("ADD", req(Op.ADD, b"foo", set_extras(0, 0), b"bar", opaque=9)),
            ("DELETE", req(Op.DELETE, b"foo", opaque=9)),
            ("INCREMENT", req(Op.INCREMENT, b"n", incr_extras(1, 0, 0), opaque=9)),
            ("DECREMENT", req(Op.DECREMENT, b"n", incr_extras(1, 0, 0), opaque=9)),
            ("QUIT", req(Op.QUIT, opaque=9)),
            ("QUITQ", req(Op.QUITQ, opaque=9)),
            ("FLUSH", req(Op.FLUSH, opaque=9)),
            ("NOOP", req(Op.NOOP, opaque=9)),
            ("STAT", req(Op.STAT, opaque=9)),
            ("APPEND", req(Op.APPEND, b"foo", value=b"x", opaque=9)),
            ("TOUCH", req(Op.TOUCH, b"foo", b"\0\0\0\0", opaque=9)),
            ("GAT", req(Op.GAT, b"foo", b"\0\0\0\0", opaque=9)),
            # quiet variants still get the error
            ("GETQ", req(Op.GETQ, b"foo", opaque=9)),
            ("SETQ", req(Op.SETQ, b"foo", set_extras(0, 0), b"bar", opaque=9)),
            # the auth check comes before opcode and shape validation
            ("VERBOSITY", req(Op.VERBOSITY, extras=b"\0\0\0\0", opaque=9)),
            ("unknown 0x40", req(0x40, opaque=9)),
            ("GET keylen 300", req(Op.GET, b"k" * 300, opaque=9)),
            ("GET with extras", req(Op.GET, b"k", extras=b"abcd", opaque=9)),
        ]
        for name, packet in cases:
            with self.subTest(cmd=name):
                c = self.bconn()
                opcode, opaque = packet[1], HEADER.unpack(packet[:24])[7]
                self.expect_bytes(c, packet, auth_fail(opcode, opaque))
                self.assert_closed_silently(c, "after %s" % name)
                c.close()
        self.assertTrue(self.server.alive())

    def test_keylen_beyond_bodylen_before_auth(self):
        # The header sanity check runs before the auth check: 0x81 and close. (The
        # server first waits for extlen+keylen body bytes, so the whole key is sent.)
        c = self.bconn()
        self.expect_bytes(c, req(Op.GET, b"foo", opaque=5, bodylen=1),
                          err(Op.GET, St.UNKNOWN_COMMAND, 5))
        self.assert_closed_silently(c)

    def test_ascii_on_sasl_server(self):
        # -S forces the binary protocol: 24+ bytes that are not a binary request close
        # the connection without a reply ...
        c = self.bconn()
        c.send(b"get foo foo foo foo foo foo\r\n")
        self.assert_closed_silently(c)
        # ... and a shorter ASCII line just waits for the rest of a 24-byte header.
        c = self.bconn()
        c.send(b"version\r\n")
        self.assert_quiet(c)
        self.assertTrue(self.server.alive())

    # ---- failures: CVE-2013-7239 and friends --------------------------------------------

    def test_bad_password_then_commands_rejected(self):
        c = self.bconn()
        self.expect_bytes(c, auth_req(b"\0user\0nope", opaque=1), auth_fail(opaque=1))
        self.vsync(c)                       # the failed AUTH itself does not close
        self.expect_bytes(c, req(Op.GET, b"foo", opaque=2), auth_fail(Op.GET, 2))
        self.assert_closed_silently(c)
        c = self.bconn()
        self.expect_bytes(c, auth_req(b"\0user\0nope", opaque=1), auth_fail(opaque=1))
        self.expect_bytes(c, req(Op.SET, b"foo", set_extras(), b"v", opaque=3),
                          auth_fail(Op.SET, 3))
        self.assert_closed_silently(c)

    def test_unknown_user(self):
        c = self.bconn()
        self.expect_bytes(c, auth_req(b"\0bob\0pass", opaque=1), auth_fail(opaque=1))
        self.vsync(c)
        self.expect_bytes(c, req(Op.NOOP, opaque=2), auth_fail(Op.NOOP, 2))
        self.assert_closed_silently(c)

    def test_wrong_credentials_variants(self):
        bad = [b"\0user\0pas", b"\0user\0passs", b"\0user\0PASS", b"\0USER\0pass",
               b"\0user\0", b"\0\0pass", b"\0user", b"user\0pass", b"garbage",
               b"\0user\0pass\0", b"\0user\0pass\0extra", b"\0user\0pass\r\n",
               b"\0other\0pass", b"\0user\0secret"]
        for data in bad:
            with self.subTest(data=data):
                c = self.bconn()
                self.expect_bytes(c, auth_req(data, opaque=6), auth_fail(opaque=6))
                self.vsync(c)
                c.close()

    def test_bad_then_good_auth_on_same_connection(self):
        c = self.bconn()
        self.expect_bytes(c, auth_req(b"\0user\0nope", opaque=1), auth_fail(opaque=1))
        self.login(c, opaque=2)
        self.expect_bytes(c, req(Op.GET, b"nope", opaque=3), err(Op.GET, St.KEY_ENOENT, 3))
        self.nsync(c)

    def test_failed_reauth_drops_authentication(self):
        c = self.bconn()
        self.login(c, opaque=1)
        self.expect_bytes(c, auth_req(b"\0user\0nope", opaque=2), auth_fail(opaque=2))
        self.expect_bytes(c, req(Op.GET, b"foo", opaque=3), auth_fail(Op.GET, 3))
        self.assert_closed_silently(c)

    def test_step_after_success_drops_authentication(self):
        # PLAIN completes in one round; a later SASL_STEP fails and the connection is no
        # longer authenticated.
        c = self.bconn()
        self.login(c, opaque=1)
        self.expect_bytes(c, auth_req(GOOD, opaque=2, opcode=Op.SASL_STEP),
                          auth_fail(Op.SASL_STEP, 2))
        self.expect_bytes(c, req(Op.GET, b"foo", opaque=3), auth_fail(Op.GET, 3))
        self.assert_closed_silently(c)

    def test_step_before_auth(self):
        c = self.bconn()
        self.expect_bytes(c, auth_req(GOOD, opaque=2, opcode=Op.SASL_STEP),
                          auth_fail(Op.SASL_STEP, 2))
        self.vsync(c)                       # not closed; server fine
        self.login(c, opaque=3)             # a real AUTH still works afterwards
        self.nsync(c)
        self.assertTrue(self.server.alive())

    def test_step_before_auth_then_command(self):
        c = self.bconn()
        self.expect_bytes(c, auth_req(GOOD, opaque=2, opcode=Op.SASL_STEP),
                          auth_fail(Op.SASL_STEP, 2))
        self.expect_bytes(c, req(Op.GET, b"foo", opaque=3), auth_fail(Op.GET, 3))
        self.assert_closed_silently(c)

    # ---- mechanism names ---------------------------------------------------------------

    def test_unknown_mechanism(self):
        for mech in (b"FOO", b"CRAM-MD5", b"P" * 32):
            with self.subTest(mech=mech):
                c = self.bconn()
                self.expect_bytes(c, auth_req(GOOD, mech=mech, opaque=8), auth_fail(opaque=8))
                self.vsync(c)
                self.expect_bytes(c, req(Op.NOOP, opaque=9), auth_fail(Op.NOOP, 9))
                self.assert_closed_silently(c)

    def test_mechanism_name_too_long(self):
        # > 32 bytes: 0x04 Invalid arguments, the value is swallowed, connection open.
        for n in (33, 250):
            with self.subTest(keylen=n):
                c = self.bconn()
                self.expect_bytes(c, auth_req(b"x" * 100, mech=b"P" * n, opaque=9),
                                  err(Op.SASL_AUTH, St.EINVAL, 9))
                self.vsync(c)
                self.expect_bytes(c, req(Op.NOOP, opaque=3), auth_fail(Op.NOOP, 3))
                self.assert_closed_silently(c)
        c = self.bconn()
        self.expect_bytes(c, auth_req(b"abc", mech=b"P" * 33, opaque=9, opcode=Op.SASL_STEP),
                          err(Op.SASL_STEP, St.EINVAL, 9))
        self.vsync(c)
        # keylen > 250 is the generic binary key check: 0x04 and close.
        c = self.bconn()
        self.expect_bytes(c, auth_req(b"x" * 100, mech=b"P" * 251, opaque=9),
                          err(Op.SASL_AUTH, St.EINVAL, 9))
        self.assert_closed_silently(c)

    def test_malformed_sasl_requests_close(self):
        cases = [
            ("LIST_MECHS with key", req(Op.SASL_LIST_MECHS, key=b"x", opaque=1)),
            ("LIST_MECHS with value", req(Op.SASL_LIST_MECHS, value=b"xx", opaque=1)),
            ("AUTH without key", req(Op.SASL_AUTH, value=GOOD, opaque=1)),
            ("AUTH with extras", req(Op.SASL_AUTH, key=b"PLAIN", extras=b"abcd",
                                     value=GOOD, opaque=1)),
            ("STEP without key", req(Op.SASL_STEP, value=GOOD, opaque=1)),
        ]
        for name, packet in cases:
            with self.subTest(case=name):
                c = self.bconn()
                self.expect_bytes(c, packet, err(packet[1], St.EINVAL, 1))
                self.assert_closed_silently(c)
                c.close()

    def test_huge_auth_value_out_of_memory(self):
        # A value too big for one (unchunked) item: 0x82 "Out of memory", the value is
        # swallowed and the connection stays usable. (1.6.18's limit is ~512 KiB.)
        c = self.bconn()
        data = b"\0user\0" + b"p" * (1100 * 1000)
        self.expect_bytes(c, auth_req(data, opaque=9), err(Op.SASL_AUTH, St.ENOMEM, 9))
        self.vsync(c)
        self.login(c, opaque=4)
        self.nsync(c)

    # ---- stats ------------------------------------------------------------------------

    def test_auth_counters(self):
        st = self.bconn()
        self.login(st)
        cmds0, errs0 = self.auth_counters(st)
        c = self.bconn()
        self.login(c, opaque=1)                                                   # +1, +0
        c = self.bconn()
        self.expect_bytes(c, auth_req(b"\0user\0bad", opaque=1), auth_fail(opaque=1))  # +1, +1
        self.expect_bytes(c, auth_req(GOOD, mech=b"FOO", opaque=1), auth_fail(opaque=1))  # +1, +1
        self.expect_bytes(c, auth_req(GOOD, opaque=2, opcode=Op.SASL_STEP),
                          auth_fail(Op.SASL_STEP, 2))                             # +1, +1
        self.expect_bytes(c, auth_req(b"", opaque=3),
                          resp(Op.SASL_AUTH, St.AUTH_CONTINUE, opaque=3))         # not counted
        self.expect_bytes(c, auth_req(b"x", mech=b"P" * 40, opaque=4),
                          err(Op.SASL_AUTH, St.EINVAL, 4))                        # not counted
        self.vsync(c)
        cmds1, errs1 = self.auth_counters(st)
        self.assertEqual((cmds1 - cmds0, errs1 - errs0), (4, 3))


class SaslNotEnabledTest(SaslHelpers, ServerTestCase):
    """Without -S the SASL opcodes are unknown commands (value swallowed, no close)."""

    def test_sasl_opcodes_unknown(self):
        c = self.bconn()
        self.expect_bytes(c, req(Op.SASL_LIST_MECHS, opaque=5),
                          err(Op.SASL_LIST_MECHS, St.UNKNOWN_COMMAND, 5))
        self.vsync(c)
        self.expect_bytes(c, auth_req(opaque=6), err(Op.SASL_AUTH, St.UNKNOWN_COMMAND, 6))
        self.vsync(c)
        self.expect_bytes(c, auth_req(opaque=7, opcode=Op.SASL_STEP),
                          err(Op.SASL_STEP, St.UNKNOWN_COMMAND, 7))
        self.vsync(c)
        # no 32-byte mechanism check either
        self.expect_bytes(c, auth_req(mech=b"P" * 40, opaque=8),
                          err(Op.SASL_AUTH, St.UNKNOWN_COMMAND, 8))
        self.vsync(c)
        # and no authentication is needed for ordinary commands
        self.nsync(c)

    def test_sasl_shape_errors_still_checked(self):
        c = self.bconn()
        self.expect_bytes(c, req(Op.SASL_AUTH, value=GOOD, opaque=5),
                          err(Op.SASL_AUTH, St.EINVAL, 5))
        self.assert_closed_silently(c)
        c = self.bconn()
        self.expect_bytes(c, req(Op.SASL_LIST_MECHS, value=b"xx", opaque=5),
                          err(Op.SASL_LIST_MECHS, St.EINVAL, 5))
        self.assert_closed_silently(c)


class SaslStartupTest(unittest.TestCase):
    """Option combinations that must refuse to start (exit 64 = EX_USAGE)."""

    def run_server(self, extra):
        ok, why = sasl_available()
        if not ok:
            self.skipTest(why)
        args, env = sasl_server_config(None, USER, PASSWORD)
        try:
            kind = server_kind()
            cmd = [binary_for(kind), "-p", str(free_port()), "-l", "127.0.0.1"] + args + extra
            if os.geteuid() == 0:   # both need -u as root
                cmd += ["-u", "root"]
            try:
                p = subprocess.run(cmd, env=dict(os.environ, **env), stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=5)
            except subprocess.TimeoutExpired:
                self.fail("server started (still running after 5 s): %s" % " ".join(cmd))
            return p.returncode, p.stderr, p.stdout
        finally:
            cleanup_sasl_config(env)

    def test_udp_refused(self):
        rc, stderr, stdout = self.run_server(["-U", str(free_port())])
        self.assertEqual(rc, 64, stderr)
        self.assertIn(b"ERROR: Cannot enable UDP while using binary SASL authentication.\n",
                      stderr)

    def test_udp_refused_with_explicit_binary(self):
        rc, stderr, _ = self.run_server(["-B", "binary", "-U", str(free_port())])
        self.assertEqual(rc, 64, stderr)
        self.assertIn(b"ERROR: Cannot enable UDP while using binary SASL authentication.\n",
                      stderr)

    def test_ascii_protocol_refused(self):
        for proto in ("ascii", "auto"):
            with self.subTest(proto=proto):
                rc, stderr, _ = self.run_server(["-B", proto])
                self.assertEqual(rc, 64, stderr)
                self.assertIn(b"ERROR: You cannot allow the ASCII protocol while using SASL.\n",
                              stderr)


@unittest.skipUnless(is_slabd(), "sasl-pwdb file format: memcached 1.6.18 (Debian) has no pwdb")
class SaslPwdbFormatTest(SaslHelpers, ServerTestCase):
    """MEMCACHED_SASL_PWDB file format (memcached's sasl_defs.c semantics)."""
    flush_between_tests = False
    PWDB = (b"first:one\n"
            b"nocolonline\n"
            b"a:b:c\n"
            b"dos:crlf\r\n"
            b"spacey:pa ss\n"
            b"user:pass\n")

    @classmethod
    def setUpClass(cls):
        fd, cls.pwdb_path = tempfile.mkstemp(prefix="t-pwdb-")
        os.write(fd, cls.PWDB)
        os.close(fd)
        cls.server_args = ["-S"]
        cls.server = Server(cls.server_args, env={"MEMCACHED_SASL_PWDB": cls.pwdb_path}).start()
        cls.crashes = []

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            os.unlink(cls.pwdb_path)

    def setUp(self):
        if not self.server.alive():
            type(self).server = Server(self.server_args,
                                       env={"MEMCACHED_SASL_PWDB": self.pwdb_path}).start()
        super().setUp()

    def try_auth(self, data):
        c = self.bconn()
        c.send(auth_req(data, opaque=1))
        raw = read_raw(c)
        c.close()
        return raw

    def test_first_and_later_users(self):
        self.assertEqual(self.try_auth(b"\0first\0one"), auth_ok(1))
        self.assertEqual(self.try_auth(b"\0user\0pass"), auth_ok(1))

    def test_line_without_colon_ignored(self):
        self.assertEqual(self.try_auth(b"\0nocolonline\0"), auth_fail(opaque=1))
        self.assertEqual(self.try_auth(b"\0nocolonline\0x"), auth_fail(opaque=1))
        self.assertEqual(self.try_auth(b"\0dos\0crlf"), auth_ok(1))

    def test_password_with_colon(self):
        self.assertEqual(self.try_auth(b"\0a\0b:c"), auth_ok(1))
        self.assertEqual(self.try_auth(b"\0a\0b:"), auth_fail(opaque=1))
        self.assertEqual(self.try_auth(b"\0a:b\0c"), auth_fail(opaque=1))

    def test_additional_fields_after_password(self):
        # memcached's checkpass accepts the password followed by ':' (additional tokens),
        # so "a:b:c" also admits password "b".
        self.assertEqual(self.try_auth(b"\0a\0b"), auth_ok(1))

    def test_exact_password_match(self):
        for data in (b"\0user\0pas", b"\0user\0passs", b"\0first\0on", b"\0first\0one\r",
                     b"\0dos\0crlf\r", b"\0spacey\0pa", b"\0us\0pass"):
            with self.subTest(data=data):
                self.assertEqual(self.try_auth(data), auth_fail(opaque=1))
        self.assertEqual(self.try_auth(b"\0spacey\0pa ss"), auth_ok(1))


if __name__ == "__main__":
    unittest.main()
