"""The KPI report and the month close over HTTP: the period's figures, score and bonus per agent (a
closed month its frozen figures), and freezing a month once it ended. The figures themselves are
worked out in ``assistant.api.reports``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from aiohttp import web

from assistant import keys
from assistant.api.io import body_of, ok, query_of
from assistant.api.kpi_scores import AgentKpi, settings_of
from assistant.api.reports import CloseIn, _month, _shop_ids, compute, parse_period
from assistant.api.reports_models import KpiOut, KpiQuery
from assistant.errors import BadRequest, Conflict, FieldError
from assistant.security import current_agent
from assistant.team import store


async def kpi_report(request: web.Request) -> web.Response:
    """The period's figures, score, bonus base and bonus per agent, each with its explanation and the
    agent's level; a closed month gives its frozen figures (and says when a recomputation now differs)."""
    query = query_of(request, KpiQuery)
    shop_ids = _shop_ids(request, query.shop)
    _, _, kind = parse_period(query.period)
    saved = await settings_of(request.app)
    agents = await compute(request.app, query.period, shop_ids, saved)
    closed = None
    if kind == "month":
        closed = await request.app[keys.DB].read(lambda db: store.kpi_close(db, query.period, query.shop))
    weights = dict(saved.config.card("agent").weights)
    if closed is not None:
        frozen = [AgentKpi.model_validate(a) for a in json.loads(closed.report)]
        changed = [_scored(a) for a in agents] != [_scored(a) for a in frozen]
        return ok(
            KpiOut(
                period=query.period,
                shop=query.shop,
                closed=True,
                closed_at=closed.closed_at,
                changed_since_close=changed,
                weights=weights,
                bands=saved.config.bands,
                agents=frozen,
            )
        )
    return ok(
        KpiOut(
            period=query.period,
            shop=query.shop,
            closed=False,
            kind=kind,
            weights=weights,
            bands=saved.config.bands,
            agents=agents,
        )
    )


def _scored(row: AgentKpi) -> dict[str, object]:
    """What a close freezes and a recomputation is compared on (the level is judged afresh)."""
    return row.model_dump(mode="json", exclude={"level", "next_level", "level_needs"})


async def close_month(request: web.Request) -> web.Response:
    """Freeze the month's figures: later reads give them as they were, whatever a recomputation says."""
    caller = current_agent(request)
    body = body_of(request, CloseIn)
    shop_ids = _shop_ids(request, body.shop)
    tz = ZoneInfo(request.app[keys.SETTINGS].timezone)
    _, end = _month(body.period)
    if datetime.now(tz).date() < end:
        raise BadRequest.field("period", f"{body.period} 还没有结束，月底之后才能结算")
    saved = await settings_of(request.app)
    agents = await compute(request.app, body.period, shop_ids, saved)
    report = json.dumps([a.model_dump(mode="json") for a in agents], ensure_ascii=False)
    now = datetime.now(UTC)
    try:
        closed = await request.app[keys.DB].write(
            lambda db: store.insert_kpi_close(
                db, period=body.period, shop_id=body.shop, agent_id=caller.id, at=now, report=report
            )
        )
    except store.AlreadyClosed as done:
        raise Conflict(
            f"{body.period} 已在 {done.close.closed_at:%Y-%m-%d %H:%M} 结算过，不会再改",
            [FieldError("period", "已经结算")],
        ) from None
    return ok(
        KpiOut(
            period=body.period,
            shop=body.shop,
            closed=True,
            closed_at=closed.closed_at,
            weights=dict(saved.config.card("agent").weights),
            bands=saved.config.bands,
            agents=agents,
        )
    )
