"""SQL of the evidence locker: what a reviewer keeps of a conversation (the payload with its hash),
read back by the shops' supervisors, deleted only with an audit entry saying why."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlite_utils

from assistant.commerce.store import insert_audit
from assistant.team.store_rows import FrozenRow as _Row
from assistant.team.store_rows import rows as query_rows


class EvidenceRow(_Row):
    id: int
    shop_id: int
    buyer_nick: str
    conversation: str
    note: str
    created_by: int
    created_by_name: str
    created_at: datetime
    payload: dict[str, Any]
    hash: str
    deleted_by: int | None
    deleted_at: datetime | None


_EVIDENCE = "SELECT e.*, a.name AS created_by_name FROM evidence e JOIN agents a ON a.id = e.created_by"


def _evidence(row: dict[str, Any]) -> EvidenceRow:
    row["payload"] = json.loads(row["payload"])
    return EvidenceRow.model_validate(row)


def insert_evidence(
    db: sqlite_utils.Database,
    *,
    shop_id: int,
    buyer_nick: str,
    conversation: str,
    note: str,
    agent_id: int,
    at: datetime,
    payload_text: str,
    digest: str,
    team_shop_ids: list[int],
    flag: str,
) -> EvidenceRow:
    """Freeze the evidence and flag the buyer in every shop of the team where they are known; audited."""
    cursor = db.conn.execute(
        """INSERT INTO evidence (shop_id, buyer_nick, conversation, note, created_by, created_at, payload, hash)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        (shop_id, buyer_nick, conversation, note, agent_id, at.isoformat(), payload_text, digest),
    )
    evidence_id = int(cursor.lastrowid or 0)
    marks = ",".join("?" * len(team_shop_ids)) or "NULL"
    for buyer_id, buyer_shop, old_flag, old_note in db.conn.execute(
        f"SELECT id, shop_id, risk_flag, risk_note FROM buyers WHERE nick = ? AND shop_id IN ({marks})",
        (buyer_nick, *team_shop_ids),
    ).fetchall():
        note_text = f"证据 #{evidence_id}：{note}"
        db.conn.execute(
            """UPDATE buyers SET risk_flag = coalesce(risk_flag, ?), risk_note = ?, risk_flagged_by = ?,
                   risk_flagged_at = ?, version = version + 1 WHERE id = ?""",
            (flag, note_text, agent_id, at.isoformat(), buyer_id),
        )
        insert_audit(
            db,
            at=at.isoformat(),
            agent_id=agent_id,
            shop_id=buyer_shop,
            entity="buyer",
            entity_id=str(buyer_id),
            action="risk_set",
            reason=f"evidence {evidence_id}",
            before={"risk_flag": old_flag, "risk_note": old_note},
            after={"risk_flag": old_flag or flag, "risk_note": note_text},
        )
    insert_audit(
        db,
        at=at.isoformat(),
        agent_id=agent_id,
        shop_id=shop_id,
        entity="evidence",
        entity_id=str(evidence_id),
        action="create",
        reason=note,
        before=None,
        after={"hash": digest},
    )
    found = evidence(db, evidence_id)
    assert found is not None
    return found


def evidence(db: sqlite_utils.Database, evidence_id: int) -> EvidenceRow | None:
    rows = query_rows(db, f"{_EVIDENCE} WHERE e.id = ?", (evidence_id,))
    return _evidence(rows[0]) if rows else None


def evidence_of(db: sqlite_utils.Database, buyer_nick: str, shop_ids: list[int]) -> list[EvidenceRow]:
    marks = ",".join("?" * len(shop_ids)) or "NULL"
    return [
        _evidence(r)
        for r in query_rows(
            db,
            f"{_EVIDENCE} WHERE e.buyer_nick = ? AND e.shop_id IN ({marks}) AND e.deleted_at IS NULL ORDER BY e.id",
            (buyer_nick, *shop_ids),
        )
    ]


def raw_payload(db: sqlite_utils.Database, evidence_id: int) -> str | None:
    row = db.conn.execute("SELECT payload FROM evidence WHERE id = ?", (evidence_id,)).fetchone()
    return str(row[0]) if row else None


def delete_evidence(
    db: sqlite_utils.Database, evidence_id: int, agent_id: int, at: datetime, reason: str
) -> bool:
    cursor = db.conn.execute(
        "UPDATE evidence SET deleted_by = ?, deleted_at = ? WHERE id = ? AND deleted_at IS NULL",
        (agent_id, at.isoformat(), evidence_id),
    )
    if cursor.rowcount:
        shop_id = db.conn.execute("SELECT shop_id FROM evidence WHERE id = ?", (evidence_id,)).fetchone()[0]
        insert_audit(
            db,
            at=at.isoformat(),
            agent_id=agent_id,
            shop_id=shop_id,
            entity="evidence",
            entity_id=str(evidence_id),
            action="delete",
            reason=reason,
            before=None,
            after=None,
        )
    return cursor.rowcount == 1
