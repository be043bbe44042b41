"""The buyer card: who this buyer is, in the two seconds an agent has. Built from the store's rows, no SQL.

RFM thresholds (documented in docs/api.md, "Buyers"):

- **Recency** is *high* when the last purchase was at most ``RECENT_DAYS`` (90) days ago.
- **Frequency** is *high* with at least ``FREQUENT_PURCHASES`` (2) purchases.
- **Monetary** is *high* when the buyer spent at least ``BIG_SPEND_FEN`` (¥1,000.00) in total.

A purchase is an order that was paid and not cancelled or fully refunded (paid, shipped,
delivered, completed, refunding). The eight high/low combinations are the classic RFM segments;
a buyer without any purchase is a prospect (潜在客户).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from typing import Literal

from assistant.commerce.labels import REFUND_LABELS, RISK_LABELS, STATUS_LABELS, TIER_LABELS, yuan
from assistant.commerce.models import OPEN_STATUSES, MemberTier, OrderStatus, RefundStatus, RiskFlag
from assistant.commerce.orders import logistics_state
from assistant.commerce.store_rows import BuyerLine, BuyerNote, BuyerOrder, StoredBuyer, StoredEvent
from assistant.commerce.views import (
    BuyerCard,
    BuyerOut,
    CategoryOut,
    CustomerOut,
    NoteOut,
    OrderBrief,
    RefundsOut,
    RfmOut,
    RiskOut,
    SpendOut,
)

Band = Literal["high", "low"]

RECENT_DAYS = 90
FREQUENT_PURCHASES = 2
BIG_SPEND_FEN = 100_000
PURCHASE_STATUSES = frozenset(
    {
        OrderStatus.PAID,
        OrderStatus.SHIPPED,
        OrderStatus.DELIVERED,
        OrderStatus.COMPLETED,
        OrderStatus.REFUNDING,
    }
)
SEGMENTS: dict[tuple[Band, Band, Band], tuple[str, str]] = {
    ("high", "high", "high"): ("champion", "重要价值客户"),
    ("high", "low", "high"): ("big_newcomer", "重要发展客户"),
    ("low", "high", "high"): ("loyal_drifting", "重要保持客户"),
    ("low", "low", "high"): ("big_lapsed", "重要挽留客户"),
    ("high", "high", "low"): ("regular", "一般价值客户"),
    ("high", "low", "low"): ("newcomer", "一般发展客户"),
    ("low", "high", "low"): ("occasional", "一般保持客户"),
    ("low", "low", "low"): ("lapsed", "一般挽留客户"),
}
MAX_NOTES = 10
MAX_BRIEFS = 10


def rfm(purchases: list[BuyerOrder], now: datetime) -> RfmOut:
    monetary = sum(p.price_fen for p in purchases)
    if not purchases:
        return RfmOut(
            recency_days=None,
            frequency=0,
            monetary_fen=0,
            monetary_yuan=yuan(0),
            r="low",
            f="low",
            m="low",
            segment="prospect",
            segment_label="潜在客户",
            explanation="还没有成交过",
        )
    last = max(_bought_at(p) for p in purchases)
    days = max(0, (now - last).days)
    r: Band = "high" if days <= RECENT_DAYS else "low"
    f: Band = "high" if len(purchases) >= FREQUENT_PURCHASES else "low"
    m: Band = "high" if monetary >= BIG_SPEND_FEN else "low"
    segment, label = SEGMENTS[(r, f, m)]
    explanation = f"最近一次购买在 {days} 天前，共 {len(purchases)} 笔，累计 {yuan(monetary)}"
    return RfmOut(
        recency_days=days,
        frequency=len(purchases),
        monetary_fen=monetary,
        monetary_yuan=yuan(monetary),
        r=r,
        f=f,
        m=m,
        segment=segment,
        segment_label=label,
        explanation=explanation,
    )


def _bought_at(order: BuyerOrder) -> datetime:
    return datetime.fromisoformat(order.paid_at or order.created_at)


def _summary(titles: list[tuple[str, int]]) -> str:
    if not titles:
        return ""
    first, quantity = titles[0]
    head = f"{first} ×{quantity}"
    return head if len(titles) == 1 else f"{head} 等 {len(titles)} 种"


def _alert(
    order: BuyerOrder, last_event: StoredEvent | None, now: datetime, stale_hours: int, reminder_minutes: int
) -> str | None:
    status = OrderStatus(order.status)
    if order.disputed:
        return "纠纷处理中"
    if order.refund_status == RefundStatus.REQUESTED.value:
        return "退款申请中"
    if status is OrderStatus.AWAITING_PAYMENT:
        minutes = int((now - datetime.fromisoformat(order.created_at)).total_seconds() // 60)
        return f"下单 {minutes} 分钟未付款" if minutes >= reminder_minutes else None
    if status is OrderStatus.SHIPPED:
        shipped = datetime.fromisoformat(order.shipped_at) if order.shipped_at else None
        found = logistics_state(status, shipped, last_event, now, stale_hours)
        return found.label if found.state in {"stale", "returned", "failed_delivery", "exception"} else None
    return None


def _brief(order: BuyerOrder, titles: list[tuple[str, int]], alert: str | None = None) -> OrderBrief:
    status = OrderStatus(order.status)
    refund = RefundStatus(order.refund_status)
    return OrderBrief(
        order_id=order.id,
        status=status,
        status_label=STATUS_LABELS[status],
        created_at=order.created_at,
        price_fen=order.price_fen,
        price_yuan=yuan(order.price_fen),
        summary=_summary(titles),
        refund_status=refund,
        refund_label=REFUND_LABELS[refund],
        disputed=bool(order.disputed),
        alert=alert,
    )


def buyer_card(
    buyer: StoredBuyer,
    orders: list[BuyerOrder],
    lines: list[BuyerLine],
    notes: list[BuyerNote],
    last_events: Mapping[str, StoredEvent],
    now: datetime,
    stale_hours: int,
    reminder_minutes: int,
) -> BuyerCard:
    """Assemble the card from the buyer row, their orders (newest first), lines, notes and open orders' last events."""
    titles: dict[str, list[tuple[str, int]]] = {}
    categories: Counter[str] = Counter()
    for line in lines:
        titles.setdefault(line.order_id, []).append((line.title, line.quantity))
        if line.category:
            categories[line.category] += line.quantity
    purchases = [o for o in orders if o.status in PURCHASE_STATUSES]
    total = sum(o.price_fen for o in purchases)
    average = total // len(purchases) if purchases else 0
    first_seen = datetime.fromisoformat(buyer.first_seen_at)
    if purchases:
        since = min(_bought_at(p) for p in purchases)
        customer = CustomerOut(
            kind="returning",
            label="老客",
            since=since,
            since_label=f"{since:%Y年%m月} 首次购买，共 {len(purchases)} 笔",
        )
    else:
        customer = CustomerOut(
            kind="new",
            label="新客",
            since=first_seen,
            since_label=f"{first_seen:%Y年%m月%d日} 首次来访，还没有成交",
        )
    last_purchase = _brief(purchases[0], titles.get(purchases[0].id, [])) if purchases else None
    open_orders = [
        _brief(
            o,
            titles.get(o.id, []),
            _alert(o, last_events.get(o.id), now, stale_hours, reminder_minutes),
        )
        for o in orders
        if o.status in OPEN_STATUSES
    ][:MAX_BRIEFS]
    troubled = [o for o in orders if o.refund_status != RefundStatus.NONE.value or o.disputed]
    refunds = RefundsOut(
        refunds=sum(1 for o in orders if o.refund_status != RefundStatus.NONE.value),
        open_refunds=sum(1 for o in orders if o.refund_status == RefundStatus.REQUESTED.value),
        disputes=sum(1 for o in orders if o.disputed),
        orders=[_brief(o, titles.get(o.id, [])) for o in troubled[:MAX_BRIEFS]],
    )
    risk = None
    if buyer.risk_flag:
        flag = RiskFlag(buyer.risk_flag)
        risk = RiskOut(
            flag=flag,
            label=RISK_LABELS[flag],
            note=buyer.risk_note or "",
            flagged_by=buyer.risk_flagged_by,
            flagged_by_name=buyer.flagged_by_name,
            flagged_at=buyer.risk_flagged_at,
        )
    tier = MemberTier(buyer.member_tier)
    return BuyerCard(
        buyer=BuyerOut(
            id=buyer.id,
            shop_id=buyer.shop_id,
            nick=buyer.nick,
            platform_level=buyer.platform_level,
            platform_level_label=f"V{buyer.platform_level}",
            member_tier=tier,
            member_tier_label=TIER_LABELS[tier],
            first_seen_at=first_seen,
            tags=json.loads(buyer.tags),
            version=buyer.version,
        ),
        customer=customer,
        spend=SpendOut(
            orders=len(orders),
            purchases=len(purchases),
            total_fen=total,
            total_yuan=yuan(total),
            average_fen=average,
            average_yuan=yuan(average),
        ),
        last_purchase=last_purchase,
        favourite_categories=[CategoryOut(category=c, quantity=n) for c, n in categories.most_common(3)],
        open_orders=open_orders,
        refunds=refunds,
        notes=[NoteOut(**n.model_dump()) for n in notes],
        rfm=rfm(purchases, now),
        risk=risk,
    )
