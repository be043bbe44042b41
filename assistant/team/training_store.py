"""SQL of the trainee quiz: what a round draws from (intents, phrases, campaigns), rounds, questions and
answers, trainees, pass marks."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from assistant.team.store_rows import models, rows
from assistant.team.training_rows import (
    AnsweredQuestion,
    CampaignScript,
    PassMark,
    RoundCount,
    Trainee,
    TrainingCampaign,
    TrainingIntent,
    TrainingPhrase,
    TrainingQuestion,
    TrainingRound,
)

# ---- what a round draws from ---------------------------------------------------------------------------


def intents(db: sqlite_utils.Database, shop_id: int) -> list[TrainingIntent]:
    """The shop's enabled intents with ``examples`` and ``answers`` lists (by position)."""
    found = rows(
        db,
        "SELECT id, name, topic, campaign_id, updated_at FROM intents WHERE shop_id = ? AND enabled = 1 ORDER BY id",
        (shop_id,),
    )
    examples: dict[int, list[str]] = {}
    answers: dict[int, list[str]] = {}
    for r in rows(
        db,
        "SELECT e.intent_id, e.text FROM intent_examples e JOIN intents i ON i.id = e.intent_id"
        " WHERE i.shop_id = ? ORDER BY e.position, e.id",
        (shop_id,),
    ):
        examples.setdefault(r["intent_id"], []).append(r["text"])
    for r in rows(
        db,
        "SELECT a.intent_id, a.template FROM intent_answers a JOIN intents i ON i.id = a.intent_id"
        " WHERE i.shop_id = ? ORDER BY a.position, a.id",
        (shop_id,),
    ):
        answers.setdefault(r["intent_id"], []).append(r["template"])
    return [
        TrainingIntent.model_validate(
            {**r, "examples": examples.get(r["id"], []), "answers": answers.get(r["id"], [])}
        )
        for r in found
    ]


def intent_count(db: sqlite_utils.Database, shop_id: int) -> int:
    return int(
        rows(db, "SELECT count(*) AS n FROM intents WHERE shop_id = ? AND enabled = 1", (shop_id,))[0]["n"]
    )


def phrases(db: sqlite_utils.Database, shop_id: int) -> list[TrainingPhrase]:
    """The shop-wide enabled quick replies (what every trainee can pick)."""
    return models(
        db,
        TrainingPhrase,
        "SELECT id, code, title, body, updated_at FROM quick_replies"
        " WHERE shop_id = ? AND scope = 'shop' AND enabled = 1 ORDER BY id",
        (shop_id,),
    )


def qc_marked(db: sqlite_utils.Database, shop_id: int) -> dict[str, int]:
    """The conversations QC marked for training — tagged 优秀 (excellent) or given a training card — and
    whether each is one to learn from (1: tagged 优秀)."""
    found = db.conn.execute(
        """SELECT conversation, max(excellent) FROM (
               SELECT conversation, 1 AS excellent FROM qc_tags WHERE shop_id = :shop AND tag = 'excellent'
               UNION ALL
               SELECT conversation, 0 FROM qc_findings
                WHERE shop_id = :shop AND kind = 'training' AND conversation != '')
           GROUP BY conversation""",
        {"shop": shop_id},
    ).fetchall()
    return {conversation: int(excellent) for conversation, excellent in found}


def campaigns(db: sqlite_utils.Database, shop_id: int) -> list[TrainingCampaign]:
    found = rows(
        db,
        "SELECT id, name, rules, starts_at, ends_at FROM campaigns WHERE shop_id = ? ORDER BY starts_at",
        (shop_id,),
    )
    scripts: dict[int, list[CampaignScript]] = {}
    for r in models(
        db,
        CampaignScript,
        "SELECT s.id, s.campaign_id, s.kind, s.situation, s.title, s.body FROM campaign_scripts s"
        " JOIN campaigns c ON c.id = s.campaign_id WHERE c.shop_id = ? ORDER BY s.position, s.id",
        (shop_id,),
    ):
        scripts.setdefault(r.campaign_id, []).append(r)
    return [TrainingCampaign.model_validate({**c, "scripts": scripts.get(c["id"], [])}) for c in found]


# ---- rounds and questions -----------------------------------------------------------------------------


def insert_round(
    db: sqlite_utils.Database,
    shop_id: int,
    agent_id: int,
    mode: str,
    topic: str | None,
    seconds: int | None,
    at: str,
) -> int:
    cursor = db.conn.execute(
        "INSERT INTO training_rounds (shop_id, agent_id, mode, topic, seconds_per_question, started_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (shop_id, agent_id, mode, topic, seconds, at),
    )
    return int(cursor.lastrowid or 0)


def insert_question(db: sqlite_utils.Database, round_id: int, position: int, values: dict[str, Any]) -> None:
    db.conn.execute(
        "INSERT INTO training_questions (round_id, position, source, ref_id, intent_id, question, refs, choices,"
        " right_picks) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            round_id,
            position,
            values["source"],
            values["ref_id"],
            values["intent_id"],
            values["question"],
            json.dumps(values["refs"], ensure_ascii=False),
            json.dumps(values["choices"]),
            json.dumps(values["right_picks"]),
        ),
    )


def round_row(db: sqlite_utils.Database, round_id: int) -> TrainingRound | None:
    found = models(db, TrainingRound, "SELECT * FROM training_rounds WHERE id = ?", (round_id,))
    return found[0] if found else None


_QUESTION = """SELECT q.*, r.agent_id, r.shop_id, r.mode, r.started_at AS round_started_at,
                      r.seconds_per_question, r.finished_at AS round_finished_at
                 FROM training_questions q JOIN training_rounds r ON r.id = q.round_id"""


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, **{k: json.loads(row[k]) for k in ("refs", "choices", "right_picks")}}


def questions(db: sqlite_utils.Database, round_id: int) -> list[TrainingQuestion]:
    return [
        TrainingQuestion.model_validate(_decoded(r))
        for r in rows(db, f"{_QUESTION} WHERE q.round_id = ? ORDER BY q.position", (round_id,))
    ]


def question(db: sqlite_utils.Database, question_id: int) -> TrainingQuestion | None:
    found = rows(db, f"{_QUESTION} WHERE q.id = ?", (question_id,))
    return TrainingQuestion.model_validate(_decoded(found[0])) if found else None


def last_answer_at(db: sqlite_utils.Database, round_id: int) -> str | None:
    found = rows(db, "SELECT max(answered_at) AS at FROM training_questions WHERE round_id = ?", (round_id,))
    return found[0]["at"] if found else None


def save_answer(db: sqlite_utils.Database, question_id: int, values: dict[str, Any]) -> bool:
    """Record the answer once (False when the question was answered already)."""
    cursor = db.conn.execute(
        """UPDATE training_questions SET answered_at = ?, answer_text = ?, picked_phrase_id = ?, similarity = ?,
                  late = ?, elapsed_ms = ?, auto_correct = ?
            WHERE id = ? AND answered_at IS NULL""",
        (
            values["answered_at"],
            values["answer_text"],
            values["picked_phrase_id"],
            values["similarity"],
            int(values["late"]),
            values["elapsed_ms"],
            int(values["auto_correct"]),
            question_id,
        ),
    )
    return cursor.rowcount == 1


def override(db: sqlite_utils.Database, question_id: int, correct: bool, by: int, note: str) -> None:
    db.conn.execute(
        "UPDATE training_questions SET override_correct = ?, override_by = ?, override_note = ? WHERE id = ?",
        (int(correct), by, note, question_id),
    )


def finish_round(db: sqlite_utils.Database, round_id: int, at: str) -> None:
    db.conn.execute(
        "UPDATE training_rounds SET finished_at = ? WHERE id = ? AND finished_at IS NULL", (at, round_id)
    )


def last_round_started(db: sqlite_utils.Database, agent_id: int, shop_id: int) -> str | None:
    found = rows(
        db,
        "SELECT max(started_at) AS at FROM training_rounds WHERE agent_id = ? AND shop_id = ?",
        (agent_id, shop_id),
    )
    return found[0]["at"] if found else None


def answers(db: sqlite_utils.Database, shop_id: int, agent_id: int | None = None) -> list[AnsweredQuestion]:
    """Answered questions of the shop (one agent's, or everyone's), newest first, with the final mark."""
    where = "r.shop_id = ? AND q.answered_at IS NOT NULL" + (" AND r.agent_id = ?" if agent_id else "")
    params: tuple[Any, ...] = (shop_id, agent_id) if agent_id else (shop_id,)
    return [
        AnsweredQuestion.model_validate(
            {
                **_decoded(r),
                "correct": bool(
                    r["override_correct"] if r["override_correct"] is not None else r["auto_correct"]
                ),
            }
        )
        for r in rows(db, f"{_QUESTION} WHERE {where} ORDER BY q.answered_at DESC, q.id DESC", params)
    ]


def round_counts(db: sqlite_utils.Database, shop_id: int) -> dict[int, RoundCount]:
    """Per agent of the shop: the rounds started and when the last one started."""
    return {
        int(r["agent_id"]): RoundCount(rounds=int(r["n"]), last_started_at=r["last"])
        for r in rows(
            db,
            "SELECT agent_id, count(*) AS n, max(started_at) AS last FROM training_rounds WHERE shop_id = ?"
            " GROUP BY agent_id",
            (shop_id,),
        )
    }


# ---- trainees and pass marks --------------------------------------------------------------------------


def trainees(db: sqlite_utils.Database, shop_id: int | None = None) -> list[Trainee]:
    if shop_id is None:
        return models(db, Trainee, "SELECT * FROM trainees ORDER BY agent_id")
    return models(db, Trainee, "SELECT * FROM trainees WHERE shop_id = ? ORDER BY agent_id", (shop_id,))


def trainee(db: sqlite_utils.Database, agent_id: int) -> Trainee | None:
    found = models(db, Trainee, "SELECT * FROM trainees WHERE agent_id = ?", (agent_id,))
    return found[0] if found else None


def set_trainee(
    db: sqlite_utils.Database, agent_id: int, shop_id: int, on: bool, by: int | None, at: str
) -> None:
    if on:
        db.conn.execute(
            "INSERT OR IGNORE INTO trainees (agent_id, shop_id, added_by, added_at) VALUES (?, ?, ?, ?)",
            (agent_id, shop_id, by, at),
        )
    else:
        db.conn.execute("DELETE FROM trainees WHERE agent_id = ?", (agent_id,))


def record_pass(db: sqlite_utils.Database, agent_id: int, accuracy: float, coverage: float, at: str) -> bool:
    cursor = db.conn.execute(
        "UPDATE trainees SET passed_at = ?, passed_accuracy = ?, passed_coverage = ?"
        " WHERE agent_id = ? AND passed_at IS NULL",
        (at, accuracy, coverage, agent_id),
    )
    return cursor.rowcount == 1


def unpassed(db: sqlite_utils.Database) -> set[int]:
    return {int(r["agent_id"]) for r in rows(db, "SELECT agent_id FROM trainees WHERE passed_at IS NULL")}


def pass_mark(db: sqlite_utils.Database, shop_id: int) -> PassMark | None:
    found = models(
        db,
        PassMark,
        "SELECT m.*, a.name AS set_by_name FROM training_pass_marks m JOIN agents a ON a.id = m.set_by"
        " WHERE m.shop_id = ?",
        (shop_id,),
    )
    return found[0] if found else None


def set_pass_mark(
    db: sqlite_utils.Database, shop_id: int, accuracy: float, coverage: float, by: int, at: str
) -> None:
    db.conn.execute(
        "INSERT OR REPLACE INTO training_pass_marks (shop_id, accuracy, coverage, set_by, set_at) VALUES (?, ?, ?, ?, ?)",
        (shop_id, accuracy, coverage, by, at),
    )
