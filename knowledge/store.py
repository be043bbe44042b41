"""SQL for the knowledge base: shops, agents, items, intents, campaigns, synonyms, revisions, usage."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlite_utils

from knowledge.models import (
    Agent,
    Campaign,
    Intent,
    Item,
    ItemKnowledge,
    RelatedItem,
    Revision,
    RevisionAction,
    Shop,
    SynonymGroup,
    UsageEvent,
)


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


def insert_shop(
    db: sqlite_utils.Database, code: str, name: str, platform: str = "tmall", at: str | None = None
) -> int:
    cursor = db.execute(
        "INSERT INTO shops (code, name, platform, created_at) VALUES (?, ?, ?, ?)",
        [code, name, platform, at or now()],
    )
    return int(cursor.lastrowid or 0)


def insert_team(db: sqlite_utils.Database, shop_id: int, name: str) -> int:
    cursor = db.execute("INSERT INTO teams (shop_id, name) VALUES (?, ?)", [shop_id, name])
    return int(cursor.lastrowid or 0)


def insert_agent(
    db: sqlite_utils.Database, login: str, name: str, role: str, main_shop_id: int,
    team_id: int | None = None, shop_ids: list[int] | None = None, at: str | None = None,
) -> int:
    cursor = db.execute(
        "INSERT INTO agents (login, name, role, main_shop_id, team_id, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        [login, name, role, main_shop_id, team_id, at or now()],
    )
    agent_id = int(cursor.lastrowid or 0)
    for shop_id in shop_ids or [main_shop_id]:
        db.execute("INSERT INTO agent_shops (agent_id, shop_id) VALUES (?, ?)", [agent_id, shop_id])
    return agent_id


def record_revision(
    db: sqlite_utils.Database, entity: str, entity_id: int, version: int, action: RevisionAction,
    agent_id: int | None, before: dict[str, Any] | None, after: dict[str, Any] | None,
    at: str | None = None,
) -> int:
    """Keep one saved state of a knowledge row; call it in the same transaction as the change."""
    cursor = db.execute(
        "INSERT INTO revisions (entity, entity_id, version, action, agent_id, at, before, after)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [entity, entity_id, version, action.value, agent_id, at or now(),
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


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def insert_item(db: sqlite_utils.Database, item: Item, knowledge: ItemKnowledge | None, at: str | None = None) -> int:
    """Save an item (its id is assigned by the database) and its product knowledge."""
    stamp = at or now()
    cursor = db.execute(
        "INSERT INTO items (shop_id, sku, title, category, price_fen, stock, attributes, on_sale, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [item.shop_id, item.sku, item.title, item.category, item.price_fen, item.stock,
         _json(item.attributes), int(item.on_sale), stamp],
    )
    item_id = int(cursor.lastrowid or 0)
    if knowledge is not None:
        db.execute(
            "INSERT INTO item_knowledge (item_id, selling_points, size_chart, installation, usage_notes, in_box,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [item_id, _json(knowledge.selling_points), knowledge.size_chart, knowledge.installation,
             knowledge.usage_notes, _json(knowledge.in_box), stamp],
        )
    return item_id


def insert_related(db: sqlite_utils.Database, related: list[RelatedItem]) -> None:
    db.conn.executemany(
        "INSERT OR IGNORE INTO related_items (item_id, related_item_id, note, position) VALUES (?, ?, ?, ?)",
        [(r.item_id, r.related_item_id, r.note, r.position) for r in related],
    )


def intent_snapshot(intent: Intent) -> dict[str, Any]:
    return intent.model_dump(mode="json", exclude={"id", "version"})


def insert_intent(db: sqlite_utils.Database, intent: Intent, agent_id: int | None, at: str | None = None) -> int:
    """Save an intent with its examples and answers, and its first revision."""
    stamp = at or now()
    cursor = db.execute(
        "INSERT INTO intents (shop_id, key, name, topic, keywords, item_id, campaign_id, enabled, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [intent.shop_id, intent.key, intent.name, intent.topic.value, _json(intent.keywords), intent.item_id,
         intent.campaign_id, int(intent.enabled), stamp],
    )
    intent_id = int(cursor.lastrowid or 0)
    db.conn.executemany(
        "INSERT INTO intent_examples (intent_id, text, position) VALUES (?, ?, ?)",
        [(intent_id, text, i) for i, text in enumerate(intent.examples)],
    )
    db.conn.executemany(
        "INSERT INTO intent_answers (intent_id, template, position) VALUES (?, ?, ?)",
        [(intent_id, text, i) for i, text in enumerate(intent.answers)],
    )
    record_revision(db, "intent", intent_id, 1, RevisionAction.CREATE, agent_id, None,
                    intent_snapshot(intent), at=stamp)
    return intent_id


def insert_campaign(db: sqlite_utils.Database, campaign: Campaign, agent_id: int | None, at: str | None = None) -> int:
    """Save a campaign and its scripts, and the campaign's first revision."""
    stamp = at or now()
    cursor = db.execute(
        "INSERT INTO campaigns (shop_id, name, starts_at, ends_at, rules, variables, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [campaign.shop_id, campaign.name, campaign.starts_at.isoformat(), campaign.ends_at.isoformat(),
         campaign.rules, _json(campaign.variables), stamp],
    )
    campaign_id = int(cursor.lastrowid or 0)
    db.conn.executemany(
        "INSERT INTO campaign_scripts (campaign_id, kind, situation, title, body, position, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(campaign_id, s.kind.value, s.situation, s.title, s.body, s.position, stamp) for s in campaign.scripts],
    )
    record_revision(db, "campaign", campaign_id, 1, RevisionAction.CREATE, agent_id, None,
                    campaign.model_dump(mode="json", exclude={"id", "version"}), at=stamp)
    return campaign_id


def insert_synonyms(db: sqlite_utils.Database, group: SynonymGroup, agent_id: int | None, at: str | None = None) -> int:
    stamp = at or now()
    cursor = db.execute(
        "INSERT INTO synonyms (shop_id, words, updated_at) VALUES (?, ?, ?)",
        [group.shop_id, _json(group.words), stamp],
    )
    group_id = int(cursor.lastrowid or 0)
    record_revision(db, "synonyms", group_id, 1, RevisionAction.CREATE, agent_id, None,
                    {"shop_id": group.shop_id, "words": group.words}, at=stamp)
    return group_id
