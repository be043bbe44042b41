"""Hub migrations: applied once under the advisory lock however many processes start together,
recorded, and a database newer than the code is refused with a clear message (also by ``kefu migrate``)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import asyncpg
import pytest

from assistant.hub import schema

pytestmark = pytest.mark.postgres


async def test_concurrent_starts_apply_each_migration_once(pg_url: str) -> None:
    conns = [await asyncpg.connect(pg_url) for _ in range(4)]
    try:
        results = await asyncio.gather(*(schema.migrate(c) for c in conns))
        names = [f"{m.version:04d}_{m.name}" for m in schema.known()]
        assert sorted(results, key=len) == [[], [], [], names]  # one process applied, three found it done
        recorded = await conns[0].fetch("SELECT version, name FROM hub_migrations ORDER BY version")
        assert [(r["version"], r["name"]) for r in recorded] == [(m.version, m.name) for m in schema.known()]
        assert await conns[0].fetchval("SELECT to_regclass('changes') IS NOT NULL")
        assert await schema.migrate(conns[1]) == []
    finally:
        for conn in conns:
            await conn.close()


async def test_a_newer_database_is_refused(pg_url: str) -> None:
    conn = await asyncpg.connect(pg_url)
    try:
        await schema.migrate(conn)
        await conn.execute("INSERT INTO hub_migrations (version, name) VALUES (9999, 'from_the_future')")
        with pytest.raises(schema.HubTooNew, match=r"9999_from_the_future.*请先升级 kefu-assistant"):
            await schema.migrate(conn)
    finally:
        await conn.close()


def _kefu(pg_url: str, tmp: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KEFU_DATABASE_URL": pg_url}
    return subprocess.run([sys.executable, "-m", "assistant", "migrate", "--data-dir", tmp], env=env,
                          capture_output=True, text=True, timeout=60)  # fmt: skip


@pytest.mark.slow
async def test_kefu_migrate_applies_then_finds_nothing_then_refuses_newer(
    pg_url: str, tmp_path: object
) -> None:
    first = await asyncio.to_thread(_kefu, pg_url, str(tmp_path))
    assert first.returncode == 0, first.stderr
    assert "已应用迁移：0001_hub" in first.stdout
    again = await asyncio.to_thread(_kefu, pg_url, str(tmp_path))
    assert again.returncode == 0 and "已是最新" in again.stdout
    conn = await asyncpg.connect(pg_url)
    try:
        await conn.execute("INSERT INTO hub_migrations (version, name) VALUES (9999, 'from_the_future')")
    finally:
        await conn.close()
    refused = await asyncio.to_thread(_kefu, pg_url, str(tmp_path))
    assert refused.returncode == 1 and "团队中心数据库比这个程序新" in refused.stderr
