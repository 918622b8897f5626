#!/usr/bin/python3
"""Operations: the systemd unit, sd_notify, `--config FILE` in Debian's memcached.conf format,
and `make install` / `make uninstall`.

slabd only (skipped under T_SERVER=memcached): memcached has no --config and no sd_notify.
"""

import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "lib"))

from client import Conn   # noqa: E402
from server import REPO, SLABD_BIN, Server, free_port, is_memcached   # noqa: E402

DEBIAN_CONF = "/usr/share/memcached/memcached.conf.default"
EX_CONFIG = 78


def skip_unless_slabd(cls):
    return unittest.skipIf(is_memcached(), "slabd-only: --config, sd_notify, packaging")(cls)


def user_args():
    """-u for the current user: slabd started as root refuses to run without -u."""
    return ["-u", pwd.getpwuid(os.geteuid()).pw_name]


def wait_for_port(port, proc, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError("slabd exited at startup (rc=%s)" % proc.returncode)
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.02)
    raise AssertionError("slabd did not listen on %d within %.0f s" % (port, timeout))


def stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            return proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise AssertionError("slabd did not exit within 10 s of SIGTERM")
    return proc.returncode


@skip_unless_slabd
class UnitFileTest(unittest.TestCase):
    """`systemd-analyze verify` on scripts/slabd.service prints nothing. The unit is checked
    as installed: ExecStart pointed at the binary under test (make install rewrites it to
    $(bindir)/slabd) and the man page on MANPATH for Documentation=man:slabd(1)."""

    def test_unit_verifies_clean(self):
        analyze = shutil.which("systemd-analyze")
        if analyze is None:
            self.skipTest("systemd-analyze not installed (Debian package systemd)")
        with tempfile.TemporaryDirectory() as tmp:
            os.makedirs(os.path.join(tmp, "man", "man1"))
            shutil.copy(os.path.join(REPO, "man", "slabd.1"), os.path.join(tmp, "man", "man1"))
            with open(os.path.join(REPO, "scripts", "slabd.service")) as f:
                unit = f.read()
            self.assertIn("ExecStart=/usr/local/bin/slabd --config /etc/slabd.conf", unit)
            unit = unit.replace("/usr/local/bin/slabd", os.path.abspath(SLABD_BIN))
            path = os.path.join(tmp, "slabd.service")
            with open(path, "w") as f:
                f.write(unit)
            r = subprocess.run([analyze, "verify", path], capture_output=True, text=True,
                               timeout=60, env=dict(os.environ, MANPATH=os.path.join(tmp, "man")))
            out = (r.stdout + r.stderr).strip()
            if r.returncode != 0 and re.search(r"not been booted with systemd|Failed to connect "
                                               r"to bus|Operation not permitted", out):
                self.skipTest("systemd-analyze cannot run in this container: " + out)
            self.assertEqual((r.returncode, out), (0, ""))

    def test_unit_has_the_promised_settings(self):
        with open(os.path.join(REPO, "scripts", "slabd.service")) as f:
            settings = dict(line.split("=", 1) for line in f.read().splitlines()
                            if "=" in line and not line.startswith("#"))
        for key, value in [("Type", "notify"), ("Restart", "on-failure"),
                           ("NoNewPrivileges", "true"), ("ProtectSystem", "strict"),
                           ("PrivateTmp", "true"), ("PrivateDevices", "true"),
                           ("ProtectHome", "true"), ("MemoryDenyWriteExecute", "true"),
                           ("RestrictAddressFamilies", "AF_INET AF_INET6 AF_UNIX"),
                           ("CapabilityBoundingSet", "CAP_SETGID CAP_SETUID CAP_SYS_RESOURCE")]:
            self.assertEqual(settings.get(key), value, key)
        self.assertIn("LimitNOFILE", settings)


@skip_unless_slabd
class NotifyTest(unittest.TestCase):
    """With NOTIFY_SOCKET set slabd sends READY=1 and STATUS= once it accepts connections, and
    STOPPING=1 on SIGTERM."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="slabd-notify-")
        self.sock_path = os.path.join(self.tmp, "notify")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.sock_path)
        self.sock.settimeout(5)
        self.proc = None

    def tearDown(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.sock.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def start(self, *args):
        port = free_port()
        self.proc = subprocess.Popen(
            [SLABD_BIN, "-p", str(port), "-U", "0", "-l", "127.0.0.1", "-t", "3", "-m", "16"]
            + user_args() + list(args),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            env=dict(os.environ, NOTIFY_SOCKET=self.sock_path))
        return port

    def receive(self):
        try:
            return self.sock.recv(4096).decode()
        except socket.timeout:
            self.fail("no notification within 5 s (slabd rc=%s)" % self.proc.poll())

    def test_ready_with_status_then_stopping_on_sigterm(self):
        port = self.start()
        msg = self.receive()
        self.assertEqual(msg.split("\n"),
                         ["READY=1", "STATUS=serving 127.0.0.1:%d, 3 threads, 16 MB" % port])
        # READY means serving: the first connection is answered at once.
        c = Conn(port, timeout=5)
        c.expect(b"version\r\n", b"VERSION 1.6.18\r\n")
        c.close()
        self.proc.send_signal(signal.SIGTERM)
        self.assertEqual(self.receive().split("\n"), ["STOPPING=1", "STATUS=stopping"])
        # A second SIGTERM while it stops (systemctl stop twice) must not kill it either.
        self.proc.send_signal(signal.SIGTERM)
        self.assertEqual(self.proc.wait(10), 0)

    def test_stopping_on_sigint_and_sigusr1(self):
        for sig in (signal.SIGINT, signal.SIGUSR1):
            self.start()
            self.assertTrue(self.receive().startswith("READY=1\n"))
            self.proc.send_signal(sig)
            self.assertTrue(self.receive().startswith("STOPPING=1\n"), sig)
            self.assertEqual(self.proc.wait(10), 0)

    def test_stopping_on_shutdown_command(self):
        port = self.start("-A")
        self.assertTrue(self.receive().startswith("READY=1\n"))
        c = Conn(port, timeout=5)
        c.send(b"shutdown\r\n")
        self.assertTrue(self.receive().startswith("STOPPING=1\n"))
        c.close()
        self.assertEqual(self.proc.wait(10), 0)

    def test_no_ready_when_startup_fails(self):
        blocker = socket.socket()
        blocker.bind(("127.0.0.1", 0))
        blocker.listen(1)
        try:
            self.proc = subprocess.Popen(
                [SLABD_BIN, "-p", str(blocker.getsockname()[1]), "-U", "0", "-l", "127.0.0.1"]
                + user_args(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, env=dict(os.environ, NOTIFY_SOCKET=self.sock_path))
            self.assertNotEqual(self.proc.wait(10), 0)
        finally:
            blocker.close()
        self.sock.settimeout(0.2)
        with self.assertRaises(socket.timeout):
            self.sock.recv(4096)


@skip_unless_slabd
class ConfigFileTest(unittest.TestCase):
    """--config FILE reads Debian's memcached.conf format; the command line wins."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="slabd-config-")
        self.procs = []

    def tearDown(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def write(self, text, name="slabd.conf"):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def spawn(self, args):
        p = subprocess.Popen([SLABD_BIN] + args, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.procs.append(p)
        return p

    def debian_conf(self, port):
        """Debian's shipped file with only the paths, port and user changed for the test."""
        if not os.path.exists(DEBIAN_CONF):
            self.skipTest(DEBIAN_CONF + " missing (Debian package memcached)")
        with open(DEBIAN_CONF) as f:
            text = f.read()
        self.log_path = os.path.join(self.tmp, "memcached.log")
        self.pid_path = os.path.join(self.tmp, "memcached.pid")
        subs = [("logfile /var/log/memcached.log", "logfile " + self.log_path),
                ("-p 11211", "-p %d" % port),
                ("-u memcache", " ".join(user_args())),
                ("-P /var/run/memcached/memcached.pid", "-P " + self.pid_path),
                ("# -vv", "-vv")]
        for old, new in subs:
            self.assertEqual(text.count("\n" + old + "\n"), 1, old)
            text = text.replace("\n" + old + "\n", "\n" + new + "\n")
        return self.write(text, "memcached.conf")

    def test_debian_memcached_conf_starts_serves_and_logs(self):
        port = free_port()
        proc = self.spawn(["--config", self.debian_conf(port)])
        wait_for_port(port, proc)   # the file's -p; its -d is ignored: still our child
        c = Conn(port, timeout=5)
        c.expect(b"set logged 0 0 2\r\nhi\r\n", b"STORED\r\n")
        settings = c.stats(b"settings")
        c.close()
        self.assertEqual(settings["maxbytes"], str(64 << 20))
        self.assertEqual(settings["inter"], "127.0.0.1")
        with open(self.pid_path) as f:
            self.assertEqual(f.read().strip(), str(proc.pid))
        self.assertEqual(stop(proc), 0)
        self.assertEqual(proc.stderr.read(), b"")   # everything went to the logfile
        with open(self.log_path) as f:
            log = f.read()
        self.assertIn("set logged 0 0 2", log)      # -vv from the file, into the logfile

    def test_logfile_is_appended_not_truncated(self):
        log = os.path.join(self.tmp, "slabd.log")
        with open(log, "w") as f:
            f.write("earlier line\n")
        port = free_port()
        proc = self.spawn(["--config", self.write("logfile %s\n-v\n" % log), "-p", str(port),
                           "-U", "0", "-l", "127.0.0.1"] + user_args())
        wait_for_port(port, proc)
        self.assertEqual(stop(proc), 0)
        with open(log) as f:
            text = f.read()
        self.assertTrue(text.startswith("earlier line\n"), text)
        self.assertIn("listening on 127.0.0.1:%d" % port, text)

    def test_sighup_reopens_the_logfile(self):
        """logrotate moves the file away and sends SIGHUP: logging goes on in a new file."""
        log = os.path.join(self.tmp, "slabd.log")
        port = free_port()
        proc = self.spawn(["--config", self.write("logfile %s\n-vv\n" % log), "-p", str(port),
                           "-U", "0", "-l", "127.0.0.1"] + user_args())
        wait_for_port(port, proc)
        os.rename(log, log + ".1")
        proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 5
        while not os.path.exists(log) and time.monotonic() < deadline:
            time.sleep(0.05)
        c = Conn(port, timeout=5)
        c.expect(b"set after_rotation 0 0 2\r\nhi\r\n", b"STORED\r\n")
        c.close()
        self.assertEqual(stop(proc), 0)
        with open(log) as f:
            self.assertIn("set after_rotation 0 0 2", f.read())
        with open(log + ".1") as f:
            self.assertNotIn("after_rotation", f.read())

    def test_command_line_wins_over_file(self):
        conf = self.write("# comment\n\n-m 32   # trailing comment\n-t 2\n--conn-limit=77\n"
                          "-o hashpower=20\n")
        srv = Server(["--config", conf, "-m", "16", "-o", "slab_chunk_max=262144"]
                     + user_args()).start()
        try:
            c = Conn(srv.port, timeout=5)
            settings = c.stats(b"settings")
            c.close()
            self.assertEqual(settings["maxbytes"], str(16 << 20))   # command line
            self.assertEqual(settings["num_threads"], "2")          # file
            self.assertEqual(settings["maxconns"], "77")            # file, long spelling
            # -o in both: every sub-option applies, as memcached applies each -o.
            self.assertEqual(settings["hashpower_init"], "20")
            self.assertEqual(settings["slab_chunk_max"], str(256 * 1024))
        finally:
            srv.stop()

    def assert_refused(self, text, message):
        conf = self.write(text)
        proc = self.spawn(["--config", conf, "-p", str(free_port())] + user_args())
        out, err = proc.communicate(timeout=10)
        self.assertEqual((proc.returncode, out, err.decode()),
                         (EX_CONFIG, b"", "slabd: %s:%s\n" % (conf, message)))

    def test_unknown_short_option_names_file_and_line(self):
        self.assert_refused("-m 64\n# fine\n-z\n", "3: invalid option -- 'z'")

    def test_unknown_long_option(self):
        self.assert_refused("--no-such-thing=1\n", "1: unknown option --no_such_thing")

    def test_unknown_directive(self):
        self.assert_refused("-m 64\nmaxmemory 64\n",
                            "2: unknown directive 'maxmemory' (expected an option such as -m 64)")

    def test_bad_value(self):
        self.assert_refused("-p 11211\n-m lots\n", "2: invalid value for --memory_limit: lots")

    def test_missing_value(self):
        self.assert_refused("-m\n", "1: option requires an argument -- 'm'")

    def test_missing_file(self):
        path = os.path.join(self.tmp, "absent.conf")
        proc = self.spawn(["--config", path])
        out, err = proc.communicate(timeout=10)
        self.assertEqual((proc.returncode, err.decode()),
                         (EX_CONFIG, "slabd: cannot read config file %s: No such file or "
                                     "directory\n" % path))

    def test_unwritable_logfile_is_a_startup_error(self):
        log = os.path.join(self.tmp, "no-such-dir", "slabd.log")
        proc = self.spawn(["--config", self.write("logfile %s\n" % log), "-p",
                           str(free_port())] + user_args())
        out, err = proc.communicate(timeout=10)
        self.assertEqual((proc.returncode, err.decode()),
                         (73, "slabd: cannot open log file %s: No such file or directory\n"
                          % log))


@skip_unless_slabd
class InstallTest(unittest.TestCase):
    """make install DESTDIR=... then make uninstall with the same variables leaves no file."""

    EXPECTED = ["{bin}/slabd", "{share}/man/man1/slabd.1", "{lib}/systemd/system/slabd.service",
                "{lib}/tmpfiles.d/slabd.conf", "{lib}/sysusers.d/slabd.conf",
                "{share}/doc/slabd/slabd.conf"]

    def build_name(self):
        """The BUILD= whose $(OUT)/slabd is the binary under test."""
        binary = os.path.realpath(SLABD_BIN)
        build = os.path.join(os.path.realpath(REPO), "build")
        if os.path.dirname(os.path.dirname(binary)) == build:
            return os.path.basename(os.path.dirname(binary))
        if binary == os.path.join(os.path.realpath(REPO), "slabd"):
            return "release"
        self.skipTest("SLABD_BIN is not a build of this tree: " + binary)

    def make(self, *args):
        build = self.build_name()
        # -o: install the binary as built; never rebuild it from the test.
        r = subprocess.run(["make", "-s", "-C", REPO, "BUILD=" + build,
                            "-o", "build/%s/slabd" % build] + list(args),
                           capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    @staticmethod
    def files_under(root):
        return sorted(os.path.relpath(os.path.join(d, f), root)
                      for d, _, names in os.walk(root) for f in names)

    def check_round_trip(self, prefix, extra):
        with tempfile.TemporaryDirectory() as dest:
            self.make("install", "DESTDIR=" + dest, *extra)
            p = prefix.lstrip("/")
            want = sorted(e.format(bin=p + "/bin", share=p + "/share", lib=p + "/lib")
                          for e in self.EXPECTED)
            self.assertEqual(self.files_under(dest), want)
            unit = os.path.join(dest, p, "lib/systemd/system/slabd.service")
            with open(unit) as f:
                self.assertIn("ExecStart=%s/bin/slabd --config /etc/slabd.conf" % prefix,
                              f.read())
            self.assertTrue(os.access(os.path.join(dest, p, "bin/slabd"), os.X_OK))
            self.make("uninstall", "DESTDIR=" + dest, *extra)
            self.assertEqual(self.files_under(dest), [])
            self.assertFalse(os.path.exists(os.path.join(dest, p, "share/doc/slabd")))

    def test_install_then_uninstall_default_prefix(self):
        self.check_round_trip("/usr/local", [])

    def test_install_then_uninstall_with_prefix(self):
        self.check_round_trip("/usr", ["PREFIX=/usr"])


if __name__ == "__main__":
    unittest.main()
