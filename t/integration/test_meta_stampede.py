#!/usr/bin/python3
"""Stampede protection with the meta commands: many clients ask for the same hot key at once
and exactly one of them is told to recompute it.

Twenty clients, each on its own connection and thread, are released together by a barrier
and send the same mg; the server serialises them, so whatever the interleaving:

* recache (`mg <key> v c t R<s>` on an item whose remaining TTL is below s): exactly one
  reply carries W (win), the other 19 carry Z (a win token is already out); all are served
  the current value. Asking again before the winner stores gives Z to everyone.
* stale (`md <key> I` marked the item stale): the same, and every reply also carries X.
* miss (`mg <key> v N30` on a missing key): the first creates an empty item and gets W,
  the others Z; all see the empty value.

The winner then stores the new value (ms with C<cas> of what it got, or a plain ms); from
then on every client gets the new value with no W, Z or X, and a store with the old CAS
fails with EX. Each scenario runs a few rounds on fresh keys, alternating the two ways the
winner stores.
"""

import os
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

from base import ServerTestCase   # noqa: E402

CLIENTS = 20
ROUNDS = 3


class Reply:
    """One meta reply: return code, flags in order (letter, token), data (VA only)."""

    def __init__(self, line, data=None):
        self.raw = line + (data or b"")
        toks = line[:-2].decode("latin1").split(" ")
        self.rc = toks[0]
        rest = toks[2:] if self.rc == "VA" else toks[1:]
        self.flags = [(t[0], t[1:]) for t in rest if t]
        self.data = None if data is None else data[:-2]

    def has(self, letter):
        return any(f == letter for f, _ in self.flags)

    def get(self, letter):
        for f, v in self.flags:
            if f == letter:
                return v
        return None

    def letters(self):
        return "".join(f for f, _ in self.flags)

    def __repr__(self):
        return repr(self.raw)


def read_reply(conn):
    line = conn.recv_line()
    if line.startswith(b"VA "):
        n = int(line.split(b" ")[1])
        return Reply(line, conn.recv_exact(n + 2))
    return Reply(line)


class StampedeTest(ServerTestCase):
    server_args = ["-t", "4"]

    def setUp(self):
        super().setUp()
        self.clients = [self.connect(timeout=10) for _ in range(CLIENTS)]

    # ---- helpers ---------------------------------------------------------------------

    def wave(self, command, who=None):
        """All clients (or those in `who`) send `command` at the same moment, released by a
        barrier; returns their replies, indexed by client."""
        who = list(range(CLIENTS)) if who is None else list(who)
        barrier = threading.Barrier(len(who))
        replies = {}
        errors = []

        def run(i):
            try:
                barrier.wait(10)
                self.clients[i].send(command)
                replies[i] = read_reply(self.clients[i])
            except BaseException as e:     # surfaced in the main thread
                errors.append(e)
                barrier.abort()

        threads = [threading.Thread(target=run, args=(i,)) for i in who]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        if errors:
            raise errors[0]
        self.assertEqual(len(replies), len(who), "some clients got no reply")
        return replies

    def describe(self, replies):
        return "\n".join("  client %2d: %r" % (i, r) for i, r in sorted(replies.items()))

    def assert_one_winner(self, replies, value, stale=False):
        """Exactly one W, Z for the rest, X on all iff stale; everyone served `value`.
        Returns the winner's index and reply."""
        text = self.describe(replies)
        winners = [i for i, r in replies.items() if r.has("W")]
        self.assertEqual(len(winners), 1, "want exactly one W:\n" + text)
        win = winners[0]
        for i, r in replies.items():
            self.assertEqual(r.rc, "VA", text)
            self.assertEqual(r.data, value, text)
            self.assertEqual(r.has("Z"), i != win, "W xor Z:\n" + text)
            self.assertEqual(r.has("X"), stale, ("X on every reply:\n" if stale
                                                 else "no X:\n") + text)
        return win, replies[win]

    def assert_all_lost(self, replies, value, stale=False):
        """A wave after the win token went out: Z for everyone (X too if stale), no W."""
        text = self.describe(replies)
        for r in replies.values():
            self.assertEqual((r.rc, r.data), ("VA", value), text)
            self.assertTrue(r.has("Z") and not r.has("W"), "want Z and no W:\n" + text)
            self.assertEqual(r.has("X"), stale, text)

    def assert_settled(self, replies, value):
        text = self.describe(replies)
        for r in replies.values():
            self.assertEqual((r.rc, r.data), ("VA", value), text)
            self.assertFalse(r.has("W") or r.has("Z") or r.has("X"),
                             "no W/Z/X once the winner stored:\n" + text)

    def same_cas(self, replies):
        cas = {r.get("c") for r in replies.values()}
        self.assertEqual(len(cas), 1, "one item, one CAS:\n" + self.describe(replies))
        return cas.pop().encode()

    def recache(self, win, key, value, cas, use_cas):
        """The winner stores the new value, with C<cas> of what it was served or plainly.
        TTL 0: a fresh item is not due for recache."""
        c = self.clients[win]
        if use_cas:
            c.expect(b"ms %s %d C%s T0\r\n%s\r\n" % (key, len(value), cas, value), b"HD\r\n")
        else:
            c.expect(b"ms %s %d T0\r\n%s\r\n" % (key, len(value), value), b"HD\r\n")

    def assert_old_cas_fails(self, win, key, cas):
        loser = (win + 1) % CLIENTS
        self.clients[loser].expect(b"ms %s 4 C%s\r\nlate\r\n" % (key, cas), b"EX\r\n")

    # ---- scenarios -------------------------------------------------------------------

    def test_recache_when_ttl_below_threshold(self):
        for rnd in range(ROUNDS):
            key = b"stampede:ttl:%d" % rnd
            old, new = b"old-%d" % rnd, b"new-value-%d" % rnd
            # remaining TTL ~100 s < R200: due for recache; nothing is stale
            self.c.expect(b"ms %s %d T100\r\n%s\r\n" % (key, len(old), old), b"HD\r\n")
            cmd = b"mg %s v c t R200\r\n" % key
            first = self.wave(cmd)
            win, _ = self.assert_one_winner(first, old)
            cas = self.same_cas(first)
            for r in first.values():
                self.assertIn(int(r.get("t")), (99, 100), self.describe(first))
            self.assert_all_lost(self.wave(cmd), old)
            self.recache(win, key, new, cas, use_cas=rnd % 2 == 0)
            self.assert_old_cas_fails(win, key, cas)
            settled = self.wave(cmd)
            self.assert_settled(settled, new)
            for r in settled.values():
                self.assertEqual(r.get("t"), "-1", self.describe(settled))
            self.assertNotEqual(self.same_cas(settled), cas)

    def test_recache_of_stale_item(self):
        for rnd in range(ROUNDS):
            key = b"stampede:stale:%d" % rnd
            old, new = b"stale-%d" % rnd, b"fresh-%d" % rnd
            self.c.expect(b"ms %s %d T0\r\n%s\r\n" % (key, len(old), old), b"HD\r\n")
            self.c.expect(b"md %s I\r\n" % key, b"HD\r\n")
            cmd = b"mg %s v c t R30\r\n" % key
            first = self.wave(cmd)
            win, _ = self.assert_one_winner(first, old, stale=True)
            cas = self.same_cas(first)
            self.assert_all_lost(self.wave(cmd), old, stale=True)
            self.recache(win, key, new, cas, use_cas=rnd % 2 == 0)
            self.assert_old_cas_fails(win, key, cas)
            self.assert_settled(self.wave(cmd), new)

    def test_miss_vivifies_for_one_client(self):
        for rnd in range(ROUNDS):
            key = b"stampede:miss:%d" % rnd
            new = b"computed-%d" % rnd
            self.assert_miss(key)
            cmd = b"mg %s v N30\r\n" % key
            first = self.wave(cmd)
            win, reply = self.assert_one_winner(first, b"")
            for r in first.values():
                self.assertEqual(r.raw, b"VA 0 %s\r\n\r\n" % (b"W" if r is reply else b"Z"),
                                 self.describe(first))
            self.assert_all_lost(self.wave(cmd), b"")
            if rnd % 2 == 0:
                self.recache(win, key, new, None, use_cas=False)
            else:
                # the winner asks for the placeholder's CAS and stores against it
                c = self.clients[win]
                c.send(b"mg %s c\r\n" % key)
                got = read_reply(c)
                self.assertEqual((got.rc, got.letters()), ("HD", "cZ"), got)
                self.recache(win, key, new, got.get("c").encode(), use_cas=True)
            settled = self.wave(cmd)
            self.assert_settled(settled, new)
            for r in settled.values():
                self.assertEqual(r.raw, b"VA %d\r\n%s\r\n" % (len(new), new))

    def test_losers_can_wait_for_the_winner(self):
        """The usual client loop: losers poll with the same mg until the value changes; the
        winner stores meanwhile. Nobody but the first winner ever sees W."""
        key = b"stampede:poll"
        self.c.expect(b"ms %s 3 T100\r\nold\r\n" % key, b"HD\r\n")
        cmd = b"mg %s v c R200\r\n" % key
        first = self.wave(cmd)
        win, reply = self.assert_one_winner(first, b"old")
        polls = self.wave(cmd, who=[i for i in range(CLIENTS) if i != win])
        self.assert_all_lost(polls, b"old")
        self.recache(win, key, b"new", reply.get("c").encode(), use_cas=True)
        self.assert_settled(self.wave(cmd), b"new")


if __name__ == "__main__":
    import unittest
    unittest.main()
