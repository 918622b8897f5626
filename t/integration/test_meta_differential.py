#!/usr/bin/python3
"""Generated differential test of the meta commands (mg ms md ma mn me) mixed with the
classic ones, against memcached 1.6.18.

A seeded generator (t/lib/meta_gen.py) writes episodes of steps over a small key space;
each step (one command, or a pipeline of 2-4 with quiet flags and mn) is sent to memcached
1.6.18 and to the server under test, and the replies must match: byte for byte, except that
CAS values are mapped through a bijection built from the replies, times (`t`, `l`, me's
`exp=`/`la=`) may differ by TIME_SLACK seconds, and me's `cls=`/`size=` are ignored.

    /usr/bin/python3 t/integration/run.py test_meta_differential -v
    T_META_SEED=7 T_META_CASES=20000 ...           # another seed, more steps
    T_META_SEED=7 T_META_EPISODE=12 T_META_TRACE=1 ...   # replay one episode, print it

The peer is slabd; under T_SERVER=memcached it is a second memcached, which validates the
harness (the generator must be deterministic and the CAS mapping sound: zero mismatches).

memcached runs without its LRU maintainer and crawler (slabd has neither; the same
reference as test_differential's stats check): a background thread holding a reference
makes 1.6.18's in-place incr/decr padding timing dependent (oracle.py KNOWN_DIFFERENCES 4b).

Deliberate differences are never generated; META_KNOWN_DIFFERENCES checks each one on each
side (shared/reference/memcached-behaviour.md, "Which memcached slabd matches", item 2;
the classic ones are oracle.py's KNOWN_DIFFERENCES, covered by test_differential).
"""

import base64
import os
import random
import re
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

from client import Conn   # noqa: E402
from meta_gen import CasMap, Episode, compare, flatten, read_reply   # noqa: E402
from oracle import run_script   # noqa: E402
from server import Server, is_memcached   # noqa: E402

DEFAULT_SEED = 20240611
DEFAULT_CASES = 20000
EPISODE_STEPS = 40
MEMCACHED_ARGS = ["-o", "no_lru_maintainer,no_lru_crawler"]
CAS_OFFSET = 1000

BADFMT = b"CLIENT_ERROR bad command line format\r\n"
B64_200 = base64.b64encode(b"d" * 200)     # 268 characters, 200 bytes decoded
B64_200F = base64.b64encode(b"f" * 200)
B64_251 = base64.b64encode(b"e" * 251)     # 336 characters, 251 bytes decoded

# Where slabd deliberately differs from 1.6.18 in the meta commands: memcached-behaviour.md,
# "Which memcached slabd matches", item 2 (meta flags added after 1.6.18 are accepted; the
# base64 key limit applies to the decoded key). Each script runs on a fresh connection
# with keys of its own; `memcached` is 1.6.18's observed reply, `slabd` the replies slabd
# may give (following later releases).
META_KNOWN_DIFFERENCES = [
    dict(name="ms E<cas> sets the stored item's CAS",
         send=b"ms kd_e1 1 E12345 c\r\nx\r\nmg kd_e1 v c\r\n",
         memcached=b"CLIENT_ERROR invalid flag\r\nEN\r\n",
         slabd=[b"HD c12345\r\nVA 1 c12345\r\nx\r\n"]),
    dict(name="ms E<cas> with C<cas>: compare with C, store with E",
         send=b"ms kd_e3 1 E500\r\nx\r\nms kd_e3 1 C500 E600 c\r\ny\r\nmg kd_e3 v c\r\n",
         memcached=b"CLIENT_ERROR invalid flag\r\nCLIENT_ERROR invalid flag\r\nEN\r\n",
         slabd=[b"HD\r\nHD c600\r\nVA 1 c600\r\ny\r\n"]),
    dict(name="mg E<cas> gives the item vivified by N that CAS",
         send=b"mg kd_e2 N1000 E777 c v\r\nmg kd_e2 c v\r\n",
         memcached=b"CLIENT_ERROR invalid flag\r\nEN\r\n",
         slabd=[b"VA 0 c777 W\r\n\r\nVA 0 c777 Z\r\n\r\n"]),
    dict(name="md x empties the value and keeps the key (flags 0, no TTL)",
         send=b"ms kd_x1 2 F5 T1000\r\nhi\r\nmd kd_x1 x\r\nmg kd_x1 v f t\r\n",
         memcached=b"HD\r\nCLIENT_ERROR invalid or duplicate flag\r\nVA 2 f5 t1000\r\nhi\r\n",
         slabd=[b"HD\r\nHD\r\nVA 0 f0 t-1\r\n\r\n"]),
    dict(name="md x on a missing key",
         send=b"md kd_x2 x\r\nmd kd_x2 x q\r\nmn\r\n",
         memcached=b"CLIENT_ERROR invalid or duplicate flag\r\n"
                   b"CLIENT_ERROR invalid or duplicate flag\r\nMN\r\n",
         slabd=[b"NF\r\nNF\r\nMN\r\n"]),
    dict(name="base64 key of 268 characters decoding to 200 bytes is accepted",
         send=b"ms " + B64_200 + b" 1 b\r\nx\r\nmg " + B64_200 + b" b v\r\n",
         memcached=BADFMT + b"ERROR\r\n" + BADFMT,
         slabd=[b"HD\r\nVA 1\r\nx\r\n"]),
    dict(name="base64 key of 268 characters decoding to 200 bytes: mg miss, md",
         send=b"mg " + B64_200F + b" b v\r\nmd " + B64_200F + b" b\r\n",
         memcached=BADFMT + BADFMT,
         slabd=[b"EN\r\nNF\r\n"]),
    # The boundary of the previous two: decoded over 250 bytes is a long key on both,
    # rejected as 1.6.18 rejects a 251-byte key (no swallow: the data line is a command).
    # 1.6.18 does not mark an item vivified by mg/ma with b as binary-keyed, so `k` and me
    # print the raw key bytes (a key holding "\r\n" splits the reply line). slabd keeps
    # the mark and prints the key base64-encoded, as for items stored by ms ... b.
    dict(name="mg b N: the vivified item's key stays base64 in k and me",
         send=b"mg a2RfdmI= b N1000 k v\r\nme a2RfdmI= b\r\n",
         memcached=[re.compile(rb"VA 0 kkd_vb W\r\n\r\nME kd_vb exp=-?\d+ la=\d+ "
                               rb"cas=\d+ fetch=\w+ cls=\d+ size=\d+\r\n")],
         slabd=[re.compile(rb"VA 0 ka2RfdmI= b W\r\n\r\nME a2RfdmI= exp=-?\d+ la=\d+ "
                           rb"cas=\d+ fetch=\w+ cls=\d+ size=\d+\r\n")]),
    # An item whose TTL is already past (T-1) is still returned by that command; 1.6.18's t
    # prints the negative remainder as an unsigned 32-bit number (4294967xxx, depending on
    # its clock), slabd the negative number.
    dict(name="t after a TTL in the past is negative",
         send=b"ms kd_t1 1\r\nx\r\nmg kd_t1 T-1 t\r\n",
         memcached=[re.compile(rb"HD\r\nHD t\d+\r\n")],
         slabd=[re.compile(rb"HD\r\nHD t-\d+\r\n")]),
    # ma T on a counter whose new value is longer than the old one: 1.6.18 writes the TTL
    # into the item it is replacing, so it is lost; slabd applies it.
    dict(name="ma T on a growing counter sets the TTL",
         send=b"ms kd_ma1 1\r\n9\r\nma kd_ma1 T1000 v\r\nmg kd_ma1 t v\r\n",
         memcached=b"HD\r\nVA 2\r\n10\r\nVA 2 t-1\r\n10\r\n",
         slabd=[b"HD\r\nVA 2\r\n10\r\nVA 2 t1000\r\n10\r\n",
                b"HD\r\nVA 2\r\n10\r\nVA 2 t999\r\n10\r\n"]),
    dict(name="base64 key decoding to 251 bytes is rejected as too long",
         send=b"ms " + B64_251 + b" 1 b\r\nx\r\nmg " + B64_251 + b" b v\r\n",
         memcached=BADFMT + b"ERROR\r\n" + BADFMT,
         slabd=[BADFMT + b"ERROR\r\n" + BADFMT]),
]


def env_int(name, default):
    v = os.environ.get(name, "").strip()
    return int(v) if v else default


def peer_kind():
    return "memcached" if is_memcached() else "slabd"


def peer_args():
    return MEMCACHED_ARGS if peer_kind() == "memcached" else []


def clip(b, n=300):
    return repr(b) if len(b) <= n else "%r... (%d bytes)" % (b[:n], len(b))


class Mismatch:
    def __init__(self, seed, episode, step, case, sent_a, sent_b, items_a, items_b, reason,
                 history):
        self.__dict__.update(locals())
        del self.__dict__["self"]

    def report(self, peer):
        lines = [
            "meta differential mismatch: seed=%d episode=%d step=%d (case %d): %s"
            % (self.seed, self.episode, self.step, self.case, self.reason),
            "  sent to memcached: %r" % self.sent_a,
        ]
        if self.sent_b != self.sent_a:
            lines.append("  sent to %-9s  %r   (CAS tokens mapped)" % (peer + ":", self.sent_b))
        lines += [
            "  memcached replied: %r" % flatten(self.items_a)[:1500],
            "  %-9s replied: %r" % (peer, flatten(self.items_b)[:1500]),
            "  reproduce: T_META_SEED=%d T_META_EPISODE=%d T_META_TRACE=1 /usr/bin/python3 "
            "t/integration/run.py test_meta_differential -k generated" % (self.seed,
                                                                          self.episode),
        ]
        if self.history:
            lines.append("  earlier steps of this episode (memcached side):")
            lines += ["    %s" % clip(h) for h in self.history[-12:]]
            if len(self.history) > 12:
                lines.append("    (%d earlier steps not shown)" % (len(self.history) - 12))
        return "\n".join(lines)


class HarnessError(AssertionError):
    pass


def run_generated(srv_a, srv_b, seed, cases, only_episode=None, trace=False,
                  max_mismatches=5, prefix=b"mk", out=sys.stdout):
    """Run `cases` steps (or one episode); return (steps run, episodes, [Mismatch]).
    Keys start with `prefix`: a second run on the same servers needs another one."""
    casmap = CasMap()
    conns = [Conn(srv_a.port, timeout=5), Conn(srv_b.port, timeout=5)]
    mismatches = []
    steps_done = 0
    episodes = 0
    episode = 0 if only_episode is None else only_episode
    try:
        while steps_done < cases and len(mismatches) < max_mismatches:
            gen = Episode(random.Random("%d/%d" % (seed, episode)), episode, prefix)
            history = []
            n = EPISODE_STEPS if only_episode is not None \
                else min(EPISODE_STEPS, cases - steps_done)
            for i in range(n):
                step = gen.next_step()
                sent_a = step.render(None)
                sent_b = step.render(casmap)
                conns[0].send(sent_a)
                conns[1].send(sent_b)
                items_a, ok_a = read_reply(conns[0], step.n_mn, gen.glue)
                items_b, ok_b = read_reply(conns[1], step.n_mn, gen.glue)
                steps_done += 1
                if trace:
                    print("[%d.%d] %r\n    -> %r" % (episode, i, sent_a, flatten(items_a)),
                          file=out)
                if not ok_a:
                    raise HarnessError(
                        "memcached did not finish replying (generator bug: the bytes leave it "
                        "waiting): seed=%d episode=%d step=%d\n  sent %r\n  got %r"
                        % (seed, episode, i, sent_a, flatten(items_a)))
                reason = compare(items_a, items_b, casmap)
                if reason is None and not ok_b:
                    reason = "peer did not finish replying"
                if reason is not None:
                    mismatches.append(Mismatch(seed, episode, i, steps_done, sent_a, sent_b,
                                               items_a, items_b, reason, history))
                    for c in conns:        # the peer may be desynchronised: start afresh
                        c.close()
                    conns = [Conn(srv_a.port, timeout=5), Conn(srv_b.port, timeout=5)]
                    break
                gen.observe(step, items_a)
                history.append(sent_a)
            episodes += 1
            episode += 1
            if only_episode is not None:
                break
    finally:
        for c in conns:
            c.close()
    return steps_done, episodes, mismatches


class MetaDifferentialTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.mc = Server(MEMCACHED_ARGS, kind="memcached", hard_timeout=600).start()
        try:
            cls.peer = Server(peer_args(), kind=peer_kind(), hard_timeout=600).start()
        except BaseException:
            cls.mc.kill()
            raise
        if cls.peer.kind == "memcached":
            # Two memcacheds hand out the same CAS values; move the peer's counter on so
            # that the CAS mapping (and every C<cas>/cas rewrite) is really exercised.
            with Conn(cls.peer.port) as c:
                c.transact(b"set cas_offset 0 0 1 noreply\r\nx\r\n" * CAS_OFFSET)

    @classmethod
    def tearDownClass(cls):
        try:
            cls.peer.stop()
        finally:
            cls.mc.stop()

    def require_meta(self):
        with Conn(self.peer.port) as c:
            c.send(b"mn\r\n")
            line = c.recv_line()
        if line != b"MN\r\n":
            self.fail("%s answers %r to mn: meta commands are not implemented"
                      % (self.peer.kind, line))

    def test_generated_sequences(self):
        self.require_meta()
        seed = env_int("T_META_SEED", DEFAULT_SEED)
        cases = env_int("T_META_CASES", DEFAULT_CASES)
        only = os.environ.get("T_META_EPISODE", "").strip()
        only = int(only) if only else None
        trace = os.environ.get("T_META_TRACE", "") not in ("", "0")
        t0 = time.monotonic()
        steps, episodes, mismatches = run_generated(
            self.mc, self.peer, seed, cases, only_episode=only, trace=trace,
            max_mismatches=env_int("T_META_MAX_MISMATCHES", 5))
        print("\nmeta differential: memcached vs %s, seed %d, %d cases in %d episodes, "
              "%.1f s, %d mismatching episodes"
              % (self.peer.kind, seed, steps, episodes, time.monotonic() - t0,
                 len(mismatches)), flush=True)
        if mismatches:
            self.fail("\n\n".join(m.report(self.peer.kind) for m in mismatches))

    def test_known_differences(self):
        for entry in META_KNOWN_DIFFERENCES:
            with self.subTest(entry["name"]):
                for srv in (self.mc, self.peer):
                    got = run_script(srv, entry["send"])
                    want = entry[srv.kind]
                    if isinstance(want, bytes):
                        want = [want]
                    ok = any(w.fullmatch(got) if isinstance(w, re.Pattern) else w == got
                             for w in want)
                    self.assertTrue(ok, "%s on %s: got %r, want one of %r"
                                    % (entry["name"], srv.kind, got, want))

    def test_servers_still_alive(self):
        self.assertTrue(self.mc.alive())
        self.assertTrue(self.peer.alive())


class ComparatorTest(unittest.TestCase):
    """The comparison itself, without servers."""

    @staticmethod
    def lines(*ls):
        return [("line", x) for x in ls]

    def test_cas_values_map_both_ways(self):
        m = CasMap()
        self.assertIsNone(compare(self.lines(b"HD c5\r\n"), self.lines(b"HD c90\r\n"), m))
        self.assertIsNone(compare(self.lines(b"VALUE k 0 1 5\r\n"),
                                  self.lines(b"VALUE k 0 1 90\r\n"), m))
        self.assertEqual(m.to_b(5), 90)
        self.assertIn("mapping", compare(self.lines(b"HD c5\r\n"), self.lines(b"HD c91\r\n"), m))
        self.assertIn("mapping", compare(self.lines(b"HD c6\r\n"), self.lines(b"HD c90\r\n"), m))
        me_a = b"ME k exp=-1 la=0 cas=5 fetch=no cls=1 size=61\r\n"
        me_b = b"ME k exp=-1 la=1 cas=90 fetch=no cls=3 size=99\r\n"
        self.assertIsNone(compare(self.lines(me_a), self.lines(me_b), m))
        self.assertIsNotNone(compare(self.lines(b"ME k exp=-1 la=0 cas=5 fetch=no\r\n"),
                                     self.lines(b"ME k exp=-1 la=0 cas=90 fetch=yes\r\n"), m))

    def test_times_are_loose_but_never_minus_one(self):
        m = CasMap()
        self.assertIsNone(compare(self.lines(b"HD t100 l3\r\n"), self.lines(b"HD t99 l4\r\n"), m))
        self.assertIsNotNone(compare(self.lines(b"HD t100\r\n"), self.lines(b"HD t90\r\n"), m))
        self.assertIsNotNone(compare(self.lines(b"HD t-1\r\n"), self.lines(b"HD t0\r\n"), m))

    def test_everything_else_is_exact(self):
        m = CasMap()
        self.assertIsNotNone(compare(self.lines(b"HD c5 W\r\n"), self.lines(b"HD c5 Z\r\n"), m))
        self.assertIsNotNone(compare([("line", b"VA 1\r\n"), ("data", b"x\r\n")],
                                     [("line", b"VA 1\r\n"), ("data", b"y\r\n")], m))
        self.assertIsNotNone(compare(self.lines(b"HD\r\n"), self.lines(b"HD\r\n", b"MN\r\n"), m))
        self.assertIsNotNone(compare(self.lines(b"HD Oc5\r\n"), self.lines(b"HD Oc6\r\n"), m))

    def test_generator_is_deterministic(self):
        a = Episode(random.Random("1/2"), 2)
        b = Episode(random.Random("1/2"), 2)
        for _ in range(200):
            self.assertEqual(a.next_step().render(), b.next_step().render())


if __name__ == "__main__":
    unittest.main()
