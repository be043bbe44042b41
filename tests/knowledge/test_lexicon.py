"""The built-in lexicon is well formed for the matcher's substring rewrite, and expands without rewriting."""

from __future__ import annotations

import pytest

from knowledge.index import RELATED_FACTOR, WEIGHTS, Analyzer, prepare
from knowledge.lexicon import LEXICON
from knowledge.matcher import Matcher
from knowledge.models import Intent
from knowledge.synonyms import merged
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
    assert canon("寄到青海可以吗") == canon("寄到新疆可以吗") == canon("寄到偏远地区可以吗")
    assert canon("澳门能寄吗") == canon("国外能寄吗")
    assert canon("可以发韵达吗") == canon("可以发中通吗")
    assert canon("凭什么不给我退") == canon("凭什么拒绝退款")
    assert canon("多久能到手") == canon("多久收货") and canon("到手价多少") != canon("收货价多少")


def test_related_phrasings_expand_at_a_lower_weight_and_keep_the_buyers_words() -> None:
    plain, related = Analyzer(merged([])), Analyzer(merged([]), related=True)
    question = prepare("多少瓦的")
    assert plain.canon(question) == related.canon(question) == question  # never rewritten away
    feats = related.expanded(question, related.canon(question))
    assert feats["w:功率"] == pytest.approx(WEIGHTS["w"] * RELATED_FACTOR)
    assert feats["c:瓦"] == WEIGHTS["c"]  # the buyer's own characters keep their full weight
    assert "w:功率" not in plain.expanded(question, plain.canon(question))


def test_the_matcher_uses_related_phrasings_unless_built_ins_are_off() -> None:
    def power_score(matcher: Matcher, message: str) -> float:
        return next(m.score for m in matcher.rank(1, message).matches if m.entry.key == "power")

    intents = [
        Intent(
            id=1,
            shop_id=1,
            key="power",
            name="电器参数",
            examples=["功率多大", "插头什么标准"],
            answers=["-"],
        ),
        Intent(
            id=2, shop_id=1, key="weight", name="商品重量", examples=["有几斤重", "净重多少"], answers=["-"]
        ),
    ]
    with_lexicon, without = Matcher(), Matcher(default_synonyms=False)
    with_lexicon.load(intents, [], {})
    without.load(intents, [], {})
    assert power_score(with_lexicon, "多少瓦的") > power_score(without, "多少瓦的") + 0.1
