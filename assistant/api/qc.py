"""Quality control: the reviewer's daily sample, reviews on the scorecard, disputes, calibration, the
live forbidden-word warning and the evidence locker. Thin: the rules are ``assistant.team.qc``."""

from __future__ import annotations

import html
import json
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

import sqlite_utils
from aiohttp import web
from pydantic import Field, StringConstraints

from assistant import keys
from assistant.api.commerce import shop_of
from assistant.api.io import QueryId, ok, path_int, read_json, read_query
from assistant.api.watch import rules_from
from assistant.conversations.models import Direction, LoggedMessage
from assistant.errors import ApiError, BadRequest, Conflict, FieldError, Forbidden, NotFound
from assistant.security import current_agent
from assistant.team import qc
from assistant.team import qc_store as qs
from assistant.team import store as team_store
from assistant.team.watch import Message, Source, score, turns
from knowledge.models import Agent, Id, Model, Role

AFTER_SALES_WORDS = ("退货", "退款", "换货", "售后", "破损", "坏了", "少发", "发错", "质量问题")
CALIBRATION_SIZE = 5

Conversation = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class SampleQuery(Model):
    day: date | None = Field(None, description="the day whose conversations are sampled; default: yesterday")
    shop: QueryId | None = None
    size: Annotated[int, Field(ge=1, le=200)] = 50


class SampleItem(Model):
    conversation: str
    shop_id: int
    buyer: str
    agent_id: int
    agent: str
    reason: str
    reviewed: bool


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


class ReviewIn(Model):
    shop: Id
    conversation: Conversation
    day: date
    marks: dict[str, Annotated[int, Field(ge=1, le=5)] | None]
    comment: Annotated[str, StringConstraints(max_length=1000)] = ""
    calibration: bool = False


class ReviewOut(Model):
    id: int
    day: date
    reviewer: str
    shop_id: int
    conversation: str
    agent_id: int
    reason: str
    marks: dict[str, int | None]
    score: float
    zeroed_by: list[str]
    calibration: bool
    comment: str
    created_at: datetime
    dispute: str | None = Field(None, description="open, upheld or revised")
    final_score: float


class ReviewsQuery(Model):
    agent: QueryId | None = Field(None, description="whose reviews (supervisors); default: the caller's own")


class ReviewsOut(Model):
    reviews: list[ReviewOut]
    mean: float | None


class DisputeIn(Model):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=500)]


class DecideIn(Model):
    decision: Literal["upheld", "revised"]
    marks: dict[str, Annotated[int, Field(ge=1, le=5)] | None] | None = Field(
        None, description="the second reviewer's marks (required to revise)"
    )


class DisputeOut(Model):
    id: int
    review_id: int
    agent_id: int
    reason: str
    at: datetime
    decision: str | None
    new_score: float | None


class DisputesOut(Model):
    disputes: list[DisputeOut]


class CalibrationQuery(Model):
    day: date | None = None
    shop: QueryId | None = None


class CalibrationItem(Model):
    conversation: str
    scores: dict[str, float] = Field(description="reviewer name → score")
    range: float
    stdev: float
    mean: float


class CalibrationOut(Model):
    day: date
    items: list[CalibrationItem]


class EvidenceIn(Model):
    shop: Id
    conversation: Conversation
    note: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=500)] = Field(
        description="what the buyer did: 以差评威胁要求赔偿, 要求加QQ私下退款…"
    )
    flag: Literal["bad_review_extortion", "professional_claimant", "malicious_complaint"] = (
        "malicious_complaint"
    )


class EvidenceOut(Model):
    id: int
    shop_id: int
    buyer: str
    conversation: str
    note: str
    created_by: str
    created_at: datetime
    hash: str
    intact: bool = Field(description="the stored payload still gives the stored hash")
    deleted: bool
    payload: dict[str, Any]


class DeleteIn(Model):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]


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


def _shops(request: web.Request, agent: Agent, shop: int | None) -> list[int]:
    return [shop_of(request, agent, shop)] if shop else sorted(agent.shop_ids)


def _yesterday(request: web.Request) -> date:
    return datetime.now(_tz(request)).date() - timedelta(days=1)


async def my_sample(request: web.Request) -> web.Response:
    """The caller's sample: the day's conversations dealt out between the shops' reviewers, risky first."""
    reviewer = current_agent(request)
    query = read_query(request, SampleQuery)
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


# ---- reviews, disputes, calibration ----------------------------------------------------------------


def _review_out(row: qs.ReviewRow) -> ReviewOut:
    dispute = None if row.dispute_id is None else (row.dispute_decision or "open")
    final = (
        row.dispute_score
        if row.dispute_decision == "revised" and row.dispute_score is not None
        else row.score
    )
    return ReviewOut(
        id=row.id,
        day=row.day,
        reviewer=row.reviewer_name,
        shop_id=row.shop_id,
        conversation=row.conversation,
        agent_id=row.agent_id,
        reason=row.reason,
        marks=row.marks,
        score=row.score,
        zeroed_by=row.zeroed_by,
        calibration=row.calibration,
        comment=row.comment,
        created_at=row.created_at,
        dispute=dispute,
        final_score=final,
    )


def _marks_score(request: web.Request, marks: dict[str, int | None]) -> qc.ReviewScore:
    try:
        return qc.review_score(marks, request.app[keys.QC_CONFIG].categories)
    except ValueError as exc:
        raise BadRequest.field("marks", f"打分有误：{exc}") from exc


async def submit_review(request: web.Request) -> web.Response:
    """Score a conversation on the scorecard; critical items failed set it to 0."""
    reviewer = current_agent(request)
    body = await read_json(request, ReviewIn)
    shop_id = shop_of(request, reviewer, body.shop)
    found, _ = await candidates(request, [shop_id], body.day)
    match = next((c for c in found if c.conversation == body.conversation), None)
    if match is None:
        raise NotFound.field("conversation", f"{body.day} 没有会话 {body.conversation} 的记录")
    if body.calibration and body.conversation not in _calibration_set(found, body.day):
        raise BadRequest.field("calibration", "这段会话不在当天的校准组里")
    result = _marks_score(request, body.marks)
    values = {
        "day": body.day.isoformat(),
        "reviewer_id": reviewer.id,
        "shop_id": shop_id,
        "conversation": body.conversation,
        "agent_id": match.agent_id,
        "reason": match.reasons[0] if match.reasons else qc.Reason.RANDOM,
        "marks": body.marks,
        "score": result.score,
        "zeroed_by": list(result.zeroed_by),
        "calibration": int(body.calibration),
        "comment": body.comment,
        "created_at": datetime.now(UTC).isoformat(),
    }
    try:
        saved = await request.app[keys.DB].write(lambda db: qs.insert_review(db, values))
    except qs.Duplicate:
        raise Conflict.field("conversation", "你已经评过这段会话") from None
    return ok(_review_out(saved), status=201)


async def list_reviews(request: web.Request) -> web.Response:
    """An agent's reviews (their own; a supervisor may ask for anyone's), newest first, calibration left out."""
    caller = current_agent(request)
    query = read_query(request, ReviewsQuery)
    agent_id = query.agent or caller.id
    if agent_id != caller.id and caller.role.rank < Role.SUPERVISOR.rank:
        raise Forbidden("只能看自己的质检结果", [FieldError("agent", "不是你自己")])
    rows = await request.app[keys.DB].read(lambda db: qs.reviews(db, agent_id=agent_id, calibration=False))
    out = [_review_out(r) for r in rows]
    return ok(
        ReviewsOut(reviews=out, mean=round(sum(r.final_score for r in out) / len(out), 2) if out else None)
    )


async def open_dispute(request: web.Request) -> web.Response:
    """The reviewed agent contests a review within the dispute window; a second reviewer decides."""
    caller = current_agent(request)
    review_id = path_int(request, "review_id")
    body = await read_json(request, DisputeIn)
    found = await request.app[keys.DB].read(lambda db: qs.review(db, review_id))
    if found is None or found.calibration:
        raise NotFound.field("review_id", f"没有质检记录 {review_id}")
    if found.agent_id != caller.id:
        raise Forbidden("只有被质检的客服本人能申诉", [FieldError("review_id", "不是你的质检记录")])
    days = request.app[keys.SETTINGS].qc_dispute_days
    if datetime.now(UTC) - found.created_at > timedelta(days=days):
        raise Conflict.field("review_id", f"已超过 {days} 天的申诉期")
    try:
        made = await request.app[keys.DB].write(
            lambda db: qs.insert_dispute(db, review_id, caller.id, body.reason, datetime.now(UTC))
        )
    except qs.Duplicate:
        raise Conflict.field("review_id", "这条质检已经申诉过") from None
    return ok(DisputeOut.model_validate(made.model_dump(include=set(DisputeOut.model_fields))), status=201)


async def list_disputes(request: web.Request) -> web.Response:
    caller = current_agent(request)
    rows = await request.app[keys.DB].read(lambda db: qs.open_disputes(db, sorted(caller.shop_ids)))
    return ok(
        DisputesOut(
            disputes=[
                DisputeOut.model_validate(r.model_dump(include=set(DisputeOut.model_fields))) for r in rows
            ]
        )
    )


async def decide(request: web.Request) -> web.Response:
    """A second reviewer upholds the review or revises it with their own marks."""
    caller = current_agent(request)
    dispute_id = path_int(request, "dispute_id")
    body = await read_json(request, DecideIn)
    found = await request.app[keys.DB].read(lambda db: qs.dispute(db, dispute_id))
    if found is None:
        raise NotFound.field("dispute_id", f"没有申诉 {dispute_id}")
    original = await request.app[keys.DB].read(lambda db: qs.review(db, found.review_id))
    assert original is not None
    if original.reviewer_id == caller.id:
        raise Forbidden("申诉要由另一位质检员裁定", [FieldError("dispute_id", "你是原来的质检员")])
    new_score = None
    if body.decision == "revised":
        if body.marks is None:
            raise BadRequest.field("marks", "改判时请给出你的打分")
        new_score = _marks_score(request, body.marks).score
    decided = await request.app[keys.DB].write(
        lambda db: qs.decide_dispute(
            db, dispute_id, by=caller.id, decision=body.decision, new_score=new_score, at=datetime.now(UTC)
        )
    )
    if not decided:
        raise Conflict.field("dispute_id", "这条申诉已经裁定过")
    after = await request.app[keys.DB].read(lambda db: qs.dispute(db, dispute_id))
    assert after is not None
    return ok(DisputeOut.model_validate(after.model_dump(include=set(DisputeOut.model_fields))))


def _calibration_set(found: list[qc.Candidate], day: date) -> list[str]:
    """The day's calibration conversations: the same five for every reviewer."""
    ranked = sorted(found, key=lambda c: qc._rank(day, "calibration", f"{c.shop_id}:{c.conversation}"))
    return [c.conversation for c in ranked[:CALIBRATION_SIZE]]


async def calibration(request: web.Request) -> web.Response:
    """The day's calibration set and how far apart the reviewers' scores were on each conversation."""
    caller = current_agent(request)
    query = read_query(request, CalibrationQuery)
    shop_id = shop_of(request, caller, query.shop)
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


# ---- the evidence locker -------------------------------------------------------------------------


def _evidence_out(row: qs.EvidenceRow, raw: str) -> EvidenceOut:
    intact = qc.evidence_hash(json.loads(raw)) == row.hash and raw == qc.canonical(json.loads(raw)).decode()
    return EvidenceOut(
        id=row.id,
        shop_id=row.shop_id,
        buyer=row.buyer_nick,
        conversation=row.conversation,
        note=row.note,
        created_by=row.created_by_name,
        created_at=row.created_at,
        hash=row.hash,
        intact=intact,
        deleted=row.deleted_at is not None,
        payload=row.payload,
    )


async def freeze_evidence(request: web.Request) -> web.Response:
    """One click: freeze the chat, the buyer's orders and the times with a content hash, and flag the buyer
    in every shop of the team."""
    caller = current_agent(request)
    body = await read_json(request, EvidenceIn)
    shop_id = shop_of(request, caller, body.shop)
    messages = await request.app[keys.CONVERSATIONS].messages(shop_id, body.conversation)
    if not messages:
        raise NotFound.field("conversation", f"没有会话 {body.conversation} 的记录")
    buyer = messages[0].buyer_nick
    now = datetime.now(UTC)
    try:
        card: Any = await request.app[keys.COMMERCE].buyer_card(shop_id, buyer)
    except ApiError:  # a buyer the shop has no record of: the chat alone is the evidence
        card = None
    payload = {
        "shop_id": shop_id,
        "shop": request.app[keys.DIRECTORY].shops[shop_id].name,
        "buyer": buyer,
        "conversation": body.conversation,
        "frozen_at": now.isoformat(),
        "frozen_by": caller.name,
        "note": body.note,
        "messages": [
            {
                "at": m.at.isoformat(),
                "from": "buyer" if m.direction is Direction.IN else "shop",
                "source": m.source.value if m.source else None,
                "sender": m.sender,
                "text": m.text,
            }
            for m in messages
        ],
        "buyer_card": card.model_dump(mode="json") if card is not None else None,
    }
    text = qc.canonical(payload).decode()
    digest = qc.evidence_hash(payload)
    team = sorted(
        {s for a in request.app[keys.DIRECTORY].agents.values() if shop_id in a.shop_ids for s in a.shop_ids}
    )
    saved = await request.app[keys.DB].write(
        lambda db: qs.insert_evidence(
            db,
            shop_id=shop_id,
            buyer_nick=buyer,
            conversation=body.conversation,
            note=body.note,
            agent_id=caller.id,
            at=now,
            payload_text=text,
            digest=digest,
            team_shop_ids=team,
            flag=body.flag,
        )
    )
    return ok(_evidence_out(saved, text), status=201)


async def _evidence_or_404(request: web.Request, caller: Agent) -> tuple[qs.EvidenceRow, str]:
    evidence_id = path_int(request, "evidence_id")

    def read(db: sqlite_utils.Database) -> tuple[qs.EvidenceRow | None, str | None]:
        return qs.evidence(db, evidence_id), qs.raw_payload(db, evidence_id)

    row, raw = await request.app[keys.DB].read(read)
    if row is None or raw is None or row.shop_id not in caller.shop_ids:
        raise NotFound.field("evidence_id", f"没有证据 {evidence_id}")
    return row, raw


async def get_evidence(request: web.Request) -> web.Response:
    """The frozen evidence, with whether its hash still holds."""
    row, raw = await _evidence_or_404(request, current_agent(request))
    return ok(_evidence_out(row, raw))


async def evidence_pack(request: web.Request) -> web.Response:
    """The dispute pack as a printable page (the JSON is ``GET /api/evidence/{id}``)."""
    row, raw = await _evidence_or_404(request, current_agent(request))
    out = _evidence_out(row, raw)
    lines = "".join(
        f"<tr><td>{html.escape(m['at'])}</td><td>{'买家' if m['from'] == 'buyer' else '客服'}</td>"
        f"<td>{html.escape(m['text'])}</td></tr>"
        for m in out.payload["messages"]
    )
    page = f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>证据包 #{out.id}</title>
<style>body{{font:14px/1.6 sans-serif;margin:24px}}td{{border-bottom:1px solid #ddd;padding:4px 8px;vertical-align:top}}
code{{word-break:break-all}}</style></head><body>
<h1>证据包 #{out.id}</h1>
<p>店铺：{html.escape(out.payload["shop"])}　买家：{html.escape(out.buyer)}　会话：{html.escape(out.conversation)}</p>
<p>说明：{html.escape(out.note)}</p>
<p>固定时间：{html.escape(out.payload["frozen_at"])}　固定人：{html.escape(out.created_by)}</p>
<p>内容哈希（SHA-256）：<code>{out.hash}</code>　校验：{"一致，未被改动" if out.intact else "不一致：内容已被改动"}</p>
<table>{lines}</table></body></html>"""
    return web.Response(text=page, content_type="text/html", headers={"Cache-Control": "no-store"})


async def delete_evidence(request: web.Request) -> web.Response:
    """Only a supervisor deletes evidence; the record stays (marked deleted) and the deletion is audited."""
    caller = current_agent(request)
    body = await read_json(request, DeleteIn)
    row, _ = await _evidence_or_404(request, caller)
    deleted = await request.app[keys.DB].write(
        lambda db: qs.delete_evidence(db, row.id, caller.id, datetime.now(UTC), body.reason)
    )
    if not deleted:
        raise Conflict.field("evidence_id", "这份证据已经删除过")
    again, raw = await _evidence_or_404(request, caller)
    return ok(_evidence_out(again, raw))
