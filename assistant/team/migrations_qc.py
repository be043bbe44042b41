"""Team schema steps of quality control: samples, reviews, disputes, findings (registered in order by ``assistant/team/migrations.py``)."""

from __future__ import annotations

import sqlite_utils

from knowledge.migrations import execute_all


def m0004_quality_control(db: sqlite_utils.Database) -> None:
    execute_all(
        db,
        [
            """CREATE TABLE qc_reviews (
                id INTEGER PRIMARY KEY,
                day TEXT NOT NULL,
                reviewer_id INTEGER NOT NULL REFERENCES agents(id),
                shop_id INTEGER NOT NULL REFERENCES shops(id),
                conversation TEXT NOT NULL,
                agent_id INTEGER NOT NULL REFERENCES agents(id),
                reason TEXT NOT NULL DEFAULT '',
                marks TEXT NOT NULL,
                score REAL NOT NULL,
                zeroed_by TEXT NOT NULL DEFAULT '',
                calibration INTEGER NOT NULL DEFAULT 0 CHECK (calibration IN (0, 1)),
                comment TEXT NOT NULL DEFAULT '',
                created_at TEXT NOT NULL,
                UNIQUE (reviewer_id, shop_id, conversation, day)
            )""",
            "CREATE INDEX idx_qc_reviews_agent ON qc_reviews (agent_id, created_at)",
            """CREATE TABLE qc_disputes (
                id INTEGER PRIMARY KEY,
                review_id INTEGER NOT NULL UNIQUE REFERENCES qc_reviews(id),
                agent_id INTEGER NOT NULL REFERENCES agents(id),
                reason TEXT NOT NULL,
                at TEXT NOT NULL,
                decided_by INTEGER REFERENCES agents(id),
                decision TEXT CHECK (decision IN ('upheld', 'revised')),
                new_score REAL,
                decided_at TEXT
            )""",
            # evidence is never edited: the frozen payload and its hash cannot change, only the deletion mark
            """CREATE TABLE evidence (
                id INTEGER PRIMARY KEY,
                shop_id INTEGER NOT NULL REFERENCES shops(id),
                buyer_nick TEXT NOT NULL,
                conversation TEXT NOT NULL,
                note TEXT NOT NULL,
                created_by INTEGER NOT NULL REFERENCES agents(id),
                created_at TEXT NOT NULL,
                payload TEXT NOT NULL,
                hash TEXT NOT NULL,
                deleted_by INTEGER REFERENCES agents(id),
                deleted_at TEXT
            )""",
            """CREATE TRIGGER evidence_frozen BEFORE UPDATE OF shop_id, buyer_nick, conversation, note, created_by,
                created_at, payload, hash ON evidence
                BEGIN SELECT RAISE(ABORT, 'evidence is never edited'); END""",
            "CREATE TRIGGER evidence_kept BEFORE DELETE ON evidence BEGIN SELECT RAISE(ABORT, 'evidence is kept'); END",
            "CREATE INDEX idx_evidence_buyer ON evidence (buyer_nick, created_at)",
        ],
    )


def m0009_qc_findings(db: sqlite_utils.Database) -> None:
    execute_all(
        db,
        [
            # a finding opens a fix on one quick reply or intent, or a training card for the trainer
            """CREATE TABLE qc_findings (
                id INTEGER PRIMARY KEY,
                shop_id INTEGER NOT NULL REFERENCES shops(id),
                review_id INTEGER REFERENCES qc_reviews(id),
                conversation TEXT NOT NULL DEFAULT '',
                agent_id INTEGER REFERENCES agents(id),
                kind TEXT NOT NULL CHECK (kind IN ('fix', 'training')),
                target_kind TEXT CHECK (target_kind IN ('quick_reply', 'intent')),
                target_id INTEGER,
                target_name TEXT NOT NULL DEFAULT '',
                note TEXT NOT NULL,
                created_by INTEGER NOT NULL REFERENCES agents(id),
                created_at TEXT NOT NULL,
                closed_by INTEGER REFERENCES agents(id),
                closed_at TEXT,
                outcome TEXT NOT NULL DEFAULT '',
                CHECK ((kind = 'fix') = (target_kind IS NOT NULL AND target_id IS NOT NULL))
            )""",
            "CREATE INDEX idx_qc_findings_target ON qc_findings (target_kind, target_id, closed_at)",
            "CREATE INDEX idx_qc_findings_shop ON qc_findings (shop_id, closed_at)",
            # 丢单 / 优秀: one tag of each kind per conversation, for the weekly meeting's pack
            """CREATE TABLE qc_tags (
                id INTEGER PRIMARY KEY,
                shop_id INTEGER NOT NULL REFERENCES shops(id),
                conversation TEXT NOT NULL,
                day TEXT NOT NULL,
                tag TEXT NOT NULL CHECK (tag IN ('lost_order', 'excellent')),
                agent_id INTEGER REFERENCES agents(id),
                buyer_nick TEXT NOT NULL DEFAULT '',
                note TEXT NOT NULL DEFAULT '',
                created_by INTEGER NOT NULL REFERENCES agents(id),
                created_at TEXT NOT NULL,
                UNIQUE (shop_id, conversation, tag)
            )""",
            "CREATE INDEX idx_qc_tags_day ON qc_tags (day, shop_id)",
            # the team's scorecard and forbidden-word list, when edited (defaults in team/qc.py otherwise)
            """CREATE TABLE qc_config (
                key TEXT PRIMARY KEY CHECK (key IN ('scorecard', 'forbidden_words')),
                value TEXT NOT NULL,
                updated_by INTEGER NOT NULL REFERENCES agents(id),
                updated_at TEXT NOT NULL
            )""",
        ],
    )
