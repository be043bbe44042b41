"""SQL of the approvals (a price cut past an agent's cap waits for a supervisor) and of the
idempotency keys (the first answer to a key, kept so a retried request is not applied twice)."""

from __future__ import annotations

from typing import Any

import sqlite_utils
from pydantic import BaseModel, ConfigDict

from assistant.commerce.store_rows import one as _one
from assistant.commerce.store_rows import rows as _rows


class ApprovalRow(BaseModel):
    """A price cut waiting for (or decided by) a supervisor, with both agents' names; times as stored."""

    model_config = ConfigDict(frozen=True)

    id: int
    shop_id: int
    order_id: str
    kind: str
    requested_by: int
    requested_by_name: str
    requested_at: str
    order_version: int
    original_price_fen: int
    from_price_fen: int
    to_price_fen: int
    reason: str
    status: str
    decided_by: int | None
    decided_by_name: str
    decided_at: str | None
    decision_note: str
    audit_id: int | None


_APPROVAL_SELECT = """SELECT p.*, coalesce(r.name, '') AS requested_by_name, coalesce(d.name, '') AS decided_by_name
    FROM pending_approvals p LEFT JOIN agents r ON r.id = p.requested_by LEFT JOIN agents d ON d.id = p.decided_by"""


def insert_approval(db: sqlite_utils.Database, values: dict[str, Any]) -> int:
    names = ", ".join(values)
    cursor = db.conn.execute(
        f"INSERT INTO pending_approvals ({names}) VALUES ({', '.join('?' for _ in values)})",
        list(values.values()),
    )
    return int(cursor.lastrowid or 0)


def approval(db: sqlite_utils.Database, approval_id: int) -> ApprovalRow | None:
    row = _one(db, f"{_APPROVAL_SELECT} WHERE p.id = ?", (approval_id,))
    return ApprovalRow.model_validate(row) if row else None


def approvals(
    db: sqlite_utils.Database,
    *,
    shop_ids: list[int],
    requested_by: int | None = None,
    order_id: str | None = None,
    status: str | None = None,
    limit: int = 50,
) -> list[ApprovalRow]:
    sql = [f"{_APPROVAL_SELECT} WHERE p.shop_id IN ({', '.join('?' for _ in shop_ids)})"]
    params: list[Any] = list(shop_ids)
    for column, value in (("p.requested_by", requested_by), ("p.order_id", order_id), ("p.status", status)):
        if value is not None:
            sql.append(f"AND {column} = ?")
            params.append(value)
    sql.append("ORDER BY p.id DESC LIMIT ?")
    params.append(limit)
    return [ApprovalRow.model_validate(r) for r in _rows(db, " ".join(sql), params)]


def decide_approval(
    db: sqlite_utils.Database,
    approval_id: int,
    status: str,
    agent_id: int,
    at: str,
    note: str,
    audit_id: int | None,
) -> bool:
    cursor = db.conn.execute(
        "UPDATE pending_approvals SET status = ?, decided_by = ?, decided_at = ?, decision_note = ?, audit_id = ?"
        " WHERE id = ? AND status = 'pending'",
        (status, agent_id, at, note, audit_id, approval_id),
    )
    return cursor.rowcount == 1


# ---- idempotency keys --------------------------------------------------------------------------


class StoredResponse(BaseModel):
    """The first answer given to an idempotency key: the hash of its request, its status, its JSON."""

    model_config = ConfigDict(frozen=True)

    request_hash: str
    status: int
    response: str


def idempotent_response(db: sqlite_utils.Database, agent_id: int, key: str) -> StoredResponse | None:
    row = _one(
        db,
        "SELECT request_hash, status, response FROM idempotency_keys WHERE agent_id = ? AND key = ?",
        (agent_id, key),
    )
    return StoredResponse.model_validate(row) if row else None


def remember_response(
    db: sqlite_utils.Database, agent_id: int, key: str, request_hash: str, status: int, response: str, at: str
) -> None:
    db.conn.execute(
        "INSERT INTO idempotency_keys (agent_id, key, request_hash, status, response, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (agent_id, key, request_hash, status, response, at),
    )


def purge_idempotency_keys(db: sqlite_utils.Database, before: str) -> int:
    """Forget keys stored before ``before`` (ISO time, same clock as ``created_at``); returns how many."""
    return db.conn.execute("DELETE FROM idempotency_keys WHERE created_at < ?", (before,)).rowcount
