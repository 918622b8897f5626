#!/usr/bin/python3
"""Malformed meta commands (mg ms md ma mn me): exact reply bytes of memcached 1.6.18.

One class per kind of bad input. Every test plants a sentinel item first; afterwards the
server must be up, a fresh connection must be served and the sentinel must be intact
(tearDown: assert_healthy).

Reply strings of 1.6.18 for meta errors:
  mg/ms    the parser's own message (duplicate flag, invalid flag, bad token ..., ...)
  md/ma    every flag-parser error is "CLIENT_ERROR invalid or duplicate flag"
  ms       a flag error swallows <datalen>+2 bytes; a bad key or datalen does not
Errors are never hidden by q.
"""

import base64
import os
import random
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

from shared_server import SharedServerCase, stop_shared_servers   # noqa: E402

BADFMT = b"CLIENT_ERROR bad command line format\r\n"
BADCHUNK = b"CLIENT_ERROR bad data chunk\r\n"
DUP = b"CLIENT_ERROR duplicate flag\r\n"
INVALID = b"CLIENT_ERROR invalid flag\r\n"
INVALID_OR_DUP = b"CLIENT_ERROR invalid or duplicate flag\r\n"
BADTOKEN = b"CLIENT_ERROR bad token in command line format\r\n"
BAD_J = b"CLIENT_ERROR invalid numeric initial value\r\n"
BAD_D = b"CLIENT_ERROR invalid numeric delta value\r\n"
BAD_M_LEN = b"CLIENT_ERROR incorrect length for M token\r\n"
MS_MODE = b"CLIENT_ERROR invalid mode for ms M token\r\n"
MA_MODE = b"CLIENT_ERROR invalid mode for ma M token\r\n"
OPAQUE = b"CLIENT_ERROR opaque token too long\r\n"
DECODE = b"CLIENT_ERROR error decoding key\r\n"
MG_TOO_LONG = b"CLIENT_ERROR options flags are too long\r\n"
MS_TOO_LONG = b"CLIENT_ERROR options flags too long\r\n"     # ms md ma (no "are")
NONNUM = b"CLIENT_ERROR cannot increment or decrement non-numeric value\r\n"
SENTINEL_VA = b"VA 12\r\nintact-value\r\n"
K251 = b"k" * 251
O33 = b"O" + b"a" * 32          # 33-byte opaque token: one too long
O32 = b"O" + b"a" * 31


tearDownModule = stop_shared_servers


class MetaBadInputCase(SharedServerCase):
    def setUp(self):
        super().setUp()
        self.plant_sentinel()

    def tearDown(self):
        try:
            if self.server.alive():
                self.assert_healthy()
        finally:
            super().tearDown()

    def ms_swallows(self, line, reply):
        """`line` is an ms command line with datalen 4 whose flags are bad: the data block
        "mn\\r\\n" + CRLF (datalen+2 bytes) must be swallowed, so only `reply` comes back."""
        self.c.expect(line + b"\r\nmn\r\n\r\n", reply)

    def ms_does_not_swallow(self, line, reply):
        """`line` is rejected before its datalen is known: the data "mn" is a command."""
        self.c.expect(line + b"\r\nmn\r\n", reply + b"MN\r\n")

    def sentinel_unchanged(self):
        self.c.expect(b"mg sentinel v f t\r\n", b"VA 12 f7 t-1\r\nintact-value\r\n")


class DuplicateFlagTest(MetaBadInputCase):
    def test_mg(self):
        for flags in (b"v v", b"T1 T2", b"O1 O2", b"k k", b"q q", b"b b", b"N1 N1", b"vxyz v"):
            self.c.expect(b"mg sentinel " + flags + b"\r\n", DUP)
        self.c.expect(b"mg nope q q\r\n", DUP)

    def test_mg_duplicate_on_hit_changes_nothing(self):
        self.c.expect(b"mg sentinel T-1 T-1\r\n", DUP)
        self.c.expect(b"mg sentinel v h\r\n", b"VA 12 h0\r\nintact-value\r\n")

    def test_duplicate_beats_other_errors(self):
        self.c.expect(b"mg foo Tx v v\r\n", DUP)
        self.c.expect(b"mg foo v v Tx\r\n", DUP)

    def test_ms_swallows(self):
        self.ms_swallows(b"ms sentinel 4 T1 T1", DUP)
        self.ms_swallows(b"ms sentinel 4 c c", DUP)
        self.ms_swallows(b"ms sentinel 4 q q", DUP)
        self.sentinel_unchanged()

    def test_md_ma(self):
        self.c.expect(b"md sentinel q q\r\n", INVALID_OR_DUP)
        self.c.expect(b"md sentinel k O1 k\r\n", INVALID_OR_DUP)
        self.c.expect(b"ma sentinel q q\r\n", INVALID_OR_DUP)
        self.c.expect(b"ma n N0 N0\r\n", INVALID_OR_DUP)
        self.c.expect(b"mg n\r\n", b"EN\r\n")


class HighByteFlagTest(MetaBadInputCase):
    """1.6.18 reports a flag starting with a byte >= 0x7f as a duplicate flag."""

    def test_mg_ms(self):
        for b in (b"\x7f", b"\x80", b"\xff", b"\xc3\xa9"):
            self.c.expect(b"mg sentinel " + b + b"\r\n", DUP)
            self.ms_swallows(b"ms sentinel 4 " + b, DUP)
        self.sentinel_unchanged()

    def test_md_ma(self):
        for b in (b"\x7f", b"\x80", b"\xff"):
            self.c.expect(b"md sentinel " + b + b"\r\n", INVALID_OR_DUP)
            self.c.expect(b"ma sentinel " + b + b"\r\n", INVALID_OR_DUP)


class UnknownFlagTest(MetaBadInputCase):
    # not a flag in 1.6.18 (E and x are tested in test_meta.MetaVariantTest)
    LETTERS = b"adegijmnoprwyzABGHKQSUVWXYZ"

    def test_mg(self):
        for ch in self.LETTERS:
            with self.subTest(flag=chr(ch)):
                self.c.expect(b"mg sentinel v %c\r\n" % ch, INVALID)
        self.c.expect(b"mg nope k zz\r\n", INVALID)

    def test_ms_swallows(self):
        for ch in b"agnzW":
            self.ms_swallows(b"ms sentinel 4 %c" % ch, INVALID)
        self.ms_swallows(b"ms sentinel 4 x", INVALID)      # x is a flag of md only (slabd)
        self.sentinel_unchanged()

    def test_md_ma(self):
        for ch in b"agnzW":
            self.c.expect(b"md sentinel %c\r\n" % ch, INVALID_OR_DUP)
        for ch in b"agnxzW":      # x is a flag of md only (slabd), never of ma
            self.c.expect(b"ma sentinel %c\r\n" % ch, INVALID_OR_DUP)
        self.sentinel_unchanged()

    def test_E_on_md_and_ma(self):
        # E<cas> on md/ma is not in slabd's list of post-1.6.18 flags: 1.6.18's reply
        self.c.expect(b"md sentinel E5\r\n", INVALID_OR_DUP)
        self.c.expect(b"ma n N0 E5\r\n", INVALID_OR_DUP)
        self.sentinel_unchanged()

    def test_unknown_flag_after_valid_ones_stops_everything(self):
        self.c.expect(b"mg n N30 T30 w\r\n", INVALID)
        self.c.expect(b"mg n\r\n", b"EN\r\n")
        self.c.expect(b"ma n N0 w\r\n", INVALID_OR_DUP)
        self.c.expect(b"mg n\r\n", b"EN\r\n")


class NonAlphanumericFlagTest(MetaBadInputCase):
    """1.6.18: a flag token starting with a punctuation, digit or control byte is an
    invalid flag (the 1.6.45 reference says bad command line format)."""
    FIRST = (b"!", b"#", b"-", b"@", b".", b"=", b"1", b"9", b"\x01", b"\x1b", b"\t", b"\r")

    def test_mg(self):
        for b in self.FIRST:
            with self.subTest(first=b):
                self.c.expect(b"mg sentinel " + b + b"\r\n", INVALID)
                self.c.expect(b"mg sentinel v " + b + b"v\r\n", INVALID)

    def test_ms_swallows(self):
        for b in (b"!", b"-1", b"9", b"\x01"):
            self.ms_swallows(b"ms sentinel 4 " + b, INVALID)
        self.sentinel_unchanged()

    def test_md_ma(self):
        for b in (b"!", b"-", b"1", b"\x01"):
            self.c.expect(b"md sentinel " + b + b"\r\n", INVALID_OR_DUP)
            self.c.expect(b"ma sentinel " + b + b"\r\n", INVALID_OR_DUP)


class GarbageTokenTest(MetaBadInputCase):
    def test_suffix_of_a_return_flag_is_ignored(self):
        self.c.expect(b"mg sentinel vGARBAGE kx\r\n", b"VA 12 ksentinel\r\nintact-value\r\n")
        self.c.expect(b"md nope qzzz\r\nmn\r\n", b"NF\r\nMN\r\n")

    def test_nul_byte_ends_the_line(self):
        # 1.6.18 tokenizes the line as a C string: bytes after a NUL are ignored
        self.c.expect(b"mg sentinel v\x00garbage\r\n", SENTINEL_VA)
        self.c.expect(b"mg sentinel \x00v\r\n", b"HD\r\n")

    def test_tab_is_part_of_the_key(self):
        self.c.expect(b"mg sentinel\tv\r\n", b"EN\r\n")

    def test_random_meta_lines(self):
        """Seeded random meta lines (real flags, junk tokens, odd numbers, long keys) on
        several connections; no reply asserted, the server must stay up and mn answer."""
        rng = random.Random(int(os.environ.get("T_META_SOUP_SEED", "18061")))
        cmds = [b"mg", b"md", b"ma", b"me", b"mn", b"ms"]
        flags = [b"v", b"k", b"c", b"f", b"s", b"t", b"h", b"l", b"u", b"q", b"b", b"I", b"x",
                 b"E1", b"N30", b"T-1", b"R30", b"C1", b"F5", b"J7", b"D3", b"MA", b"MX",
                 b"M", b"O" + b"o" * 40, b"Oab", b"T", b"Nx", b"!", b"\xff", b"99", b"zz"]
        keys = [b"soup1", b"soup2", b"Zm9v", b"####", b"k" * 250, K251, b"n"]
        for _ in range(3):
            c = self.connect()
            script = b""
            for _ in range(300):
                cmd = rng.choice(cmds)
                toks = [cmd, rng.choice(keys)]
                if cmd == b"ms":
                    toks.append(rng.choice([b"2", b"0", b"-1", b"x", b"5"]))
                toks += [rng.choice(flags) for _ in range(rng.randrange(0, 6))]
                script += b" ".join(toks) + b"\r\n"
                if cmd == b"ms":
                    script += rng.choice([b"hi\r\n", b"hiXX", b"12345\r\n", b""])
            script += b"mn\r\n" * 3
            c.send(script)
            c.recv_available(0.3)
            c.close()
        c = self.connect()
        c.expect(b"mn\r\n", b"MN\r\n")
        self.sentinel_unchanged()


class BadNumericTokenTest(MetaBadInputCase):
    def test_mg_T_N_R_C(self):
        for flag in (b"T", b"N", b"R"):
            for v in (b"", b"abc", b"1x", b"x1", b"1.5"):
                with self.subTest(token=flag + v):
                    self.c.expect(b"mg sentinel " + flag + v + b"\r\n", BADTOKEN)
        for v in (b"", b"abc", b"-1", b"18446744073709551616", b"1x"):
            with self.subTest(token=b"C" + v):
                self.c.expect(b"mg sentinel C" + v + b"\r\n", BADTOKEN)
        self.sentinel_unchanged()

    def test_mg_F_has_the_generic_message(self):
        for v in (b"", b"x", b"-1", b"1x"):
            self.c.expect(b"mg sentinel F" + v + b"\r\n", BADFMT)

    def test_mg_J_D_M(self):
        for v in (b"", b"x", b"-1", b"18446744073709551616"):
            self.c.expect(b"mg sentinel J" + v + b"\r\n", BAD_J)
            self.c.expect(b"mg sentinel D" + v + b"\r\n", BAD_D)
        for m in (b"M", b"MEE", b"MAB"):
            self.c.expect(b"mg sentinel " + m + b"\r\n", BAD_M_LEN)

    def test_last_message_wins(self):
        self.c.expect(b"mg foo Tx Jx\r\n", BAD_J)
        self.c.expect(b"mg foo Jx Tx\r\n", BADTOKEN)
        self.c.expect(b"mg foo Fx Tx\r\n", BADTOKEN)
        self.c.expect(b"mg foo Tx Fx\r\n", BADTOKEN)

    def test_bad_numbers_on_a_hit_change_nothing(self):
        self.c.expect(b"mg sentinel T-1 Nx\r\n", BADTOKEN)
        self.c.expect(b"mg sentinel Tx\r\n", BADTOKEN)
        self.sentinel_unchanged()
        self.c.expect(b"mg new N30 Rx\r\n", BADTOKEN)
        self.c.expect(b"mg new\r\n", b"EN\r\n")

    def test_ms_swallows(self):
        for tok, reply in ((b"Tx", BADTOKEN), (b"T", BADTOKEN), (b"Nx", BADTOKEN),
                           (b"Rx", BADTOKEN), (b"Cx", BADTOKEN), (b"C-1", BADTOKEN),
                           (b"Fx", BADFMT), (b"F-1", BADFMT), (b"F", BADFMT),
                           (b"Jx", BAD_J), (b"Dx", BAD_D), (b"M", BAD_M_LEN), (b"MSS", BAD_M_LEN)):
            with self.subTest(token=tok):
                self.ms_swallows(b"ms sentinel 4 " + tok, reply)
        self.sentinel_unchanged()

    def test_md_ma(self):
        for tok in (b"Tx", b"Nx", b"Rx", b"Cx", b"C-1", b"Fx", b"Jx", b"J-1", b"Dx", b"D-1",
                    b"D18446744073709551616", b"M", b"MII"):
            with self.subTest(token=tok):
                self.c.expect(b"md sentinel " + tok + b"\r\n", INVALID_OR_DUP)
                self.c.expect(b"ma sentinel " + tok + b"\r\n", INVALID_OR_DUP)
        self.sentinel_unchanged()

    def test_q_does_not_hide_them(self):
        self.c.expect(b"mg foo q Tx\r\n", BADTOKEN)
        self.c.expect(b"md foo q Tx\r\n", INVALID_OR_DUP)
        self.c.expect(b"ma foo q Tx\r\n", INVALID_OR_DUP)
        self.ms_swallows(b"ms foo 4 q Tx", BADTOKEN)


class InvalidModeTest(MetaBadInputCase):
    def test_ms_swallows(self):
        for m in (b"MX", b"Ms", b"Me", b"Ma", b"M1", b"M-"):
            self.ms_swallows(b"ms sentinel 4 " + m, MS_MODE)
        self.ms_swallows(b"ms sentinel 4 q MX", MS_MODE)
        self.sentinel_unchanged()

    def test_ms_invalid_mode_beats_oversized_opaque(self):
        self.ms_swallows(b"ms sentinel 4 MX " + O33, MS_MODE)
        self.ms_swallows(b"ms sentinel 4 " + O33 + b" MX", MS_MODE)

    def test_ma(self):
        for m in (b"MX", b"Md", b"Mi", b"M*"):
            self.c.expect(b"ma sentinel " + m + b"\r\n", MA_MODE)
            self.c.expect(b"ma nope q " + m + b"\r\n", MA_MODE)
        self.c.expect(b"ma n N0 MX\r\n", MA_MODE)
        self.c.expect(b"mg n\r\n", b"EN\r\n")

    def test_mode_flag_is_ignored_by_mg_and_md(self):
        self.c.expect(b"mg sentinel MX v\r\n", SENTINEL_VA)
        self.c.expect(b"md nope MX\r\n", b"NF\r\n")


class TooManyTokensTest(MetaBadInputCase):
    MG17 = b"v f t s c k h l u O1 P L N30 R30 T0 I F0"   # 17 flags: 19 tokens, the maximum

    def test_mg_boundary(self):
        self.c.send(b"mg sentinel " + self.MG17 + b"\r\n")
        line = self.c.recv_line()
        self.assertTrue(line.startswith(b"VA 12 f7 t-1 s12 c"), line)
        self.assertTrue(line.endswith(b" ksentinel h0 l0 O1\r\n") or
                        line.endswith(b" ksentinel h0 l1 O1\r\n"), line)
        self.assertEqual(self.c.recv_exact(14), b"intact-value\r\n")
        self.c.sync()
        self.c.expect(b"mg sentinel " + self.MG17 + b" J1\r\n", MG_TOO_LONG)

    def test_mg_far_too_many(self):
        flags = b" ".join(b"%c" % ch for ch in b"abcdefghijklmnopqrstuvwxyz")
        self.c.expect(b"mg sentinel " + flags + b"\r\n", MG_TOO_LONG)
        self.c.expect(b"mg sentinel " + b"v " * 40 + b"\r\n", MG_TOO_LONG)
        self.c.expect(b"mg nope q " + b"v " * 40 + b"\r\n", MG_TOO_LONG)

    def test_ms_does_not_swallow(self):
        flags16 = b"t s c k q h l u O1 P L N30 R30 T0 I F7"
        self.c.expect(b"ms sentinel 12 " + flags16 + b"\r\nintact-value\r\nmn\r\n", b"MN\r\n")
        self.ms_does_not_swallow(b"ms sentinel 2 " + flags16 + b" J1", MS_TOO_LONG)
        self.ms_does_not_swallow(b"ms sentinel 2 " + b"v " * 30, MS_TOO_LONG)
        self.sentinel_unchanged()

    def test_md_ma(self):
        flags17 = b"f t s c k q h l u O1 P L N30 R30 T30 I J1"
        self.c.expect(b"md nope " + flags17 + b"\r\n", b"NF knope O1\r\n")
        self.c.expect(b"md sentinel " + flags17 + b" D1\r\n", MS_TOO_LONG)
        self.c.expect(b"ma sentinel " + flags17 + b" D1\r\n", MS_TOO_LONG)
        self.c.expect(b"ma sentinel q " + b"v " * 30 + b"\r\n", MS_TOO_LONG)
        self.sentinel_unchanged()

    def test_me_ignores_extra_tokens(self):
        self.c.expect(b"me nope " + b"x " * 40 + b"\r\n", b"EN\r\n")


class OversizedOpaqueTest(MetaBadInputCase):
    def test_mg_hit_and_miss(self):
        self.c.expect(b"mg sentinel v " + O33 + b"\r\n", OPAQUE)
        self.c.expect(b"mg nope " + O33 + b"\r\n", OPAQUE)
        self.c.expect(b"mg nope q " + O33 + b"\r\n", OPAQUE)
        self.c.expect(b"mg sentinel " + O32 + b"\r\n", b"HD " + O32 + b"\r\n")
        self.c.expect(b"mg sentinel O" + b"a" * 200 + b"\r\n", OPAQUE)

    def test_ms_swallows(self):
        self.ms_swallows(b"ms sentinel 4 " + O33, OPAQUE)
        self.ms_swallows(b"ms sentinel 4 q k c " + O33, OPAQUE)
        self.sentinel_unchanged()

    def test_md_does_not_delete(self):
        self.c.expect(b"md sentinel " + O33 + b"\r\n", OPAQUE)
        self.c.expect(b"md sentinel q " + O33 + b"\r\n", OPAQUE)
        self.c.expect(b"md nope " + O33 + b"\r\n", OPAQUE)
        self.sentinel_unchanged()

    def test_ma(self):
        self.store(b"n", b"5")
        self.c.expect(b"ma n " + O33 + b"\r\n", OPAQUE)
        self.c.expect(b"ma nope " + O33 + b"\r\n", OPAQUE)
        # 1.6.18 applies the increment before it looks at O
        self.c.expect(b"mg n v\r\n", b"VA 1\r\n6\r\n")

    def test_autovivify_happens_before_the_error(self):
        # 1.6.18: N creates the item before O is checked; T/N after the bad O are not applied
        self.c.expect(b"mg a N30 " + O33 + b"\r\n", OPAQUE)
        self.c.send(b"mg a v t\r\n")
        self.assertIn(self.c.recv_line(), (b"VA 0 t30\r\n", b"VA 0 t29\r\n"))
        self.assertEqual(self.c.recv_exact(2), b"\r\n")
        self.c.sync()
        self.c.expect(b"mg b " + O33 + b" N30\r\n", OPAQUE)
        self.c.expect(b"mg b v t\r\n", b"VA 0 t-1\r\n\r\n")
        self.c.expect(b"ma c N0 J5 " + O33 + b"\r\n", OPAQUE)
        self.c.expect(b"mg c v\r\n", b"VA 1\r\n5\r\n")


class Base64KeyTest(MetaBadInputCase):
    BAD = (b"####", b"Zm9", b"Zm9v=", b"Zg", b"====", b"Zm9vYg", b"Zm9v!A==", b"sentinel=")

    def test_mg(self):
        for key in self.BAD:
            with self.subTest(key=key):
                self.c.expect(b"mg " + key + b" b\r\n", DECODE)
                self.c.expect(b"mg " + key + b" b q k v\r\n", DECODE)

    def test_mg_key_that_is_not_base64_at_all(self):
        self.c.expect(b"mg foo v k b\r\n", DECODE)

    def test_ms_swallows(self):
        for key in (b"####", b"Zm9", b"sentine"):
            self.ms_swallows(b"ms " + key + b" 4 b", DECODE)
        self.sentinel_unchanged()

    def test_md_ma(self):
        for key in (b"####", b"Zm9", b"Zg"):
            self.c.expect(b"md " + key + b" b\r\n", INVALID_OR_DUP)
            self.c.expect(b"ma " + key + b" b N0\r\n", INVALID_OR_DUP)

    def test_me(self):
        self.c.expect(b"me #### b\r\n", BADFMT)
        self.c.expect(b"me sentine b\r\n", BADFMT)
        self.c.expect(b"me sentinel b\r\n", b"EN\r\n")       # valid base64 (6 bytes)
        self.c.expect(b"me #### b more\r\n", BADFMT)

    def test_valid_base64_keys(self):
        # the sentinel's key in base64 finds it; other valid base64 is an honest miss
        enc = base64.b64encode(b"sentinel")
        self.c.expect(b"mg " + enc + b" b v\r\n", SENTINEL_VA)
        self.c.expect(b"md c2VudGluZWx4 b\r\n", b"NF\r\n")


class KeyTooLongTest(MetaBadInputCase):
    def test_mg_md_ma_me(self):
        for line in (b"mg " + K251, b"mg " + K251 + b" v", b"mg " + K251 + b" q",
                     b"md " + K251, b"md " + K251 + b" q", b"ma " + K251 + b" N0 q",
                     b"me " + K251, b"me " + K251 + b" b", b"mg " + b"k" * 5000 + b" v"):
            with self.subTest(line=line[:20]):
                self.c.expect(line + b"\r\n", BADFMT)

    def test_ms_does_not_swallow(self):
        # 1.6.18 rejects the key before reading datalen: the data block is a command
        self.ms_does_not_swallow(b"ms " + K251 + b" 2", BADFMT)
        self.ms_does_not_swallow(b"ms " + K251 + b" 2 q T0", BADFMT)
        self.ms_does_not_swallow(b"ms " + K251 + b" 2 MX", BADFMT)

    def test_key_too_long_beats_bad_flags(self):
        self.c.expect(b"mg " + K251 + b" v v\r\n", BADFMT)
        self.c.expect(b"md " + K251 + b" !\r\n", BADFMT)


class MissingKeyTest(MetaBadInputCase):
    def test_mg_ms_md_ma(self):
        for cmd in (b"mg", b"ms", b"md", b"ma", b"mg ", b"ms   "):
            with self.subTest(cmd=cmd):
                self.c.expect(cmd + b"\r\n", b"ERROR\r\n")

    def test_me(self):
        self.c.expect(b"me\r\n", BADFMT)
        self.c.expect(b"me \r\n", BADFMT)


class MsDatalenTest(MetaBadInputCase):
    """A missing, negative, non-numeric or too big datalen is rejected before the flags:
    nothing is swallowed (the data block is parsed as commands)."""

    def test_missing_datalen(self):
        self.c.expect(b"ms sentinel\r\n", BADFMT)
        self.ms_does_not_swallow(b"ms sentinel T30", BADFMT)
        self.ms_does_not_swallow(b"ms sentinel q", BADFMT)

    def test_bad_datalen(self):
        for n in (b"-1", b"abc", b"2abc", b"2.0", b"0x2", b"2147483646", b"2147483647",
                  b"99999999999999999999", b"-2147483648"):
            with self.subTest(datalen=n):
                self.ms_does_not_swallow(b"ms sentinel " + n, BADFMT)
                self.ms_does_not_swallow(b"ms sentinel " + n + b" q T0 MX", BADFMT)
        self.sentinel_unchanged()

    def test_datalen_minus_zero_is_zero(self):
        self.c.expect(b"ms z -0\r\n\r\n", b"HD\r\n")
        self.c.expect(b"mg z s\r\n", b"HD s0\r\n")

    def test_flag_errors_swallow_datalen_plus_2(self):
        data = b"mg sentinel v\r\n" * 3 + b"ms x 1\r\n"     # looks like commands
        self.c.expect(b"ms sentinel %d Tx\r\n" % len(data) + data + b"\r\n", BADTOKEN)
        self.c.expect(b"ms sentinel %d MX\r\n" % len(data) + data + b"\r\n", MS_MODE)
        self.sentinel_unchanged()

    def test_swallow_of_data_arriving_later(self):
        c = self.connect()
        c.send(b"ms sentinel 10 Tx\r\n")
        c.send(b"mn\r\nmn")
        c.send(b"\r\nmn")
        c.expect(b"\r\n", BADTOKEN)
        self.sentinel_unchanged()

    def test_swallow_with_zero_datalen(self):
        self.c.expect(b"ms sentinel 0 Tx\r\n\r\nmn\r\n", BADTOKEN + b"MN\r\n")


class BadDataChunkTest(MetaBadInputCase):
    def test_wrong_terminator(self):
        self.c.expect(b"ms sentinel 12\r\nintact-valueXXmn\r\n", BADCHUNK + b"MN\r\n")
        self.c.expect(b"ms sentinel 12\r\nintact-value\n\nmn\r\n", BADCHUNK + b"MN\r\n")
        self.sentinel_unchanged()

    def test_q_does_not_hide_it(self):
        self.c.expect(b"ms sentinel 12 q\r\nintact-valueXXmn\r\n", BADCHUNK + b"MN\r\n")
        self.c.expect(b"ms new 2 q k O1 c\r\nhiXX", BADCHUNK)
        self.c.expect(b"mg new\r\n", b"EN\r\n")

    def test_short_data_eats_the_next_command(self):
        # datalen 5 but only "hi\r\n" sent: "hi\r\nmn\r" are the 7 bytes, "\n" is then an
        # empty line and the second "mn" a command
        self.c.expect(b"ms sentinel 5\r\nhi\r\nmn\r\nmn\r\n", BADCHUNK + b"ERROR\r\nMN\r\n")
        self.sentinel_unchanged()

    def test_long_data_leftover_is_a_command(self):
        self.c.expect(b"ms new 2\r\nhimg sentinel v\r\n", BADCHUNK + b"ERROR\r\n")
        self.c.expect(b"ms new 2\r\nhiXmg sentinel v\r\n", BADCHUNK + b"ERROR\r\n")
        self.c.expect(b"mg new\r\n", b"EN\r\n")

    def test_modes_and_cas(self):
        for flags in (b"MA", b"MP", b"MR", b"ME", b"C1", b"I C1"):
            self.c.expect(b"ms sentinel 2 " + flags + b"\r\nhiXX", BADCHUNK)
        self.sentinel_unchanged()


class MnExtraTokensTest(MetaBadInputCase):
    def test_extra_tokens_are_ignored(self):
        self.c.expect(b"mn foo bar\r\n", b"MN\r\n")
        self.c.expect(b"mn noreply\r\n", b"MN\r\n")
        self.c.expect(b"mn " + b"x " * 40 + b"\r\n", b"MN\r\n")
        self.c.expect(b"mn \x01\xff\r\n", b"MN\r\n")

    def test_mn_lookalikes(self):
        for line in (b"mnx", b"MN", b"Mn", b"m n", b"mn\x00"):
            with self.subTest(line=line):
                want = b"MN\r\n" if line == b"mn\x00" else b"ERROR\r\n"
                self.c.expect(line + b"\r\n", want)


class UnknownMetaCommandTest(MetaBadInputCase):
    def test_unknown_two_letter_m_commands(self):
        for cmd in (b"mx", b"mz", b"mG", b"Mg", b"MG", b"mgg", b"m", b"msx", b"mea"):
            with self.subTest(cmd=cmd):
                self.c.expect(cmd + b" sentinel v\r\n", b"ERROR\r\n")


class NoreplyTokenTest(MetaBadInputCase):
    """Meta commands have no noreply token; 'noreply' is a flag starting with 'n'."""

    def test_mg_ms(self):
        self.c.expect(b"mg sentinel v noreply\r\n", INVALID)
        self.c.expect(b"mg nope noreply\r\n", INVALID)
        self.ms_swallows(b"ms sentinel 4 noreply", INVALID)
        self.sentinel_unchanged()

    def test_md_ma(self):
        self.c.expect(b"md sentinel noreply\r\n", INVALID_OR_DUP)
        self.c.expect(b"ma sentinel noreply\r\n", INVALID_OR_DUP)
        self.sentinel_unchanged()

    def test_me_and_mn(self):
        self.c.expect(b"me nope noreply\r\n", b"EN\r\n")
        self.c.expect(b"mn noreply\r\n", b"MN\r\n")


class QuietErrorTest(MetaBadInputCase):
    """q hides only nominal replies: errors always come back."""

    def test_errors_with_q(self):
        for line, reply in ((b"mg nope q v v", DUP), (b"mg nope q w", INVALID),
                            (b"mg " + K251 + b" q", BADFMT), (b"mg nope q " + O33, OPAQUE),
                            (b"md nope q w", INVALID_OR_DUP), (b"md nope q " + O33, OPAQUE),
                            (b"ma nope q w", INVALID_OR_DUP), (b"ma nope q MX", MA_MODE),
                            (b"mg #### b q", DECODE)):
            with self.subTest(line=line[:30]):
                self.c.expect(line + b"\r\n", reply)

    def test_non_numeric_with_q(self):
        self.c.expect(b"ma sentinel q\r\n", NONNUM)
        self.sentinel_unchanged()

    def test_ms_errors_with_q(self):
        self.ms_swallows(b"ms sentinel 4 q w", INVALID)
        self.ms_does_not_swallow(b"ms sentinel x q", BADFMT)
        self.c.expect(b"ms sentinel 2 q\r\nhiXX", BADCHUNK)
        self.sentinel_unchanged()


if __name__ == "__main__":
    unittest.main()
