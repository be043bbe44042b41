"""Search keys of a phrase, computed once when it is saved (pinyin is ~0.2 ms a phrase).

The index is built from these stored keys at start-up, so start-up never runs pypinyin.
"""

from __future__ import annotations

from typing import Any

from knowledge.pinyin import pinyin_keys
from knowledge.text import fold

KEYS_VERSION = 1


def _keys(text: str) -> dict[str, Any]:
    folded = fold(text)
    keys = pinyin_keys(folded)
    return {
        "folded": folded,
        "full": keys.full,
        "initials": keys.initials,
        "full_offsets": list(keys.full_offsets),
        "initial_offsets": list(keys.initial_offsets),
    }


def search_keys(title: str, body: str) -> dict[str, Any]:
    """Folded text and pinyin (full and initials, with offsets for highlighting) of title and body."""
    return {"v": KEYS_VERSION, "title": _keys(title), "body": _keys(body)}
