"""Schema of the quick-reply library: groups and phrases with their precomputed search keys."""

from __future__ import annotations

import sqlite_utils
from sqlite_utils import Migrations

from knowledge.migrations import execute_all

migrations = Migrations("quick_replies")


@migrations(name="0001_quick_replies")
def m0001_quick_replies(db: sqlite_utils.Database) -> None:
    execute_all(
        db,
        [
            """CREATE TABLE quick_reply_groups (
                id INTEGER PRIMARY KEY,
                shop_id INTEGER NOT NULL REFERENCES shops(id),
                name TEXT NOT NULL,
                position INTEGER NOT NULL DEFAULT 0,
                UNIQUE (shop_id, name)
            )""",
            """CREATE TABLE quick_replies (
                id INTEGER PRIMARY KEY,
                shop_id INTEGER NOT NULL REFERENCES shops(id),
                group_id INTEGER NOT NULL REFERENCES quick_reply_groups(id),
                scope TEXT NOT NULL CHECK (scope IN ('shop', 'team', 'personal')),
                team_id INTEGER REFERENCES teams(id),
                owner_agent_id INTEGER REFERENCES agents(id),
                code TEXT NOT NULL,
                title TEXT NOT NULL,
                body TEXT NOT NULL,
                tags TEXT NOT NULL DEFAULT '[]',
                enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
                valid_from TEXT,
                valid_until TEXT,
                attachment TEXT,
                position INTEGER NOT NULL DEFAULT 0,
                search_keys TEXT NOT NULL DEFAULT '{}',
                version INTEGER NOT NULL DEFAULT 1,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                CHECK ((scope = 'team') = (team_id IS NOT NULL)),
                CHECK ((scope = 'personal') = (owner_agent_id IS NOT NULL)),
                CHECK (valid_until IS NULL OR valid_from IS NULL OR valid_until > valid_from)
            )""",
            # A short code is unique within its scope: the shop, one team, or one agent.
            """CREATE UNIQUE INDEX idx_quick_replies_code ON quick_replies
                (shop_id, scope, IFNULL(team_id, 0), IFNULL(owner_agent_id, 0), code)""",
            "CREATE INDEX idx_quick_replies_group ON quick_replies (group_id, position)",
        ],
    )
