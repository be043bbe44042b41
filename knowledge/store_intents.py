"""SQL for intents and their example questions."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from knowledge.index import stored_pinyin
from knowledge.models import Intent, IntentTopic, RevisionAction
from knowledge.store_common import now, to_json
from knowledge.store_revisions import record_revision


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
            to_json(intent.keywords),
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
            to_json(intent.keywords),
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


def intent_key_taken(db: sqlite_utils.Database, shop_id: int, key: str, except_id: int | None) -> str | None:
    row = db.execute(
        "SELECT name FROM intents WHERE shop_id = ? AND key = ? AND id IS NOT ?", [shop_id, key, except_id]
    ).fetchone()
    return None if row is None else str(row[0])
