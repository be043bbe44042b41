"""The quiz's drawing, picks and progress, on candidates written for each test."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from assistant.team.training import Answered, Candidate, Phrase, draw, passes, plain, progress, right_picks

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def candidate(intent_id: int, picks: tuple[int, ...] = ()) -> Candidate:
    return Candidate(
        "intent",
        intent_id,
        intent_id,
        (f"问题{intent_id}a", f"问题{intent_id}b"),
        (f"答案{intent_id}",),
        picks,
    )


def test_what_the_trainee_has_not_answered_right_comes_first() -> None:
    pool = [candidate(i) for i in range(1, 11)]
    for seed in range(20):
        drawn = draw(pool, 3, covered={1, 2, 3, 4, 5, 6, 7}, phrases=[], rng=random.Random(seed))
        assert {d.candidate.intent_id for d in drawn} == {8, 9, 10}
        assert all(d.question in d.candidate.phrasings for d in drawn)


def test_a_question_with_right_picks_offers_them_among_four_choices() -> None:
    phrases = [Phrase(i, f"短语{i}", f"内容{i}") for i in range(1, 9)]
    [drawn] = draw([candidate(1, picks=(3,))], 1, covered=set(), phrases=phrases, rng=random.Random(1))
    assert 3 in drawn.choices and len(drawn.choices) == 4 and len(set(drawn.choices)) == 4
    [typed] = draw([candidate(2)], 1, covered=set(), phrases=phrases, rng=random.Random(1))
    assert typed.choices == ()


def test_right_picks_are_the_phrases_that_say_the_answer() -> None:
    phrases = [Phrase(1, "发货", "亲，付款后48小时内发货哦"), Phrase(2, "退换", "亲，支持七天无理由退换")]
    assert right_picks(["亲，付款后48小时内发货哦！"], phrases, 90) == (1,)
    assert (
        right_picks(["亲，支持七天无理由退换，来回运费由运费险抵扣"], phrases, 90) == ()
    )  # says only part of it
    assert plain("亲，{{ buyer.nick }}，{% if x %}好{% endif %}") == "亲，…，好"


def test_progress_coverage_accuracy_median_and_the_pass_mark() -> None:
    answers = [
        Answered(1, True, 4_000, NOW),
        Answered(1, False, 10_000, NOW),
        Answered(2, True, 6_000, NOW),
        Answered(None, True, None, NOW),  # a campaign script: no intent to cover
    ]
    p = progress(answers, intents_total=4)
    assert (p.answered, p.correct, p.covered) == (4, 3, 2)
    assert p.accuracy == 0.75 and p.coverage == 0.5 and p.median_seconds == 6.0
    assert passes(p, accuracy=0.7, coverage=0.5) and not passes(p, accuracy=0.7, coverage=0.6)
    assert progress([], 4).accuracy is None and not passes(progress([], 4), 0, 0)
