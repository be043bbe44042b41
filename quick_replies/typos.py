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

    One slip spoils at most three neighbouring letter pairs, so one of three runs of the
    token's pairs is intact: phrases whose title holds every pair of some run are candidates
    (set intersections), checked by the OSA distance to the aligned part of their pinyin.
    """
    n = len(tok)
    if n < LONG_TYPO or not tok.isalnum():
        return {}
    pairs = [tok[i : i + 2] for i in range(n - 1)]
    third = len(pairs) // 3
    runs = []
    for start, end in ((0, third), (third, 2 * third), (2 * third, len(pairs))):
        found_run = -1
        for gram in set(pairs[start:end]):
            found_run &= shard.grams.get(gram, 0)
        runs.append((found_run, start, tok[start : end + 1]))
    runs.sort(key=lambda run: run[0].bit_count())  # the most telling run first
    found: dict[int, TokenMatch] = {}
    seen = 0
    for candidates, offset, piece in runs:
        if found:  # the intact run gave its phrases; a later (larger) run adds only noise
            break
        for slot in bits(candidates & ~seen):
            e = shard.entries[slot]
            if e is None:
                continue
            at = e.t_full.find(piece)
            if at < 0 or not visible(slot):
                continue
            seen |= 1 << slot
            best, whole, begin = 3, False, at - offset
            for lo in (begin - 1, begin, begin + 1):
                for length in (n - 1, n, n + 1):
                    if lo >= 0:
                        window = e.t_full[lo : lo + length]
                        distance = OSA.distance(tok, window, score_cutoff=2)
                        if distance < best or (distance == best and lo + length >= len(e.t_full)):
                            best, whole = distance, lo == 0 and lo + length >= len(e.t_full)
            if best <= (1 if n < 16 else 2):
                found[slot] = TokenMatch(40.0 - 10 * best + (1 if whole else 0), ["fuzzy"], [])
                if len(found) >= cap:
                    return found
    return found
