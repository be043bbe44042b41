"""SQL of quality control: reviews, disputes and the evidence locker."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime
from typing import Any

import sqlite_utils
from pydantic import BaseModel, ConfigDict

from assistant.commerce.store import insert_audit
from assistant.team import qc
from assistant.team.store import rows as query_rows


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


class Duplicate(Exception):
    pass


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


# ---- evidence ----------------------------------------------------------------------------------------

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


# ---- findings: fixes and training cards -----------------------------------------------------------------


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


def reviews_of(db: sqlite_utils.Database, shop_id: int, conversation: str) -> list[ReviewRow]:
    """Every review of one conversation (calibration too), oldest first."""
    return [
        _review(r)
        for r in query_rows(
            db, f"{_REVIEW} WHERE r.shop_id = ? AND r.conversation = ? ORDER BY r.id", (shop_id, conversation)
        )
    ]
