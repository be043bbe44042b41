"""Team schema steps of the supervisor's KPI: month closes, daily aggregates, settings and evaluations (registered in order by ``assistant/team/migrations.py``)."""

from __future__ import annotations

import sqlite_utils

from knowledge.migrations import execute_all


def m0002_kpi_closes(db: sqlite_utils.Database) -> None:
    execute_all(
        db,
        [
            # a closed month's figures, frozen: a later recomputation is shown beside them, never over them
            """CREATE TABLE kpi_closes (
                id INTEGER PRIMARY KEY,
                period TEXT NOT NULL,
                shop_id INTEGER REFERENCES shops(id),
                closed_by INTEGER NOT NULL REFERENCES agents(id),
                closed_at TEXT NOT NULL,
                report TEXT NOT NULL
            )""",
            "CREATE UNIQUE INDEX kpi_closes_once ON kpi_closes (period, coalesce(shop_id, 0))",
            """CREATE TRIGGER kpi_closes_no_update BEFORE UPDATE ON kpi_closes
                BEGIN SELECT RAISE(ABORT, 'a closed month is never changed'); END""",
        ],
    )


def m0006_kpi_daily(db: sqlite_utils.Database) -> None:
    execute_all(
        db,
        [
            # each agent's figures per shop and day, precomputed so a month's report is a sum
            """CREATE TABLE kpi_daily (
                day TEXT NOT NULL,
                shop_id INTEGER NOT NULL REFERENCES shops(id),
                agent_id INTEGER NOT NULL REFERENCES agents(id),
                figures TEXT NOT NULL,
                PRIMARY KEY (day, shop_id, agent_id)
            )""",
            # the days that were computed (a day with no figures is computed too)
            """CREATE TABLE kpi_days (
                day TEXT NOT NULL,
                shop_id INTEGER NOT NULL REFERENCES shops(id),
                computed_at TEXT NOT NULL,
                PRIMARY KEY (day, shop_id)
            )""",
        ],
    )


def m0008_kpi_settings(db: sqlite_utils.Database) -> None:
    execute_all(
        db,
        [
            # the supervisor's KPI settings (weights per role, targets, bonus bands, level criteria): one
            # versioned document; every save is audited with the document before and after
            """CREATE TABLE kpi_settings (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                body TEXT NOT NULL,
                version INTEGER NOT NULL,
                set_by INTEGER NOT NULL REFERENCES agents(id),
                set_at TEXT NOT NULL
            )""",
            # service evaluations (evaluation.invited / evaluation.rated events): one per conversation; the
            # agent is the one who invited, else the one whose client reported the rating
            """CREATE TABLE evaluations (
                shop_id INTEGER NOT NULL REFERENCES shops(id),
                conversation TEXT NOT NULL,
                buyer_nick TEXT NOT NULL,
                agent_id INTEGER NOT NULL REFERENCES agents(id),
                invited_at TEXT,
                rating INTEGER CHECK (rating BETWEEN 1 AND 5),
                rated_at TEXT,
                PRIMARY KEY (shop_id, conversation)
            )""",
            "CREATE INDEX idx_evaluations_invited ON evaluations (shop_id, invited_at)",
            "CREATE INDEX idx_evaluations_rated ON evaluations (shop_id, rated_at)",
        ],
    )
