#!/usr/bin/python3
"""SASL (binary protocol, mechanism PLAIN) for the server under test.

    args, env = sasl_server_config("memcached", "user", "secret")
    srv = Server(args, env=env).start()

slabd and memcached 1.6.18 read their accounts from different places:

  slabd      -S, and MEMCACHED_SASL_PWDB names a file in memcached's sasl-pwdb format
             (one "user:password" a line).
  memcached  Debian's 1.6.18 is built with Cyrus SASL and without sasl-pwdb, so it gets
             a Cyrus config instead: SASL_CONF_PATH=<dir> with <dir>/memcached.conf
             ("mech_list: plain", "sasldb_path: <dir>/sasldb2") and the accounts in that
             sasldb, written by saslpasswd2 (Debian sasl2-bin) for the realm memcached
             uses, which is gethostname(). Cyrus' PLAIN server plugin is in
             libsasl2-modules, its sasldb plugin in libsasl2-modules-db.

Either way the server offers the single mechanism PLAIN and, with -S, answers only the
binary protocol. The files live in a temporary directory that is removed at exit (or by
cleanup_sasl_config(env)).

SaslServerTestCase is a ServerTestCase whose server runs with -S and these accounts:
its setUp does not flush (under -S the text protocol gets no service) and a server restarted
after a crash gets the same environment.
"""

import atexit
import os
import shutil
import socket
import subprocess
import tempfile
import unittest

from base import ServerTestCase
from server import Server, server_kind

DEFAULT_USER = "slabduser"
DEFAULT_PASSWORD = "s3cret-Pa55"
SASLPASSWD2 = "/usr/sbin/saslpasswd2"

_dirs = set()


def _remove_dirs():
    for d in list(_dirs):
        shutil.rmtree(d, ignore_errors=True)
        _dirs.discard(d)


atexit.register(_remove_dirs)


def sasl_available(kind=None):
    """(ok, reason): whether sasl_server_config can work for this server kind."""
    kind = kind or server_kind()
    if kind == "memcached":
        if not os.access(SASLPASSWD2, os.X_OK):
            return False, "%s missing (Debian package sasl2-bin)" % SASLPASSWD2
    return True, ""


def sasl_server_config(kind=None, user=DEFAULT_USER, password=DEFAULT_PASSWORD,
                       extra_users=None):
    """Return (server_args, env) that start `kind` ("slabd" or "memcached"; default: the
    server under test) with SASL on and the account user/password (plus extra_users, a
    dict user -> password). Pass them as Server(server_args, env=env)."""
    kind = kind or server_kind()
    users = {user: password}
    users.update(extra_users or {})
    for u, p in users.items():
        if not u or ":" in u or "\n" in u or "\n" in p or "\0" in u + p:
            raise ValueError("unusable SASL account %r/%r" % (u, p))
    d = tempfile.mkdtemp(prefix="t-sasl-")
    _dirs.add(d)
    if kind == "slabd":
        path = os.path.join(d, "sasl-pwdb")
        with open(path, "w") as f:
            for u, p in users.items():
                f.write("%s:%s\n" % (u, p))
        return ["-S"], {"MEMCACHED_SASL_PWDB": path}
    if kind != "memcached":
        raise ValueError("unknown server kind %r" % kind)
    db = os.path.join(d, "sasldb2")
    with open(os.path.join(d, "memcached.conf"), "w") as f:
        f.write("mech_list: plain\nsasldb_path: %s\n" % db)
    realm = socket.gethostname()
    for u, p in users.items():
        # -p: password from stdin, no newline stripping needed; -c: create; -a: app name
        subprocess.run([SASLPASSWD2, "-a", "memcached", "-c", "-f", db, "-u", realm, "-p", u],
                       input=p.encode(), check=True, timeout=30,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return ["-S"], {"SASL_CONF_PATH": d}


def cleanup_sasl_config(env):
    """Remove the files made for one sasl_server_config() result (optional)."""
    env = env or {}
    d = env.get("SASL_CONF_PATH") or os.path.dirname(env.get("MEMCACHED_SASL_PWDB", ""))
    if d and d in _dirs:
        shutil.rmtree(d, ignore_errors=True)
        _dirs.discard(d)


class SaslServerTestCase(ServerTestCase):
    """One SASL-enabled server per class (see module doc). Accounts: sasl_user /
    sasl_password, plus sasl_extra_users."""
    sasl_user = DEFAULT_USER
    sasl_password = DEFAULT_PASSWORD
    sasl_extra_users = None
    extra_server_args = []
    flush_between_tests = False     # flush_all is a text command; -S serves binary only
    server_env = None

    @classmethod
    def setUpClass(cls):
        ok, why = sasl_available()
        if not ok:
            raise unittest.SkipTest(why)
        args, cls.server_env = sasl_server_config(None, cls.sasl_user, cls.sasl_password,
                                                  cls.sasl_extra_users)
        cls.server_args = args + list(cls.extra_server_args)
        cls.server = Server(cls.server_args, env=cls.server_env).start()
        cls.crashes = []

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            cleanup_sasl_config(cls.server_env)

    def setUp(self):
        if not self.server.alive():
            type(self).server = Server(self.server_args, env=self.server_env).start()
        super().setUp()
