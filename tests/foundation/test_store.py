"""The store: migrations, WAL and foreign keys, single-writer transactions."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlite_utils

from assistant.app import MIGRATION_SETS
from knowledge.database import AsyncDatabase, connect

REQUIRED_TABLES = {
    "shops",
    "teams",
    "agents",
    "agent_shops",
    "items",
    "item_knowledge",
    "related_items",
    "campaigns",
    "campaign_scripts",
    "intents",
    "intent_examples",
    "intent_answers",
    "synonyms",
    "revisions",
    "usage_events",
    "quick_reply_groups",
    "quick_replies",
    "buyers",
    "buyer_notes",
    "orders",
    "order_lines",
    "logistics_events",
    "audit_log",
}


def schema(path: Path) -> list[tuple[str, str, str]]:
    db = connect(path)
    try:
        return [
            tuple(r) for r in db.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
        ]
    finally:
        db.close()


def test_migrations_create_every_table_and_apply_twice_without_change(tmp_path: Path) -> None:
    path = tmp_path / "kefu.db"
    first = AsyncDatabase(path)
    applied = first.open(MIGRATION_SETS)
    first.close()
    assert applied and all(":" in name for name in applied)
    before = schema(path)
    assert {name for kind, name, _ in before if kind == "table"} >= REQUIRED_TABLES

    second = AsyncDatabase(path)
    assert second.open(MIGRATION_SETS) == []
    second.close()
    assert schema(path) == before


def test_migration_names_are_numbered_and_sets_are_distinct() -> None:
    names = [m.name for m in MIGRATION_SETS]
    assert names == ["knowledge", "quick_replies", "assistant", "team"]  # lower layers first
    for migrations in MIGRATION_SETS:
        for migration in migrations._migrations:
            assert migration.name[:4].isdigit(), migration.name


def test_wal_and_foreign_keys_are_on(tmp_path: Path) -> None:
    db = AsyncDatabase(tmp_path / "kefu.db")
    db.open(MIGRATION_SETS)
    try:
        assert db.read_sync(lambda conn: conn.journal_mode) == "wal"
        assert db.read_sync(lambda conn: conn.execute("PRAGMA foreign_keys").fetchone()[0]) == 1
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
            db.write_sync(
                lambda conn: conn.execute("INSERT INTO teams (shop_id, name) VALUES (999, 'ghost')")
            )
    finally:
        db.close()


def test_a_failed_write_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    db = AsyncDatabase(tmp_path / "kefu.db")
    db.open(MIGRATION_SETS)

    def half_then_fail(conn: sqlite_utils.Database) -> None:
        conn.execute("INSERT INTO shops (code, name, created_at) VALUES ('a', 'A', 'now')")
        raise RuntimeError("crash in the middle")

    try:
        with pytest.raises(RuntimeError):
            db.write_sync(half_then_fail)
        assert db.read_sync(lambda conn: conn.execute("SELECT count(*) FROM shops").fetchone()[0]) == 0
    finally:
        db.close()


def test_read_connections_cannot_write(tmp_path: Path) -> None:
    db = AsyncDatabase(tmp_path / "kefu.db")
    db.open(MIGRATION_SETS)
    try:
        with pytest.raises(sqlite3.OperationalError, match=r"readonly|query_only|attempt to write"):
            db.read_sync(
                lambda conn: conn.execute(
                    "INSERT INTO shops (code, name, created_at) VALUES ('a', 'A', 'now')"
                )
            )
    finally:
        db.close()


def _execute(sql: str) -> Callable[[sqlite_utils.Database], object]:
    return lambda conn: conn.execute(sql)


def test_the_audit_log_is_append_only(tmp_path: Path) -> None:
    db = AsyncDatabase(tmp_path / "kefu.db")
    db.open(MIGRATION_SETS)
    try:
        db.write_sync(
            lambda conn: conn.execute(
                "INSERT INTO audit_log (at, entity, entity_id, action) VALUES ('t', 'order', '1', 'price')"
            )
        )
        for statement in ("UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                db.write_sync(_execute(statement))
    finally:
        db.close()


async def test_concurrent_writes_are_serialised_and_none_is_lost(tmp_path: Path) -> None:
    db = AsyncDatabase(tmp_path / "kefu.db", readers=2)
    db.open(MIGRATION_SETS)

    def bump(conn: sqlite_utils.Database) -> None:
        # read-modify-write: only safe because writes never interleave
        row = conn.execute("SELECT count(*) FROM shops").fetchone()
        conn.execute("INSERT INTO shops (code, name, created_at) VALUES (?, 'x', 'now')", [f"s{row[0]}"])

    try:
        await asyncio.gather(*(db.write(bump) for _ in range(50)))
        assert await db.read(lambda conn: conn.execute("SELECT count(*) FROM shops").fetchone()[0]) == 50
    finally:
        db.close()
