"""QC findings over HTTP: a reviewer files a finding against a conversation (a phrase, an intent or
an agent to fix), lists the open ones, closes one; the conversation view and the models are in
``qc_findings``."""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import web

from assistant import keys
from assistant.api.io import body_of, ok, path_int, query_of
from assistant.api.qc import _shops
from assistant.api.qc_findings import CloseIn
from assistant.api.qc_findings_models import FindingIn, FindingOut, FindingsOut, FindingsQuery
from assistant.api.shops import resolve_shop
from assistant.errors import BadRequest, Conflict, NotFound
from assistant.security import current_agent
from assistant.team import qc
from assistant.team import qc_store as qs
from knowledge import store as kb_store


def _finding_out(row: qs.FindingRow) -> FindingOut:
    return FindingOut(
        id=row.id,
        shop_id=row.shop_id,
        review_id=row.review_id,
        conversation=row.conversation,
        agent_id=row.agent_id,
        agent=row.agent_name,
        kind=row.kind,
        target_kind=row.target_kind,
        target_id=row.target_id,
        target_name=row.target_name,
        note=row.note,
        created_by=row.created_by_name,
        created_at=row.created_at,
        closed_at=row.closed_at,
        outcome=row.outcome,
    )


async def _target_name(app: web.Application, kind: str, target: int, shop_id: int) -> str | None:
    """The name of the phrase or intent a fix is on, if it is in the shop. Phrases through the
    quick-reply store (in hub mode they live on the hub, not in the local file)."""
    if kind == "quick_reply":
        phrase = await app[keys.QR_STORE].get(target)
        return phrase.reply.title if phrase and phrase.reply.shop_id == shop_id else None
    intent = await app[keys.DB].read(lambda db: kb_store.get_intent(db, target))
    return intent.name if intent and intent.shop_id == shop_id else None


async def create_finding(request: web.Request) -> web.Response:
    """A finding opens a fix on the exact quick reply or intent (the editor sees it among the open fixes)
    or a training card for the trainer."""
    caller = current_agent(request)
    body = body_of(request, FindingIn)
    shop_id = resolve_shop(request, caller, body.shop)
    if body.kind == "fix" and (body.target_kind is None or body.target is None):
        raise BadRequest.field("target", "修改要指明是哪条快捷短语或意图（target_kind 与 target）")
    if body.kind == "training" and body.target is not None:
        raise BadRequest.field("target", "培训卡不对应快捷短语或意图")
    review = None
    if body.review is not None:
        review_id = body.review
        review = await request.app[keys.DB].read(lambda db: qs.review(db, review_id))
        if review is None or review.shop_id != shop_id:
            raise NotFound.field("review", f"本店没有质检记录 {body.review}")
    name = ""
    if body.kind == "fix":
        assert body.target_kind is not None and body.target is not None
        target_kind, target = body.target_kind, body.target
        found = await _target_name(request.app, target_kind, target, shop_id)
        if found is None:
            what = qc.FIX_TARGETS[target_kind]
            raise NotFound.field("target", f"本店没有{what} {target}")
        name = found
    agent_id = body.agent or (review.agent_id if review else None)
    if agent_id is not None and agent_id not in request.app[keys.DIRECTORY].agents:
        raise NotFound.field("agent", f"没有客服 {agent_id}")
    values = {
        "shop_id": shop_id,
        "review_id": review.id if review else None,
        "conversation": review.conversation if review else (body.conversation or ""),
        "agent_id": agent_id,
        "kind": body.kind,
        "target_kind": body.target_kind if body.kind == "fix" else None,
        "target_id": body.target if body.kind == "fix" else None,
        "target_name": name,
        "note": body.note,
        "created_by": caller.id,
        "created_at": datetime.now(UTC).isoformat(),
    }
    made = await request.app[keys.DB].write(lambda db: qs.insert_finding(db, values))
    return ok(_finding_out(made), status=201)


async def list_findings(request: web.Request) -> web.Response:
    """Findings of the caller's shops, newest first: open ones by default; filter by kind or target (the
    editor asks for the open fixes on one quick reply or intent)."""
    caller = current_agent(request)
    query = query_of(request, FindingsQuery)
    shop_ids = _shops(request, caller, query.shop)
    rows = await request.app[keys.DB].read(
        lambda db: qs.findings(
            db,
            shop_ids,
            state=query.state,
            kind=query.kind,
            target_kind=query.target_kind,
            target_id=query.target,
        )
    )
    return ok(FindingsOut(findings=[_finding_out(r) for r in rows]))


async def close_finding(request: web.Request) -> web.Response:
    """The fix is made or the training given: the finding closes with what was done."""
    caller = current_agent(request)
    finding_id = path_int(request, "finding_id")
    body = body_of(request, CloseIn)
    found = await request.app[keys.DB].read(lambda db: qs.finding(db, finding_id))
    if found is None or found.shop_id not in caller.shop_ids:
        raise NotFound.field("finding_id", f"没有质检发现 {finding_id}")
    closed = await request.app[keys.DB].write(
        lambda db: qs.close_finding(db, finding_id, by=caller.id, outcome=body.outcome, at=datetime.now(UTC))
    )
    if not closed:
        raise Conflict.field("finding_id", "这条已经处理过")
    after = await request.app[keys.DB].read(lambda db: qs.finding(db, finding_id))
    assert after is not None
    return ok(_finding_out(after))
