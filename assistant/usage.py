"""Usage events are queued in memory and written in batches, off the request path."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable

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
        self._wake = asyncio.Event()
        #: called with each event as it is recorded (cheap, in-memory; e.g. ranking counters)
        self.listeners: list[Callable[[UsageEvent], None]] = []

    def record(self, event: UsageEvent) -> None:
        self._pending.append(event)
        for listener in self.listeners:
            listener(event)

    async def flush(self) -> int:
        """Write what is queued now; returns how many events were written."""
        batch, self._pending = self._pending, []
        if not batch:
            return 0
        try:
            await self.db.write(lambda conn: kb_store.record_usage(conn, batch))
        except Exception:
            log.exception("could not record %d usage events; keeping them for the next flush", len(batch))
            self._pending[:0] = batch
            return 0
        return len(batch)

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
