"""The team's wall: one snapshot of every waiting conversation of the supervisor's shops, and its event
stream (frames shared by every supervisor watching)."""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from datetime import UTC, datetime

from aiohttp import web

from assistant import keys
from assistant.api.io import ok, query_of
from assistant.api.watch import ShopQuery, _claims, _emergencies, _marks, _shops, _today, _waiting
from assistant.api.watch_models import AgentRow, ShopRow, TeamOut
from assistant.errors import FieldError, Forbidden
from assistant.events import sse_frame
from assistant.team import roster, store
from assistant.team.board import Board
from knowledge.models import Role

STREAM_HEARTBEAT = 15.0
STREAM_COALESCE = 0.1  # at most ten wall frames a second per supervisor


async def team_snapshot(app: web.Application, shop_ids: list[int]) -> TeamOut:
    board = app[keys.WATCH]
    directory = app[keys.DIRECTORY]
    now = datetime.now(UTC)
    claims = await _claims(app, shop_ids)
    groups = await app[keys.DB].read(store.rotation_groups)
    per_agent, per_shop = board.wall(now, shop_ids)
    members = {a.id for a in directory.agents.values() if set(a.shop_ids) & set(shop_ids)} | set(per_agent)
    rows = []
    for agent_id in sorted(members):
        member = directory.agents.get(agent_id)
        if member is None:
            continue
        figures = per_agent.get(agent_id)
        shift = roster.current(groups.get(agent_id, roster.default_group(agent_id)), now, board.tz)
        rows.append(
            AgentRow(
                agent_id=agent_id,
                name=member.name,
                login=member.login,
                shift=shift.shift,
                on_shift=shift.now_on,
                presence=p.value if (p := board.presence_of(agent_id)) else None,
                open_conversations=figures.open_conversations if figures else 0,
                waiting=figures.waiting if figures else 0,
                oldest_s=int(figures.oldest_s) if figures else 0,
                today=_today(figures.today if figures else board.today(now, [], agent_id)),
            )
        )
    rows.sort(key=lambda r: (-r.oldest_s, -r.waiting, r.agent_id))
    shops = []
    for shop_id in shop_ids:
        in_shop = per_shop[shop_id]
        shops.append(
            ShopRow(
                shop_id=shop_id,
                name=directory.shops[shop_id].name,
                waiting=in_shop.waiting,
                escalated=_waiting(list(in_shop.escalated), claims),
                today=_today(in_shop.today),
            )
        )
    return TeamOut(
        at=now,
        agents=rows,
        shops=shops,
        marks=_marks(board.rules),
        emergencies=_emergencies(app, set(shop_ids)),
    )


async def team_watch(request: web.Request) -> web.Response:
    """The supervisor's wall: every agent of the caller's shops, and per shop totals."""
    query = query_of(request, ShopQuery)
    return ok(await team_snapshot(request.app, _shops(request, query.shop)))


class WallFrames:
    """The wall's SSE frames, one per board version and set of shops, shared by every supervisor
    watching: five supervisors cost one snapshot per change, not five."""

    def __init__(self) -> None:
        self._made: dict[tuple[int, ...], tuple[int, bytes]] = {}
        self._making: dict[tuple[int, ...], asyncio.Future[tuple[int, bytes]]] = {}

    async def frame(self, app: web.Application, shop_ids: list[int]) -> tuple[int, bytes]:
        """The newest frame for these shops and the board version it shows."""
        key = tuple(sorted(shop_ids))
        version = app[keys.WATCH].version
        made = self._made.get(key)
        if made is not None and made[0] == version:
            return made
        making = self._making.get(key)
        if making is not None:  # another stream is making it: use that one (or make it, if it failed)
            await asyncio.wait({making})
            if not making.cancelled() and making.exception() is None:
                return making.result()
        future: asyncio.Future[tuple[int, bytes]] = asyncio.get_running_loop().create_future()
        self._making[key] = future
        try:
            snapshot = await team_snapshot(app, list(key))
            made = (version, sse_frame("team", snapshot.model_dump(mode="json")))
            self._made[key] = made
            future.set_result(made)
            return made
        finally:
            if not future.done():
                future.cancel()  # the maker failed or its stream closed: a waiter makes it again
            if self._making.get(key) is future:
                del self._making[key]


_FRAMES: weakref.WeakKeyDictionary[Board, WallFrames] = weakref.WeakKeyDictionary()


async def team_stream(request: web.Request) -> web.StreamResponse:
    """The wall over Server-Sent Events: a ``team`` snapshot at once and after every change (changes
    closer together than ``STREAM_COALESCE`` s share a frame)."""
    from assistant.api.event_stream import stream_agent

    agent = stream_agent(request)
    if agent.role.rank < Role.SUPERVISOR.rank:
        raise Forbidden("只有主管能看团队响应墙", [FieldError("token", "需要主管的令牌")])
    shop_ids = list(agent.shop_ids)
    board = request.app[keys.WATCH]
    if request.method == "HEAD":  # the headers a GET would get, and no stream to keep open
        return web.Response(
            headers={"Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-store"}
        )
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream; charset=utf-8",
            "Cache-Control": "no-store",
            "X-Accel-Buffering": "no",
        }
    )
    await response.prepare(request)
    frames = _FRAMES.setdefault(board, WallFrames())
    loop = asyncio.get_running_loop()
    with contextlib.suppress(ConnectionError, asyncio.CancelledError):
        await response.write(b"retry: 2000\n\n")
        while not request.app[keys.EVENTS].closed:
            sent_at = loop.time()
            seen, frame = await frames.frame(request.app, shop_ids)
            await response.write(frame)
            moved = await board.wait_change(seen, STREAM_HEARTBEAT)
            if moved == seen:
                await response.write(b": heartbeat\n\n")
            elif (rest := STREAM_COALESCE - (loop.time() - sent_at)) > 0:
                await asyncio.sleep(rest)  # a burst of changes: one frame for all of them
    return response
