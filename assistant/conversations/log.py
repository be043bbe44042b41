"""The conversation log's interface, and its SQLite implementation.

The events endpoint writes every ``message.received`` (direction ``in``) and ``message.sent``
(direction ``out``, with its ``source`` and sending sub-account) here. The response watch, payment
reminders, KPIs and QC read it through :class:`ConversationLog` only; they never see SQL. Messages
older than the retention (``conversation_retention_days``) are removed by an idempotent job that
the scheduler runs every hour (see ``assistant/schedule.py``).

Time ranges are half-open, ``start <= at < end``, on the platform's time of the message; every
time in and out is timezone-aware (stored as UTC).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

from assistant.conversations import store
from assistant.conversations.models import ConversationActivity, Direction, LoggedMessage, NewMessage
from knowledge.database import AsyncDatabase

CONVERSATION_LIMIT = 1000


class ConversationLog(Protocol):
    async def record(self, message: NewMessage) -> LoggedMessage | None:
        """Append a message; ``None`` when the same platform ``message_id`` was logged already."""
        ...

    async def messages(
        self, shop_id: int, conversation: str, *, limit: int = CONVERSATION_LIMIT
    ) -> list[LoggedMessage]:
        """A conversation's messages, oldest first (at most the newest ``limit``)."""
        ...

    async def shop_messages(
        self,
        shop_id: int,
        start: datetime,
        end: datetime,
        *,
        direction: Direction | None = None,
        limit: int | None = None,
    ) -> list[LoggedMessage]:
        """A shop's messages in ``[start, end)``, oldest first, optionally only one direction."""
        ...

    async def active_conversations(
        self, shop_id: int, start: datetime, end: datetime
    ) -> list[ConversationActivity]:
        """Conversations with at least one message in ``[start, end)``, ordered by their first one there."""
        ...

    async def forget_before(self, before: datetime, shop_id: int | None = None) -> int:
        """Remove messages older than ``before``; returns how many (running it twice removes nothing more)."""
        ...


def _utc_now() -> datetime:
    return datetime.now(UTC)


class SqliteConversationLog:
    """:class:`ConversationLog` over the service's SQLite file: reads on the pool, writes on the writer."""

    def __init__(self, db: AsyncDatabase, clock: Callable[[], datetime] = _utc_now) -> None:
        self.db = db
        self.clock = clock

    async def record(self, message: NewMessage) -> LoggedMessage | None:
        return await self.db.write(lambda conn: store.insert_message(conn, message))

    async def messages(
        self, shop_id: int, conversation: str, *, limit: int = CONVERSATION_LIMIT
    ) -> list[LoggedMessage]:
        return await self.db.read(
            lambda conn: store.conversation_messages(conn, shop_id, conversation, limit)
        )

    async def shop_messages(
        self,
        shop_id: int,
        start: datetime,
        end: datetime,
        *,
        direction: Direction | None = None,
        limit: int | None = None,
    ) -> list[LoggedMessage]:
        return await self.db.read(
            lambda conn: store.shop_messages(conn, shop_id, start, end, direction, limit)
        )

    async def active_conversations(
        self, shop_id: int, start: datetime, end: datetime
    ) -> list[ConversationActivity]:
        return await self.db.read(lambda conn: store.active_conversations(conn, shop_id, start, end))

    async def forget_before(self, before: datetime, shop_id: int | None = None) -> int:
        return await self.db.write(lambda conn: store.delete_before(conn, before, shop_id))

    async def apply_retention(self, days: int) -> int:
        """The retention job: forget messages older than ``days`` days before now."""
        return await self.forget_before(self.clock() - timedelta(days=days))
