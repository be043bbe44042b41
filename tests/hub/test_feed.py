"""The change feed: appended in the writer's transaction (a rolled-back write leaves nothing), the
NOTIFY doorbell brings a change at once, and the poll finds one whose bell was never rung."""

from __future__ import annotations

import asyncio
import time

import asyncpg
import pytest

from assistant.hub import feed

pytestmark = pytest.mark.postgres


async def _until(predicate: object, seconds: float) -> float:
    started = time.monotonic()
    while not predicate():  # type: ignore[operator]
        if time.monotonic() - started > seconds:
            raise AssertionError("not seen in time")
        await asyncio.sleep(0.005)
    return time.monotonic() - started


async def test_the_doorbell_brings_a_change_without_waiting_for_the_poll(
    pool: asyncpg.Pool, pg_url: str
) -> None:
    follower = feed.Follower(pool, pg_url, poll_seconds=30, cursor=await feed.latest(pool))
    seen: list[feed.Change] = []
    follower.subscribe("thing", seen.append)
    follower.start()
    try:
        await _until(lambda: follower.listening, 5)
        async with pool.acquire() as conn:
            tx = conn.transaction()
            await tx.start()
            await feed.append(conn, "thing", 1, "upsert", 1, {"n": 1})
            await tx.rollback()  # the write failed after appending
            async with conn.transaction():
                await feed.append(conn, "thing", 2, "upsert", 1, {"n": 2})
            async with conn.transaction():
                await feed.append(conn, "other", 3, "delete", 1, None)  # nobody listens for it
            with pytest.raises(RuntimeError, match="outside a transaction"):
                await feed.append(conn, "thing", 4, "upsert", 1, None)
        took = await _until(lambda: len(seen) == 1, 2)
        assert took < 0.5  # the poll is 30 s: only the notification can have brought it
        assert [(c.entity_id, c.data) for c in seen] == [(2, {"n": 2})]
        await _until(lambda: follower.cursor > seen[0].id, 2)  # the unheard entity moves the cursor too
    finally:
        await follower.stop()


async def test_the_poll_finds_a_change_whose_bell_never_rang(pool: asyncpg.Pool, pg_url: str) -> None:
    follower = feed.Follower(pool, "postgresql://nobody@127.0.0.1:1/none", poll_seconds=0.1, cursor=0)
    seen: list[int] = []
    follower.subscribe("thing", lambda change: seen.append(change.entity_id))
    follower.start()
    try:
        await pool.execute("INSERT INTO changes (entity, entity_id, op) VALUES ('thing', 7, 'upsert')")
        await _until(lambda: seen == [7], 3)
        assert not follower.listening  # the listening connection failed; polling carried on
    finally:
        await follower.stop()


async def test_ids_follow_commit_order(pool: asyncpg.Pool) -> None:
    """A writer that appended first but commits last must not get a smaller id than one already read."""
    async with pool.acquire() as slow, pool.acquire() as fast:
        tx = slow.transaction()
        await tx.start()
        await feed.append(slow, "thing", 1, "upsert", 1, None)

        async def second() -> None:
            async with fast.transaction():
                await feed.append(fast, "thing", 2, "upsert", 1, None)

        blocked = asyncio.create_task(second())
        await asyncio.sleep(0.2)
        assert not blocked.done()  # waits on the feed lock until the first writer commits
        await tx.commit()
        await blocked
    ids = [(c.entity_id, c.id) for c in await feed.read_after(pool, 0)]
    assert [e for e, _ in ids] == [1, 2] and ids[0][1] < ids[1][1]
