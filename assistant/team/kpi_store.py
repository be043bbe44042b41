"""SQL of the KPI settings (team:0008): one versioned document, audited on every save; and the service
evaluations (invitation and rating, one per conversation)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlite_utils

from assistant.commerce.store import insert_audit
from assistant.team.kpi_config import KpiConfig, default_config


@dataclass(frozen=True, slots=True)
class Saved:
    config: KpiConfig
    version: int  # 0: the defaults, never saved
    set_by: int | None
    set_at: str | None


class StaleVersion(Exception):
    def __init__(self, current: Saved) -> None:
        super().__init__(current.version)
        self.current = current


def kpi_settings(db: sqlite_utils.Database) -> Saved:
    row = db.conn.execute("SELECT body, version, set_by, set_at FROM kpi_settings WHERE id = 1").fetchone()
    if row is None:
        return Saved(default_config(), 0, None, None)
    return Saved(KpiConfig.model_validate_json(row[0]), int(row[1]), int(row[2]), str(row[3]))


def save_kpi_settings(
    db: sqlite_utils.Database, config: KpiConfig, *, version: int, by: int, at: datetime
) -> Saved:
    """Write the settings when ``version`` is the current one (:class:`StaleVersion` otherwise)."""
    current = kpi_settings(db)
    if current.version != version:
        raise StaleVersion(current)
    body = config.model_dump_json()
    db.conn.execute(
        "INSERT INTO kpi_settings (id, body, version, set_by, set_at) VALUES (1, ?, ?, ?, ?)"
        " ON CONFLICT (id) DO UPDATE SET body = excluded.body, version = excluded.version,"
        " set_by = excluded.set_by, set_at = excluded.set_at",
        (body, version + 1, by, at.isoformat()),
    )
    insert_audit(
        db,
        at=at.isoformat(),
        agent_id=by,
        shop_id=None,
        entity="kpi_settings",
        entity_id="1",
        action="update",
        reason="",
        before=json.loads(current.config.model_dump_json()),
        after=json.loads(body),
    )
    return kpi_settings(db)


# ---- service evaluations ----------------------------------------------------------------------------


def _utc(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


def record_invitation(
    db: sqlite_utils.Database, *, shop_id: int, conversation: str, buyer: str, agent_id: int, at: datetime
) -> None:
    """The agent invited the buyer to rate (a second invitation keeps the first's time and agent)."""
    db.conn.execute(
        "INSERT INTO evaluations (shop_id, conversation, buyer_nick, agent_id, invited_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (shop_id, conversation) DO UPDATE SET invited_at = coalesce(invited_at, excluded.invited_at)",
        (shop_id, conversation, buyer, agent_id, _utc(at)),
    )


def record_rating(
    db: sqlite_utils.Database,
    *,
    shop_id: int,
    conversation: str,
    buyer: str,
    agent_id: int,
    rating: int,
    at: datetime,
) -> None:
    """The buyer's rating (a later one replaces it, as the platform lets a buyer change it)."""
    db.conn.execute(
        "INSERT INTO evaluations (shop_id, conversation, buyer_nick, agent_id, rating, rated_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (shop_id, conversation) DO UPDATE"
        " SET rating = excluded.rating, rated_at = excluded.rated_at",
        (shop_id, conversation, buyer, agent_id, rating, _utc(at)),
    )


@dataclass(frozen=True, slots=True)
class EvaluationRow:
    shop_id: int
    agent_id: int
    invited_at: datetime | None
    rating: int | None
    rated_at: datetime | None


def evaluations(
    db: sqlite_utils.Database, shop_ids: list[int], start: datetime, end: datetime
) -> list[EvaluationRow]:
    """Evaluations of these shops invited or rated in ``[start, end)``."""
    marks = ",".join("?" * len(shop_ids)) or "NULL"
    low, high = _utc(start), _utc(end)
    rows = db.conn.execute(
        f"""SELECT shop_id, agent_id, invited_at, rating, rated_at FROM evaluations
            WHERE shop_id IN ({marks})
              AND ((invited_at >= ? AND invited_at < ?) OR (rated_at >= ? AND rated_at < ?))""",
        (*shop_ids, low, high, low, high),
    ).fetchall()

    def when(text: str | None) -> datetime | None:
        return datetime.fromisoformat(text) if text else None

    return [EvaluationRow(int(s), int(a), when(i), r, when(t)) for s, a, i, r, t in rows]
