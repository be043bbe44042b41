"""Usage events, and other small best-effort records, are queued in memory and written in
batches, off the request path."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable

import sqlite_utils

from knowledge import store as kb_store
from knowledge.database import Database
from knowledge.models import UsageEvent

log = logging.getLogger("kefu.usage")


class UsageRecorder:
    """``record()`` costs a list append; a background task flushes every ``interval`` seconds."""

    def __init__(self, db: Database, interval: float = 1.0) -> None:
        self.db = db
        self.interval = interval
        self._pending: list[UsageEvent] = []
        self._deferred: list[Callable[[sqlite_utils.Database], None]] = []
        self._wake = asyncio.Event()
        #: called with each event as it is recorded (cheap, in-memory; e.g. ranking counters)
        self.listeners: list[Callable[[UsageEvent], None]] = []

    def record(self, event: UsageEvent) -> None:
        self._pending.append(event)
        for listener in self.listeners:
            listener(event)

    def defer(self, write: Callable[[sqlite_utils.Database], None]) -> None:
        """Queue a small best-effort write (e.g. an unmatched question) for the next batch."""
        self._deferred.append(write)

    async def flush(self) -> int:
        """Write what is queued now, in one transaction; returns how many records were written."""
        batch, self._pending = self._pending, []
        writes, self._deferred = self._deferred, []
        if not batch and not writes:
            return 0

        def write_all(conn: sqlite_utils.Database) -> None:
            if batch:
                kb_store.record_usage(conn, batch)
            for write in writes:
                write(conn)

        try:
            await self.db.write(write_all)
        except Exception:
            # Usage events are kept for the next flush; a deferred write that failed is dropped
            # so that one bad record can never block every later batch.
            log.exception("could not write %d usage events and %d records", len(batch), len(writes))
            self._pending[:0] = batch
            return 0
        return len(batch) + len(writes)

    async def run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval)
            self._wake.clear()
            await self.flush()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[UsageRecorder]:
        """Flush in the background while the service runs, and once more on shutdown."""
        task = asyncio.create_task(self.run(), name="usage-flush")
        try:
            yield self
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await self.flush()
