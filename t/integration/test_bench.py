#!/usr/bin/python3
"""The benchmark tools of issue 6: the load driver ./slabd-bench (network and --engine), the
no-storage ceiling server scripts/bench/ceiling, a smoke run of scripts/bench/compare, and
scripts/bench/wakeups (its trace analysis on a made-up trace; a smoke run where perf is).

The driver runs against a fresh server (-t 1) per test and its report is checked against the
server's own `stats`. Every run is short (<= 1 s measured) and has a hard subprocess timeout;
every process a test starts is killed in a finally or a cleanup. Nothing asserts on speed:
the only timing-derived figure checked is the open loop's request count, which the driver
schedules itself (allowed +-15%).

How the driver counts (src/bench/driver_stats.h): a request counts when its reply arrives
inside the measured window. Prefill and warm-up replies are not counted, so these runs use
--warmup 0 and subtract the prefill's one set per key from the server's cmd_set. At the end
of the window the server may have seen up to 2 x connections x pipeline requests the driver
did not count: replies read by the last poll after the window closed (at most `pipeline` per
connection), and the requests that poll then sent to refill the pipeline (`open ... requests
unanswered` in the report).
"""

import importlib.machinery
import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest

from client import Conn
from server import REPO, Server, free_port

BENCH = os.environ.get("SLABD_BENCH_BIN", os.path.join(REPO, "slabd-bench"))
CEILING = os.path.join(REPO, "scripts", "bench", "ceiling")
COMPARE = os.path.join(REPO, "scripts", "bench", "compare")
WAKEUPS = os.path.join(REPO, "scripts", "bench", "wakeups")
MEMCACHED = os.environ.get("MEMCACHED_BIN", "/usr/bin/memcached")

EX_USAGE = 64
EX_UNAVAILABLE = 69
EX_OSERR = 71

# Every network run's JSON line has these (report.cc FormatJson).
JSON_KEYS = ["mode", "protocol", "connections", "pipeline", "multiget", "rate", "duration_s",
             "requests", "ops_per_s", "keys_per_s", "hit_ratio", "errors", "p50_us", "p90_us",
             "p99_us", "p999_us", "max_us", "driver_cpu_s"]
ENGINE_JSON_KEYS = ["engine", "threads", "keys", "value_min", "value_max", "get_ratio",
                    "distribution", "stripes", "shards", "duration_s", "ops", "ops_per_s", "gets_per_s",
                    "sets_per_s", "hit_ratio", "set_failures", "per_thread_ops_per_s",
                    "per_thread_cpu", "per_thread_ops_per_cpu_s"]

KEYS = 2000
CONNS = 4
DEPTH = 4
# A closed-loop run of the spec: prefilled, no warm-up (see the top), half a second.
CLOSED = ["--prefill", "--keys", str(KEYS), "--connections", str(CONNS), "--pipeline",
          str(DEPTH), "--warmup", "0", "--duration", "0.5", "--json"]

THROUGHPUT_RE = re.compile(r"\((\d+) requests: (\d+) gets, (\d+) sets\)")
KEYS_ASKED_RE = re.compile(r"of (\d+) keys asked")


class BenchRun:
    """One finished slabd-bench process: rc, stdout, stderr, and the parsed report."""

    def __init__(self, args, proc):
        self.args = args
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr

    def __str__(self):
        return "slabd-bench %s\nrc=%s\nstdout: %s\nstderr: %s" % (
            " ".join(self.args), self.rc, self.stdout[-2000:], self.stderr[-2000:])

    def json(self):
        lines = self.stdout.splitlines()
        assert len(lines) == 1, "want exactly one JSON line on stdout\n%s" % self
        return json.loads(lines[0])

    def counted(self):
        """(requests, gets, sets, get keys) from the text report --json puts on stderr."""
        m = THROUGHPUT_RE.search(self.stderr)
        k = KEYS_ASKED_RE.search(self.stderr)
        assert m and k, "no throughput/hits lines in the report\n%s" % self
        return int(m.group(1)), int(m.group(2)), int(m.group(3)), int(k.group(1))


def run_bench(args, timeout=30):
    proc = subprocess.run([BENCH] + list(args), stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=timeout)
    return BenchRun(list(args), proc)


def kill_group(proc):
    """SIGKILL a process started with start_new_session=True and everything it started."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        pass
    for f in (proc.stdout, proc.stderr):
        if f is not None:
            f.close()


def bound_unlistened_port():
    """A loopback socket bound to a port but not listening: connecting to it is refused,
    and nothing else can take the port while the socket is open."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    return s, s.getsockname()[1]


def server_counters(port):
    with Conn(port) as c:
        s = c.stats()
    return {k: int(s[k]) for k in ("cmd_get", "cmd_set", "get_hits", "get_misses",
                                   "curr_items")}


def assert_clean_run(test, run, protocol, multiget=1, mode="closed"):
    """Exit 0, one JSON line with every key, no errors, every key found."""
    test.assertEqual(run.rc, 0, run)
    j = run.json()
    for key in JSON_KEYS:
        test.assertIn(key, j, run)
    test.assertEqual((j["mode"], j["protocol"], j["multiget"]), (mode, protocol, multiget))
    test.assertEqual(j["errors"], 0, run)
    test.assertEqual(j["hit_ratio"], 1.0, run)
    test.assertGreater(j["requests"], 0, run)
    test.assertGreater(j["ops_per_s"], 0, run)
    # Percentiles are capped at the max (histogram.cc), so the chain never inverts.
    latencies = [j[k] for k in ("p50_us", "p90_us", "p99_us", "p999_us", "max_us")]
    test.assertEqual(latencies, sorted(latencies), run)
    test.assertNotIn("server_cpu_s", j, run)
    return j


@unittest.skipUnless(os.access(BENCH, os.X_OK), "slabd-bench not built (make slabd-bench)")
class DriverAgainstServerTest(unittest.TestCase):
    """slabd-bench against a fresh server per test (-t 1)."""

    def setUp(self):
        self.server = Server(["-t", "1"]).start()
        self.addCleanup(self.server.stop)   # fails the test if the server died

    def bench(self, *args, timeout=30):
        return run_bench(["--server", "127.0.0.1:%d" % self.server.port] + list(args),
                         timeout=timeout)

    def assert_clean_run(self, run, protocol, multiget=1, mode="closed"):
        return assert_clean_run(self, run, protocol, multiget, mode)

    def assert_server_saw(self, run, before, after, multiget=1):
        """The server's counters cover what the driver counted, and at most the requests
        the driver cannot count (see the top of the file) more."""
        requests, gets, sets, get_keys = run.counted()
        self.assertEqual(requests, gets + sets, run)
        self.assertEqual(requests, run.json()["requests"], run)
        server_keys = after["cmd_get"] - before["cmd_get"]
        server_sets = after["cmd_set"] - before["cmd_set"] - KEYS   # the prefill's sets
        slack = 2 * CONNS * DEPTH
        extra_gets = server_keys - get_keys
        extra_sets = server_sets - sets
        detail = "server: %d get keys, %d sets (after prefill); driver: %d, %d\n%s" % (
            server_keys, server_sets, get_keys, sets, run)
        self.assertGreaterEqual(extra_gets, 0, detail)
        self.assertGreaterEqual(extra_sets, 0, detail)
        self.assertLessEqual(extra_gets / multiget + extra_sets, slack, detail)
        # Every key the server was asked for was there, as the driver saw.
        self.assertEqual(after["get_hits"] - before["get_hits"], server_keys, detail)
        self.assertEqual(after["get_misses"] - before["get_misses"], 0, detail)
        self.assertEqual(after["curr_items"], KEYS, detail)

    # ---- closed loop, each protocol --------------------------------------------------

    def check_closed_loop(self, protocol):
        before = server_counters(self.server.port)
        run = self.bench("--protocol", protocol, *CLOSED)
        after = server_counters(self.server.port)
        j = self.assert_clean_run(run, protocol)
        self.assertEqual((j["connections"], j["pipeline"], j["rate"]), (CONNS, DEPTH, 0))
        self.assertEqual(j["keys_per_s"], j["ops_per_s"], run)   # one key per request
        requests, gets, sets, get_keys = run.counted()
        self.assertEqual(get_keys, gets, run)
        self.assertGreater(gets, 0, run)
        self.assertGreater(sets, 0, run)   # --get-ratio 0.9 by default
        self.assert_server_saw(run, before, after)

    def test_closed_loop_text(self):
        self.check_closed_loop("text")

    def test_closed_loop_meta(self):
        self.check_closed_loop("meta")

    def test_closed_loop_binary(self):
        self.check_closed_loop("binary")

    # ---- multiget --------------------------------------------------------------------

    def check_multiget(self, protocol):
        before = server_counters(self.server.port)
        run = self.bench("--protocol", protocol, "--multiget", "10", "--get-ratio", "1",
                         *CLOSED)
        after = server_counters(self.server.port)
        j = self.assert_clean_run(run, protocol, multiget=10)
        # A 10-key get is one op and ten keys; %.1f rounding aside, exactly 10x.
        self.assertAlmostEqual(j["keys_per_s"], 10 * j["ops_per_s"], delta=1.0, msg=str(run))
        requests, gets, sets, get_keys = run.counted()
        self.assertEqual((sets, get_keys), (0, 10 * gets), run)
        self.assert_server_saw(run, before, after, multiget=10)

    def test_multiget_text(self):
        self.check_multiget("text")

    def test_multiget_meta(self):
        self.check_multiget("meta")

    def test_multiget_binary(self):
        self.check_multiget("binary")

    # ---- open loop, mixed sizes, server CPU -------------------------------------------

    def test_open_loop_sends_at_the_rate(self):
        run = self.bench("--mode", "open", "--rate", "2000", "--prefill", "--keys", str(KEYS),
                         "--connections", str(CONNS), "--warmup", "0.2", "--duration", "1",
                         "--json")
        j = self.assert_clean_run(run, "text", mode="open")
        self.assertEqual((j["rate"], j["pipeline"]), (2000, 1))
        self.assertGreaterEqual(j["requests"], 2000 * 0.85, run)
        self.assertLessEqual(j["requests"], 2000 * 1.15, run)
        self.assertIn("behind schedule by", run.stderr)

    def test_open_loop_spin_polls_instead_of_sleeping(self):
        run = self.bench("--mode", "open", "--rate", "2000", "--spin", "--prefill", "--keys",
                         str(KEYS), "--connections", str(CONNS), "--warmup", "0.2",
                         "--duration", "1", "--json")
        j = self.assert_clean_run(run, "text", mode="open")
        self.assertGreaterEqual(j["requests"], 2000 * 0.85, run)
        self.assertLessEqual(j["requests"], 2000 * 1.15, run)
        # A send every 500 us: a sleeping driver is busy a few percent of the window, a
        # polling one all of it (at least half even on a crowded 2-core machine).
        self.assertGreaterEqual(j["driver_cpu_s"], 0.5 * j["duration_s"], run)

    def test_mixed_value_sizes_zipf(self):
        run = self.bench("--value-size", "32-16384", "--distribution", "zipf", *CLOSED)
        self.assert_clean_run(run, "text")
        self.assertIn("values 32-16384 B", run.stderr)
        self.assertIn("(zipf 0.99)", run.stderr)
        with Conn(self.server.port) as c:
            self.assertEqual(int(c.stats()["curr_items"]), KEYS)
            c.send(b"stats items\r\n")
            classes = {name.split(":")[1] for name, _ in c.read_stats()[1]}
        # Values spread over 32 B..16 KB land in many slab classes.
        self.assertGreaterEqual(len(classes), 5, sorted(classes))

    def test_server_pid_reports_server_cpu(self):
        run = self.bench("--server-pid", str(self.server.pid()), "--prefill", "--keys",
                         str(KEYS), "--connections", str(CONNS), "--pipeline", str(DEPTH),
                         "--warmup", "0.1", "--duration", "1", "--json")
        self.assertEqual(run.rc, 0, run)
        j = run.json()
        self.assertEqual((j["errors"], j["hit_ratio"]), (0, 1.0), run)
        # A second of load on a -t 1 server: well over one 10 ms clock tick of CPU.
        self.assertGreater(j["server_cpu_s"], 0, run)
        self.assertGreater(j["ops_per_server_cpu_s"], 0, run)
        self.assertAlmostEqual(j["ops_per_server_cpu_s"], j["requests"] / j["server_cpu_s"],
                               delta=j["ops_per_server_cpu_s"] * 1e-3, msg=str(run))
        self.assertIn("server cpu", run.stderr)


@unittest.skipUnless(os.access(BENCH, os.X_OK), "slabd-bench not built (make slabd-bench)")
class DriverCommandLineTest(unittest.TestCase):
    """Failures before or during a run: exit codes and one clear line on stderr."""

    def test_help(self):
        run = run_bench(["--help"], timeout=10)
        self.assertEqual(run.rc, 0, run)
        self.assertTrue(run.stdout.startswith("usage: slabd-bench"), run)
        self.assertEqual(run.stderr, "")

    def test_bad_options_exit_64(self):
        cases = [
            (["--bogus"], "unknown option or missing value: --bogus"),
            (["--protocol", "udp"], "bad value for --protocol: udp"),
            (["--protocol=udp"], "bad value for --protocol: udp"),
            (["--connections", "0"], "bad value for --connections: 0"),
            (["--value-size", "100-10"], "bad value for --value-size: 100-10"),
            (["--server", "localhost"], "bad value for --server: localhost"),
            (["--duration"], "unknown option or missing value: --duration"),
            (["--mode", "open"], "--mode open needs --rate"),
            (["--spin"], "--spin needs --mode open"),
            (["--threads", "5", "--connections", "4"], "--threads must not exceed"),
            (["stray"], "unexpected argument: stray"),
            # No such process (pid_max is at most 2^22): refused before connecting.
            (["--server-pid", "2147483647"], "--server-pid 2147483647: /proc/2147483647/stat"),
        ]
        for args, message in cases:
            with self.subTest(args=args):
                run = run_bench(["--json"] + args, timeout=10)
                self.assertEqual(run.rc, EX_USAGE, run)
                self.assertEqual(run.stdout, "", run)
                self.assertEqual(len(run.stderr.splitlines()), 1, run)
                self.assertTrue(run.stderr.startswith("slabd-bench: "), run)
                self.assertIn(message, run.stderr)

    def test_refused_connection_exits_69(self):
        sock, port = bound_unlistened_port()
        try:
            # A hard timeout far below the 5 s connect timeout: refusal is immediate.
            run = run_bench(["--server", "127.0.0.1:%d" % port, "--duration", "5", "--json"],
                            timeout=4)
        finally:
            sock.close()
        self.assertEqual(run.rc, EX_UNAVAILABLE, run)
        self.assertEqual(run.stdout, "", run)
        self.assertEqual(run.stderr, "slabd-bench: connection 0: connect to 127.0.0.1:%d: "
                         "Connection refused\n" % port)

    def test_garbage_reply_fails_the_run(self):
        """A server that answers bytes of no protocol: exit 1 naming the bytes, no report."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        listener.settimeout(0.05)
        port = listener.getsockname()[1]
        stop = threading.Event()

        def serve():
            conns = []
            while not stop.is_set():
                try:
                    c, _ = listener.accept()
                    conns.append(c)
                except socket.timeout:
                    pass
                for c in conns:
                    c.setblocking(False)
                    try:
                        if c.recv(65536):
                            c.sendall(b"BOGUS\r\n")
                    except (BlockingIOError, OSError):
                        pass
            for c in conns:
                c.close()

        t = threading.Thread(target=serve, daemon=True)
        t.start()
        try:
            run = run_bench(["--server", "127.0.0.1:%d" % port, "--connections", "1",
                             "--warmup", "0", "--duration", "2", "--json"], timeout=20)
        finally:
            stop.set()
            t.join(5)
            listener.close()
        self.assertEqual(run.rc, 1, run)
        self.assertEqual(run.stdout, "", run)
        self.assertIn("slabd-bench: run failed: connection 0: unexpected reply bytes: "
                      "\"BOGUS\\x0d\\x0a\"\n", run.stderr)


@unittest.skipUnless(os.access(BENCH, os.X_OK), "slabd-bench not built (make slabd-bench)")
class EngineBenchTest(unittest.TestCase):
    """slabd-bench --engine: the Store driven in-process, no server."""

    def engine(self, threads):
        run = run_bench(["--engine", "--threads", str(threads), "--duration", "0.5",
                         "--warmup", "0.1", "--keys", "1000", "--json"], timeout=60)
        self.assertEqual(run.rc, 0, run)
        j = run.json()
        for key in ENGINE_JSON_KEYS:
            self.assertIn(key, j, run)
        self.assertIs(j["engine"], True)
        self.assertEqual((j["threads"], j["keys"], j["distribution"]),
                         (threads, 1000, "uniform"))
        self.assertGreater(j["ops"], 0, run)
        self.assertGreater(j["ops_per_s"], 0, run)
        self.assertGreater(j["gets_per_s"], 0, run)
        self.assertGreater(j["sets_per_s"], 0, run)
        # Every key was prefilled into a 1 GB store: nothing is ever missing or refused.
        self.assertEqual((j["hit_ratio"], j["set_failures"]), (1.0, 0), run)
        self.assertEqual(len(j["per_thread_ops_per_s"]), threads, run)
        self.assertEqual(len(j["per_thread_cpu"]), threads, run)
        return j

    def test_one_thread(self):
        self.engine(1)

    def test_two_threads(self):
        self.engine(2)

    def test_text_report(self):
        run = run_bench(["--engine", "--duration", "0.2", "--warmup", "0", "--keys", "100"],
                        timeout=60)
        self.assertEqual(run.rc, 0, run)
        self.assertTrue(run.stdout.startswith("engine: 1 thread, 100 keys, value 100 B"), run)
        self.assertIn("hit ratio 1.0000", run.stdout)

    def test_bad_engine_option_exits_64(self):
        run = run_bench(["--engine", "--value-size", "2000000000", "--json"], timeout=10)
        self.assertEqual(run.rc, EX_USAGE, run)
        self.assertEqual(run.stdout, "", run)
        self.assertEqual(run.stderr, "slabd-bench: bad value for --value-size: 2000000000 "
                         "(see --help)\n")


# ---- the ceiling server -----------------------------------------------------------------

def start_ceiling(test, *args):
    """Start scripts/bench/ceiling on a free port; the test's cleanup kills it.
    Returns (port, Popen)."""
    last = None
    for _attempt in range(5):
        port = free_port()
        proc = subprocess.Popen([CEILING, "-l", "127.0.0.1", "-p", str(port)] + list(args),
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, start_new_session=True)
        test.addCleanup(kill_group, proc)
        # The wrapper may first build the binary (make): allow for a compile.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                last = "ceiling exited rc=%s: %s" % (proc.returncode, proc.stderr.read())
                break
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                return port, proc
            except OSError:
                time.sleep(0.02)
        else:
            last = "ceiling did not listen within 60 s"
        kill_group(proc)
    raise AssertionError(last)


VALUE = b"x" * 100   # ceiling.cc: every get is a hit for -v bytes of 'x' (default 100)


class CeilingTest(unittest.TestCase):
    """scripts/bench/ceiling answers what ceiling.cc promises, byte for byte."""

    def setUp(self):
        self.port, self.proc = start_ceiling(self)
        self.c = Conn(self.port, timeout=10)
        self.addCleanup(self.c.close)

    def test_get_every_key_hits(self):
        self.c.expect(b"get a b\r\n", b"VALUE a 0 100\r\n" + VALUE + b"\r\n"
                      b"VALUE b 0 100\r\n" + VALUE + b"\r\nEND\r\n")

    def test_gets_adds_cas_1(self):
        self.c.expect(b"gets k\r\n", b"VALUE k 0 100 1\r\n" + VALUE + b"\r\nEND\r\n")

    def test_set(self):
        self.c.expect(b"set k 0 0 3\r\nabc\r\n", b"STORED\r\n")
        self.c.expect(b"set k 5 0 3 noreply\r\nabc\r\n", b"")

    def test_set_split_across_sends(self):
        self.c.send_split(b"set k 0 0 10\r\n0123456789\r\n", [3, 9, 4, 5], pause=0.02)
        self.c.expect(b"", b"STORED\r\n")

    def test_set_longer_than_the_read_buffer(self):
        data = bytes(range(256)) * 1000   # 256000 bytes, the 64 KB buffer grows
        self.c.expect(b"set big 0 0 %d\r\n" % len(data) + data + b"\r\n", b"STORED\r\n")
        self.c.expect(b"get big\r\n", b"VALUE big 0 100\r\n" + VALUE + b"\r\nEND\r\n")

    def test_pipelined_commands_in_one_send(self):
        self.c.expect(b"get a\r\nset k 0 0 2\r\nhi\r\nmn\r\nversion\r\nbogus\r\nget b c\r\n",
                      b"VALUE a 0 100\r\n" + VALUE + b"\r\nEND\r\n"
                      b"STORED\r\n"
                      b"MN\r\n"
                      b"VERSION ceiling\r\n"
                      b"ERROR\r\n"
                      b"VALUE b 0 100\r\n" + VALUE + b"\r\n"
                      b"VALUE c 0 100\r\n" + VALUE + b"\r\nEND\r\n")

    def test_one_read_one_write(self):
        """ceiling.cc's promise: every complete command of one read is answered by one
        write, so one recv sees every reply (loopback keeps a small write whole)."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        self.addCleanup(s.close)
        s.sendall(b"get a\r\nmg b v\r\nset k 0 0 1\r\nz\r\nms k 1 q\r\nz\r\nmn\r\n")
        self.assertEqual(s.recv(65536),
                         b"VALUE a 0 100\r\n" + VALUE + b"\r\nEND\r\n"
                         b"VA 100\r\n" + VALUE + b"\r\n"
                         b"STORED\r\n"
                         b"MN\r\n")

    def test_huge_multiget(self):
        """A line longer than the read buffer and a reply larger than the socket buffer
        (the EPOLLOUT path): every key answered, in order."""
        keys = [b"key:%06d" % i for i in range(10000)]
        want = b"".join(b"VALUE " + k + b" 0 100\r\n" + VALUE + b"\r\n" for k in keys)
        self.c.expect(b"get " + b" ".join(keys) + b"\r\n", want + b"END\r\n")

    def test_meta(self):
        self.c.expect(b"mg foo v\r\n", b"VA 100\r\n" + VALUE + b"\r\n")
        self.c.expect(b"mg foo k v s f c t Oab\r\n",
                      b"VA 100 kfoo s100 f0 c1 t-1 Oab\r\n" + VALUE + b"\r\n")
        self.c.expect(b"mg foo\r\n", b"HD\r\n")
        self.c.expect(b"mg foo k s\r\n", b"HD kfoo s100\r\n")
        self.c.expect(b"ms foo 2\r\nhi\r\n", b"HD\r\n")
        self.c.expect(b"ms foo 2 k Oz\r\nhi\r\n", b"HD kfoo Oz\r\n")
        self.c.expect(b"ms foo 2 q\r\nhi\r\n", b"")
        self.c.expect(b"mn\r\n", b"MN\r\n")

    def test_version(self):
        self.c.expect(b"version\r\n", b"VERSION ceiling\r\n")

    def test_anything_else_is_error(self):
        for line in (b"bogus\r\n", b"\r\n", b"get\r\n", b"set k 0 0\r\n", b"ms k\r\n",
                     b"mg\r\n", b"delete k\r\n", b"GET a\r\n"):
            with self.subTest(line=line):
                self.c.expect(line, b"ERROR\r\n")

    def test_bare_newline_ends_a_command(self):
        self.c.expect(b"get a\n", b"VALUE a 0 100\r\n" + VALUE + b"\r\nEND\r\n")

    def test_value_size_option(self):
        port, _ = start_ceiling(self, "-v", "5")
        with Conn(port) as c:
            c.expect(b"get a\r\n", b"VALUE a 0 5\r\nxxxxx\r\nEND\r\n")
            c.expect(b"mg a v s\r\n", b"VA 5 s5\r\nxxxxx\r\n")
        port, _ = start_ceiling(self, "-v", "0")
        with Conn(port) as c:
            c.expect(b"get a\r\n", b"VALUE a 0 0\r\n\r\nEND\r\n")

    def test_port_in_use_exits_71(self):
        proc = subprocess.run([CEILING, "-l", "127.0.0.1", "-p", str(self.port)],
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=60)
        self.assertEqual(proc.returncode, EX_OSERR, proc)
        self.assertEqual(proc.stderr, "bench-ceiling: cannot listen on 127.0.0.1:%d: "
                         "Address already in use\n" % self.port)
        self.c.expect(b"mn\r\n", b"MN\r\n")   # the first one is unharmed

    def test_bad_option_exits_64(self):
        proc = subprocess.run([CEILING, "-x"], stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=60)
        self.assertEqual(proc.returncode, EX_USAGE, proc)
        self.assertIn("usage: ", proc.stderr)

    @unittest.skipUnless(os.access(BENCH, os.X_OK), "slabd-bench not built")
    def test_driver_gets_clean_replies(self):
        """The two tools fit (compare relies on it): the driver's text and meta gets,
        multigets and sets all get replies it accepts."""
        for protocol in ("text", "meta"):
            with self.subTest(protocol=protocol):
                run = run_bench(["--server", "127.0.0.1:%d" % self.port, "--protocol",
                                 protocol, "--multiget", "3"] + CLOSED)
                assert_clean_run(self, run, protocol, multiget=3)
                self.assertGreater(run.counted()[2], 0, run)   # sets were answered too

    def test_client_vanishing_mid_reply_does_not_kill_it(self):
        keys = b" ".join(b"k%d" % i for i in range(20000))
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        s.sendall(b"get " + keys + b"\r\n")
        s.close()   # the ~2.5 MB reply meets a closed socket: EPIPE, not SIGPIPE
        self.c.expect(b"mn\r\n", b"MN\r\n")
        self.assertIsNone(self.proc.poll())


# ---- scripts/bench/compare --------------------------------------------------------------

def run_bench_script(test, argv):
    """A scripts/bench tool's stdout; it must exit 0 within 120 s. The servers it starts are
    in its process group, so a timeout kills them too."""
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        kill_group(proc)
    test.assertEqual(proc.returncode, 0, stdout + stderr)
    return stdout


@unittest.skipUnless(os.access(BENCH, os.X_OK), "slabd-bench not built (make slabd-bench)")
@unittest.skipUnless(os.access(MEMCACHED, os.X_OK), "memcached not installed (make test-deps)")
@unittest.skipUnless((os.cpu_count() or 1) >= 2 and shutil.which("taskset"),
                     "compare needs 2 CPUs and taskset")
class CompareSmokeTest(unittest.TestCase):
    def run_compare(self, args):
        """compare's stdout; it must exit 0 and write the same lines to --out."""
        fd, out_path = tempfile.mkstemp(prefix="t-compare-", suffix=".txt")
        os.close(fd)
        self.addCleanup(os.unlink, out_path)
        slabd = os.environ.get("SLABD_BIN", os.path.join(REPO, "slabd"))
        stdout = run_bench_script(self, [COMPARE, "--quick", "--no-threads", "--slabd", slabd,
                                         "--memcached", MEMCACHED, "--bench", BENCH,
                                         "--out", out_path] + args)
        with open(out_path) as f:
            self.assertEqual(f.read(), stdout)   # every line also goes to --out
        return stdout

    def test_quick_binary_t4(self):
        """--protocol binary: the driver speaks binary to both servers, no ceiling run, and
        the check is only slabd >= memcached."""
        stdout = self.run_compare(["--tests", "T4", "--protocol", "binary"])
        lines = stdout.splitlines()
        self.assertIn(", binary protocol, ", lines[0])
        self.assertEqual([l for l in lines if l.startswith("T4 ")],
                         ["T4 (-t 1, binary protocol) keys_per_s"], stdout)
        self.assertFalse([l for l in lines if "ceiling" in l and "rep" in l], stdout)
        for kind in ("memcached", "memcached-AA", "slabd"):
            rep = [l for l in lines if l.startswith("  T4 rep 1 %-12s " % kind)]
            self.assertEqual(len(rep), 1, stdout)
            self.assertIn(" hit=1.000 errors=0", rep[0])
        self.assertTrue([l for l in lines if l.startswith("  target: >= 1x memcached")], stdout)
        self.assertTrue([l for l in lines if "--protocol binary" in l and "reproduce" in l],
                        stdout)

    def test_quick_t2(self):
        """One 2 s repetition of T2: harness check only (its figures prove nothing)."""
        slabd = os.environ.get("SLABD_BIN", os.path.join(REPO, "slabd"))
        stdout = self.run_compare(["--tests", "T2"])
        lines = stdout.splitlines()

        def line(prefix):
            found = [l for l in lines if l.startswith(prefix)]
            self.assertEqual(len(found), 1, "want one line starting %r in\n%s"
                             % (prefix, stdout))
            return found[0]

        self.assertTrue(lines[0].startswith("compare: %s vs memcached 1.6." % slabd), stdout)
        for kind in ("memcached", "memcached-AA", "slabd", "ceiling"):
            rep = line("  T2 rep 1 %-12s " % kind)
            self.assertIn(" hit=1.000 errors=0", rep)
        line("T2 (-t 1) ops_per_s")
        line("  memcached     ")
        self.assertIn("A/A ratio", line("  memcached A/A "))
        self.assertIn("slabd/memcached", line("  slabd         "))
        self.assertIn("slabd/ceiling", line("  ceiling       "))
        line("  p99_us ")
        # The driver-independent figures: work per second of server CPU, and the bound.
        per = line("  per server CPU-s  memcached ")
        self.assertRegex(per, r"\| slabd [0-9.]+[kM]? \[.*\] \| ceiling [0-9.]+[kM]? \[")
        ratios = lines[lines.index(per) + 1]
        match = re.match(r"^ {20}slabd/memcached ([0-9.]+), slabd/ceiling ([0-9.]+)$", ratios)
        self.assertIsNotNone(match, ratios)
        self.assertGreater(float(match.group(1)), 1.0, stdout)   # slabd needs less CPU per op
        self.assertLess(float(match.group(2)), 1.5, stdout)      # than memcached, not the ceiling
        self.assertRegex(line("  ceiling/memcached "),
                         r"^  ceiling/memcached [0-9.]+: the most any server's ops_per_s can be ")
        self.assertRegex(line("  target: "),
                         r"^  target: >= 4x memcached and >= 0\.8 ceiling -> (MET|NOT MET)$")
        repro = line("  reproduce: taskset -c 0 ")
        # A command to paste: the server's port and pid are placeholders, never a dead server's.
        self.assertIn(" -p $PORT ", repro)
        self.assertIn("& PID=$!; taskset -c 1 %s --server 127.0.0.1:$PORT " % BENCH, repro)
        self.assertIn(" --server-pid $PID ", repro)
        line("summary")
        self.assertRegex(lines[-1], r"^  T2   1   ops_per_s .* [0-9.]+/[0-9.]+  (MET|NOT MET)$")
        self.assertFalse(any(l.startswith("T2 (-t 2") for l in lines), stdout)   # --no-threads


# ---- scripts/bench/wakeups --------------------------------------------------------------

def load_wakeups():
    loader = importlib.machinery.SourceFileLoader("wakeups", WAKEUPS)
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader("wakeups", loader))
    loader.exec_module(module)
    return module


# `perf script -F comm,tid,time,event,trace --ns` of a server worker and the driver: a turn
# of two connections after a 40 us wake, then one of one after a 370 us stall.
WAKEUPS_TRACE = """\
    slabd-worker 7 1.000000000: syscalls:sys_enter_epoll_wait: epfd: 0x3, events: 0x1, maxevents: 0x40, timeout: 0xffffffff
     slabd-bench 9 1.000010000: syscalls:sys_enter_sendto: fd: 0xb, buff: 0x1, len: 0x14, flags: 0x4000
     slabd-bench 9 1.000015000: syscalls:sys_enter_sendto: fd: 0xc, buff: 0x1, len: 0x14, flags: 0x4000
    slabd-worker 7 1.000050000: syscalls:sys_exit_epoll_wait: 0x2
     slabd-bench 9 1.000052000: syscalls:sys_enter_sendto: fd: 0xd, buff: 0x1, len: 0x14, flags: 0x4000
    slabd-worker 7 1.000055000: syscalls:sys_enter_writev: fd: 0x25, vec: 0x1, vlen: 0x1
     slabd-maint 8 1.000058000: syscalls:sys_enter_write: fd: 0x4, buf: 0x1, count: 0x8
    slabd-worker 7 1.000060000: syscalls:sys_enter_writev: fd: 0x26, vec: 0x1, vlen: 0x1
    slabd-worker 7 1.000070000: syscalls:sys_enter_epoll_wait: epfd: 0x3, events: 0x1, maxevents: 0x40, timeout: 0xffffffff
     slabd-bench 9 1.000100000: syscalls:sys_enter_sendto: fd: 0xb, buff: 0x1, len: 0x14, flags: 0x4000
    slabd-worker 7 1.000470000: syscalls:sys_exit_epoll_wait: 0x1
    slabd-worker 7 1.000474000: syscalls:sys_enter_writev: fd: 0x25, vec: 0x1, vlen: 0x1
    slabd-worker 7 1.000480000: syscalls:sys_enter_epoll_wait: epfd: 0x3, events: 0x1, maxevents: 0x40, timeout: 0xffffffff
"""


class WakeupsAnalysisTest(unittest.TestCase):
    def test_made_up_trace(self):
        a = load_wakeups().analyze(WAKEUPS_TRACE.splitlines(), "slabd-worker")
        self.assertEqual(a["replies"], 3)          # the other thread's write is not a reply
        self.assertEqual(a["wakes"], 2)            # a send while the worker is awake is none
        self.assertAlmostEqual(a["wake_p50_us"], 370, places=3)   # the upper of 40 and 370
        self.assertAlmostEqual(a["wake_p99_us"], 370, places=3)
        self.assertAlmostEqual(a["stalls_per_s"], 1 / 480e-6, places=3)   # 1 in 480 us
        self.assertAlmostEqual(a["replies_per_s"], 3 / 480e-6, places=3)
        self.assertAlmostEqual(a["busy_per_reply_us"], (20 + 10) / 3, places=3)
        self.assertEqual(sorted(a["reply_us"]), [1, 2])
        self.assertAlmostEqual(a["reply_us"][1], 4, places=3)
        self.assertAlmostEqual(a["reply_us"][2], 7.5, places=3)   # median of 5 and 10
        self.assertAlmostEqual(a["reply_share"][2], 2 / 3)

    def test_big_turns_share_a_bucket(self):
        lines = ["w 1 1.0: syscalls:sys_enter_epoll_wait: x",
                 "w 1 1.000100: syscalls:sys_exit_epoll_wait: 0x9",
                 "w 1 1.000103: syscalls:sys_enter_sendmsg: fd: 0x5",
                 "w 1 1.000110: syscalls:sys_enter_epoll_wait: x"]
        a = load_wakeups().analyze(lines, "w")
        self.assertEqual(list(a["reply_us"]), [5])
        self.assertAlmostEqual(a["reply_us"][5], 3, places=3)
        self.assertEqual(a["wakes"], 0)   # no send was seen while it slept

    def test_a_trace_that_starts_asleep(self):
        """Before the worker is seen entering epoll_wait, a send times no wake."""
        lines = ["d 2 1.0: syscalls:sys_enter_sendto: fd: 0xb",
                 "w 1 1.000100: syscalls:sys_exit_epoll_wait: 0x1",
                 "w 1 1.000103: syscalls:sys_enter_writev: fd: 0x5",
                 "w 1 1.000110: syscalls:sys_enter_epoll_wait: x"]
        a = load_wakeups().analyze(lines, "w", driver_comm="d")
        self.assertEqual((a["wakes"], a["replies"]), (0, 1))


@unittest.skipUnless(os.access(BENCH, os.X_OK), "slabd-bench not built (make slabd-bench)")
@unittest.skipUnless(os.access(MEMCACHED, os.X_OK), "memcached not installed (make test-deps)")
@unittest.skipUnless((os.cpu_count() or 1) >= 2 and shutil.which("taskset"),
                     "wakeups needs 2 CPUs and taskset")
@unittest.skipUnless(shutil.which("perf") and os.geteuid() == 0,
                     "wakeups needs perf (linux-perf) and root")
class WakeupsSmokeTest(unittest.TestCase):
    def test_one_rep(self):
        """One 1 s trace of each server: the table has both columns and saw replies."""
        slabd = os.environ.get("SLABD_BIN", os.path.join(REPO, "slabd"))
        stdout = run_bench_script(self, [WAKEUPS, "--reps", "1", "--seconds", "1",
                                         "--slabd", slabd, "--memcached", MEMCACHED,
                                         "--bench", BENCH])
        lines = stdout.splitlines()
        for kind in ("memcached", "slabd"):
            self.assertEqual(len([l for l in lines if l.startswith("  rep 1 %-9s wake p50 "
                                                                   % kind)]), 1, stdout)
        self.assertIn("medians of 1 runs at 20000 requests/s (1 s traces):", lines)
        busy = [l for l in lines if l.startswith("  busy per reply us ")]
        self.assertEqual(len(busy), 1, stdout)
        self.assertRegex(busy[0], r"^  busy per reply us +[0-9.]+ +[0-9.]+$")


if __name__ == "__main__":
    unittest.main()
