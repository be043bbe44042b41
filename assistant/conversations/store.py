"""SQL of the conversation log (table ``conversation_messages``, migration assistant:0003)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlite_utils

from assistant.conversations.models import (
    ConversationActivity,
    Direction,
    FirstExchange,
    LoggedMessage,
    NewMessage,
    utc_text,
)

_COLUMNS = (
    "shop_id",
    "conversation",
    "buyer_nick",
    "direction",
    "source",
    "agent_id",
    "sender",
    "message_id",
    "text",
    "at",
    "received_at",
)


def _message(row: tuple[Any, ...]) -> LoggedMessage:
    values = dict(zip(("id", *_COLUMNS), row, strict=True))
    return LoggedMessage.model_validate(values)


_SELECT = f"SELECT id, {', '.join(_COLUMNS)} FROM conversation_messages"


def insert_message(db: sqlite_utils.Database, message: NewMessage) -> LoggedMessage | None:
    """Append one message; ``None`` when its platform ``message_id`` is already logged for the shop."""
    values = (
        message.shop_id,
        message.conversation,
        message.buyer_nick,
        message.direction.value,
        message.source.value if message.source else None,
        message.agent_id,
        message.sender,
        message.message_id,
        message.text,
        utc_text(message.at),
        utc_text(message.received_at),
    )
    cursor = db.conn.execute(
        f"INSERT OR IGNORE INTO conversation_messages ({', '.join(_COLUMNS)})"
        f" VALUES ({', '.join('?' for _ in _COLUMNS)})",
        values,
    )
    if cursor.rowcount == 0:
        return None
    return LoggedMessage.model_validate({**message.model_dump(), "id": int(cursor.lastrowid or 0)})


def conversation_messages(
    db: sqlite_utils.Database, shop_id: int, conversation: str, limit: int
) -> list[LoggedMessage]:
    """The conversation's messages, oldest first (the newest ``limit`` of them)."""
    rows = db.conn.execute(
        f"SELECT * FROM ({_SELECT} WHERE shop_id = ? AND conversation = ? ORDER BY at DESC, id DESC LIMIT ?)"
        " ORDER BY at, id",
        (shop_id, conversation, limit),
    ).fetchall()
    return [_message(row) for row in rows]


def shop_messages(
    db: sqlite_utils.Database,
    shop_id: int,
    start: datetime,
    end: datetime,
    direction: Direction | None,
    limit: int | None,
) -> list[LoggedMessage]:
    """A shop's messages with ``start <= at < end``, oldest first."""
    sql = f"{_SELECT} WHERE shop_id = ? AND at >= ? AND at < ?"
    params: list[Any] = [shop_id, utc_text(start), utc_text(end)]
    if direction is not None:
        sql += " AND direction = ?"
        params.append(direction.value)
    sql += " ORDER BY at, id"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [_message(row) for row in db.conn.execute(sql, params).fetchall()]


def active_conversations(
    db: sqlite_utils.Database, shop_id: int, start: datetime, end: datetime
) -> list[ConversationActivity]:
    """Conversations of a shop with at least one message in ``[start, end)``, by their first message."""
    rows = db.conn.execute(
        """SELECT conversation, buyer_nick, min(at), max(at),
                  sum(direction = 'in'), sum(direction = 'out'),
                  json_group_array(DISTINCT agent_id) FILTER (WHERE agent_id IS NOT NULL)
           FROM conversation_messages WHERE shop_id = ? AND at >= ? AND at < ?
           GROUP BY conversation, buyer_nick ORDER BY min(at), conversation""",
        (shop_id, utc_text(start), utc_text(end)),
    ).fetchall()
    return [
        ConversationActivity(
            shop_id=shop_id,
            conversation=conversation,
            buyer_nick=nick,
            first_at=first,
            last_at=last,
            messages_in=n_in,
            messages_out=n_out,
            agent_ids=sorted(json.loads(agents or "[]")),
        )
        for conversation, nick, first, last, n_in, n_out, agents in rows
    ]


def last_agent(db: sqlite_utils.Database, shop_id: int, nick: str, before: datetime) -> int | None:
    """The agent whose console last carried a message of the buyer's before ``before``."""
    row = db.conn.execute(
        """SELECT agent_id FROM conversation_messages WHERE shop_id = ? AND buyer_nick = ? AND at < ?
             AND agent_id IS NOT NULL ORDER BY at DESC LIMIT 1""",
        (shop_id, nick, utc_text(before)),
    ).fetchone()
    return int(row[0]) if row else None


def buyer_messages(db: sqlite_utils.Database, shop_id: int, nick: str) -> list[LoggedMessage]:
    rows = db.conn.execute(
        f"{_SELECT} WHERE shop_id = ? AND buyer_nick = ? ORDER BY at, id", (shop_id, nick)
    ).fetchall()
    return [_message(row) for row in rows]


def containing(
    db: sqlite_utils.Database, shop_id: int, since: datetime, words: list[str]
) -> list[LoggedMessage]:
    """The shop's messages since ``since`` holding any of ``words``, oldest first."""
    if not words:
        return []
    likes = " OR ".join("instr(text, ?) > 0" for _ in words)
    rows = db.conn.execute(
        f"{_SELECT} WHERE shop_id = ? AND at >= ? AND ({likes}) ORDER BY at, id",
        (shop_id, utc_text(since), *words),
    ).fetchall()
    return [_message(row) for row in rows]


def received_since(
    db: sqlite_utils.Database, shop_id: int, start: datetime, end: datetime, since: datetime
) -> list[datetime]:
    """The platform times of the shop's messages in ``[start, end)`` received at or after ``since``."""
    rows = db.conn.execute(
        "SELECT at FROM conversation_messages WHERE shop_id = ? AND at >= ? AND at < ? AND received_at >= ?",
        (shop_id, utc_text(start), utc_text(end), utc_text(since)),
    ).fetchall()
    return [datetime.fromisoformat(r[0]) for r in rows]


def first_exchanges(db: sqlite_utils.Database, shop_id: int, conversations: list[str]) -> list[FirstExchange]:
    """Of these conversations, each one's first buyer message and first human reply, by the message's id."""
    rows = db.conn.execute(
        """SELECT c.value, q.id, q.text, q.at,
                  coalesce((SELECT text FROM conversation_messages WHERE shop_id = :shop AND conversation = c.value
                             AND direction = 'out' AND source = 'human' AND at >= q.at ORDER BY at, id LIMIT 1), '')
             FROM json_each(:conversations) c
             JOIN conversation_messages q ON q.id = (
                  SELECT id FROM conversation_messages WHERE shop_id = :shop AND conversation = c.value
                     AND direction = 'in' ORDER BY at, id LIMIT 1)
            ORDER BY q.id""",
        {"shop": shop_id, "conversations": json.dumps(conversations)},
    ).fetchall()
    return [
        FirstExchange(conversation=c, question_id=i, question=q, asked_at=datetime.fromisoformat(at), reply=r)
        for c, i, q, at, r in rows
    ]


def delete_before(db: sqlite_utils.Database, before: datetime, shop_id: int | None = None) -> int:
    """Remove messages older than ``before`` (platform time), of one shop or all; returns how many."""
    if shop_id is None:
        cursor = db.conn.execute("DELETE FROM conversation_messages WHERE at < ?", (utc_text(before),))
    else:
        cursor = db.conn.execute(
            "DELETE FROM conversation_messages WHERE shop_id = ? AND at < ?", (shop_id, utc_text(before))
        )
    return cursor.rowcount


def count_messages(db: sqlite_utils.Database) -> int:
    return int(db.conn.execute("SELECT count(*) FROM conversation_messages").fetchone()[0])
