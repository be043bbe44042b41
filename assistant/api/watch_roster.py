"""Who takes whom: take-over claims, an agent's presence, the team roster and the rotation."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial

from aiohttp import web

from assistant import keys
from assistant.api.io import body_of, ok, path_int, query_of
from assistant.api.shops import resolve_shop
from assistant.api.watch_models import (
    ClaimIn,
    ClaimOut,
    PresenceIn,
    PresenceOut,
    RosterOut,
    RosterQuery,
    RosterRow,
    RotationIn,
)
from assistant.errors import Conflict, FieldError, NotFound
from assistant.security import current_agent
from assistant.team import roster, store
from assistant.team.board import Presence


async def claim(request: web.Request) -> web.Response:
    """我来接: take a waiting conversation. One open claim per conversation; a second gets 409 naming
    the holder. The agent whose console it was on is told over their sidebar stream."""
    agent = current_agent(request)
    body = body_of(request, ClaimIn)
    shop_id = resolve_shop(request, agent, body.shop)
    board = request.app[keys.WATCH]
    clock = board.clocks.get((shop_id, body.conversation))
    if clock is None:
        raise NotFound.field("conversation", f"今天没有会话 {body.conversation} 的消息")
    now = datetime.now(UTC)

    try:
        made = await request.app[keys.WATCH_CLAIMS].claim(
            shop_id=shop_id,
            conversation=body.conversation,
            buyer_nick=clock.buyer,
            agent_id=agent.id,
            from_agent_id=clock.agent_id if clock.agent_id != agent.id else None,
            at=now,
        )
    except store.ClaimTaken as taken:
        holder = taken.holder
        raise Conflict(
            f"{holder.agent_name} 已经接了这位买家（{holder.buyer_nick}），不用重复回复",
            [FieldError("conversation", f"已由 {holder.agent_name} 接手")],
            extra={
                "holder": {
                    "agent_id": holder.agent_id,
                    "name": holder.agent_name,
                    "claimed_at": holder.claimed_at.isoformat(),
                }
            },
        ) from None
    previous = clock.agent_id
    board.assign(shop_id, body.conversation, agent.id)
    if previous is not None and previous != agent.id:
        request.app[keys.EVENTS].notify(
            {previous},
            "conversation.taken",
            {
                "shop_id": shop_id,
                "conversation": body.conversation,
                "buyer": clock.buyer,
                "by": agent.name,
                "at": now.isoformat(),
            },
        )
    return ok(
        ClaimOut(
            id=made.id,
            shop_id=made.shop_id,
            conversation=made.conversation,
            buyer=made.buyer_nick,
            agent_id=made.agent_id,
            agent_name=made.agent_name,
            from_agent_id=made.from_agent_id,
            claimed_at=made.claimed_at,
        )
    )


async def set_presence(request: web.Request) -> web.Response:
    """The sidebar reports (or the agent sets) online / busy / away."""
    agent = current_agent(request)
    body = body_of(request, PresenceIn)
    now = datetime.now(UTC)
    request.app[keys.WATCH].set_presence(agent.id, Presence(body.state), now)
    return ok(PresenceOut(state=body.state, since=now))


async def roster_view(request: web.Request) -> web.Response:
    """Every agent of the caller's shops with their rotation group and shift that day (08:30–17:30 or
    17:30–00:30, swapped on the 16th)."""
    caller = current_agent(request)
    query = query_of(request, RosterQuery)
    board = request.app[keys.WATCH]
    day = query.day or datetime.now(board.tz).date()
    groups = await request.app[keys.DB].read(store.rotation_groups)
    now = datetime.now(UTC)
    rows = []
    for member in sorted(request.app[keys.DIRECTORY].agents.values(), key=lambda a: a.id):
        if not set(member.shop_ids) & set(caller.shop_ids):
            continue
        group = groups.get(member.id, roster.default_group(member.id))
        shift = roster.shift_for(group, day)
        starts, ends = roster.window(shift, day, board.tz)
        rows.append(
            RosterRow(
                agent_id=member.id,
                name=member.name,
                rotation=group,
                shift=shift.name,
                starts=starts,
                ends=ends,
                on_now=starts <= now < ends,
            )
        )
    return ok(RosterOut(day=day, agents=rows))


async def set_rotation(request: web.Request) -> web.Response:
    """Put an agent in rotation group A or B (audited)."""
    caller = current_agent(request)
    agent_id = path_int(request, "agent_id")
    body = body_of(request, RotationIn)
    member = request.app[keys.DIRECTORY].agents.get(agent_id)
    if member is None or not set(member.shop_ids) & set(caller.shop_ids):
        raise NotFound.field("agent_id", f"你的店铺里没有客服 {agent_id}")
    await request.app[keys.DB].write(
        partial(
            store.set_rotation, agent_id=agent_id, rotation=body.rotation, by=caller.id, at=datetime.now(UTC)
        )
    )
    request.app[keys.WATCH].touch()
    return await roster_view(request)
