"""The demo's order reviewer and trainee, and paid orders that trip each review rule.

Orders of the buyers with the highest ids are changed (the demo conversations open the lowest ones), so
the console's conversations keep their orders as they were.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlite_utils

from assistant.commerce import store as commerce_store
from assistant.conversations import store as conversation_store
from assistant.conversations.models import Direction, MessageSource, NewMessage
from assistant.demo import review_store as store
from knowledge import store as kb_store

REVIEWER = ("xiaoshen", "小沈", "订单审核专员")
TRAINEE = ("xiaoxin", "小新", "新人")

# (rule, order columns to set): one paid order each
CHANGES: list[tuple[str, dict[str, str]]] = [
    ("address_incomplete", {"district": "", "address_detail": "小区门口"}),
    ("region_contradicts", {"address_detail": "上海市浦东新区张江路88号2号楼"}),
    ("remote_area", {"province": "新疆维吾尔自治区", "city": "乌鲁木齐市", "district": "天山区"}),
    ("phone_invalid", {"receiver_phone": "1385712"}),
    ("message_invoice", {"buyer_message": "麻烦开发票，抬头：杭州暖居科技有限公司，税号见聊天"}),
]


def seed_review_and_training(
    db: sqlite_utils.Database, shop_id: int, supervisor: int, agent: int, now: datetime
) -> dict[str, int]:
    """Write the reviewer (granted the role), the trainee and the orders (the ``supervisor`` flags the
    risky buyer, the ``agent`` promised the gift in the chat); returns counts by name."""
    stamp = now.isoformat()
    reviewer = kb_store.insert_agent(db, REVIEWER[0], REVIEWER[1], "agent", shop_id, at=stamp)
    trainee = kb_store.insert_agent(db, TRAINEE[0], TRAINEE[1], "agent", shop_id, at=stamp)
    store.grant_reviewer(db, reviewer, stamp)
    store.add_trainee(db, trainee, shop_id, stamp)
    orders = store.latest_paid_orders(db, shop_id, len(CHANGES) + 3)
    for (_rule, columns), order in zip(CHANGES, orders, strict=False):
        store.set_order_columns(db, order.id, columns)
    chat, renamed, risky = orders[len(CHANGES) : len(CHANGES) + 3]
    # the chat rule: the buyer asked for a gift before ordering, answered at once (the promise the order
    # must carry; answered, so the response watch has nobody waiting)
    asked = now - timedelta(hours=2)
    for direction, text, at in (
        (Direction.IN, "拍两件送赠品吗？要那个收纳袋", asked),
        (Direction.OUT, "有的亲，拍两件送收纳袋，我给您备注上", asked + timedelta(seconds=40)),
    ):
        conversation_store.insert_message(
            db,
            NewMessage(
                shop_id=shop_id,
                conversation=f"demo-review-{chat.id}",
                buyer_nick=chat.nick,
                direction=direction,
                source=MessageSource.HUMAN if direction is Direction.OUT else None,
                agent_id=agent if direction is Direction.OUT else None,
                text=text,
                at=at,
                received_at=at,
            ),
        )
    # the receiver changed after payment (an address edit in the audit log)
    before = {"receiver_name": renamed.receiver_name, "receiver_phone": renamed.receiver_phone}
    after = {"receiver_name": "王小二", "receiver_phone": "13900001111"}
    store.set_order_columns(db, renamed.id, after)
    commerce_store.insert_audit(
        db,
        at=(now - timedelta(minutes=20)).isoformat(),
        agent_id=None,
        shop_id=shop_id,
        entity="order",
        entity_id=renamed.id,
        action="address",
        reason="买家要求改收货人",
        before=before,
        after=after,
    )
    store.flag_buyer(db, risky.buyer_id, "多次以差评要挟退款", supervisor, stamp)
    return {"审单": 1, "学员": 1, "待审订单": len(CHANGES) + 3}
