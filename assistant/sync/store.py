"""SQL of the sync: orders and buyers from the host's snapshots, and the edit outbox (assistant:0004)."""

from __future__ import annotations

import json
import secrets
from typing import Any

import sqlite_utils
from pydantic import BaseModel, ConfigDict

from assistant.commerce.store_rows import OrderColumns

Row = dict[str, Any]


def _rows(db: sqlite_utils.Database, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[Row]:
    cursor = db.conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _one(db: sqlite_utils.Database, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> Row | None:
    rows = _rows(db, sql, params)
    return rows[0] if rows else None


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class PlatformBuyer(_Frozen):
    """The buyer columns a snapshot compares: the platform's level, first-seen and modified times."""

    id: int
    platform_level: int
    first_seen_at: str
    platform_modified_at: str | None


class SyncedLine(_Frozen):
    """An order line as a snapshot carries it (the item id only when the shop has that item)."""

    item_id: int | None
    sku: str
    title: str
    unit_price_fen: int
    quantity: int


class SyncedEvent(_Frozen):
    """A logistics event as a snapshot carries it (``at`` in the shop's time zone, as stored)."""

    at: str
    status: str
    location: str
    description: str


# ---- snapshots: buyers ------------------------------------------------------------------------


def buyer_row(db: sqlite_utils.Database, shop_id: int, nick: str) -> PlatformBuyer | None:
    row = _one(
        db,
        "SELECT id, platform_level, first_seen_at, platform_modified_at FROM buyers WHERE shop_id = ? AND nick = ?",
        (shop_id, nick),
    )
    return PlatformBuyer.model_validate(row) if row else None


def insert_buyer(
    db: sqlite_utils.Database,
    shop_id: int,
    nick: str,
    first_seen_at: str,
    platform_level: int | None,
    modified_at: str | None,
) -> int:
    cursor = db.conn.execute(
        "INSERT INTO buyers (shop_id, nick, platform_level, first_seen_at, platform_modified_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (shop_id, nick, 1 if platform_level is None else platform_level, first_seen_at, modified_at),
    )
    return int(cursor.lastrowid or 0)


def update_buyer_from_platform(db: sqlite_utils.Database, buyer_id: int, fields: dict[str, Any]) -> None:
    """Set platform-owned buyer columns (a changed level or first-seen time bumps the version)."""
    allowed = {"platform_level", "first_seen_at", "platform_modified_at"}
    if set(fields) - allowed:
        raise ValueError(f"not a platform buyer column: {sorted(set(fields) - allowed)}")
    bump = ", version = version + 1" if set(fields) - {"platform_modified_at"} else ""
    assignments = ", ".join(f"{name} = ?" for name in fields)
    db.conn.execute(f"UPDATE buyers SET {assignments}{bump} WHERE id = ?", [*fields.values(), buyer_id])


# ---- snapshots: orders ------------------------------------------------------------------------

PLATFORM_ORDER_COLUMNS = (
    "buyer_id",
    "status",
    "created_at",
    "paid_at",
    "shipped_at",
    "delivered_at",
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
    "courier",
    "tracking_no",
    "refund_status",
    "disputed",
)


def order_row(db: sqlite_utils.Database, order_id: str) -> OrderColumns | None:
    row = _one(db, "SELECT * FROM orders WHERE id = ?", (order_id,))
    return OrderColumns.model_validate(row) if row else None


def insert_order(
    db: sqlite_utils.Database, order_id: str, shop_id: int, values: dict[str, Any], at: str, modified_at: str
) -> None:
    names = [*PLATFORM_ORDER_COLUMNS]
    db.conn.execute(
        f"INSERT INTO orders (id, shop_id, {', '.join(names)}, version, updated_at, platform_modified_at)"
        f" VALUES (?, ?, {', '.join('?' for _ in names)}, 1, ?, ?)",
        [order_id, shop_id, *(values[n] for n in names), at, modified_at],
    )


def update_order_from_platform(
    db: sqlite_utils.Database, order_id: str, fields: dict[str, Any], at: str, modified_at: str, *, bump: bool
) -> None:
    """Set the changed platform columns and the platform time; ``bump``: the order changed (new version)."""
    unknown = set(fields) - set(PLATFORM_ORDER_COLUMNS)
    if unknown:
        raise ValueError(f"not a platform order column: {sorted(unknown)}")
    assignments = "".join(f"{name} = ?, " for name in fields)
    versioned = "version = version + 1, updated_at = ?, " if bump else ""
    params: list[Any] = [*fields.values(), *([at] if bump else []), modified_at, order_id]
    db.conn.execute(
        f"UPDATE orders SET {assignments}{versioned}platform_modified_at = ? WHERE id = ?", params
    )


def raise_platform_time(db: sqlite_utils.Database, order_id: str, modified_at: str) -> None:
    """The platform's order is at least as new as ``modified_at`` (after it applied our edit)."""
    db.conn.execute(
        "UPDATE orders SET platform_modified_at = ? WHERE id = ?"
        " AND (platform_modified_at IS NULL OR platform_modified_at < ?)",
        (modified_at, order_id, modified_at),
    )


def lines_of(db: sqlite_utils.Database, order_id: str) -> list[SyncedLine]:
    found = _rows(
        db,
        "SELECT item_id, sku, title, unit_price_fen, quantity FROM order_lines WHERE order_id = ? ORDER BY id",
        (order_id,),
    )
    return [SyncedLine.model_validate(r) for r in found]


def replace_lines(db: sqlite_utils.Database, order_id: str, lines: list[SyncedLine]) -> None:
    db.conn.execute("DELETE FROM order_lines WHERE order_id = ?", (order_id,))
    db.conn.executemany(
        "INSERT INTO order_lines (order_id, item_id, sku, title, unit_price_fen, quantity) VALUES (?, ?, ?, ?, ?, ?)",
        [
            (order_id, line.item_id, line.sku, line.title, line.unit_price_fen, line.quantity)
            for line in lines
        ],
    )


def trace_of(db: sqlite_utils.Database, order_id: str) -> list[SyncedEvent]:
    found = _rows(
        db,
        "SELECT at, status, location, description FROM logistics_events WHERE order_id = ? ORDER BY at, id",
        (order_id,),
    )
    return [SyncedEvent.model_validate(r) for r in found]


def replace_trace(db: sqlite_utils.Database, order_id: str, events: list[SyncedEvent]) -> None:
    db.conn.execute("DELETE FROM logistics_events WHERE order_id = ?", (order_id,))
    db.conn.executemany(
        "INSERT INTO logistics_events (order_id, at, status, location, description) VALUES (?, ?, ?, ?, ?)",
        [(order_id, e.at, e.status, e.location, e.description) for e in events],
    )


def known_items(db: sqlite_utils.Database, shop_id: int, item_ids: list[int]) -> set[int]:
    if not item_ids:
        return set()
    rows = db.conn.execute(
        f"SELECT id FROM items WHERE shop_id = ? AND id IN ({', '.join('?' for _ in item_ids)})",
        [shop_id, *item_ids],
    ).fetchall()
    return {int(r[0]) for r in rows}


def pending_edit_kinds(db: sqlite_utils.Database, order_id: str) -> set[str]:
    """Which kinds of edit of the order still wait for the platform (their fields stay ours)."""
    rows = db.conn.execute(
        "SELECT DISTINCT edit_kind FROM edit_outbox WHERE order_id = ? AND status = 'pending'", (order_id,)
    ).fetchall()
    return {str(r[0]) for r in rows}


# ---- the outbox -------------------------------------------------------------------------------

_OUTBOX_SELECT = """SELECT x.*, s.code AS shop_code FROM edit_outbox x JOIN shops s ON s.id = x.shop_id"""


class OutboxRow(_Frozen):
    """An ``edit_outbox`` row with its shop's code, before/after decoded."""

    id: int
    shop_id: int
    order_id: str
    audit_id: int
    kind: str
    edit_kind: str
    undoes: int | None
    before: dict[str, Any]
    after: dict[str, Any]
    agent_id: int | None
    status: str
    attempt: int
    key_base: str
    created_at: str
    offered_at: str | None
    answered_at: str | None
    answered_by: int | None
    failure: str
    platform_modified_at: str | None
    shop_code: str


def _decoded(row: Row) -> OutboxRow:
    return OutboxRow.model_validate(
        {**row, "before": json.loads(row["before"]), "after": json.loads(row["after"])}
    )


def insert_outbox(
    db: sqlite_utils.Database,
    *,
    shop_id: int,
    order_id: str,
    audit_id: int,
    kind: str,
    edit_kind: str,
    undoes: int | None,
    before: dict[str, Any],
    after: dict[str, Any],
    agent_id: int | None,
    at: str,
) -> int:
    """Queue one applied edit for the platform, in the edit's own transaction."""
    cursor = db.conn.execute(
        "INSERT INTO edit_outbox (shop_id, order_id, audit_id, kind, edit_kind, undoes, before, after, agent_id,"
        " key_base, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            shop_id,
            order_id,
            audit_id,
            kind,
            edit_kind,
            undoes,
            _json(before),
            _json(after),
            agent_id,
            f"kefu-{secrets.token_hex(8)}",
            at,
        ),
    )
    return int(cursor.lastrowid or 0)


def outbox_entry(db: sqlite_utils.Database, entry_id: int) -> OutboxRow | None:
    row = _one(db, f"{_OUTBOX_SELECT} WHERE x.id = ?", (entry_id,))
    return _decoded(row) if row else None


def outbox_by_audit(db: sqlite_utils.Database, audit_id: int) -> OutboxRow | None:
    row = _one(db, f"{_OUTBOX_SELECT} WHERE x.audit_id = ?", (audit_id,))
    return _decoded(row) if row else None


def order_outbox(db: sqlite_utils.Database, order_id: str, limit: int = 20) -> list[OutboxRow]:
    """The order's entries, newest first."""
    rows = _rows(db, f"{_OUTBOX_SELECT} WHERE x.order_id = ? ORDER BY x.id DESC LIMIT ?", (order_id, limit))
    return [_decoded(r) for r in rows]


def pending_outbox(
    db: sqlite_utils.Database, shop_ids: list[int], agent_id: int | None, limit: int
) -> list[OutboxRow]:
    """Entries still waiting for the platform, oldest first (the order they must be applied in)."""
    sql = f"{_OUTBOX_SELECT} WHERE x.status = 'pending' AND x.shop_id IN ({', '.join('?' for _ in shop_ids)})"
    params: list[Any] = list(shop_ids)
    if agent_id is not None:
        sql += " AND x.agent_id = ?"
        params.append(agent_id)
    sql += " ORDER BY x.id LIMIT ?"
    params.append(limit)
    return [_decoded(r) for r in _rows(db, sql, params)]


def mark_offered(db: sqlite_utils.Database, entry_ids: list[int], at: str) -> None:
    db.conn.executemany("UPDATE edit_outbox SET offered_at = ? WHERE id = ?", [(at, i) for i in entry_ids])


def answer_outbox(
    db: sqlite_utils.Database,
    entry_id: int,
    status: str,
    at: str,
    agent_id: int,
    failure: str,
    modified_at: str | None,
) -> bool:
    """Record the host's answer for a pending entry; False when it is no longer pending."""
    cursor = db.conn.execute(
        "UPDATE edit_outbox SET status = ?, answered_at = ?, answered_by = ?, failure = ?, platform_modified_at = ?"
        " WHERE id = ? AND status = 'pending'",
        (status, at, agent_id, failure, modified_at, entry_id),
    )
    return cursor.rowcount == 1


def retry_outbox(db: sqlite_utils.Database, entry_id: int) -> bool:
    """A failed entry waits again, as a new attempt (so with a new idempotency key)."""
    cursor = db.conn.execute(
        "UPDATE edit_outbox SET status = 'pending', attempt = attempt + 1, answered_at = NULL, answered_by = NULL,"
        " failure = '', offered_at = NULL WHERE id = ? AND status = 'failed'",
        (entry_id,),
    )
    return cursor.rowcount == 1


def revert_outbox(db: sqlite_utils.Database, entry_id: int, at: str, agent_id: int) -> bool:
    """A failed entry was undone here: it never reaches the platform."""
    cursor = db.conn.execute(
        "UPDATE edit_outbox SET status = 'reverted', answered_at = ?, answered_by = ? WHERE id = ? AND status = 'failed'",
        (at, agent_id, entry_id),
    )
    return cursor.rowcount == 1
