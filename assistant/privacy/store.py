"""SQL of personal data: full receiver addresses, a buyer's export, and the purge (assistant:0004)."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils
from pydantic import BaseModel, ConfigDict

Row = dict[str, Any]
CLOSED = ("completed", "cancelled", "refunded")
#: audit actions whose before/after hold a receiver's address
ADDRESS_ACTIONS = ("address", "undo")


def _rows(db: sqlite_utils.Database, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[Row]:
    cursor = db.conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class OrderReceiver(_Frozen):
    """An order's receiver columns, with what decides whether its full address may be shown."""

    id: str
    shop_id: int
    status: str
    version: int
    receiver_name: str
    receiver_phone: str
    province: str
    city: str
    district: str
    address_detail: str
    anonymised_at: str | None


class ExportedBuyer(_Frozen):
    """A buyer's own columns in an export (tags decoded)."""

    id: int
    shop_id: int
    nick: str
    platform_level: int
    member_tier: str
    first_seen_at: str
    tags: list[str]
    risk_flag: str | None
    risk_note: str | None


class ExportedOrder(_Frozen):
    """An order's columns in a buyer's export, the receiver in full."""

    id: str
    status: str
    created_at: str
    paid_at: str | None
    shipped_at: str | None
    delivered_at: str | None
    price_fen: int
    postage_fen: int
    receiver_name: str
    receiver_phone: str
    province: str
    city: str
    district: str
    address_detail: str
    seller_remark: str
    courier: str | None
    tracking_no: str | None
    anonymised_at: str | None


class ExportedNote(_Frozen):
    agent_id: int
    text: str
    at: str


class ExportedMessage(_Frozen):
    conversation: str
    direction: str
    source: str | None
    sender: str | None
    text: str
    at: str


class AddressEntry(_Frozen):
    """An audit entry or outbox entry that may carry an address: its id and decoded before/after."""

    id: int
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def order_receiver(db: sqlite_utils.Database, order_id: str) -> OrderReceiver | None:
    rows = _rows(
        db,
        "SELECT id, shop_id, status, version, receiver_name, receiver_phone, province, city, district,"
        " address_detail, anonymised_at FROM orders WHERE id = ?",
        (order_id,),
    )
    return OrderReceiver.model_validate(rows[0]) if rows else None


# ---- export ------------------------------------------------------------------------------------


def buyer(db: sqlite_utils.Database, shop_id: int, nick: str) -> ExportedBuyer | None:
    rows = _rows(
        db,
        "SELECT id, shop_id, nick, platform_level, member_tier, first_seen_at, tags, risk_flag, risk_note"
        " FROM buyers WHERE shop_id = ? AND nick = ?",
        (shop_id, nick),
    )
    if not rows:
        return None
    return ExportedBuyer.model_validate({**rows[0], "tags": json.loads(rows[0]["tags"])})


def buyer_orders(db: sqlite_utils.Database, buyer_id: int) -> list[ExportedOrder]:
    found = _rows(
        db,
        "SELECT id, status, created_at, paid_at, shipped_at, delivered_at, price_fen, postage_fen, receiver_name,"
        " receiver_phone, province, city, district, address_detail, seller_remark, courier, tracking_no,"
        " anonymised_at FROM orders WHERE buyer_id = ? ORDER BY created_at, id",
        (buyer_id,),
    )
    return [ExportedOrder.model_validate(r) for r in found]


def buyer_notes(db: sqlite_utils.Database, buyer_id: int) -> list[ExportedNote]:
    found = _rows(
        db, "SELECT agent_id, text, at FROM buyer_notes WHERE buyer_id = ? ORDER BY at, id", (buyer_id,)
    )
    return [ExportedNote.model_validate(r) for r in found]


# ---- purge -------------------------------------------------------------------------------------


def old_closed_orders(db: sqlite_utils.Database, before: str) -> list[str]:
    """Closed orders placed before ``before`` whose receiver is not anonymised yet."""
    rows = db.conn.execute(
        f"SELECT id FROM orders WHERE status IN ({', '.join('?' for _ in CLOSED)}) AND anonymised_at IS NULL"
        " AND julianday(created_at) < julianday(?) ORDER BY id",
        (*CLOSED, before),
    ).fetchall()
    return [str(r[0]) for r in rows]


def anonymise_orders(db: sqlite_utils.Database, order_ids: list[str], values: dict[str, str], at: str) -> int:
    assignments = ", ".join(f"{name} = ?" for name in values)
    db.conn.executemany(
        f"UPDATE orders SET {assignments}, anonymised_at = ? WHERE id = ?",
        [(*values.values(), at, order_id) for order_id in order_ids],
    )
    return len(order_ids)


def audit_rows_of_orders(db: sqlite_utils.Database, order_ids: list[str]) -> list[AddressEntry]:
    """Not yet anonymised audit entries of these orders that carry an address."""
    found: list[Row] = []
    for start in range(0, len(order_ids), 500):
        chunk = order_ids[start : start + 500]
        found.extend(
            _rows(
                db,
                f"SELECT id, before, after FROM audit_log WHERE entity = 'order' AND anonymised_at IS NULL"
                f" AND action IN ({', '.join('?' for _ in ADDRESS_ACTIONS)})"
                f" AND entity_id IN ({', '.join('?' for _ in chunk)})",
                [*ADDRESS_ACTIONS, *chunk],
            )
        )
    return [
        AddressEntry(
            id=row["id"],
            before=None if row["before"] is None else json.loads(row["before"]),
            after=None if row["after"] is None else json.loads(row["after"]),
        )
        for row in found
    ]


def anonymise_audit(
    db: sqlite_utils.Database,
    audit_id: int,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    at: str,
) -> None:
    """The sanctioned way to change an audit row: a one-shot permit, then only before/after and the mark.

    The ``audit_log_no_update`` trigger refuses any other change, or this one without the permit; the
    ``audit_permit_one_shot`` trigger removes the permit as the row is updated.
    """
    db.conn.execute("INSERT INTO audit_anonymise_permits (audit_id) VALUES (?)", (audit_id,))
    db.conn.execute(
        "UPDATE audit_log SET before = ?, after = ?, anonymised_at = ? WHERE id = ?",
        (
            None if before is None else json.dumps(before, ensure_ascii=False, separators=(",", ":")),
            None if after is None else json.dumps(after, ensure_ascii=False, separators=(",", ":")),
            at,
            audit_id,
        ),
    )


def outbox_rows_of_orders(db: sqlite_utils.Database, order_ids: list[str]) -> list[AddressEntry]:
    found: list[Row] = []
    for start in range(0, len(order_ids), 500):
        chunk = order_ids[start : start + 500]
        found.extend(
            _rows(
                db,
                f"SELECT id, before, after FROM edit_outbox WHERE edit_kind = 'address'"
                f" AND order_id IN ({', '.join('?' for _ in chunk)})",
                chunk,
            )
        )
    return [
        AddressEntry(id=row["id"], before=json.loads(row["before"]), after=json.loads(row["after"]))
        for row in found
    ]


def rewrite_outbox(
    db: sqlite_utils.Database, entry_id: int, before: dict[str, Any], after: dict[str, Any]
) -> None:
    db.conn.execute(
        "UPDATE edit_outbox SET before = ?, after = ? WHERE id = ?",
        (json.dumps(before, ensure_ascii=False), json.dumps(after, ensure_ascii=False), entry_id),
    )


def delete_notes_before(db: sqlite_utils.Database, before: str) -> int:
    return db.conn.execute("DELETE FROM buyer_notes WHERE julianday(at) < julianday(?)", (before,)).rowcount


def delete_idempotency_before(db: sqlite_utils.Database, before: str) -> int:
    return db.conn.execute(
        "DELETE FROM idempotency_keys WHERE julianday(created_at) < julianday(?)", (before,)
    ).rowcount


def insert_export_audit(
    db: sqlite_utils.Database, at: str, agent_id: int, shop_id: int, buyer_id: int
) -> None:
    db.conn.execute(
        "INSERT INTO audit_log (at, agent_id, shop_id, entity, entity_id, action, reason, before, after)"
        " VALUES (?, ?, ?, 'buyer', ?, 'export', '导出个人数据', NULL, NULL)",
        (at, agent_id, shop_id, str(buyer_id)),
    )
