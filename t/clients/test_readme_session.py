#!/usr/bin/python3
"""The nc session printed in README.md works as printed: every `$ printf ... | nc ...`
example in a sh code block is run against the server (its port substituted) and must print
exactly the lines that follow it in the README."""

import os
import re
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

from base import ServerTestCase   # noqa: E402
from server import REPO   # noqa: E402

NC = shutil.which("nc")


def readme_examples():
    """(command, expected output) for each `$ printf ... | nc ...` line in README.md."""
    with open(os.path.join(REPO, "README.md")) as f:
        text = f.read()
    examples = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        lines = block.splitlines()
        for i, line in enumerate(lines):
            if line.startswith("$ printf") and "| nc" in line:
                out = []
                for follow in lines[i + 1:]:
                    if follow.startswith("$ "):
                        break
                    out.append(follow)
                examples.append((line[2:], "\n".join(out) + "\n"))
    return examples


@unittest.skipUnless(NC, "nc not installed")
class ReadmeSessionTest(ServerTestCase):
    def test_examples_print_what_the_readme_says(self):
        examples = readme_examples()
        self.assertTrue(examples, "no nc example found in README.md")
        for cmd, expected in examples:
            with self.subTest(cmd=cmd):
                cmd = re.sub(r"\b11211\b", str(self.server.port), cmd)
                p = subprocess.run(["/bin/sh", "-c", cmd], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, timeout=20)
                self.assertEqual(p.stdout.decode().replace("\r\n", "\n"), expected, p.stderr)


if __name__ == "__main__":
    unittest.main()
