"""One conversation as the QC reviewer reads it, and the helpers of what QC findings lead to (a fix
on the exact quick reply or intent, a training card for the trainer), whose handlers are
``qc_finding_views``. The 丢单 / 优秀 tags and the weekly pack are ``qc_tags``, the editable
scorecard and word list ``qc_scorecard``, the models ``qc_findings_models``. Thin: the rules are
``assistant.team.qc``."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

import sqlite_utils
from aiohttp import web
from pydantic import Field, StringConstraints

from assistant import keys
from assistant.api.io import ok, query_of
from assistant.api.qc_findings_models import ConversationQuery, TagOut
from assistant.api.qc_models import ReviewOut
from assistant.api.qc_reviews import _review_out
from assistant.api.shops import resolve_shop
from assistant.conversations.models import Direction, LoggedMessage
from assistant.errors import NotFound
from assistant.security import current_agent
from assistant.team import qc
from assistant.team import qc_store as qs
from knowledge.models import Model


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
