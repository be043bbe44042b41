"""SQL for buyers, orders, order lines and logistics events.

The audit log is ``audit_store`` (its writer and reader re-exported here: most stores write audit
entries as ``store.insert_audit``), approvals and idempotency keys ``approval_store``, the related
items' reads ``related_store``, the row helpers and the frozen models these reads return
``store_rows`` (re-exported here)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlite_utils

from assistant.commerce.audit_store import audit_entries as audit_entries
from assistant.commerce.audit_store import insert_audit as insert_audit
from assistant.commerce.models import Buyer, Order
from assistant.commerce.store_rows import AuditRecord as AuditRecord
from assistant.commerce.store_rows import BuyerLine as BuyerLine
from assistant.commerce.store_rows import BuyerNote as BuyerNote
from assistant.commerce.store_rows import BuyerOrder as BuyerOrder
from assistant.commerce.store_rows import OrderSummaryRow as OrderSummaryRow
from assistant.commerce.store_rows import StoredBuyer as StoredBuyer
from assistant.commerce.store_rows import StoredEvent as StoredEvent
from assistant.commerce.store_rows import StoredLine as StoredLine
from assistant.commerce.store_rows import StoredOrder as StoredOrder
from assistant.commerce.store_rows import json_text as _json
from assistant.commerce.store_rows import one as _one
from assistant.commerce.store_rows import rows as _rows


def insert_buyers(db: sqlite_utils.Database, buyers: list[Buyer]) -> None:
    """Save buyers with the ids they carry."""
    db.conn.executemany(
        """INSERT INTO buyers (id, shop_id, nick, platform_level, member_tier, first_seen_at, tags, risk_flag,
            risk_note, risk_flagged_by, risk_flagged_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            (
                b.id,
                b.shop_id,
                b.nick,
                b.platform_level,
                b.member_tier.value,
                b.first_seen_at.isoformat(),
                _json(b.tags),
                b.risk_flag.value if b.risk_flag else None,
                b.risk_note,
                b.risk_flagged_by,
                b.risk_flagged_at.isoformat() if b.risk_flagged_at else None,
                b.version,
            )
            for b in buyers
        ],
    )


def insert_buyer_notes(db: sqlite_utils.Database, notes: list[tuple[int, int, str, str]]) -> None:
    """``(buyer_id, agent_id, text, at)`` rows."""
    db.conn.executemany("INSERT INTO buyer_notes (buyer_id, agent_id, text, at) VALUES (?, ?, ?, ?)", notes)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def insert_orders(db: sqlite_utils.Database, orders: list[Order], updated_at: str) -> None:
    """Save orders with their lines and logistics timelines."""
    db.conn.executemany(
        """INSERT INTO orders (id, shop_id, buyer_id, status, created_at, paid_at, shipped_at, delivered_at,
            price_fen, postage_fen, receiver_name, receiver_phone, province, city, district, address_detail,
            seller_remark, remark_flag, courier, tracking_no, refund_status, disputed, version, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            (
                o.id,
                o.shop_id,
                o.buyer_id,
                o.status.value,
                _iso(o.created_at),
                _iso(o.paid_at),
                _iso(o.shipped_at),
                _iso(o.delivered_at),
                o.price_fen,
                o.postage_fen,
                o.address.name,
                o.address.phone,
                o.address.province,
                o.address.city,
                o.address.district,
                o.address.detail,
                o.seller_remark,
                o.remark_flag.value,
                o.courier,
                o.tracking_no,
                o.refund_status.value,
                int(o.disputed),
                o.version,
                updated_at,
            )
            for o in orders
        ],
    )
    db.conn.executemany(
        "INSERT INTO order_lines (order_id, item_id, sku, title, unit_price_fen, quantity) VALUES (?, ?, ?, ?, ?, ?)",
        [
            (o.id, line.item_id, line.sku, line.title, line.unit_price_fen, line.quantity)
            for o in orders
            for line in o.lines
        ],
    )
    db.conn.executemany(
        "INSERT INTO logistics_events (order_id, at, status, location, description) VALUES (?, ?, ?, ?, ?)",
        [
            (o.id, e.at.isoformat(), e.status.value, e.location, e.description)
            for o in orders
            for e in o.logistics
        ],
    )


# ---- reads for the buyer card ------------------------------------------------------------------


def buyer_by_nick(db: sqlite_utils.Database, shop_id: int, nick: str) -> StoredBuyer | None:
    """The buyer row (by the (shop_id, nick) unique index), with the name of who flagged them."""
    row = _one(
        db,
        """SELECT b.*, coalesce(a.name, '') AS flagged_by_name FROM buyers b
           LEFT JOIN agents a ON a.id = b.risk_flagged_by WHERE b.shop_id = ? AND b.nick = ?""",
        (shop_id, nick),
    )
    return StoredBuyer.model_validate(row) if row else None


def buyer_orders(db: sqlite_utils.Database, buyer_id: int) -> list[BuyerOrder]:
    """Every order of a buyer, newest first (idx_orders_buyer)."""
    found = _rows(
        db,
        """SELECT id, status, created_at, paid_at, shipped_at, price_fen, refund_status, disputed
           FROM orders WHERE buyer_id = ? ORDER BY created_at DESC, id DESC""",
        (buyer_id,),
    )
    return [BuyerOrder.model_validate(r) for r in found]


def buyer_lines(db: sqlite_utils.Database, buyer_id: int) -> list[BuyerLine]:
    """Every order line of a buyer with its item's category."""
    found = _rows(
        db,
        """SELECT l.order_id, l.title, l.quantity, coalesce(i.category, '') AS category
           FROM orders o JOIN order_lines l ON l.order_id = o.id LEFT JOIN items i ON i.id = l.item_id
           WHERE o.buyer_id = ? ORDER BY l.id""",
        (buyer_id,),
    )
    return [BuyerLine.model_validate(r) for r in found]


def buyer_notes(db: sqlite_utils.Database, buyer_id: int, limit: int) -> list[BuyerNote]:
    """A buyer's newest notes with their authors' names."""
    found = _rows(
        db,
        """SELECT n.id, n.agent_id, coalesce(a.name, '') AS agent_name, n.text, n.at FROM buyer_notes n
           LEFT JOIN agents a ON a.id = n.agent_id WHERE n.buyer_id = ? ORDER BY n.at DESC, n.id DESC LIMIT ?""",
        (buyer_id, limit),
    )
    return [BuyerNote.model_validate(r) for r in found]


def last_events(db: sqlite_utils.Database, order_ids: list[str]) -> dict[str, StoredEvent]:
    """The newest logistics event of each order (idx_logistics_order)."""
    result: dict[str, StoredEvent] = {}
    for order_id in order_ids:
        row = _one(
            db,
            "SELECT id, order_id, at, status, location, description FROM logistics_events WHERE order_id = ?"
            " ORDER BY at DESC, id DESC LIMIT 1",
            (order_id,),
        )
        if row is not None:
            result[order_id] = StoredEvent.model_validate(row)
    return result


# ---- orders -------------------------------------------------------------------------------------

ORDER_EDIT_COLUMNS = frozenset(
    {
        "price_fen",
        "postage_fen",
        "receiver_name",
        "receiver_phone",
        "province",
        "city",
        "district",
        "address_detail",
        "seller_remark",
        "remark_flag",
    }
)


def order_row(db: sqlite_utils.Database, order_id: str) -> StoredOrder | None:
    """The order with its buyer's nick."""
    row = _one(
        db,
        "SELECT o.*, b.nick AS buyer_nick FROM orders o JOIN buyers b ON b.id = o.buyer_id WHERE o.id = ?",
        (order_id,),
    )
    return StoredOrder.model_validate(row) if row else None


def order_lines(db: sqlite_utils.Database, order_id: str) -> list[StoredLine]:
    found = _rows(db, "SELECT * FROM order_lines WHERE order_id = ? ORDER BY id", (order_id,))
    return [StoredLine.model_validate(r) for r in found]


def order_events(db: sqlite_utils.Database, order_id: str) -> list[StoredEvent]:
    """The order's logistics events, newest first."""
    found = _rows(
        db, "SELECT * FROM logistics_events WHERE order_id = ? ORDER BY at DESC, id DESC", (order_id,)
    )
    return [StoredEvent.model_validate(r) for r in found]


def order_summaries(
    db: sqlite_utils.Database,
    buyer_id: int,
    statuses: list[str] | None,
    before: tuple[str, str] | None,
    limit: int,
) -> list[OrderSummaryRow]:
    """A page of a buyer's orders, newest first; ``before`` is the (created_at, id) of the last row seen."""
    sql = [
        "SELECT o.*, (SELECT group_concat(title || ' ×' || quantity, '、') FROM order_lines l"
        " WHERE l.order_id = o.id) AS line_titles FROM orders o WHERE o.buyer_id = ?"
    ]
    params: list[Any] = [buyer_id]
    if statuses:
        sql.append(f"AND o.status IN ({', '.join('?' for _ in statuses)})")
        params.extend(statuses)
    if before is not None:
        sql.append("AND (o.created_at, o.id) < (?, ?)")
        params.extend(before)
    sql.append("ORDER BY o.created_at DESC, o.id DESC LIMIT ?")
    params.append(limit)
    return [OrderSummaryRow.model_validate(r) for r in _rows(db, " ".join(sql), params)]


def update_order(
    db: sqlite_utils.Database, order_id: str, fields: dict[str, Any], version: int, at: str
) -> bool:
    """Set ``fields`` and bump the version, only if the order is still at ``version``."""
    unknown = set(fields) - ORDER_EDIT_COLUMNS
    if unknown:
        raise ValueError(f"not an editable order column: {sorted(unknown)}")
    assignments = ", ".join(f"{name} = ?" for name in fields)
    cursor = db.conn.execute(
        f"UPDATE orders SET {assignments}, version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
        [*fields.values(), at, order_id, version],
    )
    return cursor.rowcount == 1


def keep_original_price(db: sqlite_utils.Database, order_id: str) -> None:
    """Remember the price before the first price edit."""
    db.conn.execute(
        "UPDATE orders SET original_price_fen = price_fen WHERE id = ? AND original_price_fen IS NULL",
        (order_id,),
    )


# ---- buyers: notes, tags, risk -----------------------------------------------------------------


def insert_note(db: sqlite_utils.Database, buyer_id: int, agent_id: int, text: str, at: str) -> int:
    cursor = db.conn.execute(
        "INSERT INTO buyer_notes (buyer_id, agent_id, text, at) VALUES (?, ?, ?, ?)",
        (buyer_id, agent_id, text, at),
    )
    return int(cursor.lastrowid or 0)


def update_buyer(db: sqlite_utils.Database, buyer_id: int, fields: dict[str, Any], version: int) -> bool:
    allowed = {"tags", "risk_flag", "risk_note", "risk_flagged_by", "risk_flagged_at"}
    if set(fields) - allowed:
        raise ValueError(f"not an editable buyer column: {sorted(set(fields) - allowed)}")
    values = [_json(v) if name == "tags" else v for name, v in fields.items()]
    assignments = ", ".join(f"{name} = ?" for name in fields)
    cursor = db.conn.execute(
        f"UPDATE buyers SET {assignments}, version = version + 1 WHERE id = ? AND version = ?",
        [*values, buyer_id, version],
    )
    return cursor.rowcount == 1
