"""Synonyms every shop starts with: the words buyers use for the same thing in any shop.

The groups themselves are the customer-service lexicon in ``knowledge.lexicon``.

Each group's first word is its canonical form; the matcher rewrites every other word of
the group to it, in the knowledge base and in buyer messages alike.  A shop's own groups
(edited in the knowledge base) come first and win where they overlap.  Single characters
are avoided on purpose: 寄 ≈ 发货 would turn 寄回 into nonsense.
"""

from __future__ import annotations

from collections.abc import Iterable

from knowledge.lexicon import LEXICON

#: The built-in groups: the domain lexicon of ``knowledge.lexicon`` (Matcher(default_synonyms=False)
#: and ``kefu eval --no-default-synonyms`` leave them out).
DEFAULT_SYNONYMS: tuple[tuple[str, ...], ...] = LEXICON


def merged(shop_groups: Iterable[Iterable[str]], *, defaults: bool = True) -> list[list[str]]:
    """The shop's groups first (they win on overlap), then the defaults."""
    groups = [list(g) for g in shop_groups]
    if defaults:
        groups.extend(list(g) for g in DEFAULT_SYNONYMS)
    return groups
