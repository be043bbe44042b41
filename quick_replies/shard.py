"""One shop's phrases in the layout the lookup searches, published whole.

Each searchable key (folded title and body, their pinyin initials and full pinyin) is kept
as one long string of ``SEP + key`` segments, so that finding a typed token is a C-speed
``str.find`` and a bisect, never a Python loop over every phrase. Codes, title initials and
title pinyin are also sorted lists (prefix lookup by bisect), and every character of a
title and letter pair of its code and pinyin has a bitmap of the phrases holding it
(``title_candidates``: a token's possible titles by C-speed ``&`` of big ints).

A shard is never changed once published: a save builds a new shard (appending the new
entry, leaving a tombstone for the old one) and replaces the reference in one step.
"""

from __future__ import annotations

import re
from bisect import insort
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from quick_replies.entry import PhraseEntry

SEP = "\x1f"
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

Visible = Callable[[int], bool]


@dataclass(frozen=True, slots=True)
class Shard:
    entries: list[PhraseEntry | None]
    slots: dict[int, int]
    texts: dict[str, str]
    starts: dict[str, list[int]]
    codes: list[tuple[str, int]]
    dead: int = 0
    grams: dict[str, int] = field(default_factory=dict)  # bitmaps of slots, see ``title_candidates``
    initials: list[tuple[str, int]] = field(default_factory=list)  # title initials, sorted
    pinyin: list[tuple[str, int]] = field(default_factory=list)  # title full pinyin, sorted

    def live(self) -> list[PhraseEntry]:
        return [e for e in self.entries if e is not None]


def build_shard(entries: Iterable[PhraseEntry]) -> Shard:
    listed: list[PhraseEntry | None] = list(entries)
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
    grams = _build_grams(listed)
    live = [(slot, e) for slot, e in enumerate(listed) if e is not None]
    initials = sorted((e.t_ini, slot) for slot, e in live)
    pinyin = sorted((e.t_full, slot) for slot, e in live)
    return Shard(listed, slots, texts, starts, codes, grams=grams, initials=initials, pinyin=pinyin)


def _title_grams(e: PhraseEntry) -> set[str]:
    """Characters of the folded title and letter pairs of its code and title pinyin/ASCII keys."""
    out = set(e.t_fold)
    for key in (e.code, e.t_ini, e.t_full, e.t_ascii):
        out.update(key[i : i + 2] for i in range(len(key) - 1))
    return out


def _build_grams(listed: list[PhraseEntry | None]) -> dict[str, int]:
    """Per gram, an int whose bit ``slot`` is set when that phrase's code or title holds it
    (20,000 phrases: 2.5 KB a gram, a few MB in all; ``a & b`` intersects at C speed)."""
    size = (len(listed) + 7) // 8
    maps: dict[str, bytearray] = {}
    for slot, e in enumerate(listed):
        if e is not None:
            byte, bit = slot >> 3, 1 << (slot & 7)
            for gram in _title_grams(e):
                bitmap = maps.get(gram)
                if bitmap is None:
                    bitmap = maps[gram] = bytearray(size)
                bitmap[byte] |= bit
    grams = {gram: int.from_bytes(bitmap, "little") for gram, bitmap in maps.items()}
    return grams


def title_candidates(shard: Shard, tok: str, is_ascii: bool) -> int | None:
    """A bitmap of every slot whose code or title can hold ``tok`` (a superset); ``None`` when
    the token is too short to narrow anything down."""
    grams = [tok[i : i + 2] for i in range(len(tok) - 1)] if is_ascii else list(tok)
    if not grams:
        return None
    found = -1
    for gram in set(grams):
        found &= shard.grams.get(gram, 0)
        if not found:
            break
    return found


_NONZERO_RE = re.compile(rb"[^\x00]")
_BYTE_BITS = [tuple(j for j in range(8) if byte >> j & 1) for byte in range(256)]


def bits(bitmap: int) -> list[int]:
    """The slots set in a bitmap, in order."""
    raw = bitmap.to_bytes((bitmap.bit_length() + 7) // 8, "little")
    return [m.start() * 8 + j for m in _NONZERO_RE.finditer(raw) for j in _BYTE_BITS[raw[m.start()]]]


def without(shard: Shard, phrase_id: int) -> Shard:
    slot = shard.slots.get(phrase_id)
    if slot is None:
        return shard
    entries = list(shard.entries)
    entries[slot] = None
    slots = dict(shard.slots)
    del slots[phrase_id]
    codes = [pair for pair in shard.codes if pair[1] != slot]
    return replace(shard, entries=entries, slots=slots, codes=codes, dead=shard.dead + 1)


def with_entry(shard: Shard, entry: PhraseEntry) -> Shard:
    slot = len(shard.entries)
    texts, starts = dict(shard.texts), {}
    for name, attr in _FIELDS.items():
        starts[name] = [*shard.starts[name], len(texts[name])]
        texts[name] = texts[name] + SEP + getattr(entry, attr)
    codes = list(shard.codes)
    insort(codes, (entry.code, slot))
    grams = dict(shard.grams)  # ints are immutable: the published shard keeps its own bitmaps
    for gram in _title_grams(entry):
        grams[gram] = grams.get(gram, 0) | 1 << slot
    initials, pinyin = list(shard.initials), list(shard.pinyin)
    insort(initials, (entry.t_ini, slot))
    insort(pinyin, (entry.t_full, slot))
    return Shard(
        [*shard.entries, entry],
        {**shard.slots, entry.id: slot},
        texts,
        starts,
        codes,
        shard.dead,
        grams=grams,
        initials=initials,
        pinyin=pinyin,
    )
