"""Typos: codes and pinyin one or two slips away from what the agent meant."""

from __future__ import annotations

from bisect import bisect_left

from rapidfuzz import process
from rapidfuzz.distance import OSA

from quick_replies.matching import CAP, TokenMatch
from quick_replies.shard import Shard, Visible, bits

#: Typos are matched against key prefixes up to this long, and in long pinyin from this long.
MAX_FUZZY = 16
LONG_TYPO = 9


def swaps(tok: str) -> list[str]:
    """``tok`` with each pair of neighbouring letters swapped (the commonest typo)."""
    out = []
    for i in range(len(tok) - 1):
        if tok[i] != tok[i + 1]:
            out.append(tok[:i] + tok[i + 1] + tok[i] + tok[i + 2 :])
    return list(dict.fromkeys(out))


def _range(keys: list[tuple[str, int]], prefix: str) -> tuple[int, int]:
    """Where the keys starting with ``prefix`` are in a sorted list of (key, slot)."""
    return bisect_left(keys, (prefix,)), bisect_left(keys, (prefix + "\U0010ffff",))


def early_slips(tok: str, anchor: int, alphabet: str) -> set[str]:
    """What the agent meant if the one slip is in the first ``anchor`` letters of ``tok``:
    neighbours swapped, a letter hit wrongly, dropped or added (the first letter is kept,
    but a swap of the first two is undone)."""
    out = {tok[1] + tok[0] + tok[2:]}
    for i in range(1, min(anchor, len(tok))):
        head, tail = tok[:i], tok[i + 1 :]
        out.add(head + tail)  # a letter too many
        if i + 1 < len(tok):
            out.add(head + tok[i + 1] + tok[i] + tok[i + 2 :])
        if len(tok) > 3:  # in two or three letters anything is one slip from something
            out.update(head + c + tail for c in alphabet)  # hit wrongly
            out.update(head + c + tok[i:] for c in alphabet)  # dropped
    out.discard(tok)
    return out


_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_ALNUM = _LETTERS + "0123456789"


def fuzzy(shard: Shard, tok: str, visible: Visible, cap: int = CAP) -> dict[int, TokenMatch]:
    """Phrases whose code or title pinyin starts with ``tok`` give or take a typo or two (OSA:
    swaps count once).

    Keys sharing the token's first two (full pinyin: three) letters are compared cut to the
    token's length ±1; a slip before that is undone explicitly and looked up by bisection.
    """
    n = len(tok)
    if n < 2 or n > MAX_FUZZY or not tok.isalnum():
        return {}
    lists = [("code", shard.codes)]
    if tok.isalpha():  # pinyin has no digits: input with digits can only be a mistyped code
        lists.append(("pinyin_initials", shard.initials) if n <= 5 else ("pinyin", shard.pinyin))
    limit_distance = 1 if n <= 5 else 2
    found: dict[int, TokenMatch] = {}

    def add(slot: int, kind: str, distance: int, whole: bool) -> None:
        if not visible(slot):
            return
        score = 40.0 - 10 * distance + (2 if kind == "code" else 0) + (1 if whole else 0)
        match = found.get(slot)
        if match is None or score > match.score:
            found[slot] = TokenMatch(score, ["fuzzy"], [("code", 0, n)] if kind == "code" else [])

    for kind, keys in lists:
        anchor = 3 if kind == "pinyin" else 2
        if n > anchor:
            lo, hi = _range(keys, tok[:anchor])
            part = keys[lo:hi]
            for m in (n - 1, n, n + 1):
                choices = [key[:m] for key, _ in part]
                for cut, distance, index in process.extract(
                    tok, choices, scorer=OSA.distance, processor=None, score_cutoff=limit_distance, limit=cap
                ):
                    if distance > 0:
                        key, slot = part[index]
                        add(slot, kind, int(distance), key == cut)
        # two letters: only a swap is a believable slip
        variants = {tok[::-1]} if n == 2 else early_slips(tok, anchor, _LETTERS if kind != "code" else _ALNUM)
        size = len(keys)
        for variant in variants:
            i = bisect_left(keys, (variant,))
            end = min(size, i + cap // 3)
            while i < end and keys[i][0].startswith(variant):
                add(keys[i][1], kind, 1, keys[i][0] == variant)
                i += 1
    return found


def long_typo(shard: Shard, tok: str, visible: Visible, cap: int = 60) -> dict[int, TokenMatch]:
    """Long pinyin with one slip anywhere (``zhazhiijilipin`` -> 榨汁机礼品…).

    One slip spoils at most three neighbouring letter pairs of the token, so the phrase meant
    holds every other pair: with prefix and suffix ``&`` of the pairs' bitmaps, the phrases
    holding all pairs but some three in a row come out in a few dozen big-int operations.
    Each is checked by the OSA distance between the token and its pinyin, lined up on an
    intact third of the token.
    """
    n = len(tok)
    if n < LONG_TYPO or not tok.isalnum():
        return {}
    maps = [shard.grams.get(tok[i : i + 2], 0) for i in range(n - 1)]
    m = len(maps)
    before, after = [-1] * (m + 1), [-1] * (m + 1)
    for i in range(m):
        before[i + 1] = before[i] & maps[i]
        after[m - 1 - i] = after[m - i] & maps[m - 1 - i]
    candidates = 0
    for i in range(m - 2):  # pairs i, i+1, i+2 spoiled
        candidates |= before[i] & after[i + 3]
    k = n // 3
    anchors = [(0, tok[:k]), (k, tok[k : n - k]), (n - k, tok[n - k :])]
    found: dict[int, TokenMatch] = {}
    limit = 1 if n < 16 else 2
    for checked, slot in enumerate(bits(candidates)):
        e = shard.entries[slot]
        if e is None or not visible(slot):
            continue
        distance, whole = _aligned_distance(tok, e.t_full, anchors)
        if distance <= limit:
            found[slot] = TokenMatch(40.0 - 10 * distance + (1 if whole else 0), ["fuzzy"], [])
        if len(found) >= cap or checked >= _LONG_BUDGET:
            break
    return found


#: At most this many phrases are checked for one long typo.
_LONG_BUDGET = 800


def _aligned_distance(tok: str, key: str, anchors: list[tuple[int, str]]) -> tuple[int, bool]:
    """The OSA distance between ``tok`` and the part of ``key`` it lines up with on an intact
    run (3 when over 2), and whether that part is all of ``key``."""
    n = len(tok)
    best, whole = 3, False
    for offset, piece in anchors:
        at = key.find(piece)
        if at < 0:
            continue
        begin = at - offset
        # a slip after the run: same start, one letter more or less; before it: shifted by one
        for lo, length in (
            (begin, n),
            (begin, n - 1),
            (begin, n + 1),
            (begin + 1, n - 1),
            (begin - 1, n + 1),
        ):
            if lo >= 0:
                distance = OSA.distance(tok, key[lo : lo + length], score_cutoff=2)
                ends = lo + length >= len(key)
                if distance < best or (distance == best and ends and lo == 0):
                    best, whole = distance, lo == 0 and ends
        if best == 0:
            break
    return best, whole
