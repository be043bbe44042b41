"""SQL of the refund review (退款审核): the requests with their order's facts, the decision and the
supervisor's wrong mark, and the decisions the KPI reads. The requests themselves are written by the
orders' triggers (team:0013) whenever an order's refund status becomes ``requested``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import sqlite_utils
from pydantic import BaseModel, ConfigDict

from assistant.team.refunds import FREQUENT_DAYS, Decision
from assistant.team.store_rows import rows


class State(StrEnum):
    OPEN = "open"
    DECIDED = "decided"
    WRONG = "wrong"


class Request(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    shop_id: int
    order_id: str
    buyer: str
    amount_fen: int
    requested_at: datetime
    outcome: str | None
    reviewer_id: int | None
    reviewer_name: str | None
    decided_at: datetime | None
    note: str
    wrong_reason: str | None
    wrong_by_name: str | None
    wrong_at: datetime | None
    version: int
    order_status: str
    shipped: bool
    delivered: bool
    paid_fen: int
    last_logistics: str | None
    buyer_requests_90d: int
    risk_flag: str | None


_SELECT = f"""SELECT r.id, r.shop_id, r.order_id, b.nick AS buyer, r.amount_fen, r.requested_at, r.outcome,
       r.reviewer_id, ra.name AS reviewer_name, r.decided_at, r.note, r.wrong_reason,
       wa.name AS wrong_by_name, r.wrong_at, r.version, o.status AS order_status,
       o.shipped_at IS NOT NULL AS shipped, o.delivered_at IS NOT NULL AS delivered,
       o.price_fen + o.postage_fen AS paid_fen,
       (SELECT e.status FROM logistics_events e WHERE e.order_id = o.id ORDER BY e.at DESC LIMIT 1)
           AS last_logistics,
       (SELECT count(*) FROM refund_requests r2 JOIN orders o2 ON o2.id = r2.order_id
         WHERE o2.buyer_id = o.buyer_id AND r2.requested_at <= r.requested_at
           AND r2.requested_at > strftime('%Y-%m-%dT%H:%M:%S', r.requested_at, '-{FREQUENT_DAYS} days'))
           AS buyer_requests_90d,
       b.risk_flag
FROM refund_requests r
JOIN orders o ON o.id = r.order_id
JOIN buyers b ON b.id = o.buyer_id
LEFT JOIN agents ra ON ra.id = r.reviewer_id
LEFT JOIN agents wa ON wa.id = r.wrong_by"""

_WHERE = {
    State.OPEN: "r.outcome IS NULL",
    State.DECIDED: "r.outcome IN ('approved', 'rejected')",
    State.WRONG: "r.wrong_reason IS NOT NULL",
}
_ORDER = {State.OPEN: "r.requested_at, r.id", State.DECIDED: "r.decided_at DESC, r.id DESC"}


@dataclass(frozen=True, slots=True)
class Page:
    requests: list[Request]
    total: int


def page(
    db: sqlite_utils.Database,
    shop_id: int,
    state: State,
    limit: int,
    offset: int,
    reviewer_id: int | None = None,
    decided_since: str | None = None,
    decided_until: str | None = None,
) -> Page:
    """One page of the shop's requests in ``state``: open ones oldest first (the longest wait on top),
    decided ones newest first; optionally one reviewer's decisions in ``[since, until)`` (UTC text)."""
    where: list[str] = ["r.shop_id = ?", _WHERE[state]]
    params: list[object] = [shop_id]
    if reviewer_id is not None:
        where.append("r.reviewer_id = ?")
        params.append(reviewer_id)
    if decided_since is not None and decided_until is not None:
        where.append("r.decided_at >= ? AND r.decided_at < ?")
        params.extend([decided_since, decided_until])
    clause = " AND ".join(where)
    total = db.conn.execute(f"SELECT count(*) FROM refund_requests r WHERE {clause}", params).fetchone()[0]
    found = rows(
        db,
        f"{_SELECT} WHERE {clause} ORDER BY {_ORDER.get(state, _ORDER[State.DECIDED])} LIMIT ? OFFSET ?",
        (*params, limit, offset),
    )
    return Page([Request(**r) for r in found], int(total))


def request(db: sqlite_utils.Database, request_id: int) -> Request | None:
    found = rows(db, f"{_SELECT} WHERE r.id = ?", (request_id,))
    return Request(**found[0]) if found else None


def open_counts(db: sqlite_utils.Database, shop_id: int, due_before: str) -> tuple[int, int]:
    """(open requests, those requested before ``due_before``: past the review limit now)."""
    found = db.conn.execute(
        """SELECT count(*), coalesce(sum(requested_at < ?), 0) FROM refund_requests
           WHERE shop_id = ? AND outcome IS NULL""",
        (due_before, shop_id),
    ).fetchone()
    return int(found[0]), int(found[1])


def decide(
    db: sqlite_utils.Database,
    request_id: int,
    outcome: str,
    reviewer_id: int,
    note: str,
    version: int,
    at: str,
) -> bool:
    """Record the decision if the request is still open at ``version``; False when it was not."""
    cursor = db.conn.execute(
        """UPDATE refund_requests SET outcome = ?, reviewer_id = ?, note = ?, decided_at = ?,
                  version = version + 1
           WHERE id = ? AND outcome IS NULL AND version = ?""",
        (outcome, reviewer_id, note, at, request_id, version),
    )
    return cursor.rowcount == 1


def mark_wrong(
    db: sqlite_utils.Database, request_id: int, reason: str | None, by: int, version: int, at: str
) -> bool:
    """Mark a reviewer's decision wrong (``reason``) or take the mark back (None), at ``version``."""
    cursor = db.conn.execute(
        """UPDATE refund_requests SET wrong_reason = ?, wrong_by = ?, wrong_at = ?, version = version + 1
           WHERE id = ? AND outcome IN ('approved', 'rejected') AND version = ?""",
        (reason, by if reason else None, at if reason else None, request_id, version),
    )
    return cursor.rowcount == 1


def decisions(db: sqlite_utils.Database, shop_ids: list[int], since: str, until: str) -> list[Decision]:
    """The reviewers' decisions made in ``[since, until)`` (UTC text) in these shops."""
    marks = ",".join("?" * len(shop_ids)) or "NULL"
    found = db.conn.execute(
        f"""SELECT shop_id, reviewer_id, requested_at, decided_at, wrong_reason IS NOT NULL
            FROM refund_requests
            WHERE shop_id IN ({marks}) AND decided_at >= ? AND decided_at < ? AND reviewer_id IS NOT NULL""",
        (*shop_ids, since, until),
    ).fetchall()
    return [
        Decision(int(s), int(a), datetime.fromisoformat(r), datetime.fromisoformat(d), bool(w))
        for s, a, r, d, w in found
    ]
