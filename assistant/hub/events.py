"""Hub mode's event log (``assistant/event_log.py``): sidebar events go into the change feed, so their id
is the feed's, a reconnect replays from the ``changes`` table, and a sidebar on any process gets them.

``publish`` is called from synchronous code (the event hub, watch and QC notices), so it only queues;
one writer task per process appends the queue to the feed in order, several events per transaction.
Delivery to this process's own sidebars comes back through the feed like everyone else's: one order,
the feed's, on every process. An event costs the feed lock like any hub write (docs/architecture.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

import asyncpg

from assistant.event_log import REPLAY_LIMIT, Deliver, Published
from assistant.hub import feed

log = logging.getLogger("kefu.hub.events")

ENTITY = "event"
QUEUE_MAX = 10_000  # events waiting for the hub (it is down): newer ones are dropped, with a warning
BATCH = 200


class HubEventLog:
    def __init__(self, pool: asyncpg.Pool, deliver: Deliver) -> None:
        self.pool, self.deliver = pool, deliver
        self._queue: asyncio.Queue[tuple[frozenset[int], str, dict[str, Any]]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    def publish(self, agent_ids: frozenset[int], event: str, data: dict[str, Any]) -> None:
        if self._queue.qsize() >= QUEUE_MAX:
            log.warning("sidebar event %s dropped: %d events wait for the hub", event, QUEUE_MAX)
            return
        # what the frame would carry, as plain JSON (sse_frame is lenient with default=str; so is this)
        plain = json.loads(json.dumps(data, ensure_ascii=False, default=str))
        self._queue.put_nowait((agent_ids, event, plain))

    def follow(self, change: feed.Change) -> None:
        """The feed listener: an event row, written by any process, delivered to this one's sidebars."""
        if change.data is not None:
            self.deliver(_published(change.id, change.data))

    async def replay(self, agent_id: int, after: int) -> list[Published] | None:
        async with self.pool.acquire() as conn:
            oldest, newest = await conn.fetchrow(
                "SELECT COALESCE(MIN(id), 1) - 1, COALESCE(MAX(id), 0) FROM changes"
            )
            if not oldest <= after <= newest:  # an id from another database, a SQLite run, or pruned
                return None
            rows = await conn.fetch(
                "SELECT id, data FROM changes WHERE id > $1 AND entity = $2 AND data->'agents' @> $3::jsonb"
                " ORDER BY id LIMIT $4",
                after, ENTITY, json.dumps([agent_id]), REPLAY_LIMIT + 1,
            )  # fmt: skip
        if len(rows) > REPLAY_LIMIT:
            return None
        return [_published(r["id"], json.loads(r["data"])) for r in rows]

    async def flush(self) -> None:
        """Wait until everything published so far is in the hub (tests; shutdown uses ``stop``)."""
        await self._queue.join()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="hub-events")

    async def stop(self, drain_seconds: float = 5.0) -> None:
        """Write what is queued (for a few seconds at most), then stop."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._queue.join(), drain_seconds)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < BATCH and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            while True:
                try:
                    await self._write(batch)
                    break
                except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
                    log.warning("sidebar events: cannot write to the hub (%s); retrying", exc)
                    await asyncio.sleep(1)
            for _ in batch:
                self._queue.task_done()

    async def _write(self, batch: list[tuple[frozenset[int], str, dict[str, Any]]]) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            for agent_ids, event, data in batch:
                await feed.append(conn, ENTITY, 0, "upsert", 0,
                                  {"agents": sorted(agent_ids), "event": event, "data": data})  # fmt: skip


def _published(change_id: int, row: dict[str, Any]) -> Published:
    return Published(change_id, frozenset(row["agents"]), row["event"], row["data"])
