"""SQL of the response watch: take-over claims and the emergency switch (nothing else has SQL)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, TypeVar

import sqlite_utils
from pydantic import BaseModel, ConfigDict

from assistant.commerce.store import insert_audit
from assistant.conversations.models import utc_text

M = TypeVar("M", bound=BaseModel)


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True)


class Claim(_Row):
    id: int
    shop_id: int
    conversation: str
    buyer_nick: str
    agent_id: int
    agent_name: str
    from_agent_id: int | None
    claimed_at: datetime
    released_at: datetime | None = None
    released_why: str | None = None


class Emergency(_Row):
    id: int
    shop_id: int
    reason: str
    auto_reply: str
    script_id: int | None
    started_by: int
    started_by_name: str
    started_at: datetime
    ended_by: int | None = None
    ended_by_name: str | None = None
    ended_at: datetime | None = None


@dataclass
class Switches:
    """The emergency switches that are on, per process (read at start-up, replaced on each switch)."""

    on: list[Emergency]


class ClaimTaken(Exception):
    """Someone holds the conversation already."""

    def __init__(self, holder: Claim) -> None:
        super().__init__(holder.agent_name)
        self.holder = holder


class AlreadyOn(Exception):
    def __init__(self, current: Emergency) -> None:
        super().__init__(current.reason)
        self.current = current


_CLAIM = """SELECT c.*, a.name AS agent_name FROM watch_claims c JOIN agents a ON a.id = c.agent_id"""
_EMERGENCY = """SELECT e.*, s.name AS started_by_name, x.name AS ended_by_name FROM emergencies e
    JOIN agents s ON s.id = e.started_by LEFT JOIN agents x ON x.id = e.ended_by"""


def rows(
    db: sqlite_utils.Database, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()
) -> list[dict[str, Any]]:
    """A query's rows as dicts by column name (every team store reads through this)."""
    cursor = db.conn.execute(sql, params)
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def models(db: sqlite_utils.Database, model: type[M], sql: str, params: tuple[Any, ...] = ()) -> list[M]:
    """A query's rows validated as ``model``."""
    return [model.model_validate(row) for row in rows(db, sql, params)]


def _claims(db: sqlite_utils.Database, where: str, params: tuple[object, ...]) -> list[Claim]:
    return models(db, Claim, f"{_CLAIM} WHERE {where}", params)


def open_claim(db: sqlite_utils.Database, shop_id: int, conversation: str) -> Claim | None:
    found = _claims(
        db, "c.shop_id = ? AND c.conversation = ? AND c.released_at IS NULL", (shop_id, conversation)
    )
    return found[0] if found else None


def open_claims(db: sqlite_utils.Database, shop_ids: list[int]) -> list[Claim]:
    marks = ",".join("?" * len(shop_ids)) or "NULL"
    return _claims(db, f"c.shop_id IN ({marks}) AND c.released_at IS NULL ORDER BY c.id", tuple(shop_ids))


def insert_claim(
    db: sqlite_utils.Database,
    *,
    shop_id: int,
    conversation: str,
    buyer_nick: str,
    agent_id: int,
    from_agent_id: int | None,
    at: datetime,
) -> Claim:
    """Claim a conversation; :class:`ClaimTaken` (naming the holder) when it is held already.
    The partial unique index decides: two writers racing cannot both win."""
    try:
        cursor = db.conn.execute(
            "INSERT INTO watch_claims (shop_id, conversation, buyer_nick, agent_id, from_agent_id, claimed_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (shop_id, conversation, buyer_nick, agent_id, from_agent_id, at.isoformat()),
        )
    except sqlite3.IntegrityError:
        holder = open_claim(db, shop_id, conversation)
        if holder is None:  # pragma: no cover - the index only fails for an open claim
            raise
        raise ClaimTaken(holder) from None
    insert_audit(
        db,
        at=at.isoformat(),
        agent_id=agent_id,
        shop_id=shop_id,
        entity="conversation",
        entity_id=conversation,
        action="claim",
        reason="",
        before={"agent_id": from_agent_id},
        after={"agent_id": agent_id},
    )
    return _claims(db, "c.id = ?", (cursor.lastrowid,))[0]


def release_claims(
    db: sqlite_utils.Database,
    shop_id: int,
    conversation: str,
    at: datetime,
    why: str,
    agent_id: int | None = None,
) -> int:
    """Release the open claim on a conversation (only ``agent_id``'s, when given); how many."""
    sql = (
        "UPDATE watch_claims SET released_at = ?, released_why = ? WHERE shop_id = ? AND conversation = ?"
        " AND released_at IS NULL"
    )
    params: tuple[object, ...] = (at.isoformat(), why, shop_id, conversation)
    if agent_id is not None:
        sql += " AND agent_id = ?"
        params += (agent_id,)
    return db.conn.execute(sql, params).rowcount


def _emergencies(db: sqlite_utils.Database, where: str, params: tuple[object, ...]) -> list[Emergency]:
    return models(db, Emergency, f"{_EMERGENCY} WHERE {where}", params)


def active_emergencies(db: sqlite_utils.Database) -> list[Emergency]:
    return _emergencies(db, "e.ended_at IS NULL ORDER BY e.shop_id", ())


def emergency_timeline(db: sqlite_utils.Database, shop_id: int, limit: int = 50) -> list[Emergency]:
    return _emergencies(db, "e.shop_id = ? ORDER BY e.id DESC LIMIT ?", (shop_id, limit))


def start_emergency(
    db: sqlite_utils.Database,
    *,
    shop_id: int,
    reason: str,
    auto_reply: str,
    script_id: int | None,
    agent_id: int,
    at: datetime,
) -> Emergency:
    """Switch the shop's emergency on (:class:`AlreadyOn` when it is on already), audited."""
    try:
        cursor = db.conn.execute(
            "INSERT INTO emergencies (shop_id, reason, auto_reply, script_id, started_by, started_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (shop_id, reason, auto_reply, script_id, agent_id, at.isoformat()),
        )
    except sqlite3.IntegrityError:
        current = _emergencies(db, "e.shop_id = ? AND e.ended_at IS NULL", (shop_id,))
        if not current:  # pragma: no cover
            raise
        raise AlreadyOn(current[0]) from None
    started = _emergencies(db, "e.id = ?", (cursor.lastrowid,))[0]
    insert_audit(
        db,
        at=at.isoformat(),
        agent_id=agent_id,
        shop_id=shop_id,
        entity="emergency",
        entity_id=str(started.id),
        action="start",
        reason=reason,
        before=None,
        after={"auto_reply": auto_reply, "script_id": script_id},
    )
    return started


def end_emergency(
    db: sqlite_utils.Database, *, shop_id: int, agent_id: int, at: datetime
) -> Emergency | None:
    """Switch it off; None when it was not on."""
    current = _emergencies(db, "e.shop_id = ? AND e.ended_at IS NULL", (shop_id,))
    if not current:
        return None
    db.conn.execute(
        "UPDATE emergencies SET ended_by = ?, ended_at = ? WHERE id = ?",
        (agent_id, at.isoformat(), current[0].id),
    )
    insert_audit(
        db,
        at=at.isoformat(),
        agent_id=agent_id,
        shop_id=shop_id,
        entity="emergency",
        entity_id=str(current[0].id),
        action="end",
        reason="",
        before={"on": True},
        after={"on": False},
    )
    return _emergencies(db, "e.id = ?", (current[0].id,))[0]


# ---- reports: paid orders and month closes ------------------------------------------------------


class PaidOrderRow(_Row):
    shop_id: int
    buyer: str
    created_at: datetime
    paid_at: datetime
    amount_fen: int
    items: int
    promoted_items: int = 0


def paid_orders(
    db: sqlite_utils.Database, shop_ids: list[int], start: datetime, end: datetime
) -> list[PaidOrderRow]:
    """Orders of these shops created in ``[start, end)`` that were paid, with their item counts and how
    many of those are promoted items (爆款: items with a hot-item answer; times are compared as instants:
    stored offsets may differ)."""
    marks = ",".join("?" * len(shop_ids)) or "NULL"
    return models(
        db,
        PaidOrderRow,
        f"""SELECT o.shop_id, b.nick AS buyer, o.created_at, o.paid_at, o.price_fen + o.postage_fen AS amount_fen,
                   coalesce((SELECT sum(l.quantity) FROM order_lines l WHERE l.order_id = o.id), 0) AS items,
                   coalesce((SELECT sum(l.quantity) FROM order_lines l WHERE l.order_id = o.id AND l.item_id IN
                       (SELECT i.item_id FROM intents i WHERE i.item_id IS NOT NULL AND i.enabled = 1)), 0)
                       AS promoted_items
            FROM orders o JOIN buyers b ON b.id = o.buyer_id
            WHERE o.shop_id IN ({marks}) AND o.paid_at IS NOT NULL
              AND julianday(o.created_at) >= julianday(?) AND julianday(o.created_at) < julianday(?)
            ORDER BY o.created_at""",
        (*shop_ids, start.isoformat(), end.isoformat()),
    )


class KpiClose(_Row):
    id: int
    period: str
    shop_id: int | None
    closed_by: int
    closed_at: datetime
    report: str


class AlreadyClosed(Exception):
    def __init__(self, close: KpiClose) -> None:
        super().__init__(close.period)
        self.close = close


def kpi_close(db: sqlite_utils.Database, period: str, shop_id: int | None) -> KpiClose | None:
    cursor = db.conn.execute(
        "SELECT * FROM kpi_closes WHERE period = ? AND coalesce(shop_id, 0) = ?", (period, shop_id or 0)
    )
    row = cursor.fetchone()
    if row is None:
        return None
    return KpiClose.model_validate(dict(zip([c[0] for c in cursor.description], row, strict=True)))


def insert_kpi_close(
    db: sqlite_utils.Database, *, period: str, shop_id: int | None, agent_id: int, at: datetime, report: str
) -> KpiClose:
    """Freeze a month's report (:class:`AlreadyClosed` when it was closed before), audited."""
    try:
        db.conn.execute(
            "INSERT INTO kpi_closes (period, shop_id, closed_by, closed_at, report) VALUES (?, ?, ?, ?, ?)",
            (period, shop_id, agent_id, at.isoformat(), report),
        )
    except sqlite3.IntegrityError:
        existing = kpi_close(db, period, shop_id)
        if existing is None:  # pragma: no cover
            raise
        raise AlreadyClosed(existing) from None
    insert_audit(
        db,
        at=at.isoformat(),
        agent_id=agent_id,
        shop_id=shop_id,
        entity="kpi_close",
        entity_id=period,
        action="close",
        reason="",
        before=None,
        after={"period": period},
    )
    closed = kpi_close(db, period, shop_id)
    assert closed is not None
    return closed


# ---- KPI daily aggregates ----------------------------------------------------------------------------


def computed_days(db: sqlite_utils.Database, shop_id: int, start: date, end: date) -> set[date]:
    rows = db.conn.execute(
        "SELECT day FROM kpi_days WHERE shop_id = ? AND day >= ? AND day < ?",
        (shop_id, start.isoformat(), end.isoformat()),
    ).fetchall()
    return {date.fromisoformat(r[0]) for r in rows}


def replace_days(
    db: sqlite_utils.Database,
    shop_id: int,
    days: list[date],
    rows: dict[tuple[int, date], dict[str, float]],
    at: datetime,
    read_since: datetime | None = None,
    tz: tzinfo = UTC,
) -> int:
    """Store the figures of these days for the shop (replacing what was there); how many rows. A day that
    got a message logged at or after ``read_since`` (while the figures were worked out, so they may lack
    it) is left as it was, for the next run: storing it would mark it computed without that message."""
    if read_since is not None and days:
        # only the days being stored (the (shop_id, at) index), then those received since the read
        since = datetime.combine(min(days), time(0), tzinfo=tz)
        until = datetime.combine(max(days) + timedelta(days=1), time(0), tzinfo=tz)
        late = {
            datetime.fromisoformat(r[0]).astimezone(tz).date()
            for r in db.conn.execute(
                "SELECT at FROM conversation_messages WHERE shop_id = ? AND at >= ? AND at < ?"
                " AND received_at >= ?",
                (shop_id, utc_text(since), utc_text(until), utc_text(read_since)),
            )
        }
        days = [d for d in days if d not in late]
        rows = {key: figures for key, figures in rows.items() if key[1] not in late}
    for day in days:
        db.conn.execute("DELETE FROM kpi_daily WHERE shop_id = ? AND day = ?", (shop_id, day.isoformat()))
        db.conn.execute(
            "INSERT INTO kpi_days (day, shop_id, computed_at) VALUES (?, ?, ?)"
            " ON CONFLICT (day, shop_id) DO UPDATE SET computed_at = excluded.computed_at",
            (day.isoformat(), shop_id, at.isoformat()),
        )
    db.conn.executemany(
        "INSERT INTO kpi_daily (day, shop_id, agent_id, figures) VALUES (?, ?, ?, ?)",
        [
            (day.isoformat(), shop_id, agent_id, json.dumps(figures, sort_keys=True))
            for (agent_id, day), figures in rows.items()
        ],
    )
    return len(rows)


def daily_rows(
    db: sqlite_utils.Database, shop_ids: list[int], start: date, end: date
) -> list[tuple[date, int, int, dict[str, float]]]:
    marks = ",".join("?" * len(shop_ids)) or "NULL"
    rows = db.conn.execute(
        f"SELECT day, shop_id, agent_id, figures FROM kpi_daily WHERE shop_id IN ({marks}) AND day >= ? AND day < ?",
        (*shop_ids, start.isoformat(), end.isoformat()),
    ).fetchall()
    return [(date.fromisoformat(d), int(s), int(a), json.loads(f)) for d, s, a, f in rows]


def forget_day(db: sqlite_utils.Database, shop_id: int, day: date) -> int:
    """A message or order for a day already computed arrived late: recompute that day when next asked."""
    db.conn.execute("DELETE FROM kpi_daily WHERE shop_id = ? AND day = ?", (shop_id, day.isoformat()))
    return db.conn.execute(
        "DELETE FROM kpi_days WHERE shop_id = ? AND day = ?", (shop_id, day.isoformat())
    ).rowcount


# ---- the roster ------------------------------------------------------------------------------------


def rotation_of(db: sqlite_utils.Database, agent_id: int) -> str | None:
    """One agent's rotation group, if a supervisor placed them (``roster.default_group`` otherwise)."""
    row = db.conn.execute("SELECT rotation FROM roster_groups WHERE agent_id = ?", (agent_id,)).fetchone()
    return None if row is None else str(row[0])


def rotation_groups(db: sqlite_utils.Database) -> dict[int, str]:
    return {
        int(a): str(g) for a, g in db.conn.execute("SELECT agent_id, rotation FROM roster_groups").fetchall()
    }


def set_rotation(db: sqlite_utils.Database, agent_id: int, rotation: str, by: int, at: datetime) -> None:
    before = rotation_groups(db).get(agent_id)
    db.conn.execute(
        "INSERT INTO roster_groups (agent_id, rotation, set_by, set_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (agent_id) DO UPDATE SET rotation = excluded.rotation, set_by = excluded.set_by,"
        " set_at = excluded.set_at",
        (agent_id, rotation, by, at.isoformat()),
    )
    insert_audit(
        db,
        at=at.isoformat(),
        agent_id=by,
        shop_id=None,
        entity="roster",
        entity_id=str(agent_id),
        action="set_rotation",
        reason="",
        before={"rotation": before},
        after={"rotation": rotation},
    )
