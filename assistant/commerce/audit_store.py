"""SQL of the audit log: one append-only entry per change, written in the change's transaction
(triggers refuse any other change; ``kefu purge`` alone may anonymise a row), read back per row with
the agent's name."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from assistant.commerce.store_rows import AuditRecord
from assistant.commerce.store_rows import json_text as _json
from assistant.commerce.store_rows import rows as _rows


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


def audit_entries(
    db: sqlite_utils.Database, entity: str, entity_id: str, limit: int = 200
) -> list[AuditRecord]:
    """Audit entries of one row, newest first, with the agent's name and before/after decoded."""
    rows = _rows(
        db,
        """SELECT l.*, coalesce(a.name, '') AS agent_name FROM audit_log l LEFT JOIN agents a ON a.id = l.agent_id
           WHERE l.entity = ? AND l.entity_id = ? ORDER BY l.id DESC LIMIT ?""",
        (entity, entity_id, limit),
    )
    return [
        AuditRecord.model_validate(
            {
                **row,
                "before": None if row["before"] is None else json.loads(row["before"]),
                "after": None if row["after"] is None else json.loads(row["after"]),
            }
        )
        for row in rows
    ]
