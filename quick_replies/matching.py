"""Matching one typed token: how well it fits one phrase, and which phrases to try."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from quick_replies.entry import PhraseEntry
from quick_replies.shard import SEP, Shard, Visible, bits, title_candidates

#: At most this many candidates are ranked for one token.
CAP = 150
#: Bodies are scanned only while titles and codes gave fewer candidates than this (a body
#: match always ranks below a title match, and the agent looks at the first few).
BODY_WHEN_FEWER = 3


@dataclass(slots=True)
class TokenMatch:
    score: float
    kinds: list[str]
    spans: list[tuple[str, int, int]]
    #: scored by ``token_score`` only: why and where it matched is worked out for shown rows
    token: tuple[str, bool] | None = None


def _grade(hay: str, tok: str, min_sub: int, offsets: Sequence[int] | None = None) -> tuple[int, int]:
    """0 exact, 1 prefix, 2 substring (at a syllable start when ``offsets`` given), -1 none."""
    if hay == tok:
        return 0, 0
    if hay.startswith(tok):
        return 1, 0
    if len(tok) < min_sub:
        return -1, -1
    at = hay.find(tok)
    if offsets is not None:
        while at > 0 and offsets[at] == offsets[at - 1]:
            at = hay.find(tok, at + 1)
    return (2, at) if at >= 0 else (-1, -1)


def _pinyin_span(offsets: Sequence[int], at: int, n: int) -> tuple[int, int]:
    return offsets[at], offsets[at + n - 1] + 1


def match_token(e: PhraseEntry, tok: str, is_ascii: bool) -> TokenMatch | None:
    """How well one typed token matches one phrase (``None`` if it does not)."""
    n = len(tok)
    best = 0.0
    kinds: list[str] = []
    spans: list[tuple[str, int, int]] = []

    def hit(score: float, kind: str, where: str, span: tuple[int, int]) -> None:
        nonlocal best
        best = max(best, score)
        if kind not in kinds:
            kinds.append(kind)
        spans.append((where, *span))

    if is_ascii:
        if e.code == tok:
            hit(100, "code", "code", (0, n))
        elif e.code.startswith(tok):
            hit(90 - min(len(e.code) - n, 9) * 0.1, "code", "code", (0, n))
        grade, at = _grade(e.t_ini, tok, 2)
        if grade >= 0:
            hit((80, 76, 68)[grade], "pinyin_initials", "title", _pinyin_span(e.t_ini_off, at, n))
        grade, at = _grade(e.t_full, tok, 3, e.t_full_off)
        if grade >= 0:
            hit((80, 76, 66)[grade], "pinyin", "title", _pinyin_span(e.t_full_off, at, n))
    grade, at = _grade(e.t_fold, tok, 1)
    if grade >= 0:
        hit((82, 78, 72)[grade], "title", "title", (at, at + n))
    if n >= 2 or not is_ascii:
        at = e.b_fold.find(tok)
        if at >= 0:
            hit(50, "body", "body", (at, at + n))
    if is_ascii and n >= 3:
        grade, at = _grade(e.b_ini, tok, 3)
        if grade >= 0:
            hit(46, "pinyin_initials", "body", _pinyin_span(e.b_ini_off, at, n))
    if is_ascii and n >= 4:
        grade, at = _grade(e.b_full, tok, 4, e.b_full_off)
        if grade >= 0:
            hit(46, "pinyin", "body", _pinyin_span(e.b_full_off, at, n))
    return TokenMatch(best, kinds, spans) if kinds else None


def token_score(e: PhraseEntry, tok: str, is_ascii: bool) -> float:
    """``match_token(e, tok, is_ascii).score`` (0 for no match) without its spans and kinds,
    and without reading the body when the code or title matched: for ranking many candidates."""
    n = len(tok)
    best = 0.0
    if is_ascii:
        if e.code == tok:
            return 100.0
        if e.code.startswith(tok):
            best = 90 - min(len(e.code) - n, 9) * 0.1
        grade = _grade(e.t_ini, tok, 2)[0]
        if grade >= 0:
            best = max(best, (80, 76, 68)[grade])
        if best < 80:
            grade = _grade(e.t_full, tok, 3, e.t_full_off)[0]
            if grade >= 0:
                best = max(best, (80, 76, 66)[grade])
    if best < 82:
        grade = _grade(e.t_fold, tok, 1)[0]
        if grade >= 0:
            best = max(best, (82, 78, 72)[grade])
    if best:
        return best
    if (n >= 2 or not is_ascii) and tok in e.b_fold:
        return 50.0
    if is_ascii and n >= 3 and _grade(e.b_ini, tok, 3)[0] >= 0:
        return 46.0
    if is_ascii and n >= 4 and _grade(e.b_full, tok, 4, e.b_full_off)[0] >= 0:
        return 46.0
    return 0.0


# --------------------------------------------------------------------------- #
# Candidate slots from the shard's long strings
# --------------------------------------------------------------------------- #


def _find_all(shard: Shard, name: str, needle: str, visible: Visible, out: set[int], cap: int) -> None:
    text, starts = shard.texts[name], shard.starts[name]
    last = len(starts) - 1
    at = text.find(needle)
    while at >= 0 and len(out) < cap:
        slot = bisect_right(starts, at) - 1
        if slot not in out and visible(slot):
            out.add(slot)
        if slot >= last:
            break
        at = text.find(needle, starts[slot + 1])


def scan(
    shard: Shard,
    tok: str,
    is_ascii: bool,
    visible: Visible,
    cap: int = CAP,
    need: int | None = None,
    bodies: bool = True,
) -> set[int]:
    """Slots of visible phrases that ``tok`` can match: code and title prefixes first, then
    title substrings, then (only while fewer than ``need`` were found) the bodies."""
    out: set[int] = set()
    need = cap if need is None else need
    if is_ascii:
        codes = shard.codes
        i = bisect_left(codes, (tok, -1))
        while i < len(codes) and codes[i][0].startswith(tok) and len(out) < cap:
            if visible(codes[i][1]):
                out.add(codes[i][1])
            i += 1
    few = title_candidates(shard, tok, is_ascii)
    if few is not None and few.bit_count() <= cap:  # a telling token: check its few titles directly
        entries = shard.entries
        for slot in bits(few):
            e = entries[slot]
            if e is not None and _title_holds(e, tok, is_ascii) and visible(slot):
                out.add(slot)
        titles: list[tuple[str, int]] = []
        body_fields = [("ba", 2)] if is_ascii else [("b", 1)]
    elif is_ascii:
        if len(tok) < 3:  # many hits likely: collect title prefixes before any substring
            for name in ("ti", "tf", "t"):
                _find_all(shard, name, SEP + tok, visible, out, cap)
        titles, body_fields = [("ti", 2), ("tf", 3), ("ta", 1)], [("ba", 2)]
    else:
        if len(tok) < 3:
            _find_all(shard, "t", SEP + tok, visible, out, cap)
        titles, body_fields = [("t", 1)], [("b", 1)]
    for name, shortest in titles:
        if len(tok) >= shortest and len(out) < cap:
            _find_all(shard, name, tok, visible, out, cap)
    for name, shortest in body_fields if bodies else ():
        if len(tok) >= shortest and len(out) < need:
            _find_all(shard, name, tok, visible, out, cap)
    return out


def _title_holds(e: PhraseEntry, tok: str, is_ascii: bool) -> bool:
    """Whether ``tok`` occurs in the code or title keys (a superset of what ``match_token`` takes)."""
    if is_ascii:
        return e.code.startswith(tok) or tok in e.t_ini or tok in e.t_full or tok in e.t_fold
    return tok in e.t_fold


def scan_body_pinyin(shard: Shard, tok: str, visible: Visible, cap: int = CAP) -> set[int]:
    """Slots whose body initials or full pinyin hold ``tok`` (read only when nothing else matched)."""
    out: set[int] = set()
    for name, shortest in (("bi", 3), ("bf", 4)):
        if len(tok) >= shortest and not out:
            _find_all(shard, name, tok, visible, out, cap)
    return out
