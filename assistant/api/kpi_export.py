"""The KPI report as a file (CSV or an Excel workbook): one row per agent, per agent and day, or per
conversation; a text cell never starts a formula."""

from __future__ import annotations

import asyncio
import csv
import io
from functools import partial
from urllib.parse import quote

from aiohttp import web

from assistant import keys
from assistant.api.io import query_of
from assistant.api.kpi_scores import settings_of
from assistant.api.kpi_views import ExportQuery, _conversations, _out
from assistant.api.reports import _shop_ids, compute, parse_period
from assistant.team import store
from assistant.team.reports import Figures
from assistant.web.i18n import pick_lang
from assistant.web.strings import reports as words
from quick_replies.transfer import CSV_MIME, XLSX_MIME

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
# the refund reviewer's card (from the decisions, not the daily aggregates: the per-agent rows only)
REFUND_COLUMNS = ("refunds_reviewed", "efficiency", "quality", "refund_review_minutes", "refunds_wrong")


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
        for d in sorted(daily, key=lambda r: (r.day, r.shop_id, r.agent_id)):
            member = directory.agents.get(d.agent_id)
            metrics = Figures.of_counts(d.agent_id, d.shop_id, d.figures).metrics
            out.append(
                [
                    d.day.isoformat(),
                    shops[d.shop_id].name if d.shop_id in shops else d.shop_id,
                    member.name if member else d.agent_id,
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
            *(t[f"rm_{m}"] for m in REFUND_COLUMNS),
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
                *(_cell(r.metrics.get(m)) for m in REFUND_COLUMNS),
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
    query = query_of(request, ExportQuery)
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
