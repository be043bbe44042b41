"""Folding text for matching: NFKC (full width to half width, invisible characters dropped),
Traditional to Simplified (the service's one converter, opencc-purepy, built on first use), lower
case and one space. ``knowledge.text`` re-exports these beside the message normalisation."""

from __future__ import annotations

import re
import threading
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from opencc_purepy import OpenCC

__all__ = ["fold", "is_traditional", "to_simplified"]

#: Simplified phrases that opencc-purepy 1.5.0's ``t2s`` wrongly rewrites
#: (``结束`` -> ``結束``; ``坏`` read as the old variant of ``坯``, so
#: ``拉坏`` -> ``拉坯``).  They are pinned to themselves in a private dictionary.
_T2S_PROTECTED = (
    "结束",
    "一坏",
    "打坏",
    "拉坏",
    "捏坏",
    "毛坏",
    "坏布",
    "坏子",
    "坏土",
    "土坏",
    "陶坏",
    "显著",
)

#: Han ideographs (basic, extension A, compatibility, supplementary planes) and 〇.
HAN_CLASS = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"
_HAN_RE = re.compile(f"[{HAN_CLASS}]")
_WS_RE = re.compile(r"\s+")

_lock = threading.Lock()
_converter: OpenCC | None = None


def _get_converter() -> OpenCC:
    """Return the shared ``t2s`` converter, building it on first use."""
    global _converter
    if _converter is None:
        with _lock:
            if _converter is None:
                from opencc_purepy import OpenCC
                from opencc_purepy.dictionary_lib import DictionaryMaxlength

                dictionary = DictionaryMaxlength.from_json()  # private, mutable copy
                dictionary.with_custom_dicts(appends={"ts_phrases": {w: w for w in _T2S_PROTECTED}})
                _converter = OpenCC("t2s", dictionary=dictionary)
    return _converter


def to_simplified(text: str) -> str:
    """Traditional to Simplified until stable (the one converter of the service: messages, phrases,
    pasted addresses); Simplified words the library would garble are kept; the input on error."""
    converter = _get_converter()
    for _ in range(3):
        try:
            converted = converter.t2s(text)
        except Exception:  # pragma: no cover - defensive, the library must not break us
            return text
        if converted == text:
            break
        text = converted
    return text


def _drop_invisible(text: str) -> str:
    """Drop control/format characters and lone surrogates; keep whitespace."""
    out = []
    for ch in text:
        if ch.isspace():
            out.append(" ")
        elif unicodedata.category(ch) not in ("Cc", "Cf", "Cs"):
            out.append(ch)
    return "".join(out)


def _clean_nfkc(text: str) -> str:
    """Drop invisible characters, then apply NFKC (full width -> half width)."""
    if not text.isprintable():
        text = _drop_invisible(text)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return text


def fold(text: str) -> str:
    """Fold text for matching: NFKC, Traditional->Simplified, lower case, one space."""
    if not text:
        return ""
    text = _clean_nfkc(text)
    if _HAN_RE.search(text):
        text = to_simplified(text)
    lowered = text.lower()
    if lowered != text and not lowered.isascii():
        # lower() can (rarely) produce text that NFKC would change again.
        lowered = unicodedata.normalize("NFKC", lowered)
    text = lowered
    return _WS_RE.sub(" ", text).strip()


def is_traditional(text: str) -> bool:
    """Return True if folding changes any Han character (i.e. Traditional input)."""
    text = _clean_nfkc(text)
    if not _HAN_RE.search(text):
        return False
    return to_simplified(text) != text
