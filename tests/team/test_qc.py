"""QC core: the sample's strata, determinism and no overlap; the scorecard with critical items; the hash."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.team.qc import (
    FORBIDDEN_WORDS,
    SCORECARD,
    Candidate,
    Category,
    Reason,
    card_problems,
    deal,
    evidence_hash,
    review_score,
    sample,
    spread,
    week_of,
    words_in,
)

DAY = date(2026, 11, 12)


def candidates() -> list[Candidate]:
    found = []
    for agent in (1, 2, 3):
        for n in range(60):
            reasons: tuple[str, ...] = ()
            if n % 10 == 0:
                reasons = (Reason.MISSED,)
            elif n % 10 == 1:
                reasons = (Reason.FORBIDDEN, Reason.UNPAID)
            found.append(Candidate(f"a{agent}-c{n}", 1, agent, reasons))
    return found


def test_two_reviewers_never_share_a_conversation_and_the_deal_is_stable() -> None:
    hands = deal(candidates(), [7, 8], DAY)
    mine, theirs = {c.conversation for c in hands[7]}, {c.conversation for c in hands[8]}
    assert not mine & theirs and len(mine | theirs) == 180
    assert deal(list(reversed(candidates())), [8, 7], DAY) == hands
    assert deal(candidates(), [7, 8], date(2026, 11, 13)) != hands


def test_the_sample_is_risk_first_stratified_by_agent_and_deterministic() -> None:
    hand = deal(candidates(), [7], DAY)[7]
    picked = sample(hand, DAY, 7, size=50)
    assert len(picked) == 50 and len({p.conversation for p in picked}) == 50
    risky = [p for p in picked if p.reason != Reason.RANDOM]
    assert len(risky) == 30  # 60% of 50; there are 36 risky conversations
    # risk reasons are taken forbidden words first, and in turns between agents
    assert {p.agent_id for p in risky[:3]} == {1, 2, 3}
    assert all(p.reason == Reason.FORBIDDEN for p in risky[:18])
    assert sum(1 for p in picked if p.agent_id == 1) in (16, 17, 18)
    assert sample(hand, DAY, 7, size=50) == picked
    assert sample(hand, date(2026, 11, 13), 7, size=50) != picked


def test_a_small_day_gives_all_of_it() -> None:
    hand = [Candidate("only", 1, 1, ()), Candidate("risky", 1, 2, (Reason.ANGER,))]
    picked = sample(hand, DAY, 7, size=50)
    assert [(p.conversation, p.reason) for p in picked] == [("risky", Reason.ANGER), ("only", Reason.RANDOM)]


def test_the_review_score_is_the_weighted_mean_and_a_critical_failure_sets_it_to_zero() -> None:
    perfect = {
        "greeting": 5,
        "response": 5,
        "expertise": 5,
        "cross_sell": 5,
        "closing_sale": 5,
        "farewell": 5,
        "no_conflict": 2,
        "no_forbidden": 2,
        "no_wrong_promise": 2,
    }
    assert review_score(perfect).score == 100
    half = {**perfect, "expertise": 3}  # 50 points at weight 25 of 100
    assert review_score(half).score == pytest.approx(87.5)
    na = {k: v for k, v in perfect.items() if k != "cross_sell"} | {"expertise": 3}
    assert review_score(na).score == pytest.approx((100 * 60 + 50 * 25) / 85, abs=0.01)
    conflict = review_score({**perfect, "no_conflict": 1})
    assert conflict.score == 0 and conflict.zeroed_by == ("no_conflict",)
    with pytest.raises(ValueError, match="outside"):
        review_score({**perfect, "greeting": 6})
    with pytest.raises(ValueError, match="unknown"):
        review_score({"smile": 3})


def test_calibration_spread() -> None:
    assert spread({1: 80, 2: 90, 3: 100}) == {
        "range": 20,
        "stdev": pytest.approx(8.165, abs=0.001),
        "mean": 90,
    }
    assert spread({1: 75})["range"] == 0


def test_the_evidence_hash_detects_any_change() -> None:
    payload = {"messages": [{"at": "2026-11-11T10:00:00+08:00", "text": "不退款就给差评"}], "orders": ["1"]}
    digest = evidence_hash(payload)
    assert digest == evidence_hash(dict(reversed(list(payload.items()))))  # key order does not matter
    tampered = {**payload, "messages": [{"at": "2026-11-11T10:00:00+08:00", "text": "好的谢谢"}]}
    assert evidence_hash(tampered) != digest


def test_forbidden_words_are_found_whatever_the_case() -> None:
    assert words_in("亲，这是全网最低价，加qq聊", FORBIDDEN_WORDS) == ["最低价", "全网最低", "加QQ"]
    assert words_in("亲，今天就发货", FORBIDDEN_WORDS) == []


def test_a_scorecard_needs_unique_keys_yes_no_critical_items_and_a_weighted_category() -> None:
    assert card_problems(SCORECARD) == []
    bad = (
        Category("greeting", "问候", 10),
        Category("greeting", "又是问候", 5),
        Category("no_conflict", "冲突", 3, scale=2, critical=True),
        Category("no_lie", "乱承诺", 0, scale=5, critical=True),
    )
    assert [i for i, _ in card_problems(bad)] == [1, 2, 3]
    assert [i for i, _ in card_problems((Category("no_conflict", "冲突", 0, scale=2, critical=True),))] == [
        -1
    ]


def test_the_week_runs_monday_to_sunday() -> None:
    assert week_of(date(2026, 12, 2)) == (date(2026, 11, 30), date(2026, 12, 7))
    assert week_of(date(2026, 11, 30)) == (date(2026, 11, 30), date(2026, 12, 7))
    assert week_of(date(2026, 12, 6)) == (date(2026, 11, 30), date(2026, 12, 7))
