"""丢单 / 优秀: a conversation tagged as a lost sale or an excellent one, and the weekly pack of the
tagged conversations."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlite_utils
from aiohttp import web
from pydantic import Field

from assistant import keys
from assistant.api.io import body_of, ok, query_of
from assistant.api.qc import _shops
from assistant.api.qc_findings import LineOut, _lines, _main_agent, _messages, _tag_out, _tz
from assistant.api.qc_findings_models import (
    PackQuery,
    TagIn,
    TagOut,
)
from assistant.api.qc_reviews import _review_out
from assistant.api.shops import resolve_shop
from assistant.errors import Conflict
from assistant.security import current_agent
from assistant.team import qc
from assistant.team import qc_store as qs
from knowledge.models import Model


class PackItem(TagOut):
    score: float | None = Field(description="the mean final score of its reviews (calibration left out)")
    lines: list[LineOut]


class PackOut(Model):
    week_start: date
    week_end: date = Field(description="the Sunday")
    lost_orders: list[PackItem]
    excellent: list[PackItem]


async def tag_conversation(request: web.Request) -> web.Response:
    """Tag a conversation 丢单 (lost order) or 优秀 (excellent) for the weekly meeting's pack."""
    caller = current_agent(request)
    body = body_of(request, TagIn)
    shop_id = resolve_shop(request, caller, body.shop)
    messages = await _messages(request, shop_id, body.conversation)
    values = {
        "shop_id": shop_id,
        "conversation": body.conversation,
        "day": messages[0].at.astimezone(_tz(request)).date().isoformat(),
        "tag": body.tag,
        "agent_id": _main_agent(messages),
        "buyer_nick": messages[0].buyer_nick,
        "note": body.note,
        "created_by": caller.id,
        "created_at": datetime.now(UTC).isoformat(),
    }
    try:
        made = await request.app[keys.DB].write(lambda db: qs.insert_tag(db, values))
    except qs.Duplicate:
        raise Conflict.field("tag", f"这段会话已经标为「{qc.TAGS[body.tag]}」") from None
    return ok(_tag_out(made), status=201)


async def weekly_pack(request: web.Request) -> web.Response:
    """The week's 丢单 and 优秀 conversations with their chat and score: the weekly meeting's pack."""
    caller = current_agent(request)
    query = query_of(request, PackQuery)
    shop_ids = _shops(request, caller, query.shop)
    start, end = qc.week_of(query.week or datetime.now(_tz(request)).date())
    tagged = await request.app[keys.DB].read(lambda db: qs.tags(db, shop_ids, start, end))
    pairs = {(t.shop_id, t.conversation) for t in tagged}

    def read_reviews(db: sqlite_utils.Database) -> dict[tuple[int, str], list[qs.ReviewRow]]:
        return {pair: qs.reviews_of(db, *pair) for pair in pairs}

    reviews = await request.app[keys.DB].read(read_reviews)
    items: dict[str, list[PackItem]] = {"lost_order": [], "excellent": []}
    for t in tagged:
        messages = await request.app[keys.CONVERSATIONS].messages(t.shop_id, t.conversation)
        finals = [
            _review_out(r).final_score for r in reviews[(t.shop_id, t.conversation)] if not r.calibration
        ]
        items[t.tag].append(
            PackItem(
                **_tag_out(t).model_dump(),
                score=round(sum(finals) / len(finals), 2) if finals else None,
                lines=_lines(request, messages),
            )
        )
    return ok(
        PackOut(
            week_start=start,
            week_end=date.fromordinal(end.toordinal() - 1),
            lost_orders=items["lost_order"],
            excellent=items["excellent"],
        )
    )
