#!/usr/bin/python3
"""The man page documents every option `slabd -h` lists, and renders cleanly with man -l."""

import os
import re
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "lib"))

from server import REPO, SLABD_BIN, is_slabd   # noqa: E402

MAN = os.path.join(REPO, "man", "slabd.1")
OPTION = re.compile(r"^(?:-(\w), )?(?:\s*--([\w-]+))?")


def help_options():
    out = subprocess.run([SLABD_BIN, "-h"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         timeout=10).stdout.decode()
    opts = []
    for line in out.splitlines():
        m = re.match(r"^\s*(-\w)?(?:, )?\s*(--[\w-]+)?", line)
        if m and (m.group(1) or m.group(2)):
            opts.append((m.group(1), m.group(2)))
    return opts


def roff_escape(opt):
    return opt.replace("-", "\\-")


@unittest.skipUnless(is_slabd() and os.path.exists(SLABD_BIN), "slabd only")
class ManPageTest(unittest.TestCase):
    def test_every_help_option_is_documented(self):
        with open(MAN) as f:
            man = f.read()
        opts = help_options()
        self.assertGreater(len(opts), 30, opts)
        missing = []
        for short, long in opts:
            for opt in (short, long):
                if opt and roff_escape(opt) not in man:
                    missing.append(opt)
        self.assertEqual(missing, [], "options in slabd -h but not in man/slabd.1")

    @unittest.skipUnless(shutil.which("man"), "man not installed")
    def test_renders_without_warnings(self):
        p = subprocess.run(["man", "--warnings", "-l", MAN], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=30,
                           env=dict(os.environ, MANWIDTH="80", MANPAGER="cat", PAGER="cat"))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr.decode().strip(), "", p.stderr)
        text = p.stdout.decode()
        for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "SIGNALS", "FILES",
                        "EXAMPLES", "SEE ALSO"):
            self.assertIn(section, text)


if __name__ == "__main__":
    unittest.main()
