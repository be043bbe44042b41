"""What the supervisor's KPI and forecast tabs and the agent's own card read beyond the report: the
KPI settings (published to everyone, edited by supervisors), the agent's own score and level, the
charts (SVG drawn here) and the conversations behind a number; the exports are ``kpi_export``, the
models ``kpi_views_models``. Thin: the arithmetic is
``assistant.team``'s, the drawing ``assistant.web.charts``'."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Literal
from zoneinfo import ZoneInfo

from aiohttp import web
from pydantic import Field

from assistant import keys
from assistant.api.io import body_of, ok, query_of
from assistant.api.kpi_scores import extra_metrics, score_agents, settings_of
from assistant.api.kpi_views_models import (
    ChartsOut,
    ConversationOut,
    DrillOut,
    DrillQuery,
    MeOut,
    MeQuery,
    ReportQuery,
    SettingsIn,
    SettingsOut,
)
from assistant.api.reports import _inputs, _shop_ids, compute, month_figures, parse_period
from assistant.api.watch import rules_from
from assistant.errors import Conflict, FieldError, NotFound
from assistant.security import current_agent
from assistant.team import kpi_store, store
from assistant.team.drill import FILTERS, ConversationRow, conversation_rows, hour_weekday
from assistant.team.reports import Figures, add
from assistant.web import charts
from assistant.web.i18n import pick_lang
from assistant.web.strings import reports as words


async def get_settings(request: web.Request) -> web.Response:
    """The weights, targets, bonus bands and level criteria in force (published to every agent)."""
    saved = await settings_of(request.app)
    return ok(
        SettingsOut(version=saved.version, set_by=saved.set_by, set_at=saved.set_at, config=saved.config)
    )


async def put_settings(request: web.Request) -> web.Response:
    """Save the settings (audited); a closed month keeps the figures it was closed with."""
    caller = current_agent(request)
    body = body_of(request, SettingsIn)
    try:
        saved = await request.app[keys.DB].write(
            lambda db: kpi_store.save_kpi_settings(
                db, body.config, version=body.version, by=caller.id, at=datetime.now(UTC)
            )
        )
    except kpi_store.StaleVersion as stale:
        raise Conflict(
            f"考核设置已被别人改过（现在是第 {stale.current.version} 版）：请刷新后再改",
            [FieldError("version", "不是最新版本")],
        ) from None
    request.app[keys.KPI_HISTORY].clear()
    return ok(
        SettingsOut(version=saved.version, set_by=saved.set_by, set_at=saved.set_at, config=saved.config)
    )


async def my_kpi(request: web.Request) -> web.Response:
    """The caller's own score so far, its explanation, their level and what the next level needs."""
    caller = current_agent(request)
    query = query_of(request, MeQuery)
    tz = ZoneInfo(request.app[keys.SETTINGS].timezone)
    period = query.period or datetime.now(tz).strftime("%Y-%m")
    shop_ids = sorted(caller.shop_ids)
    rows = await compute(request.app, period, shop_ids, await settings_of(request.app))
    mine = next((r for r in rows if r.agent_id == caller.id), None)
    if mine is None:
        raise NotFound(f"{caller.name} 没有登录任何店铺，没有绩效", [FieldError("agent", "没有店铺")])
    return ok(MeOut(period=period, row=mine))


def _trend_days(start: date, end: date) -> tuple[date, date]:
    """A day's trend shows the 14 days up to it; a week or a month its own days."""
    return (end - timedelta(days=14), end) if (end - start).days == 1 else (start, end)


async def charts_view(request: web.Request) -> web.Response:
    query = query_of(request, ReportQuery)
    app = request.app
    t = words.EN if pick_lang(request)[0] == "en" else words.ZH
    shop_ids = _shop_ids(request, query.shop)
    start, end, kind = parse_period(query.period)
    saved = await settings_of(app)
    found = await month_figures(app, shop_ids, start, end)
    rows = score_agents(
        app, found, shop_ids, saved.config, kind, await extra_metrics(app, shop_ids, start, end)
    )
    first, last = _trend_days(start, end)
    daily = await app[keys.DB].read(partial(store.daily_rows, shop_ids=shop_ids, start=first, end=last))
    per_day: dict[date, Figures] = defaultdict(lambda: Figures(0, 0))
    for r in daily:
        add(per_day[r.day], Figures.of_counts(r.agent_id, r.shop_id, r.figures))
    days = [first + timedelta(days=n) for n in range((last - first).days)]

    def pct(metric: str) -> list[float | None]:
        out = []
        for d in days:
            value = per_day[d].metrics.get(metric) if d in per_day else None
            out.append(round(value * 100, 1) if value is not None else None)
        return out

    trend = charts.line_chart(
        t["rc_trend"],
        [d.strftime("%m-%d") for d in days],
        {t["rm_conversion"]: pct("conversion"), t["rm_rate_3min"]: pct("rate_3min")},
        y_max=100,
        unit="%",
    )
    scored = [r for r in rows if r.role != "editor"]
    bars = charts.bar_chart(
        t["rc_bars"],
        [r.agent for r in scored],
        [r.score for r in scored],
        y_max=100,
        marks=[(b.min_score, f"{b.min_score:g}") for b in saved.config.bands if b.min_score > 0],
        keys=[str(r.agent_id) for r in scored],  # a bar opens the agent's conversations (the page's drill)
    )
    tz = ZoneInfo(app[keys.SETTINGS].timezone)
    lines, _ = await _inputs(app, shop_ids, start, end, 0)
    grid = await asyncio.to_thread(hour_weekday, lines, start, end, tz)
    heat = charts.heatmap(t["rc_heatmap"], grid, t["rc_weekdays"].split(","), [f"{h:02d}" for h in range(24)])
    return ok(ChartsOut(trend=trend, bars=bars, heatmap=heat))


async def _conversations(
    request: web.Request, query: ReportQuery, agent: int | None
) -> list[ConversationRow]:
    app = request.app
    settings = app[keys.SETTINGS]
    start, end, _ = parse_period(query.period)
    # (a day back: a conversation begun before midnight belongs to the day it began)
    lines, orders = await _inputs(app, _shop_ids(request, query.shop), start, end, 1)
    tz = ZoneInfo(settings.timezone)
    rows = await asyncio.to_thread(
        conversation_rows, lines, orders, start, end, tz, rules_from(settings), datetime.now(UTC)
    )
    return [r for r in rows if agent is None or r.agent_id == agent]


def _out(request: web.Request, row: ConversationRow) -> ConversationOut:
    member = request.app[keys.DIRECTORY].agents.get(row.agent_id) if row.agent_id is not None else None
    return ConversationOut(
        shop_id=row.shop_id,
        conversation=row.conversation,
        buyer=row.buyer,
        agent_id=row.agent_id,
        agent=member.name if member else None,
        day=row.day,
        started=row.started.astimezone(ZoneInfo(request.app[keys.SETTINGS].timezone)),
        buyer_messages=row.buyer_messages,
        agent_messages=row.agent_messages,
        first_response_s=row.first_response_s,
        turns=row.turns,
        turns_within=row.turns_within,
        paid=row.paid,
        paid_yuan=f"{row.paid_fen / 100:.2f}",
    )


async def drill(request: web.Request) -> web.Response:
    """The conversations behind a number of the report: one agent's (or everyone's) in the period."""
    query = query_of(request, DrillQuery)
    rows = await _conversations(request, query, query.agent)
    matching = [r for r in rows if r.matches(query.filter)]
    return ok(
        DrillOut(
            total=len(matching),
            counts={f: sum(r.matches(f) for r in rows) for f in FILTERS},
            conversations=[_out(request, r) for r in matching[: query.limit]],
        )
    )


class ExportQuery(ReportQuery):
    rows: Literal["agent", "day", "conversation"] = Field(
        "agent", description="one row per agent, day or conversation"
    )
    format: Literal["csv", "xlsx"] = Field("csv", description="csv (UTF-8 with BOM) or xlsx")
