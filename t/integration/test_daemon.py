#!/usr/bin/python3
"""Daemon duties and transports: -s/-a UNIX socket, -d/-P, -u, -k, -r, -c flood,
-o idle_timeout, -R yields, and SIGTERM with pipelined requests in flight.

Servers here are started by hand where the helper's TCP start-up check does not fit
(UNIX socket only, daemons, refused starts); every one is killed by a cleanup.
"""

import os
import pwd
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

from base import ServerTestCase, set_cmd   # noqa: E402
from client import Conn   # noqa: E402
from server import SLABD_BIN, Server, binary_for, free_port, is_slabd, server_kind   # noqa: E402

ROOT = os.geteuid() == 0
TOO_MANY = b"ERROR Too many open connections\r\n"


def wait_for(pred, timeout=5.0, step=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie child of ours counts as gone.
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def proc_status(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return line.split(":", 1)[1].split()
    return []


class ProcessCase(unittest.TestCase):
    """Helpers to run the server binary directly."""

    def cmd(self, args, user=True):
        c = [binary_for(server_kind())] + list(args)
        if user and ROOT and "-u" not in args:
            c += ["-u", "root"]
        return c

    def spawn(self, args, user=True):
        log = tempfile.TemporaryFile()
        p = subprocess.Popen(self.cmd(args, user), stdin=subprocess.DEVNULL, stdout=log,
                             stderr=log)

        def cleanup():
            if p.poll() is None:
                p.kill()
            p.wait(10)
            log.close()
        self.addCleanup(cleanup)
        p.log = log
        return p

    def run_refused(self, args, user=True):
        try:
            return subprocess.run(self.cmd(args, user), stdin=subprocess.DEVNULL,
                                  capture_output=True, timeout=5)
        except subprocess.TimeoutExpired:
            self.fail("server started (still running after 5 s): %s" % args)

    def tmpdir(self):
        d = tempfile.mkdtemp(prefix="t-daemon-")
        os.chmod(d, 0o755)   # reachable by -u nobody

        def cleanup():
            for name in os.listdir(d):
                os.unlink(os.path.join(d, name))
            os.rmdir(d)
        self.addCleanup(cleanup)
        return d

    def stop(self, p):
        p.send_signal(signal.SIGTERM)
        try:
            return p.wait(10)
        except subprocess.TimeoutExpired:
            self.fail("server ignored SIGTERM for 10 s")


def recv_upto(sock, limit=None):
    """Bytes from `sock` until `limit` of them have arrived or the peer closes (limit None:
    until it closes). Blocks for at most the socket's timeout per recv."""
    got = bytearray()
    while limit is None or len(got) < limit:
        chunk = sock.recv(1 << 20)
        if not chunk:
            break
        got += chunk
    return bytes(got)


def unix_conn(path, timeout=5.0):
    c = Conn.__new__(Conn)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(path)
    c.sock = s
    c.buf = b""
    c.timeout = timeout
    return c


class UnixSocketTest(ProcessCase):
    def start_unix(self, extra):
        path = os.path.join(self.tmpdir(), "mc.sock")
        port = free_port()
        p = self.spawn(["-s", path, "-p", str(port), "-U", "0"] + extra)
        self.assertTrue(wait_for(lambda: os.path.exists(path) or p.poll() is not None),
                        "no socket file")
        self.assertIsNone(p.poll(), "server exited")
        time.sleep(0.1)
        return p, path, port

    def test_socket_mode_protocols_and_no_tcp(self):
        p, path, port = self.start_unix(["-a", "0755"])
        st = os.stat(path)
        self.assertTrue(stat.S_ISSOCK(st.st_mode))
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o755)
        with self.assertRaises(ConnectionRefusedError):   # -s turns TCP off
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        c = unix_conn(path)
        c.expect(set_cmd(b"u", b"hello"), b"STORED\r\n")
        c.expect(b"get u\r\n", b"VALUE u 0 5\r\nhello\r\nEND\r\n")
        settings = c.stats(b"settings")
        self.assertEqual(settings["domain_socket"], path)
        self.assertEqual(settings["umask"], "755")
        c.close()
        # binary protocol: NOOP
        b = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        b.settimeout(5)
        b.connect(path)
        b.sendall(b"\x80\x0a" + b"\x00" * 22)
        self.assertEqual(b.recv(24)[:2], b"\x81\x0a")
        b.close()
        self.assertEqual(self.stop(p), 0)
        if is_slabd():   # memcached leaves the file behind
            self.assertFalse(os.path.exists(path))

    def test_default_mask_and_stale_socket_replaced(self):
        d = self.tmpdir()
        path = os.path.join(d, "mc.sock")
        stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        stale.bind(path)
        stale.close()
        p = self.spawn(["-s", path, "-U", "0"])
        time.sleep(0.3)
        self.assertIsNone(p.poll())
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o700)
        c = unix_conn(path)
        c.sync()
        c.close()
        self.stop(p)

    def test_unbindable_path_is_refused(self):
        r = self.run_refused(["-s", "/nonexistent-dir/mc.sock"])
        self.assertEqual(r.returncode, 71, r.stderr)   # EX_OSERR
        self.assertIn(b"failed to listen on UNIX socket: /nonexistent-dir/mc.sock: ", r.stderr)


class DaemonTest(ProcessCase):
    def daemon_pid(self, pidfile):
        pid = int(open(pidfile).read())
        self.addCleanup(lambda: pid_alive(pid) and os.kill(pid, signal.SIGKILL))
        return pid

    def test_daemon_pidfile_life_cycle(self):
        pidfile = os.path.join(self.tmpdir(), "mc.pid")
        port = free_port()
        r = subprocess.run(self.cmd(["-d", "-P", pidfile, "-p", str(port), "-U", "0",
                                     "-l", "127.0.0.1"]), stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=10)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(wait_for(lambda: os.path.exists(pidfile)))
        text = open(pidfile).read()
        self.assertRegex(text, r"^\d+\n$")
        pid = self.daemon_pid(pidfile)
        self.assertTrue(pid_alive(pid))
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        self.assertEqual(int(fields[3]), pid, "not a session leader")   # sid
        self.assertEqual(os.readlink("/proc/%d/cwd" % pid), "/")
        self.assertEqual(os.readlink("/proc/%d/fd/0" % pid), "/dev/null")
        c = wait_for(lambda: self._try_connect(port))
        self.assertTrue(c)
        c.expect(b"stats\r\n", b"STAT pid %d\r\n" % pid, sync=False)
        c.close()
        os.kill(pid, signal.SIGTERM)
        self.assertTrue(wait_for(lambda: not pid_alive(pid), timeout=5))
        self.assertTrue(wait_for(lambda: not os.path.exists(pidfile), timeout=2),
                        "pid file left after SIGTERM")

    @staticmethod
    def _try_connect(port):
        try:
            return Conn(port)
        except OSError:
            return None

    def test_pidfile_without_daemon_is_written_and_kept(self):
        pidfile = os.path.join(self.tmpdir(), "mc.pid")
        p = self.spawn(["-P", pidfile, "-p", str(free_port()), "-U", "0"])
        self.assertTrue(wait_for(lambda: os.path.exists(pidfile)))
        self.assertEqual(open(pidfile).read(), "%d\n" % p.pid)
        self.stop(p)
        self.assertTrue(os.path.exists(pidfile))   # memcached removes it only with -d

    @unittest.skipUnless(is_slabd(), "memcached daemonizes before binding and exits 0")
    def test_daemon_start_failure_reaches_the_caller(self):
        busy = socket.socket()
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        self.addCleanup(busy.close)
        r = subprocess.run(self.cmd(["-d", "-p", str(busy.getsockname()[1]), "-U", "0",
                                     "-l", "127.0.0.1"]), stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=10)
        self.assertEqual(r.returncode, 71, r.stderr)
        self.assertIn(b"Address already in use", r.stderr)


@unittest.skipUnless(ROOT, "needs root")
class PrivilegeTest(ProcessCase):
    def test_root_without_u_is_refused(self):
        r = self.run_refused(["-p", str(free_port()), "-U", "0"], user=False)
        self.assertEqual(r.returncode, 64, r.stderr)   # EX_USAGE
        self.assertIn(b"can't run as root without the -u switch\n", r.stderr)

    def test_unknown_user_is_refused(self):
        r = self.run_refused(["-p", str(free_port()), "-U", "0", "-u", "no-such-user-x"])
        self.assertEqual(r.returncode, 67, r.stderr)   # EX_NOUSER
        self.assertIn(b"can't find the user no-such-user-x to switch to\n", r.stderr)

    def test_switches_to_the_user(self):
        nobody = pwd.getpwnam("nobody")
        with Server(["-u", "nobody"]) as srv:
            # A round trip: the port accepts as soon as it is bound, before the switch.
            with srv.connect() as c:
                c.sync()
            uids = proc_status(srv.pid(), "Uid")
            self.assertEqual(uids, [str(nobody.pw_uid)] * 4)
            self.assertEqual(proc_status(srv.pid(), "Gid"), [str(nobody.pw_gid)] * 4)
            self.assertEqual(proc_status(srv.pid(), "Groups"), [])
            with srv.connect() as c:
                c.expect(set_cmd(b"k", b"v"), b"STORED\r\n")


class ProcessLimitsTest(ProcessCase):
    # AddressSanitizer intercepts mlockall() and does nothing (it would lock the shadow).
    @unittest.skipIf("/asan/" in SLABD_BIN, "mlockall is a no-op under AddressSanitizer")
    def test_lock_memory_locks_or_warns(self):
        with Server(["-k", "-m", "8"]) as srv:
            with srv.connect() as c:   # served: start-up (and mlockall) is over
                c.sync()
            locked = int(proc_status(srv.pid(), "VmLck")[0])
            warned = "warning: -k invalid, mlockall() failed: " in srv.log()
            self.assertTrue(locked > 0 or warned, srv.log())

    def test_coredumps_raise_the_core_limit(self):
        with Server(["-r"]) as srv:
            with srv.connect() as c:
                c.sync()
            with open("/proc/%d/limits" % srv.pid()) as f:
                core = [l for l in f if l.startswith("Max core file size")][0]
            self.assertNotIn(" 0 ", core.split("size", 1)[1][:25])


class ConnectionFloodTest(unittest.TestCase):
    """-c: past the limit a client gets the error line and is closed, and counted."""

    def test_flood_past_the_limit(self):
        with Server(["-c", "40"]) as srv:
            socks = []
            for _ in range(80):
                s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
                socks.append(s)
            time.sleep(0.5)
            accepted, rejected = [], 0
            for s in socks:
                s.setblocking(False)
                try:
                    data = s.recv(100)
                except BlockingIOError:
                    accepted.append(s)
                    continue
                s.settimeout(2)
                while True:
                    more = s.recv(100)
                    if not more:
                        break
                    data += more
                self.assertEqual(data, TOO_MANY)
                rejected += 1
                s.close()
            self.assertGreater(rejected, 0)
            self.assertGreater(len(accepted), 5)
            for s in accepted:
                s.setblocking(True)
                s.settimeout(5)
                s.sendall(b"version\r\n")
                self.assertTrue(s.recv(100).startswith(b"VERSION "))
            for s in accepted[1:]:
                s.close()
            c = accepted[0]
            time.sleep(0.3)
            c.sendall(b"stats\r\n")
            raw = b""
            while not raw.endswith(b"END\r\n"):
                raw += c.recv(65536)
            stats = dict(l.split(b" ")[1:3] for l in raw.split(b"\r\n") if l.startswith(b"STAT"))
            self.assertEqual(int(stats[b"rejected_connections"]), rejected)
            c.close()


class IdleTimeoutTest(ServerTestCase):
    server_args = ["-o", "idle_timeout=2"]

    def test_idle_client_kicked_active_survives(self):
        idle = self.connect()
        idle.sync()
        active = self.connect()
        deadline = time.monotonic() + 4.5
        while time.monotonic() < deadline:
            active.sync()
            time.sleep(0.4)
        self.assertTrue(idle.is_closed(timeout=2.0), "idle client not kicked")
        active.sync()
        active.send(b"stats\r\n")
        _, pairs = active.read_stats()
        names = [n for n, _ in pairs]
        self.assertGreaterEqual(int(dict(pairs)["idle_kicks"]), 1)
        self.assertEqual(names.index("idle_kicks"), names.index("auth_errors") + 1)
        self.assertEqual(names.index("bytes_read"), names.index("idle_kicks") + 1)
        self.assertEqual(active.stats(b"settings")["idle_timeout"], "2")


class NoIdleTimeoutTest(ServerTestCase):
    def test_idle_kicks_absent_without_the_option(self):
        stats = self.c.stats()
        self.assertNotIn("idle_kicks", stats)
        self.assertEqual(self.c.stats(b"settings")["idle_timeout"], "0")


class YieldTest(unittest.TestCase):
    def pipelined(self, args, n):
        with Server(args) as srv, srv.connect() as c:
            c.expect(set_cmd(b"y", b"1"), b"STORED\r\n")
            c.send(b"".join(b"get y\r\nincr y 1\r\n" if i % 2 else b"get y\r\n"
                            for i in range(n)))
            value = 1
            for i in range(n):
                c.expect(b"", b"VALUE y 0 %d\r\n%d\r\nEND\r\n" % (len(str(value)), value),
                         sync=False)
                if i % 2:
                    value += 1
                    c.expect(b"", b"%d\r\n" % value, sync=False)
            c.sync()
            return int(c.stats()["conn_yields"])

    def test_one_request_per_event_yields_and_answers_in_order(self):
        self.assertGreaterEqual(self.pipelined(["-R", "1"], 100), 100)

    def test_many_yielding_connections_reading_in_bursts_then_quitting(self):
        # -R 1 and 20 connections sending bursts: a connection yields, reads again in the same
        # loop turn and is processed in the batch of that turn (Worker::Defer); the last burst
        # ends with quit. Once, the yield's re-activation ran a queued connection early and
        # freed it while still queued (a crash).
        with Server(["-R", "1"]) as srv:
            with srv.connect() as c:
                c.expect(set_cmd(b"y", b"1"), b"STORED\r\n")
            socks = [socket.create_connection(("127.0.0.1", srv.port), timeout=10)
                     for _ in range(20)]
            try:
                for _ in range(5):
                    for s in socks:
                        s.sendall(b"get y\r\n" * 10)
                for s in socks:
                    s.sendall(b"get y\r\nquit\r\n")
                expected = b"VALUE y 0 1\r\n1\r\nEND\r\n" * 51
                for s in socks:
                    self.assertEqual(recv_upto(s), expected)
            finally:
                for s in socks:
                    s.close()
            self.assertTrue(srv.alive())
            with srv.connect() as c:
                c.expect(b"get y\r\n", b"VALUE y 0 1\r\n1\r\nEND\r\n")

    def test_default_twenty_yields_four_times_for_a_hundred_gets(self):
        with Server([]) as srv, srv.connect() as c:
            c.expect(set_cmd(b"y", b"1"), b"STORED\r\n")
            c.send(b"get y\r\n" * 100)
            for _ in range(100):
                c.expect(b"", b"VALUE y 0 1\r\n1\r\nEND\r\n", sync=False)
            self.assertEqual(c.stats()["conn_yields"], "4")


def wait_for_connections(srv, n):
    """Until the server counts `n` client connections besides the one asking, then a moment
    for the listener to hand them to the worker."""
    deadline = time.monotonic() + 10
    with srv.connect() as c:
        while int(c.stats()["curr_connections"]) < n + 1:
            assert time.monotonic() < deadline, "the server did not count %d connections" % n
            time.sleep(0.02)
    time.sleep(0.1)


class BatchTest(unittest.TestCase):
    """Connections that read in the same loop turn execute together and write afterwards
    (Worker::RunDeferred). The server is stopped while 30 clients send, so that one turn
    finds them all ready: each client's replies must still be exactly its own, in order.
    Reads are edge-triggered under epoll; LevelTriggeredBatchTest runs the same on poll."""

    ENV = None

    @staticmethod
    def send_while_stopped(srv, socks, bursts):
        """Sends each socket its burst while the server is stopped, so that one loop turn
        finds them all ready when it continues."""
        os.kill(srv.proc.pid, signal.SIGSTOP)
        try:
            for sock, burst in zip(socks, bursts):
                sock.sendall(burst)
        finally:
            os.kill(srv.proc.pid, signal.SIGCONT)

    def test_one_turn_of_mixed_connections(self):
        big = b"b" * 600000  # two of these exceed the 1 MB output bound: parsing pauses
        with Server(["-I", "1m"], env=self.ENV) as srv:
            with srv.connect() as c:
                c.expect(set_cmd(b"big", big), b"STORED\r\n")
            socks = [socket.create_connection(("127.0.0.1", srv.port), timeout=10)
                     for _ in range(30)]
            bursts, expected = [], []
            for i, s in enumerate(socks):
                key = b"k%d" % i
                val = b"v%d" % i
                kind = i % 5
                if kind == 0:    # store and read back its own key
                    bursts.append(set_cmd(key, val) + b"get " + key + b"\r\n")
                    expected.append(b"STORED\r\nVALUE " + key + b" 0 %d\r\n" % len(val) +
                                    val + b"\r\nEND\r\n")
                elif kind == 1:  # more output than the bound: executed in steps
                    bursts.append(b"get big\r\n" * 4)
                    expected.append((b"VALUE big 0 %d\r\n" % len(big) + big +
                                     b"\r\nEND\r\n") * 4)
                elif kind == 2:  # a reply, then the server closes
                    bursts.append(b"get big_missing\r\nquit\r\nget big\r\n")
                    expected.append(b"END\r\n")
                elif kind == 3:  # a command split across turns: only its head arrives now
                    bursts.append(b"get k")
                    expected.append(b"")
                else:            # a line too long: closed at once, nothing written
                    bursts.append(b"x" * 3000)
                    expected.append(b"")
            self.send_while_stopped(srv, socks, bursts)
            try:
                for i, (s, want) in enumerate(zip(socks, expected)):
                    if i % 5 == 3:
                        continue
                    self.assertEqual(recv_upto(s, len(want)), want, "connection %d" % i)
                for i in range(3, 30, 5):  # the split command completes in a later turn
                    socks[i].sendall(b"0\r\n")
                    want = b"VALUE k0 0 2\r\nv0\r\nEND\r\n"
                    self.assertEqual(recv_upto(socks[i], len(want)), want, "connection %d" % i)
                for i in list(range(2, 30, 5)) + list(range(4, 30, 5)):  # then EOF
                    self.assertEqual(socks[i].recv(4096), b"", "connection %d" % i)
            finally:
                for s in socks:
                    s.close()
            self.assertTrue(srv.alive())
            with srv.connect() as c:
                c.expect(b"get k5\r\n", b"VALUE k5 0 2\r\nv5\r\nEND\r\n")

    def test_one_turn_of_binary_and_meta_multigets(self):
        # The batch plan takes the keys of binary frames and mg lines too, and their lookups
        # take the planned hashes: every connection must still get exactly its own values.
        import binproto as bp
        big = b"B" * 10000  # copied only up to 4 KB: this one goes out from the item
        with Server(["-I", "1m"], env=self.ENV) as srv:
            cas = {}
            with srv.connect() as c:
                keys = [b"key%d" % i for i in range(40)] + [b"big"]
                for i, key in enumerate(keys):
                    val = big if key == b"big" else b"value-%d-" % i * (1 + i % 7)
                    c.expect(set_cmd(key, val, flags=i), b"STORED\r\n")
                c.send(b"gets " + b" ".join(keys) + b"\r\n")
                for i, key in enumerate(keys):
                    head = c.recv_line().split()
                    self.assertEqual(head[1], key)
                    cas[key] = (i, c.recv_exact(int(head[3]) + 2)[:-2], int(head[4]))
                self.assertEqual(c.recv_line(), b"END\r\n")
            socks = [socket.create_connection(("127.0.0.1", srv.port), timeout=10)
                     for _ in range(30)]
            bursts, expected = [], []
            for n in range(30):
                wanted = [b"key%d" % ((n * 7 + j) % 40) for j in range(20)]
                wanted[3] = b"missing%d" % n
                wanted[11] = b"big"
                burst, want = b"", b""
                if n % 2 == 0:  # binary: GETKQ for each (misses stay quiet), GETK, NOOP
                    for j, key in enumerate(wanted):
                        burst += bp.req(bp.Op.GETKQ, key=key, opaque=j)
                        if key in cas:
                            flags, val, c_ = cas[key]
                            want += bp.resp(bp.Op.GETKQ, key=key, extras=bp.u32(flags),
                                            value=val, opaque=j, cas=c_)
                    burst += bp.req(bp.Op.GETK, key=b"nokey", opaque=99)
                    want += bp.resp(bp.Op.GETK, bp.St.KEY_ENOENT, key=b"nokey", opaque=99)
                    burst += bp.req(bp.Op.NOOP, opaque=100)
                    want += bp.resp(bp.Op.NOOP, opaque=100)
                else:           # meta: mg with value, key, flags and CAS; q hides misses
                    for key in wanted:
                        burst += b"mg " + key + b" v k f c q\r\n"
                        if key in cas:
                            flags, val, c_ = cas[key]
                            want += b"VA %d k%s f%d c%d\r\n" % (len(val), key, flags, c_)
                            want += val + b"\r\n"
                    burst += b"mg nokey v\r\nmn\r\n"
                    want += b"EN\r\nMN\r\n"
                bursts.append(burst)
                expected.append(want)
            # These are the connections' first bytes: the plan takes a new connection's first
            # burst too (its protocol is decided as soon as it has read). Wait until the
            # worker has them all, so that one turn reads them.
            wait_for_connections(srv, 30)
            self.send_while_stopped(srv, socks, bursts)
            try:
                for n, (sock, want) in enumerate(zip(socks, expected)):
                    self.assertEqual(recv_upto(sock, len(want)), want, "connection %d" % n)
            finally:
                for sock in socks:
                    sock.close()
            self.assertTrue(srv.alive())

    def answers_then_closes(self, args, payload, want, fin_later=False):
        with Server(args, env=self.ENV) as srv:
            with srv.connect() as c:
                c.expect(set_cmd(b"y", b"1"), b"STORED\r\n")
            s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
            try:
                s.sendall(payload)
                got = recv_upto(s, len(want)) if fin_later else b""
                s.shutdown(socket.SHUT_WR)
                # A lost FIN would leave this waiting until the socket timeout.
                self.assertEqual(got + recv_upto(s), want)
            finally:
                s.close()
            self.assertTrue(srv.alive())

    def test_fin_with_the_requests_closes_after_the_replies(self):
        # printf '...' | nc -q1: the FIN arrives with the bytes, in the same read event.
        self.answers_then_closes([], set_cmd(b"g", b"hello") + b"get g\r\n",
                                 b"STORED\r\nVALUE g 0 5\r\nhello\r\nEND\r\n")

    def test_fin_after_the_replies_closes(self):
        self.answers_then_closes([], b"get y\r\n", b"VALUE y 0 1\r\n1\r\nEND\r\n",
                                 fin_later=True)

    def test_fin_with_requests_that_yield_answers_them_all(self):
        self.answers_then_closes(["-R", "1"], b"get y\r\n" * 10,
                                 b"VALUE y 0 1\r\n1\r\nEND\r\n" * 10)

    def burst_answered(self, args, count):
        # More requests than kMaxReadsPerEvent reads of the 16 KB buffer take, sent at once
        # and then nothing more: reads are edge-triggered, so the server has to come back for
        # what is left in the socket on its own (a lost edge hangs here until the timeout).
        with Server(args, env=self.ENV) as srv:
            with srv.connect() as c:
                c.expect(set_cmd(b"y", b"1"), b"STORED\r\n")
            s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
            try:
                burst = b"get y\r\n" * count
                sender = threading.Thread(target=s.sendall, args=(burst,))
                sender.start()
                want = b"VALUE y 0 1\r\n1\r\nEND\r\n" * count
                got = recv_upto(s, len(want))
                sender.join(10)
                self.assertEqual(len(got), len(want))
                self.assertEqual(got, want)
            finally:
                s.close()
            self.assertTrue(srv.alive())

    def test_burst_of_many_reads_is_answered_without_more_input(self):
        self.burst_answered([], 100000)  # 700 KB in, 2.1 MB out: reads, yields, blocked writes

    def test_burst_with_one_request_per_event(self):
        self.burst_answered(["-R", "1"], 20000)


class LevelTriggeredBatchTest(BatchTest):
    """libevent's poll backend (EVENT_NOEPOLL) has neither EV_ET nor EV_CLOSED: the worker
    then keeps reads level-triggered, and everything above must hold just the same."""

    ENV = {"EVENT_NOEPOLL": "1"}


@unittest.skipUnless(is_slabd(), "memcached exits without writing pending replies")
class SigtermDrainTest(unittest.TestCase):
    def test_pipelined_requests_in_flight_all_answered(self):
        srv = Server(["-R", "5"]).start()
        try:
            value = b"v" * 100000
            c = srv.connect(timeout=10)
            c.expect(set_cmd(b"big", value), b"STORED\r\n")
            n = 300   # 30 MB of replies: far more than the socket buffers hold
            c.send(b"get big\r\n" * n)
            time.sleep(0.3)
            srv.proc.send_signal(signal.SIGTERM)
            reply = b"VALUE big 0 100000\r\n" + value + b"\r\nEND\r\n"
            got = c.recv_exact(len(reply) * n, timeout=10)
            self.assertEqual(got, reply * n)
            self.assertTrue(c.is_closed(timeout=5.0))
            self.assertEqual(srv.proc.wait(10), 0)
        finally:
            srv.stop(check=False)


if __name__ == "__main__":
    unittest.main()
