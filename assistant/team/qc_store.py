"""SQL of quality control: reviews, disputes, the agents' QC figures and the team's scorecard.

The evidence locker is ``qc_evidence_store``, findings and 丢单/优秀 tags ``qc_findings_store``;
both are re-exported here for the handlers that read them as ``qs.X``."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime
from typing import Any

import sqlite_utils
from pydantic import BaseModel, ConfigDict

from assistant.commerce.store import insert_audit
from assistant.team import qc

# re-exported below (__all__): the handlers read these as this module's names
from assistant.team.qc_evidence_store import (
    EvidenceRow,
    delete_evidence,
    evidence,
    evidence_of,
    insert_evidence,
    raw_payload,
)
from assistant.team.qc_findings_store import (
    FindingRow,
    TagRow,
    close_finding,
    finding,
    findings,
    insert_finding,
    insert_tag,
    tags,
)
from assistant.team.store_rows import Duplicate
from assistant.team.store_rows import rows as query_rows

__all__ = [
    "DisputeRow",
    "Duplicate",
    "EvidenceRow",
    "FindingRow",
    "QcMetric",
    "ReviewRow",
    "TagRow",
    "agent_metrics",
    "agent_scores",
    "calibration_reviews",
    "close_finding",
    "decide_dispute",
    "delete_evidence",
    "dispute",
    "evidence",
    "evidence_of",
    "finding",
    "findings",
    "insert_dispute",
    "insert_evidence",
    "insert_finding",
    "insert_review",
    "insert_tag",
    "load_config",
    "open_disputes",
    "raw_payload",
    "review",
    "reviews",
    "reviews_of",
    "save_config",
    "tags",
]


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True)


class ReviewRow(_Row):
    id: int
    day: date
    reviewer_id: int
    reviewer_name: str
    shop_id: int
    conversation: str
    agent_id: int
    reason: str
    marks: dict[str, int | None]
    score: float
    zeroed_by: list[str]
    calibration: bool
    comment: str
    created_at: datetime
    dispute_id: int | None = None
    dispute_decision: str | None = None
    dispute_score: float | None = None


class DisputeRow(_Row):
    id: int
    review_id: int
    agent_id: int
    reason: str
    at: datetime
    decided_by: int | None
    decision: str | None
    new_score: float | None
    decided_at: datetime | None


_REVIEW = """SELECT r.*, a.name AS reviewer_name, d.id AS dispute_id, d.decision AS dispute_decision,
    d.new_score AS dispute_score FROM qc_reviews r JOIN agents a ON a.id = r.reviewer_id
    LEFT JOIN qc_disputes d ON d.review_id = r.id"""


def _review(row: dict[str, Any]) -> ReviewRow:
    row["marks"] = json.loads(row["marks"])
    row["zeroed_by"] = [z for z in row["zeroed_by"].split(",") if z]
    return ReviewRow.model_validate(row)


def insert_review(db: sqlite_utils.Database, values: dict[str, Any]) -> ReviewRow:
    try:
        cursor = db.conn.execute(
            """INSERT INTO qc_reviews (day, reviewer_id, shop_id, conversation, agent_id, reason, marks, score,
                   zeroed_by, calibration, comment, created_at)
               VALUES (:day, :reviewer_id, :shop_id, :conversation, :agent_id, :reason, :marks, :score, :zeroed_by,
                   :calibration, :comment, :created_at)""",
            {
                **values,
                "marks": json.dumps(values["marks"], sort_keys=True),
                "zeroed_by": ",".join(values["zeroed_by"]),
            },
        )
    except sqlite3.IntegrityError:
        raise Duplicate from None
    found = review(db, int(cursor.lastrowid or 0))
    assert found is not None
    return found


def review(db: sqlite_utils.Database, review_id: int) -> ReviewRow | None:
    rows = query_rows(db, f"{_REVIEW} WHERE r.id = ?", (review_id,))
    return _review(rows[0]) if rows else None


def reviews(
    db: sqlite_utils.Database,
    *,
    agent_id: int | None = None,
    reviewer_id: int | None = None,
    day: date | None = None,
    calibration: bool | None = None,
    limit: int = 200,
) -> list[ReviewRow]:
    where, params = ["1 = 1"], []
    for column, value in (
        ("r.agent_id", agent_id),
        ("r.reviewer_id", reviewer_id),
        ("r.day", day.isoformat() if day else None),
    ):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    if calibration is not None:
        where.append("r.calibration = ?")
        params.append(int(calibration))
    sql = f"{_REVIEW} WHERE {' AND '.join(where)} ORDER BY r.id DESC LIMIT ?"
    return [_review(r) for r in query_rows(db, sql, (*params, limit))]


def calibration_reviews(db: sqlite_utils.Database, day: date, shop_id: int) -> list[ReviewRow]:
    return [
        _review(r)
        for r in query_rows(
            db,
            f"{_REVIEW} WHERE r.day = ? AND r.shop_id = ? AND r.calibration = 1"
            " ORDER BY r.conversation, r.reviewer_id",
            (day.isoformat(), shop_id),
        )
    ]


def insert_dispute(
    db: sqlite_utils.Database, review_id: int, agent_id: int, reason: str, at: datetime
) -> DisputeRow:
    try:
        cursor = db.conn.execute(
            "INSERT INTO qc_disputes (review_id, agent_id, reason, at) VALUES (?, ?, ?, ?)",
            (review_id, agent_id, reason, at.isoformat()),
        )
    except sqlite3.IntegrityError:
        raise Duplicate from None
    found = dispute(db, int(cursor.lastrowid or 0))
    assert found is not None
    return found


def dispute(db: sqlite_utils.Database, dispute_id: int) -> DisputeRow | None:
    rows = query_rows(db, "SELECT * FROM qc_disputes WHERE id = ?", (dispute_id,))
    return DisputeRow.model_validate(rows[0]) if rows else None


def open_disputes(db: sqlite_utils.Database, shop_ids: list[int]) -> list[DisputeRow]:
    marks = ",".join("?" * len(shop_ids)) or "NULL"
    return [
        DisputeRow.model_validate(r)
        for r in query_rows(
            db,
            f"""SELECT d.* FROM qc_disputes d JOIN qc_reviews r ON r.id = d.review_id
                WHERE d.decision IS NULL AND r.shop_id IN ({marks}) ORDER BY d.id""",
            tuple(shop_ids),
        )
    ]


def decide_dispute(
    db: sqlite_utils.Database,
    dispute_id: int,
    *,
    by: int,
    decision: str,
    new_score: float | None,
    at: datetime,
) -> bool:
    cursor = db.conn.execute(
        "UPDATE qc_disputes SET decided_by = ?, decision = ?, new_score = ?, decided_at = ?"
        " WHERE id = ? AND decision IS NULL",
        (by, decision, new_score, at.isoformat(), dispute_id),
    )
    return cursor.rowcount == 1


def agent_scores(
    db: sqlite_utils.Database, agent_ids: list[int], since: date, until: date
) -> dict[int, float]:
    """The QC score per agent: the mean of their reviews in ``[since, until)`` (calibration left out; a
    revised dispute counts with its new score)."""
    marks = ",".join("?" * len(agent_ids)) or "NULL"
    rows = db.conn.execute(
        f"""SELECT r.agent_id, avg(CASE WHEN d.decision = 'revised' THEN d.new_score ELSE r.score END)
            FROM qc_reviews r LEFT JOIN qc_disputes d ON d.review_id = r.id
            WHERE r.calibration = 0 AND r.agent_id IN ({marks}) AND r.day >= ? AND r.day < ?
            GROUP BY r.agent_id""",
        (*agent_ids, since.isoformat(), until.isoformat()),
    ).fetchall()
    return {int(a): float(s) for a, s in rows}


class QcMetric(_Row):
    """An agent's QC figure for the KPI scorecard: the mean final score and how many reviews it rests on."""

    score: float
    reviews: int
    zeroed: int


def agent_metrics(
    db: sqlite_utils.Database, agent_ids: list[int], since: date, until: date
) -> dict[int, QcMetric]:
    """The seam for the KPI code: per agent, the mean of their reviews in ``[since, until)`` with the
    count behind it and how many a critical item zeroed. Calibration reviews never count (their spread
    is the reviewers', not the agent's); a revised dispute counts with its new score."""
    marks = ",".join("?" * len(agent_ids)) or "NULL"
    rows = db.conn.execute(
        f"""SELECT r.agent_id,
                avg(CASE WHEN d.decision = 'revised' THEN d.new_score ELSE r.score END), count(*),
                sum(CASE WHEN r.zeroed_by != '' AND coalesce(d.decision, '') != 'revised' THEN 1 ELSE 0 END)
            FROM qc_reviews r LEFT JOIN qc_disputes d ON d.review_id = r.id
            WHERE r.calibration = 0 AND r.agent_id IN ({marks}) AND r.day >= ? AND r.day < ?
            GROUP BY r.agent_id""",
        (*agent_ids, since.isoformat(), until.isoformat()),
    ).fetchall()
    return {int(a): QcMetric(score=round(float(s), 2), reviews=int(n), zeroed=int(z)) for a, s, n, z in rows}


# ---- the team's scorecard and word list ---------------------------------------------------------------


def load_config(db: sqlite_utils.Database) -> qc.Config:
    """The edited scorecard and word list, the defaults where nothing was edited."""
    stored = {k: json.loads(v) for k, v in db.conn.execute("SELECT key, value FROM qc_config").fetchall()}
    config = qc.Config()
    if "scorecard" in stored:
        config.categories = tuple(qc.Category(**c) for c in stored["scorecard"])
    if "forbidden_words" in stored:
        config.forbidden_words = tuple(stored["forbidden_words"])
    return config


def save_config(
    db: sqlite_utils.Database, key: str, value: list[Any], *, agent_id: int, at: datetime, before: list[Any]
) -> None:
    """Replace one config entry; audited with the old and the new value."""
    db.conn.execute(
        """INSERT INTO qc_config (key, value, updated_by, updated_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by,
               updated_at = excluded.updated_at""",
        (key, json.dumps(value, ensure_ascii=False), agent_id, at.isoformat()),
    )
    insert_audit(
        db,
        at=at.isoformat(),
        agent_id=agent_id,
        shop_id=None,
        entity="qc_config",
        entity_id=key,
        action="update",
        reason="",
        before={"value": before},
        after={"value": value},
    )


def reviews_of(db: sqlite_utils.Database, shop_id: int, conversation: str) -> list[ReviewRow]:
    """Every review of one conversation (calibration too), oldest first."""
    return [
        _review(r)
        for r in query_rows(
            db, f"{_REVIEW} WHERE r.shop_id = ? AND r.conversation = ? ORDER BY r.id", (shop_id, conversation)
        )
    ]
