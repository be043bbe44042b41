"""SQL for the revision history every versioned knowledge entity (and quick reply) writes."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from knowledge.models import Revision, RevisionAction
from knowledge.store_common import now


def record_revision(
    db: sqlite_utils.Database,
    entity: str,
    entity_id: int,
    version: int,
    action: RevisionAction,
    agent_id: int | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    at: str | None = None,
) -> int:
    """Keep one saved state of a knowledge row; call it in the same transaction as the change."""
    cursor = db.execute(
        "INSERT INTO revisions (entity, entity_id, version, action, agent_id, at, before, after)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            entity,
            entity_id,
            version,
            action.value,
            agent_id,
            at or now(),
            None if before is None else json.dumps(before, ensure_ascii=False),
            None if after is None else json.dumps(after, ensure_ascii=False),
        ],
    )
    return int(cursor.lastrowid or 0)


def has_revisions(db: sqlite_utils.Database, entity: str, entity_id: int) -> bool:
    """Whether any state of the row was recorded yet."""
    return (
        db.execute(
            "SELECT 1 FROM revisions WHERE entity = ? AND entity_id = ? LIMIT 1", [entity, entity_id]
        ).fetchone()
        is not None
    )


def list_revisions(db: sqlite_utils.Database, entity: str, entity_id: int) -> list[Revision]:
    """Every saved state of one row, newest first."""
    return [
        Revision(
            id=r["id"],
            entity=r["entity"],
            entity_id=r["entity_id"],
            version=r["version"],
            action=r["action"],
            agent_id=r["agent_id"],
            agent_name=r["agent_name"],
            at=r["at"],
            before=None if r["before"] is None else json.loads(r["before"]),
            after=None if r["after"] is None else json.loads(r["after"]),
        )
        for r in db.query(
            "SELECT r.*, a.name AS agent_name FROM revisions r LEFT JOIN agents a ON a.id = r.agent_id"
            " WHERE r.entity = ? AND r.entity_id = ? ORDER BY r.version DESC, r.id DESC",
            [entity, entity_id],
        )
    ]


def get_revision(db: sqlite_utils.Database, revision_id: int) -> Revision | None:
    r = next(iter(db.query("SELECT * FROM revisions WHERE id = ?", [revision_id])), None)
    if r is None:
        return None
    return Revision(
        id=r["id"],
        entity=r["entity"],
        entity_id=r["entity_id"],
        version=r["version"],
        action=r["action"],
        agent_id=r["agent_id"],
        at=r["at"],
        before=None if r["before"] is None else json.loads(r["before"]),
        after=None if r["after"] is None else json.loads(r["after"]),
    )
