"""The editable KPI settings and the agent levels: defaults are the seeds', every change is checked,
a level is judged on the months before, and the charts, drill-down and forecast additions add up."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from pydantic import ValidationError

from assistant.team import forecast as fc
from assistant.team import kpi
from assistant.team.drill import conversation_rows, hour_weekday
from assistant.team.kpi_config import LEVEL_NAMES, default_config, standing
from assistant.team.periods import months_before, period_range
from assistant.team.reports import LogLine, PaidOrder
from assistant.team.watch import Rules
from assistant.web import charts

CST = timezone(timedelta(hours=8))


def test_the_defaults_are_the_seeds_and_give_the_worked_examples() -> None:
    config = default_config()
    assert config.card("agent").weights["conversion"] == 50 and config.card("supervisor").team_share == 0.6
    assert config.card("refund_reviewer").weights == {"efficiency": 70, "quality": 30}
    bands = config.band_list()
    assert kpi.bonus_yuan(90, bands) == Decimal("2700.00")
    assert kpi.bonus_yuan(89, bands) == Decimal("1780.00")
    assert config.main_shop_weight == 0.6
    assert [lv.name for lv in config.levels] == list(LEVEL_NAMES)


def test_edited_bands_and_targets_change_the_bonus_and_the_points() -> None:
    raw = default_config().model_dump()
    raw["bands"] = [{"min_score": 85, "base_yuan": 5000}, {"min_score": 0, "base_yuan": 800}]
    raw["targets"]["conversion"] = {"worst": 0.3, "best": 0.5}
    config = type(default_config()).model_validate(raw)
    assert kpi.bonus_yuan(85, config.band_list()) == Decimal("4250.00")
    assert kpi.bonus_yuan(84.99, config.band_list()) == Decimal("679.92")
    assert config.target_map()["conversion"].points(0.4) == pytest.approx(50)
    assert config.target_map()["conversion"].label == "转化率"  # the words stay


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda c: c["cards"].update(cashier={"weights": {"conversion": 1}}), "没有这个角色"),
        (lambda c: c["cards"]["agent"]["weights"].update(nps=10), "没有目标的指标"),
        (lambda c: c["cards"]["agent"].update(weights={"conversion": 0}), "全是 0"),
        (lambda c: c.update(bands=[{"min_score": 80, "base_yuan": 2000}]), "从 0 分起"),
        (lambda c: c["levels"].reverse(), "依次是"),
        (lambda c: c["levels"][4].update(min_average=10), "不能越低"),
        (lambda c: c["targets"]["qc"].update(worst=100, best=100), "不能相同"),
    ],
)
def test_a_bad_setting_is_refused_naming_it(change, says) -> None:  # type: ignore[no-untyped-def]
    raw = default_config().model_dump()
    change(raw)
    with pytest.raises(ValidationError, match=says):
        type(default_config()).model_validate(raw)


def test_a_level_takes_its_months_and_says_what_the_next_needs() -> None:
    levels = default_config().levels
    assert standing([], levels).level == "普通"
    one = standing([75], levels)
    assert one.level == "高级" and one.next_level == "精英"
    assert "连续 2 个月有成绩（现有 1 个月）" in one.needs and "现在 75.0" in one.needs
    assert standing([85, 78], levels).level == "精英"
    assert standing([85, 65], levels).level == "高级"  # a month under 70 keeps 精英 away
    assert standing([90, 90, 89], levels).level == "专家"
    gold = standing([95] * 6, levels)
    assert gold.level == "金牌" and gold.next_level is None and gold.needs == ""
    # a month without a score ends the history: levels need consecutive months
    assert standing([95, None, 95], levels).level == "高级"


def test_periods_are_days_weeks_and_months() -> None:
    assert period_range("2026-11") == (date(2026, 11, 1), date(2026, 12, 1), "month")
    assert period_range("2026-12") == (date(2026, 12, 1), date(2027, 1, 1), "month")
    assert period_range("2026-W46") == (date(2026, 11, 9), date(2026, 11, 16), "week")
    assert period_range("2026-11-11") == (date(2026, 11, 11), date(2026, 11, 12), "day")
    with pytest.raises(ValueError, match="day is out of range"):
        period_range("2026-02-30")
    assert months_before(date(2026, 1, 15), 3) == ["2025-12", "2025-11", "2025-10"]


def _line(conv: str, buyer: str, at: datetime, from_buyer: bool, agent: int = 7) -> LogLine:
    return LogLine(1, conv, buyer, at, from_buyer, agent)


def test_the_conversations_behind_the_numbers() -> None:
    asked = datetime(2026, 11, 11, 10, 0, tzinfo=CST)
    lines = [
        _line("a", "甲", asked, True),
        _line("a", "甲", asked + timedelta(seconds=30), False),
        _line("b", "乙", asked, True),
        _line("b", "乙", asked + timedelta(seconds=400), False),
        _line("c", "丙", asked, True),
        _line("d", "丁", asked - timedelta(days=2), True),  # before the period
    ]
    orders = [
        PaidOrder(1, "甲", asked + timedelta(hours=1), asked + timedelta(hours=1), 12_300, 1),
        PaidOrder(1, "乙", asked + timedelta(days=6), asked + timedelta(days=6), 5_000, 1),
    ]  # too late
    now = asked + timedelta(hours=3)
    rows = conversation_rows(lines, orders, date(2026, 11, 11), date(2026, 11, 12), CST, Rules(), now)
    by = {r.conversation: r for r in rows}
    assert set(by) == {"a", "b", "c"}
    assert by["a"].paid and by["a"].paid_fen == 12_300 and by["a"].first_response_s == 30 and not by["a"].slow
    assert not by["b"].paid and by["b"].slow and by["b"].turns == 1 and by["b"].turns_within == 0
    assert by["c"].matches("unreplied") and by["c"].slow
    assert [r.conversation for r in rows if r.matches("paid")] == ["a"]
    grid = hour_weekday(lines, date(2026, 11, 11), date(2026, 11, 12), CST)
    assert grid[2][10] == 3 and sum(map(sum, grid)) == 3  # 2026-11-11 is a Wednesday


def test_hours_short_of_people_and_the_three_minute_rate() -> None:
    curve = {h: 1.0 for h in range(24)}
    hours = fc.by_hour(2400, curve, {"早班": 2, "晚班": 1})
    assert len(hours) == 24 and hours[10].consultations == 100
    # an agent on a 9-hour shift takes 120 / 9 ≈ 13.3 an hour: 100 an hour needs 8
    assert hours[10].agents_needed == 8 and hours[10].on_shift == 2
    assert hours[3].on_shift == 0 and hours[3].agents_needed > 0
    assert fc.expected_rate(0.9, 600, 5) == 0.9  # within 120 each: as now
    assert fc.expected_rate(0.9, 600, 4) == pytest.approx(0.9 * 480 / 600)
    assert fc.expected_rate(None, 0, 0) == 1.0


def test_charts_are_plain_svg_with_every_text_escaped() -> None:
    line = charts.line_chart(
        "趋势<1>", ["11-01", "11-02", "11-03"], {"转化率": [40, None, 50]}, y_max=100, unit="%"
    )
    assert line.startswith("<svg") and "<script" not in line and "style=" not in line
    assert "趋势&lt;1&gt;" in line and "转化率 11-03: 50%" in line
    bars = charts.bar_chart("得分", ["小美", "阿杰"], [92.5, None], marks=[(90, "90")], y_max=100)
    assert "小美: 92.5" in bars and 'stroke-dasharray="4 3"' in bars
    assert "data-key" not in bars
    keyed = charts.bar_chart("得分", ["小美", "阿杰"], [92.5, 81.0], keys=["7", '"><x'], y_max=100)
    assert keyed.count('class="drill"') == 2 and 'data-key="7"' in keyed
    assert 'data-key="&quot;&gt;&lt;x"' in keyed  # a key cannot break out of its attribute
    heat = charts.heatmap("时段", [[0, 5], [10, 0]], ["周一", "周二"], ["00", "01"])
    assert heat.count("<rect") == 4 and 'fill="#2563eb"' in heat  # the busiest cell is the full colour


def test_satisfaction_counts_ratings_of_four_and_five_on_the_day_rated() -> None:
    from assistant.team.reports import Evaluation, figures

    asked = datetime(2026, 11, 30, 23, 50, tzinfo=CST)
    lines = [_line("a", "甲", asked, True), _line("a", "甲", asked + timedelta(seconds=20), False)]
    evaluations = [
        Evaluation(1, 7, asked + timedelta(minutes=1), 5, asked + timedelta(minutes=2)),
        Evaluation(1, 7, asked + timedelta(minutes=1), 3, asked + timedelta(minutes=3)),
        Evaluation(1, 7, asked + timedelta(minutes=1), 4, asked + timedelta(minutes=20)),  # rated in December
        Evaluation(1, 7, asked + timedelta(minutes=1), None, None),  # invited, never rated
    ]
    got = figures(
        lines,
        [],
        date(2026, 11, 1),
        date(2026, 12, 1),
        CST,
        now=asked + timedelta(hours=1),
        evaluations=evaluations,
    )[(7, 1)]
    assert (got.invited, got.rated, got.satisfied) == (4, 2, 1)
    assert got.metrics["satisfaction"] == 0.5 and got.metrics["invite_rate"] == 4.0
    empty = figures(lines, [], date(2026, 11, 1), date(2026, 12, 1), CST, now=asked + timedelta(hours=1))[
        (7, 1)
    ]
    assert empty.metrics["satisfaction"] is None
