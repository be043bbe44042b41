"""The in-memory hotkey lookup over every shop's phrases.

One shard per shop (``shard.py``). A typed query is folded and split into tokens; one token
is matched by code prefix, title letter-pair bitmaps or ``str.find`` over the shard's long
strings (``matching.py``), bodies only when titles gave few; typos (``typos.py``) only when
exact means found too few. Several tokens must all match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from knowledge.text import fold
from quick_replies.entry import PhraseEntry, Span
from quick_replies.matching import (
    BODY_WHEN_FEWER,
    CAP,
    TokenMatch,
    match_token,
    scan,
    scan_body_pinyin,
    token_score,
)
from quick_replies.shard import Shard, Visible, bits, build_shard, title_candidates, with_entry, without
from quick_replies.typos import LONG_TYPO, fuzzy, long_typo, swaps
from quick_replies.usage import UsageStats

MAX_QUERY = 100
#: One or two typed letters match thousands of phrases: rank the first of them (codes, then
#: title prefixes, then the rest; the agent's used phrases always), the next key narrows it.
SHORT_CAP = 60
#: Typo matching runs only while fewer strong (title-level) matches than this were found.
FUZZY_WHEN_FEWER = 3
_STRIP_RE = re.compile(r"[^\w\u3400-\u9fff\U00020000-\U0003ffff-]+")
_ASCII_DROP_RE = re.compile(r"[^a-z0-9_-]+")
_RUNS_RE = re.compile(r"[a-z0-9]+|[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class Hit:
    entry: PhraseEntry
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

    def load(self, entries: Iterable[PhraseEntry]) -> None:
        """Build every shard from scratch (start-up)."""
        by_shop: dict[int, list[PhraseEntry]] = {}
        for entry in entries:
            by_shop.setdefault(entry.shop_id, []).append(entry)
        self._shards = {shop: build_shard(items) for shop, items in by_shop.items()}
        self._shop_of = {e.id: shop for shop, items in by_shop.items() for e in items}

    def __len__(self) -> int:
        return len(self._shop_of)

    def get(self, phrase_id: int) -> PhraseEntry | None:
        shop = self._shop_of.get(phrase_id)
        shard = self._shards.get(shop) if shop is not None else None
        slot = shard.slots.get(phrase_id) if shard is not None else None
        return shard.entries[slot] if shard is not None and slot is not None else None

    def upsert(self, entry: PhraseEntry) -> None:
        """Publish a saved phrase: the new shard replaces the old one in a single assignment."""
        self.remove(entry.id)
        shard = self._shards.get(entry.shop_id) or build_shard([])
        shard = with_entry(shard, entry)
        if shard.dead > 256 and shard.dead * 4 > len(shard.entries):
            shard = build_shard(shard.live())
        self._shards[entry.shop_id] = shard
        self._shop_of[entry.id] = entry.shop_id

    def remove(self, phrase_id: int) -> None:
        shop = self._shop_of.pop(phrase_id, None)
        if shop is not None and shop in self._shards:
            self._shards[shop] = without(self._shards[shop], phrase_id)

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
            if match.token is not None:  # only the rows shown get their kinds and spans
                full = match_token(e, *match.token)
                match = full or match
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
        cap = SHORT_CAP if len(tok) <= 2 else CAP
        self._score(
            shard, tok, is_ascii, scan(shard, tok, is_ascii, visible, cap, BODY_WHEN_FEWER), used, scored
        )
        if not is_ascii and not scored:
            runs = [(run, run.isascii()) for run in _RUNS_RE.findall(tok)]
            if len(runs) > 1:
                return self._multi(shard, runs, visible, used)
        strong = sum(1 for m in scored.values() if m.score >= 60)
        if is_ascii and (strong == 0 or (strong < FUZZY_WHEN_FEWER and len(tok) <= 4)):
            for slot, match in fuzzy(shard, tok, visible).items():
                scored.setdefault(slot, match)
            if strong == 0 and not any(m.score >= 30 for m in scored.values()):
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
        token = (tok, is_ascii)
        for slot in slots.union(used):
            e = shard.entries[slot]
            score = token_score(e, tok, is_ascii) if e is not None else 0.0
            if score:
                scored[slot] = TokenMatch(score, [], [], token)

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
        known = [c for c in supersets if c is not None]
        scored: dict[int, TokenMatch] = {}
        if known:
            common = -1
            for bitmap in known:
                common &= bitmap
            self._all_tokens(shard, tokens, bits(common)[: CAP * 8], visible, scored, titles_only=True)
        if not scored:
            found = [scan(shard, tok, is_ascii, visible, cap=CAP * 8) for tok, is_ascii in tokens]
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
