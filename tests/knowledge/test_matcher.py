"""The intent matcher without HTTP: normalisation, synonyms, boosts, splitting, confidence, updates."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from knowledge.evaluation import BM25, evaluate
from knowledge.index import Analyzer, prepare
from knowledge.matcher import Matcher
from knowledge.models import Campaign, CampaignScript, Intent, IntentTopic, ScriptKind
from knowledge.synonyms import merged
from knowledge.text import segment

NOW = datetime(2026, 11, 11, 10, 0, tzinfo=UTC)


def intent(
    id: int, key: str, examples: list[str], topic: IntentTopic = IntentTopic.GENERAL, **extra: object
) -> Intent:
    return Intent.model_validate(
        {
            "id": id,
            "shop_id": 1,
            "key": key,
            "name": key,
            "topic": topic,
            "examples": examples,
            "answers": ["好的"],
            **extra,
        }
    )


KB = [
    intent(1, "ship", ["什么时候发货", "下单后多久发货", "几天能发出"], IntentTopic.SHIPPING),
    intent(2, "pay", ["怎么付款", "付款方式有哪些", "付款失败怎么办"], IntentTopic.PAYMENT),
    intent(3, "cheaper", ["能便宜点吗", "可以优惠吗", "有折扣吗"], IntentTopic.PRICE),
    intent(4, "size", ["尺码怎么选", "穿多大码", "身高165穿什么码"], IntentTopic.SIZE),
    intent(5, "postage", ["包邮吗", "运费多少"], IntentTopic.PRICE),
    intent(6, "track", ["快递到哪了", "帮我查一下物流"], IntentTopic.LOGISTICS),
    intent(
        7, "fryer_size", ["这个锅多大容量", "容量多大", "能放下一只鸡吗"], IntentTopic.PRODUCT, item_id=101
    ),
    intent(8, "capacity", ["容量多大", "能装多少东西"], IntentTopic.PRODUCT),
]


def matcher_default(intents: list[Intent]) -> Matcher:
    m = Matcher()
    m.load(intents, [], {})
    return m


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    m = Matcher(threshold=0.55)
    m.load(KB, [], {1: [["让利", "打折"]]})
    return m


def top(m: Matcher, message: str, **kwargs: object) -> str:
    result = m.suggest(1, message, now=NOW, **kwargs)  # type: ignore[arg-type]
    assert result and result[0].matches, message
    return result[0].matches[0].entry.key


@pytest.mark.parametrize(
    ("message", "key"),
    [
        ("親，請問什麼時候發貨？", "ship"),  # Traditional, filler
        ("ＳＨＩ 什么时候发货呀！！！😊😊", "ship"),  # full width, emoji, punctuation
        ("在吗在吗 多久发货啊啊啊啊", "ship"),  # greeting filler, repeated characters
        ("什么时候寄出", "ship"),  # built-in synonym 寄出 ≈ 发货
        ("免运费吗", "postage"),  # built-in synonym 免运费 ≈ 包邮
        ("能让利吗", "cheaper"),  # the shop's own synonym 让利 ≈ 打折 (折扣)
        ("什么时候发伙", "ship"),  # homophone typo: pinyin pairs
        ("穿多da码", "size"),
        ("物流到哪了", "track"),
    ],
)
def test_buyer_phrasing(matcher: Matcher, message: str, key: str) -> None:
    assert top(matcher, message) == key


def test_normalisation_and_synonyms_feed_the_same_features() -> None:
    analyzer = Analyzer([["发货", "寄出"]])
    assert prepare("在嗎？？") == "在吗"  # a greeting alone is kept, not emptied
    assert analyzer.canon(prepare("請問幾時寄出呀")) == analyzer.canon(prepare("几时发货"))
    assert "w:发货" in analyzer.features(analyzer.canon("什么时候寄出"))


def test_several_questions_get_a_suggestion_each(matcher: Matcher) -> None:
    result = matcher.suggest(1, "什么时候发货？能便宜点吗", now=NOW)
    assert [r.matches[0].entry.key for r in result] == ["ship", "cheaper"]
    assert all(r.confident for r in result)


def test_nothing_matches_well_is_not_confident(matcher: Matcher) -> None:
    result = matcher.suggest(1, "你们老板是哪里人", now=NOW)
    assert len(result) == 1 and result[0].confident is False
    assert all(not m.confident for m in result[0].matches)
    assert matcher.suggest(1, "😊😊！！", now=NOW) == []


def test_threshold_is_a_setting() -> None:
    strict = Matcher(threshold=0.99)
    strict.load(KB, [], {})
    assert strict.suggest(1, "寄出来", now=NOW)[0].confident is False
    assert matcher_default(KB).suggest(1, "寄出来", now=NOW)[0].confident is True


def test_item_in_focus_boosts_its_hot_item_answer(matcher: Matcher) -> None:
    assert top(matcher, "容量多大") == "capacity"  # no item in focus: the general answer
    first = matcher.suggest(1, "容量多大", item_id=101, now=NOW)[0].matches[0]
    assert first.entry.key == "fryer_size" and first.reasons.item_boost > 0
    # another item in focus: the hot-item answer of item 101 is pushed down
    assert top(matcher, "容量多大", item_id=202) == "capacity"


def test_order_status_reroutes_shipping_to_payment(matcher: Matcher) -> None:
    match = matcher.suggest(1, "什么时候发货", order_status="awaiting_payment", now=NOW)[0].matches[0]
    assert (
        match.entry.key == "pay" and match.reasons.order_status == "awaiting_payment" and match.reasons.note
    )
    assert top(matcher, "什么时候发货", order_status="paid") == "ship"
    assert top(matcher, "什么时候发货", order_status="shipped") == "track"


def test_campaign_scripts_only_inside_the_window_and_boosted() -> None:
    m = Matcher()
    m.load(KB, [], {})
    script = CampaignScript(
        id=9, kind=ScriptKind.EMERGENCY, situation="付款失败", title="支付故障", body="稍后再试"
    )
    campaign = Campaign(
        id=3,
        shop_id=1,
        name="双11",
        starts_at=NOW - timedelta(hours=1),
        ends_at=NOW + timedelta(hours=1),
        scripts=[script],
    )
    m.upsert_campaign(campaign)
    first = m.suggest(1, "付款失败了", now=NOW)[0].matches[0]
    assert first.entry.kind == "script" and first.reasons.campaign_boost > 0
    later = m.suggest(1, "付款失败了", now=NOW + timedelta(days=1))[0].matches
    assert all(x.entry.kind == "intent" for x in later)


def test_incremental_updates(matcher: Matcher) -> None:
    m = Matcher()
    m.load(KB, [], {})
    assert top(m, "支持花呗分期吗") != "huabei"
    m.upsert_intent(intent(9, "huabei", ["可以用花呗吗", "支持分期吗"]))
    assert top(m, "支持花呗分期吗") == "huabei"
    m.remove_intent(9)
    assert all(x.entry.key != "huabei" for x in m.suggest(1, "支持花呗分期吗", now=NOW)[0].matches)
    m.set_synonyms(1, [["让利", "折扣"]])
    assert top(m, "能让利吗") == "cheaper"


def test_candidates_do_not_walk_common_features() -> None:
    m = Matcher()
    many = [intent(i, f"k{i}", [f"这个商品编号{i}号有货吗"]) for i in range(1, 400)]
    m.load([*many, intent(999, "ship", ["什么时候发货"])], [], {})
    index = m.shops[1].index
    assert index.df["w:有货"] > 300
    cands = index.candidates(Analyzer().features("发货"), 60)
    assert [index.docs[i].entry for i, _ in cands] == [999]


def test_evaluation_runs_and_beats_bm25_on_the_shipped_set() -> None:
    root = Path(__file__).resolve().parents[1] / "data"
    result = evaluate(root / "eval_kb.jsonl", root / "eval_queries.jsonl")
    assert set(result) == {"ours", "bm25", "confidence"}  # no encoder given: no "hybrid"
    for metric in ("top1", "top3", "mrr10"):
        assert result["ours"][metric] > result["bm25"][metric]
    intents = {
        json.loads(line)["intent_id"] for line in (root / "eval_kb.jsonl").read_text("utf-8").splitlines()
    }
    assert len(intents) >= 100
    assert len((root / "eval_queries.jsonl").read_text("utf-8").splitlines()) >= 400


@pytest.mark.parametrize("name", ["holdout", "blind"])
def test_ours_is_ahead_of_bm25_on_the_sets_written_apart_from_the_matcher(name: str) -> None:
    root = Path(__file__).resolve().parents[1] / "data"
    result = evaluate(root / f"{name}_kb.jsonl", root / f"{name}_queries.jsonl")
    for metric in ("top1", "top3", "mrr10"):
        assert result["ours"][metric] > result["bm25"][metric], metric


def test_bm25_baseline_is_standard() -> None:
    bm25 = BM25([{"intent_id": "a", "question": "发货时间"}, {"intent_id": "b", "question": "退货地址"}])
    assert bm25.k1 == 1.2 and bm25.b == 0.75
    assert bm25.rank("什么时候发货") == ["a"]


def test_frame_words_and_dictionary_only_segmentation() -> None:
    from knowledge.index import is_frame

    assert is_frame("会不会") and is_frame("不会") and is_frame("几个")  # made of stop characters
    assert not is_frame("发货") and not is_frame("能换货")
    words = Analyzer().words(prepare("换个码要寄回去吗"))
    assert "码要" not in words and "码" in words  # no guessed new word across a boundary


def test_a_shops_synonym_words_stay_whole_in_that_shop_only() -> None:
    """One shop's words are cut whole in its own texts, and never change how another shop's (or
    the BM25 baseline's) texts are cut: rjieba's dictionary is shared by the whole process."""
    text = prepare("暖暖绒毯子会起球吗")
    assert "暖暖绒" not in segment(text)
    shop = Analyzer([["暖暖绒", "暖绒款"]])
    assert "w:暖暖绒" in shop.features(shop.canon(text))
    assert "暖暖绒" in shop.words(shop.canon(prepare("暖绒款毯子")))
    other = Analyzer([["优惠", "折扣"]])
    assert "w:暖暖绒" not in other.features(other.canon(text))
    assert "暖暖绒" not in other.words(other.canon(text))
    assert "暖暖绒" not in segment(text)


def test_synonyms_expand_and_keep_the_buyers_own_characters() -> None:
    analyzer = Analyzer([["优惠", "折扣", "打折"]])
    question = prepare("能打个折吗")
    feats = analyzer.expanded(question, analyzer.canon(question))
    assert "c:折" in feats  # 打个折 still shares 折 with an example written 有折扣吗
    example = prepare("有折扣吗")
    assert analyzer.expanded(example, analyzer.canon(example))["w:优惠"] == 1.0
    # the rewritten-away word still counts, but less than the canonical one
    assert 0 < analyzer.expanded(example, analyzer.canon(example))["c:折"] < analyzer.features("折")["c:折"]


def test_a_shop_group_overlapping_a_builtin_group_joins_it() -> None:
    """让利 ≈ 打折 from the shop and the built-in 优惠 ≈ 折扣 ≈ 打折 make one group, headed by the
    shop's first word; before, 打折 moved to the shop's group and split the built-in one."""
    analyzer = Analyzer(merged([["让利", "打折"]]))
    assert {analyzer.canon(w) for w in ("让利", "打折", "折扣", "优惠")} == {"让利"}
    chained = Analyzer([["甲", "乙"], ["丙", "丁"], ["丁", "乙"]])
    assert {chained.canon(w) for w in "甲乙丙丁"} == {"甲"}


def test_idf_counts_intents_not_examples() -> None:
    m = Matcher()
    m.load(
        [intent(1, "a", ["发货", "发货吗", "发货呀"]), intent(2, "b", ["退款"]), intent(3, "c", ["付款"])],
        [],
        {},
    )
    index = m.shops[1].index
    assert index.idf("w:发货") == index.idf("w:退款")  # three examples of one intent: still one intent


def test_a_thank_you_finds_the_thanks_intent_not_the_acknowledgement() -> None:
    m = matcher_default(
        [
            intent(11, "thanks", ["谢谢", "好的谢谢", "多谢了"]),
            intent(12, "ok", ["好的", "好的我知道了", "明白了"]),
            *KB[:3],
        ]
    )
    assert top(m, "好的，谢谢") == "thanks"
    both = [x.entry.key for x in m.suggest(1, "明白了多谢", now=NOW)[0].matches]
    assert set(both[:2]) == {"ok", "thanks"}  # half acknowledgement, half thanks: both offered
    assert top(m, "明白了") == "ok"
    assert top(m, "什么时候发货？谢谢") == "ship"  # a question's thanks stays filler
