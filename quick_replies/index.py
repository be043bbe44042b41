"""The in-memory hotkey lookup over every shop's phrases.

Per shop, each searchable key (folded title and body, their pinyin initials and full
pinyin) is kept as one long string of ``SEP + key`` segments, so that finding a typed
token is a C-speed ``str.find`` and a bisect, never a Python loop over every phrase.
Short codes are a sorted list (prefix lookup by bisect). Typos go to rapidfuzz over
the distinct, truncated code/initials/pinyin keys, only when exact means found too few.

A shard is never changed once published: a save builds a new shard (appending the new
entry, leaving a tombstone for the old one) and replaces the reference in one step.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

from knowledge.text import fold
from quick_replies.entry import Entry, Span
from quick_replies.usage import UsageStats

SEP = "\x1f"
MAX_QUERY = 100
_FIELDS = {
    "t": "t_fold",
    "ti": "t_ini",
    "tf": "t_full",
    "b": "b_fold",
    "bi": "b_ini",
    "bf": "b_full",
    "ta": "t_ascii",
    "ba": "b_ascii",
}
_CAP = 150
#: Typos are matched against key prefixes up to this long, and in long pinyin from this long.
MAX_FUZZY = 16
LONG_TYPO = 9
#: Bodies are scanned only while titles and codes gave fewer candidates than this (a body
#: match always ranks below a title match, and the agent looks at the first few).
BODY_WHEN_FEWER = 3
#: Typo matching runs only while fewer strong (title-level) matches than this were found.
FUZZY_WHEN_FEWER = 3
_STRIP_RE = re.compile(r"[^\w\u3400-\u9fff\U00020000-\U0003ffff-]+")
_ASCII_DROP_RE = re.compile(r"[^a-z0-9_-]+")
_RUNS_RE = re.compile(r"[a-z0-9]+|[^a-z0-9]+")

Visible = Callable[[int], bool]


@dataclass(frozen=True, slots=True)
class Shard:
    entries: list[Entry | None]
    slots: dict[int, int]
    texts: dict[str, str]
    starts: dict[str, list[int]]
    codes: list[tuple[str, int]]
    dead: int = 0
    grams: dict[str, set[int]] = field(default_factory=dict)
    fuzzy_cache: dict[tuple[int, bool], tuple[list[str], list[list[tuple[int, str]]]]] = field(
        default_factory=dict
    )

    def live(self) -> list[Entry]:
        return [e for e in self.entries if e is not None]

    def fuzzy_keys(self, n: int, codes_only: bool) -> tuple[list[str], list[list[tuple[int, str]]]]:
        """Distinct code / initials / full-pinyin keys cut to ``n`` letters, sorted, and who owns each."""
        cached = self.fuzzy_cache.get((n, codes_only))
        if cached is None:
            owners: dict[str, list[tuple[int, str]]] = {}
            for slot, e in enumerate(self.entries):
                if e is None:
                    continue
                # short input is a code or initials; long input is a code or full pinyin
                title_kind, title_key = ("pinyin_initials", e.t_ini) if n <= 5 else ("pinyin", e.t_full)
                pairs = (("code", e.code),) if codes_only else (("code", e.code), (title_kind, title_key))
                for kind, key in pairs:
                    if len(key) >= n - 1:
                        owners.setdefault(key[:n], []).append((slot, kind))
            ordered = sorted(owners)
            cached = (ordered, [owners[key] for key in ordered])
            self.fuzzy_cache[(n, codes_only)] = cached
        return cached


def build_shard(entries: Iterable[Entry]) -> Shard:
    listed: list[Entry | None] = list(entries)
    texts: dict[str, str] = {}
    starts: dict[str, list[int]] = {}
    for name, attr in _FIELDS.items():
        parts = [getattr(e, attr) for e in listed]
        offsets, pos = [], 0
        for part in parts:
            offsets.append(pos)
            pos += len(part) + 1
        texts[name] = "".join(SEP + part for part in parts)
        starts[name] = offsets
    codes = sorted((e.code, slot) for slot, e in enumerate(listed) if e is not None)
    slots = {e.id: slot for slot, e in enumerate(listed) if e is not None}
    grams: dict[str, set[int]] = {}
    for slot, e in enumerate(listed):
        if e is not None:
            _add_grams(grams, e, slot)
    return Shard(listed, slots, texts, starts, codes, grams=grams)


def _title_grams(e: Entry) -> set[str]:
    """Characters of the folded title and letter pairs of its code and title pinyin/ASCII keys."""
    out = set(e.t_fold)
    for key in (e.code, e.t_ini, e.t_full, e.t_ascii):
        out.update(key[i : i + 2] for i in range(len(key) - 1))
    return out


def _add_grams(grams: dict[str, set[int]], e: Entry, slot: int) -> None:
    for gram in _title_grams(e):
        grams.setdefault(gram, set()).add(slot)


def title_candidates(shard: Shard, tok: str, is_ascii: bool) -> set[int] | None:
    """Every slot whose code or title can hold ``tok`` (a superset, by C-speed set intersection);
    ``None`` when the token is too short to narrow anything down."""
    grams = [tok[i : i + 2] for i in range(len(tok) - 1)] if is_ascii else list(tok)
    if not grams:
        return None
    sets = sorted((shard.grams.get(g, _EMPTY) for g in set(grams)), key=len)
    return sets[0].intersection(*sets[1:])


_EMPTY: set[int] = set()


def _without(shard: Shard, phrase_id: int) -> Shard:
    slot = shard.slots.get(phrase_id)
    if slot is None:
        return shard
    entries = list(shard.entries)
    entries[slot] = None
    slots = dict(shard.slots)
    del slots[phrase_id]
    codes = [pair for pair in shard.codes if pair[1] != slot]
    return Shard(entries, slots, shard.texts, shard.starts, codes, shard.dead + 1, grams=shard.grams)


def _with(shard: Shard, entry: Entry) -> Shard:
    slot = len(shard.entries)
    texts, starts = dict(shard.texts), {}
    for name, attr in _FIELDS.items():
        starts[name] = [*shard.starts[name], len(texts[name])]
        texts[name] = texts[name] + SEP + getattr(entry, attr)
    codes = list(shard.codes)
    insort(codes, (entry.code, slot))
    grams = dict(shard.grams)  # the sets a published shard holds are never changed: copy those touched
    for gram in _title_grams(entry):
        grams[gram] = {*grams.get(gram, _EMPTY), slot}
    return Shard(
        [*shard.entries, entry],
        {**shard.slots, entry.id: slot},
        texts,
        starts,
        codes,
        shard.dead,
        grams=grams,
    )


# --------------------------------------------------------------------------- #
# Matching one token against one entry
# --------------------------------------------------------------------------- #


@dataclass(slots=True)
class TokenMatch:
    score: float
    kinds: list[str]
    spans: list[tuple[str, int, int]]


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


def match_token(e: Entry, tok: str, is_ascii: bool) -> TokenMatch | None:
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
    cap: int = _CAP,
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


def scan_body_pinyin(shard: Shard, tok: str, visible: Visible, cap: int = _CAP) -> set[int]:
    """Slots whose body initials or full pinyin hold ``tok`` (read only when nothing else matched)."""
    out: set[int] = set()
    for name, shortest in (("bi", 3), ("bf", 4)):
        if len(tok) >= shortest and not out:
            _find_all(shard, name, tok, visible, out, cap)
    return out


def swaps(tok: str) -> list[str]:
    """``tok`` with each pair of neighbouring letters swapped (the commonest typo)."""
    out = []
    for i in range(len(tok) - 1):
        if tok[i] != tok[i + 1]:
            out.append(tok[:i] + tok[i + 1] + tok[i] + tok[i + 2 :])
    return list(dict.fromkeys(out))


def _starting(keys: list[str], letter: str) -> tuple[int, int]:
    return bisect_left(keys, letter), bisect_left(keys, letter + "\U0010ffff")


def fuzzy(shard: Shard, tok: str, visible: Visible, cap: int = _CAP) -> dict[int, TokenMatch]:
    """Phrases whose code or title pinyin is one or two typos (OSA: swaps count once) from ``tok``.

    Only keys starting with the token's first or second letter are compared (the first letter
    is rarely wrong, and a swap of the first two keeps the second one first).
    """
    n = len(tok)
    if n < 2 or n > MAX_FUZZY or not tok.isalnum():
        return {}
    # pinyin has no digits: input with digits can only be a mistyped code
    keys, owners = shard.fuzzy_keys(n, codes_only=not tok.isalpha())
    found: dict[int, TokenMatch] = {}
    limit_distance = 1 if n <= 5 else 2
    for letter in dict.fromkeys(tok[:2]):
        lo, hi = _starting(keys, letter)
        results = process.extract(
            tok, keys[lo:hi], scorer=OSA.distance, processor=None, score_cutoff=limit_distance, limit=cap // 3
        )
        for key, distance, index in results:
            if distance == 0 or (n == 2 and sorted(key) != sorted(tok)):
                continue
            for slot, kind in owners[lo + index]:
                if not visible(slot):
                    continue
                score = 40.0 - 10 * distance + (2 if kind == "code" else 0)
                match = found.get(slot)
                if match is None or score > match.score:
                    spans = [("code", 0, min(n, len(key)))] if kind == "code" else []
                    found[slot] = TokenMatch(score, ["fuzzy"], spans)
    return found


def long_typo(shard: Shard, tok: str, visible: Visible, cap: int = 60) -> dict[int, TokenMatch]:
    """Long pinyin with one slip anywhere (``zhazhiijilipin`` -> 榨汁机礼品…).

    One slip spoils at most three neighbouring letter pairs, so one of three runs of the
    token's pairs is intact: phrases whose title holds every pair of some run are candidates
    (set intersections), checked by the OSA distance to the aligned part of their pinyin.
    """
    n = len(tok)
    if n < LONG_TYPO or not tok.isalpha():
        return {}
    pairs = [tok[i : i + 2] for i in range(n - 1)]
    third = len(pairs) // 3
    runs = []
    for start, end in ((0, third), (third, 2 * third), (2 * third, len(pairs))):
        sets = sorted((shard.grams.get(g, _EMPTY) for g in set(pairs[start:end])), key=len)
        runs.append((sets[0].intersection(*sets[1:]), start, tok[start : end + 1]))
    runs.sort(key=lambda run: len(run[0]))  # the most telling run first
    found: dict[int, TokenMatch] = {}
    seen: set[int] = set()
    for candidates, offset, piece in runs:
        for slot in candidates - seen:
            e = shard.entries[slot]
            if e is None or not visible(slot):
                continue
            at = e.t_full.find(piece)
            if at < 0:
                continue
            seen.add(slot)
            best, begin = 3, at - offset
            for lo in (begin - 1, begin, begin + 1):
                for length in (n - 1, n, n + 1):
                    if lo >= 0:
                        best = min(best, OSA.distance(tok, e.t_full[lo : lo + length], score_cutoff=2))
            if best <= (1 if n < 16 else 2):
                found[slot] = TokenMatch(40.0 - 10 * best, ["fuzzy"], [])
                if len(found) >= cap:
                    return found
    return found


# --------------------------------------------------------------------------- #
# The index
# --------------------------------------------------------------------------- #


@dataclass(frozen=True, slots=True)
class Hit:
    entry: Entry
    score: float
    matched_on: tuple[str, ...]
    spans: dict[str, list[Span]]


@lru_cache(maxsize=4096)
def query_tokens(q: str) -> tuple[tuple[str, bool], ...]:
    """Fold the typed query and split it into (token, is_ascii) pairs, dropping punctuation.

    Cached: twenty agents typing the same codes fold the same few strings over and over.
    """
    tokens = []
    for raw in fold(q[:MAX_QUERY]).split(" "):
        if raw.isascii():
            tok = _ASCII_DROP_RE.sub("", raw)
            if tok:
                tokens.append((tok, True))
        else:
            tok = _STRIP_RE.sub("", raw)
            if tok:
                tokens.append((tok, tok.isascii()))
    return tuple(tokens)


class QuickReplyIndex:
    """Every shop's phrases, searchable by code, title, pinyin, body and typos."""

    def __init__(self, usage: UsageStats | None = None) -> None:
        self.usage = usage or UsageStats()
        self._shards: dict[int, Shard] = {}
        self._shop_of: dict[int, int] = {}

    def load(self, entries: Iterable[Entry]) -> None:
        """Build every shard from scratch (start-up)."""
        by_shop: dict[int, list[Entry]] = {}
        for entry in entries:
            by_shop.setdefault(entry.shop_id, []).append(entry)
        self._shards = {shop: build_shard(items) for shop, items in by_shop.items()}
        self._shop_of = {e.id: shop for shop, items in by_shop.items() for e in items}

    def __len__(self) -> int:
        return len(self._shop_of)

    def get(self, phrase_id: int) -> Entry | None:
        shop = self._shop_of.get(phrase_id)
        shard = self._shards.get(shop) if shop is not None else None
        slot = shard.slots.get(phrase_id) if shard is not None else None
        return shard.entries[slot] if shard is not None and slot is not None else None

    def upsert(self, entry: Entry) -> None:
        """Publish a saved phrase: the new shard replaces the old one in a single assignment."""
        self.remove(entry.id)
        shard = self._shards.get(entry.shop_id) or build_shard([])
        shard = _with(shard, entry)
        if shard.dead > 256 and shard.dead * 4 > len(shard.entries):
            shard = build_shard(shard.live())
        self._shards[entry.shop_id] = shard
        self._shop_of[entry.id] = entry.shop_id

    def remove(self, phrase_id: int) -> None:
        shop = self._shop_of.pop(phrase_id, None)
        if shop is not None and shop in self._shards:
            self._shards[shop] = _without(self._shards[shop], phrase_id)

    def search(
        self, shop_id: int, agent_id: int, team_id: int | None, q: str, limit: int, moment: datetime
    ) -> list[Hit]:
        """Ranked phrases the agent may use in the shop now; ``q`` empty gives their most used."""
        shard = self._shards.get(shop_id)
        if shard is None or limit < 1:
            return []
        entries = shard.entries

        def visible(slot: int) -> bool:
            e = entries[slot]
            return e is not None and e.visible_to(agent_id, team_id, moment)

        used = [shard.slots[i] for i in self.usage.used_by(agent_id, team_id) if i in shard.slots]
        used = [slot for slot in used if visible(slot)]
        decay = self.usage.decay(moment)
        tokens = query_tokens(q)
        if not q.strip():
            scored = {slot: TokenMatch(0.0, [], []) for slot in used}
            for slot in range(len(entries)):
                if len(scored) >= limit:
                    break
                if slot not in scored and visible(slot):
                    scored[slot] = TokenMatch(0.0, [], [])
        elif not tokens:
            return []
        elif len(tokens) == 1:
            scored = self._single(shard, *tokens[0], visible, used, limit)
        else:
            scored = self._multi(shard, tokens, visible, used)
        boost = self.usage.boost
        ranked = []
        for slot, match in scored.items():
            e = entries[slot]
            assert e is not None
            ranked.append((match.score + boost(agent_id, team_id, e.id, decay), e, match))
        ranked.sort(key=lambda r: (-r[0], r[1].group_id, r[1].position, r[1].id))
        hits = []
        for score, e, match in ranked[:limit]:
            spans: dict[str, list[Span]] = {}
            for where, start, end in match.spans:
                if end > start:
                    spans.setdefault(where, []).append((start, end))
            hits.append(Hit(e, round(score, 2), tuple(match.kinds), spans))
        return hits

    def _single(
        self, shard: Shard, tok: str, is_ascii: bool, visible: Visible, used: list[int], limit: int
    ) -> dict[int, TokenMatch]:
        scored: dict[int, TokenMatch] = {}
        self._score(
            shard, tok, is_ascii, scan(shard, tok, is_ascii, visible, need=BODY_WHEN_FEWER), used, scored
        )
        if not is_ascii and not scored:
            runs = [(run, run.isascii()) for run in _RUNS_RE.findall(tok)]
            if len(runs) > 1:
                return self._multi(shard, runs, visible, used)
        strong = sum(1 for m in scored.values() if m.score >= 60)
        if is_ascii and (strong == 0 or (strong < FUZZY_WHEN_FEWER and len(tok) <= 4)):
            for slot, match in fuzzy(shard, tok, visible).items():
                scored.setdefault(slot, match)
            if strong == 0:
                for slot, match in long_typo(shard, tok, visible).items():
                    if slot not in scored or scored[slot].score < match.score:
                        scored[slot] = match
            if not scored and tok.isalpha():  # body pinyin: long texts, read only when all else failed
                self._score(shard, tok, True, scan_body_pinyin(shard, tok, visible), [], scored)
            if 4 <= len(tok) < LONG_TYPO and strong == 0 and len(scored) < FUZZY_WHEN_FEWER:
                self._swapped(shard, tok, visible, scored, limit)
        return scored

    @staticmethod
    def _score(
        shard: Shard,
        tok: str,
        is_ascii: bool,
        slots: set[int],
        used: list[int],
        scored: dict[int, TokenMatch],
    ) -> None:
        for slot in slots.union(used):
            e = shard.entries[slot]
            match = match_token(e, tok, is_ascii) if e is not None else None
            if match is not None:
                scored[slot] = match

    def _swapped(
        self, shard: Shard, tok: str, visible: Visible, scored: dict[int, TokenMatch], limit: int
    ) -> None:
        """Typos by transposition anywhere in title or body pinyin (``huankaun`` -> 还款)."""
        for variant in swaps(tok):
            for slot in scan(shard, variant, True, visible, cap=limit * 2, bodies=False):
                e = shard.entries[slot]
                match = match_token(e, variant, True) if e is not None else None
                if match is not None:
                    score = 30 + match.score / 10
                    if slot not in scored or scored[slot].score < score:
                        scored[slot] = TokenMatch(score, ["fuzzy", *match.kinds], match.spans)

    def _multi(
        self, shard: Shard, tokens: Sequence[tuple[str, bool]], visible: Visible, used: list[int]
    ) -> dict[int, TokenMatch]:
        """Every token must match; the score is their mean. All-ASCII input is also tried joined.

        Phrases whose code or title holds every token are found by intersecting the tokens'
        letter-pair sets; only when there are none are bodies scanned for the rarest token.
        """
        supersets = [title_candidates(shard, tok, is_ascii) for tok, is_ascii in tokens]
        known = sorted((c for c in supersets if c is not None), key=len)
        scored: dict[int, TokenMatch] = {}
        if known:
            self._all_tokens(
                shard, tokens, known[0].intersection(*known[1:]), visible, scored, titles_only=True
            )
        if not scored:
            found = [scan(shard, tok, is_ascii, visible, cap=_CAP * 8) for tok, is_ascii in tokens]
            self._all_tokens(
                shard, tokens, min(found, key=len) | set(used), visible, scored, titles_only=False
            )
        if all(is_ascii for _, is_ascii in tokens):
            joined = "".join(tok for tok, _ in tokens)
            for slot, match in self._single(shard, joined, True, visible, used, 1).items():
                if slot not in scored or match.score > scored[slot].score:
                    scored[slot] = match
        return scored

    @staticmethod
    def _all_tokens(
        shard: Shard,
        tokens: Sequence[tuple[str, bool]],
        candidates: Iterable[int],
        visible: Visible,
        scored: dict[int, TokenMatch],
        titles_only: bool,
    ) -> None:
        for slot in candidates:
            e = shard.entries[slot]
            if e is None or not visible(slot):
                continue
            parts = [match_token(e, tok, is_ascii) for tok, is_ascii in tokens]
            matches = [p for p in parts if p is not None]
            if len(matches) < len(parts):
                continue
            if titles_only and any(p.score < 60 for p in matches):  # a body match
                continue
            kinds = list(dict.fromkeys(k for p in matches for k in p.kinds))
            score = sum(p.score for p in matches) / len(matches)
            scored[slot] = TokenMatch(score, kinds, [s for p in matches for s in p.spans])
