"""SQL of the response watch: take-over claims, the emergency switch and the roster's rotations.

The reports' paid orders, month closes and KPI daily aggregates are ``kpi_days_store``, re-exported
here for the many handlers that read them as ``store.X``; the row helpers are ``store_rows``."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

import sqlite_utils
from pydantic import BaseModel, ConfigDict

from assistant.commerce.store import insert_audit

# re-exported below (__all__): the handlers read these as this module's names
from assistant.team.kpi_days_store import (
    AlreadyClosed,
    DailyRow,
    KpiClose,
    PaidOrderRow,
    computed_days,
    daily_rows,
    forget_day,
    insert_kpi_close,
    kpi_close,
    paid_orders,
    replace_days,
)
from assistant.team.store_rows import models

__all__ = [
    "AlreadyClosed",
    "AlreadyOn",
    "Claim",
    "ClaimTaken",
    "DailyRow",
    "Emergency",
    "KpiClose",
    "PaidOrderRow",
    "Switches",
    "active_emergencies",
    "computed_days",
    "daily_rows",
    "emergency_timeline",
    "end_emergency",
    "forget_day",
    "insert_claim",
    "insert_kpi_close",
    "kpi_close",
    "open_claim",
    "open_claims",
    "paid_orders",
    "release_claims",
    "replace_days",
    "rotation_groups",
    "rotation_of",
    "set_rotation",
    "start_emergency",
]


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
