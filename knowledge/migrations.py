"""Schema of the knowledge base: shops, agents, items and their knowledge, intents,
campaigns, synonyms, revision history and usage events.

Migrations are never edited once landed: add a new numbered function instead.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlite_utils
from sqlite_utils import Migrations

migrations = Migrations("knowledge")


def execute_all(db: sqlite_utils.Database, statements: Iterable[str]) -> None:
    """Run DDL statements one by one (``executescript`` would commit the migration's transaction)."""
    for statement in statements:
        db.execute(statement)


@migrations(name="0001_base")
def m0001_base(db: sqlite_utils.Database) -> None:
    execute_all(
        db,
        [
            """CREATE TABLE shops (
                id INTEGER PRIMARY KEY,
                code TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL,
                platform TEXT NOT NULL DEFAULT 'tmall' CHECK (platform IN ('tmall', 'taobao')),
                timezone TEXT NOT NULL DEFAULT 'Asia/Shanghai',
                created_at TEXT NOT NULL
            )""",
            """CREATE TABLE teams (
                id INTEGER PRIMARY KEY,
                shop_id INTEGER NOT NULL REFERENCES shops(id),
                name TEXT NOT NULL,
                UNIQUE (shop_id, name)
            )""",
            """CREATE TABLE agents (
                id INTEGER PRIMARY KEY,
                login TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL,
                role TEXT NOT NULL CHECK (role IN ('agent', 'editor', 'supervisor')),
                main_shop_id INTEGER NOT NULL REFERENCES shops(id),
                team_id INTEGER REFERENCES teams(id),
                active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
                created_at TEXT NOT NULL
            )""",
            """CREATE TABLE agent_shops (
                agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
                shop_id INTEGER NOT NULL REFERENCES shops(id),
                PRIMARY KEY (agent_id, shop_id)
            )""",
            """CREATE TABLE items (
                id INTEGER PRIMARY KEY,
                shop_id INTEGER NOT NULL REFERENCES shops(id),
                sku TEXT NOT NULL,
                title TEXT NOT NULL,
                category TEXT NOT NULL,
                price_fen INTEGER NOT NULL CHECK (price_fen > 0),
                stock INTEGER NOT NULL CHECK (stock >= 0),
                attributes TEXT NOT NULL DEFAULT '{}',
                on_sale INTEGER NOT NULL DEFAULT 1 CHECK (on_sale IN (0, 1)),
                version INTEGER NOT NULL DEFAULT 1,
                updated_at TEXT NOT NULL,
                UNIQUE (shop_id, sku)
            )""",
            """CREATE TABLE item_knowledge (
                item_id INTEGER PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
                selling_points TEXT NOT NULL DEFAULT '[]',
                size_chart TEXT,
                installation TEXT,
                usage_notes TEXT,
                in_box TEXT NOT NULL DEFAULT '[]',
                version INTEGER NOT NULL DEFAULT 1,
                updated_at TEXT NOT NULL
            )""",
            """CREATE TABLE related_items (
                item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
                related_item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
                note TEXT NOT NULL DEFAULT '',
                position INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (item_id, related_item_id),
                CHECK (item_id != related_item_id)
            )""",
            """CREATE TABLE campaigns (
                id INTEGER PRIMARY KEY,
                shop_id INTEGER NOT NULL REFERENCES shops(id),
                name TEXT NOT NULL,
                starts_at TEXT NOT NULL,
                ends_at TEXT NOT NULL,
                rules TEXT NOT NULL DEFAULT '',
                variables TEXT NOT NULL DEFAULT '{}',
                version INTEGER NOT NULL DEFAULT 1,
                updated_at TEXT NOT NULL,
                CHECK (ends_at > starts_at)
            )""",
            """CREATE TABLE campaign_scripts (
                id INTEGER PRIMARY KEY,
                campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
                kind TEXT NOT NULL
                    CHECK (kind IN ('welcome', 'waiting', 'closing', 'emergency', 'auto_reply')),
                situation TEXT NOT NULL DEFAULT '',
                title TEXT NOT NULL,
                body TEXT NOT NULL,
                position INTEGER NOT NULL DEFAULT 0,
                version INTEGER NOT NULL DEFAULT 1,
                updated_at TEXT NOT NULL
            )""",
            """CREATE TABLE intents (
                id INTEGER PRIMARY KEY,
                shop_id INTEGER NOT NULL REFERENCES shops(id),
                key TEXT NOT NULL,
                name TEXT NOT NULL,
                topic TEXT NOT NULL DEFAULT 'general',
                keywords TEXT NOT NULL DEFAULT '[]',
                item_id INTEGER REFERENCES items(id) ON DELETE CASCADE,
                campaign_id INTEGER REFERENCES campaigns(id) ON DELETE CASCADE,
                enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
                version INTEGER NOT NULL DEFAULT 1,
                updated_at TEXT NOT NULL,
                UNIQUE (shop_id, key)
            )""",
            """CREATE TABLE intent_examples (
                id INTEGER PRIMARY KEY,
                intent_id INTEGER NOT NULL REFERENCES intents(id) ON DELETE CASCADE,
                text TEXT NOT NULL,
                position INTEGER NOT NULL DEFAULT 0
            )""",
            """CREATE TABLE intent_answers (
                id INTEGER PRIMARY KEY,
                intent_id INTEGER NOT NULL REFERENCES intents(id) ON DELETE CASCADE,
                template TEXT NOT NULL,
                position INTEGER NOT NULL DEFAULT 0
            )""",
            """CREATE TABLE synonyms (
                id INTEGER PRIMARY KEY,
                shop_id INTEGER NOT NULL REFERENCES shops(id),
                words TEXT NOT NULL,
                version INTEGER NOT NULL DEFAULT 1,
                updated_at TEXT NOT NULL
            )""",
            """CREATE TABLE revisions (
                id INTEGER PRIMARY KEY,
                entity TEXT NOT NULL,
                entity_id INTEGER NOT NULL,
                version INTEGER NOT NULL,
                action TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete', 'rollback')),
                agent_id INTEGER REFERENCES agents(id),
                at TEXT NOT NULL,
                before TEXT,
                after TEXT
            )""",
            """CREATE TABLE usage_events (
                id INTEGER PRIMARY KEY,
                shop_id INTEGER NOT NULL REFERENCES shops(id),
                agent_id INTEGER NOT NULL REFERENCES agents(id),
                kind TEXT NOT NULL CHECK (kind IN ('quick_reply', 'intent', 'script')),
                ref_id INTEGER NOT NULL,
                conversation TEXT NOT NULL DEFAULT '',
                edited INTEGER NOT NULL DEFAULT 0 CHECK (edited IN (0, 1)),
                at TEXT NOT NULL
            )""",
            "CREATE INDEX idx_items_shop_category ON items (shop_id, category)",
            "CREATE INDEX idx_intent_examples_intent ON intent_examples (intent_id, position)",
            "CREATE INDEX idx_intent_answers_intent ON intent_answers (intent_id, position)",
            "CREATE INDEX idx_intents_item ON intents (item_id)",
            "CREATE INDEX idx_campaign_scripts ON campaign_scripts (campaign_id, kind, position)",
            "CREATE INDEX idx_campaigns_window ON campaigns (shop_id, starts_at, ends_at)",
            "CREATE INDEX idx_revisions_entity ON revisions (entity, entity_id, version)",
            "CREATE INDEX idx_usage_agent ON usage_events (agent_id, kind, ref_id, at)",
            "CREATE INDEX idx_usage_ref ON usage_events (kind, ref_id, at)",
            "CREATE INDEX idx_related_items ON related_items (related_item_id)",
        ],
    )


@migrations(name="0002_unmatched_messages")
def m0002_unmatched_messages(db: sqlite_utils.Database) -> None:
    """Buyer questions the matcher had no confident answer for, kept for editors (one row per
    shop and normalised text, counted)."""
    execute_all(
        db,
        [
            """CREATE TABLE unmatched_messages (
                id INTEGER PRIMARY KEY,
                shop_id INTEGER NOT NULL REFERENCES shops(id),
                normalized TEXT NOT NULL,
                text TEXT NOT NULL,
                count INTEGER NOT NULL DEFAULT 1 CHECK (count >= 1),
                best_intent_id INTEGER REFERENCES intents(id) ON DELETE SET NULL,
                best_score REAL,
                first_at TEXT NOT NULL,
                last_at TEXT NOT NULL,
                UNIQUE (shop_id, normalized)
            )""",
            "CREATE INDEX idx_unmatched_shop_last ON unmatched_messages (shop_id, last_at)",
        ],
    )


@migrations(name="0003_example_pinyin")
def m0003_example_pinyin(db: sqlite_utils.Database) -> None:
    """Pinyin of each example and intent name, computed when it is saved so that the matcher's
    start-up does not call pypinyin for every example (``knowledge.index.stored_pinyin``: the
    prepared text and one syllable per character).  Existing rows are filled in here, once."""
    from knowledge.index import stored_pinyin

    execute_all(
        db,
        [
            "ALTER TABLE intent_examples ADD COLUMN pinyin TEXT",
            "ALTER TABLE intents ADD COLUMN name_pinyin TEXT",
        ],
    )
    examples = db.execute("SELECT id, text FROM intent_examples").fetchall()
    db.conn.executemany(
        "UPDATE intent_examples SET pinyin = ? WHERE id = ?", [(stored_pinyin(t), i) for i, t in examples]
    )
    names = db.execute("SELECT id, name FROM intents").fetchall()
    db.conn.executemany(
        "UPDATE intents SET name_pinyin = ? WHERE id = ?", [(stored_pinyin(n), i) for i, n in names]
    )


@migrations(name="0004_example_embeddings")
def m0004_example_embeddings(db: sqlite_utils.Database) -> None:
    """Sentence embeddings of the examples (``knowledge.semantic``), computed when an intent is
    saved so that start-up reads them instead of encoding the whole base. Keyed by a hash of the
    example's text (``knowledge.encoder.text_key``): a save that rewrites an intent's examples
    keeps the rows of the texts it did not change, and two intents sharing a phrasing share a
    row. ``model`` names the encoder that made the row (another model's rows are not read).

    Existing examples are not encoded here: the encoder may be off or missing, and loading it would
    slow the migration. The service fills them in the background after start-up."""
    execute_all(
        db,
        [
            """CREATE TABLE example_embeddings (
                key TEXT PRIMARY KEY,
                model TEXT NOT NULL,
                vector BLOB NOT NULL
            )""",
        ],
    )
