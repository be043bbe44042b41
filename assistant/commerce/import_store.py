"""SQL of the shop import: looking up what an export row matches, and writing orders, buyers and items.

Lookups take a chunk of keys (a few hundred) at a time; writes are ``executemany`` per chunk. The
caller runs a whole apply inside one ``Database.write`` so a refusal anywhere keeps nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import sqlite_utils
from pydantic import BaseModel, ConfigDict

from assistant.commerce.store_rows import OrderColumns
from assistant.commerce.store_rows import rows as _rows

CHUNK = 500

#: order columns an import writes (beside id, shop_id, buyer_id, created_at and the bookkeeping ones)
IMPORT_COLUMNS = (
    "status", "paid_at", "shipped_at", "delivered_at", "price_fen", "postage_fen", "receiver_name",
    "receiver_phone", "province", "city", "district", "address_detail", "seller_remark", "courier",
    "tracking_no", "refund_status", "refund_fen", "buyer_message",
)  # fmt: skip


class ImportedLine(BaseModel):
    """A stored order line, compared with the export's lines."""

    model_config = ConfigDict(frozen=True)

    order_id: str
    item_id: int | None
    sku: str
    title: str
    unit_price_fen: int
    quantity: int


class LocalEdit(BaseModel):
    """An order's audit entry that was not the import's or the platform's: when, what, the columns after."""

    model_config = ConfigDict(frozen=True)

    entity_id: str
    at: str
    action: str
    after: dict[str, Any]


class KnownBuyer(BaseModel):
    """A buyer an export names: their id and when we first saw them."""

    model_config = ConfigDict(frozen=True)

    id: int
    nick: str
    first_seen_at: str


class ShopItemRow(BaseModel):
    """An item of the shop as the imports match export rows to it (``on_sale`` 0/1 as stored)."""

    model_config = ConfigDict(frozen=True)

    id: int
    sku: str
    title: str
    category: str
    price_fen: int
    stock: int
    on_sale: int
    platform_item_id: str | None
    version: int

    def column(self, name: str) -> Any:
        return getattr(self, name)


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" for _ in values)


def orders_by_id(db: sqlite_utils.Database, order_ids: Sequence[str]) -> dict[str, OrderColumns]:
    found: dict[str, OrderColumns] = {}
    for part in _chunks(order_ids):
        for row in _rows(db, f"SELECT * FROM orders WHERE id IN ({_marks(part)})", list(part)):
            found[row["id"]] = OrderColumns.model_validate(row)
    return found


def lines_by_order(db: sqlite_utils.Database, order_ids: Sequence[str]) -> dict[str, list[ImportedLine]]:
    found: dict[str, list[ImportedLine]] = {}
    for part in _chunks(order_ids):
        for row in _rows(
            db,
            "SELECT order_id, item_id, sku, title, unit_price_fen, quantity FROM order_lines"
            f" WHERE order_id IN ({_marks(part)}) ORDER BY id",
            list(part),
        ):
            found.setdefault(row["order_id"], []).append(ImportedLine.model_validate(row))
    return found


def order_audit(db: sqlite_utils.Database, order_ids: Sequence[str]) -> dict[str, list[LocalEdit]]:
    """Audit entries (at, action, after) of these orders, except the import's own and the platform's
    (a receiver change a snapshot brought is the platform's, not a local edit to keep)."""
    found: dict[str, list[LocalEdit]] = {}
    for part in _chunks(order_ids):
        for row in _rows(
            db,
            "SELECT entity_id, at, action, after FROM audit_log WHERE entity = 'order'"
            f" AND entity_id IN ({_marks(part)}) AND action NOT IN ('import', 'platform_sync')",
            list(part),
        ):
            entry = LocalEdit.model_validate(
                {**row, "after": json.loads(row["after"]) if row["after"] else {}}
            )
            found.setdefault(entry.entity_id, []).append(entry)
    return found


def buyers_by_nick(db: sqlite_utils.Database, shop_id: int, nicks: Sequence[str]) -> dict[str, KnownBuyer]:
    found: dict[str, KnownBuyer] = {}
    for part in _chunks(nicks):
        for row in _rows(
            db,
            f"SELECT id, nick, first_seen_at FROM buyers WHERE shop_id = ? AND nick IN ({_marks(part)})",
            [shop_id, *part],
        ):
            found[row["nick"]] = KnownBuyer.model_validate(row)
    return found


def insert_buyer(db: sqlite_utils.Database, shop_id: int, nick: str, first_seen_at: str) -> int:
    cursor = db.conn.execute(
        "INSERT INTO buyers (shop_id, nick, first_seen_at) VALUES (?, ?, ?)", (shop_id, nick, first_seen_at)
    )
    return int(cursor.lastrowid or 0)


def insert_buyers(db: sqlite_utils.Database, shop_id: int, buyers: Sequence[tuple[str, str]]) -> None:
    """``(nick, first_seen_at)`` pairs of new buyers."""
    db.conn.executemany(
        "INSERT INTO buyers (shop_id, nick, first_seen_at) VALUES (?, ?, ?)",
        [(shop_id, n, at) for n, at in buyers],
    )


def set_first_seen(db: sqlite_utils.Database, changes: Sequence[tuple[str, int]]) -> None:
    """``(first_seen_at, buyer_id)`` pairs: an imported order older than what we knew of the buyer."""
    db.conn.executemany("UPDATE buyers SET first_seen_at = ? WHERE id = ?", changes)


def insert_orders(db: sqlite_utils.Database, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    names = list(rows[0])
    db.conn.executemany(
        f"INSERT INTO orders ({', '.join(names)}) VALUES ({_marks(names)})", [tuple(r.values()) for r in rows]
    )


def update_orders(db: sqlite_utils.Database, order_id: str, values: dict[str, Any], at: str) -> None:
    """Set imported values, bump the version (an agent's stale edit then gets a 409)."""
    assignments = ", ".join(f"{name} = ?" for name in values)
    db.conn.execute(
        f"UPDATE orders SET {assignments}, version = version + 1, updated_at = ? WHERE id = ?",
        [*values.values(), at, order_id],
    )


def mark_exported(db: sqlite_utils.Database, pairs: Sequence[tuple[str, str]]) -> None:
    """``(exported_at, order_id)``: the export that last confirmed an unchanged order."""
    db.conn.executemany("UPDATE orders SET exported_at = ? WHERE id = ?", pairs)


def replace_lines(db: sqlite_utils.Database, order_id: str, lines: Sequence[tuple[Any, ...]]) -> None:
    db.conn.execute("DELETE FROM order_lines WHERE order_id = ?", (order_id,))
    insert_lines(db, [(order_id, *line) for line in lines])


def insert_lines(db: sqlite_utils.Database, lines: Sequence[tuple[Any, ...]]) -> None:
    """``(order_id, item_id, sku, title, unit_price_fen, quantity)`` rows."""
    db.conn.executemany(
        "INSERT INTO order_lines (order_id, item_id, sku, title, unit_price_fen, quantity) VALUES (?, ?, ?, ?, ?, ?)",
        lines,
    )


def shop_items(db: sqlite_utils.Database, shop_id: int) -> list[ShopItemRow]:
    found = _rows(
        db,
        "SELECT id, sku, title, category, price_fen, stock, on_sale, platform_item_id, version FROM items"
        " WHERE shop_id = ? ORDER BY id",
        (shop_id,),
    )
    return [ShopItemRow.model_validate(r) for r in found]


def insert_item(db: sqlite_utils.Database, shop_id: int, values: dict[str, Any], at: str) -> int:
    cursor = db.conn.execute(
        "INSERT INTO items (shop_id, sku, title, category, price_fen, stock, on_sale, platform_item_id, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (shop_id, values["sku"], values["title"], values["category"], values["price_fen"], values["stock"],
         int(values["on_sale"]), values["platform_item_id"], at),
    )  # fmt: skip
    return int(cursor.lastrowid or 0)


def update_item(db: sqlite_utils.Database, item_id: int, values: dict[str, Any], at: str) -> None:
    allowed = {"sku", "title", "category", "price_fen", "stock", "on_sale", "platform_item_id"}
    if set(values) - allowed:
        raise ValueError(f"not an importable item column: {sorted(set(values) - allowed)}")
    assignments = ", ".join(f"{name} = ?" for name in values)
    db.conn.execute(
        f"UPDATE items SET {assignments}, version = version + 1, updated_at = ? WHERE id = ?",
        [*(int(v) if isinstance(v, bool) else v for v in values.values()), at, item_id],
    )


def insert_run(db: sqlite_utils.Database, values: dict[str, Any]) -> int:
    cursor = db.conn.execute(
        f"INSERT INTO shop_imports ({', '.join(values)}) VALUES ({_marks(list(values))})",
        list(values.values()),
    )
    return int(cursor.lastrowid or 0)
