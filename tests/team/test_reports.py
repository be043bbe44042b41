"""The period's figures from log lines and paid orders: inquiries, settle delays, attribution."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from assistant.team.reports import LogLine, PaidOrder, figures
from assistant.team.watch import Source

CST = timezone(timedelta(hours=8))
SHOP = 1


def at(day: int, clock: str) -> datetime:
    return datetime.combine(date(2026, 11, day), time.fromisoformat(clock), tzinfo=CST)


def buyer(buyer: str, day: int, clock: str, agent: int, conversation: str | None = None) -> LogLine:
    return LogLine(SHOP, conversation or f"c-{buyer}", buyer, at(day, clock), True, agent)


def agent_says(buyer: str, day: int, clock: str, agent: int, source: Source = Source.HUMAN) -> LogLine:
    return LogLine(SHOP, f"c-{buyer}", buyer, at(day, clock), False, agent, source)


def order(
    buyer: str, day: int, fen: int, items: int = 1, paid_after: timedelta = timedelta(minutes=5)
) -> PaidOrder:
    created = at(day, "10:00")
    return PaidOrder(SHOP, buyer, created, created + paid_after, fen, items)


def run(lines: list[LogLine], orders: list[PaidOrder]) -> dict[tuple[int, int], dict[str, float | None]]:
    got = figures(lines, orders, date(2026, 11, 1), date(2026, 12, 1), CST, now=at(30, "23:00"))
    return {key: f.metrics for key, f in got.items()}


def test_inquiries_conversion_by_settle_delay_and_attribution() -> None:
    lines = [
        buyer("A", 3, "10:00:00", 1),
        agent_says("A", 3, "10:01:00", 1),
        buyer("B", 3, "11:00:00", 1),  # never answered
        buyer("C", 3, "12:00:00", 2),
        agent_says("C", 3, "12:10:00", 2),
        buyer("E", 3, "09:00:00", 1, "c-E"),
        agent_says("E", 3, "09:00:05", 1, Source.AUTO_REPLY),
    ]
    orders = [
        order("A", 4, 10_000, items=2),  # next day: both figures
        order("B", 6, 20_000),  # three days later: final only
        order("C", 10, 30_000),  # a week later: not a conversion, but the order is still agent 2's
        order("D", 5, 40_000),  # nobody chatted with D: nobody's order
    ]
    got = run(lines, orders)
    one, two = got[(1, SHOP)], got[(2, SHOP)]
    assert one["inquiring"] == 3 and one["conversion_next_day"] == pytest.approx(1 / 3)
    assert one["conversion"] == pytest.approx(2 / 3)
    assert one["reply_rate"] == pytest.approx(1 / 3)  # the auto-reply is not a reply
    assert one["answer_ratio"] == pytest.approx(1 / 3)
    assert one["orders"] == 2 and one["sales_yuan"] == 300 and one["unit_price_yuan"] == 150
    assert one["items_per_buyer"] == 1.5
    # A answered in 60 s, B and E never: 1 of 3 turns within three minutes
    assert one["rate_3min"] == pytest.approx(1 / 3) and one["response_s"] == 60
    assert (
        two["inquiring"] == 1 and two["conversion"] == 0 and two["orders"] == 1 and two["sales_yuan"] == 300
    )
    assert two["rate_3min"] == 0 and two["response_s"] == 600  # 10 minutes: the cap


def test_an_order_belongs_to_the_last_agent_before_it_within_the_window() -> None:
    lines = [buyer("A", 2, "10:00:00", 1), buyer("A", 3, "10:00:00", 2)]
    got = run(lines, [order("A", 4, 5_000)])
    assert got[(2, SHOP)]["orders"] == 1 and got[(1, SHOP)]["orders"] == 0
    # a chat more than 30 days before the order does not own it
    old = [LogLine(SHOP, "c-A", "A", at(1, "10:00") - timedelta(days=40), True, 1)]
    assert (1, SHOP) not in run(old, [order("A", 4, 5_000)])


def test_no_consultations_means_no_rates_not_zeros() -> None:
    got = run([], [])
    assert got == {}
    lines = [agent_says("A", 3, "10:00:00", 1)]  # an agent wrote, nobody asked
    metrics = run(lines, [])[(1, SHOP)]
    assert metrics["inquiring"] == 0 and metrics["conversion"] is None and metrics["rate_3min"] is None
    assert metrics["unit_price_yuan"] is None and metrics["answer_ratio"] is None


def test_days_outside_the_period_are_left_out() -> None:
    lines = [LogLine(SHOP, "c-A", "A", datetime(2026, 10, 31, 23, 0, tzinfo=CST), True, 1)]
    assert run(lines, []) == {}


def test_daily_figures_add_up_to_the_months() -> None:
    from assistant.team.reports import Figures, add, daily_figures

    lines = [
        buyer("A", 3, "10:00:00", 1),
        agent_says("A", 3, "10:01:00", 1),
        buyer("B", 4, "11:00:00", 1),
        agent_says("B", 4, "11:05:00", 1),
        buyer("A", 5, "09:00:00", 1),
    ]
    orders = [order("A", 4, 10_000, items=2), order("B", 6, 20_000)]
    start, end = date(2026, 11, 1), date(2026, 12, 1)
    month = figures(lines, orders, start, end, CST, now=at(30, "23:00"))[(1, SHOP)]
    days = daily_figures(lines, orders, start, end, CST, now=at(30, "23:00"))
    assert {day for (_, _, day) in days} == {date(2026, 11, d) for d in (3, 4, 5, 6)}
    total = Figures(1, SHOP)
    for (agent, shop, _), part in days.items():
        assert (agent, shop) == (1, SHOP)
        add(total, part)
    assert total.metrics == month.metrics
