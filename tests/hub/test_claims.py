"""Claims on the hub: one owner per resource, whatever the concurrency, and released claims stay history."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from assistant.hub import claims, feed

pytestmark = pytest.mark.postgres


async def test_one_owner_among_concurrent_claimers(pool: asyncpg.Pool) -> None:
    answers = await asyncio.gather(*(claims.claim(pool, "conv", "c1", f"agent{i}") for i in range(20)))
    assert len(set(answers)) == 1 and answers.count(answers[0]) == 20  # everyone was told the same owner
    winner = answers[0]
    assert await claims.holder(pool, "conv", "c1") == winner
    assert not await claims.release(pool, "conv", "c1", "somebody-else")
    assert await claims.release(pool, "conv", "c1", winner)
    assert await claims.holder(pool, "conv", "c1") is None
    assert await claims.claim(pool, "conv", "c1", "agent-late") == "agent-late"
    assert await claims.claim(pool, "other-kind", "c1", "x") == "x"  # kinds are separate
    rows = await pool.fetch(
        "SELECT owner, released_at IS NULL AS live FROM claims WHERE resource = 'c1' ORDER BY id"
    )
    assert [(r["owner"], r["live"]) for r in rows] == [(winner, False), ("agent-late", True), ("x", True)]
    assert [c.op for c in await feed.read_after(pool, 0) if c.entity == "claim"] == [
        "upsert",
        "delete",
        "upsert",
        "upsert",
    ]
    with pytest.raises(asyncpg.UniqueViolationError):  # the index itself refuses a second live owner
        await pool.execute("INSERT INTO claims (kind, resource, owner) VALUES ('conv', 'c1', 'forced')")
