"""The response watch: the board's wiring (``watch_ctx``, ``observe``) and who is waiting for the
caller (``/api/watch``). Thin: the clock is ``assistant.team``. The team's wall is ``watch_wall``,
claims, presence and the roster ``watch_roster``, the emergency switch ``watch_emergency``, the
models ``watch_models``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from aiohttp import web
from pydantic import Field

from assistant import keys
from assistant.api.io import QueryId, ok, query_of
from assistant.api.shops import shop_scope
from assistant.api.watch_models import EmergencyOut, MarksOut, TodayOut, WaitingOut, WatchOut
from assistant.conversations.models import Direction, LoggedMessage, MessageSource, NewMessage
from assistant.security import current_agent
from assistant.settings import Settings
from assistant.team import roster, store
from assistant.team.board import KEEP, Board, WaitingBuyer
from assistant.team.watch import DayFigures, Message, Rules, Source
from knowledge.models import Model

# ---- models --------------------------------------------------------------------------------------


class ShopQuery(Model):
    shop: QueryId | None = Field(None, description="shop id; default: every shop the caller is logged into")


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
        await app[keys.WATCH_CLAIMS].release(
            message.shop_id, message.conversation, message.at, "answered", agent_id
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
    found = await app[keys.WATCH_CLAIMS].open_claims(shop_ids)
    return {(c.shop_id, c.conversation): c for c in found}


def _shops(request: web.Request, shop: int | None) -> list[int]:
    return shop_scope(request, current_agent(request), shop)


async def my_watch(request: web.Request) -> web.Response:
    """The caller's waiting buyers, longest first, today's figures and any emergency on."""
    agent = current_agent(request)
    query = query_of(request, ShopQuery)
    shop_ids = _shops(request, query.shop)
    board = request.app[keys.WATCH]
    now = datetime.now(UTC)
    found = board.waiting(now, shop_ids, agent.id)
    claims, group = await asyncio.gather(  # both reads at once: this answers every sidebar every few seconds
        _claims(request.app, shop_ids),
        request.app[keys.DB].read(partial(store.rotation_of, agent_id=agent.id)),
    )
    shift = roster.current(group or roster.default_group(agent.id), now, board.tz)
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
