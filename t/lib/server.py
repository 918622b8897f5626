#!/usr/bin/python3
"""Start and stop the server under test (slabd or memcached 1.6.18) on a loopback port.

Which binary runs is chosen by the environment:
  SLABD_BIN   path to slabd (default: <repo>/slabd)
  T_SERVER    "slabd" (default) or "memcached" (runs /usr/bin/memcached, or $MEMCACHED_BIN)

Guarantees: a started server never outlives the Python process. Every Server has a hard
timeout (a timer SIGKILLs it), is registered with atexit, and stop() SIGTERMs, waits,
SIGKILLs if needed and asserts the process is gone. stop() also reports whether the server
died on its own before it was asked to stop, and (for slabd) whether it exited 0 on SIGTERM.
"""

import atexit
import os
import signal
import socket
import subprocess
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MEMCACHED_BIN = os.environ.get("MEMCACHED_BIN", "/usr/bin/memcached")
SLABD_BIN = os.environ.get("SLABD_BIN", os.path.join(REPO, "slabd"))

_live = set()


def server_kind():
    """'memcached' or 'slabd': the server the suite is pointed at."""
    kind = os.environ.get("T_SERVER", "slabd").strip().lower()
    if kind not in ("slabd", "memcached"):
        raise RuntimeError("T_SERVER must be 'slabd' or 'memcached', not %r" % kind)
    return kind


def is_memcached():
    return server_kind() == "memcached"


def is_slabd():
    return server_kind() == "slabd"


def binary_for(kind):
    return MEMCACHED_BIN if kind == "memcached" else SLABD_BIN


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def free_udp_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def _kill_all_at_exit():
    for srv in list(_live):
        try:
            srv.kill()
        except Exception:
            pass


atexit.register(_kill_all_at_exit)


class ServerError(Exception):
    pass


class Server:
    """One server process. Use as a context manager or call start()/stop().

    args: extra command-line options (memcached spelling), e.g. ["-m", "8", "-M"].
    env: extra environment variables for the server process, merged over os.environ
         (e.g. MEMCACHED_SASL_PWDB or SASL_CONF_PATH; see t/lib/sasl_setup.py).
    udp: serve UDP too, on a free port exposed as srv.udp_port (default: -U 0, off).
    """

    def __init__(self, args=(), kind=None, binary=None, hard_timeout=120.0,
                 listen="127.0.0.1", env=None, udp=False):
        self.kind = kind or server_kind()
        self.binary = binary or binary_for(self.kind)
        self.args = list(args)
        self.env = dict(env) if env else None
        self.hard_timeout = hard_timeout
        self.listen = listen
        self.proc = None
        self.port = None
        self.udp = udp
        self.udp_port = None
        self.died_early = None   # set by stop(): returncode if it had exited on its own
        self.exit_code = None
        self._timer = None
        self._stderr_path = None

    # ---- lifecycle -------------------------------------------------------------------

    def command(self, port):
        cmd = [self.binary, "-p", str(port), "-U", str(self.udp_port if self.udp else 0)]
        if self.listen:
            cmd += ["-l", self.listen]
        cmd += self.args
        # Both refuse to run as root without -u ("can't run as root without the -u switch").
        if os.geteuid() == 0 and "-u" not in self.args:
            cmd += ["-u", "root"]
        return cmd

    def start(self):
        if not os.path.exists(self.binary):
            raise ServerError("server binary not found: %s (set SLABD_BIN or T_SERVER=memcached)"
                              % self.binary)
        last_err = None
        for _attempt in range(5):
            port = free_port()
            if self.udp:
                self.udp_port = free_udp_port()
            try:
                self._spawn(port)
                return self
            except ServerError as e:     # port race or startup failure: retry a few times
                last_err = e
                self.kill()
        raise last_err

    def _spawn(self, port):
        import tempfile
        fd, self._stderr_path = tempfile.mkstemp(prefix="t-%s-" % self.kind, suffix=".log")
        self.port = port
        env = dict(os.environ, **self.env) if self.env else None
        self.proc = subprocess.Popen(self.command(port), stdin=subprocess.DEVNULL,
                                     stdout=fd, stderr=fd, close_fds=True, env=env)
        os.close(fd)
        _live.add(self)
        self._timer = threading.Timer(self.hard_timeout, self._hard_kill)
        self._timer.daemon = True
        self._timer.start()
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ServerError("server exited at startup (rc=%s): %s\n%s"
                                  % (self.proc.returncode, " ".join(self.command(port)),
                                     self.log()))
            try:
                s = socket.create_connection(("127.0.0.1", port), timeout=0.5)
                s.close()
                return
            except OSError:
                time.sleep(0.02)
        raise ServerError("server did not accept connections within 5 s: %s\n%s"
                          % (" ".join(self.command(port)), self.log()))

    def _hard_kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()

    def log(self):
        try:
            with open(self._stderr_path, "rb") as f:
                return f.read()[-4000:].decode("utf-8", "replace")
        except (OSError, TypeError):
            return ""

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self):
        """Unconditional SIGKILL and reap; used for cleanup paths."""
        if self._timer:
            self._timer.cancel()
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                pass
        _live.discard(self)
        self._cleanup_log()

    def _cleanup_log(self):
        if self._stderr_path:
            try:
                os.unlink(self._stderr_path)
            except OSError:
                pass
            self._stderr_path = None

    def stop(self, check=True):
        """SIGTERM, wait, SIGKILL if needed. With check, raise AssertionError if the server
        had died before stop() or (slabd only) did not exit 0 on SIGTERM."""
        if self.proc is None:
            return
        if self._timer:
            self._timer.cancel()
        log = self.log()
        problems = []
        if self.proc.poll() is not None:
            self.died_early = self.proc.returncode
            problems.append("server died during the test (rc=%s)" % self.proc.returncode)
        else:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                problems.append("server ignored SIGTERM for 10 s; killed")
                self.proc.kill()
                self.proc.wait(10)
            if self.kind == "slabd" and self.proc.returncode not in (0, None) \
                    and not problems:
                problems.append("slabd exited %s after SIGTERM (want 0)" % self.proc.returncode)
        self.exit_code = self.proc.returncode
        assert self.proc.poll() is not None, "server process still running"
        _live.discard(self)
        self._cleanup_log()
        if check and problems:
            raise AssertionError("; ".join(problems) + "\n--- server log ---\n" + log)

    def __enter__(self):
        return self.start()

    def __exit__(self, exc_type, exc, tb):
        # Never mask the test's own exception with a stop() failure.
        self.stop(check=exc_type is None)
        return False

    # ---- helpers ---------------------------------------------------------------------

    def pid(self):
        return self.proc.pid

    def rss_kb(self):
        """VmRSS of the server in KiB (from /proc/PID/status)."""
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def connect(self, timeout=5.0):
        from client import Conn   # local import keeps server.py usable on its own
        return Conn(self.port, timeout=timeout)
