"""Conversation events: ``POST /api/events`` from the chat client (the stream to sidebars,
``GET /api/events/stream``, and the hub the events go through are ``event_stream``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from pydantic import BaseModel, Field, ValidationError

from assistant import keys
from assistant.api import qc, watch
from assistant.api.evaluations import record_evaluation
from assistant.api.io import body_of, ok, validate_body
from assistant.api.shops import resolve_shop_code
from assistant.conversations.models import Direction, MessageSource, NewMessage
from assistant.errors import ApiError, BadRequest, FieldError, field_errors
from assistant.events import (
    EVENT_TYPES,
    ConversationChanged,
    ConversationOpened,
    EvaluationInvited,
    EvaluationRated,
    EventIn,
    MessageReceived,
    MessageSent,
    StateSnapshot,
    SyncEvent,
    UnknownConversation,
)
from assistant.security import current_agent
from assistant.sync.models import (
    BuyerSnapshot,
    EditApplied,
    EditFailed,
    OrderSnapshot,
    OutboxEntry,
    SnapshotResult,
)
from knowledge.models import Agent


class EventAccepted(BaseModel):
    type: str
    state: StateSnapshot
    snapshot: SnapshotResult | None = Field(None, description="order.snapshot / buyer.snapshot: what it did")
    edit: OutboxEntry | None = Field(
        None, description="edit.applied / edit.failed: the edit's sync state now"
    )
    logged: bool | None = Field(
        None,
        description="message events: true when written to the conversation log, false when its message_id "
        "was logged already (a repeat changes nothing)",
    )


_TAGS = frozenset(t.partition(".")[0] for t in EVENT_TYPES)


def parse_event(data: dict[str, Any]) -> EventIn:
    """The route's body parser (``Endpoint.parse_body``): the event union's errors name the event's
    own fields (``text``, not ``message.received.text``) and list the types on an unknown one."""
    try:
        return validate_body(EventIn, data)
    except ValidationError as exc:
        errors: list[FieldError] = []
        for item in exc.errors(include_url=False, include_input=False):
            if item["type"] in ("union_tag_invalid", "union_tag_not_found"):
                errors.append(FieldError("type", "可选值：" + "、".join(EVENT_TYPES)))
        if not errors:
            # Drop the union tag pydantic puts first in each location ("message.received.text" -> "text").
            for error in field_errors(exc):
                tag, _, rest = error["field"].partition(".")
                name = rest.split(".", 1)[1] if tag in _TAGS and "." in rest else ""
                errors.append(FieldError(name or error["field"], error["message"]))
        summary = "；".join(f"{e['field']}: {e['message']}" for e in errors[:3])
        raise BadRequest(f"事件有误 — {summary}", errors) from exc


async def post_event(request: web.Request) -> web.Response:
    """Accept one event from the chat client and push it to the agent's sidebars."""
    agent = current_agent(request)
    event = body_of(request, EventIn).root
    if isinstance(event, OrderSnapshot | BuyerSnapshot | EditApplied | EditFailed):
        return await _sync_event(request, agent, event)
    if isinstance(event, EvaluationInvited | EvaluationRated):
        await record_evaluation(request, agent, event)
        return _accepted(EventAccepted(type=event.type, state=request.app[keys.EVENTS].snapshot(agent.id)))
    hub = request.app[keys.EVENTS]
    shop_id: int | None = None
    logged: bool | None = None
    if isinstance(event, ConversationOpened | ConversationChanged):
        shop_id = resolve_shop_code(request, agent, event.shop)
    else:
        logged = await _log_message(request, agent, event)
    try:
        if logged is False:  # the same platform message reported again: nothing changes
            state = hub.snapshot(agent.id)
        else:
            state = hub.apply(agent.id, event, shop_id)
            if isinstance(event, MessageSent) and event.source is MessageSource.HUMAN:
                request.app[keys.USAGE].message_sent(agent.id, event.conversation, event.text)
    except UnknownConversation as exc:
        raise _unknown(exc.args[0]) from exc
    return ok(EventAccepted(type=event.type, state=state, logged=logged))


def _accepted(accepted: EventAccepted) -> web.Response:
    return ok(accepted)


async def _sync_event(request: web.Request, agent: Agent, event: SyncEvent) -> web.Response:
    """Snapshots update our copy of the shop; edit answers settle an outbox entry. Sidebars are told."""
    hub = request.app[keys.EVENTS]
    sync = request.app[keys.SYNC]
    if isinstance(event, EditApplied | EditFailed):
        offer, changed = await sync.answer(agent, event)
        if changed:
            owners = {agent.id} | ({offer.entry.agent_id} if offer.entry.agent_id else set())
            hub.notify(owners, "edit.synced", {"entry": offer.entry.model_dump(mode="json")})
        return _accepted(EventAccepted(type=event.type, state=hub.snapshot(agent.id), edit=offer.entry))
    shop_id = resolve_shop_code(request, agent, event.shop)
    if isinstance(event, OrderSnapshot):
        result = await sync.order_snapshot(shop_id, event)
    else:
        result = await sync.buyer_snapshot(shop_id, event)
    if result.applied and result.reason != "unchanged":
        hub.notify({agent.id}, event.type, {"shop_id": shop_id, **result.model_dump(mode="json")})
    return _accepted(EventAccepted(type=event.type, state=hub.snapshot(agent.id), snapshot=result))


def _unknown(conversation: str) -> ApiError:
    return BadRequest.field("conversation", f"没有打开过会话 {conversation}：请先发送 conversation.opened")


async def _log_message(request: web.Request, agent: Agent, event: MessageReceived | MessageSent) -> bool:
    """Write a message event to the conversation log; False when its ``message_id`` was logged already."""
    known = request.app[keys.EVENTS].conversation_of(agent.id, event.conversation)
    if known is None:
        raise _unknown(event.conversation)
    shop_id, buyer = known
    sent = event if isinstance(event, MessageSent) else None
    message = NewMessage(
        shop_id=shop_id,
        conversation=event.conversation,
        buyer_nick=buyer,
        direction=Direction.OUT if sent else Direction.IN,
        source=sent.source if sent else None,
        agent_id=agent.id,
        sender=sent.sender if sent else None,
        message_id=event.message_id,
        text=event.text,
        at=event.at,
        received_at=datetime.now(UTC),
    )
    logged = await request.app[keys.CONVERSATIONS].record(message)
    if logged is None:
        return False
    await watch.observe(request.app, logged)
    qc.warn_forbidden(request.app, logged)
    return True
