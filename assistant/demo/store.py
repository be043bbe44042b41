"""Read-only queries the demo console needs (the only SQL of ``assistant.demo`` outside the generator)."""

from __future__ import annotations

from typing import Any

import sqlite_utils
from pydantic import BaseModel, ConfigDict

from assistant.commerce.models import OrderLine

# What a buyer with an order in this state tends to ask first (intent topics of the demo shop).
TOPICS_BY_STATUS: dict[str, tuple[str, ...]] = {
    "awaiting_payment": ("price", "payment", "presale", "size", "product"),
    "paid": ("shipping", "address", "invoice"),
    "shipped": ("logistics", "shipping"),
}
PER_STATUS = 4


class DemoConversation(BaseModel):
    """One conversation the demo console can open: a buyer with an open order and a first question."""

    conversation: str
    shop: str
    buyer: str
    item_id: int | None
    item_title: str | None
    order_id: str
    order_status: str
    first_message: str


def demo_conversations(db: sqlite_utils.Database, shop_code: str) -> list[DemoConversation]:
    """A dozen deterministic conversations of ``shop_code``: four buyers per open order status."""
    shop = next(iter(db.query("SELECT id FROM shops WHERE code = ?", [shop_code])), None)
    if shop is None:
        return []
    rows = list(
        db.query(
            """
            WITH latest AS (
                SELECT o.id, o.buyer_id, o.status,
                       ROW_NUMBER() OVER (PARTITION BY o.buyer_id ORDER BY o.created_at DESC, o.id DESC) AS rn
                FROM orders o
                WHERE o.shop_id = :shop AND o.status IN ('awaiting_payment', 'paid', 'shipped')
            ), ranked AS (
                SELECT l.*, ROW_NUMBER() OVER (PARTITION BY l.status ORDER BY l.buyer_id) AS pick
                FROM latest l WHERE l.rn = 1
            )
            SELECT r.id AS order_id, r.status, b.id AS buyer_id, b.nick,
                   (SELECT ol.item_id FROM order_lines ol
                    WHERE ol.order_id = r.id AND ol.item_id IS NOT NULL ORDER BY ol.id LIMIT 1) AS item_id
            FROM ranked r JOIN buyers b ON b.id = r.buyer_id
            WHERE r.pick <= :per_status
            ORDER BY r.buyer_id
            """,
            {"shop": shop["id"], "per_status": PER_STATUS},
        )
    )
    rows = _with_hot_item(db, shop["id"], [dict(r) for r in rows])
    titles = (
        {
            row["id"]: row["title"]
            for row in db.query(
                f"SELECT id, title FROM items WHERE id IN ({','.join('?' * len(rows))})",
                [r["item_id"] for r in rows],
            )
        }
        if rows
        else {}
    )
    result = []
    for index, row in enumerate(rows):
        examples = row.get("hot_examples") or _examples(db, shop["id"], TOPICS_BY_STATUS[row["status"]])
        message = examples[(index * 5 + row["buyer_id"]) % len(examples)] if examples else "在吗？"
        result.append(
            DemoConversation(
                conversation=f"demo-{row['buyer_id']}",
                shop=shop_code,
                buyer=row["nick"],
                item_id=row["item_id"],
                item_title=titles.get(row["item_id"]),
                order_id=row["order_id"],
                order_status=row["status"],
                first_message=message,
            )
        )
    return result


def _with_hot_item(
    db: sqlite_utils.Database, shop_id: int, rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Make sure one pre-sale conversation is about a hot item (爆款), so the sidebar shows its answers."""
    hot = [
        r["item_id"]
        for r in db.query(
            "SELECT item_id FROM intents WHERE shop_id = ? AND enabled = 1 AND item_id IS NOT NULL"
            " AND campaign_id IS NULL GROUP BY item_id ORDER BY item_id",
            [shop_id],
        )
    ]
    if not hot or any(r["item_id"] in hot for r in rows):
        return rows
    presale = next((r for r in rows if r["status"] == "awaiting_payment"), None)
    if presale is None:
        return rows
    presale["item_id"] = hot[0]
    presale["hot_examples"] = [
        row["text"]
        for row in db.query(
            """SELECT e.text FROM intent_examples e JOIN intents i ON i.id = e.intent_id
               WHERE i.shop_id = ? AND i.enabled = 1 AND i.item_id = ? ORDER BY i.id, e.position, e.id""",
            [shop_id, hot[0]],
        )
    ]
    return rows


def _examples(db: sqlite_utils.Database, shop_id: int, topics: tuple[str, ...]) -> list[str]:
    marks = ",".join("?" * len(topics))
    return [
        row["text"]
        for row in db.query(
            f"""SELECT e.text FROM intent_examples e JOIN intents i ON i.id = e.intent_id
                WHERE i.shop_id = ? AND i.enabled = 1 AND i.item_id IS NULL AND i.topic IN ({marks})
                ORDER BY i.id, e.position, e.id""",
            [shop_id, *topics],
        )
    ]


class ShopItem(BaseModel):
    """An item of the demo shop as its orders need it."""

    model_config = ConfigDict(frozen=True)

    id: int
    sku: str
    title: str
    price_fen: int

    def line(self, quantity: int) -> OrderLine:
        """An order line of ``quantity`` of this item at its price."""
        return OrderLine(
            item_id=self.id, sku=self.sku, title=self.title, unit_price_fen=self.price_fen, quantity=quantity
        )


def shop_items(db: sqlite_utils.Database, shop_id: int) -> list[ShopItem]:
    """A shop's items, by id."""
    rows = db.execute("SELECT id, sku, title, price_fen FROM items WHERE shop_id = ? ORDER BY id", [shop_id])
    return [ShopItem(id=row[0], sku=row[1], title=row[2], price_fen=row[3]) for row in rows.fetchall()]
