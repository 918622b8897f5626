#!/usr/bin/python3
"""stats, stats settings/items/slabs/reset/detail: format, counters, exporter compatibility."""

import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

from base import ServerTestCase, set_cmd, is_memcached   # noqa: E402

STAT_LINE = re.compile(rb"STAT [^ \r\n]+ [^ \r\n]+\r\n")
SLAB_KEY = re.compile(r"(\d+):([a-z_]+)$")
ITEM_KEY = re.compile(r"items:(\d+):([a-z_]+)$")

# First keys of `stats`, in 1.6.18's order (the rest of the list is checked differentially).
STATS_HEAD = ["pid", "uptime", "time", "version", "libevent", "pointer_size", "rusage_user",
              "rusage_system", "max_connections", "curr_connections", "total_connections",
              "rejected_connections", "connection_structures"]
COUNTERS = ["cmd_get", "cmd_set", "cmd_flush", "cmd_touch", "get_hits", "get_misses",
            "get_expired", "get_flushed", "delete_misses", "delete_hits", "incr_misses",
            "incr_hits", "decr_misses", "decr_hits", "cas_misses", "cas_hits", "cas_badval",
            "touch_hits", "touch_misses", "store_too_large", "store_no_memory"]
EXPORTER_REQUIRED = ["cmd_set", "cas_misses", "cas_hits", "cas_badval"]
SLAB_REQUIRED = ["chunk_size", "chunks_per_page", "total_pages", "total_chunks", "used_chunks",
                 "free_chunks", "free_chunks_end", "get_hits", "cmd_set", "delete_hits",
                 "incr_hits", "decr_hits", "cas_hits", "cas_badval", "touch_hits"]
# The keys memcached prints per class with its LRU maintainer off (`-o
# no_lru_maintainer`), which is the LRU slabd has; the segmented-LRU keys
# (number_hot, age_warm, moves_*, hits_to_*) appear only with the maintainer on.
ITEMS_REQUIRED = ["number", "age", "mem_requested", "evicted", "evicted_nonzero",
                  "evicted_time", "outofmemory", "tailrepairs", "reclaimed",
                  "expired_unfetched", "evicted_unfetched", "crawler_reclaimed",
                  "crawler_items_checked", "lrutail_reflocked"]


class StatsTest(ServerTestCase):
    server_args = ["-m", "64", "-t", "4", "-c", "1024"]

    def raw_stats(self, sub=b""):
        self.c.send(b"stats" + (b" " + sub if sub else b"") + b"\r\n")
        raw, pairs = self.c.read_stats()
        return raw, pairs

    def assert_exporter_parsable(self, raw):
        lines = raw.split(b"\r\n")
        self.assertEqual(lines[-2:], [b"END", b""])
        for line in lines[:-2]:
            self.assertTrue(STAT_LINE.fullmatch(line + b"\r\n"), line)

    def test_general_stats_format(self):
        raw, pairs = self.raw_stats()
        self.assert_exporter_parsable(raw)
        names = [k for k, _ in pairs]
        self.assertEqual(names[:len(STATS_HEAD)], STATS_HEAD)
        self.assertEqual(len(names), len(set(names)), "duplicate keys")
        stats = dict(pairs)
        for key in COUNTERS + EXPORTER_REQUIRED + ["bytes", "curr_items", "total_items",
                                                    "evictions", "limit_maxbytes",
                                                    "threads", "bytes_read", "bytes_written"]:
            self.assertIn(key, stats)
        for key, value in pairs:
            if key in ("version", "libevent"):
                continue
            float(value)                        # exporter: every value parses as a float
        for key in ("rusage_user", "rusage_system"):
            self.assertRegex(stats[key], r"^\d+\.\d{6}$")
        self.assertEqual(stats["version"], "1.6.18")
        self.assertEqual(stats["pid"], str(self.server.pid()))
        self.assertEqual(stats["pointer_size"], "64")
        self.assertEqual(stats["limit_maxbytes"], str(64 * 1024 * 1024))
        self.assertEqual(stats["threads"], "4")
        self.assertEqual(stats["max_connections"], "1024")

    def test_counters(self):
        c = self.c
        c.expect(b"stats reset\r\n", b"RESET\r\n")
        c.expect(set_cmd(b"a", b"1"), b"STORED\r\n")
        c.expect(set_cmd(b"a", b"2", cmd=b"add"), b"NOT_STORED\r\n")
        c.expect(b"get a nope\r\n", b"VALUE a 0 1\r\n1\r\nEND\r\n")
        c.expect(b"delete nope\r\n", b"NOT_FOUND\r\n")
        c.expect(b"incr a 1\r\n", b"2\r\n")
        c.expect(b"incr nope 1\r\n", b"NOT_FOUND\r\n")
        c.expect(b"decr a 1\r\n", b"1\r\n")
        c.expect(b"decr nope 1\r\n", b"NOT_FOUND\r\n")
        c.expect(b"touch a 0\r\n", b"TOUCHED\r\n")
        c.expect(b"touch nope 0\r\n", b"NOT_FOUND\r\n")
        c.expect(b"gat 0 a nope\r\n", b"VALUE a 0 1\r\n1\r\nEND\r\n")
        c.expect(b"cas nope 0 0 1 1\r\nx\r\n", b"NOT_FOUND\r\n")
        c.expect(b"cas a 0 0 1 1\r\nx\r\n", b"EXISTS\r\n")
        cas = self.gets_cas(b"a")
        c.expect(b"cas a 0 0 1 %d\r\nx\r\n" % cas, b"STORED\r\n")
        c.expect(b"delete a\r\n", b"DELETED\r\n")
        c.expect(b"flush_all\r\n", b"OK\r\n")
        big = 2 * 1024 * 1024
        c.expect(b"set big 0 0 %d\r\n" % big + b"b" * big + b"\r\n",
                 b"SERVER_ERROR object too large for cache\r\n")
        s = c.stats()
        want = dict(cmd_get=3, get_hits=2, get_misses=1, delete_misses=1, delete_hits=1,
                    incr_hits=1, incr_misses=1, decr_hits=1, decr_misses=1, touch_hits=2,
                    touch_misses=2, cmd_touch=4, cas_misses=1, cas_badval=1, cas_hits=1,
                    cmd_flush=1, store_too_large=1, store_no_memory=0, get_flushed=0)
        # cmd_set counts storage commands that allocated an item: set, add, 3x cas = 5
        want["cmd_set"] = 5
        got = {k: int(s[k]) for k in want}
        self.assertEqual(got, want)

    def test_reset(self):
        self.c.expect(b"get x\r\n", b"END\r\n")
        self.c.expect(b"stats reset\r\n", b"RESET\r\n")
        self.assertEqual(self.c.stats()["get_misses"], "0")
        self.c.expect(b"stats reset extra\r\n", b"RESET\r\n")
        self.c.expect(b"stats  reset\r\n", b"RESET\r\n")

    def test_prefix_and_unknown_subcommands(self):
        # 1.6.18 matches subcommand names exactly: prefixes are unknown
        for sub in (b"re", b"res", b"rese", b"s", b"set", b"setting", b"item", b"slab",
                    b"RESET", b"bogus", b"maps"):
            self.c.expect(b"stats " + sub + b"\r\n", b"ERROR\r\n")

    def test_settings(self):
        raw, pairs = self.raw_stats(b"settings")
        for line in raw.split(b"\r\n")[:-2]:
            self.assertEqual(len(line.split(b" ")), 3, line)     # exporter: 4+ fields fail
        s = dict(pairs)
        self.assertEqual(s["maxbytes"], str(64 * 1024 * 1024))
        self.assertEqual(s["maxconns"], "1024")
        self.assertEqual(s["tcpport"], str(self.server.port))
        self.assertEqual(s["udpport"], "0")
        self.assertEqual(s["inter"], "127.0.0.1")
        self.assertEqual(s["evictions"], "on")
        self.assertEqual(s["cas_enabled"], "yes")
        self.assertEqual(s["item_size_max"], "1048576")
        self.assertEqual(s["num_threads"], "4")
        self.assertEqual(s["chunk_size"], "48")
        self.assertEqual(s["growth_factor"], self.variant("1.25", "1.125"))
        self.assertIn(s["lru_crawler"], ("yes", "no"))
        self.assertIn(s["lru_maintainer_thread"], ("yes", "no"))
        self.assertEqual([k for k, _ in pairs][:6],
                         ["maxbytes", "maxconns", "tcpport", "udpport", "inter", "verbosity"])


    def test_detail_and_other_subcommands(self):
        c = self.c
        c.expect(b"stats detail\r\n", b"CLIENT_ERROR usage: stats detail on|off|dump\r\n")
        c.expect(b"stats detail on\r\n", b"OK\r\n")
        c.expect(b"stats detail off\r\n", b"OK\r\n")
        c.expect(b"stats sizes\r\n", b"STAT sizes_status disabled\r\nEND\r\n")
        c.send(b"stats conns\r\n")
        raw, _ = c.read_stats()
        self.assertIn(b"STAT ", raw)

    def test_exporter_scrape_sequence(self):
        """memcached_exporter: stats, stats slabs, stats items on one connection."""
        self.store(b"k", b"v")
        c = self.c
        c.send(b"stats\r\nstats slabs\r\nstats items\r\n")
        merged = {}
        for _ in range(3):
            raw, pairs = c.read_stats()
            for k, v in pairs:
                parts = k.split(":")
                if len(parts) == 2:
                    int(parts[0])
                merged[k] = v
        self.assertIn("cmd_set", merged)
        self.assertIn("total_malloced", merged)
        c.send(b"stats settings\r\n")
        c.read_stats()


class ItemsSlabsTest(ServerTestCase):
    """Fresh server: flush_all leaves flushed items counted until they are reclaimed."""
    flush_between_tests = False
    raw_stats = StatsTest.raw_stats
    assert_exporter_parsable = StatsTest.assert_exporter_parsable

    def test_items_and_slabs(self):
        self.c.expect(b"stats items\r\n", b"END\r\n")
        self.store(b"a", b"x")
        self.store(b"b", b"y" * 5000)
        raw, pairs = self.raw_stats(b"items")
        self.assert_exporter_parsable(raw)
        classes = {}
        for k, v in pairs:
            m = ITEM_KEY.match(k)
            self.assertTrue(m, k)
            classes.setdefault(m.group(1), {})[m.group(2)] = v
        self.assertEqual(len(classes), 2)
        for fields in classes.values():
            for key in ITEMS_REQUIRED:
                self.assertIn(key, fields)
            self.assertEqual(fields["number"], "1")
        raw, pairs = self.raw_stats(b"slabs")
        self.assert_exporter_parsable(raw)
        slabs = {}
        for k, v in pairs:
            m = SLAB_KEY.match(k)
            if m:
                slabs.setdefault(m.group(1), {})[m.group(2)] = v
            else:
                self.assertIn(k, ("active_slabs", "total_malloced"))
        self.assertEqual([k for k, _ in pairs][-2:], ["active_slabs", "total_malloced"])
        for fields in slabs.values():
            self.assertEqual(sorted(fields), sorted(SLAB_REQUIRED))
        self.assertEqual(sum(int(f["used_chunks"]) for f in slabs.values()), 2)
        self.assertTrue(set(classes) <= set(slabs))
        self.c.expect(b"stats items extra\r\n", b"", sync=False)
        self.c.read_stats()


def class_of(conn, key_prefix_count):
    """The class id holding `key_prefix_count` items (the only class with items)."""
    raw = conn.stats(b"items")
    classes = {k.split(":")[1] for k in raw if k.startswith("items:")}
    assert len(classes) == 1, classes
    cls = classes.pop()
    assert raw["items:%s:number" % cls] == str(key_prefix_count), raw
    return cls


@unittest.skipIf(is_memcached(), "slabd's flat LRU: memcached dumps only its COLD LRU")
class ClassShardsTest(ServerTestCase):
    """-t 4: each class's LRU and free list are split into 8 shards by key hash. The class's
    stats sum them, cachedump lists every shard's items (newest first by last access, items
    of one second shard by shard), deletes and overwrites land in the right shard."""
    server_args = ["-t", "4", "-m", "64"]
    flush_between_tests = False
    KEYS = [b"shard:%d" % i for i in range(40)]

    def dump(self, cls, limit):
        self.c.send(b"stats cachedump %s %d\r\n" % (cls.encode(), limit))
        lines = []
        while True:
            line = self.c.recv_line()
            if line == b"END\r\n":
                return lines
            lines.append(line)

    def test_stats_and_cachedump_cover_every_shard(self):
        for key in self.KEYS:
            self.store(key, b"0123456789")
        cls = class_of(self.c, 40)
        self.assertEqual(self.c.stats()["total_items"], "40")
        slabs = self.c.stats(b"slabs")
        self.assertEqual(slabs["%s:used_chunks" % cls], "40")
        lines = self.dump(cls, 0)
        self.assertEqual(sorted(lines), sorted(b"ITEM %s [10 b; 0 s]\r\n" % k for k in self.KEYS))
        self.assertEqual(len(self.dump(cls, 7)), 7)
        for key in self.KEYS[:5]:
            self.c.expect(b"delete " + key + b"\r\n", b"DELETED\r\n")
        for key in self.KEYS[5:10]:
            self.store(key, b"abcdefghij")  # an overwrite in the key's shard
        self.assertEqual(class_of(self.c, 35), cls)
        self.assertEqual(self.c.stats(b"slabs")["%s:used_chunks" % cls], "35")
        self.assertEqual(self.c.stats()["curr_items"], "35")
        self.assertEqual(sorted(self.dump(cls, 0)),
                         sorted(b"ITEM %s [10 b; 0 s]\r\n" % k for k in self.KEYS[5:]))
        for key in self.KEYS[5:10]:
            self.assert_value(key, b"abcdefghij")


@unittest.skipIf(is_memcached(), "slabd's flat LRU: memcached dumps only its COLD LRU")
class OneLruTest(ServerTestCase):
    """-t 1: one exact LRU per class, so cachedump is newest first item by item."""
    server_args = ["-t", "1", "-m", "64"]
    flush_between_tests = False
    dump = ClassShardsTest.dump

    def test_cachedump_is_newest_first(self):
        keys = [b"lru:%d" % i for i in range(30)]
        for key in keys:
            self.store(key, b"0123456789")
        cls = class_of(self.c, 30)
        self.assertEqual(self.dump(cls, 0),
                         [b"ITEM %s [10 b; 0 s]\r\n" % k for k in reversed(keys)])


if __name__ == "__main__":
    unittest.main()
