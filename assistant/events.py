"""Conversation events from the chat client and the sidebars that follow them (no SQL here).

The client posts the events the manifest's ``consumes`` lists; :class:`EventHub` keeps, per agent,
the conversation in front of them (shop, buyer, item in focus, last buyer message, a bounded
history) and pushes every accepted event to that agent's open sidebars over Server-Sent Events.
State lives in memory only: a restart forgets it, and the client re-sends ``conversation.opened``.
"""

from __future__ import annotations

import asyncio
import json
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, RootModel, StringConstraints

from assistant.conversations.models import MessageSource
from assistant.event_log import Deliver, EventLog, Published, RingEventLog
from assistant.sync.models import BuyerSnapshot, EditApplied, EditFailed, OrderSnapshot

HISTORY_LIMIT = 50  # messages kept per conversation
CONVERSATIONS_LIMIT = 30  # conversations kept per agent (least recently touched dropped first)
QUEUE_LIMIT = 100  # events waiting for one slow sidebar before it is disconnected

ConversationId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Nick = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
ShopCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
MessageText = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
MessageId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
SubAccount = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ConversationOpened(_Event):
    """The agent opened a conversation with a buyer."""

    type: Literal["conversation.opened"]
    conversation: ConversationId
    shop: ShopCode = Field(description="shop code, e.g. nuanju")
    buyer: Nick = Field(description="buyer nick (旺旺名)")
    item_id: Annotated[int, Field(gt=0)] | None = Field(None, description="item in focus")


class ConversationChanged(_Event):
    """The agent switched to another conversation."""

    type: Literal["conversation.changed"]
    conversation: ConversationId
    shop: ShopCode
    buyer: Nick
    item_id: Annotated[int, Field(gt=0)] | None = None


class MessageReceived(_Event):
    """The buyer sent a message in a conversation."""

    type: Literal["message.received"]
    conversation: ConversationId
    text: MessageText
    at: AwareDatetime = Field(description="the platform's time of the message, ISO 8601 with offset")
    message_id: MessageId | None = Field(
        None, description="the platform's message id (a repeat is logged once)"
    )


class MessageSent(_Event):
    """The shop sent a message: an agent, the platform's auto-reply or an assistant bot."""

    type: Literal["message.sent"]
    conversation: ConversationId
    text: MessageText
    at: AwareDatetime = Field(description="the platform's time of the message, ISO 8601 with offset")
    source: MessageSource = Field(
        MessageSource.HUMAN, description="who wrote it: human (default), auto_reply or assist_bot"
    )
    sender: SubAccount | None = Field(
        None, description="the sub-account that sent it, as the platform names it (e.g. 暖居旗舰店:小美)"
    )
    message_id: MessageId | None = Field(
        None, description="the platform's message id (a repeat is logged once)"
    )


class EvaluationInvited(_Event):
    """The agent sent the buyer the platform's service-evaluation invitation (the end of a conversation)."""

    type: Literal["evaluation.invited"]
    conversation: ConversationId
    at: AwareDatetime = Field(description="when the invitation was sent, ISO 8601 with offset")


class EvaluationRated(_Event):
    """The buyer rated the service of a conversation (5 非常满意 … 1 非常不满意)."""

    type: Literal["evaluation.rated"]
    conversation: ConversationId
    rating: Annotated[int, Field(ge=1, le=5)] = Field(
        description="5 非常满意, 4 满意, 3 一般, 2 不满意, 1 非常不满意 (4 and 5 count as satisfied)"
    )
    at: AwareDatetime = Field(description="when the buyer rated, ISO 8601 with offset")


ConversationEvent = ConversationOpened | ConversationChanged | MessageReceived | MessageSent
#: what the host pushes about the shop (snapshots) and answers for our edits (the outbox)
SyncEvent = OrderSnapshot | BuyerSnapshot | EditApplied | EditFailed
Event = Annotated[
    ConversationOpened
    | ConversationChanged
    | MessageReceived
    | MessageSent
    | OrderSnapshot
    | BuyerSnapshot
    | EditApplied
    | EditFailed
    | EvaluationInvited
    | EvaluationRated,
    Field(discriminator="type"),
]
EVENT_TYPES: tuple[str, ...] = (
    "conversation.opened",
    "conversation.changed",
    "message.received",
    "message.sent",
    "order.snapshot",
    "buyer.snapshot",
    "edit.applied",
    "edit.failed",
    "evaluation.invited",
    "evaluation.rated",
)


class EventIn(RootModel[Event]):
    """One event from the chat client, told apart by ``type``."""


class HistoryEntry(BaseModel):
    role: Literal["buyer", "agent"]
    text: str
    at: datetime


class ConversationState(BaseModel):
    """What the sidebar needs to know about one conversation."""

    conversation: str
    shop_id: int
    shop: str
    buyer: str
    item_id: int | None
    last_buyer_message: str | None
    last_buyer_at: datetime | None
    history: list[HistoryEntry]


class StateSnapshot(BaseModel):
    """The agent's current conversation (``null`` before the client reported one)."""

    current: ConversationState | None


@dataclass
class _Conversation:
    conversation: str
    shop_id: int
    shop: str
    buyer: str
    item_id: int | None
    last_buyer_message: str | None = None
    last_buyer_at: datetime | None = None
    history: deque[HistoryEntry] = field(default_factory=lambda: deque(maxlen=HISTORY_LIMIT))

    def state(self) -> ConversationState:
        return ConversationState(
            conversation=self.conversation,
            shop_id=self.shop_id,
            shop=self.shop,
            buyer=self.buyer,
            item_id=self.item_id,
            last_buyer_message=self.last_buyer_message,
            last_buyer_at=self.last_buyer_at,
            history=list(self.history),
        )


class UnknownConversation(LookupError):
    """A message event names a conversation the client never opened."""


@dataclass
class _AgentState:
    current: str | None = None
    conversations: OrderedDict[str, _Conversation] = field(default_factory=OrderedDict)
    subscribers: set[Subscription] = field(default_factory=set)


class Subscription:
    """One open sidebar stream: a bounded queue of ready-to-send SSE frames with their event ids
    (``None`` = close). The stream skips a frame whose id it has sent already (replayed on reconnect)."""

    def __init__(self, agent_id: int) -> None:
        self.agent_id = agent_id
        self.queue: asyncio.Queue[tuple[int, bytes] | None] = asyncio.Queue(maxsize=QUEUE_LIMIT + 1)
        self.closed = False

    def push(self, item: tuple[int, bytes] | None) -> None:
        if self.closed:
            return
        if item is None or self.queue.qsize() >= QUEUE_LIMIT:
            self.closed = True  # a sidebar that stopped reading is let go; its EventSource reconnects
            self.queue.put_nowait(None)
            return
        self.queue.put_nowait(item)


def sse_frame(event: str, data: dict[str, Any], event_id: int | None = None) -> bytes:
    """One Server-Sent Events frame: ``id: <n>`` (what the browser sends back as ``Last-Event-ID``),
    ``event: <name>`` and one JSON ``data:`` line."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    head = "" if event_id is None else f"id: {event_id}\n"
    return f"{head}event: {event}\ndata: {body}\n\n".encode()


class EventHub:
    """Per-agent conversation state and the sidebars listening to it. Every frame goes out through the
    event log (``assistant/event_log.py``), which gives it an id and can replay it to a reconnect."""

    def __init__(self, log: Callable[[Deliver], EventLog] = RingEventLog) -> None:
        self._agents: dict[int, _AgentState] = {}
        self.closed = False
        self.log = log(self.deliver)

    def deliver(self, published: Published) -> None:
        """Push a published event to the open sidebars of its agents (called by the log)."""
        item = (published.id, sse_frame(published.event, published.data, published.id))
        for agent_id in published.agent_ids:
            state = self._agents.get(agent_id)
            for subscriber in list(state.subscribers) if state else []:
                subscriber.push(item)

    async def replay(self, agent_id: int, after: int) -> list[Published] | None:
        """What the agent's sidebars were sent after event ``after``; ``None``: cannot say (a reset)."""
        return await self.log.replay(agent_id, after)

    def _agent(self, agent_id: int) -> _AgentState:
        return self._agents.setdefault(agent_id, _AgentState())

    def snapshot(self, agent_id: int) -> StateSnapshot:
        state = self._agents.get(agent_id)
        if state is None or state.current is None:
            return StateSnapshot(current=None)
        return StateSnapshot(current=state.conversations[state.current].state())

    def apply(self, agent_id: int, event: ConversationEvent, shop_id: int | None = None) -> StateSnapshot:
        """Record ``event`` for the agent, push it to their sidebars and return the new state.

        ``shop_id`` is the resolved id of ``event.shop`` for conversation events (checked by the caller).
        Raises :class:`UnknownConversation` for a message in a conversation that was never opened.
        """
        state = self._agent(agent_id)
        if isinstance(event, ConversationOpened | ConversationChanged):
            assert shop_id is not None
            known = state.conversations.get(event.conversation)
            if known is None or (known.shop_id, known.buyer) != (shop_id, event.buyer):
                known = _Conversation(event.conversation, shop_id, event.shop, event.buyer, event.item_id)
                state.conversations[event.conversation] = known
            elif event.item_id is not None:
                known.item_id = event.item_id
            state.current = event.conversation
        else:
            known = state.conversations.get(event.conversation)
            if known is None:
                raise UnknownConversation(event.conversation)
            role: Literal["buyer", "agent"] = "buyer" if isinstance(event, MessageReceived) else "agent"
            known.history.append(HistoryEntry(role=role, text=event.text, at=event.at))
            if role == "buyer":
                known.last_buyer_message, known.last_buyer_at = event.text, event.at
        state.conversations.move_to_end(event.conversation)
        while len(state.conversations) > CONVERSATIONS_LIMIT:
            dropped, _ = state.conversations.popitem(last=False)
            if dropped == state.current:
                state.current = None
        snapshot = self.snapshot(agent_id)
        self.log.publish(
            frozenset({agent_id}),
            event.type,
            {"event": event.model_dump(mode="json"), "state": snapshot.model_dump(mode="json")},
        )
        return snapshot

    def conversation_of(self, agent_id: int, conversation: str) -> tuple[int, str] | None:
        """``(shop_id, buyer nick)`` of a conversation the agent's client opened, or ``None``."""
        state = self._agents.get(agent_id)
        known = state.conversations.get(conversation) if state else None
        return (known.shop_id, known.buyer) if known else None

    def notify(self, agent_ids: set[int], event: str, data: dict[str, Any]) -> None:
        """Push one frame (not a conversation event) to these agents' open sidebars."""
        if agent_ids:
            self.log.publish(frozenset(agent_ids), event, data)

    def subscribe(self, agent_id: int) -> Subscription:
        subscription = Subscription(agent_id)
        if self.closed:
            subscription.push(None)
        else:
            self._agent(agent_id).subscribers.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        state = self._agents.get(subscription.agent_id)
        if state is not None:
            state.subscribers.discard(subscription)

    def listeners(self, agent_id: int) -> int:
        state = self._agents.get(agent_id)
        return len(state.subscribers) if state else 0

    def close(self) -> None:
        """End every open stream (service shutting down); later subscribers are closed at once."""
        self.closed = True
        for state in self._agents.values():
            for subscriber in list(state.subscribers):
                subscriber.push(None)
