#!/usr/bin/python3
"""One server per test module (and distinct server_args) instead of one per TestCase class.

memcached 1.6.18 takes about a second to stop, so modules with many small classes share a
server; every test still gets a freshly flushed one (ServerTestCase.setUp). Use:

    from shared_server import SharedServerCase, stop_shared_servers
    class FooTest(SharedServerCase): ...
    tearDownModule = stop_shared_servers
"""

from base import ServerTestCase
from server import Server

_shared_servers = {}


class SharedServerCase(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        key = tuple(cls.server_args)
        srv = _shared_servers.get(key)
        if srv is None or not srv.alive():
            srv = Server(cls.server_args).start()
            _shared_servers[key] = srv
        cls.server = srv
        cls.crashes = []

    @classmethod
    def tearDownClass(cls):
        srv = cls.server
        cls.server = None
        if srv is not None and srv is not _shared_servers.get(tuple(cls.server_args)):
            srv.stop(check=not cls.crashes)      # a replacement started after a crash


def stop_shared_servers():
    servers = list(_shared_servers.values())
    _shared_servers.clear()
    for srv in servers:
        srv.stop(check=True)
