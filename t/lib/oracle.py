#!/usr/bin/python3
"""Differential oracle: send the same byte script to memcached 1.6.18 and to slabd.

    with Oracle() as o:
        o.compare(b"set a 0 0 1\\r\\nx\\r\\nget a\\r\\n")      # AssertionError on mismatch

A script is sent on a fresh connection to each server, followed by a `version` sync
(unless sync=False, for scripts that close the connection or leave it mid-command); the
replies up to the sync are compared byte for byte after normalisation (the VERSION line
and, with ignore_cas=True, the CAS column of gets/gats VALUE lines).

KNOWN_DIFFERENCES lists every place where slabd deliberately answers differently from
1.6.18 (see shared/reference/memcached-behaviour.md, "Which memcached slabd matches", and
the slabd choices listed below). Each entry gives the script, memcached 1.6.18's observed
reply and the set of replies slabd may give; tests check each side against its own
expectation. memcached=None means 1.6.18's reply is nondeterministic (not asserted).
"""

import re

from client import Conn
from server import Server

K251 = b"k" * 251
NONNUM = b"CLIENT_ERROR cannot increment or decrement non-numeric value\r\n"
BADFMT = b"CLIENT_ERROR bad command line format\r\n"


def _swallow_case(name, line, data=b"x"):
    """A storage line with a bad key/flags/exptime/cas: 1.6.18 parses the data block as a
    command (-> ERROR); slabd swallows <bytes>+2 bytes as later releases do."""
    return dict(name=name, send=line + data + b"\r\n",
                memcached=BADFMT + b"ERROR\r\n", slabd=[BADFMT])


# Deliberate differences. Each script runs on a fresh server state for the keys it uses.
KNOWN_DIFFERENCES = [
    # 1. A classic storage line with a bad key/flags/exptime/cas swallows its data block.
    _swallow_case("set with 251-byte key swallows data", b"set " + K251 + b" 0 0 1\r\n"),
    _swallow_case("add with 251-byte key swallows data", b"add " + K251 + b" 0 0 1\r\n"),
    _swallow_case("replace with 251-byte key swallows data", b"replace " + K251 + b" 0 0 1\r\n"),
    _swallow_case("append with 251-byte key swallows data", b"append " + K251 + b" 0 0 1\r\n"),
    _swallow_case("prepend with 251-byte key swallows data", b"prepend " + K251 + b" 0 0 1\r\n"),
    _swallow_case("cas with 251-byte key swallows data", b"cas " + K251 + b" 0 0 1 1\r\n"),
    _swallow_case("set with non-numeric flags swallows data", b"set dk abc 0 1\r\n"),
    _swallow_case("set with negative flags swallows data", b"set dk -1 0 1\r\n"),
    _swallow_case("set with flags over 2^64 swallows data",
                  b"set dk 18446744073709551616 0 1\r\n"),
    _swallow_case("set with non-numeric exptime swallows data", b"set dk 0 abc 1\r\n"),
    _swallow_case("set with exptime over 2^64 swallows data",
                  b"set dk 0 99999999999999999999 1\r\n"),
    _swallow_case("cas with non-numeric cas unique swallows data", b"cas dk 0 0 1 abc\r\n"),
    _swallow_case("cas with negative cas unique swallows data", b"cas dk 0 0 1 -1\r\n"),
    dict(name="swallow covers a data block that looks like a command",
         send=b"set dk5 0 0 1\r\nv\r\nset " + K251 + b" 0 0 10\r\nget dk5 xy\r\n",
         memcached=b"STORED\r\n" + BADFMT + b"VALUE dk5 0 1\r\nv\r\nEND\r\n",
         slabd=[b"STORED\r\n" + BADFMT]),
    dict(name="noreply: 251-byte key swallows data silently",
         send=b"set " + K251 + b" 0 0 1 noreply\r\nx\r\n",
         memcached=b"ERROR\r\n", slabd=[b""]),
    # 1b. get with an over-long key: only the error line; earlier pipelined replies kept.
    dict(name="get with 251-byte key keeps earlier pipelined STORED",
         send=b"set dk1 0 0 1\r\nx\r\nget " + K251 + b"\r\n",
         memcached=BADFMT, slabd=[b"STORED\r\n" + BADFMT]),
    dict(name="gets with 251-byte key keeps earlier pipelined DELETED",
         send=b"set dk2 0 0 1\r\nx\r\ndelete dk2\r\ngets " + K251 + b"\r\n",
         memcached=BADFMT,
         slabd=[b"STORED\r\nDELETED\r\n" + BADFMT]),
    dict(name="get of a good key then a 251-byte key in one command",
         send=b"set dk3 0 0 1\r\nx\r\nget dk3 " + K251 + b"\r\n",
         memcached=BADFMT,
         slabd=[b"STORED\r\n" + BADFMT, b"STORED\r\nVALUE dk3 0 1\r\nx\r\n" + BADFMT]),
    # 4. incr/decr where 1.6.18 reads past the value: deterministic in slabd.
    dict(name="incr on whitespace-only value is non-numeric",
         send=b"set dn 0 0 3\r\n   \r\nincr dn 1\r\n",
         memcached=None, slabd=[b"STORED\r\n" + NONNUM]),
    dict(name="decr on whitespace-only value is non-numeric",
         send=b"set dn 0 0 1\r\n \r\ndecr dn 1\r\n",
         memcached=None, slabd=[b"STORED\r\n" + NONNUM]),
    dict(name="incr on a value >= 2^63 is exact",
         send=b"set dn 0 0 19\r\n9223372036854775808\r\nincr dn 1\r\nget dn\r\n",
         memcached=None,
         slabd=[b"STORED\r\n9223372036854775809\r\n"
                b"VALUE dn 0 19\r\n9223372036854775809\r\nEND\r\n"]),
    dict(name="decr on 2^64-1 is exact",
         send=b"set dn 0 0 20\r\n18446744073709551615\r\ndecr dn 5\r\n",
         memcached=None, slabd=[b"STORED\r\n18446744073709551610\r\n"]),
    # 4b. slabd always pads a shorter in-place incr/decr result with spaces; 1.6.18 pads
    #     only when it can rewrite in place (usually, but timing dependent).
    dict(name="decr result shorter than the value is space-padded",
         send=b"set dp 0 0 2\r\n10\r\ndecr dp 1\r\nget dp\r\n",
         memcached=[b"STORED\r\n9\r\nVALUE dp 0 2\r\n9 \r\nEND\r\n",
                    b"STORED\r\n9\r\nVALUE dp 0 1\r\n9\r\nEND\r\n"],
         slabd=[b"STORED\r\n9\r\nVALUE dp 0 2\r\n9 \r\nEND\r\n"]),
    dict(name="incr wrap result is space-padded to the old length",
         send=b"set dp 0 0 20\r\n18446744073709551615\r\nincr dp 1\r\nget dp\r\n",
         memcached=[b"STORED\r\n0\r\nVALUE dp 0 20\r\n0" + b" " * 19 + b"\r\nEND\r\n",
                    b"STORED\r\n0\r\nVALUE dp 0 1\r\n0\r\nEND\r\n"],
         slabd=[b"STORED\r\n0\r\nVALUE dp 0 20\r\n0" + b" " * 19 + b"\r\nEND\r\n"]),
]

# slabd choices that make some replies differ without a table entry (tests avoid them):
SLABD_CHOICES = [
    "listens on 127.0.0.1 by default (memcached: INADDR_ANY); tests always pass -l",
    "default growth factor 1.125: stats slabs class ids and chunk sizes differ",
    "per-item accounting: 40-byte header, no stored CRLF; the -I boundary differs "
    "(tests use values clearly over the limit, e.g. 2 MB with -I 1m)",
    "CAS values may differ (tests compare CAS columns structurally)",
]

_VERSION = re.compile(rb"VERSION [^\r\n]*\r\n")
_GETS_LINE = re.compile(rb"^(VALUE \S+ \d+ \d+) \d+\r$", re.M)


def normalise(reply, ignore_cas=False):
    reply = _VERSION.sub(b"VERSION x\r\n", reply)
    if ignore_cas:
        reply = _GETS_LINE.sub(rb"\1 <cas>\r", reply)
    return reply


def run_script(server, script, sync=True, wait=0.3, timeout=10.0):
    """Send script on a new connection; return the reply bytes (up to the sync when sync,
    else whatever arrives within `wait` seconds, or until the server closes)."""
    c = Conn(server.port, timeout=timeout)
    try:
        if sync:
            return c.transact(script, timeout=timeout)
        c.send(script)
        return c.recv_available(wait)
    finally:
        c.close()


def check_known(server, entry):
    """Run one KNOWN_DIFFERENCES entry against a server; return (ok, got, wanted)."""
    got = run_script(server, entry["send"])
    want = entry["memcached"] if server.kind == "memcached" else entry["slabd"]
    if want is None:
        return True, got, want
    if isinstance(want, bytes):
        want = [want]
    return got in want, got, want


class Oracle:
    """Both servers started with the same options."""

    def __init__(self, args=()):
        self.args = list(args)
        self.memcached = Server(self.args, kind="memcached")
        self.slabd = Server(self.args, kind="slabd")

    def __enter__(self):
        self.memcached.start()
        try:
            self.slabd.start()
        except BaseException:
            self.memcached.kill()
            raise
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            self.slabd.stop(check=exc_type is None)
        finally:
            self.memcached.stop(check=exc_type is None)
        return False

    def replies(self, script, sync=True, ignore_cas=False):
        a = normalise(run_script(self.memcached, script, sync), ignore_cas)
        b = normalise(run_script(self.slabd, script, sync), ignore_cas)
        return a, b

    def compare(self, script, sync=True, ignore_cas=False):
        a, b = self.replies(script, sync, ignore_cas)
        if a != b:
            raise AssertionError("differential mismatch for %r\nmemcached %r\nslabd     %r"
                                 % (script[:300], a[:600], b[:600]))
        return a
