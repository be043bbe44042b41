"""The sidebars' event stream, ``GET /api/events/stream`` (SSE), and the event hub behind it.

EventSource cannot send headers, so the stream (and only the stream) also accepts the agent's token
as ``?token=``; it is checked through the Directory exactly like the bearer header.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from aiohttp import web

from assistant import keys
from assistant.errors import FieldError, Unauthorized
from assistant.event_log import parse_event_id
from assistant.events import EventHub, sse_frame
from assistant.security import bearer_token
from knowledge.models import Agent

HEARTBEAT_SECONDS = 15.0


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
