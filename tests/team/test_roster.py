"""The two shifts, swapped every half month; the evening shift past midnight."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from assistant.team.roster import current, default_group, shift_for

CST = timezone(timedelta(hours=8))


def test_the_groups_swap_shifts_on_the_16th() -> None:
    assert (
        shift_for("A", date(2026, 11, 1)).name == "早班" and shift_for("B", date(2026, 11, 1)).name == "晚班"
    )
    assert shift_for("A", date(2026, 11, 15)).name == "早班"
    assert (
        shift_for("A", date(2026, 11, 16)).name == "晚班"
        and shift_for("B", date(2026, 11, 16)).name == "早班"
    )
    assert {default_group(1), default_group(2)} == {"A", "B"}


def test_who_is_on_now_and_the_evening_past_midnight() -> None:
    at = datetime(2026, 11, 10, 9, 0, tzinfo=CST)
    assert current("A", at, CST).now_on and current("A", at, CST).shift == "早班"
    off = current("B", at, CST)
    assert not off.now_on and off.shift == "晚班" and off.starts == datetime(2026, 11, 10, 17, 30, tzinfo=CST)
    late = current("B", datetime(2026, 11, 11, 0, 15, tzinfo=CST), CST)
    assert late.now_on and late.ends == datetime(2026, 11, 11, 0, 30, tzinfo=CST)
    after = current("A", datetime(2026, 11, 10, 18, 0, tzinfo=CST), CST)
    assert not after.now_on and after.starts == datetime(2026, 11, 11, 8, 30, tzinfo=CST)
