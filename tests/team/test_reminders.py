"""The reminder schedule: quiet hours, the daily cap, the auto-close, flash sales; channel, holdout, credit."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from assistant.team.reminders import (
    Channel,
    Lift,
    Rules,
    TouchDone,
    calling_slot,
    channel,
    closes_at,
    credited,
    in_holdout,
    plan,
    spread,
)

CST = timezone(timedelta(hours=8))


def at(day: int, clock: str) -> datetime:
    return datetime.combine(date(2026, 11, day), time.fromisoformat(clock), tzinfo=CST)  # 11-09 is a Monday


def test_a_daytime_order_is_touched_at_10_minutes_2_hours_and_before_it_closes() -> None:
    touches = plan(at(10, "10:00"), "t-1", tz=CST)
    assert [t.at for t in touches] == [at(10, "10:10"), at(10, "12:00"), at(13, "09:00")]
    assert [t.number for t in touches] == [1, 2, 3] and not any(t.moved for t in touches)
    assert closes_at(at(10, "10:00"), False) == at(13, "10:00")


def test_quiet_hours_move_a_touch_into_the_first_hour_of_the_morning_or_drop_it() -> None:
    touches = plan(at(10, "21:55"), "t-2", tz=CST)
    offset = spread("t-2", timedelta(minutes=60))
    assert timedelta(0) <= offset < timedelta(minutes=60)
    # 22:05 and 23:55 both fall in the night: one morning touch is kept, not two at once
    assert [t.at for t in touches] == [at(11, "08:00") + offset, at(13, "20:55")]
    assert touches[0].moved and not touches[1].moved
    assert all(not (t.at.time() >= time(22) or t.at.time() < time(8)) for t in touches)


def test_a_flash_sale_order_closes_sooner_and_gets_one_touch() -> None:
    rules = Rules(flash_close_after=timedelta(minutes=30))
    touches = plan(at(10, "10:00"), "t-3", flash_sale=True, rules=rules, tz=CST)
    assert [t.at for t in touches] == [at(10, "10:10")]
    # flash order placed at 21:55 closes at 22:25: the night touch cannot move past the close
    assert plan(at(10, "21:55"), "t-4", flash_sale=True, rules=rules, tz=CST) == []


def test_at_most_n_touches_a_day() -> None:
    rules = Rules(per_day=2, close_after=timedelta(hours=5), last_before_close=timedelta(hours=1))
    touches = plan(at(10, "10:00"), "t-5", rules=rules, tz=CST)
    assert [t.at for t in touches] == [at(10, "10:10"), at(10, "12:00")]  # the 14:00 one is the third


def test_large_orders_are_phoned_in_calling_hours_only() -> None:
    assert channel(100_000) is Channel.PHONE and channel(99_999) is Channel.CHAT
    assert calling_slot(at(10, "12:30"), tz=CST) == at(10, "12:30")
    assert calling_slot(at(10, "13:45"), tz=CST) == at(10, "18:00")
    assert calling_slot(at(10, "22:00"), tz=CST) == at(11, "12:00")
    assert calling_slot(at(14, "10:00"), tz=CST) == at(16, "12:00")  # Saturday → Monday


def test_the_holdout_is_about_five_percent_and_the_same_every_time() -> None:
    keys = [f"shop-1:buyer-{n}" for n in range(20_000)]
    held = [k for k in keys if in_holdout(k)]
    assert 0.04 < len(held) / len(keys) < 0.06
    assert held == [k for k in keys if in_holdout(k)]
    assert not any(in_holdout(k, Rules(holdout_percent=0)) for k in keys[:500])


def test_the_lift_and_its_confidence_interval() -> None:
    lift = Lift(reminded=1900, reminded_paid=760, held_out=100, held_out_paid=30)
    assert lift.reminded_rate == pytest.approx(0.4) and lift.held_out_rate == pytest.approx(0.3)
    assert lift.lift == pytest.approx(0.1)
    low, high = lift.interval() or (0, 0)
    se = (0.4 * 0.6 / 1900 + 0.3 * 0.7 / 100) ** 0.5
    assert low == pytest.approx(0.1 - 1.96 * se) and high == pytest.approx(0.1 + 1.96 * se)
    assert low < 0.1 < high
    assert Lift(10, 5, 0, 0).lift is None and Lift(10, 5, 0, 0).interval() is None


def test_the_credit_goes_to_the_last_touch_before_payment_within_three_days() -> None:
    touches = [TouchDone(at(10, "10:10"), 1, Channel.CHAT), TouchDone(at(10, "12:00"), 2, Channel.SMS)]
    assert credited(touches, at(10, "12:30")) == touches[1]
    assert credited(touches, at(10, "11:00")) == touches[0]
    assert credited(touches, at(10, "10:05")) is None  # paid before any reminder: no credit
    assert credited(touches, at(14, "12:00")) is None  # more than three days later
    assert credited(touches, None) is None
