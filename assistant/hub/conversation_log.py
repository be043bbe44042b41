"""The conversation log on the team hub: the ``ConversationLog`` interface of
``assistant/conversations/log.py`` over PostgreSQL (hub migration 0003), so every process reads every
agent's messages: the reminder scan's last chat agent, the order review's chat words, KPIs, QC and the
privacy export see the whole team.

A message is not put in the change feed: no process keeps an index of the log to update, and the
sidebar's own event (the frame the message caused) already travels the feed (``assistant/hub/events.py``).
Writing every message through the feed's lock would also cost the ≈100 events/s of Double 11 a round
trip each for nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from assistant.conversations.log import CONVERSATION_LIMIT
from assistant.conversations.models import (
    ConversationActivity,
    Direction,
    FirstExchange,
    LoggedMessage,
    NewMessage,
)

_COLUMNS = "shop_id, conversation, buyer_nick, direction, source, agent_id, sender, message_id, text, at, received_at"
_SELECT = f"SELECT id, {_COLUMNS} FROM conversation_messages"


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _message(row: asyncpg.Record) -> LoggedMessage:
    return LoggedMessage.model_validate(dict(row))


def _count(status: str) -> int:
    """The row count of a command's status (``DELETE 3``)."""
    return int(status.split()[-1])


class PgConversationLog:
    def __init__(self, pool: asyncpg.Pool, clock: Callable[[], datetime] = _utc_now) -> None:
        self.pool, self.clock = pool, clock

    async def record(self, message: NewMessage) -> LoggedMessage | None:
        values: list[Any] = [
            message.shop_id, message.conversation, message.buyer_nick, message.direction.value,
            message.source.value if message.source else None, message.agent_id, message.sender,
            message.message_id, message.text, message.at, message.received_at,
        ]  # fmt: skip
        found = await self.pool.fetchval(
            f"INSERT INTO conversation_messages ({_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
            " ON CONFLICT (shop_id, message_id) WHERE message_id IS NOT NULL DO NOTHING RETURNING id",
            *values,
        )
        if found is None:
            return None
        return LoggedMessage.model_validate({**message.model_dump(), "id": found})

    async def messages(
        self, shop_id: int, conversation: str, *, limit: int = CONVERSATION_LIMIT
    ) -> list[LoggedMessage]:
        rows = await self.pool.fetch(
            f"SELECT * FROM ({_SELECT} WHERE shop_id = $1 AND conversation = $2 ORDER BY at DESC, id DESC"
            " LIMIT $3) m ORDER BY at, id",
            shop_id, conversation, limit,
        )  # fmt: skip
        return [_message(r) for r in rows]

    async def shop_messages(
        self,
        shop_id: int,
        start: datetime,
        end: datetime,
        *,
        direction: Direction | None = None,
        limit: int | None = None,
    ) -> list[LoggedMessage]:
        rows = await self.pool.fetch(
            f"{_SELECT} WHERE shop_id = $1 AND at >= $2 AND at < $3 AND ($4::text IS NULL OR direction = $4)"
            " ORDER BY at, id LIMIT $5",
            shop_id, start, end, direction.value if direction else None, limit,
        )  # fmt: skip
        return [_message(r) for r in rows]

    async def active_conversations(
        self, shop_id: int, start: datetime, end: datetime
    ) -> list[ConversationActivity]:
        rows = await self.pool.fetch(
            """SELECT conversation, buyer_nick, min(at) AS first_at, max(at) AS last_at,
                      count(*) FILTER (WHERE direction = 'in') AS messages_in,
                      count(*) FILTER (WHERE direction = 'out') AS messages_out,
                      coalesce(array_agg(DISTINCT agent_id ORDER BY agent_id)
                               FILTER (WHERE agent_id IS NOT NULL), '{}') AS agent_ids
                 FROM conversation_messages WHERE shop_id = $1 AND at >= $2 AND at < $3
                GROUP BY conversation, buyer_nick ORDER BY min(at), conversation COLLATE "C\"""",
            shop_id, start, end,
        )  # fmt: skip
        return [ConversationActivity(shop_id=shop_id, **dict(r)) for r in rows]

    async def last_agent(self, shop_id: int, buyer_nick: str, before: datetime) -> int | None:
        found = await self.pool.fetchval(
            "SELECT agent_id FROM conversation_messages WHERE shop_id = $1 AND buyer_nick = $2 AND at < $3"
            " AND agent_id IS NOT NULL ORDER BY at DESC LIMIT 1",
            shop_id, buyer_nick, before,
        )  # fmt: skip
        return int(found) if found is not None else None

    async def buyer_messages(self, shop_id: int, buyer_nick: str) -> list[LoggedMessage]:
        rows = await self.pool.fetch(
            f"{_SELECT} WHERE shop_id = $1 AND buyer_nick = $2 ORDER BY at, id", shop_id, buyer_nick
        )
        return [_message(r) for r in rows]

    async def containing(self, shop_id: int, since: datetime, words: list[str]) -> list[LoggedMessage]:
        if not words:
            return []
        rows = await self.pool.fetch(
            f"{_SELECT} WHERE shop_id = $1 AND at >= $2"
            " AND EXISTS (SELECT 1 FROM unnest($3::text[]) w WHERE strpos(text, w) > 0) ORDER BY at, id",
            shop_id, since, words,
        )  # fmt: skip
        return [_message(r) for r in rows]

    async def received_since(
        self, shop_id: int, start: datetime, end: datetime, since: datetime
    ) -> list[datetime]:
        rows = await self.pool.fetch(
            "SELECT at FROM conversation_messages WHERE shop_id = $1 AND at >= $2 AND at < $3"
            " AND received_at >= $4",
            shop_id, start, end, since,
        )  # fmt: skip
        return [r["at"] for r in rows]

    async def first_exchanges(self, shop_id: int, conversations: list[str]) -> list[FirstExchange]:
        rows = await self.pool.fetch(
            """SELECT c.conversation, q.id AS question_id, q.text AS question, q.at AS asked_at,
                      coalesce(r.text, '') AS reply
                 FROM unnest($2::text[]) AS c(conversation)
                 JOIN LATERAL (SELECT id, text, at FROM conversation_messages
                                WHERE shop_id = $1 AND conversation = c.conversation AND direction = 'in'
                                ORDER BY at, id LIMIT 1) q ON true
                 LEFT JOIN LATERAL (SELECT text FROM conversation_messages
                                     WHERE shop_id = $1 AND conversation = c.conversation AND direction = 'out'
                                       AND source = 'human' AND at >= q.at ORDER BY at, id LIMIT 1) r ON true
                ORDER BY q.id""",
            shop_id, conversations,
        )  # fmt: skip
        return [FirstExchange.model_validate(dict(r)) for r in rows]

    async def forget_before(self, before: datetime, shop_id: int | None = None) -> int:
        status = await self.pool.execute(
            "DELETE FROM conversation_messages WHERE at < $1 AND ($2::bigint IS NULL OR shop_id = $2)",
            before, shop_id,
        )  # fmt: skip
        return _count(status)

    async def count_before(self, before: datetime) -> int:
        """How many messages ``forget_before(before)`` would remove (``kefu purge --dry-run``)."""
        return int(
            await self.pool.fetchval("SELECT count(*) FROM conversation_messages WHERE at < $1", before)
        )

    async def apply_retention(self, days: int) -> int:
        return await self.forget_before(self.clock() - timedelta(days=days))
