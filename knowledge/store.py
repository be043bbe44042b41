"""SQL for the knowledge base: shops, agents, items, intents, campaigns, synonyms, revisions, usage."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlite_utils

from knowledge.index import read_pinyin, stored_pinyin
from knowledge.models import (
    Agent,
    Campaign,
    CampaignScript,
    Intent,
    IntentTopic,
    Item,
    ItemKnowledge,
    RelatedItem,
    Revision,
    RevisionAction,
    Shop,
    SynonymGroup,
    UsageEvent,
)
from knowledge.semantic import Vector, pack, unpack


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


def record_revision(
    db: sqlite_utils.Database,
    entity: str,
    entity_id: int,
    version: int,
    action: RevisionAction,
    agent_id: int | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    at: str | None = None,
) -> int:
    """Keep one saved state of a knowledge row; call it in the same transaction as the change."""
    cursor = db.execute(
        "INSERT INTO revisions (entity, entity_id, version, action, agent_id, at, before, after)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            entity,
            entity_id,
            version,
            action.value,
            agent_id,
            at or now(),
            None if before is None else json.dumps(before, ensure_ascii=False),
            None if after is None else json.dumps(after, ensure_ascii=False),
        ],
    )
    return int(cursor.lastrowid or 0)


def has_revisions(db: sqlite_utils.Database, entity: str, entity_id: int) -> bool:
    """Whether any state of the row was recorded yet."""
    return (
        db.execute(
            "SELECT 1 FROM revisions WHERE entity = ? AND entity_id = ? LIMIT 1", [entity, entity_id]
        ).fetchone()
        is not None
    )


def list_revisions(db: sqlite_utils.Database, entity: str, entity_id: int) -> list[Revision]:
    """Every saved state of one row, newest first."""
    return [
        Revision(
            id=r["id"],
            entity=r["entity"],
            entity_id=r["entity_id"],
            version=r["version"],
            action=r["action"],
            agent_id=r["agent_id"],
            agent_name=r["agent_name"],
            at=r["at"],
            before=None if r["before"] is None else json.loads(r["before"]),
            after=None if r["after"] is None else json.loads(r["after"]),
        )
        for r in db.query(
            "SELECT r.*, a.name AS agent_name FROM revisions r LEFT JOIN agents a ON a.id = r.agent_id"
            " WHERE r.entity = ? AND r.entity_id = ? ORDER BY r.version DESC, r.id DESC",
            [entity, entity_id],
        )
    ]


def record_usage(db: sqlite_utils.Database, events: list[UsageEvent]) -> None:
    """Append usage events in one go (the caller batches them off the hot path)."""
    db.conn.executemany(
        "INSERT INTO usage_events (shop_id, agent_id, kind, ref_id, conversation, edited, at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (e.shop_id, e.agent_id, e.kind.value, e.ref_id, e.conversation, int(e.edited), e.at.isoformat())
            for e in events
        ],
    )


def mark_usage_edited(db: sqlite_utils.Database, event: UsageEvent) -> None:
    """The agent changed the text of this use before sending it."""
    db.conn.execute(
        "UPDATE usage_events SET edited = 1 WHERE agent_id = ? AND conversation = ? AND kind = ? AND ref_id = ?"
        " AND at = ?",
        (event.agent_id, event.conversation, event.kind.value, event.ref_id, event.at.isoformat()),
    )


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def insert_item(
    db: sqlite_utils.Database, item: Item, knowledge: ItemKnowledge | None, at: str | None = None
) -> int:
    """Save an item (its id is assigned by the database) and its product knowledge."""
    stamp = at or now()
    cursor = db.execute(
        "INSERT INTO items (shop_id, sku, title, category, price_fen, stock, attributes, on_sale, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            item.shop_id,
            item.sku,
            item.title,
            item.category,
            item.price_fen,
            item.stock,
            _json(item.attributes),
            int(item.on_sale),
            stamp,
        ],
    )
    item_id = int(cursor.lastrowid or 0)
    if knowledge is not None:
        db.execute(
            "INSERT INTO item_knowledge (item_id, selling_points, size_chart, installation, usage_notes, in_box,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                item_id,
                _json(knowledge.selling_points),
                knowledge.size_chart,
                knowledge.installation,
                knowledge.usage_notes,
                _json(knowledge.in_box),
                stamp,
            ],
        )
    return item_id


def insert_related(db: sqlite_utils.Database, related: list[RelatedItem]) -> None:
    db.conn.executemany(
        "INSERT OR IGNORE INTO related_items (item_id, related_item_id, note, position) VALUES (?, ?, ?, ?)",
        [(r.item_id, r.related_item_id, r.note, r.position) for r in related],
    )


def intent_snapshot(intent: Intent) -> dict[str, Any]:
    return intent.model_dump(mode="json", exclude={"id", "version"})


def insert_intent(
    db: sqlite_utils.Database, intent: Intent, agent_id: int | None, at: str | None = None
) -> int:
    """Save an intent with its examples and answers, and its first revision."""
    stamp = at or now()
    cursor = db.execute(
        "INSERT INTO intents (shop_id, key, name, topic, keywords, item_id, campaign_id, enabled, updated_at,"
        " name_pinyin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            intent.shop_id,
            intent.key,
            intent.name,
            intent.topic.value,
            _json(intent.keywords),
            intent.item_id,
            intent.campaign_id,
            int(intent.enabled),
            stamp,
            stored_pinyin(intent.name),
        ],
    )
    intent_id = int(cursor.lastrowid or 0)
    _insert_examples(db, intent_id, intent.examples)
    db.conn.executemany(
        "INSERT INTO intent_answers (intent_id, template, position) VALUES (?, ?, ?)",
        [(intent_id, text, i) for i, text in enumerate(intent.answers)],
    )
    record_revision(
        db, "intent", intent_id, 1, RevisionAction.CREATE, agent_id, None, intent_snapshot(intent), at=stamp
    )
    return intent_id


def _insert_examples(db: sqlite_utils.Database, intent_id: int, examples: list[str]) -> None:
    """An intent's examples, each with its pinyin (computed here, at save time)."""
    db.conn.executemany(
        "INSERT INTO intent_examples (intent_id, text, position, pinyin) VALUES (?, ?, ?, ?)",
        [(intent_id, text, i, stored_pinyin(text)) for i, text in enumerate(examples)],
    )


def load_pinyin(db: sqlite_utils.Database) -> dict[str, list[str]]:
    """Prepared text -> pinyin syllables of every stored example and intent name (matcher start-up)."""
    found: dict[str, list[str]] = {}
    for (value,) in db.execute(
        "SELECT pinyin FROM intent_examples WHERE pinyin IS NOT NULL"
        " UNION ALL SELECT name_pinyin FROM intents WHERE name_pinyin IS NOT NULL"
    ):
        parsed = read_pinyin(value)
        if parsed is not None:
            found[parsed[0]] = parsed[1]
    return found


def load_embeddings(db: sqlite_utils.Database, model: str) -> dict[str, Vector]:
    """``text_key`` -> embedding of every stored example embedding made by ``model`` (start-up)."""
    found: dict[str, Vector] = {}
    for key, blob in db.execute("SELECT key, vector FROM example_embeddings WHERE model = ?", [model]):
        vector = unpack(blob)
        if vector is not None:
            found[key] = vector
    return found


def save_embeddings(db: sqlite_utils.Database, model: str, vectors: dict[str, Vector]) -> None:
    """Store example embeddings (computed at a save, or by the background backfill)."""
    db.conn.executemany(
        "INSERT INTO example_embeddings (key, model, vector) VALUES (?, ?, ?)"
        " ON CONFLICT (key) DO UPDATE SET model = excluded.model, vector = excluded.vector",
        [(key, model, pack(vector)) for key, vector in vectors.items()],
    )


def prune_embeddings(db: sqlite_utils.Database, keep: set[str]) -> int:
    """Delete the embeddings of texts no example has any more; returns how many went."""
    gone = [k for (k,) in db.execute("SELECT key FROM example_embeddings") if k not in keep]
    db.conn.executemany("DELETE FROM example_embeddings WHERE key = ?", [(k,) for k in gone])
    return len(gone)


def insert_campaign(
    db: sqlite_utils.Database, campaign: Campaign, agent_id: int | None, at: str | None = None
) -> int:
    """Save a campaign and its scripts, and the campaign's first revision."""
    stamp = at or now()
    cursor = db.execute(
        "INSERT INTO campaigns (shop_id, name, starts_at, ends_at, rules, variables, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            campaign.shop_id,
            campaign.name,
            campaign.starts_at.isoformat(),
            campaign.ends_at.isoformat(),
            campaign.rules,
            _json(campaign.variables),
            stamp,
        ],
    )
    campaign_id = int(cursor.lastrowid or 0)
    db.conn.executemany(
        "INSERT INTO campaign_scripts (campaign_id, kind, situation, title, body, position, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (campaign_id, s.kind.value, s.situation, s.title, s.body, s.position, stamp)
            for s in campaign.scripts
        ],
    )
    record_revision(
        db,
        "campaign",
        campaign_id,
        1,
        RevisionAction.CREATE,
        agent_id,
        None,
        campaign.model_dump(mode="json", exclude={"id", "version"}),
        at=stamp,
    )
    return campaign_id


def insert_synonyms(
    db: sqlite_utils.Database, group: SynonymGroup, agent_id: int | None, at: str | None = None
) -> int:
    stamp = at or now()
    cursor = db.execute(
        "INSERT INTO synonyms (shop_id, words, updated_at) VALUES (?, ?, ?)",
        [group.shop_id, _json(group.words), stamp],
    )
    group_id = int(cursor.lastrowid or 0)
    record_revision(
        db,
        "synonyms",
        group_id,
        1,
        RevisionAction.CREATE,
        agent_id,
        None,
        {"shop_id": group.shop_id, "words": group.words},
        at=stamp,
    )
    return group_id


# --------------------------------------------------------------------------- #
# knowledge base: reading and editing intents, campaigns, synonyms, item knowledge
# --------------------------------------------------------------------------- #


def _intent_rows(db: sqlite_utils.Database, where: str, params: list[Any]) -> list[Intent]:
    rows = list(db.query(f"SELECT * FROM intents WHERE {where}", params))
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    marks = ",".join("?" * len(ids))
    examples: dict[int, list[str]] = {}
    answers: dict[int, list[str]] = {}
    for r in db.query(
        f"SELECT intent_id, text FROM intent_examples WHERE intent_id IN ({marks}) ORDER BY position, id", ids
    ):
        examples.setdefault(r["intent_id"], []).append(r["text"])
    for r in db.query(
        f"SELECT intent_id, template FROM intent_answers WHERE intent_id IN ({marks}) ORDER BY position, id",
        ids,
    ):
        answers.setdefault(r["intent_id"], []).append(r["template"])
    return [
        Intent.model_construct(
            id=r["id"],
            shop_id=r["shop_id"],
            key=r["key"],
            name=r["name"],
            topic=IntentTopic(r["topic"]),
            keywords=json.loads(r["keywords"]),
            examples=examples.get(r["id"], []),
            answers=answers.get(r["id"], []),
            item_id=r["item_id"],
            campaign_id=r["campaign_id"],
            enabled=bool(r["enabled"]),
            version=r["version"],
        )
        for r in rows
    ]


def load_intents(db: sqlite_utils.Database) -> list[Intent]:
    """Every intent with its examples and answers (start-up of the matcher)."""
    return _intent_rows(db, "1 ORDER BY id", [])


def get_intent(db: sqlite_utils.Database, intent_id: int) -> Intent | None:
    found = _intent_rows(db, "id = ?", [intent_id])
    return found[0] if found else None


def list_intents(
    db: sqlite_utils.Database,
    shop_id: int,
    *,
    search: str = "",
    topic: str | None = None,
    item_id: int | None = None,
    campaign_id: int | None = None,
    after: int = 0,
    limit: int = 50,
) -> list[Intent]:
    """One page of a shop's intents by id; ``search`` looks in key, name, keywords and examples."""
    where = ["shop_id = ?", "id > ?"]
    params: list[Any] = [shop_id, after]
    if topic:
        where.append("topic = ?")
        params.append(topic)
    if item_id is not None:
        where.append("item_id = ?")
        params.append(item_id)
    if campaign_id is not None:
        where.append("campaign_id = ?")
        params.append(campaign_id)
    if search:
        like = f"%{search}%"
        where.append(
            "(key LIKE ? OR name LIKE ? OR keywords LIKE ? OR id IN "
            "(SELECT intent_id FROM intent_examples WHERE text LIKE ?))"
        )
        params += [like, like, like, like]
    return _intent_rows(db, " AND ".join(where) + " ORDER BY id LIMIT ?", [*params, limit])


def save_intent(db: sqlite_utils.Database, intent: Intent, at: str | None = None) -> None:
    """Write an intent's row (insert with its id if missing), examples and answers."""
    assert intent.id is not None
    db.execute(
        "INSERT INTO intents (id, shop_id, key, name, topic, keywords, item_id, campaign_id, enabled, version,"
        " updated_at, name_pinyin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
        " key = excluded.key, name = excluded.name, topic = excluded.topic, keywords = excluded.keywords,"
        " item_id = excluded.item_id, campaign_id = excluded.campaign_id, enabled = excluded.enabled,"
        " version = excluded.version, updated_at = excluded.updated_at, name_pinyin = excluded.name_pinyin",
        [
            intent.id,
            intent.shop_id,
            intent.key,
            intent.name,
            intent.topic.value,
            _json(intent.keywords),
            intent.item_id,
            intent.campaign_id,
            int(intent.enabled),
            intent.version,
            at or now(),
            stored_pinyin(intent.name),
        ],
    )
    db.execute("DELETE FROM intent_examples WHERE intent_id = ?", [intent.id])
    db.execute("DELETE FROM intent_answers WHERE intent_id = ?", [intent.id])
    _insert_examples(db, intent.id, intent.examples)
    db.conn.executemany(
        "INSERT INTO intent_answers (intent_id, template, position) VALUES (?, ?, ?)",
        [(intent.id, t, i) for i, t in enumerate(intent.answers)],
    )


def delete_row(db: sqlite_utils.Database, table: str, row_id: int) -> None:
    assert table in ("intents", "campaigns", "synonyms")
    db.execute(f"DELETE FROM {table} WHERE id = ?", [row_id])


def intent_key_taken(db: sqlite_utils.Database, shop_id: int, key: str, except_id: int | None) -> str | None:
    row = db.execute(
        "SELECT name FROM intents WHERE shop_id = ? AND key = ? AND id IS NOT ?", [shop_id, key, except_id]
    ).fetchone()
    return None if row is None else str(row[0])


def _campaign_rows(db: sqlite_utils.Database, where: str, params: list[Any]) -> list[Campaign]:
    campaigns = []
    for r in db.query(f"SELECT * FROM campaigns WHERE {where}", params):
        scripts = [
            CampaignScript(
                id=s["id"],
                campaign_id=s["campaign_id"],
                kind=s["kind"],
                situation=s["situation"],
                title=s["title"],
                body=s["body"],
                position=s["position"],
                version=s["version"],
            )
            for s in db.query(
                "SELECT * FROM campaign_scripts WHERE campaign_id = ? ORDER BY position, id", [r["id"]]
            )
        ]
        campaigns.append(
            Campaign(
                id=r["id"],
                shop_id=r["shop_id"],
                name=r["name"],
                starts_at=r["starts_at"],
                ends_at=r["ends_at"],
                rules=r["rules"],
                variables=json.loads(r["variables"]),
                scripts=scripts,
                version=r["version"],
            )
        )
    return campaigns


def load_campaigns(db: sqlite_utils.Database) -> list[Campaign]:
    return _campaign_rows(db, "1 ORDER BY id", [])


def get_campaign(db: sqlite_utils.Database, campaign_id: int) -> Campaign | None:
    found = _campaign_rows(db, "id = ?", [campaign_id])
    return found[0] if found else None


def list_campaigns(
    db: sqlite_utils.Database, shop_id: int, after: int = 0, limit: int = 50
) -> list[Campaign]:
    return _campaign_rows(db, "shop_id = ? AND id > ? ORDER BY id LIMIT ?", [shop_id, after, limit])


def save_campaign(db: sqlite_utils.Database, campaign: Campaign, at: str | None = None) -> Campaign:
    """Write a campaign (insert with its id if missing); scripts keep their ids, new ones get one."""
    assert campaign.id is not None
    stamp = at or now()
    db.execute(
        "INSERT INTO campaigns (id, shop_id, name, starts_at, ends_at, rules, variables, version, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name,"
        " starts_at = excluded.starts_at, ends_at = excluded.ends_at, rules = excluded.rules,"
        " variables = excluded.variables, version = excluded.version, updated_at = excluded.updated_at",
        [
            campaign.id,
            campaign.shop_id,
            campaign.name,
            campaign.starts_at.isoformat(),
            campaign.ends_at.isoformat(),
            campaign.rules,
            _json(campaign.variables),
            campaign.version,
            stamp,
        ],
    )
    keep = [s.id for s in campaign.scripts if s.id is not None]
    db.execute(
        f"DELETE FROM campaign_scripts WHERE campaign_id = ? AND id NOT IN ({','.join('?' * len(keep))})",
        [campaign.id, *keep],
    )
    scripts = []
    for s in campaign.scripts:
        cursor = db.execute(
            "INSERT INTO campaign_scripts (id, campaign_id, kind, situation, title, body, position, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET kind = excluded.kind,"
            " situation = excluded.situation, title = excluded.title, body = excluded.body,"
            " position = excluded.position, version = campaign_scripts.version + 1, updated_at = excluded.updated_at",
            [s.id, campaign.id, s.kind.value, s.situation, s.title, s.body, s.position, stamp],
        )
        scripts.append(
            s.model_copy(update={"id": s.id or int(cursor.lastrowid or 0), "campaign_id": campaign.id})
        )
    return campaign.model_copy(update={"scripts": scripts})


def load_synonyms(db: sqlite_utils.Database) -> list[SynonymGroup]:
    return [
        SynonymGroup(id=r["id"], shop_id=r["shop_id"], words=json.loads(r["words"]), version=r["version"])
        for r in db.query("SELECT * FROM synonyms ORDER BY id")
    ]


def save_synonyms(db: sqlite_utils.Database, group: SynonymGroup, at: str | None = None) -> None:
    db.execute(
        "INSERT INTO synonyms (id, shop_id, words, version, updated_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (id) DO UPDATE SET words = excluded.words, version = excluded.version,"
        " updated_at = excluded.updated_at",
        [group.id, group.shop_id, _json(group.words), group.version, at or now()],
    )


def get_item(db: sqlite_utils.Database, item_id: int) -> tuple[Item, ItemKnowledge | None] | None:
    """An item and its product knowledge (if written); related items: ``knowledge.store_related``."""
    r = db.execute("SELECT * FROM items WHERE id = ?", [item_id]).fetchone()
    if r is None:
        return None
    cols = [d[0] for d in db.execute("SELECT * FROM items LIMIT 0").description]
    row = dict(zip(cols, r, strict=True))
    item = Item(
        id=row["id"],
        shop_id=row["shop_id"],
        sku=row["sku"],
        title=row["title"],
        category=row["category"],
        price_fen=row["price_fen"],
        stock=row["stock"],
        attributes=json.loads(row["attributes"]),
        on_sale=bool(row["on_sale"]),
        version=row["version"],
    )
    k = next(iter(db.query("SELECT * FROM item_knowledge WHERE item_id = ?", [item_id])), None)
    knowledge = (
        None
        if k is None
        else ItemKnowledge(
            item_id=item_id,
            selling_points=json.loads(k["selling_points"]),
            size_chart=k["size_chart"],
            installation=k["installation"],
            usage_notes=k["usage_notes"],
            in_box=json.loads(k["in_box"]),
            version=k["version"],
        )
    )
    return item, knowledge


def save_item_knowledge(db: sqlite_utils.Database, knowledge: ItemKnowledge, at: str | None = None) -> None:
    db.execute(
        "INSERT INTO item_knowledge (item_id, selling_points, size_chart, installation, usage_notes, in_box, version,"
        " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (item_id) DO UPDATE SET"
        " selling_points = excluded.selling_points, size_chart = excluded.size_chart,"
        " installation = excluded.installation, usage_notes = excluded.usage_notes, in_box = excluded.in_box,"
        " version = excluded.version, updated_at = excluded.updated_at",
        [
            knowledge.item_id,
            _json(knowledge.selling_points),
            knowledge.size_chart,
            knowledge.installation,
            knowledge.usage_notes,
            _json(knowledge.in_box),
            knowledge.version,
            at or now(),
        ],
    )


def get_revision(db: sqlite_utils.Database, revision_id: int) -> Revision | None:
    r = next(iter(db.query("SELECT * FROM revisions WHERE id = ?", [revision_id])), None)
    if r is None:
        return None
    return Revision(
        id=r["id"],
        entity=r["entity"],
        entity_id=r["entity_id"],
        version=r["version"],
        action=r["action"],
        agent_id=r["agent_id"],
        at=r["at"],
        before=None if r["before"] is None else json.loads(r["before"]),
        after=None if r["after"] is None else json.loads(r["after"]),
    )


def record_unmatched(
    db: sqlite_utils.Database,
    shop_id: int,
    normalized: str,
    text: str,
    best_intent_id: int | None,
    best_score: float | None,
    at: str | None = None,
) -> None:
    """Keep a question without a confident answer (counted per shop and normalised text)."""
    stamp = at or now()
    db.execute(
        "INSERT INTO unmatched_messages (shop_id, normalized, text, best_intent_id, best_score, first_at, last_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (shop_id, normalized) DO UPDATE SET count = count + 1,"
        " text = excluded.text, best_intent_id = excluded.best_intent_id, best_score = excluded.best_score,"
        " last_at = excluded.last_at",
        [shop_id, normalized, text[:500], best_intent_id, best_score, stamp, stamp],
    )


def list_unmatched(
    db: sqlite_utils.Database, shop_id: int, limit: int = 50, after: int = 0
) -> list[dict[str, Any]]:
    return list(
        db.query(
            "SELECT id, normalized, text, count, best_intent_id, best_score, first_at, last_at FROM unmatched_messages"
            " WHERE shop_id = ? AND id > ? ORDER BY id LIMIT ?",
            [shop_id, after, limit],
        )
    )


def search_items(
    db: sqlite_utils.Database, shop_id: int, search: str = "", hot_only: bool = False, limit: int = 30
) -> list[dict[str, Any]]:
    """A shop's items for the editor's item picker: title or SKU containing ``search``, with how many
    hot-item answers each has, whether it has product knowledge and how many revisions of it are
    kept; items with answers first."""
    where = ["i.shop_id = ?"]
    params: list[Any] = [shop_id]
    if search:
        where.append("(i.title LIKE ? OR i.sku LIKE ?)")
        params += [f"%{search}%", f"%{search}%"]
    having = " HAVING hot_answers > 0" if hot_only else ""
    return list(
        db.query(
            "SELECT i.id, i.sku, i.title, i.category, i.stock, i.on_sale,"
            " (SELECT count(*) FROM intents n WHERE n.item_id = i.id) AS hot_answers,"
            " EXISTS (SELECT 1 FROM item_knowledge k WHERE k.item_id = i.id) AS has_knowledge,"
            " (SELECT count(*) FROM revisions r WHERE r.entity = 'item_knowledge' AND r.entity_id = i.id)"
            " AS knowledge_revisions"
            f" FROM items i WHERE {' AND '.join(where)} GROUP BY i.id{having}"
            " ORDER BY hot_answers DESC, i.id LIMIT ?",
            [*params, limit],
        )
    )


def unmatched_shop(db: sqlite_utils.Database, message_id: int) -> int | None:
    """The shop of one kept unmatched message (None when there is no such message)."""
    row = db.execute("SELECT shop_id FROM unmatched_messages WHERE id = ?", [message_id]).fetchone()
    return None if row is None else int(row[0])


def delete_unmatched(db: sqlite_utils.Database, message_id: int) -> None:
    """Forget an unmatched message (an editor handled it); it comes back if a buyer asks again."""
    db.execute("DELETE FROM unmatched_messages WHERE id = ?", [message_id])
