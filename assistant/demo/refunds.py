"""The demo's refund reviewer (小琴, 退款审核专员) and two months of refund requests she decided, so the
refunds tab and her KPI card (efficiency 70 / quality 30) show believable figures on a fresh start: most
decided within the two-hour limit, a few late, up to two marked wrong by the supervisor; the demo's 退款中
orders approved as returns on their way back; and four requests open now, one already past the limit."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import sqlite_utils

from assistant.demo import refund_store as store
from assistant.team import grant_store
from knowledge import store as kb_store
from knowledge.models import Role

REVIEWER = ("xiaoqin", "小琴", "退款审核专员")
DAYS = 60
REJECT_NOTES = (
    "商品已签收且无质量问题，超过七天无理由退货期",
    "买家未退回商品，物流显示未寄出",
    "定制商品，详情页已注明不支持无理由退款",
)
RETURN_NOTE = "同意退货退款，等买家寄回后退款"
APPROVE_NOTES = ("未发货，已通知仓库拦截", "退回包裹已验收", "", "", "质量问题，照片已核实")
WRONG = ("包裹还没退回就同意了", "赠品未退回，应扣除赠品金额")
OPEN_WAITS = (150, 95, 45, 20)  # minutes the open requests have waited (the first is past the limit)


def seed_refunds(db: sqlite_utils.Database, shop_id: int, supervisor: int, now: datetime) -> dict[str, int]:
    """Write the reviewer (granted the role), her decided requests and the open ones; counts by name."""
    rng = random.Random(23)
    stamp = now.isoformat()
    reviewer = kb_store.insert_agent(db, REVIEWER[0], REVIEWER[1], "agent", shop_id, at=stamp)
    grant_store.set_grant(db, Role.REFUND_REVIEWER, reviewer, True, supervisor, stamp)
    orders = store.paid_orders(db, shop_id, now - timedelta(days=DAYS), now - timedelta(hours=6))
    rng.shuffle(orders)
    opened, decided = orders[: len(OPEN_WAITS)], orders[len(OPEN_WAITS) : len(OPEN_WAITS) + 2 * DAYS]
    wrong_left = list(WRONG)

    def took() -> timedelta:
        return timedelta(minutes=rng.uniform(8, 110) if rng.random() < 0.88 else rng.uniform(130, 420))

    # the 退款中 orders asked before the demo starts: approved returns on their way back
    for pending in store.pending_requests(db, shop_id):
        paid = datetime.fromisoformat(pending["paid_at"])
        asked = min(paid + timedelta(hours=rng.uniform(1, 48)), now - timedelta(hours=rng.uniform(8, 30)))
        store.settle_request(db, pending["id"], asked, asked + took(), reviewer, RETURN_NOTE)
    for order in decided:
        paid = datetime.fromisoformat(order["paid_at"])
        asked = paid + timedelta(hours=rng.uniform(2, 96))
        if asked >= now - timedelta(hours=3):
            continue
        took_now = took()
        approved = rng.random() < 0.85
        note = rng.choice(APPROVE_NOTES) if approved else rng.choice(REJECT_NOTES)
        wrong = wrong_left.pop() if approved and wrong_left and rng.random() < 0.05 else None
        store.decided_request(
            db,
            order,
            asked,
            asked + took_now,
            "approved" if approved else "rejected",
            reviewer,
            note,
            (wrong, supervisor, min(asked + took_now + timedelta(days=2), now)) if wrong else None,
        )
    for order, waited in zip(opened, OPEN_WAITS, strict=False):
        store.open_request(db, order["id"], now - timedelta(minutes=waited))
    return {"退款申请": store.count_requests(db, shop_id)}
