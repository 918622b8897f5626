#!/usr/bin/python3
"""Raw-bytes client for integration tests.

Conn talks bytes to a server and checks replies byte for byte:

    c = Conn(port)
    c.expect(b"set a 0 0 1\\r\\nx\\r\\n", b"STORED\\r\\n")

expect() reads exactly len(reply) bytes (with a timeout) and compares them, then, with
sync=True (the default), sends `version\\r\\n` and requires the very next bytes to be a
`VERSION ...\\r\\n` line: this proves the server sent nothing beyond the expected reply
(important for noreply and for "no extra blank line" checks). Pass sync=False when the
input leaves the connection mid-command (partial data, pending swallow) or closes it.
"""

import re
import socket
import time

VERSION_RE = re.compile(rb"VERSION [^\r\n]*\r\n")


class Conn:
    def __init__(self, port, host="127.0.0.1", timeout=5.0):
        self.timeout = timeout
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    # ---- sending ---------------------------------------------------------------------

    def send(self, data):
        self.sock.sendall(data)

    def send_split(self, data, sizes, pause=0.0):
        """Send data in pieces of the given sizes (the rest in one piece)."""
        pos = 0
        for n in sizes:
            if pos >= len(data):
                break
            self.sock.sendall(data[pos:pos + n])
            pos += n
            if pause:
                time.sleep(pause)
        if pos < len(data):
            self.sock.sendall(data[pos:])

    # ---- receiving -------------------------------------------------------------------

    def _fill(self, deadline):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise socket.timeout("timed out; have %r" % self.buf[-300:])
        self.sock.settimeout(remaining)
        try:
            chunk = self.sock.recv(1 << 20)
        except socket.timeout:
            raise socket.timeout("timed out; have %r" % self.buf[-300:])
        if not chunk:
            raise ConnectionError("connection closed by server; have %r" % self.buf[-300:])
        self.buf += chunk

    def recv_exact(self, n, timeout=None):
        deadline = time.monotonic() + (timeout or self.timeout)
        while len(self.buf) < n:
            self._fill(deadline)
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def recv_until(self, terminator, timeout=None):
        """Read up to and including the first occurrence of terminator."""
        deadline = time.monotonic() + (timeout or self.timeout)
        start = 0
        while True:
            i = self.buf.find(terminator, start)
            if i >= 0:
                end = i + len(terminator)
                out, self.buf = self.buf[:end], self.buf[end:]
                return out
            start = max(0, len(self.buf) - len(terminator) + 1)
            self._fill(deadline)

    def recv_line(self, timeout=None):
        return self.recv_until(b"\r\n", timeout)

    def recv_available(self, wait=0.2):
        """Whatever arrives within `wait` seconds (stops early on EOF)."""
        deadline = time.monotonic() + wait
        while True:
            try:
                self._fill(deadline)
            except (socket.timeout, ConnectionError, OSError):
                break
        out, self.buf = self.buf, b""
        return out

    def read_get_reply(self, timeout=None):
        """Read a complete get/gets/gat reply (VALUE blocks ... END) and return the raw
        bytes; data blocks are consumed by length so binary values are safe."""
        out = b""
        while True:
            line = self.recv_line(timeout)
            out += line
            if line.startswith(b"VALUE "):
                n = int(line.split()[3])
                out += self.recv_exact(n + 2, timeout)
            else:
                return out

    def read_stats(self, timeout=None):
        """Read STAT lines up to END; return (raw_bytes, ordered list of (name, value))."""
        raw = b""
        pairs = []
        while True:
            line = self.recv_line(timeout)
            raw += line
            if line == b"END\r\n":
                return raw, pairs
            if not line.startswith(b"STAT "):
                raise AssertionError("unexpected stats line %r (so far %r)" % (line, raw[-300:]))
            parts = line[5:-2].split(b" ", 1)
            pairs.append((parts[0].decode(), parts[1].decode() if len(parts) > 1 else ""))

    def stats(self, sub=b""):
        self.send(b"stats" + ((b" " + sub) if sub else b"") + b"\r\n")
        return dict(self.read_stats()[1])

    # ---- assertions ------------------------------------------------------------------

    def sync(self, timeout=None):
        """Round-trip `version`; fail if anything else arrives first."""
        self.send(b"version\r\n")
        line = self.recv_line(timeout)
        if not VERSION_RE.fullmatch(line):
            extra = line + self.recv_available(0.1)
            raise AssertionError("unexpected extra bytes before sync: %r" % extra[:500])

    def expect(self, send, reply, sync=True, timeout=None):
        """Send bytes (may be b"") and assert the server answers exactly `reply`."""
        if send:
            self.send(send)
        try:
            got = self.recv_exact(len(reply), timeout) if reply else b""
        except (socket.timeout, ConnectionError) as e:
            raise AssertionError("sent %r\nwanted %r\nerror: %s" % (send[:300], reply[:300], e))
        if got != reply:
            got += self.recv_available(0.05)
            raise AssertionError("sent %r\nwanted %r\ngot    %r" % (send[:300], reply[:500],
                                                                    got[:500]))
        if sync:
            try:
                self.sync(timeout)
            except AssertionError as e:
                raise AssertionError("after sending %r and reading %r: %s"
                                     % (send[:300], reply[:300], e))
        return got

    def transact(self, send, timeout=None):
        """Send bytes then a sync; return everything before the sync's VERSION line.
        Only valid for input that cannot swallow or be swallowed by the sync."""
        self.send(send + b"version\r\n")
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            m = None
            for m in VERSION_RE.finditer(self.buf):
                pass
            if m is not None and m.end() == len(self.buf):
                out = self.buf[:m.start()]
                self.buf = b""
                return out
            self._fill(deadline)

    def is_closed(self, timeout=2.0):
        """True if the server closes the connection within timeout (recv returns b'' or
        the connection is reset). Data that arrives first is discarded and, if any,
        returned via self.closed_with."""
        deadline = time.monotonic() + timeout
        self.closed_with = b""
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                return False
            except (ConnectionResetError, BrokenPipeError):
                return True
            if not chunk:
                return True
            self.closed_with += chunk


def set_cmd(key, value, flags=0, exptime=0, cmd=b"set", noreply=False):
    if isinstance(key, str):
        key = key.encode()
    if isinstance(value, str):
        value = value.encode()
    line = b"%s %s %d %d %d%s\r\n" % (cmd, key, flags, exptime, len(value),
                                      b" noreply" if noreply else b"")
    return line + value + b"\r\n"


def value_reply(key, value, flags=0, cas=None):
    if isinstance(key, str):
        key = key.encode()
    if isinstance(value, str):
        value = value.encode()
    head = b"VALUE %s %d %d" % (key, flags, len(value))
    if cas is not None:
        head += b" %d" % cas
    return head + b"\r\n" + value + b"\r\n"


def expect_match(conn, send, pattern, sync=True, timeout=None):
    """Send bytes, read one reply and assert it fully matches the regex `pattern` (bytes).
    The reply is read up to the last line the pattern can end on: for get-style replies use
    conn.read_get_reply semantics by passing a pattern ending in END\\r\\n."""
    if send:
        conn.send(send)
    got = conn.read_get_reply(timeout) if pattern.endswith(b"END\\r\\n") else conn.recv_line(timeout)
    if not re.fullmatch(pattern, got, re.S):
        raise AssertionError("sent %r\nwanted /%r/\ngot %r" % (send[:300], pattern, got[:500]))
    if sync:
        conn.sync(timeout)
    return got
