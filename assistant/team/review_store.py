"""SQL of the order review (订单审核): cached rule checks, reviews and holds (the reviewer grant is
``grants.py``)."""

from __future__ import annotations

import json
from datetime import datetime

import sqlite_utils
from pydantic import BaseModel, ConfigDict

from assistant.team.review_rows import CheckedOrder, DirtyOrder, QueueRow, ReviewOrder
from assistant.team.store_rows import FrozenRow, models, rows


class Hold(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    order_id: str
    shop_id: int
    reason: str
    held_by: int
    held_by_name: str
    held_at: datetime


class OpenOrder(FrozenRow):
    """An open order of a buyer the chat rule looks at (times: the stored ISO text)."""

    id: str
    created_at: str
    nick: str


class AddressEdit(FrozenRow):
    """An address edit or platform-synced receiver change of a paid order (``before``/``after``: JSON)."""

    order_id: str
    paid_at: str | None
    at: str
    before: str | None
    after: str | None


# ---- the queue ----------------------------------------------------------------------------------------

_FACTS = """o.id, o.shop_id, o.status, o.shipped_at, o.version, o.created_at, o.paid_at, o.receiver_name,
       o.receiver_phone, o.province, o.city, o.district, o.address_detail, o.buyer_message"""


def rules_key(db: sqlite_utils.Database, shop_id: int) -> str | None:
    found = rows(db, "SELECT rules_key FROM review_rules WHERE shop_id = ?", (shop_id,))
    return found[0]["rules_key"] if found else None


def dirty(db: sqlite_utils.Database) -> list[DirtyOrder]:
    """Orders changed since their check (any shop), with the dirt's id; a removed order has no ``order``."""
    found = rows(
        db,
        f"SELECT d.id AS dirt, d.order_id, {_FACTS} FROM review_dirty d LEFT JOIN orders o ON o.id = d.order_id"
        " ORDER BY d.id",
    )
    return [
        DirtyOrder(
            dirt=row["dirt"],
            order_id=row["order_id"],
            order=None if row["id"] is None else CheckedOrder.model_validate(row),
        )
        for row in found
    ]


def open_facts(db: sqlite_utils.Database, shop_id: int) -> list[CheckedOrder]:
    """Every open (paid, unshipped) order of the shop: a full check when the rule settings changed."""
    return models(
        db,
        CheckedOrder,
        f"SELECT o.id AS order_id, {_FACTS} FROM orders o"
        " WHERE o.shop_id = ? AND o.status = 'paid' AND o.shipped_at IS NULL",
        (shop_id,),
    )


def apply_checks(
    db: sqlite_utils.Database,
    shop_id: int,
    key: str | None,
    checks: list[tuple[str, int, bool, str]],
    drop: list[str],
    max_dirt: int,
) -> None:
    """Save ``(order_id, shop_id, flagged, reasons json)`` checks, forget ``drop`` (no longer open), clear the
    dirt read (up to ``max_dirt``) and, after a full check, remember the shop's rules ``key``."""
    if key is not None:
        db.conn.execute("DELETE FROM review_checks WHERE shop_id = ?", (shop_id,))
        db.conn.execute(
            "INSERT OR REPLACE INTO review_rules (shop_id, rules_key) VALUES (?, ?)", (shop_id, key)
        )
    # two requests may check the same order: the one that saw newer dirt wins, whichever writes last
    db.conn.executemany(
        """INSERT INTO review_checks (order_id, shop_id, flagged, reasons, basis) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (order_id) DO UPDATE SET flagged = excluded.flagged, reasons = excluded.reasons,
               basis = excluded.basis
           WHERE excluded.basis >= review_checks.basis""",
        [(*check, max_dirt) for check in checks],
    )
    db.conn.executemany("DELETE FROM review_checks WHERE order_id = ?", [(d,) for d in drop])
    db.conn.execute("DELETE FROM review_dirty WHERE id <= ?", (max_dirt,))


def open_orders_of(db: sqlite_utils.Database, shop_id: int, nicks: list[str]) -> list[OpenOrder]:
    """The open orders of the buyers ``nicks`` (the chat rule's candidates): id, nick and created_at."""
    return models(
        db,
        OpenOrder,
        """SELECT o.id, o.created_at, b.nick FROM buyers b JOIN orders o ON o.buyer_id = b.id
            WHERE b.shop_id = ? AND b.nick IN (SELECT value FROM json_each(?)) AND o.status = 'paid'
              AND o.shipped_at IS NULL""",
        (shop_id, json.dumps(nicks)),
    )


# The picks first (flagged checks, risky buyers' orders, the given ids), then their orders by primary key,
# counted and paged in one pass: the sound open orders are never read, and Python sees one page.
_PAGE = """
WITH pick(order_id) AS (
    SELECT order_id FROM review_checks WHERE shop_id = :shop AND flagged = 1
    UNION SELECT o2.id FROM buyers b2 JOIN orders o2 ON o2.buyer_id = b2.id
           WHERE b2.shop_id = :shop AND b2.risk_flag IS NOT NULL AND o2.status = 'paid'
    UNION SELECT value FROM json_each(:ids)
), listed AS (
    SELECT o.id, o.version, o.created_at, o.paid_at, o.receiver_name, o.receiver_phone, o.province, o.city,
           o.district, o.address_detail, o.price_fen, o.postage_fen, o.seller_remark, o.remark_flag, b.nick,
           b.risk_flag, b.risk_note, c.reasons
      FROM pick p
      CROSS JOIN orders o ON o.id = p.order_id
      JOIN buyers b ON b.id = o.buyer_id
      LEFT JOIN review_checks c ON c.order_id = o.id
     WHERE o.shop_id = :shop AND o.status = 'paid' AND o.shipped_at IS NULL
       AND NOT EXISTS (SELECT 1 FROM order_reviews r WHERE r.order_id = o.id AND r.version = o.version)
)
SELECT *, count(*) OVER () AS total,
       sum(id IN (SELECT value FROM json_each(:held))) OVER () AS held_total
  FROM listed ORDER BY paid_at, id LIMIT :limit OFFSET :offset
"""


def queue_page(
    db: sqlite_utils.Database, shop_id: int, ids: list[str], held: list[str], limit: int, offset: int
) -> tuple[list[QueueRow], int | None, int | None]:
    """One page of the open, unreviewed orders picked by a flagged check, a risky buyer or ``ids`` (chat,
    receiver changed, held), oldest payment first; with the total and how many of them are ``held`` (None
    when the page is empty: ask with offset 0 for the totals)."""
    params = {
        "shop": shop_id,
        "ids": json.dumps(ids),
        "held": json.dumps(held),
        "limit": limit,
        "offset": offset,
    }
    found = [QueueRow.model_validate(row) for row in rows(db, _PAGE, params)]
    if not found:
        return [], None, None
    return found, found[0].total, found[0].held_total or 0


def address_edits(db: sqlite_utils.Database, shop_id: int) -> list[AddressEdit]:
    """Address edits of the shop's open orders and receiver changes the platform synced (the audit log):
    order id, its payment, when, before, after."""
    return models(
        db,
        AddressEdit,
        """SELECT a.entity_id AS order_id, o.paid_at, a.at, a.before, a.after FROM audit_log a
            JOIN orders o ON o.id = a.entity_id AND o.status = 'paid'
           WHERE a.entity = 'order' AND a.action IN ('address', 'platform_sync') AND a.shop_id = ?
           ORDER BY a.id""",
        (shop_id,),
    )


def order_facts(db: sqlite_utils.Database, order_id: str) -> ReviewOrder | None:
    found = models(
        db,
        ReviewOrder,
        """SELECT o.id, o.shop_id, o.status, o.version, o.receiver_name, o.receiver_phone, o.province, o.city,
                  o.district, o.address_detail, o.buyer_message, o.created_at, o.paid_at, b.nick, b.risk_flag,
                  b.risk_note
             FROM orders o JOIN buyers b ON b.id = o.buyer_id WHERE o.id = ?""",
        (order_id,),
    )
    return found[0] if found else None


# ---- reviews and holds ----------------------------------------------------------------------------------


def insert_review(
    db: sqlite_utils.Database, order_id: str, shop_id: int, version: int, reasons: str, agent_id: int, at: str
) -> int:
    cursor = db.conn.execute(
        "INSERT INTO order_reviews (order_id, shop_id, version, reasons, agent_id, at) VALUES (?, ?, ?, ?, ?, ?)",
        (order_id, shop_id, version, reasons, agent_id, at),
    )
    return int(cursor.lastrowid or 0)


_HOLD = """SELECT h.id, h.order_id, h.shop_id, h.reason, h.held_by, a.name AS held_by_name, h.held_at
             FROM order_holds h JOIN agents a ON a.id = h.held_by"""


def open_hold(db: sqlite_utils.Database, order_id: str) -> Hold | None:
    found = rows(db, f"{_HOLD} WHERE h.order_id = ? AND h.released_at IS NULL", (order_id,))
    return Hold.model_validate(found[0]) if found else None


def open_holds(db: sqlite_utils.Database, shop_id: int) -> dict[str, Hold]:
    found = rows(db, f"{_HOLD} WHERE h.shop_id = ? AND h.released_at IS NULL", (shop_id,))
    return {r["order_id"]: Hold.model_validate(r) for r in found}


def insert_hold(
    db: sqlite_utils.Database, order_id: str, shop_id: int, reason: str, agent_id: int, at: str
) -> int:
    cursor = db.conn.execute(
        "INSERT INTO order_holds (order_id, shop_id, reason, held_by, held_at) VALUES (?, ?, ?, ?, ?)",
        (order_id, shop_id, reason, agent_id, at),
    )
    return int(cursor.lastrowid or 0)


def release_hold(db: sqlite_utils.Database, hold_id: int, agent_id: int, note: str, at: str) -> bool:
    cursor = db.conn.execute(
        "UPDATE order_holds SET released_by = ?, released_at = ?, release_note = ?"
        " WHERE id = ? AND released_at IS NULL",
        (agent_id, at, note, hold_id),
    )
    return cursor.rowcount == 1
