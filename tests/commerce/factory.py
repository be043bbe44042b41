"""Buyers, orders and items for commerce tests, saved through the store's own insert functions."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlite_utils

from assistant.commerce import store
from assistant.commerce.models import (
    Address,
    Buyer,
    LogisticsEvent,
    LogisticsStatus,
    Order,
    OrderLine,
    OrderStatus,
)
from knowledge import store as kb_store
from knowledge.models import Item, ItemKnowledge, RelatedItem

NOW = datetime.now(UTC).replace(microsecond=0)
ADDRESS = Address(
    name="张三",
    phone="13800138000",
    province="浙江省",
    city="杭州市",
    district="余杭区",
    detail="文一西路969号3号楼201室",
)
_ids = itertools.count(1)


def buyer(shop_id: int, nick: str, buyer_id: int, **extra: Any) -> Buyer:
    values: dict[str, Any] = {"first_seen_at": NOW - timedelta(days=400), **extra}
    return Buyer(id=buyer_id, shop_id=shop_id, nick=nick, **values)


def order(
    shop_id: int,
    buyer_id: int,
    status: OrderStatus,
    *,
    price_fen: int = 19_900,
    postage_fen: int = 0,
    age: timedelta = timedelta(days=1),
    lines: list[OrderLine] | None = None,
    logistics: list[LogisticsEvent] | None = None,
    **extra: Any,
) -> Order:
    created = NOW - age
    paid = created + timedelta(minutes=5) if status is not OrderStatus.AWAITING_PAYMENT else None
    shipped = (
        created + timedelta(hours=6)
        if status in {OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED}
        else None
    )
    values: dict[str, Any] = {
        "created_at": created,
        "paid_at": paid,
        "shipped_at": shipped,
        "courier": "中通快递" if shipped else None,
        "tracking_no": f"ZT{next(_ids):010d}" if shipped else None,
        **extra,
    }
    return Order(
        id=f"{2026_1111_0000_0000 + next(_ids)}",
        shop_id=shop_id,
        buyer_id=buyer_id,
        status=status,
        price_fen=price_fen,
        postage_fen=postage_fen,
        address=ADDRESS,
        lines=lines
        if lines is not None
        else [
            OrderLine(item_id=None, sku="LAMP-1", title="北欧落地灯", unit_price_fen=price_fen, quantity=1)
        ],
        logistics=logistics or [],
        **values,
    )


def event(
    status: LogisticsStatus,
    hours_ago: float,
    description: str = "快件已到达杭州转运中心",
    location: str = "杭州",
) -> LogisticsEvent:
    return LogisticsEvent(
        at=NOW - timedelta(hours=hours_ago), status=status, location=location, description=description
    )


@dataclass
class Seeded:
    buyers: list[Buyer] = field(default_factory=list)
    orders: list[Order] = field(default_factory=list)


def save(db: sqlite_utils.Database, buyers: list[Buyer], orders: list[Order]) -> None:
    store.insert_buyers(db, buyers)
    store.insert_orders(db, orders, NOW.isoformat())


def item(
    db: sqlite_utils.Database,
    shop_id: int,
    sku: str,
    title: str,
    category: str,
    *,
    price_fen: int = 9_900,
    stock: int = 10,
    on_sale: bool = True,
    points: list[str] | None = None,
) -> int:
    model = Item(
        id=1,
        shop_id=shop_id,
        sku=sku,
        title=title,
        category=category,
        price_fen=price_fen,
        stock=stock,
        on_sale=on_sale,
    )
    knowledge = ItemKnowledge(item_id=1, selling_points=points or [])
    return kb_store.insert_item(db, model, knowledge, at=NOW.isoformat())


def pair(db: sqlite_utils.Database, item_id: int, other_id: int, note: str = "", position: int = 0) -> None:
    kb_store.insert_related(
        db, [RelatedItem(item_id=item_id, related_item_id=other_id, note=note, position=position)]
    )
