"""Supervisor reports: the month's figures per agent, worked out from the log and the orders (the
hourly job stores the days; a period reads them, the days still open live). The handlers of the KPI
report and the month close are ``reports_views``, the forecast ``forecast_views``. Thin: the
arithmetic is ``assistant.team.kpi`` / ``reports``; the models are ``reports_models``."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from aiohttp import web
from pydantic import Field

from assistant import keys
from assistant.api.kpi_scores import AgentKpi, extra_metrics, score_agents, with_levels
from assistant.api.reports_models import Period
from assistant.api.shops import shop_scope
from assistant.api.watch import rules_from
from assistant.conversations.models import Direction
from assistant.errors import BadRequest
from assistant.security import current_agent
from assistant.team import kpi_store, store
from assistant.team.periods import month_range, period_range
from assistant.team.reports import (
    ADDITIVE,
    SETTLE_FINAL,
    Evaluation,
    Figures,
    LogLine,
    PaidOrder,
    add,
    daily_figures,
    late_days,
)
from assistant.team.watch import Source
from knowledge.models import Id, Model


class CloseIn(Model):
    period: Period = Field(description="the month to close, YYYY-MM (after it ended)")
    shop: Id | None = None


def _month(period: str) -> tuple[date, date]:
    return month_range(period)


def parse_period(period: str) -> tuple[date, date, str]:
    try:
        return period_range(period)
    except ValueError:
        raise BadRequest.field("period", f"{period} 不是有效的日期或周") from None


async def compute(
    app: web.Application, period: str, shop_ids: list[int], saved: kpi_store.Saved
) -> list[AgentKpi]:
    """The period's rows with score, bonus and explanation, and each agent's level."""
    start, end, kind = parse_period(period)
    found = await month_figures(app, shop_ids, start, end)
    extra = await extra_metrics(app, shop_ids, start, end)
    rows = score_agents(app, found, shop_ids, saved.config, kind, extra)
    return await with_levels(app, rows, start, shop_ids, saved)


async def _inputs(
    app: web.Application, shop_ids: list[int], start: date, end: date, lookback_days: int | None = None
) -> tuple[list[LogLine], list[PaidOrder]]:
    """The log lines and paid orders the figures of days ``[start, end)`` depend on: from the attribution
    window before them to the final settle delay after."""
    tz = ZoneInfo(app[keys.SETTINGS].timezone)
    if lookback_days is None:
        lookback_days = app[keys.SETTINGS].kpi_attribution_days
    since = datetime.combine(start, time(0), tzinfo=tz) - timedelta(days=lookback_days)
    until = datetime.combine(end, time(0), tzinfo=tz) + timedelta(days=SETTLE_FINAL + 1)
    lines: list[LogLine] = []
    for shop_id in shop_ids:
        for m in await app[keys.CONVERSATIONS].shop_messages(shop_id, since, until):
            source = Source(m.source.value) if m.source else Source.HUMAN
            lines.append(
                LogLine(
                    m.shop_id,
                    m.conversation,
                    m.buyer_nick,
                    m.at,
                    m.direction is Direction.IN,
                    m.agent_id,
                    source,
                )
            )
    rows = await app[keys.DB].read(lambda db: store.paid_orders(db, shop_ids, since, until))
    return lines, [
        PaidOrder(r.shop_id, r.buyer, r.created_at, r.paid_at, r.amount_fen, r.items, r.promoted_items)
        for r in rows
    ]


async def evaluations_of(
    app: web.Application, shop_ids: list[int], start: date, end: date
) -> list[Evaluation]:
    """The service evaluations invited or rated on days ``[start, end)``."""
    tz = ZoneInfo(app[keys.SETTINGS].timezone)
    since, until = datetime.combine(start, time(0), tzinfo=tz), datetime.combine(end, time(0), tzinfo=tz)
    rows = await app[keys.DB].read(partial(kpi_store.evaluations, shop_ids=shop_ids, start=since, end=until))
    return [Evaluation(r.shop_id, r.agent_id, r.invited_at, r.rating, r.rated_at) for r in rows]


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days)]


async def month_figures(
    app: web.Application, shop_ids: list[int], start: date, end: date
) -> dict[tuple[int, int], Figures]:
    """Per (agent, shop): the sum of the precomputed days, and the days not computed yet (today)
    worked out now."""
    settings = app[keys.SETTINGS]
    tz = ZoneInfo(settings.timezone)
    today = datetime.now(tz).date()
    found: dict[tuple[int, int], Figures] = {}

    def into(agent_id: int, shop_id: int, part: Figures) -> None:
        add(found.setdefault((agent_id, shop_id), Figures(agent_id, shop_id)), part)

    for shop_id in shop_ids:
        done = await app[keys.DB].read(partial(store.computed_days, shop_id=shop_id, start=start, end=end))
        rows = await app[keys.DB].read(partial(store.daily_rows, shop_ids=[shop_id], start=start, end=end))
        for r in rows:
            if r.day in done:  # (a day being recomputed right now is left to the live figures below)
                into(r.agent_id, r.shop_id, Figures.of_counts(r.agent_id, r.shop_id, r.figures))
        missing = [d for d in _days(start, min(end, today + timedelta(days=1))) if d not in done]
        if missing:
            first, last = missing[0], missing[-1] + timedelta(days=1)
            # only today missing (the usual case): its orders are attributed from today's chats until the
            # hourly job stores the day with the whole 30-day window, so a report stays well under a second
            lookback = 0 if first >= today else settings.kpi_attribution_days
            live = await _live_days(app, shop_id, first, last, tz, lookback)
            for (agent_id, row_shop, day), part in live.items():
                if day in missing:
                    into(agent_id, row_shop, part)
    return found


async def _live_days(
    app: web.Application, shop_id: int, first: date, last: date, tz: ZoneInfo, lookback: int | None
) -> dict[tuple[int, int, date], Figures]:
    """A shop's figures per agent and day in ``[first, last)`` worked out from the log and the orders
    (minutes of work on a big shop: in a thread, never on the event loop)."""
    settings = app[keys.SETTINGS]
    lines, orders = await _inputs(app, [shop_id], first, last, lookback)
    rated = await evaluations_of(app, [shop_id], first, last)
    return await asyncio.to_thread(
        partial(daily_figures, evaluations=rated),
        lines,
        orders,
        first,
        last,
        tz,
        rules_from(settings),
        settings.kpi_attribution_days,
    )


async def aggregate_days(app: web.Application, backfill_days: int = 62) -> int:
    """The hourly job: recompute the days whose figures can still move (the last ``SETTLE_FINAL + 1``,
    while payments settle) and any day of the last two months never computed; idempotent."""
    settings = app[keys.SETTINGS]
    tz = ZoneInfo(settings.timezone)
    today = datetime.now(tz).date()
    written = 0
    window_start = today - timedelta(days=backfill_days)
    for shop_id in sorted(app[keys.DIRECTORY].shops):
        done = await app[keys.DB].read(
            partial(store.computed_days, shop_id=shop_id, start=window_start, end=today)
        )
        fresh = today - timedelta(days=SETTLE_FINAL + 1)
        days = [d for d in _days(window_start, today) if d >= fresh or d not in done]
        if not days:
            continue
        first, last = days[0], days[-1] + timedelta(days=1)
        read_since = datetime.now(UTC)  # a message logged from now on may be missing from what is read
        live = await _live_days(app, shop_id, first, last, tz, None)
        rows = {
            (agent_id, day): {name: getattr(f, name) for name in ADDITIVE}
            for (agent_id, _, day), f in live.items()
            if day in days
        }
        # checked just before the write: a message received in between is counted by the next run's
        # recomputation of the still-moving days, not lost from a day marked computed
        late = await late_days(app[keys.CONVERSATIONS], shop_id, days, read_since, tz)
        written += await app[keys.DB].write(
            partial(
                store.replace_days, shop_id=shop_id, days=days, rows=rows, at=datetime.now(UTC), late=late
            )
        )
    return written


def _shop_ids(request: web.Request, shop: int | None) -> list[int]:
    return shop_scope(request, current_agent(request), shop)
