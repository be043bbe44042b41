"""Refund review (退款审核): the reviewer's queue and decisions, the supervisor's 误退/误拒 mark and the
reviewer grant. Thin: the rules are ``assistant.team.refunds`` / ``refund_review``, the SQL
``refund_store``; the requests come from the orders' refund status (platform snapshots, imports)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import sqlite_utils
from aiohttp import web

from assistant import keys
from assistant.api.grants import apply_grant
from assistant.api.io import body_of, ok, path_int, query_of
from assistant.api.refunds_models import (
    DecisionIn,
    HintOut,
    RefundOut,
    RefundReviewerIn,
    RefundReviewerOut,
    RefundsOut,
    RefundsQuery,
    WrongIn,
    WrongOut,
)
from assistant.api.shops import resolve_shop
from assistant.commerce.models import LogisticsStatus, OrderStatus
from assistant.security import current_agent
from assistant.team import refund_review, refund_store
from assistant.team.periods import period_range
from assistant.team.refund_store import Request
from assistant.team.refunds import Facts, due_at, hints
from knowledge.errors import Invalid
from knowledge.models import Role


def _out(r: Request, now: datetime, limit_minutes: int) -> RefundOut:
    facts = Facts(
        amount_fen=r.amount_fen,
        requested_at=r.requested_at,
        decided=r.outcome is not None,
        order_status=OrderStatus(r.order_status),
        shipped=r.shipped,
        delivered=r.delivered,
        paid_fen=r.paid_fen,
        last_logistics=LogisticsStatus(r.last_logistics) if r.last_logistics else None,
        buyer_requests_90d=r.buyer_requests_90d,
        risk_flag=r.risk_flag,
    )
    due = due_at(r.requested_at, limit_minutes)
    took = None if r.decided_at is None else int((r.decided_at - r.requested_at).total_seconds() // 60)
    reviewed = r.outcome in ("approved", "rejected") and r.decided_at is not None
    return RefundOut(
        id=r.id,
        order_id=r.order_id,
        buyer=r.buyer,
        amount_fen=r.amount_fen,
        paid_fen=r.paid_fen,
        order_status=r.order_status,
        requested_at=r.requested_at,
        due_at=due,
        outcome=r.outcome,
        reviewer=r.reviewer_name,
        decided_at=r.decided_at,
        took_minutes=took,
        on_time=(r.decided_at is not None and r.decided_at <= due) if reviewed else None,
        note=r.note,
        wrong=None
        if r.wrong_reason is None
        else WrongOut(reason=r.wrong_reason, by=r.wrong_by_name, at=r.wrong_at),
        version=r.version,
        hints=[
            HintOut(code=h.code, text=h.text, warn=h.warn, n=h.n) for h in hints(facts, now, limit_minutes)
        ],
    )


def _now() -> datetime:
    return datetime.now(UTC)


async def queue(request: web.Request) -> web.Response:
    """The shop's refund requests: open ones with the longest wait first, or the decisions made."""
    agent = current_agent(request)
    query = query_of(request, RefundsQuery)
    shop_id = resolve_shop(request, agent, query.shop)
    limit_minutes = request.app[keys.SETTINGS].refund_review_minutes
    since = until = None
    if query.period is not None:
        try:
            start, end, _ = period_range(query.period)
        except ValueError:
            raise Invalid.field("period", "没有这一天") from None
        zone = request.app[keys.DIRECTORY].zone(shop_id)
        since = datetime.combine(start, time(), zone).astimezone(UTC).isoformat()
        until = datetime.combine(end, time(), zone).astimezone(UTC).isoformat()
    now = _now()
    due_before = (now - timedelta(minutes=limit_minutes)).isoformat()

    def read(db: sqlite_utils.Database) -> tuple[refund_store.Page, tuple[int, int]]:
        found = refund_store.page(
            db, shop_id, query.state, query.limit, query.cursor, query.reviewer, since, until
        )
        return found, refund_store.open_counts(db, shop_id, due_before)

    found, (open_count, overdue) = await request.app[keys.DB].read(read)
    after = query.cursor + len(found.requests)
    return ok(
        RefundsOut(
            requests=[_out(r, now, limit_minutes) for r in found.requests],
            total=found.total,
            open=open_count,
            overdue=overdue,
            limit_minutes=limit_minutes,
            next_cursor=after if after < found.total else None,
        )
    )


async def decide(request: web.Request) -> web.Response:
    """The reviewer's decision on an open request, at the version they saw (409 when someone else
    decided it first or it changed since)."""
    agent = current_agent(request)
    request_id = path_int(request, "request_id")
    body = body_of(request, DecisionIn)
    at = _now().isoformat(timespec="microseconds")
    done = await request.app[keys.DB].write(
        lambda db: refund_review.decide(db, request_id, body.outcome, body.note, body.version, agent, at)
    )
    return ok(_out(done, _now(), request.app[keys.SETTINGS].refund_review_minutes))


async def mark_wrong(request: web.Request) -> web.Response:
    """A supervisor marks a decision wrong (误退 / 误拒: it lowers the reviewer's quality) or takes the
    mark back."""
    agent = current_agent(request)
    request_id = path_int(request, "request_id")
    body = body_of(request, WrongIn)
    at = _now().isoformat(timespec="microseconds")
    done = await request.app[keys.DB].write(
        lambda db: refund_review.mark_wrong(db, request_id, body.wrong, body.reason, body.version, agent, at)
    )
    return ok(_out(done, _now(), request.app[keys.SETTINGS].refund_review_minutes))


async def set_refund_reviewer(request: web.Request) -> web.Response:
    """Grant or take back the refund-review role (an agent's role becomes ``refund_reviewer`` and back)."""
    body = body_of(request, RefundReviewerIn)
    role = await apply_grant(request, Role.REFUND_REVIEWER, body.refund_reviewer)
    return ok(RefundReviewerOut(agent_id=path_int(request, "agent_id"), role=role))
