"""What the conversation log keeps: one row per message, and per-conversation activity."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class Direction(StrEnum):
    """``in``: the buyer wrote (``message.received``); ``out``: the shop wrote (``message.sent``)."""

    IN = "in"
    OUT = "out"


class MessageSource(StrEnum):
    """Who wrote an outgoing message: a person, the platform's auto-reply, or an assistant bot."""

    HUMAN = "human"
    AUTO_REPLY = "auto_reply"
    ASSIST_BOT = "assist_bot"


class _Row(BaseModel):
    # The text is kept exactly as reported (no stripping): QC reads what the buyer saw.
    model_config = ConfigDict(extra="forbid", frozen=True)


class NewMessage(_Row):
    """A message to log, as the events endpoint builds it from a ``message.*`` event."""

    shop_id: Annotated[int, Field(gt=0)]
    conversation: Annotated[str, Field(min_length=1, max_length=100)]
    buyer_nick: Annotated[str, Field(min_length=1, max_length=64)]
    direction: Direction
    source: MessageSource | None = Field(None, description="outgoing messages only")
    agent_id: Annotated[int, Field(gt=0)] | None = Field(
        None, description="the agent whose chat client reported the message"
    )
    sender: Annotated[str, Field(max_length=64)] | None = Field(
        None, description="the platform sub-account that sent it (outgoing), as the client names it"
    )
    message_id: Annotated[str, Field(max_length=100)] | None = Field(
        None, description="the platform's message id; a second report of the same id is ignored"
    )
    text: Annotated[str, Field(min_length=1, max_length=2000)]
    at: AwareDatetime = Field(description="the platform's time of the message")
    received_at: AwareDatetime = Field(description="when the service received the event")


class LoggedMessage(NewMessage):
    id: int


class ConversationActivity(_Row):
    """One conversation's messages within a time range."""

    shop_id: int
    conversation: str
    buyer_nick: str
    first_at: datetime
    last_at: datetime
    messages_in: int
    messages_out: int
    agent_ids: list[int] = Field(description="agents whose clients reported messages in the range")


class FirstExchange(_Row):
    """A conversation's first buyer message and the first reply a person sent at or after it."""

    conversation: str
    question_id: int = Field(description="the buyer message's id in the log")
    question: str
    asked_at: datetime
    reply: str = Field(description="empty when nobody answered")


def utc_text(moment: datetime) -> str:
    """The stored form of a time: UTC, ISO 8601, always with microseconds (fixed width sorts as time)."""
    if moment.tzinfo is None:
        raise ValueError("times in the conversation log need an offset")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")
