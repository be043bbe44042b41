"""The built-in lexicon is well formed for the matcher's substring rewrite."""

from __future__ import annotations

import pytest

from knowledge import synonyms
from knowledge.index import Analyzer, prepare
from knowledge.lexicon import LEXICON
from knowledge.synonyms import DEFAULT_SYNONYMS, merged
from knowledge.text import fold


def test_groups_are_folded_distinct_and_multi_character() -> None:
    seen: dict[str, str] = {}
    for group in LEXICON:
        assert len(group) >= 2, group
        for word in group:
            assert word == fold(word).replace(" ", ""), word
            assert len(word) >= 2, word
            assert word not in seen, f"{word} in the groups of {seen[word]} and {group[0]}"
            seen[word] = group[0]
    assert 150 <= len(LEXICON) <= 300


def test_every_word_rewrites_to_its_own_head() -> None:
    analyzer = Analyzer(LEXICON)
    wrong = [(w, analyzer.canon(w), g[0]) for g in LEXICON for w in g if analyzer.canon(w) != g[0]]
    assert wrong == []


def test_phrasings_meet() -> None:
    analyzer = Analyzer(LEXICON)

    def canon(text: str) -> str:
        return analyzer.canon(prepare(text))

    assert "功率" in canon("多少瓦的") and "功率" in canon("功率多大")
    assert canon("开卡有礼") == canon("入会礼") == canon("入会送什么")
    assert canon("啥时候发货") == canon("几天发货") == canon("多久发货")
    assert canon("退货寄回地址") != canon("收货地址")
    assert analyzer.canon("寄回去") == "退货"  # 寄 alone is never rewritten


def test_lexicon_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    assert synonyms.builtin_groups() == DEFAULT_SYNONYMS  # off by default (docs/performance.md)
    assert Analyzer(merged([])).canon("多少瓦") == "多少瓦"
    monkeypatch.setattr(synonyms, "LEXICON_ON", True)
    assert synonyms.builtin_groups() == LEXICON
    assert Analyzer(merged([])).canon("多少瓦") == "功率"
    assert Analyzer(merged([["让利", "便宜"]])).canon("让利") == "让利"  # the shop's group wins
    assert Analyzer(merged([], defaults=False)).canon("多少瓦") == "多少瓦"
