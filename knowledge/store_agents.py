"""SQL for agents and their teams (the shops they serve are rows of ``agent_shops``)."""

from __future__ import annotations

import sqlite_utils

from knowledge.models import Agent
from knowledge.store_common import now


def list_agents(db: sqlite_utils.Database) -> list[Agent]:
    shops: dict[int, list[int]] = {}
    for row in db.query("SELECT agent_id, shop_id FROM agent_shops ORDER BY shop_id"):
        shops.setdefault(row["agent_id"], []).append(row["shop_id"])
    return [
        Agent(
            id=r["id"],
            login=r["login"],
            name=r["name"],
            role=r["role"],
            main_shop_id=r["main_shop_id"],
            team_id=r["team_id"],
            active=bool(r["active"]),
            shop_ids=shops.get(r["id"]) or [r["main_shop_id"]],
        )
        for r in db.query("SELECT * FROM agents ORDER BY id")
    ]


def insert_team(db: sqlite_utils.Database, shop_id: int, name: str) -> int:
    cursor = db.execute("INSERT INTO teams (shop_id, name) VALUES (?, ?)", [shop_id, name])
    return int(cursor.lastrowid or 0)


def insert_agent(
    db: sqlite_utils.Database,
    login: str,
    name: str,
    role: str,
    main_shop_id: int,
    team_id: int | None = None,
    shop_ids: list[int] | None = None,
    at: str | None = None,
) -> int:
    cursor = db.execute(
        "INSERT INTO agents (login, name, role, main_shop_id, team_id, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        [login, name, role, main_shop_id, team_id, at or now()],
    )
    agent_id = int(cursor.lastrowid or 0)
    for shop_id in shop_ids or [main_shop_id]:
        db.execute("INSERT INTO agent_shops (agent_id, shop_id) VALUES (?, ?)", [agent_id, shop_id])
    return agent_id
