"""Usage events, and other small best-effort records, are queued in memory and written in
batches, off the request path."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable

import sqlite_utils

from knowledge import store as kb_store
from knowledge.database import AsyncDatabase
from knowledge.models import UsageEvent

log = logging.getLogger("kefu.usage")

#: how many (agent, conversation) inserts are remembered while waiting for the agent to send
REMEMBERED_INSERTS = 5_000


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


class UsageRecorder:
    """``record()`` costs a list append; a background task flushes every ``interval`` seconds."""

    def __init__(self, db: AsyncDatabase, interval: float = 1.0) -> None:
        self.db = db
        self.interval = interval
        self._pending: list[UsageEvent] = []
        self._deferred: list[Callable[[sqlite_utils.Database], None]] = []
        self._wake = asyncio.Event()
        self._writing = asyncio.Lock()  # one flush at a time: a reader's flush waits for a batch in flight
        #: called with each event as it is recorded (cheap, in-memory; e.g. ranking counters)
        self.listeners: list[Callable[[UsageEvent], None]] = []
        #: the last insert of each (agent, conversation) with its text, until the agent sends
        self._inserted: OrderedDict[tuple[int, str], tuple[UsageEvent, str]] = OrderedDict()

    def record(self, event: UsageEvent, inserted_text: str | None = None) -> None:
        self._pending.append(event)
        for listener in self.listeners:
            listener(event)
        if inserted_text is not None and event.conversation:
            key = (event.agent_id, event.conversation)
            self._inserted[key] = (event, inserted_text)
            self._inserted.move_to_end(key)
            if len(self._inserted) > REMEMBERED_INSERTS:
                self._inserted.popitem(last=False)

    def message_sent(self, agent_id: int, conversation: str, text: str) -> bool:
        """The agent sent ``text``: if it differs from what was last inserted in that conversation, mark
        that use as edited. Returns True when a use was marked."""
        remembered = self._inserted.pop((agent_id, conversation), None)
        if remembered is None:
            return False
        event, inserted = remembered
        if _same_text(text, inserted):
            return False
        self.defer(lambda db: kb_store.mark_usage_edited(db, event))
        return True

    def defer(self, write: Callable[[sqlite_utils.Database], None]) -> None:
        """Queue a small best-effort write (e.g. an unmatched question) for the next batch."""
        self._deferred.append(write)

    async def flush(self) -> int:
        """Write what is queued now, in one transaction; returns how many records were written.

        When it returns, everything recorded before the call is in the database (or failed to be),
        even if the background task had already taken it into a batch that was still being written.
        """
        async with self._writing:
            return await self._flush()

    async def _flush(self) -> int:
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
