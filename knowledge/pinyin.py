"""Pinyin keys for the hotkey lookup (full syllables and initials, with offsets).

Keys are computed when a phrase is saved, not per query: pypinyin costs about
0.2 ms per phrase and its import about 0.2 s and 56 MB, so it is imported on
the first call to ``pinyin_keys`` and never at module import.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from knowledge.text import fold

__all__ = ["HETERONYM_OVERRIDES", "PinyinKeys", "pinyin_keys", "syllables", "to_pinyin_query"]

#: Domain readings that pypinyin's default phrase mode gets wrong (还款 haikuan,
#: 偏长 pianzhang, 得去 dequ, 重发 zhongfa, 加长 jiazhang, 褪色 tuishai) or that
#: must not regress.  Applied once with ``pypinyin.load_phrases_dict``.
HETERONYM_OVERRIDES: dict[str, list[list[str]]] = {
    "还款": [["huán"], ["kuǎn"]],
    "还钱": [["huán"], ["qián"]],
    "还价": [["huán"], ["jià"]],
    "偏长": [["piān"], ["cháng"]],
    "加长": [["jiā"], ["cháng"]],
    "长度": [["cháng"], ["dù"]],
    "长大": [["zhǎng"], ["dà"]],
    "重庆": [["chóng"], ["qìng"]],
    "快递员": [["kuài"], ["dì"], ["yuán"]],
    "重新": [["chóng"], ["xīn"]],
    "重发": [["chóng"], ["fā"]],
    "重拍": [["chóng"], ["pāi"]],
    "重量": [["zhòng"], ["liàng"]],
    "调货": [["diào"], ["huò"]],
    "便宜": [["pián"], ["yí"]],
    "银行": [["yín"], ["háng"]],
    "得去": [["děi"], ["qù"]],
    "褪色": [["tuì"], ["sè"]],
}


@dataclass(frozen=True, slots=True)
class PinyinKeys:
    """Pinyin of a phrase; offsets index characters of ``fold(phrase)``."""

    full: str
    initials: str
    full_offsets: tuple[int, ...]
    initial_offsets: tuple[int, ...]


_HAN_RUN_RE = re.compile("[\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]+")
_KEY_RE = re.compile(f"({_HAN_RUN_RE.pattern})|[a-z0-9]+")
_NOT_LETTER_RE = re.compile("[^a-z]")
_QUERY_DROP_RE = re.compile("[\\s'`\u2018\u2019\u2032]+")

_lock = threading.Lock()
_ready = False


def _ensure_pypinyin() -> None:
    """Load the heteronym overrides into pypinyin once per process."""
    global _ready
    if not _ready:
        with _lock:
            if not _ready:
                import pypinyin

                pypinyin.load_phrases_dict(HETERONYM_OVERRIDES)
                _ready = True


def _no_pinyin_list(chars: str) -> list[str]:
    """pypinyin ``errors`` callback: one empty syllable per unknown character."""
    return [""] * len(chars)


# pypinyin accepts a callback returning a list (one item per character), but its
# stub only allows ``Callable[[str], str]``.
_no_pinyin = cast("Callable[[str], str]", _no_pinyin_list)


def _syllables(run: str) -> list[str]:
    """One toneless syllable (``""`` if unknown) per character of a Han run."""
    from pypinyin import lazy_pinyin

    result = lazy_pinyin(run, errors=_no_pinyin)
    if len(result) != len(run):  # defensive: keep offsets aligned at any cost
        result = [(lazy_pinyin(ch, errors=_no_pinyin) or [""])[0] for ch in run]
    return [_NOT_LETTER_RE.sub("", syllable) for syllable in result]


def pinyin_keys(text: str) -> PinyinKeys:
    """Full pinyin and initials of ``fold(text)``; ASCII letters/digits kept as-is."""
    folded = fold(text)
    full: list[str] = []
    initials: list[str] = []
    full_offsets: list[int] = []
    initial_offsets: list[int] = []
    for match in _KEY_RE.finditer(folded):
        start, run = match.start(), match.group()
        if match.group(1) is None:  # ASCII word: same in both keys
            full.append(run)
            initials.append(run)
            offsets = range(start, start + len(run))
            full_offsets.extend(offsets)
            initial_offsets.extend(offsets)
            continue
        _ensure_pypinyin()
        for index, syllable in enumerate(_syllables(run), start):
            if syllable:
                full.append(syllable)
                full_offsets.extend([index] * len(syllable))
                initials.append(syllable[0])
                initial_offsets.append(index)
    return PinyinKeys(
        full="".join(full),
        initials="".join(initials),
        full_offsets=tuple(full_offsets),
        initial_offsets=tuple(initial_offsets),
    )


def syllables(text: str) -> list[str]:
    """One toneless syllable per character of ``text`` as given (not folded); ``""`` where a
    character is not Han or has no reading."""
    out = [""] * len(text)
    for match in _HAN_RUN_RE.finditer(text):
        _ensure_pypinyin()
        out[match.start() : match.end()] = _syllables(match.group())
    return out


def to_pinyin_query(q: str) -> str:
    """Fold typed pinyin input and drop spaces and apostrophes (xi'an -> xian)."""
    return _QUERY_DROP_RE.sub("", fold(q))
