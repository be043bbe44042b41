"""SQL for the matcher's stored pinyin and embedding vectors."""

from __future__ import annotations

import sqlite_utils

from knowledge.index import read_pinyin
from knowledge.semantic import Vector, pack, unpack


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
