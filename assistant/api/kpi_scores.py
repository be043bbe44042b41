"""Each agent's score, bonus, explanation and level over a period, with the supervisor's saved KPI
settings. The arithmetic is ``assistant.team.kpi`` / ``kpi_config``; the figures are the daily
aggregates (``reports.month_figures``)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

import sqlite_utils
from aiohttp import web
from pydantic import Field

from assistant import keys
from assistant.team import kpi_store, qc_store, refund_store, store
from assistant.team.kpi import Score, card_score, explain, shops_score, with_team
from assistant.team.kpi_config import KpiConfig, standing
from assistant.team.periods import month_range, months_before
from assistant.team.refunds import Decision, reviewer_figures
from assistant.team.reports import Figures
from knowledge.models import Agent, Model, Role


class AgentKpi(Model):
    agent_id: int
    agent: str
    login: str
    role: str
    shops: dict[str, dict[str, float | None]] = Field(description="shop id → that shop's metrics")
    metrics: dict[str, float | None] = Field(
        description="the agent's metrics in their main shop of the report"
    )
    shop_scores: dict[str, float | None]
    score: float | None
    base_yuan: int | None
    bonus_yuan: str | None = Field(description="yuan with two decimals, as a string (never a float)")
    explanation: str
    level: str | None = Field(None, description="普通 … 金牌, from the months before the period")
    next_level: str | None = None
    level_needs: str = Field("", description="what the next level takes, in words")


Extra = dict[tuple[int, int | None], dict[str, float]]
"""Metrics from outside the log and the orders: (agent, shop) → metrics, shop None for every shop."""


async def extra_metrics(app: web.Application, shop_ids: list[int], start: date, end: date) -> Extra:
    """Metrics that do not come from the log and the orders:

    - the QC score (``qc``), per agent in every shop: the mean of the agent's QC reviews in
      ``[start, end)`` (calibration left out, a revised dispute at its new score); the default cards give
      it no weight; an agent nobody reviewed has it left out;
    - the refund reviewer's ``efficiency`` and ``quality`` (``assistant.team.refunds``), per reviewer and
      shop, from the decisions made on those days in the shop's zone."""
    directory = app[keys.DIRECTORY]
    members = [a.id for a in directory.agents.values() if set(a.shop_ids) & set(shop_ids)]
    since = datetime.combine(start - timedelta(days=1), time(), UTC).isoformat()
    until = datetime.combine(end + timedelta(days=1), time(), UTC).isoformat()

    def read(db: sqlite_utils.Database) -> tuple[dict[int, qc_store.QcMetric], list[Decision]]:
        return qc_store.agent_metrics(db, members, start, end), refund_store.decisions(
            db, shop_ids, since, until
        )

    qc, decisions = await app[keys.DB].read(read)
    out: Extra = {(agent_id, None): {"qc": metric.score} for agent_id, metric in qc.items()}
    limit = app[keys.SETTINGS].refund_review_minutes
    for shop_id in shop_ids:
        mine = [d for d in decisions if d.shop_id == shop_id]
        for key, figures in reviewer_figures(mine, start, end, directory.zone(shop_id), limit).items():
            out[key] = figures.metrics
    return out


CARD_OF = {Role.SUPERVISOR: "supervisor", Role.REFUND_REVIEWER: "refund_reviewer"}


def card_role(member: Agent) -> str:
    """The scorecard an agent is judged on: their role's, the agent's for every other role."""
    return CARD_OF.get(member.role, "agent")


async def settings_of(app: web.Application) -> kpi_store.Saved:
    return await app[keys.DB].read(kpi_store.kpi_settings)


def shop_weights(member: Agent, shop_ids: list[int], main_weight: float) -> dict[int, float]:
    """The seeds' split: the main shop 0.6, the others share 0.4 (renormalised over shops with figures)."""
    others = [s for s in shop_ids if s != member.main_shop_id]
    weights = {s: (1 - main_weight) / len(others) for s in others} if others else {}
    if member.main_shop_id in shop_ids:
        weights[member.main_shop_id] = main_weight if others else 1.0
    return weights


NO_CONSULTATIONS = {
    "day": "当天没有咨询，不计分",
    "week": "本周没有咨询，不计分",
    "month": "本月没有咨询，不计分",
}
NO_REFUNDS = {
    "day": "当天没有审核退款，不计分",
    "week": "本周没有审核退款，不计分",
    "month": "本月没有审核退款，不计分",
}


def score_agents(
    app: web.Application,
    found: dict[tuple[int, int], Figures],
    shop_ids: list[int],
    config: KpiConfig,
    kind: str = "month",
    extra: Extra | None = None,
) -> list[AgentKpi]:
    """Score, base, bonus and explanation per agent of these shops (no level: see ``with_levels``);
    ``extra`` adds metrics from outside the log and the orders (``extra_metrics``): a shop's own to that
    shop (a refund reviewer's shop has a score without conversations), the others to each shop."""
    directory = app[keys.DIRECTORY]
    targets, bands = config.target_map(), config.band_list()
    extra = extra or {}
    shops_of = {(a, s) for a, s in found} | {(a, s) for a, s in extra if s is not None and s in shop_ids}
    per_agent: dict[int, dict[int, dict[str, float | None]]] = {}
    for agent_id, shop_id in sorted(shops_of):
        if agent_id in directory.agents:
            figs = found.get((agent_id, shop_id)) or Figures(agent_id, shop_id)
            per_agent.setdefault(agent_id, {})[shop_id] = {
                **figs.metrics,
                **extra.get((agent_id, None), {}),
                **extra.get((agent_id, shop_id), {}),
            }
    members = [a for a in directory.agents.values() if set(a.shop_ids) & set(shop_ids) or a.id in per_agent]
    own: dict[int, tuple[float | None, dict[int, Score | None], dict[int, float]]] = {}
    for member in members:
        metrics = per_agent.get(member.id, {})
        card = config.card(card_role(member))
        scores = {shop_id: card_score(m, card, targets) for shop_id, m in metrics.items()}
        weights = shop_weights(member, list(metrics), config.main_shop_weight)
        own[member.id] = (shops_score(scores, weights), scores, weights)
    agent_scores = [v[0] for a, v in own.items() if directory.agents[a].role is not Role.SUPERVISOR]
    present = [s for s in agent_scores if s is not None]
    team_average = sum(present) / len(present) if present else None
    out = []
    for member in sorted(members, key=lambda a: a.id):
        total, scores, weights = own[member.id]
        card = config.card(card_role(member))
        final = with_team(total, team_average, card)
        main = member.main_shop_id if member.main_shop_id in scores else next(iter(scores), None)
        main_score = scores.get(main) if main is not None else None
        metrics = per_agent.get(member.id, {})
        if final is None or main_score is None:
            idle = NO_REFUNDS if card_role(member) == "refund_reviewer" else NO_CONSULTATIONS
            text = idle[kind] if final is None else f"{final:.2f} 分（团队平均）"
            told = None
        else:
            assert main is not None
            share = weights.get(main, 1.0) / (sum(weights.values()) or 1.0)
            if card.team_share and team_average is not None:
                share *= 1 - card.team_share
            told = explain(main_score, bands, targets, total=final, scale=share)
            text = told.text()
        out.append(
            AgentKpi(
                agent_id=member.id,
                agent=member.name,
                login=member.login,
                role=member.role.value,
                shops={str(s): m for s, m in metrics.items()},
                metrics=metrics.get(main, {}) if main is not None else {},
                shop_scores={str(s): (round(v.value, 2) if v else None) for s, v in scores.items()},
                score=float(told.score) if told else (round(final, 2) if final is not None else None),
                base_yuan=told.base_yuan if told else None,
                bonus_yuan=str(told.bonus_yuan) if told else None,
                explanation=text,
            )
        )
    return out


async def month_scores(
    app: web.Application, period: str, shop_ids: list[int], saved: kpi_store.Saved
) -> dict[int, float | None]:
    """agent → score of a whole past month: the frozen figures when it was closed, else worked out
    from the daily aggregates (kept ten minutes)."""
    from assistant.api.reports import month_figures  # (reports imports this module)

    cache = app[keys.KPI_HISTORY]
    key: tuple[object, ...] = (period, tuple(shop_ids), saved.version)
    hit = cache.get(key)
    if hit is not None:
        return hit
    closed = None
    if len(shop_ids) == 1:
        closed = await app[keys.DB].read(lambda db: store.kpi_close(db, period, shop_ids[0]))
    if closed is None:
        closed = await app[keys.DB].read(lambda db: store.kpi_close(db, period, None))
    if closed is not None:
        scores = {int(a["agent_id"]): a.get("score") for a in json.loads(closed.report)}
    else:
        start, end = month_range(period)
        found = await month_figures(app, shop_ids, start, end)
        extra = await extra_metrics(app, shop_ids, start, end)
        scores = {
            a.agent_id: a.score for a in score_agents(app, found, shop_ids, saved.config, "month", extra)
        }
    cache.put(key, scores)
    return scores


async def with_levels(
    app: web.Application, rows: list[AgentKpi], start: date, shop_ids: list[int], saved: kpi_store.Saved
) -> list[AgentKpi]:
    """Each row with the level its months before ``start`` give and what the next level needs."""
    depth = max((lv.months for lv in saved.config.levels), default=0)
    history = [await month_scores(app, p, shop_ids, saved) for p in months_before(start, depth)]
    out = []
    for row in rows:
        held = standing([month.get(row.agent_id) for month in history], saved.config.levels)
        out.append(
            row.model_copy(
                update={"level": held.level, "next_level": held.next_level, "level_needs": held.needs}
            )
        )
    return out
