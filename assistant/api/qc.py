"""Quality control: the reviewer's daily sample, the scorecard, calibration and the live forbidden-word
warning. Reviews and disputes are ``qc_reviews``, the evidence locker ``qc_evidence``, findings and
the word list ``qc_findings``, the models ``qc_models``. Thin: the rules are ``assistant.team.qc``."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from aiohttp import web

from assistant import keys
from assistant.api.io import ok, query_of
from assistant.api.qc_models import (
    CalibrationItem,
    CalibrationOut,
    CalibrationQuery,
    SampleItem,
    SampleQuery,
)
from assistant.api.shops import resolve_shop, shop_scope
from assistant.api.watch import rules_from
from assistant.conversations.models import Direction, LoggedMessage
from assistant.security import current_agent
from assistant.team import qc
from assistant.team import qc_store as qs
from assistant.team import store as team_store
from assistant.team.watch import Message, Source, score, turns
from knowledge.models import Agent, Model, Role

AFTER_SALES_WORDS = ("退货", "退款", "换货", "售后", "破损", "坏了", "少发", "发错", "质量问题")
CALIBRATION_SIZE = 5


class SampleOut(Model):
    day: date
    reviewer: str
    reviewers: int
    items: list[SampleItem]


class CategoryOut(Model):
    key: str
    label: str
    weight: float
    scale: int
    critical: bool


class ScorecardOut(Model):
    categories: list[CategoryOut]


# ---- the sample ----------------------------------------------------------------------------------


def _tz(request: web.Request) -> ZoneInfo:
    return ZoneInfo(request.app[keys.SETTINGS].timezone)


def _day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=tz)
    return start, start + timedelta(days=1)


async def candidates(
    request: web.Request, shop_ids: list[int], day: date
) -> tuple[list[qc.Candidate], dict[str, str]]:
    """The day's conversations with their risk reasons (and each one's buyer)."""
    app, tz = request.app, _tz(request)
    start, end = _day_bounds(day, tz)
    rules = rules_from(app[keys.SETTINGS])
    found: list[qc.Candidate] = []
    buyers: dict[str, str] = {}
    paid = await app[keys.DB].read(lambda db: team_store.paid_orders(db, shop_ids, start, datetime.now(UTC)))
    paid_buyers = {(o.shop_id, o.buyer) for o in paid}
    for shop_id in shop_ids:
        grouped: dict[str, list[LoggedMessage]] = defaultdict(list)
        for m in await app[keys.CONVERSATIONS].shop_messages(shop_id, start, end):
            grouped[m.conversation].append(m)
        for conversation, messages in grouped.items():
            agents = Counter(m.agent_id for m in messages if m.agent_id is not None)
            if not agents:
                continue
            agent_id = agents.most_common(1)[0][0]
            buyer = messages[0].buyer_nick
            buyers[f"{shop_id}:{conversation}"] = buyer
            said = " ".join(m.text for m in messages if m.direction is Direction.IN)
            wrote = " ".join(
                m.text
                for m in messages
                if m.direction is Direction.OUT and m.source is not None and m.source.value == "human"
            )
            reasons = []
            if qc.words_in(wrote, app[keys.QC_CONFIG].forbidden_words):
                reasons.append(qc.Reason.FORBIDDEN)
            if qc.words_in(said, qc.ANGER_WORDS):
                reasons.append(qc.Reason.ANGER)
            cut = turns(
                (
                    Message(
                        m.at,
                        m.direction is Direction.IN,
                        Source(m.source.value) if m.source else Source.HUMAN,
                    )
                    for m in messages
                ),
                rules,
            )
            now = datetime.now(UTC)
            if any((s := score(t, rules, now, tz)) is not None and s.within is False for t in cut):
                reasons.append(qc.Reason.MISSED)
            if qc.words_in(said, AFTER_SALES_WORDS):
                reasons.append(qc.Reason.AFTER_SALES)
            if said and (shop_id, buyer) not in paid_buyers:
                reasons.append(qc.Reason.UNPAID)
            found.append(qc.Candidate(conversation, shop_id, agent_id, tuple(reasons)))
    return found, buyers


def _reviewers(request: web.Request, shop_ids: list[int]) -> list[Agent]:
    return [
        a
        for a in request.app[keys.DIRECTORY].agents.values()
        if a.role is Role.SUPERVISOR and set(a.shop_ids) & set(shop_ids)
    ]


_shops = shop_scope  # the name this area's modules import


def _yesterday(request: web.Request) -> date:
    return datetime.now(_tz(request)).date() - timedelta(days=1)


async def my_sample(request: web.Request) -> web.Response:
    """The caller's sample: the day's conversations dealt out between the shops' reviewers, risky first."""
    reviewer = current_agent(request)
    query = query_of(request, SampleQuery)
    shop_ids = _shops(request, reviewer, query.shop)
    day = query.day or _yesterday(request)
    found, buyers = await candidates(request, shop_ids, day)
    reviewers = [a.id for a in _reviewers(request, shop_ids)] or [reviewer.id]
    if reviewer.id not in reviewers:
        reviewers.append(reviewer.id)
    hand = qc.deal(found, reviewers, day)[reviewer.id]
    picked = qc.sample(hand, day, reviewer.id, query.size)
    done = await request.app[keys.DB].read(
        lambda db: qs.reviews(db, reviewer_id=reviewer.id, day=day, limit=1000)
    )
    reviewed = {(r.shop_id, r.conversation) for r in done}
    directory = request.app[keys.DIRECTORY]
    return ok(
        SampleOut(
            day=day,
            reviewer=reviewer.name,
            reviewers=len(reviewers),
            items=[
                SampleItem(
                    conversation=p.conversation,
                    shop_id=p.shop_id,
                    buyer=buyers[f"{p.shop_id}:{p.conversation}"],
                    agent_id=p.agent_id,
                    agent=a.name if (a := directory.agents.get(p.agent_id)) else str(p.agent_id),
                    reason=p.reason,
                    reviewed=(p.shop_id, p.conversation) in reviewed,
                )
                for p in picked
            ],
        )
    )


async def scorecard(request: web.Request) -> web.Response:
    return ok(
        ScorecardOut(
            categories=[
                CategoryOut(key=c.key, label=c.label, weight=c.weight, scale=c.scale, critical=c.critical)
                for c in request.app[keys.QC_CONFIG].categories
            ]
        )
    )


# ---- calibration ----------------------------------------------------------------------------------------


def _calibration_set(found: list[qc.Candidate], day: date) -> list[str]:
    """The day's calibration conversations: the same five for every reviewer."""
    ranked = sorted(found, key=lambda c: qc._rank(day, "calibration", f"{c.shop_id}:{c.conversation}"))
    return [c.conversation for c in ranked[:CALIBRATION_SIZE]]


async def calibration(request: web.Request) -> web.Response:
    """The day's calibration set and how far apart the reviewers' scores were on each conversation."""
    caller = current_agent(request)
    query = query_of(request, CalibrationQuery)
    shop_id = resolve_shop(request, caller, query.shop)
    day = query.day or _yesterday(request)
    found, _ = await candidates(request, [shop_id], day)
    chosen = _calibration_set(found, day)
    rows = await request.app[keys.DB].read(lambda db: qs.calibration_reviews(db, day, shop_id))
    items = []
    for conversation in chosen:
        scores = {r.reviewer_name: r.score for r in rows if r.conversation == conversation}
        got = qc.spread(dict(enumerate(scores.values())))
        items.append(CalibrationItem(conversation=conversation, scores=scores, **got))
    return ok(CalibrationOut(day=day, items=items))


# ---- the live warning ----------------------------------------------------------------------------


def warn_forbidden(app: web.Application, message: LoggedMessage) -> list[str]:
    """A human reply with forbidden or absolute words: the agent's sidebar is told at once."""
    if message.direction is not Direction.OUT or message.source is None or message.source.value != "human":
        return []
    words = qc.words_in(message.text, app[keys.QC_CONFIG].forbidden_words)
    if words and message.agent_id is not None:
        app[keys.EVENTS].notify(
            {message.agent_id},
            "qc.warning",
            {
                "conversation": message.conversation,
                "words": words,
                "message": f"刚发出的消息里有违禁或极限词：{'、'.join(words)}。请尽快更正，质检会抽查。",
            },
        )
    return words
