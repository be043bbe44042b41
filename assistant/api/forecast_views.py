"""The event-day forecast and staffing: consultations from last year's ratio (typed in or read from
the log), the hour curve, agents per shift at 80–120 a day against the roster, the hours short of
people and what the shortfall does to the 3-minute rate. Thin: the arithmetic is
``assistant.team.forecast``; the models are ``forecast_models``."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from aiohttp import web

from assistant import keys
from assistant.api.forecast_models import ForecastIn, ForecastOut, HourOut, InputsOut, InputsQuery, ShiftOut
from assistant.api.io import body_of, ok, query_of
from assistant.api.shops import resolve_shop
from assistant.conversations.models import Direction
from assistant.security import current_agent
from assistant.team import forecast as fc
from assistant.team import roster, store
from assistant.team.reports import Figures, add
from assistant.web import charts
from assistant.web.i18n import pick_lang
from assistant.web.strings import reports as words
from knowledge.models import Role

# A typical day of a Tmall shop's consultations by clock hour (shares), used when there is no history.
TYPICAL_CURVE: dict[int, float] = {
    0: 3,
    1: 1,
    2: 0.5,
    3: 0.3,
    4: 0.2,
    5: 0.3,
    6: 0.8,
    7: 2,
    8: 4,
    9: 6,
    10: 7,
    11: 6.5,
    12: 5,
    13: 5.5,
    14: 6,
    15: 6,
    16: 5.5,
    17: 5,
    18: 5,
    19: 6,
    20: 7.5,
    21: 8,
    22: 6.5,
    23: 4.5,
}


async def hour_curve(app: web.Application, shop_id: int) -> dict[int, float] | None:
    """The share of the buyers' messages per clock hour over the shop's last 28 days (None: no history)."""
    tz = ZoneInfo(app[keys.SETTINGS].timezone)
    now = datetime.now(UTC)
    messages = await app[keys.CONVERSATIONS].shop_messages(
        shop_id, now - timedelta(days=28), now, direction=Direction.IN
    )
    if len(messages) < 50:
        return None
    curve: dict[int, float] = {}
    for m in messages:
        hour = m.at.astimezone(tz).hour
        curve[hour] = curve.get(hour, 0) + 1
    return curve


async def recent_rate(app: web.Application, shop_id: int) -> float | None:
    """The shop's 3-minute rate over the last 28 precomputed days."""
    today = datetime.now(ZoneInfo(app[keys.SETTINGS].timezone)).date()
    rows = await app[keys.DB].read(
        partial(store.daily_rows, shop_ids=[shop_id], start=today - timedelta(days=28), end=today)
    )
    total = Figures(0, shop_id)
    for r in rows:
        add(total, Figures.of_counts(r.agent_id, r.shop_id, r.figures))
    return total.metrics["rate_3min"]


async def shop_roster(app: web.Application, shop_id: int, day: date) -> dict[str, int]:
    """Agents of the shop (agents and supervisors who chat) per shift on ``day`` by their rotation group."""
    groups = await app[keys.DB].read(store.rotation_groups)
    counts: dict[str, int] = {}
    for member in app[keys.DIRECTORY].agents.values():
        if shop_id not in member.shop_ids or member.role not in (Role.AGENT, Role.SUPERVISOR):
            continue
        shift = roster.shift_for(groups.get(member.id, roster.default_group(member.id)), day)
        counts[shift.name] = counts.get(shift.name, 0) + 1
    return counts


async def forecast(request: web.Request) -> web.Response:
    """Event-day consultations = this October's daily average × (last year's event day ÷ last October's
    daily average); agents at 120 and 80 a day; split by shift along the hour curve, against the roster."""
    caller = current_agent(request)
    body = body_of(request, ForecastIn)
    app = request.app
    got = fc.forecast(body.this_october_daily, body.last_event_day, body.last_october_daily)
    shop_id = resolve_shop(request, caller, body.shop) if body.shop else None
    curve = await hour_curve(app, shop_id) if shop_id else None
    rate_now = await recent_rate(app, shop_id) if shop_id else None
    tz = ZoneInfo(app[keys.SETTINGS].timezone)
    day = body.day or date(datetime.now(tz).year, 11, 11)
    plan: dict[str, int] = {}
    roster_from = "none"
    if body.agents is not None:
        per_shift = body.agents // len(fc.SHIFTS)
        plan = {s.name: per_shift + (i < body.agents % len(fc.SHIFTS)) for i, s in enumerate(fc.SHIFTS)}
        roster_from = "typed"
    elif shop_id:
        plan = await shop_roster(app, shop_id, day)
        roster_from = "roster"
    shares = curve or TYPICAL_CURVE
    shifts = fc.by_shift(got.consultations, shares, plan)
    hours = fc.by_hour(got.consultations, shares, plan)
    t = words.EN if pick_lang(request)[0] == "en" else words.ZH
    svg = charts.bar_chart(
        t["rc_forecast_curve"],
        [f"{h.hour:02d}" for h in hours],
        [round(h.consultations) for h in hours],
        width=760,
    )
    planned = sum(plan.values())
    return ok(
        ForecastOut(
            forecast=got.consultations,
            ratio=round(got.ratio, 4),
            agents_min=got.agents_min,
            agents_max=got.agents_max,
            verdict=fc.load_verdict(got.consultations, planned) if roster_from != "none" else None,
            curve_from="log" if curve else "typical",
            by_shift=[
                ShiftOut(
                    shift=n.shift,
                    share=round(n.share, 4),
                    consultations=n.consultations,
                    agents_min=n.agents_min,
                    agents_max=n.agents_max,
                    rostered=n.rostered,
                    short=n.short,
                    per_agent=round(n.consultations / n.rostered, 1) if n.rostered else None,
                    rate_3min_expected=round(fc.expected_rate(rate_now, n.consultations, n.rostered), 4),
                )
                for n in shifts
            ],
            hours=[
                HourOut(
                    hour=h.hour,
                    consultations=round(h.consultations, 1),
                    agents_needed=h.agents_needed,
                    on_shift=h.on_shift,
                )
                for h in hours
            ],
            hours_short=[h.hour for h in hours if h.agents_needed > h.on_shift]
            if roster_from != "none"
            else [],
            rate_3min_now=round(rate_now, 4) if rate_now is not None else None,
            roster_from=roster_from,
            curve_svg=svg,
        )
    )


async def _daily_consultations(app: web.Application, shop_id: int, start: date, end: date) -> dict[date, int]:
    """Consultations (conversations with a buyer message) per day of ``[start, end)`` in the log."""
    tz = ZoneInfo(app[keys.SETTINGS].timezone)
    since = datetime.combine(start, time(0), tzinfo=tz)
    until = datetime.combine(end, time(0), tzinfo=tz)
    messages = await app[keys.CONVERSATIONS].shop_messages(shop_id, since, until, direction=Direction.IN)
    seen: dict[date, set[str]] = {}
    for m in messages:
        seen.setdefault(m.at.astimezone(tz).date(), set()).add(m.conversation)
    return {d: len(c) for d, c in seen.items()}


async def forecast_inputs(request: web.Request) -> web.Response:
    """The forecast's three figures as the conversation log gives them (null where it has none)."""
    caller = current_agent(request)
    query = query_of(request, InputsQuery)
    shop_id = resolve_shop(request, caller, query.shop)
    app = request.app
    year = query.year or datetime.now(ZoneInfo(app[keys.SETTINGS].timezone)).year

    async def october(y: int) -> float | None:
        days = await _daily_consultations(app, shop_id, date(y, 10, 1), date(y, 11, 1))
        return round(sum(days.values()) / len(days), 1) if days else None

    event = await _daily_consultations(app, shop_id, date(year - 1, 11, 11), date(year - 1, 11, 12))
    return ok(
        InputsOut(
            this_october_daily=await october(year),
            last_october_daily=await october(year - 1),
            last_event_day=float(sum(event.values())) if event else None,
        )
    )
