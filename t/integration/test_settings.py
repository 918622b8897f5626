#!/usr/bin/python3
"""`stats settings` reflects every option given on the command line, with memcached's names
and value formats (the same test passes against memcached 1.6.18)."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "lib"))

from client import Conn   # noqa: E402
from server import Server, free_port   # noqa: E402


class SettingsReflectOptionsTest(unittest.TestCase):
    def settings(self, args, **kw):
        srv = Server(args, **kw).start()
        try:
            c = Conn(srv.port)
            s = c.stats(b"settings")
            c.close()
            return s, srv.port
        finally:
            srv.stop()

    def test_every_option(self):
        udp = free_port()
        s, port = self.settings(["-m", "32", "-c", "99", "-U", str(udp), "-v", "-M",
                                 "-f", "1.5", "-n", "64", "-t", "3", "-R", "7", "-C",
                                 "-b", "55", "-B", "ascii", "-I", "2m", "-F", "-X", "-A",
                                 "-o", "hashpower=17,slab_chunk_max=262144,idle_timeout=9"])
        want = {
            "maxbytes": str(32 << 20), "maxconns": "99", "tcpport": str(port),
            "udpport": str(udp), "inter": "127.0.0.1", "verbosity": "1",
            "evictions": "off", "growth_factor": "1.50", "chunk_size": "64",
            "num_threads": "3", "num_threads_per_udp": "3", "reqs_per_event": "7",
            "cas_enabled": "no", "tcp_backlog": "55", "binding_protocol": "ascii",
            "item_size_max": str(2 << 20), "flush_enabled": "no", "dump_enabled": "no",
            "shutdown_command": "yes", "hashpower_init": "17",
            "slab_chunk_max": "262144", "idle_timeout": "9",
        }
        self.assertEqual({k: s.get(k) for k in want}, want)

    def test_defaults_where_options_are_absent(self):
        s, port = self.settings([])
        self.assertEqual((s["tcpport"], s["udpport"], s["binding_protocol"], s["evictions"],
                          s["cas_enabled"], s["flush_enabled"], s["shutdown_command"],
                          s["domain_socket"], s["auth_enabled_sasl"], s["auth_enabled_ascii"]),
                         (str(port), "0", "auto-negotiate", "on", "yes", "yes", "no", "NULL",
                          "no", "no"))


if __name__ == "__main__":
    unittest.main()
