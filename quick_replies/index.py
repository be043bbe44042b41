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
    fuzzy_cache: dict[tuple[int, bool], tuple[list[str], list[list[tuple[int, str]]]]] = field(
        default_factory=dict
    )

    def live(self) -> list[Entry]:
        return [e for e in self.entries if e is not None]

    def fuzzy_keys(self, n: int, codes_only: bool) -> tuple[list[str], list[list[tuple[int, str]]]]:
        """Distinct code / initials / full-pinyin keys cut to ``n`` letters, and who owns each."""
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
            cached = (list(owners), list(owners.values()))
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
    return Shard(listed, slots, texts, starts, codes)


def _without(shard: Shard, phrase_id: int) -> Shard:
    slot = shard.slots.get(phrase_id)
    if slot is None:
        return shard
    entries = list(shard.entries)
    entries[slot] = None
    slots = dict(shard.slots)
    del slots[phrase_id]
    codes = [pair for pair in shard.codes if pair[1] != slot]
    return Shard(entries, slots, shard.texts, shard.starts, codes, shard.dead + 1)


def _with(shard: Shard, entry: Entry) -> Shard:
    slot = len(shard.entries)
    texts, starts = dict(shard.texts), {}
    for name, attr in _FIELDS.items():
        starts[name] = [*shard.starts[name], len(texts[name])]
        texts[name] = texts[name] + SEP + getattr(entry, attr)
    codes = list(shard.codes)
    insort(codes, (entry.code, slot))
    return Shard([*shard.entries, entry], {**shard.slots, entry.id: slot}, texts, starts, codes, shard.dead)


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
        if tok.isalpha():  # pinyin has no digits
            body_fields += [("bi", 3), ("bf", 4)]
    else:
        if len(tok) < 3:
            _find_all(shard, "t", SEP + tok, visible, out, cap)
        titles, body_fields = [("t", 1)], [("b", 1)]
    for name, shortest in titles:
        if len(tok) >= shortest and len(out) < cap:
            _find_all(shard, name, tok, visible, out, cap)
    for name, shortest in body_fields if bodies else ():  # body pinyin only when nothing else matched
        if len(tok) >= shortest and len(out) < (need if name in ("b", "ba") else 1):
            _find_all(shard, name, tok, visible, out, cap)
    return out


def swaps(tok: str) -> list[str]:
    """``tok`` with each pair of neighbouring letters swapped (the commonest typo)."""
    out = []
    for i in range(len(tok) - 1):
        if tok[i] != tok[i + 1]:
            out.append(tok[:i] + tok[i + 1] + tok[i] + tok[i + 2 :])
    return list(dict.fromkeys(out))


def fuzzy(shard: Shard, tok: str, visible: Visible, cap: int = _CAP) -> dict[int, TokenMatch]:
    """Phrases whose code or title pinyin is one or two typos (OSA: swaps count once) from ``tok``."""
    n = len(tok)
    if n < 2 or n > 16 or not tok.isalnum():
        return {}
    # pinyin has no digits: input with digits can only be a mistyped code
    keys, owners = shard.fuzzy_keys(n, codes_only=not tok.isalpha())
    found: dict[int, TokenMatch] = {}
    limit_distance = 1 if n <= 5 else 2
    results = process.extract(
        tok, keys, scorer=OSA.distance, processor=None, score_cutoff=limit_distance, limit=cap // 3
    )
    for key, distance, index in results:
        if distance == 0 or (n == 2 and sorted(key) != sorted(tok)):
            continue
        for slot, kind in owners[index]:
            if not visible(slot):
                continue
            score = 40.0 - 10 * distance + (2 if kind == "code" else 0)
            match = found.get(slot)
            if match is None or score > match.score:
                where = "code" if kind == "code" else "title"
                span = (0, min(n, len(key))) if kind == "code" else (0, 0)
                found[slot] = TokenMatch(score, ["fuzzy"], [(where, *span)] if kind == "code" else [])
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


def query_tokens(q: str) -> list[tuple[str, bool]]:
    """Fold the typed query and split it into (token, is_ascii) pairs, dropping punctuation."""
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
    return tokens


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
        for slot in scan(shard, tok, is_ascii, visible, need=BODY_WHEN_FEWER) | set(used):
            e = shard.entries[slot]
            match = match_token(e, tok, is_ascii) if e is not None else None
            if match is not None:
                scored[slot] = match
        if not is_ascii and not scored:
            runs = [(run, run.isascii()) for run in _RUNS_RE.findall(tok)]
            if len(runs) > 1:
                return self._multi(shard, runs, visible, used)
        strong = sum(1 for m in scored.values() if m.score >= 60)
        if is_ascii and (strong == 0 or (strong < FUZZY_WHEN_FEWER and len(tok) <= 4)):
            for slot, match in fuzzy(shard, tok, visible).items():
                scored.setdefault(slot, match)
            if len(tok) >= 4 and strong == 0 and len(scored) < FUZZY_WHEN_FEWER:
                self._swapped(shard, tok, visible, scored, limit)
        return scored

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
        self, shard: Shard, tokens: list[tuple[str, bool]], visible: Visible, used: list[int]
    ) -> dict[int, TokenMatch]:
        """Every token must match; the score is their mean. All-ASCII input is also tried joined."""
        found = [scan(shard, tok, is_ascii, visible, cap=_CAP * 8) for tok, is_ascii in tokens]
        candidates = min(found, key=len) | set(used)
        scored: dict[int, TokenMatch] = {}
        for slot in candidates:
            e = shard.entries[slot]
            if e is None:
                continue
            parts = [match_token(e, tok, is_ascii) for tok, is_ascii in tokens]
            if all(parts):
                matches = [p for p in parts if p is not None]
                kinds = list(dict.fromkeys(k for p in matches for k in p.kinds))
                score = sum(p.score for p in matches) / len(matches)
                scored[slot] = TokenMatch(score, kinds, [s for p in matches for s in p.spans])
        if all(is_ascii for _, is_ascii in tokens):
            joined = "".join(tok for tok, _ in tokens)
            for slot, match in self._single(shard, joined, True, visible, used, 1).items():
                if slot not in scored or match.score > scored[slot].score:
                    scored[slot] = match
        return scored
