#!/usr/bin/python3
"""-l: a comma list of addresses, IPv6 in brackets, each serving (memcached's syntax);
`stats settings` shows the list as given."""

import os
import socket
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "lib"))

from server import Server   # noqa: E402


def has_ipv6_loopback():
    try:
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.bind(("::1", 0))
        s.close()
        return True
    except OSError:
        return False


def ask(family, host, port, line):
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.settimeout(5)
        s.connect((host, port))
        s.sendall(line)
        out = b""
        while not out.endswith(b"\r\n") or (line.startswith(b"stats") and
                                            not out.endswith(b"END\r\n")):
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
        return out


@unittest.skipUnless(has_ipv6_loopback(), "no IPv6 loopback here")
class ListenListTest(unittest.TestCase):
    def test_ipv4_and_ipv6_addresses(self):
        srv = Server([], listen="127.0.0.1,[::1]").start()
        try:
            self.assertEqual(ask(socket.AF_INET, "127.0.0.1", srv.port, b"version\r\n"),
                             b"VERSION 1.6.18\r\n")
            self.assertEqual(ask(socket.AF_INET6, "::1", srv.port, b"version\r\n"),
                             b"VERSION 1.6.18\r\n")
            settings = ask(socket.AF_INET6, "::1", srv.port, b"stats settings\r\n")
            self.assertIn(b"STAT inter 127.0.0.1,[::1]\r\n", settings)
        finally:
            srv.stop()


if __name__ == "__main__":
    unittest.main()
