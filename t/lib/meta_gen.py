#!/usr/bin/python3
"""Seeded random meta + classic command sequences, and the reply comparison, for
t/integration/test_meta_differential.py.

The differential sends each generated step to memcached 1.6.18 (side A, the reference) and
to the server under test (side B) and requires the same replies. Three things make that
comparison exact yet insensitive to what legitimately differs:

* CAS values. Every CAS a server hands out (mg/ms/ma `c`, gets/gats VALUE lines, me `cas=`)
  is paired with the other side's value at the same reply position. CasMap keeps that
  pairing a bijection: one A value maps to one B value and back, or the run fails. The
  generator only ever sees A's values (its "logical" CAS values); a CAS it sends (C<cas>,
  classic `cas`) is a Cas token, rendered for A as-is and for B through the map. 0 and
  values >= UNSEEN_CAS (never handed out: counters stay far below in a run) are sent
  unchanged to both. The map keeps equality, not order: slabd's CAS values rise per key
  but their order ACROSS keys is not memcached's (per-stripe CAS blocks, README.md
  "Differences" 15). The one ordered comparison, `ms ... I C<cas>` (stale store when the
  CAS is older than the item's), therefore only gets a CAS of its own key (see
  Episode.own_key_cas).
* Time. `t<ttl>`, `l<secs>` and me's `exp=`/`la=` are compared within TIME_SLACK seconds
  (the two servers' clocks tick at different moments); -1 must be -1 on both sides.
* Item size. me's `cls=`/`size=` are dropped: slabd has other slab classes and a 40-byte
  item header by design.

Everything else is byte-exact, including error lines, data blocks and how many replies a
pipeline of quiet commands produces. (One framing quirk is handled when reading: 1.6.18
prints some binary keys raw, and the generator's binary key contains CRLF; see
Episode.glue.)

What the generator avoids, and why (see shared/reference/memcached-behaviour.md, "Which
memcached slabd matches", and KNOWN_DIFFERENCES in t/lib/oracle.py):
* meta flags added after 1.6.18 (E<cas>, md x) and base64 keys longer than 250 bytes
  encoded but not decoded: deliberate differences, checked separately
  (META_KNOWN_DIFFERENCES in test_meta_differential.py);
* classic storage lines with a bad key, flags, exptime or cas (slabd swallows the data
  block, 1.6.18 does not), and `get` with an over-long key;
* incr/decr/ma on a value that is whitespace-only or >= 2^63 (1.6.18 reads past the
  value): no stored value is whitespace-only, numbers and deltas stay far below 2^63 and
  appended/prepended data always contains a letter. (Empty values are fine: 1.6.18 checks
  for them and answers the non-numeric error.)
* a shorter incr/decr/ma result that 1.6.18 would not pad (oracle.py KNOWN_DIFFERENCES 4b):
  memcached runs without its background threads, and arithmetic comes first in a pipeline
  (an earlier hit in the same pipeline keeps a reference to the item);
* TTLs that could expire during a run: every TTL is 0 (never), >= 1000 s, negative or an
  absolute time in the past; R<ttl> recache thresholds are far from every TTL;
* byte streams that would leave a server waiting for more data (declared lengths are never
  longer than the data sent, no value over the item size limit), so every step ends with
  an `mn` whose MN reply marks its end.
"""

import base64
import binascii
import re

UNSEEN_CAS = 10 ** 15     # logical CAS values from here up were never handed out
MAX_REAL_CAS = 10 ** 14   # a server CAS at or above this breaks the UNSEEN_CAS assumption
TIME_SLACK = 2            # seconds of clock skew tolerated between the two servers

# ---- value pools -----------------------------------------------------------------------

# TTL tokens: never / far future (2592000 is the largest relative TTL) / negative or an
# absolute time in the past (expired at once).
LIVE_TTLS = [b"0", b"0", b"1000", b"1000", b"5000", b"100000", b"2592000"]
DEAD_TTLS = [b"-1", b"1000000000"]


def avoid_known_differences(toks, need_b, is_ma=False):
    """Drops the flags that would hit a deliberate difference (META_KNOWN_DIFFERENCES in
    test_meta_differential.py): t next to a TTL that is already past (1.6.18 prints
    the negative remainder as an unsigned 32-bit number), and T on ma (1.6.18 loses the new
    TTL whenever the result does not fit the old item)."""
    # (tokens are bytes, or Cas placeholders rendered later; those are C/E flags)
    plain = [t for t in toks if isinstance(t, bytes)]
    if is_ma:
        toks = [t for t in toks if not (isinstance(t, bytes) and t.startswith(b"T"))]
    if any(t[:1] in (b"T", b"N") and t[1:] in DEAD_TTLS for t in plain):
        toks = [t for t in toks if t != b"t"]
    return toks
# R<ttl>: a remaining TTL of ~1000 is below 2000, ~100000 below 200000, nothing below 30.
RECACHE = [b"30", b"2000", b"2000", b"200000"]
CLIENT_FLAGS = [b"0", b"0", b"1", b"42", b"4294967295"]
META_FLAGS_F = CLIENT_FLAGS + [b"4294967296"]   # 1.6.18 quirk: stored as 0 (not an error)
# Stored values (plus an empty one now and then): never whitespace-only, numbers far below
# 2^63, harmless when a server parses them as command lines (each line -> ERROR).
DATA = [b"x", b"hello world", b"0", b"7", b"42", b"100", b"999", b"  7", b"abc", b"12abc",
        b"a\r\nb", b"\x00\x01\xff", b"z" * 300, b"q" * 3000]
TEXT_DATA = [b"x", b"hello world", b"abc", b"42"]   # for forms whose data a server may parse
AFFIX_DATA = [b"x", b"ab", b"Q R", b"zz\r\nz"]      # append/prepend: always has a letter
DELTAS = [b"1", b"1", b"5", b"100", b"1000000"]
BAD_NUMS = [b"", b"x", b"1x", b"-1", b"99999999999999999999999"]
MS_MODES = [b"S", b"S", b"E", b"A", b"P", b"R"] * 3 + [b"s", b"X", b"SS"]
MA_MODES = [b"I", b"+", b"D", b"-"] * 3 + [b"i", b"X"]
# Flag letters for the "unknown flag" corruption. E and x are left out: E<cas> (ms, mg,
# ma) and md x came after 1.6.18 and slabd accepts them (META_KNOWN_DIFFERENCES).
ALPHA = [bytes([c]) for c in range(ord("a"), ord("z") + 1) if c != ord("x")] + \
        [bytes([c]) for c in range(ord("A"), ord("Z") + 1) if c != ord("E")]


ARITH = (b"incr", b"decr", b"ma")


def b64(key):
    return base64.b64encode(key)


# ---- commands --------------------------------------------------------------------------

class Cas:
    """A CAS token in a command: prefix (b"C" or b"" for classic cas) + a logical value."""
    __slots__ = ("prefix", "value")

    def __init__(self, prefix, value):
        self.prefix = prefix
        self.value = value

    def render(self, casmap):
        v = self.value if casmap is None else casmap.to_b(self.value)
        return self.prefix + str(v).encode()


class Cmd:
    """One command: space-joined tokens (bytes or Cas), then an optional raw payload (the
    data block with whatever terminator the generator chose). `key` is the decoded key it
    addresses, if any; `mn` is 1 for an mn command (each produces one MN line)."""
    __slots__ = ("tokens", "payload", "key", "mn")

    def __init__(self, tokens, payload=None, key=None, mn=0):
        self.tokens = tokens
        self.payload = payload
        self.key = key
        self.mn = mn

    def render(self, casmap=None):
        line = b" ".join(t.render(casmap) if isinstance(t, Cas) else t for t in self.tokens)
        return line + b"\r\n" + (self.payload if self.payload is not None else b"")


class Step:
    """Commands sent in one write, always ending with `mn`."""

    def __init__(self, cmds):
        self.cmds = cmds + [Cmd([b"mn"], mn=1)]
        self.n_mn = sum(c.mn for c in self.cmds)

    def render(self, casmap=None):
        return b"".join(c.render(casmap) for c in self.cmds)

    def keys(self):
        return [c.key for c in self.cmds if c.key is not None]


# ---- the generator ---------------------------------------------------------------------

class Episode:
    """Commands over a small key space of its own (four text keys and one binary key that
    only base64 `b` commands can name), so commands interact but episodes do not."""

    def __init__(self, rng, index, prefix=b"mk"):
        self.rng = rng
        self.keys = [b"%s%d_%s" % (prefix, index, x) for x in (b"a", b"b", b"c", b"d")]
        self.bkey = b"\x00%s%d \r\n\xff" % (prefix, index)
        # 1.6.18 prints some binary keys raw (an item vivified by `mg <b64> b N` is not
        # marked binary, so k<key> and me show the decoded bytes): a reply line ending in
        # this prefix of the key continues on the next line
        self.glue = [self.bkey[:self.bkey.index(b"\r\n") + 2]]
        self.key_cas = {}       # decoded key -> last logical CAS seen for it
        self.key_hist = {}      # decoded key -> every logical CAS seen for it
        self.pool = []          # every logical CAS seen in this episode

    # -- helpers --

    def pick(self, seq):
        return self.rng.choice(seq)

    def chance(self, p):
        return self.rng.random() < p

    def ttl(self):
        return self.pick(DEAD_TTLS if self.chance(0.1) else LIVE_TTLS)

    def cas_value(self, key):
        r = self.rng.random()
        if r < 0.65 and key in self.key_cas:
            return self.key_cas[key]
        if r < 0.72 and self.pool:
            return self.pick(self.pool)
        if r < 0.82:
            return 0
        return UNSEEN_CAS + self.rng.randrange(1000)

    def text_key(self):
        return self.pick(self.keys)

    def meta_key(self):
        """(key token, needs the b flag, decoded key or None if invalid)"""
        r = self.rng.random()
        if r < 0.62:
            k = self.text_key()
            return k, False, k
        if r < 0.78:
            k = self.text_key()
            return b64(k), True, k
        if r < 0.88:
            return b64(self.bkey), True, self.bkey
        if r < 0.91:
            # 1.6.18's decoder skips bytes outside the alphabet: mk3_c decodes as mk3c
            return self.text_key(), True, None
        if r < 0.93:
            return self.pick([b"#", b"a", b"abc", b"a==="]), True, None
        if r < 0.95:
            k = (b"L" * 186 + self.keys[0])[-186:]           # 186 bytes: 248 base64 chars
            return b64(k), True, k
        if r < 0.97:
            k = (b"k" * 250 + self.keys[1])[-250:]           # 250 bytes: the longest key
            return k, False, k
        return b"k" * 251, False, None

    # -- meta flags --

    def meta_flags(self, spec, n_max, key):
        """Pick up to n_max distinct flags from spec (letter -> weight, token maker)."""
        letters = list(spec)
        weights = [spec[L][0] for L in letters]
        chosen = []
        for _ in range(self.rng.randint(0, n_max)):
            L = self.rng.choices(letters, weights)[0]
            if L not in chosen:
                chosen.append(L)
        out = []
        for L in chosen:
            make = spec[L][1]
            out.append(make(L, key) if make else L.encode())
        return out

    def tok_cas(self, L, key):
        return Cas(L.encode(), self.cas_value(key))

    def own_key_cas(self, toks, key):
        """For `ms ... I`: a C<cas> handed out for another key (or for no key we know) has
        no defined order against this key's CAS (slabd's per-stripe CAS blocks), so it
        becomes this key's oldest known CAS, or an unseen one. Consumes no randomness."""
        own = self.key_hist.get(key, set())
        for t in toks:
            if not isinstance(t, Cas) or t.value == 0 or t.value >= UNSEEN_CAS:
                continue
            if t.value not in own:
                t.value = min(own) if own else UNSEEN_CAS + t.value % 1000

    def tok_ttl(self, L, key):
        return L.encode() + self.ttl()

    def tok_recache(self, L, key):
        return L.encode() + self.pick(RECACHE)

    def tok_opaque(self, L, key):
        return b"O" + self.pick([b"", b"1", b"abc", b"xyz123", b"o" * 31])

    def tok_flags(self, L, key):
        return b"F" + self.pick(META_FLAGS_F)

    def tok_delta(self, L, key):
        return L.encode() + self.pick(DELTAS)

    def tok_init(self, L, key):
        return b"J" + self.pick([b"0", b"7", b"99", b"1000000"])

    def corrupt(self, toks):
        """Return the flag tokens made invalid in one way: a duplicate flag, an unknown (or
        other command's) letter, a bad numeric token, a token starting with a non-letter,
        an opaque token of 32 bytes or more (33 and up is an error), or over 20 tokens."""
        toks = list(toks)
        at = self.rng.randrange(len(toks) + 1)
        r = self.rng.random()
        if r < 0.25 and toks:
            toks.insert(at, toks[self.rng.randrange(len(toks))])
        elif r < 0.45:
            toks.insert(at, self.pick(ALPHA) + self.pick([b"", b"", b"1"]))
        elif r < 0.70:
            L = self.pick([b"C", b"N", b"R", b"T", b"F", b"D", b"J", b"M"])
            toks.insert(at, L + self.pick(BAD_NUMS))
        elif r < 0.78:
            toks.insert(at, self.pick([b"!x", b"#", b"=5", b"1"]))
        elif r < 0.90:
            toks = [t for t in toks if not (isinstance(t, bytes) and t[:1] == b"O")]
            toks.insert(at if at <= len(toks) else len(toks),
                        b"O" + b"p" * self.pick([31, 32, 33, 40]))
        else:
            extra = [b"O1", b"P", b"L", b"q", b"k", b"v", b"c", b"f", b"s", b"t", b"h", b"u",
                     b"l", b"T0", b"N1000", b"R30", b"F1", b"D1", b"J1", b"I", b"MS"]
            letters = {e[:1] for e in extra}
            toks = [t for t in toks if not (isinstance(t, bytes) and t[:1] in letters)]
            toks = extra[:self.rng.randint(16, 21)] + toks
        return toks

    # -- meta commands --

    def gen_mg(self):
        key_tok, need_b, key = self.meta_key()
        spec = {
            "v": (6, None), "c": (5, None), "t": (3, None), "f": (2, None), "s": (2, None),
            "k": (2, None), "h": (2, None), "l": (1, None), "q": (2, None), "u": (1, None),
            "O": (2, self.tok_opaque), "N": (3, self.tok_ttl), "R": (3, self.tok_recache),
            "T": (1.5, self.tok_ttl), "C": (1.5, self.tok_cas), "P": (0.3, None),
            "L": (0.3, None),
        }
        toks = avoid_known_differences(self.meta_flags(spec, 7, key), need_b)
        if need_b:
            toks.insert(self.rng.randrange(len(toks) + 1), b"b")
        if self.chance(0.15):
            toks = avoid_known_differences(self.corrupt(toks), need_b)
        return Cmd([b"mg", key_tok] + toks, key=key)

    def gen_ms(self):
        key_tok, need_b, key = self.meta_key()
        spec = {
            "c": (6, None), "k": (2, None), "q": (2, None), "O": (2, self.tok_opaque),
            "F": (3, self.tok_flags), "T": (3, self.tok_ttl), "C": (3, self.tok_cas),
            "I": (2, None), "M": (3, lambda L, k: b"M" + self.pick(MS_MODES)),
            "N": (1.5, self.tok_ttl), "s": (0.3, None), "v": (0.3, None), "f": (0.2, None),
            "t": (0.2, None), "u": (0.2, None), "h": (0.2, None), "l": (0.2, None),
        }
        toks = self.meta_flags(spec, 6, key)
        if need_b:
            toks.insert(self.rng.randrange(len(toks) + 1), b"b")
        if self.chance(0.12):
            toks = self.corrupt(toks)
        if b"I" in toks:
            self.own_key_cas(toks, key)
        mode = None
        for t in toks:
            if isinstance(t, bytes) and t[:1] == b"M":
                mode = t[1:]
        affix = mode in (b"A", b"P")
        data = self.pick(AFFIX_DATA if affix else DATA)
        if not affix and self.chance(0.05):
            data = b""
        r = self.rng.random()
        if r < 0.04 and len(data) >= 2 and len(data) < 1000:   # declared shorter: bad chunk
            datalen = b"%d" % (len(data) - self.rng.randint(1, 2))
        elif r < 0.07:                                         # bad datalen: no swallow
            data = self.pick(TEXT_DATA)
            datalen = self.pick([b"abc", b"-1", b"1x"])
        else:
            datalen = b"%d" % len(data)
        return Cmd([b"ms", key_tok, datalen] + toks, payload=data + b"\r\n", key=key)

    def gen_md(self):
        key_tok, need_b, key = self.meta_key()
        spec = {
            "q": (2, None), "k": (2, None), "O": (2, self.tok_opaque), "C": (3, self.tok_cas),
            "I": (4, None), "T": (2, self.tok_ttl),
        }
        toks = self.meta_flags(spec, 4, key)
        if need_b:
            toks.insert(self.rng.randrange(len(toks) + 1), b"b")
        if self.chance(0.12):
            toks = self.corrupt(toks)
        return Cmd([b"md", key_tok] + toks, key=key)

    def gen_ma(self):
        key_tok, need_b, key = self.meta_key()
        spec = {
            "v": (4, None), "c": (3, None), "t": (2, None), "k": (1, None), "q": (2, None),
            "O": (1.5, self.tok_opaque), "N": (3, self.tok_ttl), "J": (2, self.tok_init),
            "D": (3, self.tok_delta), "T": (1.5, self.tok_ttl), "C": (2, self.tok_cas),
            "M": (3, lambda L, k: b"M" + self.pick(MA_MODES)),
        }
        toks = avoid_known_differences(self.meta_flags(spec, 6, key), need_b, is_ma=True)
        if need_b:
            toks.insert(self.rng.randrange(len(toks) + 1), b"b")
        if self.chance(0.12):
            toks = avoid_known_differences(self.corrupt(toks), need_b, is_ma=True)
        return Cmd([b"ma", key_tok] + toks, key=key)

    def gen_me(self):
        key_tok, need_b, key = self.meta_key()
        toks = [b"me", key_tok]
        if need_b:
            toks.append(b"b")
        if self.chance(0.05):
            toks.append(self.pick([b"x", b"b", b"v"]))
        return Cmd(toks, key=key)

    # -- classic commands --

    def gen_get(self, verb):
        keys = [self.text_key() for _ in range(self.rng.randint(1, 3))]
        if self.chance(0.15):
            keys.append(b"mk_none")
        toks = [verb]
        if verb in (b"gat", b"gats"):
            toks.append(self.ttl() if self.chance(0.95) else self.pick([b"abc", b"-"]))
        key = keys[0] if len(keys) == 1 else None
        return Cmd(toks + keys, key=key)

    def gen_store(self, verb):
        key = self.text_key()
        affix = verb in (b"append", b"prepend")
        data = self.pick(AFFIX_DATA if affix else DATA)
        if not affix and self.chance(0.04):
            data = b""
        toks = [verb, key, self.pick(CLIENT_FLAGS), self.ttl()]
        r = self.rng.random()
        if r < 0.03 and 2 <= len(data) < 1000:                # declared shorter: bad chunk
            toks.append(b"%d" % (len(data) - self.rng.randint(1, 2)))
        elif r < 0.05:                                        # negative length: no swallow
            data = self.pick(TEXT_DATA)
            toks.append(b"-1")
        else:
            toks.append(b"%d" % len(data))
        if verb == b"cas":
            toks.append(Cas(b"", self.cas_value(key)))
        if self.chance(0.1):
            toks.append(b"noreply")
        return Cmd(toks, payload=data + b"\r\n", key=key)

    def gen_delete(self):
        key = self.text_key()
        toks = [b"delete", key]
        r = self.rng.random()
        if r < 0.1:
            toks.append(b"0")
        elif r < 0.15:
            toks.append(b"5")
        elif r < 0.3:
            toks.append(b"noreply")
        return Cmd(toks, key=key)

    def gen_arith(self, verb):
        key = self.text_key()
        delta = self.pick(DELTAS) if self.chance(0.85) else self.pick(BAD_NUMS[1:])
        toks = [verb, key, delta]
        if self.chance(0.1):
            toks.append(b"noreply")
        return Cmd(toks, key=key)

    def gen_touch(self):
        key = self.text_key()
        toks = [b"touch", key, self.ttl() if self.chance(0.95) else b"abc"]
        if self.chance(0.1):
            toks.append(b"noreply")
        return Cmd(toks, key=key)

    # -- steps --

    def gen_cmd(self):
        r = self.rng.random() * 100
        for limit, make in self._table:
            if r < limit:
                return make(self)
        return self.gen_mg()

    _weights = [
        (24, lambda s: s.gen_mg()), (16, lambda s: s.gen_ms()), (7, lambda s: s.gen_md()),
        (9, lambda s: s.gen_ma()), (4, lambda s: s.gen_me()),
        (2, lambda s: Cmd([b"mn"], mn=1)),
        (4, lambda s: s.gen_get(b"get")), (4, lambda s: s.gen_get(b"gets")),
        (2, lambda s: s.gen_get(b"gat")), (2, lambda s: s.gen_get(b"gats")),
        (5, lambda s: s.gen_store(b"set")), (2, lambda s: s.gen_store(b"add")),
        (2, lambda s: s.gen_store(b"replace")), (2, lambda s: s.gen_store(b"append")),
        (2, lambda s: s.gen_store(b"prepend")), (4, lambda s: s.gen_store(b"cas")),
        (3, lambda s: s.gen_delete()), (2, lambda s: s.gen_arith(b"incr")),
        (2, lambda s: s.gen_arith(b"decr")), (2, lambda s: s.gen_touch()),
    ]

    def next_step(self):
        if self.chance(0.7):
            return Step([self.gen_cmd()])
        cmds = []
        for _ in range(self.rng.randint(2, 4)):
            c = self.gen_cmd()
            # quiet mode is what pipelines are for: add q to most meta commands in them
            if c.tokens[0] in (b"mg", b"ms", b"md", b"ma") and len(c.tokens) > 1 \
                    and b"q" not in c.tokens and self.chance(0.6):
                c.tokens.append(b"q")
            if c.tokens[0] in ARITH:
                # 1.6.18 rewrites a shorter incr/decr result in place (space-padded) only
                # when nobody else holds the item, and a hit earlier in the same pipeline
                # holds it until the replies are written; slabd always pads (oracle.py
                # KNOWN_DIFFERENCES 4b). Arithmetic therefore leads its pipeline.
                cmds.insert(0, c)
            else:
                cmds.append(c)
        return Step(cmds)

    # -- learning CAS values from the reference's replies --

    def observe(self, step, items):
        keys = step.keys()
        only = keys[0] if len(set(keys)) == 1 and len(step.cmds) <= 3 else None
        for kind, data in items:
            if kind != "line":
                continue
            toks = data[:-2].split(b" ")
            key, cas = None, None
            if toks[0] == b"VALUE" and len(toks) == 5:
                key, cas = toks[1], int(toks[4])
            elif toks[0] in META_RC:
                b = b"b" in toks
                for t in toks[1:]:
                    if CAS_TOK.fullmatch(t):
                        cas = int(t[1:])
                    elif t[:1] == b"k":
                        key = t[1:]
                if key is not None and b:
                    try:
                        key = base64.b64decode(key, validate=True)
                    except ValueError:
                        key = None
                if key is None:
                    key = only
            elif toks[0] == b"ME":
                for t in toks:
                    if t.startswith(b"cas="):
                        cas = int(t[4:])
                key = only
            if cas is None:
                continue
            if key is not None:
                self.key_cas[key] = cas
                self.key_hist.setdefault(key, set()).add(cas)
            if cas not in self.pool:
                self.pool.append(cas)


Episode._table = []
_acc = 0
for _w, _f in Episode._weights:
    _acc += _w
    Episode._table.append((_acc * 100.0 / sum(w for w, _ in Episode._weights), _f))


# ---- reading and comparing replies -----------------------------------------------------

META_RC = {b"VA", b"HD", b"EN", b"NF", b"NS", b"EX", b"MN"}
CAS_TOK = re.compile(rb"c\d+")
TTL_TOK = re.compile(rb"t-?\d+")
LA_TOK = re.compile(rb"l\d+")


def read_reply(conn, n_mn, glue=(), timeout=2.0):
    """Read replies until the n_mn-th MN line. Data blocks of VA and VALUE lines are read
    by length; a line ending in one of `glue` (a raw key's bytes up to an embedded CRLF)
    is joined with the next. Returns (items, complete): items are ("line", bytes) /
    ("data", bytes) and, on a timeout or close, a final ("partial", bytes)."""
    items = []
    seen = 0
    try:
        while seen < n_mn:
            line = conn.recv_line(timeout)
            while any(line.endswith(g) for g in glue):
                line += conn.recv_line(timeout)
            items.append(("line", line))
            toks = line[:-2].split(b" ")
            n = None
            if toks[0] == b"VA" and len(toks) >= 2 and toks[1].isdigit():
                n = int(toks[1])
            elif toks[0] == b"VALUE" and len(toks) >= 4 and toks[3].isdigit():
                n = int(toks[3])
            if n is not None:
                items.append(("data", conn.recv_exact(n + 2, timeout)))
            elif line == b"MN\r\n":
                seen += 1
    except (OSError, ConnectionError) as e:   # socket.timeout is an OSError
        items.append(("partial", conn.buf + (" <%s>" % type(e).__name__).encode()))
        conn.buf = b""
        return items, False
    return items, True


def flatten(items):
    return b"".join(d for _, d in items)


class CasMap:
    """Bijection between side A's CAS values (logical) and side B's."""

    def __init__(self):
        self.a2b = {}
        self.b2a = {}

    def to_b(self, a):
        if a == 0 or a >= UNSEEN_CAS:
            return a
        return self.a2b.get(a, a)

    def bind(self, a, b):
        if a >= MAX_REAL_CAS or b >= MAX_REAL_CAS:
            return "CAS value %d/%d is too large for this harness (UNSEEN_CAS assumption)" \
                % (a, b)
        if self.a2b.get(a, b) != b:
            return "CAS mapping broken: A's %d was B's %d, now B says %d" % (a, self.a2b[a], b)
        if self.b2a.get(b, a) != a:
            return "CAS mapping broken: B's %d was A's %d, now A says %d" % (b, self.b2a[b], a)
        self.a2b[a] = b
        self.b2a[b] = a
        return None


def shape(line):
    """Split a reply line into (template, cas values, time values)."""
    if not line.endswith(b"\r\n"):
        return line, [], []
    toks = line[:-2].split(b" ")
    cas, times = [], []
    if toks[0] in META_RC:
        for i in range(2 if toks[0] == b"VA" else 1, len(toks)):
            t = toks[i]
            if CAS_TOK.fullmatch(t):
                cas.append(int(t[1:]))
                toks[i] = b"c<cas>"
            elif TTL_TOK.fullmatch(t):
                times.append(("t", int(t[1:])))
                toks[i] = b"t<ttl>"
            elif LA_TOK.fullmatch(t):
                times.append(("l", int(t[1:])))
                toks[i] = b"l<secs>"
    elif toks[0] == b"VALUE" and len(toks) == 5 and toks[4].isdigit():
        cas.append(int(toks[4]))
        toks[4] = b"<cas>"
    elif toks[0] == b"ME":
        kept = toks[:1]
        for t in toks[1:]:
            name, _, val = t.partition(b"=")
            if name in (b"cls", b"size"):
                continue                    # differ by design (slab classes, item header)
            if name == b"cas" and val.isdigit():
                cas.append(int(val))
                kept.append(b"cas=<cas>")
            elif name in (b"exp", b"la") and re.fullmatch(rb"-?\d+", val):
                times.append((name.decode(), int(val)))
                kept.append(name + b"=<secs>")
            else:
                kept.append(t)
        toks = kept
    return b" ".join(toks), cas, times


def times_close(ta, tb):
    for (na, va), (nb, vb) in zip(ta, tb):
        if na != nb:
            return False
        if (va == -1 or vb == -1) and va != vb:
            return False
        if abs(va - vb) > TIME_SLACK:
            return False
    return len(ta) == len(tb)


B64_KEY = re.compile(rb" k([A-Za-z0-9+/]+=*) b(?= |\r\n)")


def align_binary_keys(la, lb):
    """slabd keeps an item's base64-key mark where 1.6.18 drops it (items made by mg/ma
    N, append/prepend, an incr that outgrows the item; README "Differences" 12), so it
    prints `k<base64> b` and `ME <base64>` where memcached prints the raw key. Rewrite
    slabd's form into memcached's when it decodes to exactly the key memcached printed."""
    def decode(tok):
        try:
            return base64.b64decode(tok, validate=True)
        except (binascii.Error, ValueError):
            return None
    for m in list(B64_KEY.finditer(lb)):
        raw = decode(m.group(1))
        if raw is not None and b" k" + raw in la and m.group(0) not in la:
            lb = lb.replace(m.group(0), b" k" + raw, 1)
    if lb.startswith(b"ME ") and la.startswith(b"ME "):
        tok = lb[3:].split(b" ", 1)[0]
        raw = decode(tok)
        if raw is not None and la.startswith(b"ME " + raw + b" exp="):
            lb = b"ME " + raw + lb[3 + len(tok):]
    return lb


def compare(items_a, items_b, casmap):
    """None if the replies match (binding CAS pairs), else a reason string."""
    if len(items_a) != len(items_b):
        return "different number of reply lines/blocks (%d vs %d)" % (len(items_a),
                                                                     len(items_b))
    pairs = []
    for i, ((ka, da), (kb, db)) in enumerate(zip(items_a, items_b)):
        if ka != kb:
            return "reply part %d: %s vs %s" % (i, ka, kb)
        if ka != "line":
            if da != db:
                return "reply part %d (%s) differs" % (i, ka)
            continue
        sa, ca, ta = shape(da)
        sb, cb, tb = shape(align_binary_keys(da, db))
        if sa != sb or len(ca) != len(cb):
            return "reply line %d differs" % i
        if not times_close(ta, tb):
            return "reply line %d: times differ by more than %d s" % (i, TIME_SLACK)
        pairs += zip(ca, cb)
    for a, b in pairs:
        err = casmap.bind(a, b)
        if err:
            return err
    return None
