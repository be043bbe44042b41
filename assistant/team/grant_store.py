"""Roles a supervisor grants on top of the directory's: order review (订单审核, ``reviewer``) and refund
review (退款审核, ``refund_reviewer``). The knowledge schema's CHECK on ``agents.role`` predates both, and
they are the team's to give, so each lives in its own grant table (team:0010, team:0013); the directory
loads an agent holding one as that role. Editors and supervisors keep their role (a supervisor may do
either anyway); an agent holds at most one grant (the API refuses the second)."""

from __future__ import annotations

import sqlite_utils

from assistant.team.store_rows import rows
from knowledge import store as kb_store
from knowledge.models import Agent, Role

TABLES = {Role.REVIEWER: "order_reviewers", Role.REFUND_REVIEWER: "refund_reviewers"}
GRANTABLE = tuple(TABLES)


def granted(db: sqlite_utils.Database) -> dict[int, Role]:
    """agent id → the role their grant gives."""
    found: dict[int, Role] = {}
    for role, table in TABLES.items():
        for row in rows(db, f"SELECT agent_id FROM {table}"):
            found.setdefault(int(row["agent_id"]), role)
    return found


def effective_agents(db: sqlite_utils.Database) -> list[Agent]:
    """The directory's agents with the grants applied (only a plain agent's role changes)."""
    roles = granted(db)
    return [
        a.model_copy(update={"role": roles[a.id]}) if a.id in roles and a.role is Role.AGENT else a
        for a in kb_store.list_agents(db)
    ]


def set_grant(
    db: sqlite_utils.Database, role: Role, agent_id: int, on: bool, by: int | None, at: str
) -> None:
    table = TABLES[role]
    if on:
        db.conn.execute(
            f"INSERT OR IGNORE INTO {table} (agent_id, granted_by, granted_at) VALUES (?, ?, ?)",
            (agent_id, by, at),
        )
    else:
        db.conn.execute(f"DELETE FROM {table} WHERE agent_id = ?", (agent_id,))
