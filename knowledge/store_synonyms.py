"""SQL for synonym groups: inserting, saving, the editor's search and delete (the caller records
the ``delete`` revision in the same transaction)."""

from __future__ import annotations

import json

import sqlite_utils

from knowledge.models import RevisionAction, SynonymGroup
from knowledge.store_common import now, to_json
from knowledge.store_revisions import record_revision


def insert_synonyms(
    db: sqlite_utils.Database, group: SynonymGroup, agent_id: int | None, at: str | None = None
) -> int:
    stamp = at or now()
    cursor = db.execute(
        "INSERT INTO synonyms (shop_id, words, updated_at) VALUES (?, ?, ?)",
        [group.shop_id, to_json(group.words), stamp],
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
        [group.id, group.shop_id, to_json(group.words), group.version, at or now()],
    )


def get_synonyms(db: sqlite_utils.Database, group_id: int) -> SynonymGroup | None:
    row = next(iter(db.query("SELECT * FROM synonyms WHERE id = ?", [group_id])), None)
    if row is None:
        return None
    return SynonymGroup(
        id=row["id"], shop_id=row["shop_id"], words=json.loads(row["words"]), version=row["version"]
    )


def search_synonyms(
    db: sqlite_utils.Database, shop_id: int, *, search: str = "", after: int = 0, limit: int = 200
) -> list[SynonymGroup]:
    """One page of a shop's synonym groups by id; ``search``: a word of the group contains it
    (case-insensitive for Latin letters)."""
    needle = search.strip().lower()
    found: list[SynonymGroup] = []
    for row in db.query("SELECT * FROM synonyms WHERE shop_id = ? AND id > ? ORDER BY id", [shop_id, after]):
        words = json.loads(row["words"])
        if needle and not any(needle in str(w).lower() for w in words):
            continue
        found.append(SynonymGroup(id=row["id"], shop_id=row["shop_id"], words=words, version=row["version"]))
        if len(found) >= limit:
            break
    return found


def delete_synonyms(db: sqlite_utils.Database, group_id: int) -> None:
    """Delete a synonym group (the caller records the revision)."""
    db.execute("DELETE FROM synonyms WHERE id = ?", [group_id])
