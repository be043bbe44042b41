"""SQL of the messages beside the chat: the shops' templates, care messages and the day's contacts of a
buyer (reminder touches and care messages together). The courier-jam notices are in ``care_jam_store``."""

from __future__ import annotations

import sqlite3
from datetime import datetime

import sqlite_utils
from pydantic import BaseModel, ConfigDict

from assistant.team.store_rows import models


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True)


class CareOrder(_Row):
    """An order that may have reached a care stage, with what its messages need."""

    id: str
    shop_id: int
    buyer_id: int
    buyer_nick: str
    status: str
    shipped_at: datetime | None
    delivered_at: datetime | None
    receiver_name: str
    receiver_phone: str
    courier: str | None
    tracking_no: str | None
    total_fen: int
    item: str
    shop_name: str


class TraceEvent(_Row):
    order_id: str
    status: str
    at: datetime
    location: str


class CareMessage(_Row):
    id: int
    key: str
    shop_id: int
    buyer_id: int
    buyer_nick: str
    order_id: str | None
    stage: str
    text: str
    phone: str
    channel: str
    state: str
    reason: str
    created_at: datetime
    due_at: datetime
    sent_at: datetime | None


# ---- templates -------------------------------------------------------------------------------------


class CareText(_Row):
    """A shop's own text for one purpose, and who saved it when."""

    body: str
    updated_by: int
    updater: str
    updated_at: datetime


def templates(db: sqlite_utils.Database, shop_id: int) -> dict[str, CareText]:
    """The shop's own texts by purpose."""
    rows = db.conn.execute(
        """SELECT t.purpose, t.body, t.updated_by, a.name, t.updated_at FROM contact_templates t
           JOIN agents a ON a.id = t.updated_by WHERE t.shop_id = ?""",
        (shop_id,),
    ).fetchall()
    return {
        p: CareText(body=body, updated_by=by, updater=name, updated_at=datetime.fromisoformat(at))
        for p, body, by, name, at in rows
    }


def save_template(
    db: sqlite_utils.Database, shop_id: int, purpose: str, body: str, agent_id: int, at: datetime
) -> None:
    db.conn.execute(
        """INSERT INTO contact_templates (shop_id, purpose, body, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (shop_id, purpose) DO UPDATE SET body = excluded.body, updated_by = excluded.updated_by,
               updated_at = excluded.updated_at""",
        (shop_id, purpose, body, agent_id, at.isoformat()),
    )


def reset_template(db: sqlite_utils.Database, shop_id: int, purpose: str) -> None:
    db.conn.execute("DELETE FROM contact_templates WHERE shop_id = ? AND purpose = ?", (shop_id, purpose))


# ---- care messages ---------------------------------------------------------------------------------

_ORDER_COLUMNS = """o.id, o.shop_id, o.buyer_id, b.nick AS buyer_nick, o.status, o.shipped_at, o.delivered_at,
    o.receiver_name, o.receiver_phone, o.courier, o.tracking_no, o.price_fen + o.postage_fen AS total_fen,
    coalesce((SELECT l.title FROM order_lines l WHERE l.order_id = o.id ORDER BY l.id LIMIT 1), '') AS item,
    s.name AS shop_name"""


def care_orders(
    db: sqlite_utils.Database, since: datetime, fresh: datetime, signed_from: datetime
) -> list[CareOrder]:
    """Orders shipped since ``since``, still on their way or done, where a stage may have been reached
    lately: shipped after ``fresh``, or signed for or a trace event after ``signed_from`` (confirmed and
    please-review come days after the signature)."""
    return models(
        db,
        CareOrder,
        f"""SELECT {_ORDER_COLUMNS} FROM orders o JOIN buyers b ON b.id = o.buyer_id JOIN shops s ON s.id = o.shop_id
            WHERE o.status IN ('shipped', 'delivered', 'completed') AND o.shipped_at IS NOT NULL
              AND julianday(o.shipped_at) >= julianday(?)
              AND (julianday(o.shipped_at) >= julianday(?) OR julianday(o.delivered_at) >= julianday(?)
                   OR EXISTS (SELECT 1 FROM logistics_events e WHERE e.order_id = o.id
                              AND julianday(e.at) >= julianday(?)))
            ORDER BY o.shipped_at""",
        (since.isoformat(), fresh.isoformat(), signed_from.isoformat(), signed_from.isoformat()),
    )


def traces(db: sqlite_utils.Database, order_ids: list[str]) -> dict[str, list[TraceEvent]]:
    found: dict[str, list[TraceEvent]] = {}
    for start in range(0, len(order_ids), 500):
        chunk = order_ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for row in models(
            db,
            TraceEvent,
            f"""SELECT order_id, status, at, location FROM logistics_events WHERE order_id IN ({marks})
                ORDER BY at, id""",
            tuple(chunk),
        ):
            found.setdefault(row.order_id, []).append(row)
    return found


def known_keys(db: sqlite_utils.Database, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        marks = ",".join("?" * len(chunk))
        found.update(
            r[0]
            for r in db.conn.execute(f"SELECT key FROM care_messages WHERE key IN ({marks})", tuple(chunk))
        )
    return found


def add_message(
    db: sqlite_utils.Database,
    *,
    key: str,
    shop_id: int,
    buyer_id: int,
    buyer_nick: str,
    order_id: str | None,
    stage: str,
    text: str,
    phone: str,
    channel: str,
    created_at: datetime,
    due_at: datetime,
    state: str = "pending",
    reason: str = "",
) -> bool:
    """Queue one care message; False when its key (order and stage) already has one."""
    try:
        db.conn.execute(
            """INSERT INTO care_messages (key, shop_id, buyer_id, buyer_nick, order_id, stage, text, phone, channel,
                   state, reason, created_at, due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                key,
                shop_id,
                buyer_id,
                buyer_nick,
                order_id,
                stage,
                text,
                phone,
                channel,
                state,
                reason,
                created_at.isoformat(),
                due_at.isoformat(),
            ),
        )
    except sqlite3.IntegrityError:
        return False
    return True


def messages(
    db: sqlite_utils.Database, shop_id: int, *, states: tuple[str, ...], limit: int = 200
) -> list[CareMessage]:
    marks = ",".join("?" * len(states))
    return models(
        db,
        CareMessage,
        f"""SELECT * FROM care_messages WHERE shop_id = ? AND state IN ({marks})
            ORDER BY due_at DESC, id DESC LIMIT ?""",
        (shop_id, *states, limit),
    )


def due_messages(
    db: sqlite_utils.Database, shop_id: int, channel: str, now: datetime, limit: int
) -> list[CareMessage]:
    return models(
        db,
        CareMessage,
        """SELECT * FROM care_messages WHERE state = 'pending' AND shop_id = ? AND channel = ?
             AND julianday(due_at) <= julianday(?) ORDER BY due_at, id LIMIT ?""",
        (shop_id, channel, now.isoformat(), limit),
    )


def mark(
    db: sqlite_utils.Database,
    message_id: int,
    state: str,
    at: datetime,
    agent_id: int | None,
    reason: str = "",
) -> bool:
    """Move a pending message on (sent, exported, skipped); False when it was not pending any more."""
    cursor = db.conn.execute(
        """UPDATE care_messages SET state = ?, sent_at = ?, sent_by = ?, reason = ?
           WHERE id = ? AND state = 'pending'""",
        (state, at.isoformat() if state != "skipped" else None, agent_id, reason, message_id),
    )
    return cursor.rowcount == 1


def contacts_today(db: sqlite_utils.Database, shop_id: int, buyer_id: int, since: datetime) -> int:
    """Messages the buyer got since ``since``: reminder touches and care messages handed over."""
    row = db.conn.execute(
        """SELECT (SELECT count(*) FROM reminder_touches x JOIN reminder_tasks t ON t.id = x.task_id
                   WHERE t.shop_id = ? AND t.buyer_id = ? AND x.at >= ?)
                + (SELECT count(*) FROM care_messages c WHERE c.shop_id = ? AND c.buyer_id = ?
                   AND c.state IN ('sent', 'exported') AND c.sent_at >= ?)""",
        (shop_id, buyer_id, since.isoformat(), shop_id, buyer_id, since.isoformat()),
    ).fetchone()
    return int(row[0])


def care_today(db: sqlite_utils.Database, shop_id: int, buyer_nick: str, since: datetime) -> int:
    row = db.conn.execute(
        """SELECT count(*) FROM care_messages WHERE shop_id = ? AND buyer_nick = ?
             AND state IN ('sent', 'exported') AND sent_at >= ?""",
        (shop_id, buyer_nick, since.isoformat()),
    ).fetchone()
    return int(row[0])


class UpcomingCampaign(_Row):
    """A campaign about to start, as the care scan's event message needs it."""

    id: int
    shop_id: int
    name: str
    starts_at: str


class ReturningBuyer(_Row):
    """A buyer with two paid orders or more, and the phone of their last order."""

    id: int
    nick: str
    phone: str


def shop_name(db: sqlite_utils.Database, shop_id: int) -> str:
    """The shop's name, as a care message signs it."""
    return str(db.conn.execute("SELECT name FROM shops WHERE id = ?", (shop_id,)).fetchone()[0])


def upcoming_campaigns(db: sqlite_utils.Database, now: datetime, until: datetime) -> list[UpcomingCampaign]:
    """Campaigns starting between ``now`` and ``until``."""
    return [
        UpcomingCampaign(id=a, shop_id=b, name=c, starts_at=d)
        for a, b, c, d in db.conn.execute(
            """SELECT id, shop_id, name, starts_at FROM campaigns
               WHERE julianday(starts_at) > julianday(?) AND julianday(starts_at) <= julianday(?)""",
            (now.isoformat(), until.isoformat()),
        )
    ]


def returning_buyers(db: sqlite_utils.Database, shop_id: int) -> list[ReturningBuyer]:
    """Buyers of the shop with two paid orders or more, with the phone of the last order."""
    return [
        ReturningBuyer(id=a, nick=b, phone=str(c))
        for a, b, c in db.conn.execute(
            """SELECT b.id, b.nick, (SELECT o2.receiver_phone FROM orders o2 WHERE o2.buyer_id = b.id
                                     ORDER BY o2.created_at DESC LIMIT 1)
               FROM buyers b JOIN orders o ON o.buyer_id = b.id
               WHERE b.shop_id = ? AND o.paid_at IS NOT NULL AND o.status NOT IN ('refunded', 'cancelled')
               GROUP BY b.id HAVING count(*) >= 2 ORDER BY b.id""",
            (shop_id,),
        )
    ]
