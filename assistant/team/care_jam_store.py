"""SQL of the courier-jam notices: the orders a jam touches, the couriers of a shop, the notices and
their recipients (each buyer hears about one courier's jam once). Split from ``care_store`` (the
shops' care texts and messages), which is about one buyer's order at a time."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlite_utils
from pydantic import BaseModel, ConfigDict

from assistant.team.store_rows import models


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True)


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
