#!/usr/bin/python3
"""UDP transport (-U): framing, one message per response object, drops, exact bytes.

Every expectation here was checked against memcached 1.6.18
(`T_SERVER=memcached t/integration/run.py test_udp`). Each datagram starts with four
big-endian u16s: request id, sequence, total datagrams, reserved. A reply message is cut
into datagrams of at most 1400 bytes including that header.
"""

import os
import re
import socket
import struct
import subprocess
import time
import unittest

from base import ServerTestCase, set_cmd, is_memcached
from server import Server, binary_for, free_udp_port, server_kind


def free_tcp_and_udp_port():
    """A port number that is free for both TCP and UDP on 127.0.0.1 right now."""
    for _ in range(100):
        port = free_udp_port()
        t = socket.socket()
        try:
            t.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            t.close()
    raise RuntimeError("no port free for both TCP and UDP")

UDP_MAX = 1400
HDR = 8


def frame(payload, rid=7, seq=0, total=1, reserved=0):
    return struct.pack(">HHHH", rid, seq, total, reserved) + payload


def bin_request(opcode, key=b"", extras=b"", value=b"", opaque=0, cas=0):
    body = len(extras) + len(key) + len(value)
    return struct.pack(">BBHBBHIIQ", 0x80, opcode, len(key), len(extras), 0, 0, body,
                       opaque, cas) + extras + key + value


class UdpTestCase(ServerTestCase):
    """A ServerTestCase whose server also serves UDP; self.udp_exchange() talks to it."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server(cls.server_args, udp=True).start()
        cls.crashes = []

    def setUp(self):
        if not self.server.alive():
            type(self).server = Server(self.server_args, udp=True).start()
        super().setUp()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.addCleanup(self.sock.close)

    def send_datagram(self, data):
        self.sock.sendto(data, ("127.0.0.1", self.server.udp_port))

    def recv_datagrams(self, count, quiet=0.15):
        """`count` datagrams (5 s each), then assert nothing more arrives for `quiet` s."""
        got = []
        self.sock.settimeout(5.0)
        for _ in range(count):
            try:
                got.append(self.sock.recv(70000))
            except socket.timeout:
                self.fail("got %d of %d datagrams: %r" % (len(got), count, got))
        self.sock.settimeout(quiet)
        try:
            extra = self.sock.recv(70000)
            self.fail("unexpected extra datagram %r after %r" % (extra[:200], got))
        except socket.timeout:
            pass
        return got

    def udp_exchange(self, payload, count, rid=7, **kw):
        self.send_datagram(frame(payload, rid=rid, **kw))
        return self.recv_datagrams(count)

    def expect_udp(self, payload, replies, rid=7):
        """Each reply message is small: one datagram (rid, 0, 1, 0) + bytes; b"" is a bare
        header with total 0."""
        got = self.udp_exchange(payload, len(replies), rid=rid)
        want = [struct.pack(">HHHH", rid, 0, 1 if r else 0, 0) + r for r in replies]
        self.assertEqual(got, want)

    def assert_serving(self):
        self.expect_udp(b"version\r\n", [self.version_line()])

    def version_line(self):
        self.c.send(b"version\r\n")
        return self.c.recv_line()


class UdpCommandsTest(UdpTestCase):

    def test_set_then_get(self):
        self.expect_udp(b"set a 0 0 1\r\n1\r\n", [b"STORED\r\n"])
        self.expect_udp(b"get a\r\n", [b"VALUE a 0 1\r\n1\r\nEND\r\n"])
        self.assert_value(b"a", b"1")   # stored over UDP, read over TCP

    def test_miss_is_end(self):
        self.expect_udp(b"get zz\r\n", [b"END\r\n"])

    def test_gets_returns_the_cas_of_tcp(self):
        self.store(b"k", b"hello", flags=5)
        cas = self.gets_cas(b"k")
        self.expect_udp(b"gets k\r\n", [b"VALUE k 5 5 %d\r\nhello\r\nEND\r\n" % cas])

    def test_delete_and_incr(self):
        self.store(b"n", b"5")
        self.expect_udp(b"incr n 3\r\n", [b"8\r\n"])
        self.expect_udp(b"decr n 10\r\n", [b"0\r\n"])
        self.expect_udp(b"delete n\r\n", [b"DELETED\r\n"])
        self.expect_udp(b"delete n\r\n", [b"NOT_FOUND\r\n"])

    def test_meta_commands(self):
        self.expect_udp(b"ms m 2\r\nhi\r\n", [b"HD\r\n"])
        self.expect_udp(b"mg m v\r\n", [b"VA 2\r\nhi\r\n"])
        self.expect_udp(b"mg missing v\r\n", [b"EN\r\n"])
        self.expect_udp(b"mn\r\n", [b"MN\r\n"])
        # q suppresses the miss: that command sends nothing at all.
        self.expect_udp(b"mg missing v q\r\nmn\r\n", [b"MN\r\n"])

    def test_request_id_is_echoed_and_seq_reserved_ignored(self):
        got = self.udp_exchange(b"get zz\r\n", 1, rid=0xfffe, seq=5, reserved=0xabcd)
        self.assertEqual(got, [struct.pack(">HHHH", 0xfffe, 0, 1, 0) + b"END\r\n"])

    def test_noreply_sends_nothing(self):
        self.expect_udp(b"set q 0 0 1 noreply\r\n1\r\nget q\r\n",
                        [b"VALUE q 0 1\r\n1\r\nEND\r\n"])

    def test_quit_sends_a_bare_header_and_ends_the_datagram(self):
        self.expect_udp(b"quit\r\nversion\r\n", [b""])
        self.assert_serving()

    def test_text_errors(self):
        self.expect_udp(b"bogus\r\n", [b"ERROR\r\n"])
        self.expect_udp(b"\xff\xfe\r\n", [b"ERROR\r\n"])
        self.expect_udp(b"\r\n\r\nget zz\r\n", [b"ERROR\r\n", b"ERROR\r\n", b"END\r\n"])
        self.expect_udp(b"set a 0 0 1\r\n12\r\nget a\r\n",
                        [b"CLIENT_ERROR bad data chunk\r\n", b"ERROR\r\n", b"END\r\n"])


class UdpMessagesTest(UdpTestCase):
    """memcached sends one message per response object."""

    def test_multiget_one_message_per_key(self):
        self.store(b"a", b"1")
        value = b"VALUE a 0 1\r\n1\r\n"
        self.expect_udp(b"get a a\r\n", [value, value + b"END\r\n"])
        self.expect_udp(b"get a b a\r\n", [value, value + b"END\r\n"])

    def test_multiget_trailing_miss_sends_end_alone(self):
        self.store(b"a", b"1")
        self.expect_udp(b"get a b\r\n", [b"VALUE a 0 1\r\n1\r\n", b"END\r\n"])
        self.expect_udp(b"get a b b\r\n", [b"VALUE a 0 1\r\n1\r\n", b"END\r\n"])

    def test_multiget_leading_miss_sends_a_bare_header(self):
        # The missed key's empty response leads the queue: memcached sends it as a
        # header with total 0.
        self.store(b"a", b"1")
        self.expect_udp(b"get b a\r\n", [b"", b"VALUE a 0 1\r\n1\r\nEND\r\n"])
        self.expect_udp(b"get b b a\r\n", [b"", b"VALUE a 0 1\r\n1\r\nEND\r\n"])
        self.expect_udp(b"set x 0 0 1 noreply\r\n1\r\nget b a\r\n",
                        [b"", b"VALUE a 0 1\r\n1\r\nEND\r\n"])

    def test_gat_and_gets_multikey(self):
        self.store(b"a", b"1")
        self.expect_udp(b"gat 0 a a\r\n", [b"VALUE a 0 1\r\n1\r\n",
                                           b"VALUE a 0 1\r\n1\r\nEND\r\n"])

    def test_pipelined_commands_in_one_datagram(self):
        self.store(b"a", b"1")
        self.expect_udp(b"set b 0 0 2\r\nbb\r\nget b\r\ndelete b\r\nget a\r\n",
                        [b"STORED\r\n", b"VALUE b 0 2\r\nbb\r\nEND\r\n", b"DELETED\r\n",
                         b"VALUE a 0 1\r\n1\r\nEND\r\n"])

    def test_many_pipelined_commands_all_answered(self):
        v = self.version_line()
        self.expect_udp(b"version\r\n" * 25, [v] * 25)

    def test_3000_byte_value_is_three_datagrams(self):
        value = bytes((i * 7) % 251 for i in range(3000))
        self.expect_udp(set_cmd(b"big", value), [b"STORED\r\n"])   # stored over UDP
        got = self.udp_exchange(b"get big\r\n", 3)
        self.assertEqual([len(d) for d in got], [1400, 1400, 249])
        self.assertEqual([struct.unpack(">HHHH", d[:HDR]) for d in got],
                         [(7, 0, 3, 0), (7, 1, 3, 0), (7, 2, 3, 0)])
        self.assertEqual(b"".join(d[HDR:] for d in got),
                         b"VALUE big 0 3000\r\n" + value + b"\r\nEND\r\n")

    def test_large_value_over_tcp_read_over_udp(self):
        value = os.urandom(100 * 1024)
        self.store(b"huge", value)
        body = b"VALUE huge 0 %d\r\n" % len(value) + value + b"\r\nEND\r\n"
        n = (len(body) + UDP_MAX - HDR - 1) // (UDP_MAX - HDR)
        got = self.udp_exchange(b"get huge\r\n", n, rid=300)
        self.assertEqual([struct.unpack(">HHHH", d[:HDR]) for d in got],
                         [(300, i, n, 0) for i in range(n)])
        self.assertTrue(all(len(d) == UDP_MAX for d in got[:-1]))
        self.assertEqual(b"".join(d[HDR:] for d in got), body)

    def test_stats_is_one_message(self):
        self.send_datagram(frame(b"stats\r\n"))
        self.sock.settimeout(5.0)
        first = self.sock.recv(70000)
        total = struct.unpack(">HHHH", first[:HDR])[2]
        self.assertGreaterEqual(total, 2)   # over 1392 bytes, in both servers
        got = [first] + self.recv_datagrams(total - 1)
        self.assertEqual([struct.unpack(">HHHH", d[:HDR]) for d in got],
                         [(7, i, total, 0) for i in range(total)])
        self.assertEqual(len(got[0]), 1400)
        text = b"".join(d[HDR:] for d in got)
        self.assertTrue(text.endswith(b"END\r\n"))
        self.assertTrue(text.startswith(b"STAT pid "), text[:100])
        self.assertEqual(text.count(b"END\r\n"), 1)


class UdpBinaryTest(UdpTestCase):

    def test_binary_get(self):
        self.store(b"a", b"1")
        got = self.udp_exchange(bin_request(0x00, b"a", opaque=0xdeadbeef), 1)
        self.assertEqual(got, [frame(
            b"\x81\x00\x00\x00\x04\x00\x00\x00\x00\x00\x00\x05\xde\xad\xbe\xef"
            + got[0][HDR + 16:HDR + 24] + b"\x00\x00\x00\x00" + b"1")])

    def test_binary_getk_then_noop_are_two_messages(self):
        self.store(b"a", b"1")
        got = self.udp_exchange(bin_request(0x0c, b"a", opaque=1) + bin_request(0x0a, opaque=2),
                                2)
        self.assertEqual([struct.unpack(">HHHH", d[:HDR]) for d in got], [(7, 0, 1, 0)] * 2)
        self.assertEqual(got[0][HDR:HDR + 2], b"\x81\x0c")
        self.assertTrue(got[0].endswith(b"a1"))
        self.assertEqual(got[1][HDR:], b"\x81\x0a" + b"\x00" * 13 + b"\x02" + b"\x00" * 8)

    def test_binary_quiet_miss_leads_with_a_bare_header(self):
        got = self.udp_exchange(bin_request(0x09, b"zz", opaque=1) + bin_request(0x0a, opaque=2),
                                2)
        self.assertEqual(got[0], struct.pack(">HHHH", 7, 0, 0, 0))
        self.assertEqual(got[1][HDR:HDR + 2], b"\x81\x0a")

    def test_binary_set_over_udp(self):
        got = self.udp_exchange(bin_request(0x01, b"bk", extras=b"\x00" * 8, value=b"vv"), 1)
        self.assertEqual(got[0][HDR:HDR + 8], b"\x81\x01\x00\x00\x00\x00\x00\x00")
        self.assert_value(b"bk", b"vv")

    def test_binary_bad_magic_stops_after_earlier_replies(self):
        bad = b"\x81" + bin_request(0x0a)[1:]
        got = self.udp_exchange(bin_request(0x0a, opaque=3) + bad + bin_request(0x0a), 1)
        self.assertEqual(got[0][HDR:HDR + 2], b"\x81\x0a")
        self.assert_serving()

    def test_protocol_is_chosen_per_datagram(self):
        got = self.udp_exchange(bin_request(0x0b) + b"version\r\n", 1)
        self.assertEqual(got[0][HDR:HDR + 2], b"\x81\x0b")
        self.assert_serving()


class UdpMalformedTest(UdpTestCase):
    """Malformed frames are dropped silently (CVE-2022-48571 class); the server serves on."""

    def assert_dropped(self, datagram):
        self.send_datagram(datagram)
        self.recv_datagrams(0, quiet=0.3)
        self.assert_serving()

    def test_header_only_datagram_is_dropped(self):
        self.assert_dropped(frame(b""))

    def test_short_datagram_is_dropped(self):
        self.assert_dropped(b"\x00\x07\x00")
        self.assert_dropped(b"")

    def test_multi_datagram_requests_are_dropped(self):
        self.assert_dropped(frame(b"get a\r\n", total=2))
        self.assert_dropped(frame(b"get a\r\n", total=0))
        self.assert_dropped(frame(b"get a\r\n", seq=1, total=0xffff))

    def test_random_garbage_is_survived(self):
        for n in (1, 7, 9, 100, 1500):
            self.send_datagram(os.urandom(n))
        time.sleep(0.3)
        self.sock.settimeout(0.05)
        try:
            while self.sock.recv(70000):
                pass
        except socket.timeout:
            pass
        self.assert_serving()

    def test_incomplete_line_is_not_answered(self):
        self.expect_udp(b"version\r\nversio", [self.version_line()])


class UdpStatsTest(UdpTestCase):
    server_args = ["-t", "4"]

    def test_settings_report_udp(self):
        st = self.c.stats(b"settings")
        self.assertEqual(st["udpport"], str(self.server.udp_port))
        self.assertEqual(st["num_threads_per_udp"], "4")

    def test_udp_readers_count_as_connections(self):
        st = self.c.stats()
        self.assertEqual(st["curr_connections"], "5")   # listener + 4 UDP readers + us - 1
        raw = self.c.transact(b"stats conns\r\n")
        self.assertEqual(len(re.findall(rb"STAT \d+:UDP UDP\r\n", raw)), 4)
        self.assertEqual(len(re.findall(
            rb"STAT \d+:addr udp:127.0.0.1:%d\r\n" % self.server.udp_port, raw)), 4)

    def test_bytes_read_and_written_count_datagrams(self):
        before = self.c.stats()
        reply = self.version_line()
        self.expect_udp(b"version\r\n", [reply])
        after = self.c.stats()
        # TCP `stats` and `version` requests and replies are counted as well.
        tcp_in = len(b"stats\r\n") + len(b"version\r\n")
        self.assertEqual(int(after["bytes_read"]) - int(before["bytes_read"]),
                         tcp_in + HDR + len(b"version\r\n"))
        self.assertGreaterEqual(int(after["bytes_written"]) - int(before["bytes_written"]),
                                HDR + len(reply))


class UdpCutDataBlockTest(UdpTestCase):
    """A data block cut by the end of the datagram: memcached 1.6.18 sends none of the
    datagram's replies (its UDP conn then waits for the rest of the block and eats the
    next datagrams as data, which slabd does not copy)."""

    def test_cut_data_block_drops_the_datagram_replies(self):
        self.send_datagram(frame(b"version\r\nset a 0 0 10\r\n12"))
        self.recv_datagrams(0, quiet=0.3)
        if not is_memcached():
            self.assert_serving()
            self.expect_udp(b"set a 0 0 2000000\r\n", [])  # a block that cannot fit
            self.assert_serving()


class UdpOptionsTest(ServerTestCase):

    def test_udp_without_p_serves_tcp_on_the_udp_port(self):
        # The port must be free for TCP as well as UDP; another test (or anything else on
        # the machine) may take it between the check and the bind, so a server that exits
        # at start-up is retried on another port.
        for _attempt in range(5):
            port = free_tcp_and_udp_port()
            cmd = [binary_for(server_kind()), "-U", str(port), "-l", "127.0.0.1"]
            if os.geteuid() == 0:
                cmd += ["-u", "root"]
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            s = None
            deadline = time.monotonic() + 5
            while proc.poll() is None and time.monotonic() < deadline:
                try:
                    s = socket.create_connection(("127.0.0.1", port), timeout=1)
                    break
                except OSError:
                    time.sleep(0.05)
            if s is not None:
                break
            proc.terminate()
            proc.wait(10)
        else:
            self.fail("no TCP listener on the -U port")
        try:
            s.sendall(b"stats settings\r\n")
            data = b""
            while not data.endswith(b"END\r\n"):
                chunk = s.recv(65536)
                self.assertTrue(chunk)
                data += chunk
            s.close()
            self.assertIn(b"STAT tcpport %d\r\n" % port, data)
            self.assertIn(b"STAT udpport %d\r\n" % port, data)
        finally:
            proc.terminate()
            proc.wait(10)

    def test_udp_refused_with_sasl_and_ascii_auth(self):
        if is_memcached():
            self.skipTest("memcached's messages are checked in test_sasl/test_ascii_auth")
        for extra in (["-S"], ["-Y", "/dev/null"]):
            cmd = [binary_for(server_kind()), "-U", "11999", "-p", "0"] + extra
            r = subprocess.run(cmd, capture_output=True, timeout=10,
                               env=dict(os.environ, MEMCACHED_SASL_PWDB="/dev/null"))
            self.assertNotEqual(r.returncode, 0)
            self.assertIn(b"UDP", r.stderr)


class UdpOnlyTest(unittest.TestCase):
    """-p 0 turns TCP off: with -U the server answers over UDP only."""

    def test_udp_only(self):
        port = free_udp_port()
        cmd = [binary_for(server_kind()), "-p", "0", "-U", str(port), "-l", "127.0.0.1"]
        if os.geteuid() == 0:
            cmd += ["-u", "root"]
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.settimeout(0.5)
            reply = None
            for _ in range(40):   # until it serves
                s.sendto(struct.pack(">HHHH", 9, 0, 1, 0) + b"version\r\n", ("127.0.0.1", port))
                try:
                    reply = s.recvfrom(2000)[0]
                    break
                except socket.timeout:
                    continue
            s.close()
            self.assertEqual(reply, struct.pack(">HHHH", 9, 0, 1, 0) + b"VERSION 1.6.18\r\n")
            with self.assertRaises(ConnectionRefusedError):
                socket.create_connection(("127.0.0.1", port), timeout=2).close()
        finally:
            proc.terminate()
            proc.wait(10)
