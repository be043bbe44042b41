"""The refund review's pure rules: the hints a reviewer sees, and the KPI figures (efficiency counts a
decision within the limit, exactly at it included; days are the shop's; only reviewers' decisions)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from assistant.commerce.models import LogisticsStatus, OrderStatus
from assistant.team.kpi import CARDS, card_score
from assistant.team.refunds import Decision, Facts, hints, reviewer_figures

NOW = datetime(2026, 11, 11, 12, 0, tzinfo=UTC)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def facts(**changes: object) -> Facts:
    values: dict[str, object] = {
        "amount_fen": 10_000,
        "requested_at": NOW - timedelta(minutes=30),
        "decided": False,
        "order_status": OrderStatus.PAID,
        "shipped": False,
        "delivered": False,
        "paid_fen": 10_000,
        "last_logistics": None,
        "buyer_requests_90d": 1,
        "risk_flag": None,
    }
    values.update(changes)
    return Facts(**values)  # type: ignore[arg-type]


def codes(f: Facts, limit: int = 120) -> list[str]:
    return [h.code for h in hints(f, NOW, limit)]


def test_the_parcel_decides_the_first_hint() -> None:
    assert codes(facts()) == ["not_shipped"]
    assert codes(facts(order_status=OrderStatus.SHIPPED, shipped=True)) == ["in_transit"]
    assert codes(facts(order_status=OrderStatus.COMPLETED, shipped=True)) == ["received"]
    returned = facts(order_status=OrderStatus.SHIPPED, shipped=True, last_logistics=LogisticsStatus.RETURNED)
    assert codes(returned) == ["returned"]  # back at the warehouse, whatever the status says
    # 退款中 says nothing of the parcel: the shipping and delivery times do
    assert codes(facts(order_status=OrderStatus.REFUNDING)) == ["not_shipped"]
    assert codes(facts(order_status=OrderStatus.REFUNDING, shipped=True)) == ["in_transit"]
    assert codes(facts(order_status=OrderStatus.REFUNDING, shipped=True, delivered=True)) == ["received"]


def test_money_buyer_and_clock() -> None:
    over = hints(facts(amount_fen=12_345), NOW, 120)[0]
    assert (over.code, over.n, over.warn) == ("over_paid", 2_345, True) and "¥23.45" in over.text
    assert codes(facts(buyer_requests_90d=2)) == ["not_shipped"]
    assert codes(facts(buyer_requests_90d=3, risk_flag="bad_review_extortion")) == [
        "not_shipped",
        "frequent",
        "risk",
    ]
    late = hints(facts(requested_at=NOW - timedelta(minutes=150)), NOW, 120)[-1]
    assert (late.code, late.n) == ("overdue", 30)
    assert codes(facts(requested_at=NOW - timedelta(minutes=150), decided=True)) == ["not_shipped"]
    assert codes(facts(requested_at=NOW - timedelta(minutes=120))) == [
        "not_shipped"
    ]  # at the limit: not yet late


def decision(
    took_min: float, *, at: datetime = NOW, wrong: bool = False, reviewer: int = 7, shop: int = 1
) -> Decision:
    return Decision(shop, reviewer, at - timedelta(minutes=took_min), at, wrong)


def test_efficiency_and_quality_per_reviewer_and_shop() -> None:
    found = reviewer_figures(
        [
            decision(10),
            decision(120),
            decision(121),
            decision(30, wrong=True),
            decision(5, shop=2),
            decision(500, reviewer=8),
        ],
        date(2026, 11, 1),
        date(2026, 12, 1),
        SHANGHAI,
        120,
    )
    mine = found[(7, 1)].metrics
    assert mine["refunds_reviewed"] == 4 and mine["efficiency"] == 0.75  # 120 minutes is on time, 121 is not
    assert mine["quality"] == 0.75 and mine["refunds_wrong"] == 1
    assert mine["refund_review_minutes"] == (10 + 120 + 121 + 30) / 4
    assert found[(7, 2)].metrics["efficiency"] == 1.0
    assert found[(8, 1)].metrics["efficiency"] == 0.0
    # the card: 0.75 → 50 points, quality 0.75 → 0: 50 × 0.7
    score = card_score(mine, CARDS["refund_reviewer"])
    assert score is not None and round(score.value, 2) == 35.0


def test_a_decision_counts_on_its_day_in_the_shops_zone() -> None:
    # 2026-11-30 17:00 UTC is 12-01 01:00 in Shanghai: December's, not November's
    late_night = decision(10, at=datetime(2026, 11, 30, 17, 0, tzinfo=UTC))
    november = reviewer_figures([late_night], date(2026, 11, 1), date(2026, 12, 1), SHANGHAI, 120)
    december = reviewer_figures([late_night], date(2026, 12, 1), date(2027, 1, 1), SHANGHAI, 120)
    assert november == {} and december[(7, 1)].reviewed == 1
