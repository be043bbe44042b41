"""SQL of the messages beside the chat: the shops' templates, care messages, the day's contacts of a
buyer (reminder touches and care messages together) and the courier-jam notices."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

import sqlite_utils
from pydantic import BaseModel, ConfigDict

from assistant.team.store import models


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


def templates(db: sqlite_utils.Database, shop_id: int) -> dict[str, tuple[str, int, str, datetime]]:
    """The shop's own texts: purpose -> (body, updated_by, updater's name, updated_at)."""
    rows = db.conn.execute(
        """SELECT t.purpose, t.body, t.updated_by, a.name, t.updated_at FROM contact_templates t
           JOIN agents a ON a.id = t.updated_by WHERE t.shop_id = ?""",
        (shop_id,),
    ).fetchall()
    return {p: (body, by, name, datetime.fromisoformat(at)) for p, body, by, name, at in rows}


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


def upcoming_campaigns(
    db: sqlite_utils.Database, now: datetime, until: datetime
) -> list[tuple[int, int, str, str]]:
    """Campaigns starting between ``now`` and ``until``: (id, shop id, name, starts_at)."""
    return [
        (int(a), int(b), str(c), str(d))
        for a, b, c, d in db.conn.execute(
            """SELECT id, shop_id, name, starts_at FROM campaigns
               WHERE julianday(starts_at) > julianday(?) AND julianday(starts_at) <= julianday(?)""",
            (now.isoformat(), until.isoformat()),
        )
    ]


def returning_buyers(db: sqlite_utils.Database, shop_id: int) -> list[tuple[int, str, str]]:
    """Buyers of the shop with two paid orders or more: (buyer id, nick, phone of the last order)."""
    return [
        (int(a), str(b), str(c))
        for a, b, c in db.conn.execute(
            """SELECT b.id, b.nick, (SELECT o2.receiver_phone FROM orders o2 WHERE o2.buyer_id = b.id
                                     ORDER BY o2.created_at DESC LIMIT 1)
               FROM buyers b JOIN orders o ON o.buyer_id = b.id
               WHERE b.shop_id = ? AND o.paid_at IS NOT NULL AND o.status NOT IN ('refunded', 'cancelled')
               GROUP BY b.id HAVING count(*) >= 2 ORDER BY b.id""",
            (shop_id,),
        )
    ]


# ---- courier jam -----------------------------------------------------------------------------------


class JamOrder(_Row):
    """The newest matching order of one affected buyer."""

    id: str
    buyer_id: int
    buyer_nick: str
    receiver_name: str
    receiver_phone: str
    province: str
    city: str
    status: str
    courier: str
    tracking_no: str | None
    shipped_at: datetime | None
    item: str
    shop_name: str


class JamNotice(_Row):
    id: int
    shop_id: int
    selection: str  # JSON
    template: str
    buyers: int
    state: str
    created_by: int
    creator: str
    created_at: datetime
    approved_by: int | None
    approver: str | None
    approved_at: datetime | None
    sent: int


class JamRecipient(_Row):
    notice_id: int
    buyer_id: int
    buyer_nick: str
    order_id: str
    receiver_name: str
    phone: str
    text: str
    channel: str | None
    sent_at: datetime | None


def jam_orders(
    db: sqlite_utils.Database,
    shop_id: int,
    *,
    courier: str,
    provinces: list[str],
    cities: list[str],
    statuses: list[str],
    shipped_from: datetime,
    shipped_to: datetime,
) -> list[JamOrder]:
    """One order per affected buyer (the newest shipped that matches), by courier, place, status and dates."""
    where = [
        "o.shop_id = ?",
        "o.courier = ?",
        "julianday(o.shipped_at) >= julianday(?)",
        "julianday(o.shipped_at) < julianday(?)",
    ]
    args: list[Any] = [shop_id, courier, shipped_from.isoformat(), shipped_to.isoformat()]
    for column, values in (("o.province", provinces), ("o.city", cities), ("o.status", statuses)):
        if values:
            where.append(f"{column} IN ({','.join('?' * len(values))})")
            args.extend(values)
    return models(
        db,
        JamOrder,
        f"""SELECT o.id, o.buyer_id, b.nick AS buyer_nick, o.receiver_name, o.receiver_phone, o.province, o.city,
                   o.status, o.courier, o.tracking_no, o.shipped_at,
                   coalesce((SELECT l.title FROM order_lines l WHERE l.order_id = o.id ORDER BY l.id LIMIT 1), '')
                       AS item, s.name AS shop_name
            FROM orders o JOIN buyers b ON b.id = o.buyer_id JOIN shops s ON s.id = o.shop_id
            WHERE {" AND ".join(where)}
              AND o.shipped_at = (SELECT max(o2.shipped_at) FROM orders o2 WHERE o2.buyer_id = o.buyer_id
                                  AND o2.shop_id = o.shop_id AND o2.courier = o.courier)
            GROUP BY o.buyer_id ORDER BY o.province, o.city, o.buyer_id""",
        tuple(args),
    )


def couriers(db: sqlite_utils.Database, shop_id: int) -> list[str]:
    return [
        str(r[0])
        for r in db.conn.execute(
            "SELECT DISTINCT courier FROM orders WHERE shop_id = ? AND courier IS NOT NULL ORDER BY courier",
            (shop_id,),
        )
    ]


def already_notified(db: sqlite_utils.Database, shop_id: int, courier: str, buyer_ids: list[int]) -> set[int]:
    """Buyers who already got a jam notice about this courier from the shop (every buyer gets it once)."""
    found: set[int] = set()
    for start in range(0, len(buyer_ids), 500):
        chunk = buyer_ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        found.update(
            int(r[0])
            for r in db.conn.execute(
                f"""SELECT r.buyer_id FROM jam_recipients r JOIN jam_notices n ON n.id = r.notice_id
                    WHERE n.shop_id = ? AND json_extract(n.selection, '$.courier') = ?
                      AND r.buyer_id IN ({marks})""",
                (shop_id, courier, *chunk),
            )
        )
    return found


def add_notice(
    db: sqlite_utils.Database,
    shop_id: int,
    selection: dict[str, Any],
    template: str,
    recipients: list[tuple[JamOrder, str]],
    *,
    state: str,
    agent_id: int,
    at: datetime,
) -> int:
    cursor = db.conn.execute(
        """INSERT INTO jam_notices (shop_id, selection, template, buyers, state, created_by, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)""",
        (
            shop_id,
            json.dumps(selection, ensure_ascii=False),
            template,
            len(recipients),
            state,
            agent_id,
            at.isoformat(),
        ),
    )
    notice_id = int(cursor.lastrowid or 0)
    db.conn.executemany(
        """INSERT INTO jam_recipients (notice_id, buyer_id, buyer_nick, order_id, receiver_name, phone, text)
           VALUES (?, ?, ?, ?, ?, ?, ?)""",
        [
            (notice_id, o.buyer_id, o.buyer_nick, o.id, o.receiver_name, o.receiver_phone, text)
            for o, text in recipients
        ],
    )
    return notice_id


_NOTICE = """SELECT n.*, c.name AS creator, a.name AS approver,
    (SELECT count(*) FROM jam_recipients r WHERE r.notice_id = n.id AND r.sent_at IS NOT NULL) AS sent
    FROM jam_notices n JOIN agents c ON c.id = n.created_by LEFT JOIN agents a ON a.id = n.approved_by"""


def notice(db: sqlite_utils.Database, notice_id: int) -> JamNotice | None:
    found = models(db, JamNotice, f"{_NOTICE} WHERE n.id = ?", (notice_id,))
    return found[0] if found else None


def notices(db: sqlite_utils.Database, shop_id: int, limit: int = 50) -> list[JamNotice]:
    return models(
        db, JamNotice, f"{_NOTICE} WHERE n.shop_id = ? ORDER BY n.id DESC LIMIT ?", (shop_id, limit)
    )


def approve(db: sqlite_utils.Database, notice_id: int, agent_id: int, at: datetime) -> bool:
    cursor = db.conn.execute(
        """UPDATE jam_notices SET state = 'approved', approved_by = ?, approved_at = ?
           WHERE id = ? AND state = 'awaiting_approval' AND created_by != ?""",
        (agent_id, at.isoformat(), notice_id, agent_id),
    )
    return cursor.rowcount == 1


def take_recipients(
    db: sqlite_utils.Database, notice_id: int, channel: str, agent_id: int, at: datetime
) -> list[JamRecipient]:
    """The recipients not sent yet, now marked sent by ``channel`` (each buyer is handed over once)."""
    rows = models(
        db,
        JamRecipient,
        "SELECT * FROM jam_recipients WHERE notice_id = ? AND sent_at IS NULL ORDER BY buyer_id",
        (notice_id,),
    )
    db.conn.execute(
        "UPDATE jam_recipients SET sent_at = ?, sent_by = ?, channel = ? WHERE notice_id = ? AND sent_at IS NULL",
        (at.isoformat(), agent_id, channel, notice_id),
    )
    db.conn.execute("UPDATE jam_notices SET state = 'sent' WHERE id = ?", (notice_id,))
    return rows


def recipients(db: sqlite_utils.Database, notice_id: int, limit: int = 20) -> list[JamRecipient]:
    return models(
        db,
        JamRecipient,
        "SELECT * FROM jam_recipients WHERE notice_id = ? ORDER BY buyer_id LIMIT ?",
        (notice_id, limit),
    )
