"""Conversation events: ``POST /api/events`` from the chat client, ``GET /api/events/stream`` (SSE) to sidebars.

EventSource cannot send headers, so the stream (and only the stream) also accepts the agent's token
as ``?token=``; it is checked through the Directory exactly like the bearer header.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from pydantic import BaseModel, Field, ValidationError

from assistant import keys
from assistant.api import qc, watch
from assistant.api.evaluations import record_evaluation
from assistant.api.io import body_of, ok, validate_body
from assistant.api.shops import resolve_shop_code
from assistant.conversations.log import SqliteConversationLog
from assistant.conversations.models import Direction, MessageSource, NewMessage
from assistant.errors import ApiError, BadRequest, FieldError, Unauthorized, field_errors
from assistant.event_log import parse_event_id
from assistant.events import (
    EVENT_TYPES,
    ConversationChanged,
    ConversationOpened,
    EvaluationInvited,
    EvaluationRated,
    EventHub,
    EventIn,
    MessageReceived,
    MessageSent,
    StateSnapshot,
    SyncEvent,
    UnknownConversation,
    sse_frame,
)
from assistant.security import bearer_token, current_agent
from assistant.sync.models import (
    BuyerSnapshot,
    EditApplied,
    EditFailed,
    OrderSnapshot,
    OutboxEntry,
    SnapshotResult,
)
from knowledge.models import Agent

HEARTBEAT_SECONDS = 15.0


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


async def events_ctx(app: web.Application) -> AsyncIterator[None]:
    """The in-memory hub and the conversation log; every open stream is ended when the service stops.
    In hub mode the sidebar events go through the change feed (``assistant/hub/events.py``)."""
    team_hub = app.get(keys.HUB)
    writer = None
    if team_hub is None:
        hub = EventHub()
    else:
        from assistant.hub.events import HubEventLog

        pool = team_hub.pool
        hub = EventHub(lambda deliver: HubEventLog(pool, deliver))
        writer = hub.log if isinstance(hub.log, HubEventLog) else None
        assert writer is not None
        team_hub.follower.subscribe("event", writer.follow)
        writer.start()
    app[keys.EVENTS] = hub
    app[keys.CONVERSATIONS] = SqliteConversationLog(app[keys.DB])
    try:
        yield
    finally:
        hub.close()
        if writer is not None:
            await writer.stop()  # what is queued is written before the pool closes


async def close_streams(app: web.Application) -> None:
    """``on_shutdown``: end the SSE streams before aiohttp waits for running handlers."""
    if keys.EVENTS in app:
        app[keys.EVENTS].close()


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


def stream_agent(request: web.Request) -> Agent:
    """The agent from the ``Authorization`` header or, for EventSource, ``?token=``."""
    token = bearer_token(request) or request.query.get("token", "")
    agent = request.app[keys.DIRECTORY].authenticate(token) if token else None
    if agent is None:
        raise Unauthorized(errors=[FieldError("token", "缺少或无效的令牌：用 ?token= 或 Bearer 头传入")])
    return agent


async def event_stream(request: web.Request) -> web.StreamResponse:
    """Server-Sent Events: a ``state`` snapshot at once, then every accepted event; heartbeats between.

    Every event carries an ``id:``. A reconnect sending ``Last-Event-ID`` (EventSource does it by itself;
    ``?last_event_id=`` for a new EventSource) first gets what it missed, in order, or a ``reset`` event
    when that cannot be told exactly; then the ``state`` snapshot (no id: it is not an event)."""
    agent = stream_agent(request)
    headers = {
        "Content-Type": "text/event-stream; charset=utf-8",
        "Cache-Control": "no-store",
        "X-Accel-Buffering": "no",
    }
    if request.method == "HEAD":  # the headers a GET would get, and no stream to keep open
        return web.Response(headers=headers)
    after = parse_event_id(request.headers.get("Last-Event-ID") or request.query.get("last_event_id"))
    hub: EventHub = request.app[keys.EVENTS]
    subscription = hub.subscribe(agent.id)  # before the replay: what comes meanwhile is queued, not lost
    response = web.StreamResponse(headers=headers)
    sent = 0  # the newest event id written to this stream; a queued frame at or below it is a repeat
    try:
        await response.prepare(request)
        await response.write(b"retry: 2000\n\n")
        if after is not None:
            missed = await hub.replay(agent.id, after)
            if missed is None:
                await response.write(sse_frame("reset", {"last_event_id": after}))
            for published in missed or ():
                await response.write(sse_frame(published.event, published.data, published.id))
                sent = published.id
        await response.write(sse_frame("state", hub.snapshot(agent.id).model_dump(mode="json")))
        while True:
            try:
                item = await asyncio.wait_for(subscription.queue.get(), HEARTBEAT_SECONDS)
            except TimeoutError:
                await response.write(b": heartbeat\n\n")
                continue
            if item is None:
                break
            event_id, frame = item
            if event_id > sent:
                await response.write(frame)
                sent = event_id
    except (ConnectionResetError, ConnectionError):
        pass  # the sidebar went away
    finally:
        hub.unsubscribe(subscription)
    with contextlib.suppress(ConnectionError):
        await response.write_eof()
    return response
