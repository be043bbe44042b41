"""SQL of the KPI settings (team:0008): one versioned document, audited on every save."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

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
