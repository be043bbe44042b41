"""Conversation events: ``POST /api/events`` from the chat client, ``GET /api/events/stream`` (SSE) to sidebars.

EventSource cannot send headers, so the stream (and only the stream) also accepts the agent's token
as ``?token=``; it is checked through the Directory exactly like the bearer header.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ValidationError

from assistant import keys
from assistant.api.io import validate_body
from assistant.errors import BadRequest, FieldError, Forbidden, Unauthorized, field_errors
from assistant.events import (
    EVENT_TYPES,
    ConversationChanged,
    ConversationOpened,
    EventHub,
    EventIn,
    MessageSent,
    StateSnapshot,
    UnknownConversation,
    sse_frame,
)
from assistant.security import current_agent
from knowledge.models import Agent

HEARTBEAT_SECONDS = 15.0


class EventAccepted(BaseModel):
    type: str
    state: StateSnapshot


async def events_ctx(app: web.Application) -> AsyncIterator[None]:
    """The in-memory hub; every open stream is ended when the service stops."""
    hub = EventHub()
    app[keys.EVENTS] = hub
    yield
    hub.close()


async def close_streams(app: web.Application) -> None:
    """``on_shutdown``: end the SSE streams before aiohttp waits for running handlers."""
    if keys.EVENTS in app:
        app[keys.EVENTS].close()


def _parse_event(data: Any) -> EventIn:
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
                name = rest.split(".", 1)[1] if tag in ("conversation", "message") and rest else ""
                errors.append(FieldError(name or error["field"], error["message"]))
        summary = "；".join(f"{e['field']}: {e['message']}" for e in errors[:3])
        raise BadRequest(f"事件有误 — {summary}", errors) from exc


async def post_event(request: web.Request) -> web.Response:
    """Accept one event from the chat client and push it to the agent's sidebars."""
    agent = current_agent(request)
    if request.content_type not in ("application/json", ""):
        raise BadRequest.field("body", f"请用 application/json 提交，收到的是 {request.content_type}")
    try:
        data = json.loads(await request.read() or b"null")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadRequest("请求体不是有效的 JSON", [FieldError("body", f"JSON 解析失败：{exc}")]) from exc
    if not isinstance(data, dict):
        raise BadRequest.field("body", "应为 JSON 对象")
    event = _parse_event(data).root
    shop_id: int | None = None
    if isinstance(event, ConversationOpened | ConversationChanged):
        shop_id = _shop_id(request, agent, event.shop)
    try:
        state = request.app[keys.EVENTS].apply(agent.id, event, shop_id)
        if isinstance(event, MessageSent):
            request.app[keys.USAGE].message_sent(agent.id, event.conversation, event.text)
    except UnknownConversation as exc:
        raise BadRequest.field(
            "conversation", f"没有打开过会话 {exc.args[0]}：请先发送 conversation.opened"
        ) from exc
    return web.json_response(
        {"ok": True, **EventAccepted(type=event.type, state=state).model_dump(mode="json")},
        dumps=lambda v: json.dumps(v, ensure_ascii=False),
    )


def _shop_id(request: web.Request, agent: Agent, code: str) -> int:
    shops = request.app[keys.DIRECTORY].shops
    shop = next((s for s in shops.values() if s.code == code), None)
    if shop is None:
        raise BadRequest.field("shop", f"没有编码为 {code} 的店铺")
    if shop.id not in agent.shop_ids:
        raise Forbidden(
            f"{agent.name} 没有登录店铺 {shop.name}，不能接收它的会话", [FieldError("shop", "不在你的店铺中")]
        )
    return shop.id


def _stream_agent(request: web.Request) -> Agent:
    """The agent from the ``Authorization`` header or, for EventSource, ``?token=``."""
    scheme, _, header_token = request.headers.get("Authorization", "").partition(" ")
    token = header_token.strip() if scheme.lower() == "bearer" else request.query.get("token", "")
    agent = request.app[keys.DIRECTORY].authenticate(token) if token else None
    if agent is None:
        raise Unauthorized(errors=[FieldError("token", "缺少或无效的令牌：用 ?token= 或 Bearer 头传入")])
    return agent


async def event_stream(request: web.Request) -> web.StreamResponse:
    """Server-Sent Events: a ``state`` snapshot at once, then every accepted event; heartbeats between."""
    agent = _stream_agent(request)
    hub: EventHub = request.app[keys.EVENTS]
    subscription = hub.subscribe(agent.id)
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream; charset=utf-8",
            "Cache-Control": "no-store",
            "X-Accel-Buffering": "no",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        }
    )
    try:
        await response.prepare(request)
        await response.write(b"retry: 2000\n\n")
        await response.write(sse_frame("state", hub.snapshot(agent.id).model_dump(mode="json")))
        while True:
            try:
                frame = await asyncio.wait_for(subscription.queue.get(), HEARTBEAT_SECONDS)
            except TimeoutError:
                await response.write(b": heartbeat\n\n")
                continue
            if frame is None:
                break
            await response.write(frame)
    except (ConnectionResetError, ConnectionError):
        pass  # the sidebar went away
    finally:
        hub.unsubscribe(subscription)
    with contextlib.suppress(ConnectionError):
        await response.write_eof()
    return response
