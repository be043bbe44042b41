"""The hub's versioned SQL migrations (``assistant/hub/migrations/NNNN_name.sql``), applied at start by
exactly one process under an advisory lock and recorded in ``hub_migrations``. A database that has a
migration this code does not know is refused: an older service must not write to a newer schema."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

import asyncpg

#: pg_advisory_xact_lock key of the migration run ("kefu" in ASCII)
MIGRATION_LOCK = 0x6B656675
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


class HubTooNew(Exception):
    """The database was migrated by a newer kefu-assistant than this one."""


def known() -> list[Migration]:
    """The migrations shipped with this code, oldest first."""
    found = []
    for entry in resources.files("assistant.hub.migrations").iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    if len({m.version for m in found}) != len(found):
        raise RuntimeError("two hub migrations share a version number")
    return found


async def applied(conn: asyncpg.Connection) -> dict[int, str]:
    exists = await conn.fetchval("SELECT to_regclass('hub_migrations') IS NOT NULL")
    if not exists:
        return {}
    return {r["version"]: r["name"] for r in await conn.fetch("SELECT version, name FROM hub_migrations")}


async def migrate(conn: asyncpg.Connection) -> list[str]:
    """Apply what is missing in one transaction, holding the migration lock; return the names applied.

    Several processes starting together queue on the lock; the first applies, the others then find
    nothing to do. Raises ``HubTooNew`` when the database knows a migration this code does not.
    """
    code = known()
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS hub_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
            " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        done = await applied(conn)
        unknown = sorted(set(done) - {m.version for m in code})
        if unknown:
            newest = max(done)
            raise HubTooNew(
                f"团队中心数据库比这个程序新：数据库已应用迁移 {newest:04d}_{done[newest]}，"
                f"本程序只认识到 {code[-1].version:04d}_{code[-1].name}。请先升级 kefu-assistant 再连接这个数据库。"
                if code
                else "团队中心数据库比这个程序新：请先升级 kefu-assistant"
            )
        names = []
        for migration in code:
            if migration.version in done:
                continue
            await conn.execute(migration.sql)
            await conn.execute(
                "INSERT INTO hub_migrations (version, name) VALUES ($1, $2)",
                migration.version,
                migration.name,
            )
            names.append(f"{migration.version:04d}_{migration.name}")
        return names
