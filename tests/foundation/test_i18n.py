"""Every UI string exists in both languages, and no page ships an untranslated key."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.web.i18n import STRINGS

WEB = Path(__file__).resolve().parents[2] / "assistant" / "web"


def test_both_languages_have_the_same_keys() -> None:
    assert STRINGS["zh-CN"].keys() == STRINGS["en"].keys()
    for lang, strings in STRINGS.items():
        empty = [key for key, text in strings.items() if not text.strip()]
        assert empty == [], f"{lang}: empty strings {empty}"


def test_every_key_a_template_or_script_uses_exists() -> None:
    used: set[str] = set()
    for template in (WEB / "templates").glob("*.html"):
        used |= set(re.findall(r"\bt\.([a-z_][a-z0-9_]*)", template.read_text()))
    for script in (WEB / "static").glob("*.js"):
        used |= set(re.findall(r"\bT\.([a-z_][a-z0-9_]*)", script.read_text()))
    assert used - STRINGS["zh-CN"].keys() == set()
