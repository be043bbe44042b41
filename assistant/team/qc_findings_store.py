"""SQL of what QC leaves behind a review: findings (a fix for the agent or a training card, open
until closed with an outcome) and 丢单/优秀 tags on conversations."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from typing import Any

import sqlite_utils

from assistant.team.store_rows import Duplicate
from assistant.team.store_rows import FrozenRow as _Row
from assistant.team.store_rows import rows as query_rows


class FindingRow(_Row):
    id: int
    shop_id: int
    review_id: int | None
    conversation: str
    agent_id: int | None
    agent_name: str | None
    kind: str
    target_kind: str | None
    target_id: int | None
    target_name: str
    note: str
    created_by: int
    created_by_name: str
    created_at: datetime
    closed_by: int | None
    closed_at: datetime | None
    outcome: str


_FINDING = """SELECT f.*, c.name AS created_by_name, a.name AS agent_name FROM qc_findings f
    JOIN agents c ON c.id = f.created_by LEFT JOIN agents a ON a.id = f.agent_id"""


def insert_finding(db: sqlite_utils.Database, values: dict[str, Any]) -> FindingRow:
    cursor = db.conn.execute(
        """INSERT INTO qc_findings (shop_id, review_id, conversation, agent_id, kind, target_kind, target_id,
               target_name, note, created_by, created_at)
           VALUES (:shop_id, :review_id, :conversation, :agent_id, :kind, :target_kind, :target_id, :target_name,
               :note, :created_by, :created_at)""",
        values,
    )
    found = finding(db, int(cursor.lastrowid or 0))
    assert found is not None
    return found


def finding(db: sqlite_utils.Database, finding_id: int) -> FindingRow | None:
    rows = query_rows(db, f"{_FINDING} WHERE f.id = ?", (finding_id,))
    return FindingRow.model_validate(rows[0]) if rows else None


def findings(
    db: sqlite_utils.Database,
    shop_ids: list[int],
    *,
    state: str = "open",
    kind: str | None = None,
    target_kind: str | None = None,
    target_id: int | None = None,
    limit: int = 200,
) -> list[FindingRow]:
    marks = ",".join("?" * len(shop_ids)) or "NULL"
    where, params = [f"f.shop_id IN ({marks})"], list[Any](shop_ids)
    if state == "open":
        where.append("f.closed_at IS NULL")
    elif state == "closed":
        where.append("f.closed_at IS NOT NULL")
    for column, value in (("f.kind", kind), ("f.target_kind", target_kind), ("f.target_id", target_id)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    sql = f"{_FINDING} WHERE {' AND '.join(where)} ORDER BY f.id DESC LIMIT ?"
    return [FindingRow.model_validate(r) for r in query_rows(db, sql, (*params, limit))]


def close_finding(db: sqlite_utils.Database, finding_id: int, *, by: int, outcome: str, at: datetime) -> bool:
    cursor = db.conn.execute(
        "UPDATE qc_findings SET closed_by = ?, closed_at = ?, outcome = ? WHERE id = ? AND closed_at IS NULL",
        (by, at.isoformat(), outcome, finding_id),
    )
    return cursor.rowcount == 1


# ---- 丢单 / 优秀 tags ---------------------------------------------------------------------------------------


class TagRow(_Row):
    id: int
    shop_id: int
    conversation: str
    day: date
    tag: str
    agent_id: int | None
    agent_name: str | None
    buyer_nick: str
    note: str
    created_by: int
    created_by_name: str
    created_at: datetime


_TAG = """SELECT t.*, c.name AS created_by_name, a.name AS agent_name FROM qc_tags t
    JOIN agents c ON c.id = t.created_by LEFT JOIN agents a ON a.id = t.agent_id"""


def insert_tag(db: sqlite_utils.Database, values: dict[str, Any]) -> TagRow:
    try:
        cursor = db.conn.execute(
            """INSERT INTO qc_tags (shop_id, conversation, day, tag, agent_id, buyer_nick, note, created_by,
                   created_at)
               VALUES (:shop_id, :conversation, :day, :tag, :agent_id, :buyer_nick, :note, :created_by, :created_at)""",
            values,
        )
    except sqlite3.IntegrityError:
        raise Duplicate from None
    rows = query_rows(db, f"{_TAG} WHERE t.id = ?", (int(cursor.lastrowid or 0),))
    return TagRow.model_validate(rows[0])


def tags(db: sqlite_utils.Database, shop_ids: list[int], since: date, until: date) -> list[TagRow]:
    """The tags on conversations of the days ``[since, until)``, by tag, day and conversation."""
    marks = ",".join("?" * len(shop_ids)) or "NULL"
    return [
        TagRow.model_validate(r)
        for r in query_rows(
            db,
            f"{_TAG} WHERE t.shop_id IN ({marks}) AND t.day >= ? AND t.day < ? ORDER BY t.tag, t.day, t.conversation",
            (*shop_ids, since.isoformat(), until.isoformat()),
        )
    ]
