"""What the supervisor's KPI and forecast tabs and the agent's own card read beyond the report: the
KPI settings (published to everyone, edited by supervisors), the agent's own score and level, the
charts (SVG drawn here), the conversations behind a number and the exports. Thin: the arithmetic is
``assistant.team``'s, the drawing ``assistant.web.charts``'."""

from __future__ import annotations

import asyncio
import csv
import io
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Annotated, Literal
from urllib.parse import quote
from zoneinfo import ZoneInfo

from aiohttp import web
from pydantic import Field

from assistant import keys
from assistant.api.io import QueryId, ok, read_json, read_query
from assistant.api.kpi_scores import AgentKpi, extra_metrics, score_agents, settings_of
from assistant.api.reports import AnyPeriod, _inputs, _shop_ids, compute, month_figures, parse_period
from assistant.api.watch import rules_from
from assistant.errors import Conflict, FieldError, NotFound
from assistant.security import current_agent
from assistant.team import kpi_store, store
from assistant.team.drill import FILTERS, ConversationRow, conversation_rows, hour_weekday
from assistant.team.kpi_config import KpiConfig
from assistant.team.reports import Figures, add
from assistant.web import charts
from assistant.web.i18n import pick_lang
from assistant.web.strings import reports as words
from knowledge.models import Model
from quick_replies.transfer import CSV_MIME, XLSX_MIME

DRILL_LIMIT = 500


class SettingsOut(Model):
    version: int = Field(description="0 while the defaults were never saved")
    set_by: int | None
    set_at: str | None
    config: KpiConfig


class SettingsIn(Model):
    version: Annotated[int, Field(ge=0)] = Field(description="the version the editor saw (409 when stale)")
    config: KpiConfig


async def get_settings(request: web.Request) -> web.Response:
    """The weights, targets, bonus bands and level criteria in force (published to every agent)."""
    saved = await settings_of(request.app)
    return ok(
        SettingsOut(version=saved.version, set_by=saved.set_by, set_at=saved.set_at, config=saved.config)
    )


async def put_settings(request: web.Request) -> web.Response:
    """Save the settings (audited); a closed month keeps the figures it was closed with."""
    caller = current_agent(request)
    body = await read_json(request, SettingsIn)
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


class MeQuery(Model):
    period: AnyPeriod | None = Field(None, description="default: this month")


class MeOut(Model):
    period: str
    row: AgentKpi


async def my_kpi(request: web.Request) -> web.Response:
    """The caller's own score so far, its explanation, their level and what the next level needs."""
    caller = current_agent(request)
    query = read_query(request, MeQuery)
    tz = ZoneInfo(request.app[keys.SETTINGS].timezone)
    period = query.period or datetime.now(tz).strftime("%Y-%m")
    shop_ids = sorted(caller.shop_ids)
    rows = await compute(request.app, period, shop_ids, await settings_of(request.app))
    mine = next((r for r in rows if r.agent_id == caller.id), None)
    if mine is None:
        raise NotFound(f"{caller.name} 没有登录任何店铺，没有绩效", [FieldError("agent", "没有店铺")])
    return ok(MeOut(period=period, row=mine))


class ReportQuery(Model):
    period: AnyPeriod = Field(description="a month YYYY-MM, an ISO week YYYY-Www or a day YYYY-MM-DD")
    shop: QueryId | None = Field(None, description="one shop; default: every shop the caller is logged into")


class ChartsOut(Model):
    trend: str = Field(description="SVG: the team's conversion and 3-minute rate per day")
    bars: str = Field(description="SVG: each agent's score with the bonus bands")
    heatmap: str = Field(description="SVG: buyers' messages by weekday × clock hour")


def _trend_days(start: date, end: date) -> tuple[date, date]:
    """A day's trend shows the 14 days up to it; a week or a month its own days."""
    return (end - timedelta(days=14), end) if (end - start).days == 1 else (start, end)


async def charts_view(request: web.Request) -> web.Response:
    query = read_query(request, ReportQuery)
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
    for day, shop_id, agent_id, values in daily:
        add(per_day[day], Figures.of_counts(agent_id, shop_id, values))
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
    )
    tz = ZoneInfo(app[keys.SETTINGS].timezone)
    lines, _ = await _inputs(app, shop_ids, start, end, 0)
    grid = await asyncio.to_thread(hour_weekday, lines, start, end, tz)
    heat = charts.heatmap(t["rc_heatmap"], grid, t["rc_weekdays"].split(","), [f"{h:02d}" for h in range(24)])
    return ok(ChartsOut(trend=trend, bars=bars, heatmap=heat))


class DrillQuery(ReportQuery):
    agent: QueryId | None = Field(None, description="one agent's conversations")
    filter: Literal["all", "paid", "unpaid", "slow", "unreplied"] = Field(
        "all", description="paid / unpaid within 4 days, slow (a turn over 3 minutes), unreplied"
    )
    limit: Annotated[int, Field(ge=1, le=DRILL_LIMIT)] = DRILL_LIMIT


class ConversationOut(Model):
    shop_id: int
    conversation: str
    buyer: str
    agent_id: int | None
    agent: str | None
    day: date
    started: datetime
    buyer_messages: int
    agent_messages: int
    first_response_s: float | None
    turns: int
    turns_within: int
    paid: bool
    paid_yuan: str


class DrillOut(Model):
    total: int = Field(description="conversations matching, before the limit")
    counts: dict[str, int] = Field(description="filter → how many of the agent's conversations match it")
    conversations: list[ConversationOut]


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
    query = read_query(request, DrillQuery)
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


AGENT_COLUMNS = (
    "inquiring",
    "conversion_next_day",
    "conversion",
    "reply_rate",
    "answer_ratio",
    "rate_3min",
    "response_s",
    "satisfaction",
    "invite_rate",
    "unit_price_yuan",
    "items_per_buyer",
    "orders",
    "sales_yuan",
    "promoted_items",
)


async def _table(request: web.Request, query: ExportQuery, t: dict[str, str]) -> list[list[object]]:
    app = request.app
    shop_ids = _shop_ids(request, query.shop)
    directory = app[keys.DIRECTORY]
    shops = directory.shops
    if query.rows == "conversation":
        head: list[object] = [
            t[k]
            for k in (
                "rx_shop",
                "rx_conversation",
                "rx_buyer",
                "rx_agent",
                "rx_day",
                "rx_started",
                "rx_buyer_messages",
                "rx_agent_messages",
                "rx_first_response",
                "rx_turns",
                "rx_within",
                "rx_paid",
                "rx_paid_yuan",
            )
        ]
        body: list[list[object]] = [
            [
                shops[r.shop_id].name if r.shop_id in shops else r.shop_id,
                r.conversation,
                r.buyer,
                r.agent or "",
                r.day.isoformat(),
                r.started.isoformat(),
                r.buyer_messages,
                r.agent_messages,
                r.first_response_s if r.first_response_s is not None else "",
                r.turns,
                r.turns_within,
                t["rx_yes"] if r.paid else t["rx_no"],
                r.paid_yuan,
            ]
            for r in (_out(request, row) for row in await _conversations(request, query, None))
        ]
        return [head, *body]
    metric_head = [t[f"rm_{m}"] for m in AGENT_COLUMNS]
    if query.rows == "day":
        start, end, _ = parse_period(query.period)
        daily = await app[keys.DB].read(partial(store.daily_rows, shop_ids=shop_ids, start=start, end=end))
        out: list[list[object]] = [[t["rx_day"], t["rx_shop"], t["rx_agent"], *metric_head]]
        for day, shop_id, agent_id, values in sorted(daily, key=lambda r: (r[0], r[1], r[2])):
            member = directory.agents.get(agent_id)
            metrics = Figures.of_counts(agent_id, shop_id, values).metrics
            out.append(
                [
                    day.isoformat(),
                    shops[shop_id].name if shop_id in shops else shop_id,
                    member.name if member else agent_id,
                    *(_cell(metrics.get(m)) for m in AGENT_COLUMNS),
                ]
            )
        return out
    saved = await settings_of(app)
    rows = await compute(app, query.period, shop_ids, saved)
    out = [
        [
            t["rx_agent"],
            t["rx_login"],
            *metric_head,
            t["rx_score"],
            t["rx_base"],
            t["rx_bonus"],
            t["rx_level"],
            t["rx_explanation"],
        ]
    ]
    for r in rows:
        out.append(
            [
                r.agent,
                r.login,
                *(_cell(r.metrics.get(m)) for m in AGENT_COLUMNS),
                _cell(r.score),
                r.base_yuan if r.base_yuan is not None else "",
                r.bonus_yuan or "",
                r.level or "",
                r.explanation,
            ]
        )
    return out


def _cell(value: float | None) -> object:
    return "" if value is None else round(value, 4)


def _csv(table: list[list[object]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    for row in table:
        writer.writerow([_guard(v) for v in row])
    return out.getvalue().encode("utf-8-sig")


def _guard(value: object) -> object:
    """A text cell never starts a formula in a spreadsheet."""
    return "'" + value if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") else value


def _xlsx(table: list[list[object]], title: str) -> bytes:
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title[:31]
    for r, row in enumerate(table, start=1):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c, value=_guard(value))
            if isinstance(value, str):
                cell.data_type = "s"
            if r == 1:
                cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def export(request: web.Request) -> web.StreamResponse:
    """The report as a file: one row per agent, per agent and day, or per conversation."""
    query = read_query(request, ExportQuery)
    t = words.EN if pick_lang(request)[0] == "en" else words.ZH
    table = await _table(request, query, t)
    name = f"kpi-{query.period}-{query.rows}.{query.format}"
    if query.format == "xlsx":
        data, mime = await asyncio.to_thread(_xlsx, table, t[f"rx_sheet_{query.rows}"]), XLSX_MIME
    else:
        data, mime = _csv(table), CSV_MIME
    return web.Response(
        body=data,
        headers={
            "Content-Type": mime,
            "Content-Disposition": f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}",
        },
    )
