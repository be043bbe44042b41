"""Team schema steps of the response watch: take-over claims, the emergency switch, the roster (registered in order by ``assistant/team/migrations.py``)."""

from __future__ import annotations

import sqlite_utils

from knowledge.migrations import execute_all


def m0001_response_watch(db: sqlite_utils.Database) -> None:
    execute_all(
        db,
        [
            # "我来接": one open claim per conversation is a fact of the database, not a convention
            """CREATE TABLE watch_claims (
                id INTEGER PRIMARY KEY,
                shop_id INTEGER NOT NULL REFERENCES shops(id),
                conversation TEXT NOT NULL,
                buyer_nick TEXT NOT NULL,
                agent_id INTEGER NOT NULL REFERENCES agents(id),
                from_agent_id INTEGER REFERENCES agents(id),
                claimed_at TEXT NOT NULL,
                released_at TEXT,
                released_why TEXT
            )""",
            """CREATE UNIQUE INDEX watch_claims_one_open ON watch_claims (shop_id, conversation)
                WHERE released_at IS NULL""",
            "CREATE INDEX idx_watch_claims_agent ON watch_claims (agent_id, released_at)",
            # the emergency switch: at most one on per shop; every switch is also in the audit log
            """CREATE TABLE emergencies (
                id INTEGER PRIMARY KEY,
                shop_id INTEGER NOT NULL REFERENCES shops(id),
                reason TEXT NOT NULL,
                auto_reply TEXT NOT NULL,
                script_id INTEGER REFERENCES campaign_scripts(id),
                started_by INTEGER NOT NULL REFERENCES agents(id),
                started_at TEXT NOT NULL,
                ended_by INTEGER REFERENCES agents(id),
                ended_at TEXT
            )""",
            "CREATE UNIQUE INDEX emergencies_one_on ON emergencies (shop_id) WHERE ended_at IS NULL",
        ],
    )


def m0007_roster(db: sqlite_utils.Database) -> None:
    execute_all(
        db,
        [
            # the half-month rotation group of each agent (agents not listed alternate by id)
            """CREATE TABLE roster_groups (
                agent_id INTEGER PRIMARY KEY REFERENCES agents(id),
                rotation TEXT NOT NULL CHECK (rotation IN ('A', 'B')),
                set_by INTEGER NOT NULL REFERENCES agents(id),
                set_at TEXT NOT NULL
            )""",
        ],
    )
