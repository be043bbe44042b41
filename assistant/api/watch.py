"""The response watch: who is waiting (``/api/watch``), the team's wall, take-over claims, presence,
the emergency switch and the auto-reply to propose. Thin: the clock is ``assistant.team``."""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

import sqlite_utils
from aiohttp import web
from pydantic import Field, StringConstraints

from assistant import keys
from assistant.api.commerce import shop_of
from assistant.api.io import QueryId, ok, path_int, read_json, read_query
from assistant.api.knowledge import build_context, campaign_context
from assistant.conversations.models import Direction, LoggedMessage, MessageSource, NewMessage
from assistant.errors import BadRequest, Conflict, FieldError, Forbidden, NotFound
from assistant.events import sse_frame
from assistant.security import current_agent
from assistant.settings import Settings
from assistant.team import roster, store
from assistant.team.board import KEEP, Board, Presence, WaitingBuyer
from assistant.team.watch import DayFigures, Message, Rules, Source
from knowledge.models import Id, Model, Role, ScriptKind
from knowledge.templates import TemplateProblem, render

STREAM_HEARTBEAT = 15.0
STREAM_COALESCE = 0.1  # at most ten wall frames a second per supervisor
ConversationId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


# ---- models --------------------------------------------------------------------------------------


class ShopQuery(Model):
    shop: QueryId | None = Field(None, description="shop id; default: every shop the caller is logged into")


class WaitingOut(Model):
    shop_id: int
    conversation: str
    buyer: str
    agent_id: int | None
    since: datetime
    waited_s: int
    mark: Literal["none", "nudge", "escalate", "missed", "limit"]
    buyer_messages: int
    claimed_by: str | None = None


class TodayOut(Model):
    rate: float | None = Field(description="3-minute rate of today's decided turns (0-1)")
    counted: int
    within: int
    pending: int = Field(description="open turns still under 180 s")
    rate_if_answered_now: float | None = Field(
        description="the rate if every pending buyer were answered now"
    )
    mean_response_s: float | None = Field(description="human response time, each turn capped at 10 minutes")


class MarksOut(Model):
    nudge_s: int
    escalate_s: int
    missed_s: int
    limit_s: int


class EmergencyOut(Model):
    id: int
    shop_id: int
    reason: str
    auto_reply: str
    script_id: int | None
    started_by_name: str
    started_at: datetime
    ended_by_name: str | None = None
    ended_at: datetime | None = None


class WatchOut(Model):
    waiting: list[WaitingOut]
    count: int
    longest_s: int
    today: TodayOut
    marks: MarksOut
    presence: Literal["online", "busy", "away"] | None
    on_shift: bool = Field(description="the roster has the caller on shift now; off shift counts as away")
    emergencies: list[EmergencyOut]


class AgentRow(Model):
    agent_id: int
    name: str
    login: str
    presence: Literal["online", "busy", "away"] | None
    shift: str = Field(description="the agent's shift today (or the next one when off): 早班 or 晚班")
    on_shift: bool
    open_conversations: int
    waiting: int
    oldest_s: int
    today: TodayOut


class ShopRow(Model):
    shop_id: int
    name: str
    waiting: int
    escalated: list[WaitingOut] = Field(description="buyers past the escalation mark, longest first")
    today: TodayOut


class TeamOut(Model):
    at: datetime
    agents: list[AgentRow]
    shops: list[ShopRow]
    marks: MarksOut
    emergencies: list[EmergencyOut]


class ClaimIn(Model):
    shop: Id
    conversation: ConversationId


class ClaimOut(Model):
    id: int
    shop_id: int
    conversation: str
    buyer: str
    agent_id: int
    agent_name: str
    from_agent_id: int | None
    claimed_at: datetime


class PresenceIn(Model):
    state: Literal["online", "busy", "away"]


class PresenceOut(Model):
    state: Literal["online", "busy", "away"]
    since: datetime


class EmergencyIn(Model):
    shop: Id
    on: bool = Field(description="true switches the emergency on, false off")
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = Field(
        "", description="what happened (required to switch on): 支付故障, 库存显示错误…"
    )
    auto_reply: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = Field(
        None,
        description="the auto-reply every agent proposes meanwhile; default: the campaign's emergency script",
    )


class EmergencyState(Model):
    shop_id: int
    on: bool
    current: EmergencyOut | None
    timeline: list[EmergencyOut]


class AutoReplyQuery(Model):
    shop: QueryId | None = None
    buyer: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)] | None = (
        Field(None, description="the buyer's nick, to fill the reply's variables")
    )


class AutoReplyOut(Model):
    text: str | None = Field(description="the reply to propose; null when the shop has none")
    source: Literal["emergency", "campaign", "none"]
    campaign: str | None = None


# ---- start-up and the feed -------------------------------------------------------------------------


def rules_from(settings: Settings) -> Rules:
    return Rules(
        answered_within_s=settings.watch_missed_seconds,
        nudge_s=settings.watch_nudge_seconds,
        escalate_s=settings.watch_escalate_seconds,
        limit_s=settings.watch_limit_seconds,
        assist_bot_counts=settings.watch_assist_bot_counts,
    )


def as_message(logged: NewMessage) -> Message:
    source = Source(logged.source.value) if logged.source else Source.HUMAN
    return Message(logged.at, logged.direction is Direction.IN, source, str(logged.agent_id or ""))


async def watch_ctx(app: web.Application) -> AsyncIterator[None]:
    """Fill the board from the last day and a half of the conversation log; load the switch."""
    settings = app[keys.SETTINGS]
    board = Board(rules_from(settings), ZoneInfo(settings.timezone))
    now = datetime.now(UTC)
    log = app[keys.CONVERSATIONS]
    for shop_id in app[keys.DIRECTORY].shops:
        for logged in await log.shop_messages(shop_id, now - KEEP, now + timedelta(days=1)):
            board.observe(
                logged.shop_id, logged.conversation, logged.buyer_nick, logged.agent_id, as_message(logged)
            )
    app[keys.WATCH] = board
    app[keys.EMERGENCIES] = store.Switches(await app[keys.DB].read(store.active_emergencies))
    yield


async def observe(app: web.Application, message: LoggedMessage) -> None:
    """A message was logged: move the clock; a holder's human reply releases their claim."""
    board = app[keys.WATCH]
    owner = message.agent_id if message.direction is Direction.OUT or message.agent_id else None
    board.observe(message.shop_id, message.conversation, message.buyer_nick, owner, as_message(message))
    day = message.at.astimezone(board.tz).date()
    if day < datetime.now(board.tz).date():  # a late message: that day's KPI figures are worked out again
        await app[keys.DB].write(partial(store.forget_day, shop_id=message.shop_id, day=day))
    if message.direction is Direction.OUT and message.source is MessageSource.HUMAN and message.agent_id:
        agent_id = message.agent_id
        await app[keys.DB].write(
            lambda db: store.release_claims(
                db, message.shop_id, message.conversation, message.at, "answered", agent_id
            )
        )


def trim_board(app: web.Application) -> int:
    return app[keys.WATCH].trim(datetime.now(UTC))


# ---- reads -----------------------------------------------------------------------------------------


def _today(figures: DayFigures) -> TodayOut:
    return TodayOut(
        rate=figures.rate,
        counted=figures.counted,
        within=figures.within,
        pending=figures.pending,
        rate_if_answered_now=figures.rate_if_answered_now,
        mean_response_s=figures.mean_response_s,
    )


def _marks(rules: Rules) -> MarksOut:
    return MarksOut(
        nudge_s=rules.nudge_s,
        escalate_s=rules.escalate_s,
        missed_s=rules.answered_within_s,
        limit_s=rules.limit_s,
    )


def _waiting(found: list[WaitingBuyer], claims: dict[tuple[int, str], store.Claim]) -> list[WaitingOut]:
    return [
        WaitingOut(
            shop_id=w.shop_id,
            conversation=w.conversation,
            buyer=w.buyer,
            agent_id=w.agent_id,
            since=w.since,
            waited_s=int(w.waited_s),
            mark=w.mark.value,
            buyer_messages=w.buyer_messages,
            claimed_by=held.agent_name if (held := claims.get((w.shop_id, w.conversation))) else None,
        )
        for w in found
    ]


def _emergency_out(emergency: store.Emergency) -> EmergencyOut:
    return EmergencyOut.model_validate(emergency.model_dump(include=set(EmergencyOut.model_fields)))


def _emergencies(app: web.Application, shop_ids: set[int]) -> list[EmergencyOut]:
    return [_emergency_out(e) for e in app[keys.EMERGENCIES].on if e.shop_id in shop_ids]


async def _claims(app: web.Application, shop_ids: list[int]) -> dict[tuple[int, str], store.Claim]:
    found = await app[keys.DB].read(lambda db: store.open_claims(db, shop_ids))
    return {(c.shop_id, c.conversation): c for c in found}


def _shops(request: web.Request, shop: int | None) -> list[int]:
    agent = current_agent(request)
    return [shop_of(request, agent, shop)] if shop else list(agent.shop_ids)


async def my_watch(request: web.Request) -> web.Response:
    """The caller's waiting buyers, longest first, today's figures and any emergency on."""
    agent = current_agent(request)
    query = read_query(request, ShopQuery)
    shop_ids = _shops(request, query.shop)
    board = request.app[keys.WATCH]
    now = datetime.now(UTC)
    found = board.waiting(now, shop_ids, agent.id)
    claims = await _claims(request.app, shop_ids)
    groups = await request.app[keys.DB].read(store.rotation_groups)
    shift = roster.current(groups.get(agent.id, roster.default_group(agent.id)), now, board.tz)
    return ok(
        WatchOut(
            waiting=_waiting(found, claims),
            count=len(found),
            longest_s=int(found[0].waited_s) if found else 0,
            today=_today(board.today(now, shop_ids, agent.id)),
            marks=_marks(board.rules),
            presence=p.value if (p := board.presence_of(agent.id)) else None,
            on_shift=shift.now_on,
            emergencies=_emergencies(request.app, set(shop_ids)),
        )
    )


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
    query = read_query(request, ShopQuery)
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
    from assistant.api.events import stream_agent

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


# ---- writes ----------------------------------------------------------------------------------------


async def claim(request: web.Request) -> web.Response:
    """我来接: take a waiting conversation. One open claim per conversation; a second gets 409 naming
    the holder. The agent whose console it was on is told over their sidebar stream."""
    agent = current_agent(request)
    body = await read_json(request, ClaimIn)
    shop_id = shop_of(request, agent, body.shop)
    board = request.app[keys.WATCH]
    clock = board.clocks.get((shop_id, body.conversation))
    if clock is None:
        raise NotFound.field("conversation", f"今天没有会话 {body.conversation} 的消息")
    now = datetime.now(UTC)

    def write(db: sqlite_utils.Database) -> store.Claim:
        return store.insert_claim(
            db,
            shop_id=shop_id,
            conversation=body.conversation,
            buyer_nick=clock.buyer,
            agent_id=agent.id,
            from_agent_id=clock.agent_id if clock.agent_id != agent.id else None,
            at=now,
        )

    try:
        made = await request.app[keys.DB].write(write)
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
    body = await read_json(request, PresenceIn)
    now = datetime.now(UTC)
    request.app[keys.WATCH].set_presence(agent.id, Presence(body.state), now)
    return ok(PresenceOut(state=body.state, since=now))


async def emergency_state(request: web.Request) -> web.Response:
    """Whether the shop's emergency switch is on, and its timeline (newest first)."""
    agent = current_agent(request)
    return await emergency_state_for(request, shop_of(request, agent, read_query(request, ShopQuery).shop))


async def _campaign_script(
    request: web.Request, shop_id: int, kinds: tuple[ScriptKind, ...], buyer: str | None = None
) -> tuple[str | None, int | None, str | None]:
    """The running campaign's first script of the first kind found, rendered for the buyer: its text,
    id and the campaign's name (a script that cannot render is passed over)."""
    agent = current_agent(request)
    context, _, campaigns = await build_context(
        request, agent, shop_id, buyer=buyer, item_id=None, order_id=None
    )
    for kind in kinds:
        for campaign in campaigns:
            context["campaign"] = campaign_context(campaign)
            for script in campaign.scripts:
                if script.kind is not kind:
                    continue
                try:
                    rendered = await request.app[keys.TEMPLATES].run(render, script.body, context)
                except TemplateProblem:
                    continue
                return rendered.text, script.id, campaign.name
    return None, None, None


async def switch_emergency(request: web.Request) -> web.Response:
    """One supervisor action: swap every agent's auto-reply and pin the emergency script in every
    sidebar of the shop (or switch it off); audited."""
    agent = current_agent(request)
    body = await read_json(request, EmergencyIn)
    shop_id = shop_of(request, agent, body.shop)
    now = datetime.now(UTC)
    db = request.app[keys.DB]
    if body.on:
        if not body.reason:
            raise BadRequest.field("reason", "打开应急开关时请写明发生了什么，例如：支付故障")
        text, script_id, _ = await _campaign_script(request, shop_id, (ScriptKind.EMERGENCY,))
        auto_reply = body.auto_reply or text
        if not auto_reply:
            raise BadRequest.field("auto_reply", "当前活动没有应急话术：请写下这段时间的自动回复")
        try:
            await db.write(
                lambda conn: store.start_emergency(
                    conn,
                    shop_id=shop_id,
                    reason=body.reason,
                    auto_reply=auto_reply,
                    script_id=script_id if not body.auto_reply else None,
                    agent_id=agent.id,
                    at=now,
                )
            )
        except store.AlreadyOn as on:
            raise Conflict(
                f"应急开关已经打开（{on.current.started_by_name}：{on.current.reason}）",
                [FieldError("on", "已经打开")],
                extra={"current": _emergency_out(on.current).model_dump(mode="json")},
            ) from None
    else:
        ended = await db.write(
            lambda conn: store.end_emergency(conn, shop_id=shop_id, agent_id=agent.id, at=now)
        )
        if ended is None:
            raise Conflict("应急开关本来就是关着的", [FieldError("on", "没有打开的应急")])
    request.app[keys.EMERGENCIES].on = await db.read(store.active_emergencies)
    request.app[keys.WATCH].touch()
    members = {m.id for m in request.app[keys.DIRECTORY].agents.values() if shop_id in m.shop_ids}
    request.app[keys.EVENTS].notify(members, "emergency", {"shop_id": shop_id, "on": body.on})
    return await emergency_state_for(request, shop_id)


async def emergency_state_for(request: web.Request, shop_id: int) -> web.Response:
    timeline = await request.app[keys.DB].read(lambda db: store.emergency_timeline(db, shop_id))
    current = next((e for e in timeline if e.ended_at is None), None)
    return ok(
        EmergencyState(
            shop_id=shop_id,
            on=current is not None,
            current=_emergency_out(current) if current else None,
            timeline=[_emergency_out(e) for e in timeline],
        )
    )


async def auto_reply(request: web.Request) -> web.Response:
    """The auto-reply to propose on a buyer's first message: the emergency's while the switch is on,
    else the running campaign's (carrying its offer), never a bare greeting."""
    agent = current_agent(request)
    query = read_query(request, AutoReplyQuery)
    shop_id = shop_of(request, agent, query.shop)
    on = next((e for e in request.app[keys.EMERGENCIES].on if e.shop_id == shop_id), None)
    if on is not None:
        return ok(AutoReplyOut(text=on.auto_reply, source="emergency"))
    text, _, campaign = await _campaign_script(
        request, shop_id, (ScriptKind.AUTO_REPLY, ScriptKind.WELCOME), query.buyer
    )
    if text is None:
        return ok(AutoReplyOut(text=None, source="none"))
    return ok(AutoReplyOut(text=text, source="campaign", campaign=campaign))


# ---- the roster --------------------------------------------------------------------------------------


class RosterQuery(Model):
    day: date | None = Field(None, description="the day (default today, in the shop's time zone)")


class RosterRow(Model):
    agent_id: int
    name: str
    rotation: Literal["A", "B"]
    shift: str
    starts: datetime
    ends: datetime
    on_now: bool


class RosterOut(Model):
    day: date
    agents: list[RosterRow]


class RotationIn(Model):
    rotation: Literal["A", "B"]


async def roster_view(request: web.Request) -> web.Response:
    """Every agent of the caller's shops with their rotation group and shift that day (08:30–17:30 or
    17:30–00:30, swapped on the 16th)."""
    caller = current_agent(request)
    query = read_query(request, RosterQuery)
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
    body = await read_json(request, RotationIn)
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
