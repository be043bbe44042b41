"""Hot-item answers (爆款问答) of the item in focus, rendered for the conversation, for the sidebar.

``/api/suggest`` boosts an item's answers once the buyer asks; the sidebar also lists them as
one-click buttons before the buyer asks anything. The answers come from the matcher's in-memory
entries (enabled intents bound to the item; campaign-bound ones only while the campaign runs).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from aiohttp import web
from pydantic import Field, StringConstraints

from assistant import keys
from assistant.api.io import ok, path_int, query_of
from assistant.api.knowledge import build_context
from assistant.api.shops import resolve_shop
from assistant.conversations.suggest import render_variant
from assistant.security import current_agent
from knowledge.match_entries import AnswerEntry
from knowledge.models import Model


class ItemAnswersQuery(Model):
    shop: Annotated[int, Field(gt=0)] | None = Field(
        None, description="shop id; defaults to the agent's main shop"
    )
    buyer: Annotated[str, StringConstraints(max_length=60)] | None = Field(
        None, description="buyer nick, to render the answers for this buyer"
    )
    limit: Annotated[int, Field(ge=1, le=30)] = 12


class ItemAnswerOut(Model):
    id: int = Field(description="the intent's id")
    key: str
    name: str
    topic: str
    campaign_id: int | None
    answer: str = Field(description="one answer variant, rendered for this buyer (stable per buyer)")
    variant: int
    variants: int
    missing: list[str]


class ItemAnswersOut(Model):
    item_id: int
    answers: list[ItemAnswerOut]


def item_entries(
    entries: list[AnswerEntry], shop_id: int, item_id: int, active: set[int]
) -> list[AnswerEntry]:
    """The shop's intents bound to ``item_id`` (campaign-bound only while the campaign runs), by id."""
    found = [
        e
        for e in entries
        if e.kind == "intent"
        and e.shop_id == shop_id
        and e.item_id == item_id
        and (e.campaign_id is None or e.campaign_id in active)
    ]
    return sorted(found, key=lambda e: e.ref_id)


async def item_answers(request: web.Request) -> web.Response:
    agent = current_agent(request)
    query = query_of(request, ItemAnswersQuery)
    item_id = path_int(request, "item_id")
    shop_id = query.shop or agent.main_shop_id
    resolve_shop(request, agent, shop_id)
    context, _, _ = await build_context(
        request, agent, shop_id, buyer=query.buyer, item_id=item_id, order_id=None
    )
    matcher = request.app[keys.MATCHER]
    active = matcher.active_campaigns(shop_id, datetime.now(request.app[keys.DIRECTORY].zone(shop_id)))

    entries = item_entries(list(matcher.entries.values()), shop_id, item_id, active)

    def render_all() -> list[ItemAnswerOut]:
        answers: list[ItemAnswerOut] = []
        for entry in entries:
            chosen = render_variant(entry, context, f"{query.buyer}|item")
            if chosen is not None:
                variant, rendered = chosen
                answers.append(
                    ItemAnswerOut(
                        id=entry.ref_id,
                        key=entry.key,
                        name=entry.name,
                        topic=entry.topic.value,
                        campaign_id=entry.campaign_id,
                        answer=rendered.text,
                        variant=variant,
                        variants=len(entry.answers),
                        missing=rendered.missing,
                    )
                )
            if len(answers) >= query.limit:
                break
        return answers

    answers = await request.app[keys.TEMPLATES].run(render_all)
    return ok(ItemAnswersOut(item_id=item_id, answers=answers))
