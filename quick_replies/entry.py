"""One phrase as the search index holds it: immutable, with its precomputed search keys.

An editor's save builds a new ``PhraseEntry`` and the index swaps it in whole, so a search
sees either the old phrase or the new one, never a mix.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from dataclasses import dataclass
from datetime import datetime

from knowledge.text import fold
from quick_replies.keys import KEYS_VERSION, search_keys
from quick_replies.rows import StoredQuickReply

Span = tuple[int, int]


def _offsets(values: list[int]) -> array[int]:
    """Offsets as a compact array; they only grow along the text, so the last is the largest."""
    return array("H" if not values or values[-1] < 65536 else "I", values)


@dataclass(frozen=True, slots=True)
class PhraseEntry:
    id: int
    shop_id: int
    group_id: int
    group: str
    scope: str
    team_id: int | None
    owner_agent_id: int | None
    code: str
    title: str
    body: str
    tags: tuple[str, ...]
    enabled: bool
    valid_from: datetime | None
    valid_until: datetime | None
    attachment: str | None
    position: int
    version: int
    t_fold: str
    t_full: str
    t_ini: str
    b_fold: str
    b_full: str
    b_ini: str
    t_full_off: array[int]
    t_ini_off: array[int]
    b_full_off: array[int]
    b_ini_off: array[int]
    t_ascii: str = ""
    b_ascii: str = ""

    def visible_to(self, agent_id: int, team_id: int | None, moment: datetime) -> bool:
        """Enabled, inside its validity window, and in the agent's scope (shop, own team, own)."""
        if not self.enabled:
            return False
        if self.valid_from is not None and moment < self.valid_from:
            return False
        if self.valid_until is not None and moment > self.valid_until:
            return False
        if self.scope == "team":
            return team_id is not None and self.team_id == team_id
        if self.scope == "personal":
            return self.owner_agent_id == agent_id
        return True


def entry_from_stored(phrase: StoredQuickReply) -> PhraseEntry:
    """Build an entry from a stored phrase; its keys are recomputed only if missing or stale."""
    reply, keys = phrase.reply, phrase.search_keys
    if keys.get("v") != KEYS_VERSION:
        keys = search_keys(reply.title, reply.body)
    title, body = keys["title"], keys["body"]
    return PhraseEntry(
        id=phrase.id,
        shop_id=reply.shop_id,
        group_id=reply.group_id,
        group=phrase.group_name,
        scope=reply.scope.value,
        team_id=reply.team_id,
        owner_agent_id=reply.owner_agent_id,
        code=reply.code,
        title=reply.title,
        body=reply.body,
        tags=tuple(reply.tags),
        enabled=reply.enabled,
        valid_from=reply.valid_from,
        valid_until=reply.valid_until,
        attachment=reply.attachment,
        position=reply.position,
        version=reply.version,
        t_fold=title["folded"],
        t_full=title["full"],
        t_ini=title["initials"],
        b_fold=body["folded"],
        b_full=body["full"],
        b_ini=body["initials"],
        t_full_off=_offsets(title["full_offsets"]),
        t_ini_off=_offsets(title["initial_offsets"]),
        b_full_off=_offsets(body["full_offsets"]),
        b_ini_off=_offsets(body["initial_offsets"]),
        t_ascii=_ascii_runs(title["folded"]),
        b_ascii=_ascii_runs(body["folded"]),
    )


_ASCII_RUN_RE = re.compile(r"[a-z0-9_-]+")


def _ascii_runs(folded: str) -> str:
    """The ASCII words of a folded text ('XL码有货' -> 'xl'): where typed Latin input can occur."""
    return folded if folded.isascii() else " ".join(_ASCII_RUN_RE.findall(folded))


# --------------------------------------------------------------------------- #
# Highlights: spans found in folded text, mapped back onto the text shown
# --------------------------------------------------------------------------- #


def fold_map(text: str) -> list[int] | None:
    """For each character of ``fold(text)``, the index of the character of ``text`` it came from.

    ``None`` when folding did not keep a character-by-character correspondence.
    """
    folded = fold(text)
    index: list[int] = []
    chars: list[str] = []
    for i, ch in enumerate(text):
        if ch.isspace():
            if chars and chars[-1] != " ":
                chars.append(" ")
                index.append(i)
            continue
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs"):
            continue
        for out in unicodedata.normalize("NFKC", ch).lower():
            chars.append(out)
            index.append(i)
    if chars and chars[-1] == " ":
        chars.pop()
        index.pop()
    return index if len(index) == len(folded) else None


def original_spans(text: str, spans: list[Span]) -> list[Span]:
    """Spans over ``fold(text)`` as spans over ``text``, merged and sorted."""
    if not spans:
        return []
    index = fold_map(text)
    if index is None:
        return []
    out: list[Span] = []
    for start, end in sorted(spans):
        if 0 <= start < end <= len(index):
            begin, finish = index[start], index[end - 1] + 1
            if out and begin <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], finish))
            else:
                out.append((begin, finish))
    return out


def find_spans(text: str, needles: list[str]) -> list[Span]:
    """Where each folded needle occurs (first time) in ``text``, as spans over ``text``."""
    folded = fold(text)
    found = []
    for needle in needles:
        at = folded.find(needle) if needle else -1
        if at >= 0:
            found.append((at, at + len(needle)))
    return original_spans(text, found)
