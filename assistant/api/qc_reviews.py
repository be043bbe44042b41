"""Reviews of a sampled conversation and the agent's disputes of them (a second reviewer decides)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiohttp import web

from assistant import keys
from assistant.api.io import body_of, ok, path_int, query_of
from assistant.api.qc import _calibration_set, candidates
from assistant.api.qc_models import (
    DecideIn,
    DisputeIn,
    DisputeOut,
    DisputesOut,
    ReviewIn,
    ReviewOut,
    ReviewsOut,
    ReviewsQuery,
)
from assistant.api.shops import resolve_shop
from assistant.errors import BadRequest, Conflict, FieldError, Forbidden, NotFound
from assistant.security import current_agent
from assistant.team import qc
from assistant.team import qc_store as qs
from knowledge.models import Role


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
    body = body_of(request, ReviewIn)
    shop_id = resolve_shop(request, reviewer, body.shop)
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
    query = query_of(request, ReviewsQuery)
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
    body = body_of(request, DisputeIn)
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
    body = body_of(request, DecideIn)
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
