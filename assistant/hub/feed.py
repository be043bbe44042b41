"""The change feed: every hub write appends a row to ``changes`` in its own transaction and rings
``NOTIFY kefu_changes``. NOTIFY is only a doorbell (it has no replay): each process reads the rows after
its cursor when the bell rings and on a periodic poll, so a missed notification (a dropped listening
connection) costs at most one poll interval, never a change.

Ids are handed out in commit order: ``append`` takes a transaction-level advisory lock held until the
writer commits, so a reader that has seen id N can never later find a smaller id appear (with a bare
sequence, a transaction that started first but committed last would be skipped forever).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import asyncpg

log = logging.getLogger("kefu.hub.feed")

CHANNEL = "kefu_changes"
#: pg_advisory_xact_lock key serialising appends to the feed ("feed")
FEED_LOCK = 0x66656564
BATCH = 1000


@dataclass(frozen=True)
class Change:
    id: int
    entity: str
    entity_id: int
    op: str  # "upsert" | "delete"
    version: int
    data: dict[str, Any] | None


Listener = Callable[[Change], None]


async def append(
    conn: asyncpg.Connection, entity: str, entity_id: int, op: str, version: int, data: dict[str, Any] | None
) -> int:
    """Record one change; call it inside the write's transaction, as its last statement."""
    if not conn.is_in_transaction():
        raise RuntimeError("feed.append outside a transaction: the feed lock would not be held to commit")
    await conn.execute("SELECT pg_advisory_xact_lock($1)", FEED_LOCK)
    change_id: int = await conn.fetchval(
        "INSERT INTO changes (entity, entity_id, op, version, data) VALUES ($1, $2, $3, $4, $5::jsonb)"
        " RETURNING id",
        entity, entity_id, op, version, None if data is None else json.dumps(data, ensure_ascii=False),
    )  # fmt: skip
    await conn.execute("SELECT pg_notify($1, $2)", CHANNEL, str(change_id))  # delivered at commit
    return change_id


async def latest(conn: asyncpg.Connection | asyncpg.Pool) -> int:
    return int(await conn.fetchval("SELECT COALESCE(MAX(id), 0) FROM changes"))


async def read_after(
    conn: asyncpg.Connection | asyncpg.Pool, cursor: int, limit: int = BATCH
) -> list[Change]:
    rows = await conn.fetch(
        "SELECT id, entity, entity_id, op, version, data FROM changes WHERE id > $1 ORDER BY id LIMIT $2",
        cursor, limit,
    )  # fmt: skip
    return [
        Change(r["id"], r["entity"], r["entity_id"], r["op"], r["version"],
               None if r["data"] is None else json.loads(r["data"]))
        for r in rows
    ]  # fmt: skip


class Follower:
    """Reads the feed after its cursor (on the doorbell and every ``poll_seconds``) and hands each change
    to the listeners of its entity, in order. Start it at ``latest()`` before loading state from the
    hub: a change then seen twice is applied twice, which listeners must take (they do: last state wins)."""

    def __init__(self, pool: asyncpg.Pool, url: str, poll_seconds: float, cursor: int) -> None:
        self.pool, self.url, self.poll_seconds, self.cursor = pool, url, poll_seconds, cursor
        self.listeners: dict[str, list[Listener]] = {}
        self._bell = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._listen: asyncpg.Connection | None = None
        #: whether the doorbell connection is up (healthz); the poll works without it
        self.listening = False

    def subscribe(self, entity: str, listener: Listener) -> None:
        self.listeners.setdefault(entity, []).append(listener)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="hub-feed")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._close_listen()

    async def _close_listen(self) -> None:
        self.listening = False
        if self._listen is not None:
            with contextlib.suppress(Exception):
                await self._listen.close(timeout=2)
            self._listen = None

    def _ring(self, *_: object) -> None:
        self._bell.set()

    async def listen(self) -> None:
        if self._listen is not None and not self._listen.is_closed():
            return
        await self._close_listen()
        try:
            self._listen = await asyncpg.connect(self.url, timeout=5)
            await self._listen.add_listener(CHANNEL, self._ring)
            self.listening = True
            self._bell.set()  # read what was missed while the bell was down
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            log.warning("change feed: cannot listen for notifications (%s); polling only", exc)
            await self._close_listen()

    async def catch_up(self) -> int:
        """Apply every change after the cursor; return how many."""
        count = 0
        while True:
            changes = await read_after(self.pool, self.cursor)
            for change in changes:
                for listener in self.listeners.get(change.entity, ()):
                    try:
                        listener(change)
                    except Exception:  # one bad listener must not stop the feed
                        log.exception("change feed listener failed on change %s", change.id)
                self.cursor = change.id
            count += len(changes)
            if len(changes) < BATCH:
                return count

    async def _run(self) -> None:
        while True:
            await self.listen()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._bell.wait(), self.poll_seconds)
            self._bell.clear()
            try:
                await self.catch_up()
            except Exception as exc:  # the database away, a connection lost: the next round retries
                log.warning("change feed: read failed (%s); retrying", exc)
