"""Refund review (退款审核): what the reviewer should know before deciding a request, and the reviewer's
KPI figures. Pure functions over plain records; the SQL is ``refund_store``, the HTTP ``api/refunds``.

The seeds: a refund reviewer 审核所有退款协议, 高效 and without mistakes (误退); their card weighs
efficiency 70 and quality 30. Here

- **efficiency** = requests the reviewer decided within ``refund_review_minutes`` of the request ÷ the
  requests they decided, counted on the day of the decision in the shop's zone;
- **quality** = 1 − decisions a supervisor later marked wrong (误退 an approval, 误拒 a refusal) ÷ the
  requests they decided;

a request decided in the platform (or withdrawn) is nobody's review and counts for no one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from assistant.commerce.models import LogisticsStatus, OrderStatus

FREQUENT_REFUNDS = 3  # a buyer's requests in 90 days, this one included, from which it is a hint
FREQUENT_DAYS = 90


@dataclass(frozen=True, slots=True)
class Facts:
    """One request with what its order and buyer say."""

    amount_fen: int
    requested_at: datetime
    decided: bool
    order_status: OrderStatus
    shipped: bool  # the order has a shipping time (an order 退款中 keeps it)
    delivered: bool  # the order has a delivery time
    paid_fen: int  # price + postage
    last_logistics: LogisticsStatus | None
    buyer_requests_90d: int  # this buyer's refund requests in the shop over 90 days, this one included
    risk_flag: str | None  # the buyer's risk flag (差评师 …), None when none


@dataclass(frozen=True, slots=True)
class Hint:
    code: str
    text: str
    warn: bool = False  # worth a second look before approving
    n: int = 0  # the number the text names (minutes, requests, fen)


RECEIVED = {OrderStatus.DELIVERED, OrderStatus.COMPLETED}


def due_at(requested_at: datetime, limit_minutes: int) -> datetime:
    return requested_at + timedelta(minutes=limit_minutes)


def hints(facts: Facts, now: datetime, limit_minutes: int) -> list[Hint]:
    """What to check, most important first: the money, the parcel, the buyer, the clock."""
    out: list[Hint] = []
    if facts.amount_fen > facts.paid_fen:
        over = facts.amount_fen - facts.paid_fen
        out.append(Hint("over_paid", f"申请金额比实付多 ¥{over / 100:.2f}，核对后再处理", True, over))
    if facts.last_logistics is LogisticsStatus.RETURNED:
        out.append(Hint("returned", "包裹已退回，验货无误即可同意"))
    elif facts.delivered or facts.order_status in RECEIVED:
        out.append(Hint("received", "买家已签收：退货退款要等包裹退回验货后再同意", True))
    elif facts.shipped:
        out.append(Hint("in_transit", "已发货还没签收：先联系快递拦截或等买家拒收", True))
    elif facts.order_status is not OrderStatus.CANCELLED:
        out.append(Hint("not_shipped", "还没发货：同意后通知仓库拦截，别再发出"))
    if facts.buyer_requests_90d >= FREQUENT_REFUNDS:
        n = facts.buyer_requests_90d
        out.append(Hint("frequent", f"这位买家近 {FREQUENT_DAYS} 天第 {n} 次申请退款", True, n))
    if facts.risk_flag:
        out.append(Hint("risk", "买家有风险标记，处理要留证据", True))
    if not facts.decided and now > due_at(facts.requested_at, limit_minutes):
        late = int((now - due_at(facts.requested_at, limit_minutes)).total_seconds() // 60)
        out.append(Hint("overdue", f"已超过审核时限 {late} 分钟", True, late))
    return out


@dataclass(frozen=True, slots=True)
class Decision:
    """A request a reviewer decided."""

    shop_id: int
    reviewer_id: int
    requested_at: datetime
    decided_at: datetime
    wrong: bool


@dataclass
class ReviewFigures:
    reviewed: int = 0
    on_time: int = 0
    wrong: int = 0
    minutes_total: float = 0.0

    @property
    def metrics(self) -> dict[str, float]:
        """The card's metrics (only for a reviewer who decided something: nothing to share otherwise)."""
        return {
            "efficiency": self.on_time / self.reviewed,
            "quality": 1 - self.wrong / self.reviewed,
            "refunds_reviewed": self.reviewed,
            "refund_review_minutes": self.minutes_total / self.reviewed,
            "refunds_wrong": self.wrong,
        }


def reviewer_figures(
    decisions: Iterable[Decision], start: date, end: date, tz: tzinfo, limit_minutes: int
) -> dict[tuple[int, int], ReviewFigures]:
    """Per (reviewer, shop): the decisions made on days ``start <= day < end`` in the shop's zone."""
    found: dict[tuple[int, int], ReviewFigures] = {}
    limit = timedelta(minutes=limit_minutes)
    for d in decisions:
        if not start <= d.decided_at.astimezone(tz).date() < end:
            continue
        figures = found.setdefault((d.reviewer_id, d.shop_id), ReviewFigures())
        took = d.decided_at - d.requested_at
        figures.reviewed += 1
        figures.on_time += took <= limit
        figures.wrong += d.wrong
        figures.minutes_total += max(took.total_seconds(), 0) / 60
    return found
