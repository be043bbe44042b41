"""SQL for the base tables: shops, agents, revisions and usage events."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlite_utils

from knowledge.models import Agent, Revision, RevisionAction, Shop, UsageEvent


def now() -> str:
    """The current time as ISO 8601 with offset (UTC)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def list_shops(db: sqlite_utils.Database) -> list[Shop]:
    return [
        Shop(id=r["id"], code=r["code"], name=r["name"], platform=r["platform"], timezone=r["timezone"])
        for r in db.query("SELECT * FROM shops ORDER BY id")
    ]


def list_agents(db: sqlite_utils.Database) -> list[Agent]:
    shops: dict[int, list[int]] = {}
    for row in db.query("SELECT agent_id, shop_id FROM agent_shops ORDER BY shop_id"):
        shops.setdefault(row["agent_id"], []).append(row["shop_id"])
    return [
        Agent(
            id=r["id"], login=r["login"], name=r["name"], role=r["role"], main_shop_id=r["main_shop_id"],
            team_id=r["team_id"], active=bool(r["active"]),
            shop_ids=shops.get(r["id"]) or [r["main_shop_id"]],
        )
        for r in db.query("SELECT * FROM agents ORDER BY id")
    ]


def insert_shop(db: sqlite_utils.Database, code: str, name: str, platform: str = "tmall") -> int:
    cursor = db.execute(
        "INSERT INTO shops (code, name, platform, created_at) VALUES (?, ?, ?, ?)",
        [code, name, platform, now()],
    )
    return int(cursor.lastrowid or 0)


def insert_team(db: sqlite_utils.Database, shop_id: int, name: str) -> int:
    cursor = db.execute("INSERT INTO teams (shop_id, name) VALUES (?, ?)", [shop_id, name])
    return int(cursor.lastrowid or 0)


def insert_agent(
    db: sqlite_utils.Database, login: str, name: str, role: str, main_shop_id: int,
    team_id: int | None = None, shop_ids: list[int] | None = None,
) -> int:
    cursor = db.execute(
        "INSERT INTO agents (login, name, role, main_shop_id, team_id, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        [login, name, role, main_shop_id, team_id, now()],
    )
    agent_id = int(cursor.lastrowid or 0)
    for shop_id in shop_ids or [main_shop_id]:
        db.execute("INSERT INTO agent_shops (agent_id, shop_id) VALUES (?, ?)", [agent_id, shop_id])
    return agent_id


def record_revision(
    db: sqlite_utils.Database, entity: str, entity_id: int, version: int, action: RevisionAction,
    agent_id: int | None, before: dict[str, Any] | None, after: dict[str, Any] | None,
) -> int:
    """Keep one saved state of a knowledge row; call it in the same transaction as the change."""
    cursor = db.execute(
        "INSERT INTO revisions (entity, entity_id, version, action, agent_id, at, before, after)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [entity, entity_id, version, action.value, agent_id, now(),
         None if before is None else json.dumps(before, ensure_ascii=False),
         None if after is None else json.dumps(after, ensure_ascii=False)],
    )
    return int(cursor.lastrowid or 0)


def list_revisions(db: sqlite_utils.Database, entity: str, entity_id: int) -> list[Revision]:
    """Every saved state of one row, newest first."""
    return [
        Revision(
            id=r["id"], entity=r["entity"], entity_id=r["entity_id"], version=r["version"],
            action=r["action"], agent_id=r["agent_id"], at=r["at"],
            before=None if r["before"] is None else json.loads(r["before"]),
            after=None if r["after"] is None else json.loads(r["after"]),
        )
        for r in db.query(
            "SELECT * FROM revisions WHERE entity = ? AND entity_id = ? ORDER BY version DESC, id DESC",
            [entity, entity_id],
        )
    ]


def record_usage(db: sqlite_utils.Database, events: list[UsageEvent]) -> None:
    """Append usage events in one go (the caller batches them off the hot path)."""
    db.conn.executemany(
        "INSERT INTO usage_events (shop_id, agent_id, kind, ref_id, conversation, edited, at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(e.shop_id, e.agent_id, e.kind.value, e.ref_id, e.conversation, int(e.edited), e.at.isoformat())
         for e in events],
    )
