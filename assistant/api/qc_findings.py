"""What QC findings lead to: a fix on the exact quick reply or intent (the editor's list of open fixes), a
training card for the trainer; and one conversation as the reviewer reads it. The 丢单 / 优秀 tags and
the weekly pack are ``qc_tags``, the editable scorecard and word list ``qc_scorecard``, the models
``qc_findings_models``. Thin: the rules are ``assistant.team.qc``."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

import sqlite_utils
from aiohttp import web
from pydantic import Field, StringConstraints

from assistant import keys
from assistant.api.io import body_of, ok, path_int, query_of
from assistant.api.qc import _shops
from assistant.api.qc_findings_models import (
    ConversationQuery,
    FindingIn,
    FindingOut,
    FindingsOut,
    FindingsQuery,
    TagOut,
)
from assistant.api.qc_models import ReviewOut
from assistant.api.qc_reviews import _review_out
from assistant.api.shops import resolve_shop
from assistant.conversations.models import Direction, LoggedMessage
from assistant.errors import BadRequest, Conflict, NotFound
from assistant.security import current_agent
from assistant.team import qc
from assistant.team import qc_store as qs
from knowledge import store as kb_store
from knowledge.models import Model
from quick_replies import store as qr_store


async def qc_ctx(app: web.Application) -> AsyncIterator[None]:
    """Load the team's scorecard and word list (the defaults until a supervisor edits them)."""
    app[keys.QC_CONFIG] = await app[keys.DB].read(qs.load_config)
    yield


# ---- one conversation as the reviewer reads it --------------------------------------------------


class LineOut(Model):
    at: datetime
    by: Literal["buyer", "shop"]
    source: str | None
    sender: str | None
    text: str
    words: list[str] = Field(description="forbidden words in a reply")


class ConversationOut(Model):
    shop_id: int
    conversation: str
    buyer: str
    agent_id: int | None
    agent: str | None
    lines: list[LineOut]
    reviews: list[ReviewOut]
    tags: list[TagOut]


def _tz(request: web.Request) -> ZoneInfo:
    return ZoneInfo(request.app[keys.SETTINGS].timezone)


def _lines(request: web.Request, messages: list[LoggedMessage]) -> list[LineOut]:
    words = request.app[keys.QC_CONFIG].forbidden_words
    return [
        LineOut(
            at=m.at,
            by="buyer" if m.direction is Direction.IN else "shop",
            source=m.source.value if m.source else None,
            sender=m.sender,
            text=m.text,
            words=qc.words_in(m.text, words) if m.direction is Direction.OUT else [],
        )
        for m in messages
    ]


def _main_agent(messages: list[LoggedMessage]) -> int | None:
    agents = Counter(m.agent_id for m in messages if m.agent_id is not None)
    return agents.most_common(1)[0][0] if agents else None


def _agent_name(request: web.Request, agent_id: int | None) -> str | None:
    agent = request.app[keys.DIRECTORY].agents.get(agent_id) if agent_id is not None else None
    return agent.name if agent else None


def _tag_out(row: qs.TagRow) -> TagOut:
    return TagOut(
        id=row.id,
        shop_id=row.shop_id,
        conversation=row.conversation,
        day=row.day,
        tag=row.tag,
        agent=row.agent_name,
        buyer=row.buyer_nick,
        note=row.note,
        created_by=row.created_by_name,
        created_at=row.created_at,
    )


async def _messages(request: web.Request, shop_id: int, conversation: str) -> list[LoggedMessage]:
    messages = await request.app[keys.CONVERSATIONS].messages(shop_id, conversation)
    if not messages:
        raise NotFound.field("conversation", f"没有会话 {conversation} 的记录")
    return messages


async def read_conversation(request: web.Request) -> web.Response:
    """The chat beside the review form: every line (forbidden words marked), its reviews and tags."""
    caller = current_agent(request)
    query = query_of(request, ConversationQuery)
    shop_id = resolve_shop(request, caller, query.shop)
    messages = await _messages(request, shop_id, query.conversation)
    agent_id = _main_agent(messages)

    def read(db: sqlite_utils.Database) -> tuple[list[qs.ReviewRow], list[qs.TagRow]]:
        day = messages[0].at.astimezone(_tz(request)).date()
        marked = [t for t in qs.tags(db, [shop_id], day, date.max) if t.conversation == query.conversation]
        return qs.reviews_of(db, shop_id, query.conversation), marked

    reviews, marked = await request.app[keys.DB].read(read)
    return ok(
        ConversationOut(
            shop_id=shop_id,
            conversation=query.conversation,
            buyer=messages[0].buyer_nick,
            agent_id=agent_id,
            agent=_agent_name(request, agent_id),
            lines=_lines(request, messages),
            reviews=[_review_out(r) for r in reviews],
            tags=[_tag_out(t) for t in marked],
        )
    )


# ---- findings: a fix on a quick reply or intent, a training card ----------------------------------


class CloseIn(Model):
    outcome: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""


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


def _target_name(db: sqlite_utils.Database, kind: str, target: int, shop_id: int) -> str | None:
    if kind == "quick_reply":
        row = qr_store.get_row(db, target)
        return str(row["title"]) if row and row["shop_id"] == shop_id else None
    intent = kb_store.get_intent(db, target)
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
        found = await request.app[keys.DB].read(lambda db: _target_name(db, target_kind, target, shop_id))
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
