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
from assistant.conversations.models import (
    ConversationActivity,
    Direction,
    FirstExchange,
    LoggedMessage,
    NewMessage,
)
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

    async def last_agent(self, shop_id: int, buyer_nick: str, before: datetime) -> int | None:
        """The agent whose console last carried a message of the buyer's before ``before``."""
        ...

    async def buyer_messages(self, shop_id: int, buyer_nick: str) -> list[LoggedMessage]:
        """Every message of one buyer's conversations with the shop, oldest first (the privacy export)."""
        ...

    async def containing(self, shop_id: int, since: datetime, words: list[str]) -> list[LoggedMessage]:
        """The shop's messages at or after ``since`` holding any of ``words``, oldest first."""
        ...

    async def received_since(
        self, shop_id: int, start: datetime, end: datetime, since: datetime
    ) -> list[datetime]:
        """The platform times of the shop's messages in ``[start, end)`` the service received at or after
        ``since`` (what a computation that read the log at ``since`` may lack)."""
        ...

    async def first_exchanges(self, shop_id: int, conversations: list[str]) -> list[FirstExchange]:
        """Each conversation's first buyer message and the first reply a person sent at or after it, by
        the message's id; a conversation with no buyer message is left out."""
        ...

    async def forget_before(self, before: datetime, shop_id: int | None = None) -> int:
        """Remove messages older than ``before``; returns how many (running it twice removes nothing more)."""
        ...

    async def apply_retention(self, days: int) -> int:
        """The retention job: forget messages older than ``days`` days before now."""
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

    async def last_agent(self, shop_id: int, buyer_nick: str, before: datetime) -> int | None:
        return await self.db.read(lambda conn: store.last_agent(conn, shop_id, buyer_nick, before))

    async def buyer_messages(self, shop_id: int, buyer_nick: str) -> list[LoggedMessage]:
        return await self.db.read(lambda conn: store.buyer_messages(conn, shop_id, buyer_nick))

    async def containing(self, shop_id: int, since: datetime, words: list[str]) -> list[LoggedMessage]:
        return await self.db.read(lambda conn: store.containing(conn, shop_id, since, words))

    async def received_since(
        self, shop_id: int, start: datetime, end: datetime, since: datetime
    ) -> list[datetime]:
        return await self.db.read(lambda conn: store.received_since(conn, shop_id, start, end, since))

    async def first_exchanges(self, shop_id: int, conversations: list[str]) -> list[FirstExchange]:
        return await self.db.read(lambda conn: store.first_exchanges(conn, shop_id, conversations))

    async def forget_before(self, before: datetime, shop_id: int | None = None) -> int:
        return await self.db.write(lambda conn: store.delete_before(conn, before, shop_id))

    async def apply_retention(self, days: int) -> int:
        return await self.forget_before(self.clock() - timedelta(days=days))
