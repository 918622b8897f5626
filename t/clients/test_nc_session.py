#!/usr/bin/python3
"""A telnet-style user session through netcat (netcat-openbsd): lines end in bare \\n."""

import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

from base import ServerTestCase   # noqa: E402

NC = shutil.which("nc") or "/usr/bin/nc"

SESSION = b"""set greeting 0 0 5
hello
get greeting
append greeting 0 0 6
 world
gets nothing
incr counter 1
set counter 0 0 1
9
incr counter 1
get counter greeting
delete greeting
get greeting
bogus
stats reset
version
quit
get never
"""

EXPECTED = b"""STORED\r
VALUE greeting 0 5\r
hello\r
END\r
STORED\r
END\r
NOT_FOUND\r
STORED\r
10\r
VALUE counter 0 2\r
10\r
VALUE greeting 0 11\r
hello world\r
END\r
DELETED\r
END\r
ERROR\r
RESET\r
VERSION 1.6.18\r
"""


@unittest.skipUnless(os.path.exists(NC), "nc not installed")
class NcSessionTest(ServerTestCase):
    def run_nc(self, data):
        # -N: shut down the socket after stdin EOF; the server closes on "quit"
        proc = subprocess.run([NC, "-N", "-w", "10", "127.0.0.1", str(self.server.port)],
                              input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=30)
        return proc.stdout

    def test_typed_session(self):
        # data lines typed in a terminal end in \\n too: the value line "hello\\n" is not a
        # valid data block terminator, so send value lines with \\r\\n as telnet would.
        session = SESSION.replace(b"hello\n", b"hello\r\n").replace(b" world\n", b" world\r\n")
        session = session.replace(b"\n9\n", b"\n9\r\n")
        self.assertEqual(self.run_nc(session), EXPECTED)

    def test_bare_newline_value_is_a_bad_chunk(self):
        out = self.run_nc(b"set k 0 0 2\nhi\nget k\nquit\n")
        # exactly 2+2 bytes ("hi\ng") are consumed; "et k" is then unknown
        self.assertEqual(out, b"CLIENT_ERROR bad data chunk\r\nERROR\r\n")

    def test_session_survives_typos(self):
        out = self.run_nc(b"gte k\n\nset k 0 0 x\nset k 0 0 1\nv\r\nget k\nquit\n")
        self.assertEqual(out, b"ERROR\r\nERROR\r\nCLIENT_ERROR bad command line format\r\n"
                              b"STORED\r\nVALUE k 0 1\r\nv\r\nEND\r\n")


if __name__ == "__main__":
    unittest.main()
