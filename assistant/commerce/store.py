"""SQL for buyers, orders, order lines, logistics events and the audit log."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlite_utils

from assistant.commerce.models import Buyer, Order


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


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

Row = dict[str, Any]


def _rows(db: sqlite_utils.Database, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[Row]:
    cursor = db.conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _one(db: sqlite_utils.Database, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> Row | None:
    rows = _rows(db, sql, params)
    return rows[0] if rows else None


def buyer_by_nick(db: sqlite_utils.Database, shop_id: int, nick: str) -> Row | None:
    """The buyer row (by the (shop_id, nick) unique index), with the name of who flagged them."""
    return _one(
        db,
        """SELECT b.*, coalesce(a.name, '') AS flagged_by_name FROM buyers b
           LEFT JOIN agents a ON a.id = b.risk_flagged_by WHERE b.shop_id = ? AND b.nick = ?""",
        (shop_id, nick),
    )


def buyer_orders(db: sqlite_utils.Database, buyer_id: int) -> list[Row]:
    """Every order of a buyer, newest first (idx_orders_buyer)."""
    return _rows(
        db,
        """SELECT id, status, created_at, paid_at, shipped_at, price_fen, refund_status, disputed
           FROM orders WHERE buyer_id = ? ORDER BY created_at DESC, id DESC""",
        (buyer_id,),
    )


def buyer_lines(db: sqlite_utils.Database, buyer_id: int) -> list[Row]:
    """Every order line of a buyer with its item's category."""
    return _rows(
        db,
        """SELECT l.order_id, l.title, l.quantity, coalesce(i.category, '') AS category
           FROM orders o JOIN order_lines l ON l.order_id = o.id LEFT JOIN items i ON i.id = l.item_id
           WHERE o.buyer_id = ? ORDER BY l.id""",
        (buyer_id,),
    )


def buyer_notes(db: sqlite_utils.Database, buyer_id: int, limit: int) -> list[Row]:
    return _rows(
        db,
        """SELECT n.id, n.agent_id, coalesce(a.name, '') AS agent_name, n.text, n.at FROM buyer_notes n
           LEFT JOIN agents a ON a.id = n.agent_id WHERE n.buyer_id = ? ORDER BY n.at DESC, n.id DESC LIMIT ?""",
        (buyer_id, limit),
    )


def last_events(db: sqlite_utils.Database, order_ids: list[str]) -> dict[str, Row]:
    """The newest logistics event of each order (idx_logistics_order)."""
    result: dict[str, Row] = {}
    for order_id in order_ids:
        row = _one(
            db,
            "SELECT order_id, at, status, location, description FROM logistics_events WHERE order_id = ?"
            " ORDER BY at DESC, id DESC LIMIT 1",
            (order_id,),
        )
        if row is not None:
            result[order_id] = row
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


def order_row(db: sqlite_utils.Database, order_id: str) -> Row | None:
    return _one(
        db,
        "SELECT o.*, b.nick AS buyer_nick FROM orders o JOIN buyers b ON b.id = o.buyer_id WHERE o.id = ?",
        (order_id,),
    )


def order_lines(db: sqlite_utils.Database, order_id: str) -> list[Row]:
    return _rows(db, "SELECT * FROM order_lines WHERE order_id = ? ORDER BY id", (order_id,))


def order_events(db: sqlite_utils.Database, order_id: str) -> list[Row]:
    return _rows(
        db, "SELECT * FROM logistics_events WHERE order_id = ? ORDER BY at DESC, id DESC", (order_id,)
    )


def order_summaries(
    db: sqlite_utils.Database,
    buyer_id: int,
    statuses: list[str] | None,
    before: tuple[str, str] | None,
    limit: int,
) -> list[Row]:
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
    return _rows(db, " ".join(sql), params)


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


# ---- audit log ---------------------------------------------------------------------------------


def insert_audit(
    db: sqlite_utils.Database,
    *,
    at: str,
    agent_id: int | None,
    shop_id: int | None,
    entity: str,
    entity_id: str,
    action: str,
    reason: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    undoes: int | None = None,
) -> int:
    """Append one audit entry; call it in the same transaction as the change."""
    cursor = db.conn.execute(
        "INSERT INTO audit_log (at, agent_id, shop_id, entity, entity_id, action, reason, before, after, undoes)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            at,
            agent_id,
            shop_id,
            entity,
            entity_id,
            action,
            reason,
            None if before is None else _json(before),
            None if after is None else _json(after),
            undoes,
        ),
    )
    return int(cursor.lastrowid or 0)


def audit_entries(db: sqlite_utils.Database, entity: str, entity_id: str, limit: int = 200) -> list[Row]:
    """Audit entries of one row, newest first, with the agent's name and before/after decoded."""
    rows = _rows(
        db,
        """SELECT l.*, coalesce(a.name, '') AS agent_name FROM audit_log l LEFT JOIN agents a ON a.id = l.agent_id
           WHERE l.entity = ? AND l.entity_id = ? ORDER BY l.id DESC LIMIT ?""",
        (entity, entity_id, limit),
    )
    for row in rows:
        row["before"] = None if row["before"] is None else json.loads(row["before"])
        row["after"] = None if row["after"] is None else json.loads(row["after"])
    return rows


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


# ---- approvals ---------------------------------------------------------------------------------

_APPROVAL_SELECT = """SELECT p.*, coalesce(r.name, '') AS requested_by_name, coalesce(d.name, '') AS decided_by_name
    FROM pending_approvals p LEFT JOIN agents r ON r.id = p.requested_by LEFT JOIN agents d ON d.id = p.decided_by"""


def insert_approval(db: sqlite_utils.Database, values: dict[str, Any]) -> int:
    names = ", ".join(values)
    cursor = db.conn.execute(
        f"INSERT INTO pending_approvals ({names}) VALUES ({', '.join('?' for _ in values)})",
        list(values.values()),
    )
    return int(cursor.lastrowid or 0)


def approval(db: sqlite_utils.Database, approval_id: int) -> Row | None:
    return _one(db, f"{_APPROVAL_SELECT} WHERE p.id = ?", (approval_id,))


def approvals(
    db: sqlite_utils.Database,
    *,
    shop_ids: list[int],
    requested_by: int | None = None,
    order_id: str | None = None,
    status: str | None = None,
    limit: int = 50,
) -> list[Row]:
    sql = [f"{_APPROVAL_SELECT} WHERE p.shop_id IN ({', '.join('?' for _ in shop_ids)})"]
    params: list[Any] = list(shop_ids)
    for column, value in (("p.requested_by", requested_by), ("p.order_id", order_id), ("p.status", status)):
        if value is not None:
            sql.append(f"AND {column} = ?")
            params.append(value)
    sql.append("ORDER BY p.id DESC LIMIT ?")
    params.append(limit)
    return _rows(db, " ".join(sql), params)


def decide_approval(
    db: sqlite_utils.Database,
    approval_id: int,
    status: str,
    agent_id: int,
    at: str,
    note: str,
    audit_id: int | None,
) -> bool:
    cursor = db.conn.execute(
        "UPDATE pending_approvals SET status = ?, decided_by = ?, decided_at = ?, decision_note = ?, audit_id = ?"
        " WHERE id = ? AND status = 'pending'",
        (status, agent_id, at, note, audit_id, approval_id),
    )
    return cursor.rowcount == 1


# ---- idempotency keys --------------------------------------------------------------------------


def idempotent_response(db: sqlite_utils.Database, agent_id: int, key: str) -> Row | None:
    return _one(
        db,
        "SELECT request_hash, status, response FROM idempotency_keys WHERE agent_id = ? AND key = ?",
        (agent_id, key),
    )


def remember_response(
    db: sqlite_utils.Database, agent_id: int, key: str, request_hash: str, status: int, response: str, at: str
) -> None:
    db.conn.execute(
        "INSERT INTO idempotency_keys (agent_id, key, request_hash, status, response, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (agent_id, key, request_hash, status, response, at),
    )


def purge_idempotency_keys(db: sqlite_utils.Database, before: str) -> int:
    """Forget keys stored before ``before`` (ISO time, same clock as ``created_at``); returns how many."""
    return db.conn.execute("DELETE FROM idempotency_keys WHERE created_at < ?", (before,)).rowcount


# ---- related items -----------------------------------------------------------------------------


def item_row(db: sqlite_utils.Database, item_id: int) -> Row | None:
    return _one(
        db,
        """SELECT i.*, coalesce(k.selling_points, '[]') AS selling_points FROM items i
           LEFT JOIN item_knowledge k ON k.item_id = i.id WHERE i.id = ?""",
        (item_id,),
    )


def editor_pairings(db: sqlite_utils.Database, item_id: int) -> list[Row]:
    return _rows(
        db,
        "SELECT related_item_id AS item_id, note, position FROM related_items WHERE item_id = ?"
        " ORDER BY position, related_item_id",
        (item_id,),
    )


def bought_together(db: sqlite_utils.Database, shop_id: int, item_id: int, limit: int) -> list[Row]:
    """Items found in the same (not cancelled) orders of this shop as ``item_id``, most frequent first."""
    return _rows(
        db,
        """SELECT other.item_id AS item_id, count(DISTINCT other.order_id) AS together
           FROM order_lines mine
           JOIN orders o ON o.id = mine.order_id AND o.shop_id = ? AND o.status != 'cancelled'
           JOIN order_lines other ON other.order_id = mine.order_id AND other.item_id != mine.item_id
           WHERE mine.item_id = ? GROUP BY other.item_id ORDER BY together DESC, other.item_id LIMIT ?""",
        (shop_id, item_id, limit),
    )


def items_by_id(db: sqlite_utils.Database, item_ids: list[int]) -> dict[int, Row]:
    if not item_ids:
        return {}
    rows = _rows(
        db,
        f"""SELECT i.*, coalesce(k.selling_points, '[]') AS selling_points FROM items i
            LEFT JOIN item_knowledge k ON k.item_id = i.id WHERE i.id IN ({", ".join("?" for _ in item_ids)})""",
        item_ids,
    )
    for row in rows:
        row["selling_points"] = json.loads(row["selling_points"])
    return {row["id"]: row for row in rows}
