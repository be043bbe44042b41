"""KPI arithmetic on the seeds' worked examples and the edge cases."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

import pytest

from assistant.team.forecast import Shift, agents_needed, by_shift, forecast, load_verdict
from assistant.team.kpi import (
    CARDS,
    TARGETS,
    Band,
    Card,
    Score,
    band_for,
    bonus_yuan,
    card_score,
    explain,
    shops_score,
    with_team,
)


@pytest.mark.parametrize(
    ("score", "base", "bonus"),
    [
        (90, 3000, "2700.00"),
        (89, 2000, "1780.00"),
        (80, 2000, "1600.00"),
        (79.99, 1000, "799.90"),
        (100, 3000, "3000.00"),
        (0, 1000, "0.00"),
        (89.995, 3000, "2700.00"),
    ],
)
def test_the_bonus_is_the_bands_base_times_the_score(score: float, base: int, bonus: str) -> None:
    assert band_for(score).base_yuan == base
    assert bonus_yuan(score) == Decimal(bonus)


def test_bands_are_editable() -> None:
    bands = (Band(95, 5000), Band(0, 500))
    assert bonus_yuan(96, bands) == Decimal("4800.00") and bonus_yuan(94, bands) == Decimal("470.00")


def test_two_shops_score_main_times_0_6_plus_other_times_0_4() -> None:
    main, other = Score(80), Score(80)
    assert shops_score({"main": main, "other": other}, {"main": 0.6, "other": 0.4}) == pytest.approx(80)
    assert shops_score({"main": Score(90), "other": Score(70)}, {"main": 0.6, "other": 0.4}) == pytest.approx(
        82
    )
    # one shop only (no consultations in the other): that shop's score, not 0.6 of it
    assert shops_score({"main": Score(90), "other": None}, {"main": 0.6, "other": 0.4}) == pytest.approx(90)
    assert shops_score({"main": None}, {"main": 1}) is None


def test_metrics_map_to_points_by_their_targets_both_ways() -> None:
    conversion = TARGETS["conversion"]
    assert conversion.points(0.20) == 0 and conversion.points(0.60) == 100
    assert conversion.points(0.40) == pytest.approx(50)
    assert conversion.points(0.9) == 100 and conversion.points(0.0) == 0  # clamped
    response = TARGETS["response_s"]  # lower is better
    assert response.points(15) == 100 and response.points(60) == 0
    assert response.points(37.5) == pytest.approx(50)


def test_the_agent_card_weighs_conversion_50_and_unit_price_20() -> None:
    card = CARDS["agent"]
    assert card.weights["conversion"] == 50 and card.weights["unit_price_yuan"] == 20
    assert sum(card.weights.values()) == 100
    perfect = {"conversion": 0.6, "response_s": 15, "satisfaction": 1.0, "unit_price_yuan": 300}
    assert card_score(perfect, card) == Score(100, card_score(perfect, card).parts)  # type: ignore[union-attr]
    half_conversion = {**perfect, "conversion": 0.40}
    got = card_score(half_conversion, card)
    assert got is not None and got.value == pytest.approx(75)


def test_no_consultations_is_no_score_and_a_missing_metric_shares_its_weight() -> None:
    card = CARDS["agent"]
    assert card_score({}, card) is None
    assert card_score({"conversion": None}, card) is None
    unrated = {"conversion": 0.6, "response_s": 15, "satisfaction": None, "unit_price_yuan": 300}
    got = card_score(unrated, card)
    assert got is not None and got.value == pytest.approx(100)
    assert sum(p.weight for p in got.parts) == pytest.approx(1)


def test_refund_reviewer_card_is_efficiency_70_quality_30() -> None:
    got = card_score({"efficiency": 1.0, "quality": 0.90}, CARDS["refund_reviewer"])
    assert got is not None and got.value == pytest.approx(70)


def test_a_supervisors_score_is_60_percent_the_teams_average() -> None:
    card = CARDS["supervisor"]
    assert with_team(70, 90, card) == pytest.approx(90 * 0.6 + 70 * 0.4)
    assert with_team(70, None, card) == 70
    assert with_team(None, 85, card) == 85
    assert with_team(70, 90, Card({"conversion": 1})) == 70


def test_the_explanation_says_the_base_and_what_the_next_band_needs() -> None:
    figures = {"conversion": 0.58, "response_s": 25, "satisfaction": 0.96, "unit_price_yuan": 270}
    score = card_score(figures, CARDS["agent"])
    assert score is not None
    told = explain(score)
    assert told.base_yuan == 2000 and told.next_band is not None and told.next_band.base_yuan == 3000
    assert told.points_short == Decimal(90) - told.score
    text = told.text()
    assert text.startswith(f"{float(told.score):g} 分 → 基数 2000；再得 ")
    assert "进 3000 档：转化率 +" in text and "个百分点" in text and "平均响应 −" in text
    # each step, applied alone, really lifts the score into the next band
    for step in told.steps:
        target = TARGETS[step.metric]
        changed = {**figures, step.metric: figures[step.metric] + step.change / target.scale}
        lifted = card_score(changed, CARDS["agent"])
        assert lifted is not None and band_for(lifted.value).base_yuan == 3000, step


def test_the_top_band_has_nothing_to_reach_for() -> None:
    score = card_score({"conversion": 0.6, "response_s": 10}, CARDS["agent"])
    assert score is not None
    assert explain(score).text() == "100 分 → 基数 3000（已是最高档）"


def test_the_forecast_is_this_october_times_last_years_ratio() -> None:
    got = forecast(this_october_daily=1200, last_event_day=9000, last_october_daily=1000)
    assert got.consultations == 10800 and got.ratio == 9
    assert got.agents_min == 90 and got.agents_max == 135  # 10800 / 120 and / 80, rounded up
    assert forecast(1000, 1001, 1000).agents_min == 9  # 1001 / 120 = 8.34 → 9
    with pytest.raises(ValueError, match="last_october_daily"):
        forecast(1000, 5000, 0)


def test_staffing_between_80_and_120_a_day() -> None:
    assert agents_needed(240, 120) == 2 and agents_needed(241, 120) == 3 and agents_needed(0, 120) == 0
    assert (
        load_verdict(1300, 10) == "add"
        and load_verdict(700, 10) == "fewer"
        and load_verdict(1000, 10) == "ok"
    )
    assert load_verdict(120 * 10, 10) == "ok" and load_verdict(80 * 10, 10) == "ok"


def test_shifts_split_the_day_by_the_hour_curve() -> None:
    day, evening = Shift("早班", time(8, 30), time(17, 30)), Shift("晚班", time(17, 30), time(0, 30))
    assert day.hours() == list(range(8, 18)) and evening.hours() == [0, 17, 18, 19, 20, 21, 22, 23]
    flat = {hour: 1.0 for hour in range(24)}
    needs = by_shift(2400, flat, {"早班": 5, "晚班": 3}, (day, evening))
    assert [n.shift for n in needs] == ["早班", "晚班"]
    # 8-16 alone on the day shift, 17 shared, 18-23 and 0 on the evening: 9.5 and 7.5 of 24 hours
    assert needs[0].share == pytest.approx(9.5 / 24) and needs[1].share == pytest.approx(7.5 / 24)
    assert needs[0].consultations == 950 and needs[0].agents_min == 8 and needs[0].short == 3
    assert needs[1].consultations == 750 and needs[1].agents_min == 7 and needs[1].short == 4
